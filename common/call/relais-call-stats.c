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
#include <gst/rtp/gstrtcpbuffer.h>
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
  Peer    *peer;
  guint64  bytes_in;
  guint64  bytes_out;
  gint64   packets_lost;
  guint64  packets_received;
  double   jitter_s;
  double   rtt_s;
} StatsSample;

/* ---- The far end's report blocks ------------------------------------------ */

static void
far_reports_clear (gpointer data)
{
  FarReports *reports = data;

  g_mutex_clear (&reports->lock);
  g_hash_table_unref (reports->blocks);
}

FarReports *
_relais_call_far_reports_new (void)
{
  FarReports *reports = g_atomic_rc_box_new0 (FarReports);

  g_mutex_init (&reports->lock);
  reports->blocks = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return reports;
}

void
_relais_call_far_reports_release (gpointer reports)
{
  if (reports != NULL)
    g_atomic_rc_box_release_full (reports, far_reports_clear);
}

/* A streaming thread: every SR and RR the far end sends, decrypted. */
void
_relais_call_session_receiving_rtcp_cb (GObject    *session,
                                        GstBuffer  *buffer,
                                        FarReports *reports)
{
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket packet;

  if (!gst_rtcp_buffer_map (buffer, GST_MAP_READ, &rtcp))
    return;
  for (gboolean more = gst_rtcp_buffer_get_first_packet (&rtcp, &packet);
       more; more = gst_rtcp_packet_move_to_next (&packet))
    {
      GstRTCPType type = gst_rtcp_packet_get_type (&packet);

      if (type != GST_RTCP_TYPE_SR && type != GST_RTCP_TYPE_RR)
        continue;
      for (guint i = 0; i < gst_rtcp_packet_get_rb_count (&packet); i++)
        {
          guint32 ssrc, ext_highest, jitter, lsr, dlsr;
          guint8 fraction;
          gint32 lost;
          FarReport *report;

          gst_rtcp_packet_get_rb (&packet, i, &ssrc, &fraction, &lost, &ext_highest, &jitter, &lsr, &dlsr);
          g_mutex_lock (&reports->lock);
          report = g_hash_table_lookup (reports->blocks, GUINT_TO_POINTER (ssrc));
          if (report == NULL)
            {
              report = g_new0 (FarReport, 1);
              report->ext_highest = ext_highest;
              g_hash_table_insert (reports->blocks, GUINT_TO_POINTER (ssrc), report);
            }
          /* Blocks only move forward (a late one says nothing new). */
          if (ext_highest >= report->ext_highest)
            {
              report->ext_highest = ext_highest;
              report->lost = lost;
            }
          g_mutex_unlock (&reports->lock);
        }
    }
  gst_rtcp_buffer_unmap (&rtcp);
}

/* The newest block on each of @peer's streams into its SentStreams. */
static void
fold_far_reports (RelaisCall *self,
                  Peer       *peer)
{
  g_mutex_lock (&self->far_reports->lock);
  for (guint k = 0; k < N_KINDS; k++)
    {
      SentStream *stream = &peer->sent[k];
      FarReport *report = stream->ssrc != 0
                          ? g_hash_table_lookup (self->far_reports->blocks, GUINT_TO_POINTER (stream->ssrc))
                          : NULL;

      if (report == NULL || (stream->have_report && report->ext_highest < stream->ext_highest))
        continue;
      stream->have_report = TRUE;
      stream->ext_highest = report->ext_highest;
      stream->lost = report->lost;
    }
  g_mutex_unlock (&self->far_reports->lock);
}

static SentStream *
find_sent_stream (Peer  *peer,
                  guint  ssrc)
{
  for (guint k = 0; k < N_KINDS; k++)
    if (ssrc != 0 && peer->sent[k].ssrc == ssrc)
      return &peer->sent[k];
  return NULL;
}

/* A receiver report of the far end on one of our streams: how far it got
 * (its extended highest sequence number) and how much it lost. */
