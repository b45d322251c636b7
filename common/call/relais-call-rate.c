/* relais-call-rate.c
 *
 * The send rate controller (see relais-call-rate.h): pure logic.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"


#include "relais-call-rate.h"

/* The smallest estimate: the sound at its lowest, with its headers. */
#define MIN_ESTIMATE_BPS   (16000 + RELAIS_CALL_RATE_AUDIO_PACKETS_S * RELAIS_CALL_RATE_PACKET_OVERHEAD * 8)
/* How long the minimum round trip is remembered (a route may change). */
#define MIN_RTT_WINDOW_US  (30 * G_USEC_PER_SEC)
/* Share of the video budget left for the payload (packet headers). */
#define VIDEO_PAYLOAD_SHARE 0.92

struct _RelaisCallRate
{
  guint              max_video_bps;
  guint              width;
  guint              height;
  guint              fps;

  double             estimate;       /* bit/s on the wire */
  double             max_estimate;
  double             loss;           /* smoothed, for Opus */
  double             min_rtt_ms;
  gint64             min_rtt_at;
  gint64             hold_until;
  guint              up_count;
  guint              remb_bps;
  gboolean           burst_seen;     /* a decrease happened: the start's burst is past */
  RelaisCallLinkStep step;
};

static guint
audio_bps_for (double estimate)
{
  if (estimate >= 200000)
    return 32000;
  if (estimate >= 100000)
    return 24000;
  return 16000;
}

static double
audio_wire_bps (guint audio_bps)
{
  return audio_bps + RELAIS_CALL_RATE_AUDIO_PACKETS_S * RELAIS_CALL_RATE_PACKET_OVERHEAD * 8.0;
}

static guint
step_floor (RelaisCallLinkStep step)
{
  switch (step)
    {
    case RELAIS_CALL_LINK_FULL:
      return RELAIS_CALL_RATE_FULL_FLOOR;
    case RELAIS_CALL_LINK_REDUCED:
      return RELAIS_CALL_RATE_REDUCED_FLOOR;
    case RELAIS_CALL_LINK_LOW:
      return RELAIS_CALL_RATE_LOW_FLOOR;
    case RELAIS_CALL_LINK_AUDIO_ONLY:
    default:
      return 0;
    }
}

static RelaisCallLinkStep
step_for (double video_bps)
{
  if (video_bps >= RELAIS_CALL_RATE_FULL_FLOOR)
    return RELAIS_CALL_LINK_FULL;
  if (video_bps >= RELAIS_CALL_RATE_REDUCED_FLOOR)
    return RELAIS_CALL_LINK_REDUCED;
  if (video_bps >= RELAIS_CALL_RATE_LOW_FLOOR)
    return RELAIS_CALL_LINK_LOW;
  return RELAIS_CALL_LINK_AUDIO_ONLY;
}

static double
video_budget (double estimate)
{
  return MAX (estimate - audio_wire_bps (audio_bps_for (estimate)), 0) * VIDEO_PAYLOAD_SHARE;
}

RelaisCallRate *
relais_call_rate_new (guint max_video_bps,
                      guint width,
                      guint height,
                      guint fps)
{
  RelaisCallRate *self = g_new0 (RelaisCallRate, 1);

  self->max_video_bps = MAX (max_video_bps, RELAIS_CALL_RATE_LOW_FLOOR);
  self->width = width;
  self->height = height;
  self->fps = MAX (fps, 1);
  self->max_estimate = self->max_video_bps / VIDEO_PAYLOAD_SHARE + audio_wire_bps (32000);
  self->estimate = self->max_estimate;
  self->step = step_for (video_budget (self->estimate));
  /* A small configured picture may start under FULL's floor: it is full. */
  if (self->max_video_bps < RELAIS_CALL_RATE_FULL_FLOOR)
    self->step = RELAIS_CALL_LINK_FULL;
  return self;
}

void
relais_call_rate_free (RelaisCallRate *self)
{
  g_free (self);
}

/* Size and rate of each step: half the size below FULL, 15 then 8 fps. */
static void
fill_target (RelaisCallRate       *self,
             RelaisCallRateTarget *target)
{
  double video = video_budget (self->estimate);
  guint cap;

  target->step = self->step;
  target->estimate_bps = (guint) self->estimate;
  target->audio_bps = audio_bps_for (self->estimate);
  target->audio_loss_percent = (guint) CLAMP ((guint) (self->loss * 100 + 0.5), 2u, 30u);
  target->audio_dtx = self->step != RELAIS_CALL_LINK_FULL;
  target->width = self->width;
  target->height = self->height;
  target->fps = self->fps;

  switch (self->step)
    {
    case RELAIS_CALL_LINK_FULL:
      cap = self->max_video_bps;
      break;
    case RELAIS_CALL_LINK_REDUCED:
      cap = MIN (self->max_video_bps, RELAIS_CALL_RATE_FULL_FLOOR);
      target->fps = MIN (self->fps, 15);
      break;
    case RELAIS_CALL_LINK_LOW:
      cap = MIN (self->max_video_bps, RELAIS_CALL_RATE_REDUCED_FLOOR);
      target->fps = MIN (self->fps, 8);
      break;
    case RELAIS_CALL_LINK_AUDIO_ONLY:
    default:
      cap = 0;
      break;
    }
  if (self->step == RELAIS_CALL_LINK_REDUCED || self->step == RELAIS_CALL_LINK_LOW)
    {
      /* Even sizes: I420 and the encoders want them. */
      target->width = MAX (self->width / 2, 2u) & ~1u;
      target->height = MAX (self->height / 2, 2u) & ~1u;
    }

  if (cap == 0)
    target->video_bps = target->video_link_bps = 0;
  else
    {
      /* The step's floor is where it was chosen; a little under it while
       * the estimate hovers (the step waits for a clear change). */
      target->video_bps = (guint) (CLAMP (video, MIN (step_floor (self->step) * 0.8, cap), cap) + 0.5);
      target->video_link_bps = target->video_bps;
      if (self->remb_bps > 0)
        target->video_bps = MIN (target->video_bps, MAX (self->remb_bps, 30000u));
    }
}

