/* test-config.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-config"
#define _XOPEN_SOURCE 700

#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "relais-config.h"
#include "relais-error.h"

/* The hash of "4321", made once with crypto_pwhash_str (interactive
 * limits). */
#define HASH_4321 "$argon2id$v=19$m=65536,t=2,p=1$XzlazTfMw2HdfySafGlM1w$WKneHopDGKnRH2nhVFIKrGb4uz0DYoB+3H/iAUzYUcQ"

/* main() points the XDG directories at a temporary tree before GLib
 * caches them, and removes the tree at the end. (G_TEST_OPTION_ISOLATE_DIRS
 * would do it per test, but g_set_user_dirs() leaks the old values on
 * purpose and LeakSanitizer reports them.) */
static char *test_root;

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                flag,
              struct FTW        *ftw)
{
  return remove (path);
}

static char *
write_file (const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "relais-test", NULL);
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_no_errno (g_mkdir_with_parents (parent, 0700));
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return path;
}

/* Parses @data, expects failure, and returns the message. */
static char *
parse_error (const char *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = NULL;

  config = relais_config_new_from_data (data, "/etc/relais/kiosk.conf", &error);
  g_assert_null (config);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG);
  g_test_message ("%s", error->message);

  return g_strdup (error->message);
}

static void
assert_error_line (const char *data,
                   const char *expected)
{
  g_autofree char *message = parse_error (data);

  g_assert_cmpstr (message, ==, expected);
}

static RelaisConfig *
parse_ok (const char *data)
{
  g_autoptr(GError) error = NULL;
  RelaisConfig *config;

  config = relais_config_new_from_data (data, "/etc/relais/kiosk.conf", &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);

  return config;
}

static void
test_defaults (void)
{
  g_autoptr(RelaisConfig) config = relais_config_new_default ();
  g_autofree char *store = g_build_filename (g_get_user_data_dir (), "relais", "relais.db", NULL);
  const char *directory;

  g_assert_null (relais_config_get_source (config));
  g_assert_true (relais_config_is_demo (config));
  g_assert_cmpstr (relais_config_get_site_name (config), ==, "Point d'accueil Relais (démonstration)");
  g_assert_cmpstr (relais_config_get_language (config), ==, "fr");
  g_assert_cmpstr (relais_config_get_store_path (config), ==, store);
  g_assert_true (g_str_has_prefix (relais_config_get_pin_hash (config), "$argon2id$"));
  g_assert_cmpstr (relais_config_get_demo_pin (config), ==, "1234");
  g_assert_cmpuint (relais_config_get_idle_lock_seconds (config), ==, 120);
  g_assert_cmpuint (relais_config_get_max_pin_attempts (config), ==, 3);
  g_assert_cmpuint (relais_config_get_lockout_seconds (config), ==, 60);
  g_assert_cmpuint (relais_config_get_retention_days (config), ==, 90);
  g_assert_null (relais_config_get_janus_url (config));
  g_assert_null (relais_config_get_ca_file (config));
  g_assert_null (relais_config_get_stun_server (config));
  g_assert_null (relais_config_get_turn_server (config));
  /* [media] unset: the call's own defaults. */
  g_assert_cmpstr (relais_config_get_camera (config), ==, "auto");
  g_assert_cmpstr (relais_config_get_microphone (config), ==, "auto");
  g_assert_cmpuint (relais_config_get_video_width (config), ==, 0);
  g_assert_cmpuint (relais_config_get_video_height (config), ==, 0);
  g_assert_cmpuint (relais_config_get_video_framerate (config), ==, 0);
  g_assert_cmpuint (relais_config_get_video_bitrate_kbps (config), ==, 0);
  g_assert_cmpstr (relais_config_get_video_codec (config), ==, "vp8");
  g_assert_cmpuint (relais_config_get_jitter_latency_ms (config), ==, 0);

  directory = relais_config_get_directory_file (config);
  g_assert_true (g_path_is_absolute (directory));
  g_assert_true (g_str_has_suffix (directory, "/directory.sample.json"));
  g_assert_true (g_file_test (directory, G_FILE_TEST_IS_REGULAR));
}

static void
test_demo_pin_hash (void)
{
  g_autoptr(RelaisConfig) config = relais_config_new_default ();
  const char *hash = relais_config_get_pin_hash (config);

  g_assert_cmpint (sodium_init (), >=, 0);
  g_assert_cmpint (crypto_pwhash_str_verify (hash, "1234", 4), ==, 0);
  g_assert_cmpint (crypto_pwhash_str_verify (hash, "1235", 4), !=, 0);
  g_assert_cmpint (crypto_pwhash_str_verify (hash, "0000", 4), !=, 0);
}

static void
test_empty_file_is_demo (void)
{
  g_autoptr(RelaisConfig) config = parse_ok ("# nothing\n\n");

  g_assert_cmpstr (relais_config_get_source (config), ==, "/etc/relais/kiosk.conf");
  g_assert_true (relais_config_is_demo (config));
  g_assert_cmpstr (relais_config_get_demo_pin (config), ==, "1234");
}

static void
test_demo_with_own_pin (void)
{
  g_autoptr(RelaisConfig) config = parse_ok ("[agent]\npin-hash=" HASH_4321 "\n");

  /* The lock screen must not advertise 1234 when it would not work. */
  g_assert_true (relais_config_is_demo (config));
  g_assert_null (relais_config_get_demo_pin (config));
  g_assert_cmpstr (relais_config_get_pin_hash (config), ==, HASH_4321);
}

