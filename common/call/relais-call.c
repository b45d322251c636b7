/* relais-call.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-call"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

/* The WebRTC library of gst-plugins-bad still calls itself unstable. */
#define GST_USE_UNSTABLE_API
#include <gst/app/gstappsink.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

#include "relais-call.h"
#include "relais-error.h"
#include "relais-ice.h"
#include "relais-main-hop.h"

/* Janus has no max-message-size in its SDP and webrtcbin's offer has none
 * either: larger messages fail (DESIGN.md), and Janus 1.1.2 silently drops
 * one of exactly 64 KiB (found by the documents work). */
#define MAX_MESSAGE_SIZE        (64 * 1024 - 1)
/* Janus buffers without limit, so we pace ourselves on the channel's own
 * buffer: send while below HIGH, resume on "on-buffered-amount-low". */
#define CHANNEL_HIGH_WATER      (1024 * 1024)
#define CHANNEL_LOW_WATER       (256 * 1024)
#define MAX_QUEUED_BYTES        (8 * 1024 * 1024)
/* "send-queue-low" fires when what waits in our own queue drops below this. */
#define SEND_QUEUE_LOW_WATER    (256 * 1024)
#define CHANNEL_LABEL           "JanusDataChannel"
#define STATS_INTERVAL_MS       1000
/* How long a sending peer may go without a single buffer from the camera
 * or the microphone reaching webrtcbin before the call is declared dead. */
#define MEDIA_WAIT_MAX_MS       10000
#define MIN_VIDEO_BITRATE       30000    /* bit/s: below that VP8 is a slideshow */
#define VIDEO_PAYLOAD_TYPE      96
#define AUDIO_PAYLOAD_TYPE      97
#define H264_PAYLOAD_TYPE       102
/* A keyframe at least every two seconds (at 30 fps): what a late joiner
 * or a lost keyframe waits at most. */
#define KEYFRAME_MAX_DISTANCE   60
/* What we send, fixed. The capsfilter behind each payloader holds it, and
 * so do the transceivers' codec preferences: webrtcbin then builds offers
 * and answers from these caps, not from whatever has flowed so far.
 * rtcp-fb-* become a=rtcp-fb lines: the far end may ask for keyframes
 * (PLI/FIR: rtpsession turns them into a force-key-unit event that vp8enc
 * honours) and send REMB. */
#define VIDEO_RTP_CAPS \
  "application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96," \
  "rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true,rtcp-fb-goog-remb=(boolean)true"
/* H.264 as browsers and Janus speak it: constrained baseline, one NAL unit
 * or fragment per packet (packetization-mode 1; mode 0 cannot carry a
 * frame larger than a packet). The profile-level-id is added per call
 * (h264_level); what we receive, we take at any level. */
#define H264_RTP_CAPS \
  "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=102," \
  "packetization-mode=(string)1,level-asymmetry-allowed=(string)1," \
  "rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true,rtcp-fb-goog-remb=(boolean)true"
#define AUDIO_RTP_CAPS \
  "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=97," \
  "encoding-params=(string)2"

typedef enum
{
  PEER_SEND,
  PEER_RECV,
  PEER_SENDRECV,
} PeerDirection;

typedef struct _Peer Peer;

struct _Peer
{
  RelaisCall                  *self;           /* not owned: the call owns its peers */
  guint                        id;
  PeerDirection                direction;
  GstElement                  *webrtc;         /* a reference; the pipeline holds another */
  GstElement                  *video_encoder;  /* a reference, NULL when not sending */
  GstWebRTCDataChannel        *channel;        /* where our messages go, NULL until made or offered */
  GPtrArray                   *channels;       /* every channel we listen to */
  GstWebRTCICEConnectionState  ice_state;
  GSource                     *ready_source;   /* offer/answer, once the pipeline plays */
  GSource                     *media_check_source; /* fails the call if nothing is sent */
  char                        *pending_offer;  /* remote offer waiting for our caps */
  gboolean                     negotiating;
  guint64                      bytes_in;
  guint64                      bytes_out;
};

struct _RelaisCall
{
  GObject            parent_instance;

  GMainContext      *context;
  RelaisCallOptions  options;

  GstElement        *pipeline;
  guint              bus_watch_id;
  GstElement        *video_tee;
  GstElement        *audio_tee;
  GstElement        *volume;
  GstElement        *local_sink;
  GstElement        *remote_select;   /* input-selector: the newest remote video is shown */
  GstElement        *remote_convert;
  GstElement        *remote_sink;
  gboolean           video_simulated;
  gboolean           audio_simulated;

  RelaisCallState    state;
  char              *failure;
  double             mic_level;

  GPtrArray         *peers;           /* Peer, owned */
  guint              next_peer_id;
  char             **local_addresses;

  GQueue             outgoing;        /* Outgoing *, messages waiting for the channel */
  gsize              outgoing_bytes;

  /* Touched on streaming threads: atomics only. */
  gint               camera_off;
  gint               video_output_off;
  gint               frames_received;
  gint               frames_sent;
  gint               first_frame_reported;

  gboolean           remote_frame_seen;
  GSource           *stats_source;
  gint64             stats_time;
  guint64            stats_frames_received;
  guint64            stats_frames_sent;
  guint64            stats_bytes_in;
  guint64            stats_bytes_out;
  RelaisCallStats    stats;

  GThread           *dtls_thread;
  gboolean           disposed;
};

G_DEFINE_FINAL_TYPE (RelaisCall, relais_call, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_FAILURE,
  PROP_MIC_LEVEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_LOCAL_DESCRIPTION,
  SIGNAL_LOCAL_CANDIDATE,
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_DATA_RECEIVED,
  SIGNAL_SEND_QUEUE_LOW,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  const char *factory;
  const char *plugin;
  const char *package;
} RequiredPlugin;

static const RequiredPlugin required_plugins[] = {
  { "webrtcbin",     "webrtc",        "gstreamer1.0-plugins-bad" },
  { "dtlsdec",       "dtls",          "gstreamer1.0-plugins-bad" },
  { "srtpenc",       "srtp",          "gstreamer1.0-plugins-bad" },
  { "sctpenc",       "sctp",          "gstreamer1.0-plugins-bad" },
  { "nicesrc",       "nice",          "gstreamer1.0-nice" },
  { "rtpbin",        "rtpmanager",    "gstreamer1.0-plugins-good" },
  { "rtpvp8pay",     "rtp",           "gstreamer1.0-plugins-good" },
  { "rtpopuspay",    "rtp",           "gstreamer1.0-plugins-good" },
  { "vp8enc",        "vpx",           "gstreamer1.0-plugins-good" },
  { "vp8dec",        "vpx",           "gstreamer1.0-plugins-good" },
  { "level",         "level",         "gstreamer1.0-plugins-good" },
  { "autoaudiosink", "autodetect",    "gstreamer1.0-plugins-good" },
  { "opusenc",       "opus",          "gstreamer1.0-plugins-base" },
  { "opusdec",       "opus",          "gstreamer1.0-plugins-base" },
  { "videotestsrc",  "videotestsrc",  "gstreamer1.0-plugins-base" },
  { "audiotestsrc",  "audiotestsrc",  "gstreamer1.0-plugins-base" },
  { "videoconvert",  "videoconvertscale", "gstreamer1.0-plugins-base" },
  { "videoscale",    "videoconvertscale", "gstreamer1.0-plugins-base" },
  { "videorate",     "videorate",     "gstreamer1.0-plugins-base" },
  { "audioconvert",  "audioconvert",  "gstreamer1.0-plugins-base" },
  { "audioresample", "audioresample", "gstreamer1.0-plugins-base" },
  { "volume",        "volume",        "gstreamer1.0-plugins-base" },
  { "appsink",       "app",           "gstreamer1.0-plugins-base" },
  { "decodebin",     "playback",      "gstreamer1.0-plugins-base" },
  { "tee",           "coreelements",  "libgstreamer1.0-0" },
  { "queue",         "coreelements",  "libgstreamer1.0-0" },
  { "fakesink",      "coreelements",  "libgstreamer1.0-0" },
  { "input-selector", "coreelements", "libgstreamer1.0-0" },
};

/* H.264 is optional (video-codec=h264): checked only when asked for.
 * x264 and libav only: Debian 12's openh264enc fails at its first frame
 * with its default parameters (cmInitParaError), and neither OpenH264
 * element is tested here. */
static const RequiredPlugin h264_encoders[] = {
  { "x264enc",       "x264",          "gstreamer1.0-plugins-ugly" },
};

static const RequiredPlugin h264_decoders[] = {
  { "avdec_h264",    "libav",         "gstreamer1.0-libav" },
};

static const RequiredPlugin h264_plugins[] = {
  { "rtph264pay",    "rtp",           "gstreamer1.0-plugins-good" },
  { "rtph264depay",  "rtp",           "gstreamer1.0-plugins-good" },
  { "h264parse",     "videoparsersbad", "gstreamer1.0-plugins-bad" },
};

/* ---- Hopping to the main context ---------------------------------------- */

typedef void (*MainFunc) (RelaisCall *self, gpointer data);

static void
call_hop (RelaisCall     *self,
          MainFunc        func,
          gpointer        data,
          GDestroyNotify  destroy)
{
  /* The double cast is GLib's G_CALLBACK idiom: the wrapper's typed first
   * parameter is the owner relais_main_hop() hands back. */
  relais_main_hop (self->context, self, &self->disposed, "[relais-call] hop",
                   (RelaisMainHopFunc) (void (*) (void)) func, data, destroy);
}

static GSource *
call_add_timeout (RelaisCall  *self,
                  guint        interval_ms,
                  GSourceFunc  func,
                  gpointer     data)
{
  GSource *source = g_timeout_source_new (interval_ms);

  g_source_set_static_name (source, "[relais-call] timeout");
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Promises may resolve after the call is gone: hold it weakly. */
typedef struct
{
  GWeakRef  self;
  guint     peer_id;
} PromiseData;

static PromiseData *
promise_data_new (RelaisCall *self,
                  guint       peer_id)
{
  PromiseData *data = g_new0 (PromiseData, 1);

  g_weak_ref_init (&data->self, self);
  data->peer_id = peer_id;
  return data;
}

static void
promise_data_free (gpointer user_data)
{
  PromiseData *data = user_data;

  g_weak_ref_clear (&data->self);
  g_free (data);
}

/* ---- Small helpers ------------------------------------------------------- */

static gboolean
check_plugins (GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (required_plugins); i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (required_plugins[i].factory);

      if (factory == NULL)
        {
          g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MISSING_PLUGIN,
                       _("Le module GStreamer « %s » (élément %s) est absent : installez le paquet %s."),
                       required_plugins[i].plugin, required_plugins[i].factory,
                       required_plugins[i].package);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
plugin_present (const RequiredPlugin *plugin)
{
  g_autoptr(GstElementFactory) factory = gst_element_factory_find (plugin->factory);

  return factory != NULL;
}

/* The first of @choices present, or NULL. */
static const char *
first_present (const RequiredPlugin *choices,
               gsize                 n_choices)
{
  for (gsize i = 0; i < n_choices; i++)
    if (plugin_present (&choices[i]))
      return choices[i].factory;
  return NULL;
}

static const char *
h264_encoder_factory (void)
{
  return first_present (h264_encoders, G_N_ELEMENTS (h264_encoders));
}

static const char *
h264_decoder_factory (void)
{
  return first_present (h264_decoders, G_N_ELEMENTS (h264_decoders));
}

/* Everything sending and receiving H.264 takes; the message names the
 * package of the preferred element. */
static gboolean
check_h264_plugins (GError **error)
{
  const RequiredPlugin *missing = NULL;

  if (h264_encoder_factory () == NULL)
    missing = &h264_encoders[0];
  else if (h264_decoder_factory () == NULL)
    missing = &h264_decoders[0];
  for (guint i = 0; missing == NULL && i < G_N_ELEMENTS (h264_plugins); i++)
    if (!plugin_present (&h264_plugins[i]))
      missing = &h264_plugins[i];

  if (missing == NULL)
    return TRUE;

  g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MISSING_PLUGIN,
               _("La vidéo H.264 est demandée (video-codec=h264) mais le module GStreamer « %s » "
                 "(élément %s) est absent : installez le paquet %s, ou choisissez video-codec=vp8."),
               missing->plugin, missing->factory, missing->package);
  return FALSE;
}

/* The encoders' bitrate properties differ in name and unit. */
static void
encoder_set_bitrate (GstElement *encoder,
                     guint       bits_per_second)
{
  const char *name = gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (gst_element_get_factory (encoder)));

  if (g_str_equal (name, "vp8enc"))
    g_object_set (encoder, "target-bitrate", (gint) bits_per_second, NULL);
  else /* x264enc: kbit/s */
    g_object_set (encoder, "bitrate", MAX (bits_per_second / 1000, 1u), NULL);
}