static void
update_step (RelaisCallRate *self)
{
  double video = video_budget (self->estimate);
  RelaisCallLinkStep wanted = step_for (video);

  /* A small configured picture stays whole while it fits. */
  if (self->max_video_bps < RELAIS_CALL_RATE_FULL_FLOOR && video >= self->max_video_bps)
    wanted = RELAIS_CALL_LINK_FULL;

  if (wanted > self->step)
    {
      /* Down at once, as far as needed. */
      self->step = wanted;
      self->up_count = 0;
    }
  else if (wanted < self->step)
    {
      RelaisCallLinkStep next = self->step - 1;
      double floor = next == RELAIS_CALL_LINK_FULL
                       ? MIN (step_floor (next), self->max_video_bps)
                       : step_floor (next);

      /* Up one step at a time, with a margin, after a few samples. */
      if (video >= floor * 1.25 && ++self->up_count >= RELAIS_CALL_RATE_UP_SAMPLES)
        {
          self->step = next;
          self->up_count = 0;
        }
      else if (video < floor * 1.25)
        self->up_count = 0;
    }
  else
    self->up_count = 0;
}

void
relais_call_rate_update (RelaisCallRate             *self,
                         const RelaisCallRateSample *sample,
                         RelaisCallRateTarget       *target)
{
  gboolean queueing = FALSE;

  g_return_if_fail (self != NULL && sample != NULL && target != NULL);

  self->remb_bps = sample->remb_bps;

  if (sample->report)
    {
      double loss = CLAMP (sample->loss, 0.0, 1.0);

      self->loss = self->loss * 0.5 + loss * 0.5;

      if (sample->rtt_ms > 0)
        {
          if (self->min_rtt_ms <= 0 || sample->rtt_ms <= self->min_rtt_ms
              || sample->now_us - self->min_rtt_at > MIN_RTT_WINDOW_US)
            {
              self->min_rtt_ms = sample->rtt_ms;
              self->min_rtt_at = sample->now_us;
            }
          /* A queue filling somewhere on the way: the round trip grows
           * well over its floor before the queue overflows. */
          queueing = sample->rtt_ms > self->min_rtt_ms * 1.5 + 30
                     && sample->rtt_ms > self->min_rtt_ms + 50
                     && sample->sent_bps >= RELAIS_CALL_RATE_QUEUE_MIN_BPS;
        }

      if (sample->now_us >= self->hold_until)
        {
          double got = sample->recv_ratio > 0 ? sample->recv_ratio : 1.0 - loss;
          gboolean slowed = sample->recv_ratio > 0 && sample->recv_ratio < 0.8;

          if (loss > RELAIS_CALL_RATE_LOSS_HIGH && sample->sent_bps > 0)
            {
              /* What got through, a little under it. A report that says
               * nearly everything was lost, after one that did not, is a
               * burst overflowing a queue (the encoder's first second on
               * a 600 ms satellite link: 100 %, then 69 % and 46 %), not a
               * link that carries nothing: at most half the estimate then
               * (the next report goes lower if it was the link). */
              double through = sample->sent_bps * MIN (got, 1.0 - loss) * 0.95;

              if (loss >= RELAIS_CALL_RATE_LOSS_BURST && !self->burst_seen)
                through = MAX (through, self->estimate * 0.5);
              /* Once per call: the start's burst. Later, a near-total
               * loss is the link's (adsl went over its uplink when each
               * such report only halved the estimate). */
              self->burst_seen = TRUE;
              self->estimate = MIN (self->estimate, through);
              self->hold_until = sample->now_us + RELAIS_CALL_RATE_HOLD_US;
            }
          else if ((queueing || slowed) && sample->sent_bps > 0)
            {
              self->estimate = MIN (self->estimate, sample->sent_bps * MIN (got, 0.85));
              self->hold_until = sample->now_us + RELAIS_CALL_RATE_HOLD_US;
            }
          else if (loss < RELAIS_CALL_RATE_LOSS_LOW && !queueing
                   && (sample->recv_ratio <= 0 || sample->recv_ratio >= 0.95))
            {
              /* Never far above what was really sent: a quiet spell
               * proves nothing about the link. */
              double ceiling = sample->sent_bps + MAX (sample->sent_bps * 0.5, 100000);

              if (self->estimate < ceiling)
                self->estimate = MIN (self->estimate * 1.08 + 1000, ceiling);
            }
        }
    }

  self->estimate = CLAMP (self->estimate, MIN_ESTIMATE_BPS, self->max_estimate);
  update_step (self);
  fill_target (self, target);
}

void
relais_call_rate_get (RelaisCallRate       *self,
                      RelaisCallRateTarget *target)
{
  g_return_if_fail (self != NULL && target != NULL);

  fill_target (self, target);
}
