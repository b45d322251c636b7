/* relais-config.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RELAIS_TYPE_CONFIG (relais_config_get_type ())
G_DECLARE_FINAL_TYPE (RelaisConfig, relais_config, RELAIS, CONFIG, GObject)

#define RELAIS_CONFIG_SYSTEM_FILE "/etc/relais/kiosk.conf"

/* Where the configuration comes from: @explicit_path (--config) if given;
 * else $XDG_CONFIG_HOME/relais/kiosk.conf if it exists; else
 * /etc/relais/kiosk.conf if it exists; else NULL (demo mode). */
char         *relais_config_find_file        (const char  *explicit_path);

/* Every key at its default, no gateway: the demo. */
RelaisConfig *relais_config_new_default      (void);
/* Parses @path. Unknown groups or keys, and values of the wrong type or
 * out of range, fail with RELAIS_ERROR_CONFIG and a message naming the
 * file, the group, the key and what was expected. All errors found are
 * reported in one message, one per line. */
RelaisConfig *relais_config_new_from_file    (const char  *path,
                                              GError     **error);
RelaisConfig *relais_config_new_from_data    (const char  *data,
                                              const char  *source_name,
                                              GError     **error);

/* NULL for the built-in defaults. */
const char   *relais_config_get_source       (RelaisConfig *self);
/* TRUE when no gateway is configured: calls go to the embedded advisor. */
gboolean      relais_config_is_demo          (RelaisConfig *self);

/* [kiosk] */
const char   *relais_config_get_site_name    (RelaisConfig *self);
const char   *relais_config_get_language     (RelaisConfig *self); /* "fr" or "en" */
/* Absolute path of the SQLite file (default: $XDG_DATA_HOME/relais/relais.db). */
const char   *relais_config_get_store_path   (RelaisConfig *self);

/* [agent] */
/* Argon2id hash (libsodium crypto_pwhash_str format). In demo mode with
 * no hash configured, the hash of the demo PIN. */
const char   *relais_config_get_pin_hash     (RelaisConfig *self);
/* The demo PIN to show on the lock screen, or NULL outside demo mode. */
const char   *relais_config_get_demo_pin     (RelaisConfig *self);
guint         relais_config_get_idle_lock_seconds (RelaisConfig *self);
guint         relais_config_get_max_pin_attempts  (RelaisConfig *self);
guint         relais_config_get_lockout_seconds   (RelaisConfig *self);

/* [queue] */
guint         relais_config_get_retention_days    (RelaisConfig *self);

/* [directory] */
/* Absolute path of the service directory JSON (default: the sample). */
const char   *relais_config_get_directory_file    (RelaisConfig *self);

/* [gateway] */
const char   *relais_config_get_janus_url    (RelaisConfig *self); /* NULL in demo */
const char   *relais_config_get_ca_file      (RelaisConfig *self); /* NULL: system CAs */
/* "stun://host:port", or NULL. */
const char   *relais_config_get_stun_server  (RelaisConfig *self);
/* "turn://user:password@host:port" (or turns://), or NULL. Holds a
 * password: never log it. */
const char   *relais_config_get_turn_server  (RelaisConfig *self);
gboolean      relais_config_get_force_relay  (RelaisConfig *self);
guint         relais_config_get_give_up_seconds (RelaisConfig *self);

/* [media] */
/* "auto", "test" or a v4l2 device path. */
const char   *relais_config_get_camera       (RelaisConfig *self);
/* "auto", "test" or a PulseAudio/PipeWire source name. */
const char   *relais_config_get_microphone   (RelaisConfig *self);
/* The numbers below are 0 when the file does not set them: the call's own
 * defaults (relais_call_options_init) then apply. */
guint         relais_config_get_video_width        (RelaisConfig *self);
guint         relais_config_get_video_height       (RelaisConfig *self);
guint         relais_config_get_video_framerate    (RelaisConfig *self);
guint         relais_config_get_video_bitrate_kbps (RelaisConfig *self);
/* "vp8" (the default) or "h264". */
const char   *relais_config_get_video_codec        (RelaisConfig *self);
guint         relais_config_get_jitter_latency_ms  (RelaisConfig *self);

/* [printer] */
/* A CUPS queue name, or NULL for CUPS's default destination. */
const char   *relais_config_get_printer_name       (RelaisConfig *self);
guint         relais_config_get_printer_copies     (RelaisConfig *self); /* 1 to 5 */
gboolean      relais_config_get_printer_duplex     (RelaisConfig *self);
/* Longer documents are refused (default 20). */
guint         relais_config_get_printer_max_pages  (RelaisConfig *self);
/* [figures] */
/* Where the anonymous session records are POSTed (https only), NULL: no
 * upload. The token (a secret: never logged) goes as a Bearer header. */
const char   *relais_config_get_upload_url   (RelaisConfig *self);
const char   *relais_config_get_upload_token (RelaisConfig *self);

/* [scanner] */
const char   *relais_config_get_scanner_device     (RelaisConfig *self); /* "auto" or a SANE name */
guint         relais_config_get_scanner_resolution (RelaisConfig *self); /* dpi, 75..600, default 150 */
gboolean      relais_config_get_scanner_colour     (RelaisConfig *self); /* mode=colour (default grey) */
gboolean      relais_config_get_scanner_feeder     (RelaisConfig *self); /* source=feeder (default flatbed) */

/* [gateway] lobby-pin: the pin of the services' lobby rooms (common/PROTOCOL.md).
 * Set: calls go through the shared waiting line (presence); NULL (also in
 * demo mode): the kiosk joins the sub-service's room directly. */
const char   *relais_config_get_lobby_pin    (RelaisConfig *self);

G_END_DECLS
