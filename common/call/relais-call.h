/* relais-call.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "relais-config.h"

#include "relais-call-enums.h"

G_BEGIN_DECLS

typedef enum
{
  RELAIS_CALL_IDLE,          /* built, media not started */
  RELAIS_CALL_PREVIEW,       /* camera and microphone running, no peer */
  RELAIS_CALL_CONNECTING,    /* negotiating / ICE in progress */
  RELAIS_CALL_CONNECTED,     /* media flowing */
  RELAIS_CALL_RECONNECTING,  /* ICE lost, trying again */
  RELAIS_CALL_ENDED,         /* hung up normally */
  RELAIS_CALL_FAILED,        /* see relais_call_get_failure() */
} RelaisCallState;

/* How much of the picture the link carries (relais-call-rate.h): the
 * send rate controller steps down as the far end reports loss or a
 * growing round trip, and back up when the link recovers. */
typedef enum
{
  RELAIS_CALL_LINK_FULL,        /* the configured picture */
  RELAIS_CALL_LINK_REDUCED,     /* half the size, 15 fps at most */
  RELAIS_CALL_LINK_LOW,         /* half the size, 8 fps at most, low bitrate */
  RELAIS_CALL_LINK_AUDIO_ONLY,  /* no picture sent: the sound goes on */
} RelaisCallLinkStep;

/* What the call is built with; every field has a default
 * (relais_call_options_init). Comes from RelaisConfig's [media] group. */
typedef struct
{
  char     *video_device;     /* NULL/"auto": first camera, else test pattern; "test": test pattern; else a v4l2 path */
  char     *audio_device;     /* NULL/"auto": default microphone, else a test tone; "test": tone */
  guint     width;            /* 640 */
  guint     height;           /* 480 */
  guint     framerate;        /* 30 */
  guint     video_kbps;       /* 600: starting target, lowered by REMB/loss */
  gboolean  prefer_h264;      /* FALSE: VP8 */
  guint     jitter_latency_ms;/* 40 */
  char     *stun_server;      /* "stun://host:port" or NULL */
  char     *turn_server;      /* "turn(s)://user:pass@host:port[?transport=tcp]", several ';'-separated, or NULL */
  gboolean  force_relay;      /* FALSE: media through a TURN server only */
} RelaisCallOptions;

void relais_call_options_init  (RelaisCallOptions *options);
/* relais_call_options_init(), then what @config's [media] group and
 * [gateway] stun-server/turn-server set; keys it leaves out keep the
 * defaults above. In demo mode (no janus-url) video-codec=h264 gives VP8:
 * the embedded demo advisor speaks VP8 only. */
void relais_call_options_init_from_config (RelaisCallOptions *options,
                                           RelaisConfig      *config);
void relais_call_options_clear (RelaisCallOptions *options);

/* Per-second statistics sampled from webrtcbin. */
typedef struct
{
  double kbps_in;
  double kbps_out;
  double fps_in;
  double fps_out;
  double rtt_ms;
  gint64 packets_lost;      /* of what we receive, over the call so far */
  guint64 packets_received; /* the same */
  double jitter_ms;
  guint64 frames_sent;
  guint64 frames_received;
  /* What the far end (the gateway, or the demo advisor) says it got of
   * what we send, from its RTCP receiver reports: packets delivered
   * (its extended highest sequence number since our first one, minus the
   * packets it counts lost), lost, per kind, over the call so far. 0
   * until a report comes: no report means nothing was received. */
  guint64 far_audio_packets;
  guint64 far_video_packets;
  gint64  far_audio_lost;
  gint64  far_video_lost;
  guint64 audio_packets_sent;
  guint64 video_packets_sent;
  /* The send rate controller: the loss the far end reported in the last
   * second (0..1), the rate it aims at (kbit/s on the wire) and its step. */
  double  far_loss;
  double  send_target_kbps;
  RelaisCallLinkStep link_step;
} RelaisCallStats;

/* The far end received the person's sound and picture: at least
 * RELAIS_CALL_MIN_AUDIO_PACKETS audio packets (one second of 20 ms Opus
 * frames) with no more than RELAIS_CALL_MAX_LOSS of them lost, and
 * RELAIS_CALL_MIN_VIDEO_PACKETS video packets (a keyframe and a second of
 * pictures at the lowest step), whatever the picture's early losses. What
 * the kiosk sent does not count: only what the far end says it got. */
#define RELAIS_CALL_MIN_AUDIO_PACKETS 50
#define RELAIS_CALL_MIN_VIDEO_PACKETS 20
#define RELAIS_CALL_MAX_LOSS          0.5
gboolean         relais_call_stats_media_delivered (const RelaisCallStats *stats);

#define RELAIS_TYPE_CALL (relais_call_get_type ())
G_DECLARE_FINAL_TYPE (RelaisCall, relais_call, RELAIS, CALL, GObject)

/* One call: one GstPipeline holding the camera and microphone, and one
 * webrtcbin per peer connection (a Janus VideoRoom publishes on one and
 * subscribes on another; the embedded demo advisor uses one sendrecv).
 * Signalling is not ours: the owner moves SDP and candidates. Every
 * signal is emitted on the main context the call was created in. Missing
 * GStreamer plugins fail construction with RELAIS_ERROR_MISSING_PLUGIN. */
