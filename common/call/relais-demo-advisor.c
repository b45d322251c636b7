/* relais-demo-advisor.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-demo-advisor"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#define GST_USE_UNSTABLE_API
#include <gst/sdp/sdp.h>
#include <json-glib/json-glib.h>
#include <gst/webrtc/webrtc.h>

#include "relais-demo-advisor.h"
#include "relais-error.h"
#include "relais-ice.h"
#include "relais-main-hop.h"

#define LOOPBACK_ADDRESS        "127.0.0.1"
/* What the advisor sends, fixed, in the capsfilters behind the payloaders:
 * webrtcbin queries them when it answers, so the answer never waits for
 * the first encoded frame. The payload types are the kiosk's (RelaisCall
 * offers 96 VP8 and 97 Opus). No codec-preferences here: the answerer's
 * transceivers are matched to the offer's m-lines by these caps, and pads
 * requested by name ("sink_0") would pin them to an m-line instead. */
#define VIDEO_RTP_CAPS \
  "application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96," \
  "rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true"
#define AUDIO_RTP_CAPS \
  "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=97," \
  "encoding-params=(string)2"

struct _RelaisDemoAdvisor
{
  GObject               parent_instance;

  GMainContext         *context;
  guint                 width;
  guint                 height;
  guint                 framerate;

  GstElement           *pipeline;
  guint                 bus_watch_id;
  GstElement           *webrtc;
  GstWebRTCDataChannel *channel;

  RelaisCall           *call;
  guint                 peer_id;
  gulong                description_handler;
  gulong                candidate_handler;
  gulong                state_handler;

  gboolean              offer_applied;
  GPtrArray            *pending_candidates;   /* CandidateData */

  guint                 replies_sent;
  gint                  frames_received;      /* atomic: counted on a streaming thread */
  gint                  greeted;              /* atomic */
  gboolean              disposed;
};

G_DEFINE_FINAL_TYPE (RelaisDemoAdvisor, relais_demo_advisor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_FRAMERATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_MESSAGE_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  guint  mline;
  char  *candidate;
} CandidateData;

static void
candidate_data_free (gpointer data)
{
  CandidateData *candidate = data;

  g_free (candidate->candidate);
  g_free (candidate);
}

/* ---- Hopping to the main context -------------------------------------------- */

typedef void (*MainFunc) (RelaisDemoAdvisor *self, gpointer data);

static void
advisor_hop (RelaisDemoAdvisor *self,
             MainFunc           func,
             gpointer           data,
             GDestroyNotify     destroy)
{
  /* The double cast is GLib's G_CALLBACK idiom: the wrapper's typed first
   * parameter is the owner relais_main_hop() hands back. */
  relais_main_hop (self->context, self, &self->disposed, "[relais-demo-advisor] hop",
                   (RelaisMainHopFunc) (void (*) (void)) func, data, destroy);
}

typedef struct
{
  GWeakRef  self;
} PromiseData;

static PromiseData *
promise_data_new (RelaisDemoAdvisor *self)
{
  PromiseData *data = g_new0 (PromiseData, 1);

  g_weak_ref_init (&data->self, self);
  return data;
}

static void
promise_data_free (gpointer user_data)
{
  PromiseData *data = user_data;

  g_weak_ref_clear (&data->self);
  g_free (data);
}

/* ---- Chat bot ------------------------------------------------------------------ */

static void
send_text (RelaisDemoAdvisor *self,
           const char        *text)
{
  g_autoptr(GError) error = NULL;

  if (self->channel == NULL)
    return;
  if (!gst_webrtc_data_channel_send_string_full (self->channel, text, &error))
    g_warning ("Demo advisor could not answer: %s", error->message);
}

static const char *
bot_reply (RelaisDemoAdvisor *self)
{
  const char *replies[] = {
    N_("Je suis un conseiller de démonstration : en vrai, un agent du service vous répondrait ici."),
    N_("Dans un vrai rendez-vous, vous pourriez aussi m’envoyer un document avec le scanner."),
    N_("Merci pour votre message. Quand vous avez terminé, appuyez sur « Raccrocher »."),
  };

  return _(replies[self->replies_sent++ % G_N_ELEMENTS (replies)]);
}

/* A control envelope (PROTOCOL.md, section 5: an object with an integer
 * "relais"), not a chat line: nothing to answer. */
