/* relais-turn.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-turn"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include "relais-turn.h"

/* The classes of rule 1–3 in relais-turn.h, best first. */
typedef enum
{
  CLASS_DUE,
  CLASS_READY,
  CLASS_OTHER,
} TurnClass;

static const RelaisTurnPolicy *
policy_or_default (const RelaisTurnPolicy *policy,
                   RelaisTurnPolicy       *storage)
{
  if (policy != NULL)
    return policy;

  relais_turn_policy_init_default (storage);
  return storage;
}

/* The agent's order: position, then id. Negative when @a goes first. */
static int
compare_base_order (const RelaisTurnCandidate *a,
                    const RelaisTurnCandidate *b)
{
  if (a->position != b->position)
    return a->position < b->position ? -1 : 1;
  if (a->ticket_id != b->ticket_id)
    return a->ticket_id < b->ticket_id ? -1 : 1;
  return 0;
}

static gboolean
is_ready (const RelaisTurnCandidate *candidate,
          RelaisTurnReadyFunc        ready,
          gpointer                   user_data)
{
  return ready == NULL || ready (candidate->service_id, candidate->subservice_id, user_data);
}

void
relais_turn_policy_init_default (RelaisTurnPolicy *policy)
{
  g_return_if_fail (policy != NULL);

  policy->max_wait_seconds = RELAIS_TURN_DEFAULT_MAX_WAIT_SECONDS;
  policy->max_passes = RELAIS_TURN_DEFAULT_MAX_PASSES;
}

static RelaisTurnReason
due_reason (const RelaisTurnCandidate *candidate,
            gint64                     now,
            const RelaisTurnPolicy    *policy)
{
  if (policy->max_wait_seconds > 0 && now - candidate->created_at >= policy->max_wait_seconds)
    return RELAIS_TURN_REASON_DUE_WAIT;
  if (policy->max_passes > 0 && candidate->passed_over >= policy->max_passes)
    return RELAIS_TURN_REASON_DUE_PASSES;
  return RELAIS_TURN_REASON_NONE;
}

gboolean
relais_turn_is_due (const RelaisTurnCandidate *candidate,
                    gint64                     now,
                    const RelaisTurnPolicy    *policy)
{
  RelaisTurnPolicy storage;

  g_return_val_if_fail (candidate != NULL, FALSE);

  return due_reason (candidate, now, policy_or_default (policy, &storage)) != RELAIS_TURN_REASON_NONE;
}

/* Chooses among the candidates whose @skip entry is FALSE (all when @skip
 * is NULL). Readiness is asked once per candidate at most, and only when
 * nobody is due. */
static int
choose_among (const RelaisTurnCandidate *candidates,
              guint                      n_candidates,
              const gboolean            *skip,
              RelaisTurnReadyFunc        ready,
              gpointer                   user_data,
              gint64                     now,
              const RelaisTurnPolicy    *policy,
              RelaisTurnReason          *reason)
{
  int best = -1;
  TurnClass best_class = CLASS_OTHER;
  RelaisTurnReason best_reason = RELAIS_TURN_REASON_NONE;

  for (guint i = 0; i < n_candidates; i++)
    {
      const RelaisTurnCandidate *candidate = &candidates[i];
      RelaisTurnReason candidate_reason;
      TurnClass candidate_class;

      if (skip != NULL && skip[i])
        continue;

      candidate_reason = due_reason (candidate, now, policy);
      if (candidate_reason != RELAIS_TURN_REASON_NONE)
        candidate_class = CLASS_DUE;
      else if (best_class == CLASS_DUE)
        continue;  /* cannot win: spare the readiness question */
      else if (is_ready (candidate, ready, user_data))
        {
          candidate_class = CLASS_READY;
          candidate_reason = RELAIS_TURN_REASON_READY;
        }
      else
        {
          candidate_class = CLASS_OTHER;
          candidate_reason = RELAIS_TURN_REASON_ORDER;
        }

      if (best < 0 || candidate_class < best_class ||
          (candidate_class == best_class && compare_base_order (candidate, &candidates[best]) < 0))
        {
          best = i;
          best_class = candidate_class;
          best_reason = candidate_reason;
        }
    }

  if (reason != NULL)
    *reason = best_reason;

  return best;
}

int
relais_turn_choose (const RelaisTurnCandidate *candidates,
                    guint                      n_candidates,
                    RelaisTurnReadyFunc        ready,
                    gpointer                   user_data,
                    gint64                     now,
                    const RelaisTurnPolicy    *policy,
                    RelaisTurnReason          *reason)
{
  RelaisTurnPolicy storage;

  g_return_val_if_fail (candidates != NULL || n_candidates == 0, -1);

  return choose_among (candidates, n_candidates, NULL, ready, user_data, now,
                       policy_or_default (policy, &storage), reason);
}

