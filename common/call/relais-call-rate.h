/* relais-call-rate.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The send rate controller of RelaisCall: pure logic, no GStreamer. Fed
 * once a second with what the far end says (loss: from its RTCP receiver
 * reports, the packets it asked again for with NACKs, or transport-wide
 * feedback; the round trip) and what we sent, it returns what to send: the Opus bitrate
 * and its loss settings, the video bitrate, frame rate and size, or no
 * video at all (the audio-only step). Loss- and delay-based, in the spirit
 * of Google Congestion Control's loss controller:
 *
 *  - loss above 10 % in a report interval: the estimate falls to what got
 *    through (the rate sent times one minus the loss), a little under it;
 *    the call's first decrease, on a report of 90 % or more (the start's
 *    burst overflowing a queue), takes it down by half at most;
 *  - round trip grown well over its minimum, or the far end receiving
 *    less than 80 % of what is sent (transport-wide feedback): a queue
 *    filling on the uplink, before it overflows; the estimate falls to
 *    what got through, 85 % of the rate sent at most;
 *  - after a decrease, two seconds of hold (the queue drains, the reports
 *    catch up) before any other change;
 *  - loss under 2 % and no queue: the estimate grows by 8 % a second (never
 *    far above what was really sent, so a quiet spell does not inflate it;
 *    and not while the far end receives less than 95 % of it);
 *  - between 2 and 10 %: hold.
 *
 * Audio first: the sound's share (its bitrate plus the per-packet headers
 * of 50 packets a second) comes off the estimate, the picture gets what is
 * left, and steps down in size and frame rate as that shrinks, then off.
 * A step up needs 25 % more than the next step's floor for three samples
 * in a row, so a link at the edge does not flap.
 */
#pragma once

#include <glib.h>

#include "relais-call.h"

G_BEGIN_DECLS

/* Bytes of headers on the wire per RTP packet: IPv4 20, UDP 8, RTP 12,
 * SRTP tag 10, header extensions about 8. */
#define RELAIS_CALL_RATE_PACKET_OVERHEAD  58
#define RELAIS_CALL_RATE_AUDIO_PACKETS_S  50          /* 20 ms Opus frames */
#define RELAIS_CALL_RATE_LOSS_HIGH        0.10        /* above: decrease */
#define RELAIS_CALL_RATE_LOSS_BURST       0.90        /* a first report above: half at most */
#define RELAIS_CALL_RATE_LOSS_LOW         0.02        /* below: increase */
#define RELAIS_CALL_RATE_HOLD_US          (2 * G_USEC_PER_SEC)
#define RELAIS_CALL_RATE_UP_SAMPLES       3
/* A round trip is two ways: a queue on the downlink (the advisor's
 * stream) grows it too. Below this rate (the sound alone) a longer round
 * trip is not taken for our own queue. */
#define RELAIS_CALL_RATE_QUEUE_MIN_BPS    60000

/* Video payload floors of each step (bit/s): below the LOW floor the
 * picture is cut. */
#define RELAIS_CALL_RATE_FULL_FLOOR       300000
#define RELAIS_CALL_RATE_REDUCED_FLOOR    120000
#define RELAIS_CALL_RATE_LOW_FLOOR        45000

/* One sample: the interval since the previous one. */
typedef struct
{
  gint64   now_us;          /* monotonic */
  gboolean report;          /* a new receiver report came in this interval */
  double   loss;            /* fraction the far end lost in the interval, 0..1 */
  double   rtt_ms;          /* round trip of the newest report; ≤ 0: unknown */
  double   sent_bps;        /* what we sent, on the wire (headers included) */
  double   recv_ratio;      /* what the far end received over what we sent
                             * (transport-wide feedback), 0..1; ≤ 0: unknown */
  guint    remb_bps;        /* the gateway's REMB cap; 0: none */
} RelaisCallRateSample;

typedef struct
{
  RelaisCallLinkStep step;
  guint              estimate_bps;      /* what the link is thought to carry */
  guint              audio_bps;         /* Opus bitrate */
  guint              audio_loss_percent;/* Opus packet-loss-percentage */
  gboolean           audio_dtx;
  guint              video_bps;         /* encoder target; 0 in AUDIO_ONLY */
  guint              video_link_bps;    /* the same before the REMB cap */
  guint              width;
  guint              height;
  guint              fps;
} RelaisCallRateTarget;

typedef struct _RelaisCallRate RelaisCallRate;

/* @max_video_bps, @width, @height, @fps: the configured picture (the
 * FULL step). The estimate starts at that plus the sound. */
RelaisCallRate *relais_call_rate_new      (guint                        max_video_bps,
                                           guint                        width,
                                           guint                        height,
                                           guint                        fps);
void            relais_call_rate_free     (RelaisCallRate              *self);
/* Folds @sample in; fills @target. */
void            relais_call_rate_update   (RelaisCallRate              *self,
                                           const RelaisCallRateSample  *sample,
                                           RelaisCallRateTarget        *target);
/* The current target without a new sample. */
void            relais_call_rate_get      (RelaisCallRate              *self,
                                           RelaisCallRateTarget        *target);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaisCallRate, relais_call_rate_free)

G_END_DECLS