static guint
encoder_get_bitrate (GstElement *encoder)
{
  const char *name = gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (gst_element_get_factory (encoder)));
  guint bitrate = 0;

  if (g_str_equal (name, "vp8enc"))
    {
      gint target = 0;

      g_object_get (encoder, "target-bitrate", &target, NULL);
      return (guint) MAX (target, 0);
    }
  g_object_get (encoder, "bitrate", &bitrate, NULL);
  return bitrate * 1000;
}

static GstElement *
make_element (const char  *factory,
              const char  *name,
              GError     **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MISSING_PLUGIN,
                 _("L’élément GStreamer « %s » n’a pas pu être créé."), factory);
  return element;
}

/* The first device of a class, as an element; NULL when there is none.
 * PulseAudio lists the monitors of its outputs as sources too: skip them. */
static GstElement *
create_device_element (const char *device_class)
{
  g_autoptr(GstDeviceMonitor) monitor = gst_device_monitor_new ();
  GstElement *element = NULL;
  GList *devices;

  gst_device_monitor_add_filter (monitor, device_class, NULL);
  devices = gst_device_monitor_get_devices (monitor);
  for (GList *l = devices; l != NULL && element == NULL; l = l->next)
    {
      GstDevice *device = l->data;
      g_autoptr(GstStructure) props = gst_device_get_properties (device);
      const char *klass = props ? gst_structure_get_string (props, "device.class") : NULL;

      if (g_strcmp0 (klass, "monitor") == 0)
        continue;
      element = gst_device_create_element (device, NULL);
    }
  g_list_free_full (devices, gst_object_unref);

  return element;
}

static const char *
direction_to_string (PeerDirection direction)
{
  switch (direction)
    {
    case PEER_SEND:
      return "send";
    case PEER_RECV:
      return "recv";
    case PEER_SENDRECV:
    default:
      return "sendrecv";
    }
}

static Peer *
find_peer (RelaisCall *self,
           guint       id)
{
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->id == id)
        return peer;
    }

  return NULL;
}

static void
peer_free (gpointer data)
{
  Peer *peer = data;

  clear_source (&peer->ready_source);
  clear_source (&peer->media_check_source);
  for (guint i = 0; i < peer->channels->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (peer->channels, i), peer);
  g_ptr_array_unref (peer->channels);
  g_clear_object (&peer->channel);
  if (peer->webrtc != NULL)
    g_signal_handlers_disconnect_by_data (peer->webrtc, peer);
  g_clear_object (&peer->webrtc);
  g_clear_object (&peer->video_encoder);
  g_free (peer->pending_offer);
  g_free (peer);
}

static double
structure_get_number (const GstStructure *s,
                      const char         *field)
{
  const GValue *value = gst_structure_get_value (s, field);

  if (value == NULL)
    return 0;

  switch (G_VALUE_TYPE (value))
    {
    case G_TYPE_DOUBLE:
      return g_value_get_double (value);
    case G_TYPE_FLOAT:
      return g_value_get_float (value);
    case G_TYPE_UINT64:
      return (double) g_value_get_uint64 (value);
    case G_TYPE_INT64:
      return (double) g_value_get_int64 (value);
    case G_TYPE_UINT:
      return g_value_get_uint (value);
    case G_TYPE_INT:
      return g_value_get_int (value);
    default:
      return 0;
    }
}

/* ---- State ---------------------------------------------------------------- */

static void
set_state (RelaisCall      *self,
           RelaisCallState  state)
{
  if (self->state == state)
    return;

  g_debug ("State %d -> %d", self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_failure (RelaisCall *self,
             const char *failure)
{
  if (g_strcmp0 (self->failure, failure) == 0)
    return;

  g_free (self->failure);
  self->failure = g_strdup (failure);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE]);
}

static void
fail (RelaisCall *self,
      const char *failure)
{
  if (self->state == RELAIS_CALL_ENDED || self->state == RELAIS_CALL_FAILED)
    return;

  set_failure (self, failure);
  set_state (self, RELAIS_CALL_FAILED);
}

static gboolean
expects_remote_video (RelaisCall *self)
{
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->direction != PEER_SEND)
        return TRUE;
    }

  return FALSE;
}

/* CONNECTED needs every negotiating peer's ICE up and, when something is
 * to be received, a decoded remote frame: a connected ICE with a black
 * screen is not a call yet. */
static void
update_state (RelaisCall *self)
{
  gboolean any_failed = FALSE;
  gboolean any_lost = FALSE;
  gboolean all_up = TRUE;
  guint negotiating = 0;

  if (self->state < RELAIS_CALL_CONNECTING || self->state >= RELAIS_CALL_ENDED)
    return;

  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (!peer->negotiating)
        continue;
      negotiating++;

      switch (peer->ice_state)
        {
        case GST_WEBRTC_ICE_CONNECTION_STATE_FAILED:
          any_failed = TRUE;
          all_up = FALSE;
          break;
        case GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED:
          any_lost = TRUE;
          all_up = FALSE;
          break;
        case GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED:
        case GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED:
          break;
        case GST_WEBRTC_ICE_CONNECTION_STATE_NEW:
        case GST_WEBRTC_ICE_CONNECTION_STATE_CHECKING:
        case GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED:
        default:
          all_up = FALSE;
          break;
        }
    }

  if (any_failed)
    {
      fail (self, _("La connexion avec le conseiller a été perdue."));
    }
  else if (any_lost)
    {
      /* A first connection that drops during set-up is still "connecting". */
      if (self->state == RELAIS_CALL_CONNECTED)
        {
          set_failure (self, _("La connexion est interrompue. Nouvelle tentative en cours…"));
          set_state (self, RELAIS_CALL_RECONNECTING);
        }
    }
  else if (negotiating > 0 && all_up &&
           (self->remote_frame_seen || !expects_remote_video (self)))
    {
      set_failure (self, NULL);
      set_state (self, RELAIS_CALL_CONNECTED);
    }
}

/* ---- Statistics ------------------------------------------------------------ */

typedef struct
{
  guint64  bytes_in;
  guint64  bytes_out;
  gint64   packets_lost;
  double   jitter_s;
  double   rtt_s;
} StatsSample;

static gboolean
stats_field_cb (GQuark        field,
                const GValue *value,
                gpointer      user_data)
{
  StatsSample *sample = user_data;
  const GstStructure *s;
  GstWebRTCStatsType type;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;

  s = gst_value_get_structure (value);
  if (!gst_structure_get (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL))
    return TRUE;

  switch (type)
    {
    case GST_WEBRTC_STATS_INBOUND_RTP:
      sample->bytes_in += (guint64) structure_get_number (s, "bytes-received");
      sample->packets_lost += (gint64) structure_get_number (s, "packets-lost");
      sample->jitter_s = MAX (sample->jitter_s, structure_get_number (s, "jitter"));
      break;
    case GST_WEBRTC_STATS_OUTBOUND_RTP:
      sample->bytes_out += (guint64) structure_get_number (s, "bytes-sent");
      break;
    case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
      sample->rtt_s = MAX (sample->rtt_s, structure_get_number (s, "round-trip-time"));
      break;
    default:
      break;
    }

  return TRUE;
}

typedef struct
{
  guint         peer_id;
  GstStructure *reply;
} StatsReply;

static void
stats_reply_free (gpointer data)
{
  StatsReply *reply = data;

  gst_structure_free (reply->reply);
  g_free (reply);
}

static void
stats_reply_on_main (RelaisCall *self,
                     gpointer    data)
{
  StatsReply *reply = data;
  Peer *peer = find_peer (self, reply->peer_id);
  StatsSample sample = { 0, };

  if (peer == NULL)
    return;

  gst_structure_foreach (reply->reply, stats_field_cb, &sample);
  /* Counters only grow; a restarted session must not give negative rates. */
  peer->bytes_in = MAX (peer->bytes_in, sample.bytes_in);
  peer->bytes_out = MAX (peer->bytes_out, sample.bytes_out);
  self->stats.packets_lost = MAX (self->stats.packets_lost, sample.packets_lost);
  if (sample.jitter_s > 0)
    self->stats.jitter_ms = sample.jitter_s * 1000.0;
  if (sample.rtt_s > 0)
    self->stats.rtt_ms = sample.rtt_s * 1000.0;
}

static void
stats_promise_cb (GstPromise *promise,
                  gpointer    user_data)
{
  PromiseData *data = user_data;
  g_autoptr(RelaisCall) self = g_weak_ref_get (&data->self);
  const GstStructure *reply;
  StatsReply *copy;

  if (self == NULL || gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return;

  reply = gst_promise_get_reply (promise);
  if (reply == NULL)
    return;

  copy = g_new0 (StatsReply, 1);
  copy->peer_id = data->peer_id;
  copy->reply = gst_structure_copy (reply);
  call_hop (self, stats_reply_on_main, copy, stats_reply_free);
}

/* Each tick folds the replies of the previous one into rates and asks for
 * new ones: the numbers are at most a second old and we never wait. */
static gboolean
stats_tick_cb (gpointer user_data)
{
  RelaisCall *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 bytes_in = 0, bytes_out = 0;
  guint64 frames_in = (guint) g_atomic_int_get (&self->frames_received);
  guint64 frames_out = (guint) g_atomic_int_get (&self->frames_sent);

  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      bytes_in += peer->bytes_in;
      bytes_out += peer->bytes_out;
    }

  if (self->stats_time != 0)
    {
      double seconds = (now - self->stats_time) / (double) G_USEC_PER_SEC;

      if (seconds > 0)
        {
          self->stats.kbps_in = (bytes_in - MIN (bytes_in, self->stats_bytes_in)) * 8 / 1000.0 / seconds;
          self->stats.kbps_out = (bytes_out - MIN (bytes_out, self->stats_bytes_out)) * 8 / 1000.0 / seconds;
          self->stats.fps_in = (frames_in - self->stats_frames_received) / seconds;
          self->stats.fps_out = (frames_out - self->stats_frames_sent) / seconds;
        }
    }

  self->stats_time = now;
  self->stats_bytes_in = bytes_in;
  self->stats_bytes_out = bytes_out;
  self->stats_frames_received = frames_in;
  self->stats_frames_sent = frames_out;
  self->stats.frames_received = frames_in;
  self->stats.frames_sent = frames_out;

  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);
      GstPromise *promise;

      if (!peer->negotiating)
        continue;
      promise = gst_promise_new_with_change_func (stats_promise_cb,
                                                  promise_data_new (self, peer->id),
                                                  promise_data_free);
      g_signal_emit_by_name (peer->webrtc, "get-stats", NULL, promise);
      gst_promise_unref (promise);
    }

  return G_SOURCE_CONTINUE;
}

/* ---- Data channel ----------------------------------------------------------- */

/* The channel we send on: a publisher's (or a two-way peer's) before a
 * subscriber's. Janus relays nothing a subscriber sends, and since the
 * subscriber's peer is made while joining it comes first in the list: once
 * Janus opened its side of the subscriber's channel, everything we sent
 * (a transfer's acceptance, a chat line) went there and was lost. */
static Peer *
find_sending_channel_peer (RelaisCall *self)
{
  Peer *fallback = NULL;

  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->channel == NULL)
        continue;
      if (peer->direction != PEER_RECV)
        return peer;
      if (fallback == NULL)
        fallback = peer;
    }

  return fallback;
}

/* One queued message: text (chat, JSON control) or binary (document
 * chunks, see relais-transfer.c). One queue keeps them in order. */
typedef struct
{
  GBytes   *bytes;
  gboolean  binary;
} Outgoing;

static void
outgoing_free (gpointer data)
{
  Outgoing *item = data;

  g_bytes_unref (item->bytes);
  g_free (item);
}

static void
queue_outgoing (RelaisCall *self,
                GBytes     *bytes,
                gboolean    binary)
{
  Outgoing *item = g_new0 (Outgoing, 1);

  item->bytes = g_bytes_ref (bytes);
  item->binary = binary;
  g_queue_push_tail (&self->outgoing, item);
  self->outgoing_bytes += g_bytes_get_size (bytes);
}