static void
test_all_keys (void)
{
  g_autofree char *ca = write_file ("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  g_autofree char *directory = write_file ("annuaire.json", "{}");
  g_autofree char *data = NULL;
  g_autoptr(RelaisConfig) config = NULL;

  data = g_strdup_printf ("# Relais\n"
                          "[kiosk]\n"
                          "site-name = France services de Exempleville\n"
                          "language=en\n"
                          "store-path=/var/lib/relais/kiosk.db\n"
                          "\n"
                          "[agent]\n"
                          "pin-hash=" HASH_4321 "\n"
                          "idle-lock-seconds=300\n"
                          "max-pin-attempts=5\n"
                          "lockout-seconds= 600 \n"
                          "[queue]\n"
                          "retention-days=30\n"
                          "[directory]\n"
                          "file=%s\n"
                          "[gateway]\n"
                          "janus-url=https://visio.exemple.fr/janus\n"
                          "lobby-pin=s3cret\n"
                          "ca-file=%s\n"
                          "stun-server=stun://visio.exemple.fr:3478\n"
                          "turn-server=turns://relais:s3cr%%40t@visio.exemple.fr:5349\n"
                          "[media]\n"
                          "camera=/dev/v4l/by-id/usb-Logitech_C270-video-index0\n"
                          "microphone=alsa_input.usb-0d8c_USB_Headset-00.mono-fallback\n"
                          "width=320\n"
                          "height=240\n"
                          "framerate=15\n"
                          "video-bitrate-kbps=250\n"
                          "video-codec=h264\n"
                          "jitter-latency-ms=60\n",
                          directory, ca);
  config = parse_ok (data);

  g_assert_false (relais_config_is_demo (config));
  g_assert_cmpstr (relais_config_get_site_name (config), ==, "France services de Exempleville");
  g_assert_cmpstr (relais_config_get_language (config), ==, "en");
  g_assert_cmpstr (relais_config_get_store_path (config), ==, "/var/lib/relais/kiosk.db");
  g_assert_cmpstr (relais_config_get_pin_hash (config), ==, HASH_4321);
  g_assert_null (relais_config_get_demo_pin (config));
  g_assert_cmpuint (relais_config_get_idle_lock_seconds (config), ==, 300);
  g_assert_cmpuint (relais_config_get_max_pin_attempts (config), ==, 5);
  g_assert_cmpuint (relais_config_get_lockout_seconds (config), ==, 600);
  g_assert_cmpuint (relais_config_get_retention_days (config), ==, 30);
  g_assert_cmpstr (relais_config_get_directory_file (config), ==, directory);
  g_assert_cmpstr (relais_config_get_janus_url (config), ==, "https://visio.exemple.fr/janus");
  g_assert_cmpstr (relais_config_get_ca_file (config), ==, ca);
  g_assert_cmpstr (relais_config_get_stun_server (config), ==, "stun://visio.exemple.fr:3478");
  g_assert_cmpstr (relais_config_get_turn_server (config), ==, "turns://relais:s3cr%40t@visio.exemple.fr:5349");
  g_assert_cmpstr (relais_config_get_camera (config), ==, "/dev/v4l/by-id/usb-Logitech_C270-video-index0");
  g_assert_cmpstr (relais_config_get_microphone (config), ==, "alsa_input.usb-0d8c_USB_Headset-00.mono-fallback");
  g_assert_cmpuint (relais_config_get_video_width (config), ==, 320);
  g_assert_cmpuint (relais_config_get_video_height (config), ==, 240);
  g_assert_cmpuint (relais_config_get_video_framerate (config), ==, 15);
  g_assert_cmpuint (relais_config_get_video_bitrate_kbps (config), ==, 250);
  g_assert_cmpstr (relais_config_get_video_codec (config), ==, "h264");
  g_assert_cmpuint (relais_config_get_jitter_latency_ms (config), ==, 60);
}

static void
test_media_keys (void)
{
  g_autoptr(RelaisConfig) test = parse_ok ("[media]\ncamera=test\nmicrophone=test\nvideo-codec=vp8\n");
  g_autoptr(RelaisConfig) low = parse_ok ("[media]\nwidth=160\nheight=120\nframerate=5\n"
                                          "video-bitrate-kbps=100\njitter-latency-ms=10\n");
  g_autoptr(RelaisConfig) high = parse_ok ("[media]\nwidth=1920\nheight=1080\nframerate=30\n"
                                           "video-bitrate-kbps=4000\njitter-latency-ms=1000\n");
  g_autoptr(RelaisConfig) stun_only = parse_ok ("[gateway]\nstun-server=stun://10.77.0.1\n");

  g_assert_cmpstr (relais_config_get_camera (test), ==, "test");
  g_assert_cmpstr (relais_config_get_microphone (test), ==, "test");
  g_assert_cmpstr (relais_config_get_video_codec (test), ==, "vp8");
  g_assert_cmpuint (relais_config_get_video_width (low), ==, 160);
  g_assert_cmpuint (relais_config_get_video_height (low), ==, 120);
  g_assert_cmpuint (relais_config_get_video_framerate (low), ==, 5);
  g_assert_cmpuint (relais_config_get_video_bitrate_kbps (low), ==, 100);
  g_assert_cmpuint (relais_config_get_jitter_latency_ms (low), ==, 10);
  g_assert_cmpuint (relais_config_get_video_width (high), ==, 1920);
  g_assert_cmpuint (relais_config_get_video_height (high), ==, 1080);
  g_assert_cmpuint (relais_config_get_video_framerate (high), ==, 30);
  g_assert_cmpuint (relais_config_get_video_bitrate_kbps (high), ==, 4000);
  g_assert_cmpuint (relais_config_get_jitter_latency_ms (high), ==, 1000);
  /* STUN and TURN do not make a gateway: still the demo. */
  g_assert_true (relais_config_is_demo (stun_only));
  g_assert_cmpstr (relais_config_get_stun_server (stun_only), ==, "stun://10.77.0.1");
}

static void
test_error_media (void)
{
  assert_error_line ("[media]\ncamera=video0\n",
                     "/etc/relais/kiosk.conf: [media] camera : « auto », « test » ou le chemin d'une caméra "
                     "(par exemple /dev/video0) attendu, « video0 » trouvé");
  assert_error_line ("[media]\ncamera=/home/agent/video0\n",
                     "/etc/relais/kiosk.conf: [media] camera : « auto », « test » ou le chemin d'une caméra "
                     "(par exemple /dev/video0) attendu, « /home/agent/video0 » trouvé");
  assert_error_line ("[media]\ncamera=\n",
                     "/etc/relais/kiosk.conf: [media] camera : valeur vide : commentez la ligne pour garder la valeur par défaut");
  /* A description from a settings panel is not a source name. */
  assert_error_line ("[media]\nmicrophone=Micro USB (casque)\n",
                     "/etc/relais/kiosk.conf: [media] microphone : « auto », « test » ou le nom d'une source "
                     "PulseAudio/PipeWire (colonne 2 de « pactl list short sources ») attendu, « Micro USB (casque) » trouvé");
  assert_error_line ("[media]\nwidth=641\n",
                     "/etc/relais/kiosk.conf: [media] width : nombre entier pair entre 160 et 1920 attendu, « 641 » trouvé");
  assert_error_line ("[media]\nwidth=100\n",
                     "/etc/relais/kiosk.conf: [media] width : nombre entier pair entre 160 et 1920 attendu, « 100 » trouvé");
  assert_error_line ("[media]\nheight=1082\n",
                     "/etc/relais/kiosk.conf: [media] height : nombre entier pair entre 120 et 1080 attendu, « 1082 » trouvé");
  assert_error_line ("[media]\nheight=480px\n",
                     "/etc/relais/kiosk.conf: [media] height : nombre entier pair entre 120 et 1080 attendu, « 480px » trouvé");
  assert_error_line ("[media]\nframerate=60\n",
                     "/etc/relais/kiosk.conf: [media] framerate : nombre entier entre 5 et 30 attendu, « 60 » trouvé");
  assert_error_line ("[media]\nframerate=4\n",
                     "/etc/relais/kiosk.conf: [media] framerate : nombre entier entre 5 et 30 attendu, « 4 » trouvé");
  assert_error_line ("[media]\nvideo-bitrate-kbps=99\n",
                     "/etc/relais/kiosk.conf: [media] video-bitrate-kbps : nombre entier entre 100 et 4000 attendu, « 99 » trouvé");
  assert_error_line ("[media]\nvideo-bitrate-kbps=1.5M\n",
                     "/etc/relais/kiosk.conf: [media] video-bitrate-kbps : nombre entier entre 100 et 4000 attendu, « 1.5M » trouvé");
  assert_error_line ("[media]\nvideo-codec=H264\n",
                     "/etc/relais/kiosk.conf: [media] video-codec : « vp8 » ou « h264 » attendu, « H264 » trouvé");
  assert_error_line ("[media]\nvideo-codec=av1\n",
                     "/etc/relais/kiosk.conf: [media] video-codec : « vp8 » ou « h264 » attendu, « av1 » trouvé");
  assert_error_line ("[media]\njitter-latency-ms=0\n",
                     "/etc/relais/kiosk.conf: [media] jitter-latency-ms : nombre entier entre 10 et 1000 attendu, « 0 » trouvé");
  assert_error_line ("[media]\njitter-latency-ms=2000\n",
                     "/etc/relais/kiosk.conf: [media] jitter-latency-ms : nombre entier entre 10 et 1000 attendu, « 2000 » trouvé");
  assert_error_line ("[media]\nresolution=640x480\n",
                     "/etc/relais/kiosk.conf: [media] resolution : clé inconnue dans ce groupe");
  /* Media keys belong to [media], not [kiosk]. */
  assert_error_line ("[kiosk]\ncamera=auto\n",
                     "/etc/relais/kiosk.conf: [kiosk] camera : clé inconnue dans ce groupe");

  {
    /* Every bad [media] key is reported, one line each. */
    g_autofree char *message = parse_error ("[media]\ncamera=cam\nwidth=7\nheight=7\nframerate=0\n"
                                            "video-bitrate-kbps=0\nvideo-codec=vp9\njitter-latency-ms=-5\n");
    g_auto(GStrv) lines = g_strsplit (message, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 7);
  }
}

static void
test_error_ice_servers (void)
{
  const char *bad_stun[] = {
    "visio.exemple.fr:3478", "turn://visio.exemple.fr", "stun://", "stun://user:pass@visio.exemple.fr",
    "stun://visio.exemple.fr:3478/path",
  };
  const char *bad_turn[] = {
    "turn://visio.exemple.fr:3478",              /* no credentials */
    "turn://relais@visio.exemple.fr:3478",       /* no password */
    "stun://relais:Secret42@visio.exemple.fr",
    "relais:Secret42@visio.exemple.fr:3478",
    "turn://relais:Secret42@",
    "turn://relais:Secret42@visio.exemple.fr:443?transport=sctp",
    "turn://relais:Secret42@visio.exemple.fr:443/chemin",
    /* One bad entry of a list spoils it. */
    "turn://relais:Secret42@visio.exemple.fr:3478;turn://visio.exemple.fr:443",
    ";",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad_stun); i++)
    {
      g_autofree char *data = g_strdup_printf ("[gateway]\nstun-server=%s\n", bad_stun[i]);
      g_autofree char *expected = g_strdup_printf ("/etc/relais/kiosk.conf: [gateway] stun-server : "
                                                   "adresse stun://hôte:port attendue, « %s » trouvé",
                                                   bad_stun[i]);

      assert_error_line (data, expected);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad_turn); i++)
    {
      g_autofree char *data = g_strdup_printf ("[gateway]\nturn-server=%s\n", bad_turn[i]);
      g_autofree char *message = parse_error (data);

      g_assert_cmpstr (message, ==,
                       "/etc/relais/kiosk.conf: [gateway] turn-server : adresse "
                       "turn://utilisateur:mot-de-passe@hôte:port (ou turns://…) attendue, autre chose trouvé "
                       "(non recopié ici : elle peut contenir un mot de passe)");
      /* The password is a secret: never in a message. */
      g_assert_null (strstr (message, "Secret42"));
    }
}