gboolean
relais_turn_passes_over (const RelaisTurnCandidate *chosen,
                         const RelaisTurnCandidate *candidate)
{
  g_return_val_if_fail (chosen != NULL, FALSE);
  g_return_val_if_fail (candidate != NULL, FALSE);

  return compare_base_order (candidate, chosen) < 0;
}

void
relais_turn_predict_order (const RelaisTurnCandidate *candidates,
                           guint                      n_candidates,
                           RelaisTurnReadyFunc        ready,
                           gpointer                   user_data,
                           gint64                     now,
                           const RelaisTurnPolicy    *policy,
                           guint                     *order)
{
  RelaisTurnPolicy storage;
  g_autofree RelaisTurnCandidate *work = NULL;
  g_autofree gboolean *taken = NULL;

  g_return_if_fail (candidates != NULL || n_candidates == 0);
  g_return_if_fail (order != NULL || n_candidates == 0);

  if (n_candidates == 0)
    return;

  policy = policy_or_default (policy, &storage);
  work = g_memdup2 (candidates, sizeof *candidates * n_candidates);
  taken = g_new0 (gboolean, n_candidates);

  for (guint rank = 0; rank < n_candidates; rank++)
    {
      int next = choose_among (work, n_candidates, taken, ready, user_data, now, policy, NULL);

      g_assert (next >= 0);
      order[rank] = next;
      taken[next] = TRUE;

      for (guint i = 0; i < n_candidates; i++)
        if (!taken[i] && relais_turn_passes_over (&work[next], &work[i]))
          work[i].passed_over++;
    }
}

static int
compare_int64 (const void *a,
               const void *b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return (x > y) - (x < y);
}

gint64
relais_turn_seconds_per_person (const gint64 *durations,
                                guint         n_durations)
{
  g_autofree gint64 *sorted = NULL;
  guint n = 0;

  g_return_val_if_fail (durations != NULL || n_durations == 0, RELAIS_TURN_DEFAULT_SECONDS_PER_PERSON);

  sorted = g_new (gint64, MAX (n_durations, 1));
  for (guint i = 0; i < n_durations; i++)
    if (durations[i] > 0)
      sorted[n++] = durations[i];

  if (n < RELAIS_TURN_MIN_SESSIONS)
    return RELAIS_TURN_DEFAULT_SECONDS_PER_PERSON;

  qsort (sorted, n, sizeof *sorted, compare_int64);

  if (n % 2 == 1)
    return sorted[n / 2];

  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static guint
round_to (guint value,
          guint step)
{
  return (value + step / 2) / step * step;
}

guint
relais_turn_estimate_wait_minutes (guint    people_ahead,
                                   gboolean booth_busy,
                                   gint64   booth_elapsed,
                                   gint64   seconds_per_person)
{
  gint64 seconds;
  gint64 minutes;

  if (seconds_per_person <= 0)
    seconds_per_person = RELAIS_TURN_DEFAULT_SECONDS_PER_PERSON;

  seconds = (gint64)people_ahead * seconds_per_person;
  if (booth_busy)
    seconds += MAX (seconds_per_person - MAX (booth_elapsed, 0), seconds_per_person / 4);

  minutes = (seconds + 30) / 60;

  if (minutes < 5)
    return 0;
  if (minutes > 3 * 60)
    return RELAIS_TURN_WAIT_VERY_LONG;
  if (minutes <= 60)
    return MAX (round_to (minutes, 5), 5);
  return round_to (minutes, 15);
}

char *
relais_turn_format_wait (guint minutes)
{
  if (minutes == 0)
    return g_strdup (_("moins de 5 min"));

  if (minutes == RELAIS_TURN_WAIT_VERY_LONG || minutes > 3 * 60)
    return g_strdup (_("plus de 3 h"));

  if (minutes < 60)
    /* Translators: an estimated wait, e.g. "environ 15 min" */
    return g_strdup_printf (_("environ %u min"), minutes);

  if (minutes % 60 == 0)
    /* Translators: an estimated wait in whole hours, e.g. "environ 2 h" */
    return g_strdup_printf (_("environ %u h"), minutes / 60);

  /* Translators: an estimated wait in hours and minutes, e.g. "environ 1 h 15" */
  return g_strdup_printf (_("environ %u h %02u"), minutes / 60, minutes % 60);
}