static void
flush_outgoing (RelaisCall *self)
{
  Peer *peer = find_sending_channel_peer (self);
  GstWebRTCDataChannelState ready_state;
  gboolean sent = FALSE;

  if (peer == NULL)
    return;

  g_object_get (peer->channel, "ready-state", &ready_state, NULL);
  if (ready_state != GST_WEBRTC_DATA_CHANNEL_STATE_OPEN)
    return;

  while (!g_queue_is_empty (&self->outgoing))
    {
      Outgoing *item;
      g_autoptr(GError) error = NULL;
      guint64 buffered = 0;

      g_object_get (peer->channel, "buffered-amount", &buffered, NULL);
      if (buffered >= CHANNEL_HIGH_WATER)
        break;

      item = g_queue_pop_head (&self->outgoing);
      self->outgoing_bytes -= g_bytes_get_size (item->bytes);
      sent = TRUE;
      if (item->binary)
        {
          if (!gst_webrtc_data_channel_send_data_full (peer->channel, item->bytes, &error))
            g_warning ("Could not send binary data: %s", error->message);
        }
      else
        {
          /* The queued text carries its terminating NUL. */
          const char *text = g_bytes_get_data (item->bytes, NULL);

          if (!gst_webrtc_data_channel_send_string_full (peer->channel, text, &error))
            g_warning ("Could not send a chat message: %s", error->message);
        }
      outgoing_free (item);
    }

  /* Who sends in bulk (documents) tops the queue up from here. */
  if (sent && self->outgoing_bytes < SEND_QUEUE_LOW_WATER)
    g_signal_emit (self, signals[SIGNAL_SEND_QUEUE_LOW], 0);
}

static void
channel_flush_on_main (RelaisCall *self,
                       gpointer    data)
{
  flush_outgoing (self);
}

static void
message_on_main (RelaisCall *self,
                 gpointer    data)
{
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, (const char *) data);
}

static void
channel_message_string_cb (GstWebRTCDataChannel *channel,
                           const char           *text,
                           Peer                 *peer)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return;

  call_hop (peer->self, message_on_main, g_strdup (text), g_free);
}

static void
data_on_main (RelaisCall *self,
              gpointer    data)
{
  g_signal_emit (self, signals[SIGNAL_DATA_RECEIVED], 0, (GBytes *) data);
}

static void
channel_message_data_cb (GstWebRTCDataChannel *channel,
                         GBytes               *bytes,
                         Peer                 *peer)
{
  if (bytes == NULL)
    return;

  call_hop (peer->self, data_on_main, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
}

static void
channel_open_cb (GstWebRTCDataChannel *channel,
                 Peer                 *peer)
{
  g_debug ("Data channel of peer %u open", peer->id);
  call_hop (peer->self, channel_flush_on_main, NULL, NULL);
}

static void
channel_buffered_amount_low_cb (GstWebRTCDataChannel *channel,
                                Peer                 *peer)
{
  call_hop (peer->self, channel_flush_on_main, NULL, NULL);
}

static void
channel_error_cb (GstWebRTCDataChannel *channel,
                  GError               *error,
                  Peer                 *peer)
{
  g_warning ("Data channel of peer %u: %s", peer->id, error ? error->message : "error");
}

static void
peer_watch_channel (Peer                 *peer,
                    GstWebRTCDataChannel *channel)
{
  g_object_set (channel, "buffered-amount-low-threshold", (guint64) CHANNEL_LOW_WATER, NULL);
  g_signal_connect (channel, "on-message-string", G_CALLBACK (channel_message_string_cb), peer);
  g_signal_connect (channel, "on-message-data", G_CALLBACK (channel_message_data_cb), peer);
  g_signal_connect (channel, "on-open", G_CALLBACK (channel_open_cb), peer);
  g_signal_connect (channel, "on-buffered-amount-low", G_CALLBACK (channel_buffered_amount_low_cb), peer);
  g_signal_connect (channel, "on-error", G_CALLBACK (channel_error_cb), peer);
  g_ptr_array_add (peer->channels, g_object_ref (channel));
}

typedef struct
{
  guint                 peer_id;
  GstWebRTCDataChannel *channel;
} ChannelData;

static void
channel_data_free (gpointer data)
{
  ChannelData *channel_data = data;

  g_object_unref (channel_data->channel);
  g_free (channel_data);
}

static void
data_channel_on_main (RelaisCall *self,
                      gpointer    data)
{
  ChannelData *channel_data = data;
  Peer *peer = find_peer (self, channel_data->peer_id);

  if (peer == NULL)
    return;

  if (peer->channel == NULL)
    peer->channel = g_object_ref (channel_data->channel);
  flush_outgoing (self);
}

/* The remote side opened a channel (Janus offers one to subscribers, a
 * browser may open its own). Connect before leaving the callback, or the
 * first messages are lost; the rest happens on the main context. */
static void
webrtc_on_data_channel_cb (GstElement           *webrtc,
                           GstWebRTCDataChannel *channel,
                           Peer                 *peer)
{
  ChannelData *data = g_new0 (ChannelData, 1);

  g_debug ("Peer %u: the other side opened a data channel", peer->id);
  peer_watch_channel (peer, channel);
  data->peer_id = peer->id;
  data->channel = g_object_ref (channel);
  call_hop (peer->self, data_channel_on_main, data, channel_data_free);
}

/* ---- webrtcbin ---------------------------------------------------------------- */

typedef struct
{
  guint  peer_id;
  guint  mline;
  char  *candidate;
  int    ice_state;
} PeerEvent;

static void
peer_event_free (gpointer data)
{
  PeerEvent *event = data;

  g_free (event->candidate);
  g_free (event);
}

static void
candidate_on_main (RelaisCall *self,
                   gpointer    data)
{
  PeerEvent *event = data;

  if (find_peer (self, event->peer_id) == NULL)
    return;

  g_signal_emit (self, signals[SIGNAL_LOCAL_CANDIDATE], 0,
                 event->peer_id, event->mline, event->candidate);
}

static void
webrtc_on_ice_candidate_cb (GstElement *webrtc,
                            guint       mline,
                            const char *candidate,
                            Peer       *peer)
{
  PeerEvent *event;

  /* Some versions end gathering with an empty candidate; ours is the
   * gathering state below. */
  if (candidate == NULL || *candidate == '\0')
    return;

  event = g_new0 (PeerEvent, 1);
  event->peer_id = peer->id;
  event->mline = mline;
  event->candidate = g_strdup (candidate);
  call_hop (peer->self, candidate_on_main, event, peer_event_free);
}

static void
webrtc_gathering_state_cb (GstElement *webrtc,
                           GParamSpec *pspec,
                           Peer       *peer)
{
  GstWebRTCICEGatheringState state;
  PeerEvent *event;

  g_object_get (webrtc, "ice-gathering-state", &state, NULL);
  if (state != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    return;

  event = g_new0 (PeerEvent, 1);
  event->peer_id = peer->id;
  call_hop (peer->self, candidate_on_main, event, peer_event_free);
}

static void
ice_state_on_main (RelaisCall *self,
                   gpointer    data)
{
  PeerEvent *event = data;
  Peer *peer = find_peer (self, event->peer_id);

  if (peer == NULL)
    return;

  g_debug ("Peer %u: ICE state %d", peer->id, event->ice_state);
  peer->ice_state = event->ice_state;
  update_state (self);
}

static void
webrtc_ice_connection_state_cb (GstElement *webrtc,
                                GParamSpec *pspec,
                                Peer       *peer)
{
  GstWebRTCICEConnectionState state;
  PeerEvent *event;

  g_object_get (webrtc, "ice-connection-state", &state, NULL);
  event = g_new0 (PeerEvent, 1);
  event->peer_id = peer->id;
  event->ice_state = state;
  call_hop (peer->self, ice_state_on_main, event, peer_event_free);
}

static void
webrtc_new_transceiver_cb (GstElement              *webrtc,
                           GstWebRTCRTPTransceiver *transceiver,
                           Peer                    *peer)
{
  /* Retransmissions make a lost packet a 50 ms hiccup instead of a frozen
   * picture until the next keyframe. */
  g_object_set (transceiver, "do-nack", TRUE, NULL);
}

/* REMB (RTCP PSFB, FMT 15, "REMB" in the FCI): webrtcbin ignores it, but
 * Janus caps a room's bitrate with it (DESIGN.md). */
static void
session_feedback_rtcp_cb (GObject    *session,
                          guint       type,
                          guint       fbtype,
                          guint       sender_ssrc,
                          guint       media_ssrc,
                          GstBuffer  *fci,
                          GstElement *encoder)
{
  GstMapInfo map;
  guint exponent, mantissa;
  guint64 remb;
  guint max_bitrate, target, current;

  if (type != 206 /* PSFB */ || fbtype != 15 /* AFB */ || fci == NULL)
    return;
  if (!gst_buffer_map (fci, &map, GST_MAP_READ))
    return;

  if (map.size < 8 || memcmp (map.data, "REMB", 4) != 0)
    {
      gst_buffer_unmap (fci, &map);
      return;
    }

  exponent = map.data[5] >> 2;
  mantissa = ((map.data[5] & 0x3u) << 16) | (map.data[6] << 8) | map.data[7];
  gst_buffer_unmap (fci, &map);

  remb = (guint64) mantissa << exponent;
  max_bitrate = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (encoder), "relais-max-bitrate"));
  target = (guint) CLAMP (remb, MIN_VIDEO_BITRATE, MAX (max_bitrate, MIN_VIDEO_BITRATE));

  /* Ignore small moves: each change resets part of the rate control. */
  current = encoder_get_bitrate (encoder);
  if (current != 0 && ABS ((double) target - current) < current * 0.05)
    return;

  g_debug ("REMB %" G_GUINT64_FORMAT " bit/s: video target %u bit/s", remb, target);
  encoder_set_bitrate (encoder, target);
}

static void
webrtc_deep_element_added_cb (GstBin     *bin,
                              GstBin     *sub_bin,
                              GstElement *element,
                              Peer       *peer)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  g_autoptr(GObject) session = NULL;

  if (peer->video_encoder == NULL || factory == NULL ||
      g_strcmp0 (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)), "rtpsession") != 0)
    return;

  g_object_get (element, "internal-session", &session, NULL);
  if (session == NULL)
    return;

  g_signal_connect_data (session, "on-feedback-rtcp",
                         G_CALLBACK (session_feedback_rtcp_cb),
                         gst_object_ref (peer->video_encoder),
                         (GClosureNotify) (void (*) (void)) gst_object_unref, 0);
}

/* ---- Remote media ---------------------------------------------------------------- */

static GstPadProbeReturn
remote_frame_probe_cb (GstPad          *pad,
                       GstPadProbeInfo *info,
                       gpointer         user_data);

static GstElement *
make_audio_output (void)
{
  GstElement *sink = gst_element_factory_make ("autoaudiosink", NULL);

  /* Kiosks in CI (and booths with a broken headset) have no sound
   * device: a silent call beats a failed one. */
  if (sink != NULL && gst_element_set_state (sink, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE)
    {
      gst_element_set_state (sink, GST_STATE_NULL);
      gst_clear_object (&sink);
    }
  if (sink != NULL)
    return sink;

  g_debug ("No sound output: remote audio goes to a fakesink");
  sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  return sink;
}

static gboolean
link_chain (GstBin      *bin,
            GstPad      *src,
            GstElement **elements,
            guint        n_elements)
{
  g_autoptr(GstPad) sink = NULL;

  for (guint i = 0; i < n_elements; i++)
    gst_bin_add (bin, elements[i]);
  for (guint i = 0; i + 1 < n_elements; i++)
    if (!gst_element_link (elements[i], elements[i + 1]))
      return FALSE;
  for (guint i = n_elements; i > 0; i--)
    gst_element_sync_state_with_parent (elements[i - 1]);

  sink = gst_element_get_static_pad (elements[0], "sink");
  return gst_pad_link (src, sink) == GST_PAD_LINK_OK;
}

static gboolean
release_select_pad_cb (gpointer data)
{
  GstPad *sink = data;
  g_autoptr(GstElement) select = gst_pad_get_parent_element (sink);

  if (select != NULL && !gst_pad_is_linked (sink))
    gst_element_release_request_pad (select, sink);
  return G_SOURCE_REMOVE;
}

/* The stream behind a selector pad is gone (its decodebin was removed):
 * give the pad back, so the selector shows another stream if there is
 * one. Not on the streaming thread that unlinked it. */
static void
remote_select_unlinked_cb (GstPad     *sink,
                           GstPad     *peer,
                           GstElement *select)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, release_select_pad_cb,
                   gst_object_ref (sink), gst_object_unref);
}