/* Several TURN servers, a transport for the kiosk's leg; relay only
 * needs one. */
static void
test_turn_servers (void)
{
  const char *list = "turn://relais:Secret42@visio.exemple.fr:443?transport=tcp;"
                     "turn://relais:Secret42@visio.exemple.fr:3478?transport=udp";
  g_autofree char *data = g_strdup_printf ("[gateway]\nturn-server=%s\nforce-relay=true\n", list);
  g_autoptr(RelaisConfig) config = parse_ok (data);
  g_autoptr(RelaisConfig) plain = parse_ok ("[gateway]\nturn-server=turn://relais:Secret42@visio.exemple.fr:3478\n");
  g_autofree char *message = parse_error ("[gateway]\nforce-relay=true\n");

  g_assert_cmpstr (relais_config_get_turn_server (config), ==, list);
  g_assert_true (relais_config_get_force_relay (config));
  g_assert_false (relais_config_get_force_relay (plain));
  /* A lost gateway: a minute, unless told. */
  g_assert_cmpuint (relais_config_get_give_up_seconds (plain), ==, 60);
  g_assert_cmpstr (message, ==,
                   "/etc/relais/kiosk.conf: [gateway] force-relay : demande de passer par un serveur TURN, "
                   "mais [gateway] turn-server est absent : ajoutez-le, ou mettez force-relay=false");
}