static void
fold_remote_inbound (SentStream         *stream,
                     const GstStructure *s)
{
  g_autoptr(GstStructure) source = NULL;
  guint ext_highest = 0;
  gint lost = 0;
  double rtt = structure_get_number (s, "round-trip-time");

  if (!gst_structure_get (s, "gst-rtpsource-stats", GST_TYPE_STRUCTURE, &source, NULL)
      || !gst_structure_get_uint (source, "rb-exthighestseq", &ext_highest))
    return;
  /* Reports only move forward; an older one (of the other kind, taking
   * turns on the same source) says nothing new. */
  if (stream->have_report && ext_highest < stream->ext_highest)
    return;
  stream->have_report = TRUE;
  stream->ext_highest = ext_highest;
  if (gst_structure_get_int (s, "packets-lost", &lost))
    stream->lost = lost;
  if (rtt > 0)
    stream->rtt_s = rtt;
}

static gboolean
stats_field_cb (GQuark        field,
                const GValue *value,
                gpointer      user_data)
{
  StatsSample *sample = user_data;
  const GstStructure *s;
  GstWebRTCStatsType type;
  guint ssrc = 0;
  SentStream *stream;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;

  s = gst_value_get_structure (value);
  if (!gst_structure_get (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL))
    return TRUE;
  gst_structure_get_uint (s, "ssrc", &ssrc);

  switch (type)
    {
    case GST_WEBRTC_STATS_INBOUND_RTP:
      sample->bytes_in += (guint64) structure_get_number (s, "bytes-received");
      sample->packets_lost += (gint64) structure_get_number (s, "packets-lost");
      sample->packets_received += (guint64) structure_get_number (s, "packets-received");
      sample->jitter_s = MAX (sample->jitter_s, structure_get_number (s, "jitter"));
      break;
    case GST_WEBRTC_STATS_OUTBOUND_RTP:
      sample->bytes_out += (guint64) structure_get_number (s, "bytes-sent");
      stream = find_sent_stream (sample->peer, ssrc);
      if (stream != NULL)
        {
          stream->packets_sent = MAX (stream->packets_sent, (guint64) structure_get_number (s, "packets-sent"));
          stream->bytes_sent = MAX (stream->bytes_sent, (guint64) structure_get_number (s, "bytes-sent"));
        }
      break;
    case GST_WEBRTC_STATS_TRANSPORT:
      {
        g_autoptr(GstStructure) twcc = NULL;

        /* Only a window with feedback in it says anything. */
        if (gst_structure_get (s, "gst-twcc-stats", GST_TYPE_STRUCTURE, &twcc, NULL)
            && structure_get_number (twcc, "bitrate-sent") > 0)
          {
            Peer *peer = sample->peer;

            peer->twcc_valid = TRUE;
            peer->twcc_recv_bps = structure_get_number (twcc, "bitrate-recv");
            peer->twcc_sent_bps = structure_get_number (twcc, "bitrate-sent");
            peer->twcc_loss = structure_get_number (twcc, "packet-loss-pct") / 100.0;
          }
      }
      break;
    case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
      sample->rtt_s = MAX (sample->rtt_s, structure_get_number (s, "round-trip-time"));
      stream = find_sent_stream (sample->peer, ssrc);
      if (stream != NULL)
        fold_remote_inbound (stream, s);
      break;
    default:
      break;
    }

  return TRUE;
}

/* Packets the far end got of @stream: from our first sequence number to
 * the highest it saw, less those it lost. 0 without a report. */
static guint64
sent_stream_delivered (const SentStream *stream)
{
  gint64 expected;

  if (!stream->have_report || stream->ext_highest + 1 < stream->seq_base)
    return 0;
  expected = (gint64) (stream->ext_highest + 1 - stream->seq_base);
  return (guint64) MAX (expected - MAX (stream->lost, 0), 0);
}

typedef struct
{
  guint64 requests;
  guint64 packets;
} Retransmissions;

static void
retransmissions_add (gpointer element,
                     gpointer user_data)
{
  Retransmissions *sum = user_data;
  guint r = 0, p = 0;

  g_object_get (element, "num-rtx-requests", &r, "num-rtx-packets", &p, NULL);
  sum->requests += r;
  sum->packets += p;
}

static void
retransmissions_restart (gpointer element,
                         gpointer user_data)
{
  *(Retransmissions *) user_data = (Retransmissions) { 0 };
}