/* A decoded stream's pad: link it here and now; deferring gives
 * not-linked errors (DESIGN.md). */
static void
link_decoded_pad (RelaisCall *self,
                  GstPad     *pad)
{
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *name;
  GstBin *bin = GST_BIN (self->pipeline);

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  if (caps == NULL || gst_caps_is_empty (caps))
    return;
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));

  if (g_str_has_prefix (name, "video/"))
    {
      /* Only one remote picture is shown: the newest stream's. A feed that
       * leaves and another that arrives (a new advisor, the same one
       * rejoining) is a new pad, and it must replace the old one rather
       * than go nowhere. The selector drops what the other pads bring and
       * goes back to a remaining pad when the shown one is released. */
      g_autoptr(GstPad) sink = gst_element_request_pad_simple (self->remote_select, "sink_%u");

      if (sink == NULL || gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
        {
          g_warning ("Could not link the remote video");
          if (sink != NULL)
            gst_element_release_request_pad (self->remote_select, sink);
          return;
        }
      g_signal_connect_object (sink, "unlinked", G_CALLBACK (remote_select_unlinked_cb),
                               self->remote_select, 0);
      g_object_set (self->remote_select, "active-pad", sink, NULL);
      g_debug ("Remote video %s shown", GST_PAD_NAME (sink));
    }
  else if (g_str_has_prefix (name, "audio/"))
    {
      GstElement *elements[] = {
        gst_element_factory_make ("queue", NULL),
        gst_element_factory_make ("audioconvert", NULL),
        gst_element_factory_make ("audioresample", NULL),
        make_audio_output (),
      };

      if (!link_chain (bin, pad, elements, G_N_ELEMENTS (elements)))
        g_warning ("Could not link the remote audio");
    }
}

static void
decodebin_pad_added_cb (GstElement *decodebin,
                        GstPad     *pad,
                        RelaisCall *self)
{
  link_decoded_pad (self, pad);
}

/* The decoder of a remote stream, chosen by its encoding name rather than
 * left to decodebin's ranks: the far end decides what it sends (a browser
 * may publish H.264 in a room that allows it, whatever we send), and
 * decodebin would take whatever hardware decoder ranks first on the
 * kiosk. NULL for an encoding we have no fixed chain for. */
static GstElement *
make_remote_decoder (Peer         *peer,
                     const GstCaps *caps)
{
  const GstStructure *s = caps != NULL && !gst_caps_is_empty (caps) ? gst_caps_get_structure (caps, 0) : NULL;
  const char *encoding = s != NULL ? gst_structure_get_string (s, "encoding-name") : NULL;
  g_autofree char *description = NULL;
  g_autoptr(GError) error = NULL;
  GstElement *decoder;

  if (encoding == NULL)
    return NULL;

  if (g_ascii_strcasecmp (encoding, "VP8") == 0)
    description = g_strdup ("rtpvp8depay ! vp8dec");
  else if (g_ascii_strcasecmp (encoding, "H264") == 0)
    {
      const char *factory = h264_decoder_factory ();

      if (factory == NULL)
        {
          g_warning ("Peer %u sends H.264 and no H.264 decoder is installed (Debian package gstreamer1.0-libav)",
                     peer->id);
          return NULL;
        }
      /* Waiting for a keyframe after a loss, and asking for it, beats
       * showing a smeared picture until the next periodic one. */
      description = g_strdup_printf ("rtph264depay request-keyframe=true wait-for-keyframe=true "
                                     "! h264parse ! %s", factory);
    }
  else if (g_ascii_strcasecmp (encoding, "OPUS") == 0)
    description = g_strdup ("rtpopusdepay ! opusdec");
  else
    return NULL;

  decoder = gst_parse_bin_from_description (description, TRUE, &error);
  if (decoder == NULL)
    {
      g_warning ("Peer %u: no decoder for %s: %s", peer->id, encoding, error->message);
      return NULL;
    }
  g_debug ("Peer %u: remote %s decoded by %s", peer->id, encoding, description);
  return decoder;
}

static void
webrtc_pad_added_cb (GstElement *webrtc,
                     GstPad     *pad,
                     Peer       *peer)
{
  RelaisCall *self = peer->self;
  g_autoptr(GstCaps) caps = NULL;
  GstElement *decoder;
  g_autoptr(GstPad) sink = NULL;
  g_autoptr(GstPad) src = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  g_debug ("Peer %u: remote stream %s", peer->id, GST_PAD_NAME (pad));
  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);

  decoder = make_remote_decoder (peer, caps);
  if (decoder == NULL)
    {
      /* Something we have no chain for: decodebin may still know it. */
      decoder = gst_element_factory_make ("decodebin", NULL);
      g_signal_connect (decoder, "pad-added", G_CALLBACK (decodebin_pad_added_cb), self);
    }
  gst_bin_add (GST_BIN (self->pipeline), decoder);

  src = gst_element_get_static_pad (decoder, "src");
  if (src != NULL)
    link_decoded_pad (self, src);
  gst_element_sync_state_with_parent (decoder);

  sink = gst_element_get_static_pad (decoder, "sink");
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    g_warning ("Peer %u: could not link a remote stream", peer->id);
}

static void
first_frame_on_main (RelaisCall *self,
                     gpointer    data)
{
  g_debug ("First remote frame decoded");
  self->remote_frame_seen = TRUE;
  update_state (self);
}

static GstPadProbeReturn
remote_frame_probe_cb (GstPad          *pad,
                       GstPadProbeInfo *info,
                       gpointer         user_data)
{
  RelaisCall *self = user_data;

  g_atomic_int_inc (&self->frames_received);
  if (g_atomic_int_compare_and_exchange (&self->first_frame_reported, 0, 1))
    call_hop (self, first_frame_on_main, NULL, NULL);

  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
sent_frame_probe_cb (GstPad          *pad,
                     GstPadProbeInfo *info,
                     gpointer         user_data)
{
  RelaisCall *self = user_data;

  g_atomic_int_inc (&self->frames_sent);
  return GST_PAD_PROBE_OK;
}

/* "Camera off" sends black frames rather than stopping the stream: the
 * remote decoder and the far end's layout keep going, and turning the
 * camera back on is instant. */
static GstPadProbeReturn
camera_off_probe_cb (GstPad          *pad,
                     GstPadProbeInfo *info,
                     gpointer         user_data)
{
  RelaisCall *self = user_data;
  g_autoptr(GstCaps) caps = NULL;
  GstVideoInfo video_info;
  GstVideoFrame frame;
  GstBuffer *buffer;

  if (!g_atomic_int_get (&self->camera_off))
    return GST_PAD_PROBE_OK;

  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL || !gst_video_info_from_caps (&video_info, caps) ||
      GST_VIDEO_INFO_FORMAT (&video_info) != GST_VIDEO_FORMAT_I420)
    return GST_PAD_PROBE_OK;

  buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (!gst_video_frame_map (&frame, &video_info, buffer, GST_MAP_WRITE))
    return GST_PAD_PROBE_OK;

  for (guint plane = 0; plane < 3; plane++)
    {
      guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (&frame, plane);
      gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, plane);
      gint rows = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, plane);

      memset (data, plane == 0 ? 16 : 128, (gsize) stride * rows);
    }
  gst_video_frame_unmap (&frame);

  return GST_PAD_PROBE_OK;
}

/* ---- Building the pipeline -------------------------------------------------------- */

/* In front of the BGRA conversion of each appsink: with nobody to show
 * the pictures (relais_call_set_video_output (FALSE), the headless test
 * call) the conversion is skipped. Frames are still counted upstream. */
static GstPadProbeReturn
output_probe_cb (GstPad          *pad,
                 GstPadProbeInfo *info,
                 gpointer         user_data)
{
  RelaisCall *self = user_data;

  return g_atomic_int_get (&self->video_output_off) ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static GstElement *
make_appsink (const char *name,
              gboolean    sync)
{
  GstElement *sink = gst_element_factory_make ("appsink", name);
  g_autoptr(GstCaps) caps = gst_caps_new_simple ("video/x-raw",
                                                 "format", G_TYPE_STRING, "BGRA",
                                                 NULL);

  /* The UI wants the newest picture, never a backlog; async=FALSE keeps an
   * appsink that has nothing yet from holding the pipeline's state change. */
  g_object_set (sink,
                "caps", caps,
                "drop", TRUE,
                "max-buffers", 1,
                "sync", sync,
                "async", FALSE,
                "enable-last-sample", FALSE,
                NULL);
  return sink;
}

/* A camera that cannot even be opened (unplugged, a wrong path in the
 * configuration, no permission) must not cost the person their call: the
 * caller falls back to the test pattern and says so
 * (relais_call_is_video_simulated). v4l2src opens its device on
 * NULL → READY; close it again, the pipeline opens it for real. */
static gboolean
source_opens (GstElement *source)
{
  gboolean opened;

  gst_object_ref_sink (source);
  opened = gst_element_set_state (source, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE;
  gst_element_set_state (source, GST_STATE_NULL);
  if (!opened)
    g_debug ("%s could not be opened", GST_OBJECT_NAME (source));
  return opened;
}

/* The element for the configured @device: unset or "auto" takes the
 * first @device_class device the monitor finds, "test" none (the caller's
 * test source follows), anything else @factory on that device. FALSE with
 * @error only when @factory is missing. */
static gboolean
make_configured_source (const char  *device,
                        const char  *device_class,
                        const char  *factory,
                        GstElement **source_out,
                        GError     **error)
{
  *source_out = NULL;
  if (device == NULL || g_str_equal (device, "auto"))
    *source_out = create_device_element (device_class);
  else if (!g_str_equal (device, "test"))
    {
      *source_out = make_element (factory, NULL, error);
      if (*source_out == NULL)
        return FALSE;
      g_object_set (*source_out, "device", device, NULL);
    }
  return TRUE;
}

/* Returns a full reference (not floating), or NULL with @error set. */
static GstElement *
make_video_source (RelaisCall  *self,
                   GError     **error)
{
  const char *device = self->options.video_device;
  GstElement *source;

  if (!make_configured_source (device, "Video/Source", "v4l2src", &source, error))
    return NULL;

  if (source != NULL)
    {
      if (source_opens (source))
        return source;
      g_message ("Camera %s could not be opened: showing a test pattern instead",
                 device != NULL ? device : "auto");
      gst_clear_object (&source);
    }

  self->video_simulated = TRUE;
  source = make_element ("videotestsrc", "camera", error);
  if (source != NULL)
    {
      gst_object_ref_sink (source);
      g_object_set (source, "is-live", TRUE, NULL);
      gst_util_set_object_arg (G_OBJECT (source), "pattern", "smpte");
    }
  return source;
}

static GstElement *
make_audio_source (RelaisCall  *self,
                   GError     **error)
{
  GstElement *source;

  if (!make_configured_source (self->options.audio_device, "Audio/Source", "pulsesrc",
                               &source, error))
    return NULL;

  if (source != NULL)
    return source;

  self->audio_simulated = TRUE;
  source = make_element ("audiotestsrc", "microphone", error);
  if (source != NULL)
    g_object_set (source, "is-live", TRUE, "volume", 0.1, "freq", 440.0, NULL);
  return source;
}

static gboolean
build_media (RelaisCall  *self,
             GError     **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *camera, *video_convert, *video_scale, *video_rate, *video_caps;
  GstElement *local_queue, *local_convert;
  GstElement *microphone, *audio_convert, *audio_resample, *audio_caps, *level;
  g_autoptr(GstCaps) raw_video = NULL;
  g_autoptr(GstCaps) raw_audio = NULL;
  g_autoptr(GstPad) pad = NULL;

  if ((camera = make_video_source (self, error)) == NULL)
    return FALSE;
  gst_bin_add (bin, camera);
  gst_object_unref (camera);   /* the bin's reference keeps it */

  video_convert = gst_element_factory_make ("videoconvert", NULL);
  video_scale = gst_element_factory_make ("videoscale", NULL);
  video_rate = gst_element_factory_make ("videorate", NULL);
  video_caps = gst_element_factory_make ("capsfilter", NULL);
  self->video_tee = gst_element_factory_make ("tee", "video-tee");
  local_queue = gst_element_factory_make ("queue", NULL);
  local_convert = gst_element_factory_make ("videoconvert", NULL);
  self->local_sink = g_object_ref (make_appsink ("local-video", FALSE));

  /* I420 at the size and rate of the options: what VP8 wants, and what
   * the camera-off probe knows how to paint black. */
  raw_video = gst_caps_new_simple ("video/x-raw",
                                   "format", G_TYPE_STRING, "I420",
                                   "width", G_TYPE_INT, (int) self->options.width,
                                   "height", G_TYPE_INT, (int) self->options.height,
                                   "framerate", GST_TYPE_FRACTION, (int) self->options.framerate, 1,
                                   "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                                   NULL);
  g_object_set (video_caps, "caps", raw_video, NULL);
  g_object_set (self->video_tee, "allow-not-linked", TRUE, NULL);
  /* The self-view shows the newest frame or none: never a queue of them. */
  g_object_set (local_queue, "max-size-buffers", 1, "max-size-bytes", 0,
                "max-size-time", (guint64) 0, NULL);
  gst_util_set_object_arg (G_OBJECT (local_queue), "leaky", "downstream");

  gst_bin_add_many (bin, video_convert, video_scale, video_rate, video_caps,
                    self->video_tee, local_queue, local_convert, self->local_sink, NULL);
  if (!gst_element_link_many (camera, video_convert, video_scale, video_rate,
                              video_caps, self->video_tee, local_queue, local_convert,
                              self->local_sink, NULL))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("La caméra ne fournit pas d’image utilisable."));
      return FALSE;
    }

  pad = gst_element_get_static_pad (video_caps, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, camera_off_probe_cb, self, NULL);
  g_clear_object (&pad);

  pad = gst_element_get_static_pad (local_convert, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, output_probe_cb, self, NULL);
  g_clear_object (&pad);

  if ((microphone = make_audio_source (self, error)) == NULL)
    return FALSE;
  gst_bin_add (bin, microphone);

  audio_convert = gst_element_factory_make ("audioconvert", NULL);
  audio_resample = gst_element_factory_make ("audioresample", NULL);
  audio_caps = gst_element_factory_make ("capsfilter", NULL);
  level = gst_element_factory_make ("level", "mic-level");
  self->volume = gst_element_factory_make ("volume", NULL);
  self->audio_tee = gst_element_factory_make ("tee", "audio-tee");

  /* A fixed format: left open, a branch joining the tee later (a new
   * peer) makes the source renegotiate to a format opusenc refuses, and
   * the audio stalls without an error. */
  raw_audio = gst_caps_new_simple ("audio/x-raw",
                                   "format", G_TYPE_STRING, "S16LE",
                                   "layout", G_TYPE_STRING, "interleaved",
                                   "rate", G_TYPE_INT, 48000,
                                   "channels", G_TYPE_INT, 1,
                                   NULL);
  g_object_set (audio_caps, "caps", raw_audio, NULL);
  /* Before the volume: the pre-call check shows the microphone working
   * even when the person has muted it. */
  g_object_set (level, "interval", (guint64) 100 * GST_MSECOND, "post-messages", TRUE, NULL);
  g_object_set (self->audio_tee, "allow-not-linked", TRUE, NULL);

  gst_bin_add_many (bin, audio_convert, audio_resample, audio_caps, level,
                    self->volume, self->audio_tee, NULL);
  if (!gst_element_link_many (microphone, audio_convert, audio_resample, audio_caps,
                              level, self->volume, self->audio_tee, NULL))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("Le micro ne fournit pas de son utilisable."));
      return FALSE;
    }

  /* The remote picture's end of the graph exists from the start, so the UI
   * can wrap the appsink before any peer is there. */
  self->remote_select = gst_element_factory_make ("input-selector", "remote-select");
  /* Pads not shown drop their frames at once instead of waiting for the
   * shown one's running time. */
  g_object_set (self->remote_select, "sync-streams", FALSE, NULL);
  self->remote_convert = gst_element_factory_make ("videoconvert", "remote-convert");
  self->remote_sink = g_object_ref (make_appsink ("remote-video", TRUE));
  gst_bin_add_many (bin, self->remote_select, self->remote_convert, self->remote_sink, NULL);
  if (!gst_element_link_many (self->remote_select, self->remote_convert, self->remote_sink, NULL))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("L’affichage de l’image du conseiller n’a pas pu être préparé."));
      return FALSE;
    }
  /* Counted where they are decoded, before the output probe. */
  pad = gst_element_get_static_pad (self->remote_convert, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, remote_frame_probe_cb, self, NULL);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, output_probe_cb, self, NULL);
  g_clear_object (&pad);

  return TRUE;
}