static gboolean
is_control (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *obj;
  JsonNode *version;

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  obj = json_node_get_object (root);
  version = json_object_get_member (obj, "relais");
  return version != NULL && JSON_NODE_HOLDS_VALUE (version) &&
         json_node_get_value_type (version) == G_TYPE_INT64 &&
         g_strcmp0 (json_object_get_string_member_with_default (obj, "type", ""), "chat") != 0;
}

static void
message_on_main (RelaisDemoAdvisor *self,
                 gpointer           data)
{
  const char *text = data;

  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, text);
  if (!is_control (text))
    send_text (self, bot_reply (self));
}

static void
channel_message_string_cb (GstWebRTCDataChannel *channel,
                           const char           *text,
                           RelaisDemoAdvisor    *self)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return;
  advisor_hop (self, message_on_main, g_strdup (text), g_free);
}

static void
greet_on_main (RelaisDemoAdvisor *self,
               gpointer           data)
{
  GstWebRTCDataChannel *channel = data;

  if (self->channel == NULL)
    self->channel = g_object_ref (channel);
  if (g_atomic_int_compare_and_exchange (&self->greeted, 0, 1))
    send_text (self, _("Bonjour, je suis le conseiller de démonstration de Relais. "
                       "Écrivez-moi un message pour essayer la discussion."));
}

/* The kiosk opens the channel (it is the offerer); connect to it before
 * returning or the first message may be missed. A channel announced here
 * is already open. */
static void
webrtc_on_data_channel_cb (GstElement           *webrtc,
                           GstWebRTCDataChannel *channel,
                           RelaisDemoAdvisor    *self)
{
  g_signal_connect_object (channel, "on-message-string",
                           G_CALLBACK (channel_message_string_cb), self, 0);
  advisor_hop (self, greet_on_main, g_object_ref (channel), g_object_unref);
}

/* ---- Media ---------------------------------------------------------------------- */

static GstPadProbeReturn
frame_probe_cb (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         user_data)
{
  RelaisDemoAdvisor *self = user_data;

  g_atomic_int_inc (&self->frames_received);
  return GST_PAD_PROBE_OK;
}

/* Link here and now: deferring gives not-linked errors. The advisor shows
 * nothing; it only counts the kiosk's frames. */
static void
decodebin_pad_added_cb (GstElement        *decodebin,
                        GstPad            *pad,
                        RelaisDemoAdvisor *self)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  g_autoptr(GstPad) sink_pad = NULL;

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (self->pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sink_pad = gst_element_get_static_pad (sink, "sink");

  if (caps != NULL && g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps, 0)), "video/"))
    gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, frame_probe_cb, self, NULL);

  if (gst_pad_link (pad, sink_pad) != GST_PAD_LINK_OK)
    g_warning ("Demo advisor: could not link a decoded stream");
}

static void
webrtc_pad_added_cb (GstElement        *webrtc,
                     GstPad            *pad,
                     RelaisDemoAdvisor *self)
{
  GstElement *decodebin;
  g_autoptr(GstPad) sink_pad = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  decodebin = gst_element_factory_make ("decodebin", NULL);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (decodebin_pad_added_cb), self);
  gst_bin_add (GST_BIN (self->pipeline), decodebin);
  gst_element_sync_state_with_parent (decodebin);
  sink_pad = gst_element_get_static_pad (decodebin, "sink");
  if (gst_pad_link (pad, sink_pad) != GST_PAD_LINK_OK)
    g_warning ("Demo advisor: could not link a remote stream");
}