RelaisCall      *relais_call_new                 (const RelaisCallOptions *options,
                                                  GError                 **error);
RelaisCallState  relais_call_get_state           (RelaisCall   *self);
/* A sentence a person can read, set in FAILED (and RECONNECTING). */
const char      *relais_call_get_failure         (RelaisCall   *self);
/* TRUE when the camera or microphone fell back to a test source. */
gboolean         relais_call_is_video_simulated  (RelaisCall   *self);
gboolean         relais_call_is_audio_simulated  (RelaisCall   *self);

/* Starts camera and microphone (state PREVIEW) so the pre-call check can
 * show them and the first webrtcbin's DTLS certificate is made before the
 * person presses "join". */
gboolean         relais_call_start_preview       (RelaisCall   *self,
                                                  GError      **error);

/* "first-remote-frame" (gint64 monotonic µs): the first remote video
 * frame has been decoded (it reaches the remote appsink, or would when
 * the pictures are not shown: relais_call_set_video_output (FALSE)). Once
 * per call, on the call's main context, with the time it was decoded;
 * emitted before the state goes CONNECTED. Nobody else probes the
 * pipeline for it. */

/* Appsinks (BGRA frames) the UI wraps in a GdkPaintable; owned by the call. */
GstElement      *relais_call_get_local_video_sink  (RelaisCall *self);
GstElement      *relais_call_get_remote_video_sink (RelaisCall *self);
/* FALSE: nobody shows the pictures (a call without a window, e.g. the
 * headless test call): the appsinks above get no frames and the BGRA
 * conversion is skipped; frames are still counted in the statistics.
 * TRUE by default. */
void             relais_call_set_video_output    (RelaisCall   *self,
                                                  gboolean      enabled);
/* The step the send rate controller is at ("notify::link-step"). In
 * RELAIS_CALL_LINK_AUDIO_ONLY the picture is not sent: say so on the
 * screen with relais_call_link_step_describe(). */
RelaisCallLinkStep relais_call_get_link_step     (RelaisCall   *self);
/* A plain sentence for the person (French, through gettext) when @step
 * is worth telling; NULL otherwise. */
const char      *relais_call_link_step_describe  (RelaisCallLinkStep step);
/* The microphone's level (dB, -100..0), "notify::mic-level" about 10×/s. */
double           relais_call_get_mic_level       (RelaisCall   *self);

void             relais_call_set_muted           (RelaisCall   *self,
                                                  gboolean      muted);
void             relais_call_set_camera_off      (RelaisCall   *self,
                                                  gboolean      off);

/* Peers: "send" (publisher), "recv" (subscriber) or "sendrecv". Returns a
 * peer id ≥ 1. Then:
 *  - as offerer: relais_call_create_offer (id) → "local-description"
 *    (id, "offer", sdp); later set_remote_description (id, "answer", sdp);
 *  - as answerer: set_remote_description (id, "offer", sdp) →
 *    "local-description" (id, "answer", sdp).
 * ICE: "local-candidate" (id, mline, candidate) — candidate NULL means
 * gathering is complete; add_remote_candidate for the other side's. */
/* Restricts the ICE host candidates of peers added afterwards to these
 * addresses (NULL: every interface, the default). libnice never gathers on
 * loopback by itself; the embedded demo advisor passes "127.0.0.1" so the
 * demo works with the network down. Added for the demo advisor. */
void             relais_call_set_local_addresses (RelaisCall         *self,
                                                  const char * const *addresses);

guint            relais_call_add_peer            (RelaisCall   *self,
                                                  const char   *direction,
                                                  GError      **error);
void             relais_call_create_offer        (RelaisCall   *self,
                                                  guint         peer);
gboolean         relais_call_set_remote_description (RelaisCall *self,
                                                     guint       peer,
                                                     const char *type,
                                                     const char *sdp,
                                                     GError    **error);
void             relais_call_add_remote_candidate (RelaisCall  *self,
                                                   guint        peer,
                                                   guint        mline_index,
                                                   const char  *candidate);

/* Chat and control: a reliable ordered data channel on the sending peer
 * ("JanusDataChannel" label). Messages ≤ 64 KiB; queued and paced on
 * buffered-amount. "message-received" (text) on the main context. */
gboolean         relais_call_send_message        (RelaisCall   *self,
                                                  const char   *text,
                                                  GError      **error);

/* Binary messages (document chunks, see relais-transfer.h) go through the
 * same queue as the text ones, in order: ≤ 64 KiB each. "data-received"
 * (GBytes) on the main context for the other side's. "send-queue-low" when
 * the queue (relais_call_get_send_queue_bytes) has room again: bulk
 * senders top it up from there instead of filling it at once. */
gboolean         relais_call_send_data           (RelaisCall   *self,
                                                  GBytes       *data,
                                                  GError      **error);
gsize            relais_call_get_send_queue_bytes (RelaisCall  *self);

void             relais_call_get_stats           (RelaisCall      *self,
                                                  RelaisCallStats *stats);
/* Stops everything; state ENDED. Idempotent. */
void             relais_call_hang_up             (RelaisCall   *self);

G_END_DECLS