/* The H.264 level our picture needs: 3.1 up to 1280x720 at 30 fps, else
 * 4 (1920x1080 at 30 fps, the largest [media] allows). Fixed up front, in
 * the encoder's caps and in the profile-level-id of the SDP: webrtcbin
 * refuses a stream whose caps differ from the codec preferences, and the
 * payloader writes what the encoder's SPS says. The profile byte is 42c0,
 * constrained baseline as x264 writes it (browsers read 42c0 and 42e0
 * alike). */
static const char *
h264_level (const RelaisCallOptions *options,
            const char             **profile_level_id)
{
  guint64 macroblocks = (guint64) ((options->width + 15) / 16) * ((options->height + 15) / 16);

  if (macroblocks <= 3600 && macroblocks * options->framerate <= 108000)
    {
      *profile_level_id = "42c01f";
      return "3.1";
    }
  *profile_level_id = "42c028";
  return "4";
}

/* x264 tuned for a call: no frame waits for another (zero latency: no
 * B-frames, no look-ahead), the fastest preset a 2-core kiosk affords,
 * SPS/PPS in front of every keyframe so a PLI or a late joiner recovers at
 * once. The profile (constrained baseline, which every browser decodes)
 * and the level come from the capsfilter add_send_branch() puts behind
 * the encoder: x264enc takes them from downstream caps. Returns floating
 * elements. */
static gboolean
make_h264_sender (RelaisCall  *self,
                  guint32      ssrc,
                  GstElement **encoder_out,
                  GstElement **payloader_out,
                  GError     **error)
{
  const char *factory = h264_encoder_factory ();
  guint bitrate = self->options.video_kbps * 1000;
  GstElement *encoder, *payloader;

  if (factory == NULL || (encoder = make_element (factory, NULL, error)) == NULL)
    {
      if (factory == NULL)
        check_h264_plugins (error);
      return FALSE;
    }

  /* Two sliced threads: both cores work on each frame, and neither
   * waits for a frame to come (frame threads would each add one). */
  g_object_set (encoder,
                "key-int-max", KEYFRAME_MAX_DISTANCE,
                "threads", 2,
                "sliced-threads", TRUE,
                "b-adapt", FALSE,
                "bframes", 0,
                "vbv-buf-capacity", 500,
                NULL);
  gst_util_set_object_arg (G_OBJECT (encoder), "tune", "zerolatency");
  gst_util_set_object_arg (G_OBJECT (encoder), "speed-preset", "ultrafast");
  gst_util_set_object_arg (G_OBJECT (encoder), "pass", "cbr");
  encoder_set_bitrate (encoder, bitrate);
  g_object_set_data (G_OBJECT (encoder), "relais-max-bitrate", GUINT_TO_POINTER (bitrate));

  payloader = make_element ("rtph264pay", NULL, error);
  if (payloader == NULL)
    {
      gst_object_unref (gst_object_ref_sink (encoder));
      return FALSE;
    }
  g_object_set (payloader, "pt", H264_PAYLOAD_TYPE, "ssrc", ssrc, "config-interval", -1, NULL);
  gst_util_set_object_arg (G_OBJECT (payloader), "aggregate-mode", "zero-latency");

  *encoder_out = encoder;
  *payloader_out = payloader;
  return TRUE;
}

/* One sending branch: tee → queue → encoder → payloader → capsfilter →
 * webrtcbin. The queue leaks so a slow encoder drops frames instead of
 * adding latency.
 *
 * The order matters when the pipeline already plays (the preview runs
 * before the person presses "join"): every element downstream of the tee,
 * webrtcbin included, must be in PLAYING with its pads active before the
 * tee's new pad is linked, because the link is what lets buffers in. A
 * buffer that reaches a pad still flushing (an element in NULL, or
 * webrtcbin before its state is synced) comes back GST_FLOW_FLUSHING: the
 * queue keeps that result until it is flushed or restarted and refuses
 * everything after it, and the tee hands it upstream, which on the audio
 * tee (no other branch) pauses the microphone's streaming thread for good.
 * That was the demo call's intermittent "no caps on sink_0". */
static gboolean
add_send_branch (RelaisCall  *self,
                 Peer        *peer,
                 gboolean     video,
                 GError     **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *queue = gst_element_factory_make ("queue", NULL);
  GstElement *encoder, *payloader, *filter;
  GstElement *profile_filter = NULL;
  g_autoptr(GstCaps) rtp_caps = gst_caps_from_string (!video ? AUDIO_RTP_CAPS
                                                      : self->options.prefer_h264 ? H264_RTP_CAPS
                                                      : VIDEO_RTP_CAPS);
  g_autoptr(GstPad) tee_pad = NULL;
  g_autoptr(GstPad) queue_pad = NULL;
  g_autoptr(GstPad) webrtc_pad = NULL;
  g_autoptr(GstPad) filter_pad = NULL;
  g_autoptr(GstWebRTCRTPTransceiver) transceiver = NULL;
  guint32 ssrc;

  /* The stream's SSRC is chosen here, not by the payloader: it goes in the
   * codec preferences (webrtcbin writes it as a=ssrc in the offer) and in
   * the capsfilter and the payloader (it goes on the wire). Left to the
   * payloader, the SSRC is only known once the first encoded buffer's caps
   * reach webrtcbin; an offer made before that (the usual case when the
   * branch joins an already playing preview) carries no a=ssrc, and a
   * gateway that maps RTP to m-lines by SSRC (Janus without the mid header
   * extension) drops every packet of the stream as "Unknown SSRC". */
  do
    ssrc = g_random_int ();
  while (ssrc == 0);
  gst_caps_set_simple (rtp_caps, "ssrc", G_TYPE_UINT, ssrc, NULL);
  if (video && self->options.prefer_h264)
    {
      const char *profile_level_id;

      h264_level (&self->options, &profile_level_id);
      gst_caps_set_simple (rtp_caps, "profile-level-id", G_TYPE_STRING, profile_level_id, NULL);
    }

  g_object_set (queue, "max-size-buffers", 3, "max-size-bytes", 0,
                "max-size-time", (guint64) 0, NULL);
  gst_util_set_object_arg (G_OBJECT (queue), "leaky", "downstream");

  if (video && self->options.prefer_h264)
    {
      if (!make_h264_sender (self, ssrc, &encoder, &payloader, error))
        {
          gst_object_unref (gst_object_ref_sink (queue));
          return FALSE;
        }
      peer->video_encoder = g_object_ref (encoder);
    }
  else if (video)
    {
      guint bitrate = self->options.video_kbps * 1000;

      encoder = gst_element_factory_make ("vp8enc", NULL);
      /* vp8enc's defaults are for files (DESIGN.md): real time, constant
       * rate, no look-ahead, a keyframe every two seconds for late joiners,
       * and error resilience for lossy links.
       *
       * One thread: libvpx's VP8 row threads wait for each other by
       * spinning (a pause loop on the row above's progress). On a busy
       * 2-core kiosk the other row thread is often descheduled, and the
       * spinning took 80 % of the call's CPU and starved the encoder
       * (16 fps sent of 30). A 640x480 frame at realtime speed costs a
       * few ms on one core. cpu-used < 0 is libvpx's adaptive speed (what
       * libwebrtc uses, -6): it goes faster when frames miss the deadline. */
      g_object_set (encoder,
                    "deadline", (gint64) 1,
                    "target-bitrate", (gint) bitrate,
                    "cpu-used", -6,
                    "threads", 1,
                    "lag-in-frames", 0,
                    "keyframe-max-dist", KEYFRAME_MAX_DISTANCE,
                    "buffer-size", 1000,
                    "buffer-initial-size", 500,
                    "buffer-optimal-size", 600,
                    NULL);
      gst_util_set_object_arg (G_OBJECT (encoder), "end-usage", "cbr");
      gst_util_set_object_arg (G_OBJECT (encoder), "error-resilient", "default");
      g_object_set_data (G_OBJECT (encoder), "relais-max-bitrate", GUINT_TO_POINTER (bitrate));
      peer->video_encoder = g_object_ref (encoder);

      payloader = gst_element_factory_make ("rtpvp8pay", NULL);
      g_object_set (payloader, "pt", VIDEO_PAYLOAD_TYPE, "ssrc", ssrc, NULL);
      gst_util_set_object_arg (G_OBJECT (payloader), "picture-id-mode", "15-bit");
    }
  else
    {
      encoder = gst_element_factory_make ("opusenc", NULL);
      /* Complexity 10 (the default) was a tenth of the call's CPU; 5
       * is what libwebrtc uses on low-end devices, and enough for voice. */
      g_object_set (encoder, "bitrate", 32000, "inband-fec", TRUE,
                    "packet-loss-percentage", 5, "complexity", 5, NULL);
      gst_util_set_object_arg (G_OBJECT (encoder), "audio-type", "voice");
      payloader = gst_element_factory_make ("rtpopuspay", NULL);
      g_object_set (payloader, "pt", AUDIO_PAYLOAD_TYPE, "ssrc", ssrc, NULL);
    }

  filter = gst_element_factory_make ("capsfilter", NULL);
  g_object_set (filter, "caps", rtp_caps, NULL);

  /* webrtcbin's end first: the transceiver and its codec exist before any
   * buffer does, so negotiation never waits for the first encoded frame. */
  webrtc_pad = gst_element_request_pad_simple (peer->webrtc, "sink_%u");
  if (webrtc_pad == NULL)
    goto failed;
  g_object_get (webrtc_pad, "transceiver", &transceiver, NULL);
  if (transceiver != NULL)
    g_object_set (transceiver,
                  "direction", peer->direction == PEER_SEND
                                 ? GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY
                                 : GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV,
                  "codec-preferences", rtp_caps,
                  "do-nack", TRUE,
                  NULL);

  gst_bin_add_many (bin, queue, encoder, payloader, filter, NULL);
  if (video && self->options.prefer_h264)
    {
      const char *profile_level_id;
      const char *level = h264_level (&self->options, &profile_level_id);
      g_autoptr(GstCaps) profile = gst_caps_new_simple ("video/x-h264",
                                                        "profile", G_TYPE_STRING, "constrained-baseline",
                                                        "level", G_TYPE_STRING, level,
                                                        NULL);

      /* Our own element rather than gst_element_link_filtered()'s: it must
       * be brought to PLAYING with the others below. */
      profile_filter = gst_element_factory_make ("capsfilter", NULL);
      g_object_set (profile_filter, "caps", profile, NULL);
      gst_bin_add (bin, profile_filter);
      if (!gst_element_link_many (queue, encoder, profile_filter, payloader, filter, NULL))
        goto failed;
    }
  else if (!gst_element_link_many (queue, encoder, payloader, filter, NULL))
    goto failed;
  filter_pad = gst_element_get_static_pad (filter, "src");
  if (gst_pad_link (filter_pad, webrtc_pad) != GST_PAD_LINK_OK)
    goto failed;

  if (video)
    {
      g_autoptr(GstPad) encoder_pad = gst_element_get_static_pad (encoder, "sink");

      gst_pad_add_probe (encoder_pad, GST_PAD_PROBE_TYPE_BUFFER, sent_frame_probe_cb, self, NULL);
    }

  /* Downstream first, so each element is ready before its upstream
   * neighbour can push. */
  if (!gst_element_sync_state_with_parent (filter) ||
      !gst_element_sync_state_with_parent (payloader) ||
      (profile_filter != NULL && !gst_element_sync_state_with_parent (profile_filter)) ||
      !gst_element_sync_state_with_parent (encoder) ||
      !gst_element_sync_state_with_parent (queue))
    goto failed;

  /* Last: from here on buffers flow. */
  tee_pad = gst_element_request_pad_simple (video ? self->video_tee : self->audio_tee, "src_%u");
  queue_pad = gst_element_get_static_pad (queue, "sink");
  if (tee_pad == NULL || gst_pad_link (tee_pad, queue_pad) != GST_PAD_LINK_OK)
    goto failed;

  return TRUE;

failed:
  g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
               video ? _("L’envoi de l’image n’a pas pu être préparé.")
                     : _("L’envoi du son n’a pas pu être préparé."));
  return FALSE;
}

