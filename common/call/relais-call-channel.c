/* relais-call-channel.c
 *
 * RelaisCall's data channel: chat, control and document chunks, queued in
 * order and paced on the channel's buffer.
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

void
_relais_call_outgoing_free (gpointer data)
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
      _relais_call_outgoing_free (item);
    }

  /* Who sends in bulk (documents) tops the queue up from here. */
  if (sent && self->outgoing_bytes < SEND_QUEUE_LOW_WATER)
    g_signal_emit (self, _relais_call_signals[SIGNAL_SEND_QUEUE_LOW], 0);
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
  g_signal_emit (self, _relais_call_signals[SIGNAL_MESSAGE_RECEIVED], 0, (const char *) data);
}

static void
channel_message_string_cb (GstWebRTCDataChannel *channel,
                           const char           *text,
                           Peer                 *peer)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return;

  _relais_call_hop (peer->self, message_on_main, g_strdup (text), g_free);
}

static void
data_on_main (RelaisCall *self,
              gpointer    data)
{
  g_signal_emit (self, _relais_call_signals[SIGNAL_DATA_RECEIVED], 0, (GBytes *) data);
}

static void
channel_message_data_cb (GstWebRTCDataChannel *channel,
                         GBytes               *bytes,
                         Peer                 *peer)
{
  if (bytes == NULL)
    return;

  _relais_call_hop (peer->self, data_on_main, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
}

static void
channel_open_cb (GstWebRTCDataChannel *channel,
                 Peer                 *peer)
{
  g_debug ("Data channel of peer %u open", peer->id);
  _relais_call_hop (peer->self, channel_flush_on_main, NULL, NULL);
}

static void
channel_buffered_amount_low_cb (GstWebRTCDataChannel *channel,
                                Peer                 *peer)
{
  _relais_call_hop (peer->self, channel_flush_on_main, NULL, NULL);
}

static void
channel_error_cb (GstWebRTCDataChannel *channel,
                  GError               *error,
                  Peer                 *peer)
{
  g_warning ("Data channel of peer %u: %s", peer->id, error ? error->message : "error");
}

void
_relais_call_peer_watch_channel (Peer                 *peer,
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
  Peer *peer = _relais_call_find_peer (self, channel_data->peer_id);

  if (peer == NULL)
    return;

  if (peer->channel == NULL)
    peer->channel = g_object_ref (channel_data->channel);
  flush_outgoing (self);
}

/* The remote side opened a channel (Janus offers one to subscribers, a
 * browser may open its own). Connect before leaving the callback, or the
 * first messages are lost; the rest happens on the main context. */
void
_relais_call_webrtc_on_data_channel_cb (GstElement           *webrtc,
                                        GstWebRTCDataChannel *channel,
                                        Peer                 *peer)
{
  ChannelData *data = g_new0 (ChannelData, 1);

  g_debug ("Peer %u: the other side opened a data channel", peer->id);
  _relais_call_peer_watch_channel (peer, channel);
  data->peer_id = peer->id;
  data->channel = g_object_ref (channel);
  _relais_call_hop (peer->self, data_channel_on_main, data, channel_data_free);
}

/* Our ordered data channel on @peer's webrtcbin (transfer full), or NULL. */
GstWebRTCDataChannel *
_relais_call_peer_create_channel (Peer *peer)
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
void
_relais_call_peer_open_receive_channel (Peer *peer)
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
      GstWebRTCDataChannel *channel = _relais_call_peer_create_channel (peer);

      if (channel != NULL)
        {
          _relais_call_peer_watch_channel (peer, channel);
          g_object_unref (channel);   /* _relais_call_peer_watch_channel keeps its own */
        }
    }
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

static void
flush_start_pad (const GValue *item,
                 gpointer      user_data)
{
  gst_pad_send_event (g_value_get_object (item), gst_event_new_flush_start ());
}

/* GStreamer 1.22.0's sctpenc (Debian 12) retries a message it could only
 * partly send in a loop that holds its sink pad's stream lock, and its
 * change to READY does not break that loop (fixed later upstream:
 * "sctpenc: Fix potential shutdown deadlock"): a call hung up while its
 * data channel had a document on its way blocked in
 * gst_element_set_state() for good (test-transfer, 1 fresh root in 3).
 * A FLUSH_START on its sink pads ends the loop; the call is going. */
static void
flush_sink_pads (gpointer element,
                 gpointer user_data)
{
  g_autoptr(GstIterator) pads = gst_element_iterate_sink_pads (element);

  while (gst_iterator_foreach (pads, flush_start_pad, NULL) == GST_ITERATOR_RESYNC)
    gst_iterator_resync (pads);
}

void
_relais_call_unblock_data_channel (GstElement *webrtc)
{
  _relais_call_foreach_element (webrtc, "sctpenc", flush_sink_pads, NULL, NULL);
}
