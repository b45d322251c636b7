/* relais-call-stats.c
 *
 * RelaisCall's statistics: webrtcbin's numbers, sampled once a second.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-call"

#include "config.h"

/* The WebRTC library of gst-plugins-bad still calls itself unstable. */
#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include "relais-call-private.h"

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
  Peer *peer = _relais_call_find_peer (self, reply->peer_id);
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
  _relais_call_hop (self, stats_reply_on_main, copy, stats_reply_free);
}

/* Each tick folds the replies of the previous one into rates and asks for
 * new ones: the numbers are at most a second old and we never wait. */
gboolean
_relais_call_stats_tick_cb (gpointer user_data)
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
                                                  _relais_call_promise_data_new (self, peer->id),
                                                  _relais_call_promise_data_free);
      g_signal_emit_by_name (peer->webrtc, "get-stats", NULL, promise);
      gst_promise_unref (promise);
    }

  return G_SOURCE_CONTINUE;
}

void
relais_call_get_stats (RelaisCall      *self,
                       RelaisCallStats *stats)
{
  g_return_if_fail (RELAIS_IS_CALL (self));
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
}