/* The far end's retransmission requests and our retransmissions so far,
 * from the rtprtxsend elements webrtcbin made for this peer. Main
 * context: the bin is walked here, never from its own threads. */
static void
count_retransmissions (Peer    *peer,
                       guint64 *requests,
                       guint64 *packets)
{
  Retransmissions sum = { 0 };

  _relais_call_foreach_element (peer->webrtc, "rtprtxsend", retransmissions_add,
                                retransmissions_restart, &sum);
  *requests = sum.requests;
  *packets = sum.packets;
}

/* One second of the send rate controller: the far end's loss over the
 * interval (both kinds together), the newest round trip, what we sent on
 * the wire; then its target goes to the encoders. */
static void
rate_tick (RelaisCall *self,
           Peer       *peer)
{
  gint64 now = g_get_monotonic_time ();
  guint64 expected = 0, bytes = 0, packets = 0;
  gint64 lost = 0;
  double rtt_s = 0;
  guint64 rtx_requests = 0, rtx_packets = 0;
  double video_packet_bytes = 1000;

  if (peer->rate == NULL)
    return;

  count_retransmissions (peer, &rtx_requests, &rtx_packets);
  if (g_atomic_pointer_get (&self->rtp_packets_out[KIND_VIDEO]) != 0)
    video_packet_bytes = (gsize) g_atomic_pointer_get (&self->rtp_bytes_out[KIND_VIDEO])
                         / (double) (gsize) g_atomic_pointer_get (&self->rtp_packets_out[KIND_VIDEO]);

  for (guint k = 0; k < N_KINDS; k++)
    {
      const SentStream *stream = &peer->sent[k];

      /* Counted where they enter webrtcbin (one sending peer a call). */
      bytes += (gsize) g_atomic_pointer_get (&self->rtp_bytes_out[k]);
      packets += (gsize) g_atomic_pointer_get (&self->rtp_packets_out[k]);
      if (stream->have_report && stream->ext_highest + 1 >= stream->seq_base)
        {
          expected += stream->ext_highest + 1 - stream->seq_base;
          lost += MAX (stream->lost, 0);
        }
      rtt_s = MAX (rtt_s, stream->rtt_s);
    }

  if (peer->rate_time != 0 && now > peer->rate_time)
    {
      double seconds = (now - peer->rate_time) / (double) G_USEC_PER_SEC;
      RelaisCallRateSample sample = { 0, };
      RelaisCallRateTarget target;

      sample.now_us = now;
      if (peer->twcc_valid)
        {
          /* Transport-wide feedback: every packet's fate, RTX included. */
          sample.report = TRUE;
          sample.loss = CLAMP (peer->twcc_loss, 0.0, 1.0);
          sample.recv_ratio = CLAMP (peer->twcc_recv_bps / peer->twcc_sent_bps, 0.0, 1.0);
        }
      else if (expected > peer->rate_expected)
        {
          sample.report = TRUE;
          sample.loss = CLAMP ((lost - peer->rate_lost) / (double) (expected - peer->rate_expected), 0.0, 1.0);
        }
      {
        guint64 new_packets = packets - MIN (packets, peer->rate_packets);
        guint64 new_rtx = rtx_packets - MIN (rtx_packets, peer->rtx_packets);

        guint64 video_packets = (gsize) g_atomic_pointer_get (&self->rtp_packets_out[KIND_VIDEO]);
        guint64 new_video = video_packets - MIN (video_packets, peer->rate_video_packets);

        /* Video packets the far end asked again for (and we had to
         * resend): lost, whatever its receiver reports say. Only while
         * the picture flows: late requests for packets sent before the
         * valve closed say nothing of the sound alone. */
        if (new_video >= 10)
          {
            sample.report = TRUE;
            sample.loss = MAX (sample.loss, MIN (new_rtx / (double) new_video, 1.0));
          }
        sample.sent_bps = ((bytes - MIN (bytes, peer->rate_bytes))
                           + new_rtx * (video_packet_bytes + 2)
                           + (new_packets + new_rtx) * (double) RELAIS_CALL_RATE_PACKET_OVERHEAD)
                          * 8.0 / seconds;
      }
      sample.rtt_ms = rtt_s * 1000.0;
      if (peer->video_encoder != NULL)
        sample.remb_bps = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (peer->video_encoder), "relais-remb"));

      relais_call_rate_update (peer->rate, &sample, &target);
      g_debug ("Peer %u: sent %.0f kbit/s (%" G_GUINT64_FORMAT " retransmissions), far end lost %.1f %% got %.0f %% (%s), RTT %.0f ms: "
               "step %d, estimate %u kbit/s, video %u kbit/s %ux%u@%u, audio %u kbit/s",
               peer->id, sample.sent_bps / 1000, rtx_packets - MIN (rtx_packets, peer->rtx_packets),
               sample.loss * 100, sample.recv_ratio * 100,
               peer->twcc_valid ? "transport-wide" : sample.report ? "receiver report" : "no report",
               sample.rtt_ms, target.step, target.estimate_bps / 1000, target.video_bps / 1000,
               target.width, target.height, target.fps, target.audio_bps / 1000);
      _relais_call_apply_rate (self, peer, &target);
      if (sample.report)
        self->stats.far_loss = sample.loss;
      self->stats.send_target_kbps = target.estimate_bps / 1000.0;
    }

  peer->rate_time = now;
  peer->rate_expected = MAX (expected, peer->rate_expected);
  peer->rate_lost = lost;
  peer->rate_bytes = bytes;
  peer->rate_packets = packets;
  peer->rtx_requests = rtx_requests;
  peer->rate_video_packets = (gsize) g_atomic_pointer_get (&self->rtp_packets_out[KIND_VIDEO]);
  peer->rtx_packets = rtx_packets;
}