static void
test_gateway_default_site_name (void)
{
  g_autoptr(RelaisConfig) config = parse_ok ("[gateway]\njanus-url=https://visio.exemple.fr/janus\nlobby-pin=p\n"
                                             "[agent]\npin-hash=" HASH_4321 "\n");

  g_assert_false (relais_config_is_demo (config));
  g_assert_cmpstr (relais_config_get_site_name (config), ==, "Point d'accueil Relais");
}

/* The presence work: [gateway] lobby-pin; ignored without a gateway. */
static void
test_lobby_pin (void)
{
  g_autoptr(RelaisConfig) gateway = parse_ok ("[gateway]\njanus-url=https://visio.exemple.fr/janus\nlobby-pin=s3cret lobby\n"
                                              "[agent]\npin-hash=" HASH_4321 "\n");
  g_autoptr(RelaisConfig) shared = parse_ok ("[gateway]\njanus-url=https://visio.exemple.fr/janus\n"
                                             "test-only-shared-room=true\n"
                                             "[agent]\npin-hash=" HASH_4321 "\n");
  g_autoptr(RelaisConfig) demo = parse_ok ("[gateway]\nlobby-pin=s3cret\n");

  g_assert_cmpstr (relais_config_get_lobby_pin (gateway), ==, "s3cret lobby");
  g_assert_null (relais_config_get_lobby_pin (shared));
  g_assert_true (relais_config_is_demo (demo));
  g_assert_null (relais_config_get_lobby_pin (demo));
}

/* Issue 12, item 3: without the lobby, every kiosk of a service would call
 * in the directory's room of that service, and two people's calls would
 * mix. A gateway needs the lobby pin (each call then has a private room);
 * the demo needs nothing. */
static void
test_lobby_pin_required (void)
{
  g_autoptr(RelaisConfig) demo = parse_ok ("[kiosk]\nsite-name=Démo\n");

  assert_error_line ("[agent]\npin-hash=" HASH_4321 "\n"
                     "[gateway]\njanus-url=https://visio.exemple.fr/janus\n",
                     "/etc/relais/kiosk.conf: [gateway] lobby-pin : obligatoire quand [gateway] janus-url est défini : "
                     "chaque appel a alors sa propre salle privée (sans lui, les bornes d'un même service se "
                     "retrouveraient dans la même salle d'appel) ; mettez le code des salles d'attente que les "
                     "conseillers tapent dans leur console, absent");
  g_assert_true (relais_config_is_demo (demo));
  g_assert_null (relais_config_get_lobby_pin (demo));
}

/* Issue 12, item 12: the lobby pin and the rooms' secrets go in every
 * request to the gateway, so plain http:// only to this machine. */
static void
test_gateway_plain_http (void)
{
  const char *loopback[] = {
    "http://127.0.0.1:8088/janus", "http://127.8.9.10/janus", "http://[::1]:8088/janus",
    "http://localhost:8088/janus", "HTTP://LocalHost/janus", "https://10.77.0.1:8089/janus",
    "https://visio.exemple.fr/janus",
  };
  const char *remote[] = {
    "http://10.77.0.1:8088/janus", "http://visio.exemple.fr/janus", "HTTP://visio.exemple.fr/janus",
    "http://127.0.0.1.exemple.fr/janus", "http://localhost.exemple.fr/janus",
    "http://[::ffff:127.0.0.1]/janus",
    "http://127.0.0.1@visio.exemple.fr/janus", "http://0.0.0.0:8088/janus",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (loopback); i++)
    {
      g_autofree char *data = g_strdup_printf ("[agent]\npin-hash=" HASH_4321 "\n"
                                               "[gateway]\njanus-url=%s\nlobby-pin=p\n", loopback[i]);
      g_autoptr(RelaisConfig) config = parse_ok (data);

      g_assert_cmpstr (relais_config_get_janus_url (config), ==, loopback[i]);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (remote); i++)
    {
      g_autofree char *data = g_strdup_printf ("[agent]\npin-hash=" HASH_4321 "\n"
                                               "[gateway]\njanus-url=%s\nlobby-pin=p\n", remote[i]);
      g_autofree char *expected = g_strdup_printf ("/etc/relais/kiosk.conf: [gateway] janus-url : "
                                                   "adresse https:// attendue : en http:// les codes des salles de visio "
                                                   "passeraient en clair sur le réseau (http:// n'est admis que vers la "
                                                   "borne elle-même : 127.0.0.1, ::1 ou localhost), « %s » trouvé",
                                                   remote[i]);

      g_test_message ("%s", remote[i]);
      assert_error_line (data, expected);
    }

  {
    /* The test suite's namespaces: a key no deployment sets by accident. */
    g_autoptr(RelaisConfig) config = parse_ok ("[agent]\npin-hash=" HASH_4321 "\n"
                                               "[gateway]\njanus-url=http://10.77.0.1:8088/janus\n"
                                               "lobby-pin=p\ntest-only-plain-http=true\n");

    g_assert_cmpstr (relais_config_get_janus_url (config), ==, "http://10.77.0.1:8088/janus");
  }
}

static void
test_range_limits (void)
{
  g_autoptr(RelaisConfig) low = parse_ok ("[agent]\nidle-lock-seconds=15\nmax-pin-attempts=1\nlockout-seconds=5\n"
                                          "[queue]\nretention-days=1\n");
  g_autoptr(RelaisConfig) high = parse_ok ("[agent]\nidle-lock-seconds=3600\nmax-pin-attempts=10\nlockout-seconds=3600\n"
                                           "[queue]\nretention-days=3650\n");

  g_assert_cmpuint (relais_config_get_idle_lock_seconds (low), ==, 15);
  g_assert_cmpuint (relais_config_get_max_pin_attempts (low), ==, 1);
  g_assert_cmpuint (relais_config_get_lockout_seconds (low), ==, 5);
  g_assert_cmpuint (relais_config_get_retention_days (low), ==, 1);
  g_assert_cmpuint (relais_config_get_idle_lock_seconds (high), ==, 3600);
  g_assert_cmpuint (relais_config_get_max_pin_attempts (high), ==, 10);
  g_assert_cmpuint (relais_config_get_lockout_seconds (high), ==, 3600);
  g_assert_cmpuint (relais_config_get_retention_days (high), ==, 3650);
}