/* No UPnP, no ICE-TCP (relais_ice_configure), and the configured local
 * addresses. */
static void
configure_ice (RelaisCall *self,
               GstElement *webrtc)
{
  g_autoptr(GstObject) ice = NULL;

  g_object_get (webrtc, "ice-agent", &ice, NULL);
  if (ice == NULL)
    return;

  relais_ice_configure (G_OBJECT (ice));

  /* With explicit addresses libnice gathers on those only, loopback
   * included (it skips loopback when it enumerates interfaces itself). */
  for (guint i = 0; self->local_addresses != NULL && self->local_addresses[i] != NULL; i++)
    {
      gboolean added = FALSE;

      g_signal_emit_by_name (ice, "add-local-ip-address", self->local_addresses[i], &added);
      if (!added)
        g_warning ("ICE: could not use local address %s", self->local_addresses[i]);
    }
}

static gboolean
start_pipeline (RelaisCall  *self,
                GError     **error)
{
  GstStateChangeReturn ret;

  if (self->state == RELAIS_CALL_ENDED)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA, _("L’appel est terminé."));
      return FALSE;
    }

  ret = gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
  if (ret == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("La caméra ou le micro n’a pas pu démarrer."));
      return FALSE;
    }

  if (self->state == RELAIS_CALL_IDLE)
    set_state (self, RELAIS_CALL_PREVIEW);
  return TRUE;
}

static void
start_connecting (RelaisCall *self)
{
  if (self->state < RELAIS_CALL_CONNECTING)
    set_state (self, RELAIS_CALL_CONNECTING);
  if (self->stats_source == NULL)
    self->stats_source = call_add_timeout (self, STATS_INTERVAL_MS, stats_tick_cb, self);
}

/* ---- Offer / answer ------------------------------------------------------------------ */

typedef struct
{
  guint                       peer_id;
  GstWebRTCSessionDescription *description;
} DescriptionData;

static void
description_data_free (gpointer data)
{
  DescriptionData *description_data = data;

  gst_webrtc_session_description_free (description_data->description);
  g_free (description_data);
}

/* Our answers take the DTLS server's side (a=setup:passive; webrtcbin
 * answers "active"): the offerer, typically the gateway, then starts the
 * handshake once ITS ICE is up. As the client we would send our first
 * handshake packet as soon as OUR side saw ICE up, often before Janus's
 * did; Janus drops it and OpenSSL resends only after 1 s, which was most
 * of the time to the first remote frame. */
static void
answer_as_dtls_server (GstSDPMessage *sdp)
{
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, i);

      for (guint j = 0; j < gst_sdp_media_attributes_len (media); j++)
        {
          const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, j);

          if (g_strcmp0 (attribute->key, "setup") == 0 && g_strcmp0 (attribute->value, "active") == 0)
            {
              GstSDPAttribute passive;

              gst_sdp_attribute_set (&passive, "setup", "passive");
              gst_sdp_media_replace_attribute (media, j, &passive);
            }
        }
    }
}

static void
local_description_on_main (RelaisCall *self,
                           gpointer    data)
{
  DescriptionData *description_data = data;
  Peer *peer = find_peer (self, description_data->peer_id);
  g_autofree char *text = NULL;
  const char *type;

  if (peer == NULL || self->state >= RELAIS_CALL_ENDED)
    return;

  if (description_data->description->type == GST_WEBRTC_SDP_TYPE_ANSWER)
    answer_as_dtls_server (description_data->description->sdp);
  g_signal_emit_by_name (peer->webrtc, "set-local-description",
                         description_data->description, NULL);
  text = gst_sdp_message_as_text (description_data->description->sdp);
  type = gst_webrtc_sdp_type_to_string (description_data->description->type);
  g_debug ("Peer %u: local %s ready", peer->id, type);
  g_signal_emit (self, signals[SIGNAL_LOCAL_DESCRIPTION], 0, peer->id, type, text);
}

static void
description_created_cb (GstPromise *promise,
                        gpointer    user_data)
{
  PromiseData *data = user_data;
  g_autoptr(RelaisCall) self = g_weak_ref_get (&data->self);
  const GstStructure *reply;
  GstWebRTCSessionDescription *description = NULL;
  DescriptionData *description_data;

  if (self == NULL)
    return;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED ||
      (reply = gst_promise_get_reply (promise)) == NULL)
    {
      g_warning ("Peer %u: no session description", data->peer_id);
      return;
    }

  if (!gst_structure_get (reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, NULL) &&
      !gst_structure_get (reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, NULL))
    {
      g_autoptr(GError) error = NULL;

      gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);
      g_warning ("Peer %u: could not create a session description: %s",
                 data->peer_id, error ? error->message : "unknown error");
      return;
    }

  description_data = g_new0 (DescriptionData, 1);
  description_data->peer_id = data->peer_id;
  description_data->description = description;
  call_hop (self, local_description_on_main, description_data, description_data_free);
}

/* Our ordered data channel on @peer's webrtcbin (transfer full), or NULL. */
static GstWebRTCDataChannel *
peer_create_channel (Peer *peer)
{
  g_autoptr(GstStructure) init = gst_structure_new ("init", "ordered", G_TYPE_BOOLEAN, TRUE, NULL);
  GstWebRTCDataChannel *channel = NULL;

  g_signal_emit_by_name (peer->webrtc, "create-data-channel", CHANNEL_LABEL, init, &channel);
  return channel;
}

/* A subscriber (recv peer) whose offer carries a data channel m-line opens
 * a channel of its own, as janus.js does: webrtcbin starts the SCTP
 * association only once it has a channel, and Janus creates its side of
 * the subscriber's channel only over an established association (without
 * this, nothing the others send on their data channel ever reached a
 * kiosk through Janus). The channel is only listened to: Janus relays
 * nothing a subscriber sends, we send on the publisher's. */
static void
peer_open_receive_channel (Peer *peer)
{
  GstWebRTCSessionDescription *remote = NULL;
  gboolean has_application = FALSE;

  if (peer->direction != PEER_RECV || peer->channels->len > 0)
    return;

  g_object_get (peer->webrtc, "remote-description", &remote, NULL);
  if (remote == NULL)
    return;
  for (guint i = 0; i < gst_sdp_message_medias_len (remote->sdp); i++)
    if (g_strcmp0 (gst_sdp_media_get_media (gst_sdp_message_get_media (remote->sdp, i)), "application") == 0)
      has_application = TRUE;
  gst_webrtc_session_description_free (remote);

  if (has_application)
    {
      GstWebRTCDataChannel *channel = peer_create_channel (peer);

      if (channel != NULL)
        {
          peer_watch_channel (peer, channel);
          g_object_unref (channel);   /* peer_watch_channel keeps its own */
        }
    }
}

/* Asks @peer's webrtcbin for our description, @signal_name being
 * "create-offer" or "create-answer": description_created_cb goes on. */
static void
peer_create_description (RelaisCall *self,
                         Peer       *peer,
                         const char *signal_name)
{
  GstPromise *promise = gst_promise_new_with_change_func (description_created_cb,
                                                          promise_data_new (self, peer->id),
                                                          promise_data_free);

  g_signal_emit_by_name (peer->webrtc, signal_name, NULL, promise);
  gst_promise_unref (promise);
}

static void
create_answer_on_main (RelaisCall *self,
                       gpointer    data)
{
  Peer *peer = find_peer (self, GPOINTER_TO_UINT (data));

  if (peer == NULL || self->state >= RELAIS_CALL_ENDED)
    return;

  peer_open_receive_channel (peer);
  peer_create_description (self, peer, "create-answer");
}

static void
remote_offer_set_cb (GstPromise *promise,
                     gpointer    user_data)
{
  PromiseData *data = user_data;
  g_autoptr(RelaisCall) self = g_weak_ref_get (&data->self);

  if (self == NULL)
    return;

  call_hop (self, create_answer_on_main, GUINT_TO_POINTER (data->peer_id), NULL);
}

/* TRUE when every stream we send has reached webrtcbin (the caps event
 * comes before the first buffer). */
static gboolean
peer_has_caps (Peer *peer)
{
  gboolean ready = TRUE;
  GList *l;

  GST_OBJECT_LOCK (peer->webrtc);
  for (l = GST_ELEMENT (peer->webrtc)->sinkpads; l != NULL; l = l->next)
    if (!gst_pad_has_current_caps (l->data))
      {
        g_debug ("Peer %u: nothing has reached %s", peer->id, GST_PAD_NAME (l->data));
        ready = FALSE;
      }
  GST_OBJECT_UNLOCK (peer->webrtc);

  return ready;
}