/* The far end's view of every stream we send, summed over the peers. */
static void
fold_far_end (RelaisCall *self)
{
  RelaisCallStats *stats = &self->stats;

  stats->far_audio_packets = stats->far_video_packets = 0;
  stats->far_audio_lost = stats->far_video_lost = 0;
  stats->audio_packets_sent = stats->video_packets_sent = 0;
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);
      const SentStream *audio = &peer->sent[KIND_AUDIO];
      const SentStream *video = &peer->sent[KIND_VIDEO];

      stats->far_audio_packets += sent_stream_delivered (audio);
      stats->far_video_packets += sent_stream_delivered (video);
      stats->far_audio_lost += audio->have_report ? MAX (audio->lost, 0) : 0;
      stats->far_video_lost += video->have_report ? MAX (video->lost, 0) : 0;
    }
  stats->audio_packets_sent = (gsize) g_atomic_pointer_get (&self->rtp_packets_out[KIND_AUDIO]);
  stats->video_packets_sent = (gsize) g_atomic_pointer_get (&self->rtp_packets_out[KIND_VIDEO]);
}

gboolean
relais_call_stats_media_delivered (const RelaisCallStats *stats)
{
  g_return_val_if_fail (stats != NULL, FALSE);

  /* The picture's loss is not held against it: on a thin uplink the first
   * seconds' burst (before the rate controller settles) loses half of
   * them or more (test-call-link's thin: 41-55 %) while the advisor sees
   * the person. */
  return stats->far_audio_packets >= RELAIS_CALL_MIN_AUDIO_PACKETS
         && stats->far_video_packets >= RELAIS_CALL_MIN_VIDEO_PACKETS
         && stats->far_audio_lost <= (stats->far_audio_packets + stats->far_audio_lost) * RELAIS_CALL_MAX_LOSS;
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

  sample.peer = peer;
  peer->twcc_valid = FALSE;
  gst_structure_foreach (reply->reply, stats_field_cb, &sample);
  /* Counters only grow; a restarted session must not give negative rates. */
  peer->bytes_in = MAX (peer->bytes_in, sample.bytes_in);
  peer->bytes_out = MAX (peer->bytes_out, sample.bytes_out);
  self->stats.packets_lost = MAX (self->stats.packets_lost, sample.packets_lost);
  self->stats.packets_received = MAX (self->stats.packets_received, sample.packets_received);
  if (sample.jitter_s > 0)
    self->stats.jitter_ms = sample.jitter_s * 1000.0;
  if (sample.rtt_s > 0)
    self->stats.rtt_ms = sample.rtt_s * 1000.0;
  fold_far_reports (self, peer);
  fold_far_end (self);
  rate_tick (self, peer);
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
