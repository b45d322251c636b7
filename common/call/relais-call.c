/* relais-call.c
 *
 * RelaisCall: the object, its state, signalling (offer/answer, ICE) and
 * the public API. The pipeline and its codecs are in relais-call-media.c,
 * the data channel in relais-call-channel.c, the statistics in
 * relais-call-stats.c; relais-call-private.h holds what they share.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-call"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

/* The WebRTC library of gst-plugins-bad still calls itself unstable. */
#define GST_USE_UNSTABLE_API
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "relais-call-private.h"
#include "relais-error.h"
#include "relais-ice.h"
#include "relais-main-hop.h"

#define STATS_INTERVAL_MS       1000
/* How long a sending peer may go without a single buffer from the camera
 * or the microphone reaching webrtcbin before the call is declared dead. */
#define MEDIA_WAIT_MAX_MS       10000

G_DEFINE_FINAL_TYPE (RelaisCall, relais_call, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_FAILURE,
  PROP_MIC_LEVEL,
  PROP_LINK_STEP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

guint _relais_call_signals[N_SIGNALS];

/* ---- Hopping to the main context ---------------------------------------- */

void
_relais_call_hop (RelaisCall     *self,
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

PromiseData *
_relais_call_promise_data_new (RelaisCall *self,
                               guint       peer_id)
{
  PromiseData *data = g_new0 (PromiseData, 1);

  g_weak_ref_init (&data->self, self);
  data->peer_id = peer_id;
  return data;
}

void
_relais_call_promise_data_free (gpointer user_data)
{
  PromiseData *data = user_data;

  g_weak_ref_clear (&data->self);
  g_free (data);
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

Peer *
_relais_call_find_peer (RelaisCall *self,
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
  if (peer->webrtc != NULL && peer->relayed)
    {
      g_autoptr(GstObject) ice = NULL;

      g_object_get (peer->webrtc, "ice-agent", &ice, NULL);
      if (ice != NULL)
        relais_ice_release (G_OBJECT (ice));
    }
  g_clear_object (&peer->webrtc);
  g_clear_object (&peer->video_encoder);
  g_clear_object (&peer->audio_encoder);
  g_clear_object (&peer->video_valve);
  g_clear_object (&peer->video_rate);
  g_clear_object (&peer->video_size);
  g_clear_pointer (&peer->rate, relais_call_rate_free);
  g_free (peer->pending_offer);
  g_free (peer);
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
void
_relais_call_update_state (RelaisCall *self)
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

  if (_relais_call_find_peer (self, event->peer_id) == NULL)
    return;

  g_signal_emit (self, _relais_call_signals[SIGNAL_LOCAL_CANDIDATE], 0,
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
  _relais_call_hop (peer->self, candidate_on_main, event, peer_event_free);
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
  _relais_call_hop (peer->self, candidate_on_main, event, peer_event_free);
}

static void
ice_state_on_main (RelaisCall *self,
                   gpointer    data)
{
  PeerEvent *event = data;
  Peer *peer = _relais_call_find_peer (self, event->peer_id);

  if (peer == NULL)
    return;

  g_debug ("Peer %u: ICE state %d", peer->id, event->ice_state);
  peer->ice_state = event->ice_state;
  _relais_call_update_state (self);
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
  _relais_call_hop (peer->self, ice_state_on_main, event, peer_event_free);
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
    self->stats_source = call_add_timeout (self, STATS_INTERVAL_MS, _relais_call_stats_tick_cb, self);
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
  Peer *peer = _relais_call_find_peer (self, description_data->peer_id);
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
  g_signal_emit (self, _relais_call_signals[SIGNAL_LOCAL_DESCRIPTION], 0, peer->id, type, text);
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
  _relais_call_hop (self, local_description_on_main, description_data, description_data_free);
}

/* Asks @peer's webrtcbin for our description, @signal_name being
 * "create-offer" or "create-answer": description_created_cb goes on. */
static void
peer_create_description (RelaisCall *self,
                         Peer       *peer,
                         const char *signal_name)
{
  GstPromise *promise = gst_promise_new_with_change_func (description_created_cb,
                                                          _relais_call_promise_data_new (self, peer->id),
                                                          _relais_call_promise_data_free);

  g_signal_emit_by_name (peer->webrtc, signal_name, NULL, promise);
  gst_promise_unref (promise);
}

static void
create_answer_on_main (RelaisCall *self,
                       gpointer    data)
{
  Peer *peer = _relais_call_find_peer (self, GPOINTER_TO_UINT (data));

  if (peer == NULL || self->state >= RELAIS_CALL_ENDED)
    return;

  _relais_call_peer_open_receive_channel (peer);
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

  _relais_call_hop (self, create_answer_on_main, GUINT_TO_POINTER (data->peer_id), NULL);
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
                                                  _relais_call_promise_data_new (self, peer->id),
                                                  _relais_call_promise_data_free);
      g_signal_emit_by_name (peer->webrtc, "set-remote-description", description, promise);
      gst_promise_unref (promise);
      gst_webrtc_session_description_free (description);
    }
  else
    {
      if (peer->direction != PEER_RECV && peer->channel == NULL)
        {
          GstWebRTCDataChannel *channel = _relais_call_peer_create_channel (peer);

          if (channel != NULL)
            {
              _relais_call_peer_watch_channel (peer, channel);
              peer->channel = channel;
            }
          else
            g_warning ("Peer %u: could not create the data channel", peer->id);
        }

      if (peer->direction == PEER_RECV)
        {
          g_autoptr(GstCaps) video = gst_caps_from_string ("application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96");

          /* Whatever we send, we can receive H.264 when it decodes here. */
          if (_relais_call_h264_decoder_factory () != NULL)
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
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->webrtc != NULL)
        _relais_call_unblock_data_channel (peer->webrtc);
    }
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_queue_clear_full (&self->outgoing, _relais_call_outgoing_free);
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
  _relais_call_far_reports_release (self->far_reports);
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
    case PROP_LINK_STEP:
      g_value_set_enum (value, self->link_step);
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
  /* The send rate controller's step (relais_call_get_link_step). */
  properties[PROP_LINK_STEP] =
    g_param_spec_enum ("link-step", NULL, NULL,
                       RELAIS_TYPE_CALL_LINK_STEP, RELAIS_CALL_LINK_FULL,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (peer id, "offer" | "answer", SDP text) */
  _relais_call_signals[SIGNAL_LOCAL_DESCRIPTION] =
    g_signal_new ("local-description", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_UINT, G_TYPE_STRING, G_TYPE_STRING);
  /* (peer id, m-line index, candidate or NULL when gathering is complete) */
  _relais_call_signals[SIGNAL_LOCAL_CANDIDATE] =
    g_signal_new ("local-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);
  _relais_call_signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* (GBytes) one binary message, ≤ 64 KiB */
  _relais_call_signals[SIGNAL_DATA_RECEIVED] =
    g_signal_new ("data-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  /* Our send queue holds less than 256 KiB again. */
  _relais_call_signals[SIGNAL_SEND_QUEUE_LOW] =
    g_signal_new ("send-queue-low", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (gint64 monotonic µs, when it was decoded) the first remote video
   * frame of the call, once. */
  _relais_call_signals[SIGNAL_FIRST_REMOTE_FRAME] =
    g_signal_new ("first-remote-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
relais_call_init (RelaisCall *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->peers = g_ptr_array_new_with_free_func (peer_free);
  self->far_reports = _relais_call_far_reports_new ();
  self->mic_level = -100.0;
  self->state = RELAIS_CALL_IDLE;
  g_queue_init (&self->outgoing);
  relais_call_options_init (&self->options);
}

/* ---- Public API ----------------------------------------------------------------------------- */

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
  options->force_relay = relais_config_get_force_relay (config);
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

  if (!_relais_call_check_plugins (error))
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
      self->options.force_relay = options->force_relay;
    }

  if (self->options.prefer_h264 && !_relais_call_check_h264_plugins (error))
    return NULL;

  self->pipeline = gst_pipeline_new ("relais-call");
  gst_object_ref_sink (self->pipeline);
  bus = gst_element_get_bus (self->pipeline);
  /* Attaches to the thread-default context of the caller: the main one. */
  self->bus_watch_id = gst_bus_add_watch (bus, bus_message_cb, self);

  if (!_relais_call_build_media (self, error))
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

void
_relais_call_set_link_step (RelaisCall         *self,
                            RelaisCallLinkStep  step)
{
  if (self->link_step == step)
    return;

  g_debug ("Link step %d -> %d", self->link_step, step);
  self->link_step = step;
  self->stats.link_step = step;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINK_STEP]);
}

RelaisCallLinkStep
relais_call_get_link_step (RelaisCall *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL (self), RELAIS_CALL_LINK_FULL);

  return self->link_step;
}

const char *
relais_call_link_step_describe (RelaisCallLinkStep step)
{
  if (step == RELAIS_CALL_LINK_AUDIO_ONLY)
    return _("La connexion est faible : l’image est coupée, le son continue.");
  return NULL;
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
    {
      g_auto(GStrv) servers = g_strsplit (self->options.turn_server, ";", -1);

      /* Each one gathers its relay candidates (UDP, and TCP unless the URL
       * says which); a refused one is said without its password. */
      for (guint i = 0; servers[i] != NULL; i++)
        {
          gboolean added = FALSE;

          g_signal_emit_by_name (peer->webrtc, "add-turn-server", servers[i], &added);
          peer->relayed = peer->relayed || added;
          if (!added)
            g_warning ("TURN server %u of %u refused by webrtcbin", i + 1, g_strv_length (servers));
        }
    }
  if (self->options.force_relay)
    gst_util_set_object_arg (G_OBJECT (peer->webrtc), "ice-transport-policy", "relay");
  configure_ice (self, peer->webrtc);

  g_signal_connect (peer->webrtc, "on-ice-candidate", G_CALLBACK (webrtc_on_ice_candidate_cb), peer);
  g_signal_connect (peer->webrtc, "notify::ice-gathering-state", G_CALLBACK (webrtc_gathering_state_cb), peer);
  g_signal_connect (peer->webrtc, "notify::ice-connection-state", G_CALLBACK (webrtc_ice_connection_state_cb), peer);
  g_signal_connect (peer->webrtc, "on-new-transceiver", G_CALLBACK (webrtc_new_transceiver_cb), peer);
  g_signal_connect (peer->webrtc, "on-data-channel", G_CALLBACK (_relais_call_webrtc_on_data_channel_cb), peer);
  g_signal_connect (peer->webrtc, "pad-added", G_CALLBACK (_relais_call_webrtc_pad_added_cb), peer);
  g_signal_connect (peer->webrtc, "deep-element-added", G_CALLBACK (_relais_call_webrtc_deep_element_added_cb), peer);

  /* In the pipeline's state before anything is linked to it: a buffer
   * reaching webrtcbin while it is still in NULL is refused with FLUSHING,
   * and that stops the branch for good (see _relais_call_add_send_branch). */
  gst_bin_add (GST_BIN (self->pipeline), peer->webrtc);
  if (!gst_element_sync_state_with_parent (peer->webrtc))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("La connexion n’a pas pu être préparée."));
      return 0;
    }

  if (peer_direction != PEER_RECV)
    {
      if (!_relais_call_add_send_branch (self, peer, FALSE, error) ||
          !_relais_call_add_send_branch (self, peer, TRUE, error))
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

  peer = _relais_call_find_peer (self, peer_id);
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

  peer = _relais_call_find_peer (self, peer_id);
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

  peer = _relais_call_find_peer (self, peer_id);
  if (peer == NULL || candidate == NULL || *candidate == '\0')
    return;

  /* Some signalling servers keep the SDP attribute prefix. */
  if (g_str_has_prefix (candidate, "a="))
    candidate += 2;
  g_signal_emit_by_name (peer->webrtc, "add-ice-candidate", mline_index, candidate);
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