static void
peer_negotiate (RelaisCall *self,
                Peer       *peer)
{
  if (peer->pending_offer != NULL)
    {
      g_autoptr(GstSDPMessage) sdp = NULL;
      GstWebRTCSessionDescription *description;
      GstPromise *promise;
      g_autofree char *text = g_steal_pointer (&peer->pending_offer);

      gst_sdp_message_new_from_text (text, &sdp);
      description = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER,
                                                        g_steal_pointer (&sdp));
      promise = gst_promise_new_with_change_func (remote_offer_set_cb,
                                                  promise_data_new (self, peer->id),
                                                  promise_data_free);
      g_signal_emit_by_name (peer->webrtc, "set-remote-description", description, promise);
      gst_promise_unref (promise);
      gst_webrtc_session_description_free (description);
    }
  else
    {
      if (peer->direction != PEER_RECV && peer->channel == NULL)
        {
          GstWebRTCDataChannel *channel = peer_create_channel (peer);

          if (channel != NULL)
            {
              peer_watch_channel (peer, channel);
              peer->channel = channel;
            }
          else
            g_warning ("Peer %u: could not create the data channel", peer->id);
        }

      if (peer->direction == PEER_RECV)
        {
          g_autoptr(GstCaps) video = gst_caps_from_string ("application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96");

          /* Whatever we send, we can receive H.264 when it decodes here. */
          if (h264_decoder_factory () != NULL)
            gst_caps_append (video, gst_caps_from_string (H264_RTP_CAPS ",profile-level-id=(string)42e01f"));
          g_autoptr(GstCaps) audio = gst_caps_from_string ("application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,encoding-params=(string)2,payload=97");
          GstWebRTCRTPTransceiver *transceiver = NULL;

          g_signal_emit_by_name (peer->webrtc, "add-transceiver",
                                 GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, audio, &transceiver);
          g_clear_object (&transceiver);
          g_signal_emit_by_name (peer->webrtc, "add-transceiver",
                                 GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, video, &transceiver);
          g_clear_object (&transceiver);
        }

      peer_create_description (self, peer, "create-offer");
    }
}

static gboolean
peer_ready_cb (gpointer user_data)
{
  Peer *peer = user_data;

  g_clear_pointer (&peer->ready_source, g_source_unref);
  peer_negotiate (peer->self, peer);
  return G_SOURCE_REMOVE;
}

/* Negotiation no longer waits for media (the codecs are the transceivers'
 * preferences), but a camera or microphone that delivers nothing at all
 * would give the other side a call without picture or sound: say so. */
static gboolean
peer_media_check_cb (gpointer user_data)
{
  Peer *peer = user_data;

  g_clear_pointer (&peer->media_check_source, g_source_unref);
  if (!peer_has_caps (peer))
    fail (peer->self, _("La caméra ou le micro ne fournit rien : l’appel ne peut pas commencer."));
  return G_SOURCE_REMOVE;
}

/* Offers and answers are made from a main-context source once the pipeline
 * plays (DESIGN.md: with data channels only, negotiation-needed may fire
 * while READY). */
static gboolean
peer_schedule_negotiation (RelaisCall  *self,
                           Peer        *peer,
                           GError     **error)
{
  if (self->state == RELAIS_CALL_ENDED || self->state == RELAIS_CALL_FAILED)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA, _("L’appel est terminé."));
      return FALSE;
    }

  if (!start_pipeline (self, error))
    return FALSE;

  peer->negotiating = TRUE;
  start_connecting (self);

  if (peer->ready_source == NULL)
    {
      peer->ready_source = g_idle_source_new ();
      g_source_set_priority (peer->ready_source, G_PRIORITY_DEFAULT);
      g_source_set_static_name (peer->ready_source, "[relais-call] negotiate");
      g_source_set_callback (peer->ready_source, peer_ready_cb, peer, NULL);
      g_source_attach (peer->ready_source, self->context);
    }
  if (peer->direction != PEER_RECV && peer->media_check_source == NULL)
    peer->media_check_source = call_add_timeout (self, MEDIA_WAIT_MAX_MS, peer_media_check_cb, peer);
  return TRUE;
}

/* ---- Bus ------------------------------------------------------------------------------- */

static void
handle_level (RelaisCall         *self,
              const GstStructure *s)
{
  const GValue *rms = gst_structure_get_value (s, "rms");
  double level = -100.0;

  if (rms == NULL)
    return;

  /* level still posts a GValueArray in 1.22. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    GValueArray *array = g_value_get_boxed (rms);

    for (guint i = 0; array != NULL && i < array->n_values; i++)
      level = MAX (level, g_value_get_double (g_value_array_get_nth (array, i)));
  }
  G_GNUC_END_IGNORE_DEPRECATIONS

  level = CLAMP (level, -100.0, 0.0);
  if (level == self->mic_level)
    return;

  self->mic_level = level;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MIC_LEVEL]);
}

static gboolean
bus_message_cb (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  RelaisCall *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_error (message, &error, &debug);
        g_warning ("Pipeline error from %s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
                   error->message);
        g_debug ("%s", debug ? debug : "");
        GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS (GST_BIN (self->pipeline),
                                           GST_DEBUG_GRAPH_SHOW_ALL, "relais-call-error");
        fail (self, _("L’appel s’est interrompu à cause d’un problème technique."));
        break;
      }

    case GST_MESSAGE_WARNING:
      {
        g_autoptr(GError) error = NULL;

        gst_message_parse_warning (message, &error, NULL);
        g_debug ("Pipeline warning from %s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
                 error->message);
        break;
      }

    case GST_MESSAGE_ELEMENT:
      {
        const GstStructure *s = gst_message_get_structure (message);

        if (s != NULL && gst_structure_has_name (s, "level"))
          handle_level (self, s);
        break;
      }

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

/* The first DTLS certificate of a process costs ~0.5 s (DESIGN.md). dtlsdec
 * makes it, once, for every later webrtcbin; do it off the main thread. */
static gpointer
warm_up_dtls_thread (gpointer data)
{
  GstElement *dtls = gst_element_factory_make ("dtlsdec", NULL);

  if (dtls != NULL)
    gst_object_unref (gst_object_ref_sink (dtls));
  return NULL;
}

/* Only the first call of the process starts the thread; that call joins it
 * in dispose (at most ~0.5 s, and only if it is torn down at once), since a
 * thread still inside OpenSSL when the process exits crashes. */
static GThread *
warm_up_dtls (void)
{
  static gsize started = 0;
  GThread *thread = NULL;

  if (g_once_init_enter (&started))
    {
      thread = g_thread_new ("relais-dtls", warm_up_dtls_thread, NULL);
      g_once_init_leave (&started, 1);
    }
  return thread;
}

/* ---- GObject ------------------------------------------------------------------------------ */

static void
stop_media (RelaisCall *self)
{
  clear_source (&self->stats_source);
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      clear_source (&peer->ready_source);
      clear_source (&peer->media_check_source);
    }
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_queue_clear_full (&self->outgoing, outgoing_free);
  self->outgoing_bytes = 0;
}

static void
relais_call_dispose (GObject *object)
{
  RelaisCall *self = RELAIS_CALL (object);

  self->disposed = TRUE;
  stop_media (self);
  if (self->dtls_thread != NULL)
    g_thread_join (g_steal_pointer (&self->dtls_thread));

  if (self->bus_watch_id != 0)
    {
      g_autoptr(GstBus) bus = gst_element_get_bus (self->pipeline);

      gst_bus_remove_watch (bus);
      self->bus_watch_id = 0;
    }

  g_ptr_array_set_size (self->peers, 0);
  g_clear_object (&self->local_sink);
  g_clear_object (&self->remote_sink);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (relais_call_parent_class)->dispose (object);
}

static void
relais_call_finalize (GObject *object)
{
  RelaisCall *self = RELAIS_CALL (object);

  g_ptr_array_unref (self->peers);
  g_strfreev (self->local_addresses);
  g_free (self->failure);
  relais_call_options_clear (&self->options);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (relais_call_parent_class)->finalize (object);
}