static void
test_error_bad_int (void)
{
  assert_error_line ("[agent]\nidle-lock-seconds=abc\n",
                     "/etc/relais/kiosk.conf: [agent] idle-lock-seconds : nombre entier entre 15 et 3600 attendu, « abc » trouvé");
  assert_error_line ("[agent]\nmax-pin-attempts=-1\n",
                     "/etc/relais/kiosk.conf: [agent] max-pin-attempts : nombre entier entre 1 et 10 attendu, « -1 » trouvé");
  assert_error_line ("[queue]\nretention-days=12.5\n",
                     "/etc/relais/kiosk.conf: [queue] retention-days : nombre entier entre 1 et 3650 attendu, « 12.5 » trouvé");
  assert_error_line ("[queue]\nretention-days=\n",
                     "/etc/relais/kiosk.conf: [queue] retention-days : valeur vide : commentez la ligne pour garder la valeur par défaut");
}

static void
test_error_out_of_range (void)
{
  assert_error_line ("[agent]\nidle-lock-seconds=14\n",
                     "/etc/relais/kiosk.conf: [agent] idle-lock-seconds : nombre entier entre 15 et 3600 attendu, « 14 » trouvé");
  assert_error_line ("[agent]\nmax-pin-attempts=11\n",
                     "/etc/relais/kiosk.conf: [agent] max-pin-attempts : nombre entier entre 1 et 10 attendu, « 11 » trouvé");
  assert_error_line ("[agent]\nlockout-seconds=4\n",
                     "/etc/relais/kiosk.conf: [agent] lockout-seconds : nombre entier entre 5 et 3600 attendu, « 4 » trouvé");
  assert_error_line ("[queue]\nretention-days=3651\n",
                     "/etc/relais/kiosk.conf: [queue] retention-days : nombre entier entre 1 et 3650 attendu, « 3651 » trouvé");
  assert_error_line ("[queue]\nretention-days=99999999999999999999999\n",
                     "/etc/relais/kiosk.conf: [queue] retention-days : nombre entier entre 1 et 3650 attendu, « 99999999999999999999999 » trouvé");
}

static void
test_error_bad_enum (void)
{
  assert_error_line ("[kiosk]\nlanguage=de\n",
                     "/etc/relais/kiosk.conf: [kiosk] language : « fr » ou « en » attendu, « de » trouvé");
  assert_error_line ("[kiosk]\nlanguage=FR\n",
                     "/etc/relais/kiosk.conf: [kiosk] language : « fr » ou « en » attendu, « FR » trouvé");
}

/* GLib 2.74 sets its GError over the top of the first one for a value
 * with an unknown escape and a backslash at its end (a warning, fatal in
 * the tests): the fuzzer found it. Such a value is refused by name. */
static void
test_error_bad_escape (void)
{
  g_autoptr(RelaisConfig) config = NULL;

  assert_error_line ("[kiosk]\nlanguage=\\q\\\n",
                     "/etc/relais/kiosk.conf: [kiosk] language : séquence « \\q » invalide "
                     "(seules \\s, \\n, \\t, \\r et \\\\ sont permises)");
  assert_error_line ("[kiosk]\nsite-name=Mairie\\\n",
                     "/etc/relais/kiosk.conf: [kiosk] site-name : séquence « \\ » invalide "
                     "(seules \\s, \\n, \\t, \\r et \\\\ sont permises)");
  config = parse_ok ("[kiosk]\nsite-name=Point\\sde\\\\test\n");
  g_assert_cmpstr (relais_config_get_site_name (config), ==, "Point de\\test");
}

static void
test_error_empty_value (void)
{
  assert_error_line ("[kiosk]\nsite-name=\n",
                     "/etc/relais/kiosk.conf: [kiosk] site-name : valeur vide : commentez la ligne pour garder la valeur par défaut");
}

static void
test_error_store_path (void)
{
  assert_error_line ("[kiosk]\nstore-path=relais.db\n",
                     "/etc/relais/kiosk.conf: [kiosk] store-path : chemin absolu attendu, « relais.db » trouvé");
}

static void
test_error_unknown_key (void)
{
  assert_error_line ("[agent]\nidle-lock-second=120\n",
                     "/etc/relais/kiosk.conf: [agent] idle-lock-second : clé inconnue dans ce groupe");
  /* A key valid in another group is still wrong here. */
  assert_error_line ("[kiosk]\nretention-days=10\n",
                     "/etc/relais/kiosk.conf: [kiosk] retention-days : clé inconnue dans ce groupe");
  /* Localised keys are not supported: better said than ignored. */
  assert_error_line ("[kiosk]\nsite-name[en]=Relais point\n",
                     "/etc/relais/kiosk.conf: [kiosk] site-name[en] : clé inconnue dans ce groupe");
}

static void
test_error_unknown_group (void)
{
  assert_error_line ("[Kiosk]\nsite-name=Relais\n",
                     "/etc/relais/kiosk.conf: [Kiosk] : groupe inconnu (attendu : [kiosk], [agent], [queue], [directory], [gateway], [media], [printer], [figures], [scanner])");
}

static void
test_error_missing_pin_hash (void)
{
  assert_error_line ("[gateway]\njanus-url=https://visio.exemple.fr/janus\nlobby-pin=p\n",
                     "/etc/relais/kiosk.conf: [agent] pin-hash : obligatoire quand [gateway] janus-url est défini "
                     "(créez-le avec « relais-kiosk --hash-pin »), absent");
}

static void
test_error_bad_pin_hash (void)
{
  const char *bad[] = {
    "1234",
    "$argon2i$v=19$m=65536,t=2,p=1$XzlazTfMw2HdfySafGlM1w$WKneHopDGKnRH2nhVFIKrGb4uz0DYoB+3H/iAUzYUcQ",
    "$argon2id$garbage",
    "$argon2id$v=19$m=65536,t=2,p=1$",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *data = g_strdup_printf ("[agent]\npin-hash=%s\n", bad[i]);
      g_autofree char *message = parse_error (data);

      g_assert_true (g_str_has_prefix (message,
                                       "/etc/relais/kiosk.conf: [agent] pin-hash : hachage Argon2id attendu"));
      g_assert_nonnull (strstr (message, "relais-kiosk --hash-pin"));
      /* It may be the PIN in clear: never repeated. */
      g_assert_null (strstr (message, bad[i]));
      /* One error only: not also "missing". */
      g_assert_null (strchr (message, '\n'));
    }

  {
    /* A bad hash with a gateway is reported once, as bad, not as missing. */
    g_autofree char *message = parse_error ("[agent]\npin-hash=1234\n"
                                            "[gateway]\njanus-url=https://visio.exemple.fr/\nlobby-pin=p\n");

    g_assert_null (strchr (message, '\n'));
    g_assert_null (strstr (message, "obligatoire"));
  }

  {
    /* A pasted blob is cut short in the message. */
    g_autofree char *long_value = g_strnfill (500, 'x');
    g_autofree char *data = g_strdup_printf ("[kiosk]\nlanguage=%s\n", long_value);
    g_autofree char *message = parse_error (data);

    g_assert_nonnull (strstr (message, "…"));
    g_assert_cmpuint (strlen (message), <, 400);
  }
}