static gboolean
bus_message_cb (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  RelaisDemoAdvisor *self = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) error = NULL;

      gst_message_parse_error (message, &error, NULL);
      g_warning ("Demo advisor pipeline error from %s: %s",
                 GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message);
      GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS (GST_BIN (self->pipeline), GST_DEBUG_GRAPH_SHOW_ALL,
                                         "relais-demo-advisor-error");
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
build_pipeline (RelaisDemoAdvisor  *self,
                GError            **error)
{
  g_autofree char *description = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstElementFactory) overlay = gst_element_factory_find ("textoverlay");
  g_autoptr(GstObject) ice = NULL;
  gboolean added = FALSE;

  /* A fixed graph: gst_parse is the readable way. The pattern moves so a
   * frozen picture is obvious; the caption says who this is when the pango
   * plugin is there (gstreamer1.0-plugins-base, it usually is). The encoder
   * settings are those of RelaisCall: real time, constant rate. */
  description = g_strdup_printf (
    "webrtcbin name=webrtc bundle-policy=max-bundle latency=100 "
    "videotestsrc is-live=true pattern=ball ! "
    "video/x-raw,width=%u,height=%u,framerate=%u/1 ! %s"
    "videoconvert ! video/x-raw,format=I420 ! "
    "queue max-size-buffers=3 max-size-bytes=0 max-size-time=0 leaky=downstream ! "
    "vp8enc deadline=1 end-usage=cbr target-bitrate=500000 cpu-used=8 threads=1 "
    "lag-in-frames=0 keyframe-max-dist=60 error-resilient=default ! "
    "rtpvp8pay pt=96 picture-id-mode=15-bit ! %s ! webrtc. "
    "audiotestsrc is-live=true wave=sine freq=330 volume=0.02 ! "
    "audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 ! "
    "queue max-size-buffers=10 max-size-bytes=0 max-size-time=0 leaky=downstream ! "
    "opusenc bitrate=32000 ! rtpopuspay pt=97 ! %s ! webrtc. ",
    self->width, self->height, self->framerate,
    overlay != NULL
      ? "textoverlay name=caption valignment=bottom "
        "halignment=center font-desc=\"Sans 18\" ! "
      : "",
    VIDEO_RTP_CAPS, AUDIO_RTP_CAPS);

  self->pipeline = gst_parse_launch (description, &local_error);
  if (self->pipeline == NULL || local_error != NULL)
    {
      g_clear_object (&self->pipeline);
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MISSING_PLUGIN,
                   _("Le conseiller de démonstration n’a pas pu être préparé : %s"),
                   local_error ? local_error->message : "");
      return FALSE;
    }
  gst_object_ref_sink (self->pipeline);

  /* Set here rather than in the description: the caption is translated,
   * and a translation must not be able to break the parse. */
  if (overlay != NULL)
    {
      g_autoptr(GstElement) caption = gst_bin_get_by_name (GST_BIN (self->pipeline), "caption");

      g_object_set (caption, "text", _("Conseiller de démonstration"), NULL);
    }

  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch_id = gst_bus_add_watch (bus, bus_message_cb, self);

  self->webrtc = gst_bin_get_by_name (GST_BIN (self->pipeline), "webrtc");

  /* Same ICE settings as the kiosk (no UPnP, no ICE-TCP), and loopback:
   * libnice gathers there only when told to. */
  g_object_get (self->webrtc, "ice-agent", &ice, NULL);
  if (ice != NULL)
    {
      relais_ice_configure (G_OBJECT (ice));
      g_signal_emit_by_name (ice, "add-local-ip-address", LOOPBACK_ADDRESS, &added);
    }
  if (!added)
    g_warning ("Demo advisor: could not restrict ICE to loopback");

  g_signal_connect_object (self->webrtc, "pad-added", G_CALLBACK (webrtc_pad_added_cb), self, 0);
  g_signal_connect_object (self->webrtc, "on-data-channel", G_CALLBACK (webrtc_on_data_channel_cb), self, 0);

  return TRUE;
}

/* ---- Signalling with the call ------------------------------------------------------- */

static void
candidate_to_call_on_main (RelaisDemoAdvisor *self,
                           gpointer           data)
{
  CandidateData *candidate = data;

  if (self->call != NULL)
    relais_call_add_remote_candidate (self->call, self->peer_id, candidate->mline, candidate->candidate);
}

static void
webrtc_on_ice_candidate_cb (GstElement        *webrtc,
                            guint              mline,
                            const char        *text,
                            RelaisDemoAdvisor *self)
{
  CandidateData *candidate;

  if (text == NULL || *text == '\0')
    return;

  candidate = g_new0 (CandidateData, 1);
  candidate->mline = mline;
  candidate->candidate = g_strdup (text);
  advisor_hop (self, candidate_to_call_on_main, candidate, candidate_data_free);
}

static void
answer_on_main (RelaisDemoAdvisor *self,
                gpointer           data)
{
  GstWebRTCSessionDescription *answer = data;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  if (self->call == NULL)
    return;

  g_signal_emit_by_name (self->webrtc, "set-local-description", answer, NULL);
  text = gst_sdp_message_as_text (answer->sdp);
  if (!relais_call_set_remote_description (self->call, self->peer_id, "answer", text, &error))
    g_warning ("Demo advisor: the call refused the answer: %s", error->message);
}

static void
answer_created_cb (GstPromise *promise,
                   gpointer    user_data)
{
  PromiseData *data = user_data;
  g_autoptr(RelaisDemoAdvisor) self = g_weak_ref_get (&data->self);
  GstWebRTCSessionDescription *answer = NULL;
  const GstStructure *reply;

  if (self == NULL)
    return;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED ||
      (reply = gst_promise_get_reply (promise)) == NULL ||
      !gst_structure_get (reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL))
    {
      g_warning ("Demo advisor: could not answer the kiosk's offer");
      return;
    }

  advisor_hop (self, answer_on_main, answer, (GDestroyNotify) gst_webrtc_session_description_free);
}