static void
relais_call_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  RelaisCall *self = RELAIS_CALL (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_FAILURE:
      g_value_set_string (value, self->failure);
      break;
    case PROP_MIC_LEVEL:
      g_value_set_double (value, self->mic_level);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_call_class_init (RelaisCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_call_dispose;
  object_class->finalize = relais_call_finalize;
  object_class->get_property = relais_call_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       RELAIS_TYPE_CALL_STATE, RELAIS_CALL_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FAILURE] =
    g_param_spec_string ("failure", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MIC_LEVEL] =
    g_param_spec_double ("mic-level", NULL, NULL, -100.0, 0.0, -100.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (peer id, "offer" | "answer", SDP text) */
  signals[SIGNAL_LOCAL_DESCRIPTION] =
    g_signal_new ("local-description", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_UINT, G_TYPE_STRING, G_TYPE_STRING);
  /* (peer id, m-line index, candidate or NULL when gathering is complete) */
  signals[SIGNAL_LOCAL_CANDIDATE] =
    g_signal_new ("local-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* (GBytes) one binary message, ≤ 64 KiB */
  signals[SIGNAL_DATA_RECEIVED] =
    g_signal_new ("data-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  /* Our send queue holds less than 256 KiB again. */
  signals[SIGNAL_SEND_QUEUE_LOW] =
    g_signal_new ("send-queue-low", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
relais_call_init (RelaisCall *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->peers = g_ptr_array_new_with_free_func (peer_free);
  self->mic_level = -100.0;
  self->state = RELAIS_CALL_IDLE;
  g_queue_init (&self->outgoing);
  relais_call_options_init (&self->options);
}

/* ---- Public API ----------------------------------------------------------------------------- */

GType
relais_call_state_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { RELAIS_CALL_IDLE, "RELAIS_CALL_IDLE", "idle" },
    { RELAIS_CALL_PREVIEW, "RELAIS_CALL_PREVIEW", "preview" },
    { RELAIS_CALL_CONNECTING, "RELAIS_CALL_CONNECTING", "connecting" },
    { RELAIS_CALL_CONNECTED, "RELAIS_CALL_CONNECTED", "connected" },
    { RELAIS_CALL_RECONNECTING, "RELAIS_CALL_RECONNECTING", "reconnecting" },
    { RELAIS_CALL_ENDED, "RELAIS_CALL_ENDED", "ended" },
    { RELAIS_CALL_FAILED, "RELAIS_CALL_FAILED", "failed" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    {
      GType type = g_enum_register_static (g_intern_static_string ("RelaisCallState"), values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

void
relais_call_options_init (RelaisCallOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->width = 640;
  options->height = 480;
  options->framerate = 30;
  options->video_kbps = 600;
  options->prefer_h264 = FALSE;
  /* A kiosk and its gateway on a LAN or a good link: 100 ms held every
   * first frame back for nothing. */
  options->jitter_latency_ms = 40;
}

void
relais_call_options_init_from_config (RelaisCallOptions *options,
                                      RelaisConfig      *config)
{
  const char *camera, *microphone;

  g_return_if_fail (options != NULL);
  g_return_if_fail (RELAIS_IS_CONFIG (config));

  relais_call_options_init (options);

  camera = relais_config_get_camera (config);
  microphone = relais_config_get_microphone (config);
  if (g_strcmp0 (camera, "auto") != 0)
    options->video_device = g_strdup (camera);
  if (g_strcmp0 (microphone, "auto") != 0)
    options->audio_device = g_strdup (microphone);

  /* 0: not in the file; the defaults set above stay. */
  if (relais_config_get_video_width (config) != 0)
    options->width = relais_config_get_video_width (config);
  if (relais_config_get_video_height (config) != 0)
    options->height = relais_config_get_video_height (config);
  if (relais_config_get_video_framerate (config) != 0)
    options->framerate = relais_config_get_video_framerate (config);
  if (relais_config_get_video_bitrate_kbps (config) != 0)
    options->video_kbps = relais_config_get_video_bitrate_kbps (config);
  if (relais_config_get_jitter_latency_ms (config) != 0)
    options->jitter_latency_ms = relais_config_get_jitter_latency_ms (config);
  options->prefer_h264 = g_strcmp0 (relais_config_get_video_codec (config), "h264") == 0;
  /* The embedded demo advisor sends and takes VP8 only: an H.264 offer
   * would leave the demo without a picture. */
  if (options->prefer_h264 && relais_config_is_demo (config))
    {
      g_message ("video-codec=h264 is for a gateway: the demo advisor speaks VP8, using VP8");
      options->prefer_h264 = FALSE;
    }

  options->stun_server = g_strdup (relais_config_get_stun_server (config));
  options->turn_server = g_strdup (relais_config_get_turn_server (config));
}

void
relais_call_options_clear (RelaisCallOptions *options)
{
  g_return_if_fail (options != NULL);

  g_clear_pointer (&options->video_device, g_free);
  g_clear_pointer (&options->audio_device, g_free);
  g_clear_pointer (&options->stun_server, g_free);
  g_clear_pointer (&options->turn_server, g_free);
}

RelaisCall *
relais_call_new (const RelaisCallOptions  *options,
                 GError                  **error)
{
  g_autoptr(RelaisCall) self = NULL;
  g_autoptr(GstBus) bus = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  if (!check_plugins (error))
    return NULL;

  self = g_object_new (RELAIS_TYPE_CALL, NULL);
  if (options != NULL)
    {
      self->options.video_device = g_strdup (options->video_device);
      self->options.audio_device = g_strdup (options->audio_device);
      self->options.width = options->width ? options->width : 640;
      self->options.height = options->height ? options->height : 480;
      self->options.framerate = options->framerate ? options->framerate : 30;
      self->options.video_kbps = options->video_kbps ? options->video_kbps : 600;
      self->options.prefer_h264 = options->prefer_h264;
      self->options.jitter_latency_ms = options->jitter_latency_ms;
      self->options.stun_server = g_strdup (options->stun_server);
      self->options.turn_server = g_strdup (options->turn_server);
    }

  if (self->options.prefer_h264 && !check_h264_plugins (error))
    return NULL;

  self->pipeline = gst_pipeline_new ("relais-call");
  gst_object_ref_sink (self->pipeline);
  bus = gst_element_get_bus (self->pipeline);
  /* Attaches to the thread-default context of the caller: the main one. */
  self->bus_watch_id = gst_bus_add_watch (bus, bus_message_cb, self);

  if (!build_media (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

RelaisCallState
relais_call_get_state (RelaisCall *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL (self), RELAIS_CALL_FAILED);

  return self->state;
}

const char *
relais_call_get_failure (RelaisCall *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL (self), NULL);

  return self->failure;
}

gboolean
relais_call_is_video_simulated (RelaisCall *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL (self), FALSE);

  return self->video_simulated;
}

gboolean
relais_call_is_audio_simulated (RelaisCall *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL (self), FALSE);

  return self->audio_simulated;
}

gboolean
relais_call_start_preview (RelaisCall  *self,
                           GError     **error)
{
  g_return_val_if_fail (RELAIS_IS_CALL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->dtls_thread == NULL)
    self->dtls_thread = warm_up_dtls ();
  return start_pipeline (self, error);
}

GstElement *
relais_call_get_local_video_sink (RelaisCall *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL (self), NULL);

  return self->local_sink;
}

GstElement *
relais_call_get_remote_video_sink (RelaisCall *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL (self), NULL);

  return self->remote_sink;
}

double
relais_call_get_mic_level (RelaisCall *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL (self), -100.0);

  return self->mic_level;
}

void
relais_call_set_muted (RelaisCall *self,
                       gboolean    muted)
{
  g_return_if_fail (RELAIS_IS_CALL (self));

  g_object_set (self->volume, "mute", !!muted, NULL);
}

void
relais_call_set_camera_off (RelaisCall *self,
                            gboolean    off)
{
  g_return_if_fail (RELAIS_IS_CALL (self));

  g_atomic_int_set (&self->camera_off, !!off);
}

void
relais_call_set_video_output (RelaisCall *self,
                              gboolean    enabled)
{
  g_return_if_fail (RELAIS_IS_CALL (self));

  g_atomic_int_set (&self->video_output_off, !enabled);
}

void
relais_call_set_local_addresses (RelaisCall         *self,
                                 const char * const *addresses)
{
  g_return_if_fail (RELAIS_IS_CALL (self));

  g_strfreev (self->local_addresses);
  self->local_addresses = g_strdupv ((char **) addresses);
}

guint
relais_call_add_peer (RelaisCall  *self,
                      const char  *direction,
                      GError     **error)
{
  g_autofree char *name = NULL;
  PeerDirection peer_direction;
  Peer *peer;

  g_return_val_if_fail (RELAIS_IS_CALL (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (g_strcmp0 (direction, "send") == 0)
    peer_direction = PEER_SEND;
  else if (g_strcmp0 (direction, "recv") == 0)
    peer_direction = PEER_RECV;
  else if (g_strcmp0 (direction, "sendrecv") == 0)
    peer_direction = PEER_SENDRECV;
  else
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("Sens de connexion inconnu : %s."), direction ? direction : "(null)");
      return 0;
    }

  if (self->state == RELAIS_CALL_ENDED || self->state == RELAIS_CALL_FAILED)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA, _("L’appel est terminé."));
      return 0;
    }

  peer = g_new0 (Peer, 1);
  peer->self = self;
  peer->id = ++self->next_peer_id;
  peer->direction = peer_direction;
  peer->channels = g_ptr_array_new_with_free_func (g_object_unref);
  peer->ice_state = GST_WEBRTC_ICE_CONNECTION_STATE_NEW;

  name = g_strdup_printf ("webrtc-%u-%s", peer->id, direction_to_string (peer_direction));
  peer->webrtc = gst_element_factory_make ("webrtcbin", name);
  if (peer->webrtc == NULL)
    {
      peer_free (peer);
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MISSING_PLUGIN,
                   _("Le module GStreamer « webrtc » est absent : installez le paquet gstreamer1.0-plugins-bad."));
      return 0;
    }
  gst_object_ref_sink (peer->webrtc);
  g_ptr_array_add (self->peers, peer);

  gst_util_set_object_arg (G_OBJECT (peer->webrtc), "bundle-policy", "max-bundle");
  g_object_set (peer->webrtc, "latency", self->options.jitter_latency_ms, NULL);
  if (self->options.stun_server != NULL)
    g_object_set (peer->webrtc, "stun-server", self->options.stun_server, NULL);
  if (self->options.turn_server != NULL)
    g_object_set (peer->webrtc, "turn-server", self->options.turn_server, NULL);
  configure_ice (self, peer->webrtc);

  g_signal_connect (peer->webrtc, "on-ice-candidate", G_CALLBACK (webrtc_on_ice_candidate_cb), peer);
  g_signal_connect (peer->webrtc, "notify::ice-gathering-state", G_CALLBACK (webrtc_gathering_state_cb), peer);
  g_signal_connect (peer->webrtc, "notify::ice-connection-state", G_CALLBACK (webrtc_ice_connection_state_cb), peer);
  g_signal_connect (peer->webrtc, "on-new-transceiver", G_CALLBACK (webrtc_new_transceiver_cb), peer);
  g_signal_connect (peer->webrtc, "on-data-channel", G_CALLBACK (webrtc_on_data_channel_cb), peer);
  g_signal_connect (peer->webrtc, "pad-added", G_CALLBACK (webrtc_pad_added_cb), peer);
  g_signal_connect (peer->webrtc, "deep-element-added", G_CALLBACK (webrtc_deep_element_added_cb), peer);

  /* In the pipeline's state before anything is linked to it: a buffer
   * reaching webrtcbin while it is still in NULL is refused with FLUSHING,
   * and that stops the branch for good (see add_send_branch). */
  gst_bin_add (GST_BIN (self->pipeline), peer->webrtc);
  if (!gst_element_sync_state_with_parent (peer->webrtc))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("La connexion n’a pas pu être préparée."));
      return 0;
    }

  if (peer_direction != PEER_RECV)
    {
      if (!add_send_branch (self, peer, FALSE, error) ||
          !add_send_branch (self, peer, TRUE, error))
        return 0;
    }

  g_debug ("Peer %u added (%s)", peer->id, direction_to_string (peer_direction));
  return peer->id;
}

void
relais_call_create_offer (RelaisCall *self,
                          guint       peer_id)
{
  g_autoptr(GError) error = NULL;
  Peer *peer;

  g_return_if_fail (RELAIS_IS_CALL (self));

  peer = find_peer (self, peer_id);
  g_return_if_fail (peer != NULL);

  if (!peer_schedule_negotiation (self, peer, &error))
    {
      g_warning ("Peer %u: cannot make an offer: %s", peer_id, error->message);
      fail (self, error->message);
    }
}

gboolean
relais_call_set_remote_description (RelaisCall  *self,
                                    guint        peer_id,
                                    const char  *type,
                                    const char  *sdp,
                                    GError     **error)
{
  g_autoptr(GstSDPMessage) message = NULL;
  Peer *peer;

  g_return_val_if_fail (RELAIS_IS_CALL (self), FALSE);
  g_return_val_if_fail (type != NULL && sdp != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  peer = find_peer (self, peer_id);
  if (peer == NULL)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                   _("Connexion inconnue (%u)."), peer_id);
      return FALSE;
    }

  if (gst_sdp_message_new_from_text (sdp, &message) != GST_SDP_OK ||
      gst_sdp_message_medias_len (message) == 0)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                   _("Le serveur a envoyé une description de session illisible."));
      return FALSE;
    }

  if (g_str_equal (type, "offer"))
    {
      g_free (peer->pending_offer);
      peer->pending_offer = g_strdup (sdp);
      return peer_schedule_negotiation (self, peer, error);
    }
  else if (g_str_equal (type, "answer"))
    {
      GstWebRTCSessionDescription *description =
        gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, g_steal_pointer (&message));

      g_signal_emit_by_name (peer->webrtc, "set-remote-description", description, NULL);
      gst_webrtc_session_description_free (description);
      return TRUE;
    }

  g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK,
               _("Type de description de session inconnu : %s."), type);
  return FALSE;
}

void
relais_call_add_remote_candidate (RelaisCall *self,
                                  guint       peer_id,
                                  guint       mline_index,
                                  const char *candidate)
{
  Peer *peer;

  g_return_if_fail (RELAIS_IS_CALL (self));

  peer = find_peer (self, peer_id);
  if (peer == NULL || candidate == NULL || *candidate == '\0')
    return;

  /* Some signalling servers keep the SDP attribute prefix. */
  if (g_str_has_prefix (candidate, "a="))
    candidate += 2;
  g_signal_emit_by_name (peer->webrtc, "add-ice-candidate", mline_index, candidate);
}

/* What every message must pass before it is queued, text or binary. */
static gboolean
can_queue_message (RelaisCall  *self,
                   gsize        length,
                   GError     **error)
{
  if (length > MAX_MESSAGE_SIZE)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                   _("Le message est trop long pour être envoyé."));
      return FALSE;
    }

  if (self->state >= RELAIS_CALL_ENDED || self->peers->len == 0)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                   _("Aucun conseiller n’est en ligne pour recevoir ce message."));
      return FALSE;
    }

  if (self->outgoing_bytes + length > MAX_QUEUED_BYTES)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                   _("La connexion est trop lente : le message n’a pas pu partir."));
      return FALSE;
    }

  return TRUE;
}

gboolean
relais_call_send_message (RelaisCall  *self,
                          const char  *text,
                          GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize length;

  g_return_val_if_fail (RELAIS_IS_CALL (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  length = strlen (text);
  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                   _("Le message est trop long pour être envoyé."));
      return FALSE;
    }
  if (!can_queue_message (self, length, error))
    return FALSE;

  bytes = g_bytes_new (text, length + 1);
  queue_outgoing (self, bytes, FALSE);
  flush_outgoing (self);
  return TRUE;
}

gboolean
relais_call_send_data (RelaisCall  *self,
                       GBytes      *data,
                       GError     **error)
{
  g_return_val_if_fail (RELAIS_IS_CALL (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_bytes_get_size (data) == 0)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                   _("Le message est trop long pour être envoyé."));
      return FALSE;
    }
  if (!can_queue_message (self, g_bytes_get_size (data), error))
    return FALSE;

  queue_outgoing (self, data, TRUE);
  flush_outgoing (self);
  return TRUE;
}

gsize
relais_call_get_send_queue_bytes (RelaisCall *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL (self), 0);

  return self->outgoing_bytes;
}

void
relais_call_get_stats (RelaisCall      *self,
                       RelaisCallStats *stats)
{
  g_return_if_fail (RELAIS_IS_CALL (self));
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
}

void
relais_call_hang_up (RelaisCall *self)
{
  g_return_if_fail (RELAIS_IS_CALL (self));

  if (self->state == RELAIS_CALL_ENDED)
    return;

  stop_media (self);
  set_state (self, RELAIS_CALL_ENDED);
}