static void
test_error_bad_url (void)
{
  const char *bad[] = { "ftp://visio.exemple.fr/janus", "visio.exemple.fr/janus", "https://", "http//x" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *data = g_strdup_printf ("[agent]\npin-hash=" HASH_4321 "\n"
                                               "[gateway]\njanus-url=%s\n", bad[i]);
      g_autofree char *expected = g_strdup_printf ("/etc/relais/kiosk.conf: [gateway] janus-url : "
                                                   "adresse http:// ou https:// attendue, « %s » trouvé",
                                                   bad[i]);

      assert_error_line (data, expected);
    }
}

/* [figures]: the upload is https only, and its token is never repeated in
 * an error. */
static void
test_figures_group (void)
{
  const char *bad[] = { "http://chiffres.exemple.fr/relais", "ftp://chiffres.exemple.fr/", "chiffres.exemple.fr", "https://" };
  g_autoptr(RelaisConfig) config = parse_ok ("[figures]\n"
                                             "upload-url=https://chiffres.exemple.fr/relais/sessions\n"
                                             "upload-token=s3cret\n");
  g_autoptr(RelaisConfig) none = parse_ok ("[kiosk]\nsite-name=Mairie\n");

  g_assert_cmpstr (relais_config_get_upload_url (config), ==, "https://chiffres.exemple.fr/relais/sessions");
  g_assert_cmpstr (relais_config_get_upload_token (config), ==, "s3cret");
  g_assert_null (relais_config_get_upload_url (none));
  g_assert_null (relais_config_get_upload_token (none));

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *data = g_strdup_printf ("[figures]\nupload-url=%s\n", bad[i]);
      g_autofree char *expected = g_strdup_printf ("/etc/relais/kiosk.conf: [figures] upload-url : "
                                                   "adresse https:// attendue (sans identifiant dans l'adresse : utilisez upload-token), « %s » trouvé",
                                                   bad[i]);

      assert_error_line (data, expected);
    }

  /* Credentials in the URL would be logged with it: refused, not quoted. */
  {
    g_autofree char *message = parse_error ("[figures]\nupload-url=https://agent:s3cret@chiffres.exemple.fr/\n");

    g_assert_nonnull (strstr (message, "[figures] upload-url"));
    g_assert_null (strstr (message, "s3cret"));
  }
  {
    g_autofree char *message = parse_error ("[figures]\nupload-token=\n");

    g_assert_nonnull (strstr (message, "[figures] upload-token"));
  }
}

static void
test_error_missing_ca_file (void)
{
  assert_error_line ("[gateway]\nca-file=/nonexistent/relais/ca.pem\n",
                     "/etc/relais/kiosk.conf: [gateway] ca-file : fichier lisible attendu, "
                     "« /nonexistent/relais/ca.pem » introuvable ou illisible");
  /* A directory is not a file. */
  assert_error_line ("[gateway]\nca-file=/\n",
                     "/etc/relais/kiosk.conf: [gateway] ca-file : fichier lisible attendu, "
                     "« / » introuvable ou illisible");
}

static void
test_error_missing_directory_file (void)
{
  /* Relative to the configuration's own directory, and named in full so
   * that IT staff see where it was looked for. */
  assert_error_line ("[directory]\nfile=annuaire.json\n",
                     "/etc/relais/kiosk.conf: [directory] file : fichier lisible attendu, "
                     "« /etc/relais/annuaire.json » introuvable ou illisible");
}

static void
test_error_syntax (void)
{
  assert_error_line ("[kiosk]\nlanguage=fr\nceci n'est pas une clé\n",
                     "/etc/relais/kiosk.conf:3: ligne invalide : « clé=valeur », « [groupe] » ou « # commentaire » "
                     "attendu, « ceci n'est pas une clé » trouvé");
  assert_error_line ("# début\n[kiosk\nlanguage=fr\n",
                     "/etc/relais/kiosk.conf:2: en-tête de groupe invalide : « [groupe] » attendu, « [kiosk » trouvé");
  assert_error_line ("language=fr\n[kiosk]\n",
                     "/etc/relais/kiosk.conf:1: clé hors de tout groupe : le fichier doit commencer par un groupe, "
                     "par exemple « [kiosk] »");
  assert_error_line ("[kiosk]\nlanguage=fr\n\n[agent]\n[kiosk]\nlanguage = en\n",
                     "/etc/relais/kiosk.conf:6: [kiosk] language : clé déjà définie ligne 2");
  /* GKeyFile takes spaces in key names; the schema does not. */
  assert_error_line ("[kiosk]\nsite name=Relais\n",
                     "/etc/relais/kiosk.conf: [kiosk] site name : clé inconnue dans ce groupe");
  assert_error_line ("[kiosk]\nsite-name=Caf\xe9\n",
                     "/etc/relais/kiosk.conf:2: ligne invalide : texte UTF-8 attendu");

  {
    /* What our line check lets through, GKeyFile still refuses. */
    g_autofree char *message = parse_error ("[kiosk]x]\nlanguage=fr\n");

    g_assert_true (g_str_has_prefix (message, "/etc/relais/kiosk.conf: erreur de syntaxe : "));
  }
}

static void
test_bom (void)
{
  /* Notepad's byte order mark, with its CRLF line ends. */
  g_autoptr(RelaisConfig) config =
    parse_ok ("\xEF\xBB\xBF[kiosk]\r\nsite-name=Mairie de Pontivy\r\nlanguage=en\r\n");

  g_assert_cmpstr (relais_config_get_site_name (config), ==, "Mairie de Pontivy");
  g_assert_cmpstr (relais_config_get_language (config), ==, "en");

  /* Errors still point at the right line, the BOM's included. */
  assert_error_line ("\xEF\xBB\xBF[kiosk]\nlanguage=fr\nceci n'est pas une clé\n",
                     "/etc/relais/kiosk.conf:3: ligne invalide : « clé=valeur », « [groupe] » ou « # commentaire » "
                     "attendu, « ceci n'est pas une clé » trouvé");
  assert_error_line ("\xEF\xBB\xBFlanguage=fr\n[kiosk]\n",
                     "/etc/relais/kiosk.conf:1: clé hors de tout groupe : le fichier doit commencer par un groupe, "
                     "par exemple « [kiosk] »");

  /* Only one is a byte order mark; a second one is text in a group
   * header that does not exist. */
  {
    g_autofree char *message = parse_error ("\xEF\xBB\xBF\xEF\xBB\xBF[kiosk]\nlanguage=fr\n");

    g_assert_true (g_str_has_prefix (message, "/etc/relais/kiosk.conf:1: "));
  }
}