static void
create_answer_on_main (RelaisDemoAdvisor *self,
                       gpointer           data)
{
  GstPromise *promise;

  if (self->call == NULL)
    return;

  promise = gst_promise_new_with_change_func (answer_created_cb, promise_data_new (self),
                                              promise_data_free);
  g_signal_emit_by_name (self->webrtc, "create-answer", NULL, promise);
  gst_promise_unref (promise);
}

static void
offer_set_cb (GstPromise *promise,
              gpointer    user_data)
{
  PromiseData *data = user_data;
  g_autoptr(RelaisDemoAdvisor) self = g_weak_ref_get (&data->self);

  if (self != NULL)
    advisor_hop (self, create_answer_on_main, NULL, NULL);
}

static void
apply_offer (RelaisDemoAdvisor *self,
             const char        *text)
{
  g_autoptr(GstSDPMessage) sdp = NULL;
  GstWebRTCSessionDescription *offer;
  GstPromise *promise;

  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK)
    {
      g_warning ("Demo advisor: unreadable offer");
      return;
    }

  offer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, g_steal_pointer (&sdp));
  promise = gst_promise_new_with_change_func (offer_set_cb, promise_data_new (self),
                                              promise_data_free);
  g_signal_emit_by_name (self->webrtc, "set-remote-description", offer, promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (offer);

  /* webrtcbin runs its operations in order: candidates queued behind the
   * offer find their stream. */
  self->offer_applied = TRUE;
  for (guint i = 0; i < self->pending_candidates->len; i++)
    {
      CandidateData *candidate = g_ptr_array_index (self->pending_candidates, i);

      g_signal_emit_by_name (self->webrtc, "add-ice-candidate", candidate->mline, candidate->candidate);
    }
  g_ptr_array_set_size (self->pending_candidates, 0);
}

static void
call_local_description_cb (RelaisCall        *call,
                           guint              peer_id,
                           const char        *type,
                           const char        *sdp,
                           RelaisDemoAdvisor *self)
{
  if (peer_id != self->peer_id || g_strcmp0 (type, "offer") != 0)
    return;

  /* No need to wait for our encoders: the answer is built from the codec
   * preferences. */
  apply_offer (self, sdp);
}

static void
call_local_candidate_cb (RelaisCall        *call,
                         guint              peer_id,
                         guint              mline,
                         const char        *candidate,
                         RelaisDemoAdvisor *self)
{
  CandidateData *data;

  if (peer_id != self->peer_id || candidate == NULL)
    return;

  if (self->offer_applied)
    {
      g_signal_emit_by_name (self->webrtc, "add-ice-candidate", mline, candidate);
      return;
    }

  data = g_new0 (CandidateData, 1);
  data->mline = mline;
  data->candidate = g_strdup (candidate);
  g_ptr_array_add (self->pending_candidates, data);
}

static void
call_state_cb (RelaisCall        *call,
               GParamSpec        *pspec,
               RelaisDemoAdvisor *self)
{
  RelaisCallState state = relais_call_get_state (call);

  if (state == RELAIS_CALL_ENDED || state == RELAIS_CALL_FAILED)
    relais_demo_advisor_disconnect (self);
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
relais_demo_advisor_dispose (GObject *object)
{
  RelaisDemoAdvisor *self = RELAIS_DEMO_ADVISOR (object);

  self->disposed = TRUE;
  relais_demo_advisor_disconnect (self);

  if (self->bus_watch_id != 0)
    {
      g_autoptr(GstBus) bus = gst_element_get_bus (self->pipeline);

      gst_bus_remove_watch (bus);
      self->bus_watch_id = 0;
    }
  if (self->webrtc != NULL)
    g_signal_handlers_disconnect_by_data (self->webrtc, self);
  g_clear_object (&self->channel);
  g_clear_object (&self->webrtc);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (relais_demo_advisor_parent_class)->dispose (object);
}

static void
relais_demo_advisor_finalize (GObject *object)
{
  RelaisDemoAdvisor *self = RELAIS_DEMO_ADVISOR (object);

  g_ptr_array_unref (self->pending_candidates);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (relais_demo_advisor_parent_class)->finalize (object);
}

static void
relais_demo_advisor_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  RelaisDemoAdvisor *self = RELAIS_DEMO_ADVISOR (object);

  switch (prop_id)
    {
    case PROP_WIDTH:
      g_value_set_uint (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_uint (value, self->height);
      break;
    case PROP_FRAMERATE:
      g_value_set_uint (value, self->framerate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_demo_advisor_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  RelaisDemoAdvisor *self = RELAIS_DEMO_ADVISOR (object);
  guint *field;

  switch (prop_id)
    {
    case PROP_WIDTH:
      field = &self->width;
      break;
    case PROP_HEIGHT:
      field = &self->height;
      break;
    case PROP_FRAMERATE:
      field = &self->framerate;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  if (*field != g_value_get_uint (value))
    {
      *field = g_value_get_uint (value);
      g_object_notify_by_pspec (object, pspec);
    }
}

static void
relais_demo_advisor_class_init (RelaisDemoAdvisorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_demo_advisor_dispose;
  object_class->finalize = relais_demo_advisor_finalize;
  object_class->get_property = relais_demo_advisor_get_property;
  object_class->set_property = relais_demo_advisor_set_property;

  properties[PROP_WIDTH] =
    g_param_spec_uint ("width", NULL, NULL, 16, 1920, 640,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HEIGHT] =
    g_param_spec_uint ("height", NULL, NULL, 16, 1080, 480,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FRAMERATE] =
    g_param_spec_uint ("framerate", NULL, NULL, 1, 60, 30,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
relais_demo_advisor_init (RelaisDemoAdvisor *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->width = 640;
  self->height = 480;
  self->framerate = 30;
  self->pending_candidates = g_ptr_array_new_with_free_func (candidate_data_free);
}

/* ---- Public API ------------------------------------------------------------------------------ */

RelaisDemoAdvisor *
relais_demo_advisor_new (void)
{
  return g_object_new (RELAIS_TYPE_DEMO_ADVISOR, NULL);
}

gboolean
relais_demo_advisor_connect (RelaisDemoAdvisor  *self,
                             RelaisCall         *call,
                             GError            **error)
{
  static const char * const loopback[] = { LOOPBACK_ADDRESS, NULL };

  g_return_val_if_fail (RELAIS_IS_DEMO_ADVISOR (self), FALSE);
  g_return_val_if_fail (RELAIS_IS_CALL (call), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->call != NULL || self->pipeline != NULL)
    {
      /* One webrtcbin per call: re-using one is untested upstream. */
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("Le conseiller de démonstration est déjà en ligne."));
      return FALSE;
    }

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  if (!build_pipeline (self, error))
    return FALSE;

  g_signal_connect_object (self->webrtc, "on-ice-candidate",
                           G_CALLBACK (webrtc_on_ice_candidate_cb), self, 0);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("Le conseiller de démonstration n’a pas pu démarrer."));
      return FALSE;
    }

  /* Loopback for the kiosk's side of this peer too; other peers of the
   * call keep every interface. */
  relais_call_set_local_addresses (call, loopback);
  self->peer_id = relais_call_add_peer (call, "sendrecv", error);
  relais_call_set_local_addresses (call, NULL);
  if (self->peer_id == 0)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      return FALSE;
    }

  self->call = g_object_ref (call);
  self->description_handler =
    g_signal_connect (call, "local-description", G_CALLBACK (call_local_description_cb), self);
  self->candidate_handler =
    g_signal_connect (call, "local-candidate", G_CALLBACK (call_local_candidate_cb), self);
  self->state_handler =
    g_signal_connect (call, "notify::state", G_CALLBACK (call_state_cb), self);

  relais_call_create_offer (call, self->peer_id);
  return relais_call_get_state (call) != RELAIS_CALL_FAILED;
}

void
relais_demo_advisor_disconnect (RelaisDemoAdvisor *self)
{
  g_return_if_fail (RELAIS_IS_DEMO_ADVISOR (self));

  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);

  if (self->call != NULL)
    {
      g_clear_signal_handler (&self->description_handler, self->call);
      g_clear_signal_handler (&self->candidate_handler, self->call);
      g_clear_signal_handler (&self->state_handler, self->call);
      g_clear_object (&self->call);
    }
  g_ptr_array_set_size (self->pending_candidates, 0);
}

guint64
relais_demo_advisor_get_frames_received (RelaisDemoAdvisor *self)
{
  g_return_val_if_fail (RELAIS_IS_DEMO_ADVISOR (self), 0);

  return (guint) g_atomic_int_get (&self->frames_received);
}