static void
test_several_errors (void)
{
  g_autofree char *message = parse_error ("[kiosk]\n"
                                          "language=de\n"
                                          "colour=blue\n"
                                          "[agent]\n"
                                          "idle-lock-seconds=abc\n"
                                          "max-pin-attempts=0\n"
                                          "[gateway]\n"
                                          "janus-url=ftp://x\n"
                                          "[imprimante]\n"
                                          "name=cups\n");
  g_auto(GStrv) lines = g_strsplit (message, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [kiosk] language : « fr » ou « en » attendu, « de » trouvé"));
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [kiosk] colour : clé inconnue dans ce groupe"));
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [agent] idle-lock-seconds : nombre entier entre 15 et 3600 attendu, « abc » trouvé"));
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [agent] max-pin-attempts : nombre entier entre 1 et 10 attendu, « 0 » trouvé"));
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [gateway] janus-url : adresse http:// ou https:// attendue, « ftp://x » trouvé"));
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [imprimante] : groupe inconnu (attendu : [kiosk], [agent], [queue], [directory], [gateway], [media], [printer], [figures], [scanner])"));

  {
    g_autofree char *syntax = parse_error ("[kiosk]\noops\n[agent]\nalso wrong\n");
    g_auto(GStrv) syntax_lines = g_strsplit (syntax, "\n", -1);

    g_assert_cmpuint (g_strv_length (syntax_lines), ==, 2);
    g_assert_true (g_str_has_prefix (syntax_lines[0], "/etc/relais/kiosk.conf:2: "));
    g_assert_true (g_str_has_prefix (syntax_lines[1], "/etc/relais/kiosk.conf:4: "));
  }
}

static void
test_relative_directory_file (void)
{
  g_autofree char *directory = write_file ("site/annuaires/local.json", "{}");
  g_autofree char *conf = write_file ("site/kiosk.conf", "[directory]\nfile=annuaires/local.json\n");
  g_autofree char *ca = write_file ("site/certs/ca.pem", "pem");
  g_autofree char *conf2 = write_file ("site/other.conf", "[gateway]\nca-file=./certs/../certs/ca.pem\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(RelaisConfig) config2 = NULL;

  config = relais_config_new_from_file (conf, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relais_config_get_source (config), ==, conf);
  g_assert_cmpstr (relais_config_get_directory_file (config), ==, directory);

  config2 = relais_config_new_from_file (conf2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relais_config_get_ca_file (config2), ==, ca);
}

static void
test_relative_config_path (void)
{
  g_autofree char *directory = write_file ("rel/annuaire.json", "{}");
  g_autofree char *conf = write_file ("rel/kiosk.conf", "[directory]\nfile=annuaire.json\n");
  g_autofree char *old_cwd = g_get_current_dir ();
  g_autofree char *dir = g_path_get_dirname (conf);
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = NULL;

  /* --config kiosk.conf from the shell: the name is relative to the
   * working directory, and the file's own paths to the file. */
  g_assert_no_errno (g_chdir (dir));
  config = relais_config_new_from_file ("kiosk.conf", &error);
  g_assert_no_errno (g_chdir (old_cwd));

  g_assert_no_error (error);
  g_assert_cmpstr (relais_config_get_source (config), ==, conf);
  g_assert_cmpstr (relais_config_get_directory_file (config), ==, directory);
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = NULL;

  config = relais_config_new_from_file ("/nonexistent/relais/kiosk.conf", &error);
  g_assert_null (config);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG);
  g_assert_true (g_str_has_prefix (error->message,
                                   "/nonexistent/relais/kiosk.conf: impossible de lire le fichier de configuration : "));
}

static void
test_find_file (void)
{
  g_autofree char *explicit_path = NULL;
  g_autofree char *found = NULL;
  g_autofree char *user_file = g_build_filename (g_get_user_config_dir (), "relais", "kiosk.conf", NULL);

  /* --config wins, even over a file that exists, and even when it does
   * not exist itself: the error must then name it. */
  explicit_path = relais_config_find_file ("/nonexistent/kiosk.conf");
  g_assert_cmpstr (explicit_path, ==, "/nonexistent/kiosk.conf");

  /* No user file: the system file if this machine has one, else demo. */
  found = relais_config_find_file (NULL);
  if (g_file_test (RELAIS_CONFIG_SYSTEM_FILE, G_FILE_TEST_EXISTS))
    g_assert_cmpstr (found, ==, RELAIS_CONFIG_SYSTEM_FILE);
  else
    g_assert_null (found);
  g_clear_pointer (&found, g_free);

  /* The per-user file, under the isolated XDG_CONFIG_HOME, comes next. */
  {
    g_autofree char *parent = g_path_get_dirname (user_file);
    g_autoptr(GError) error = NULL;

    g_assert_no_errno (g_mkdir_with_parents (parent, 0700));
    g_file_set_contents (user_file, "[kiosk]\n", -1, &error);
    g_assert_no_error (error);
  }
  found = relais_config_find_file (NULL);
  g_assert_cmpstr (found, ==, user_file);
  g_clear_pointer (&found, g_free);

  found = relais_config_find_file ("/srv/kiosk.conf");
  g_assert_cmpstr (found, ==, "/srv/kiosk.conf");

  g_assert_no_errno (g_remove (user_file));
}

static void
test_printer_keys (void)
{
  g_autoptr(RelaisConfig) defaults = relais_config_new_default ();
  g_autoptr(RelaisConfig) config = NULL;

  g_assert_null (relais_config_get_printer_name (defaults));
  g_assert_cmpuint (relais_config_get_printer_copies (defaults), ==, 1);
  g_assert_false (relais_config_get_printer_duplex (defaults));
  g_assert_cmpuint (relais_config_get_printer_max_pages (defaults), ==, 20);

  config = parse_ok ("[printer]\nname=Brother_HL-L2350DW\ncopies=2\nduplex=true\nmax-pages=8\n");
  g_assert_cmpstr (relais_config_get_printer_name (config), ==, "Brother_HL-L2350DW");
  g_assert_cmpuint (relais_config_get_printer_copies (config), ==, 2);
  g_assert_true (relais_config_get_printer_duplex (config));
  g_assert_cmpuint (relais_config_get_printer_max_pages (config), ==, 8);

  assert_error_line ("[printer]\nname=Imprimante du hall\n",
                     "/etc/relais/kiosk.conf: [printer] name : nom d'une file d'impression CUPS "
                     "(colonne 2 de « lpstat -p ») attendu, « Imprimante du hall » trouvé");
  assert_error_line ("[printer]\nname=ipp://10.0.0.5/printers/x\n",
                     "/etc/relais/kiosk.conf: [printer] name : nom d'une file d'impression CUPS "
                     "(colonne 2 de « lpstat -p ») attendu, « ipp://10.0.0.5/printers/x » trouvé");
  assert_error_line ("[printer]\ncopies=6\n",
                     "/etc/relais/kiosk.conf: [printer] copies : nombre entier entre 1 et 5 attendu, « 6 » trouvé");
  assert_error_line ("[printer]\nduplex=oui\n",
                     "/etc/relais/kiosk.conf: [printer] duplex : « true » ou « false » attendu, « oui » trouvé");
  assert_error_line ("[printer]\nmax-pages=0\n",
                     "/etc/relais/kiosk.conf: [printer] max-pages : nombre entier entre 1 et 200 attendu, « 0 » trouvé");
}

static void
test_example_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = NULL;
  const char *path = g_test_get_filename (G_TEST_DIST, "..", "packaging", "kiosk.conf.example", NULL);

  /* The shipped example, all commented out, is the demo. */
  config = relais_config_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (relais_config_is_demo (config));
}

static void
test_example_file_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) uncommented = g_string_new (NULL);
  g_autoptr(RelaisConfig) config = NULL;
  const char *path = g_test_get_filename (G_TEST_DIST, "..", "packaging", "kiosk.conf.example", NULL);
  g_auto(GStrv) errors = NULL;

  /* Uncommenting every "#key=value" line must only give errors for the
   * placeholders that stand for site-specific files and secrets, never
   * "unknown key": the example documents the real schema. */
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (line[0] == '#' && g_ascii_islower (line[1]) && strchr (line, '=') != NULL && strchr (line, ' ') == NULL)
        line++;
      else if (line[0] == '#' && g_str_has_prefix (line, "#site-name="))
        line++;
      g_string_append_printf (uncommented, "%s\n", line);
    }

  config = relais_config_new_from_data (uncommented->str, "/etc/relais/kiosk.conf", &error);
  g_assert_null (config);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG);
  g_test_message ("%s", error->message);
  g_assert_null (strstr (error->message, "inconnu"));
  errors = g_strsplit (error->message, "\n", -1);
  for (guint i = 0; errors[i] != NULL; i++)
    g_assert_true (strstr (errors[i], "[agent] pin-hash") != NULL ||
                   strstr (errors[i], "[directory] file") != NULL ||
                   strstr (errors[i], "[gateway] ca-file") != NULL);
  g_assert_cmpuint (g_strv_length (errors), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_root = g_dir_make_tmp ("relais-test-config-XXXXXX", NULL);
  g_assert_nonnull (test_root);
  for (const char * const *name = (const char * const[]) { "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", NULL };
       *name != NULL; name++)
    {
      g_autofree char *dir = g_build_filename (test_root, *name, NULL);

      g_setenv (*name, dir, TRUE);
    }

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/demo-pin-hash", test_demo_pin_hash);
  g_test_add_func ("/config/empty-file-is-demo", test_empty_file_is_demo);
  g_test_add_func ("/config/demo-with-own-pin", test_demo_with_own_pin);
  g_test_add_func ("/config/all-keys", test_all_keys);
  g_test_add_func ("/config/gateway-default-site-name", test_gateway_default_site_name);
  g_test_add_func ("/config/lobby-pin", test_lobby_pin);
  g_test_add_func ("/config/gateway-plain-http", test_gateway_plain_http);
  g_test_add_func ("/config/lobby-pin-required", test_lobby_pin_required);
  g_test_add_func ("/config/range-limits", test_range_limits);
  g_test_add_func ("/config/media-keys", test_media_keys);
  g_test_add_func ("/config/error/media", test_error_media);
  g_test_add_func ("/config/error/ice-servers", test_error_ice_servers);
  g_test_add_func ("/config/turn-servers", test_turn_servers);
  g_test_add_func ("/config/error/bad-int", test_error_bad_int);
  g_test_add_func ("/config/error/out-of-range", test_error_out_of_range);
  g_test_add_func ("/config/error/bad-enum", test_error_bad_enum);
  g_test_add_func ("/config/error/empty-value", test_error_empty_value);
  g_test_add_func ("/config/error/bad-escape", test_error_bad_escape);
  g_test_add_func ("/config/error/store-path", test_error_store_path);
  g_test_add_func ("/config/error/unknown-key", test_error_unknown_key);
  g_test_add_func ("/config/error/unknown-group", test_error_unknown_group);
  g_test_add_func ("/config/error/missing-pin-hash", test_error_missing_pin_hash);
  g_test_add_func ("/config/error/bad-pin-hash", test_error_bad_pin_hash);
  g_test_add_func ("/config/error/bad-url", test_error_bad_url);
  g_test_add_func ("/config/error/missing-ca-file", test_error_missing_ca_file);
  g_test_add_func ("/config/error/missing-directory-file", test_error_missing_directory_file);
  g_test_add_func ("/config/error/syntax", test_error_syntax);
  g_test_add_func ("/config/error/several", test_several_errors);
  g_test_add_func ("/config/bom", test_bom);
  g_test_add_func ("/config/relative-directory-file", test_relative_directory_file);
  g_test_add_func ("/config/relative-config-path", test_relative_config_path);
  g_test_add_func ("/config/missing-file", test_missing_file);
  g_test_add_func ("/config/find-file", test_find_file);
  g_test_add_func ("/config/printer-keys", test_printer_keys);
  g_test_add_func ("/config/figures-group", test_figures_group);
  g_test_add_func ("/config/example-file", test_example_file);
  g_test_add_func ("/config/example-file-keys", test_example_file_keys);

  status = g_test_run ();

  nftw (test_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  g_free (test_root);

  return status;
}
