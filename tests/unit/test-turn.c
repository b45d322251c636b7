/* test-turn.c: who goes into the booth next, and the announced waits
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gstdio.h>

#include "relais-error.h"
#include "relais-figures-store.h"
#include "relais-queue.h"
#include "relais-turn.h"

#define T0 ((gint64) 1709280000)  /* some morning */

static const char *
service_name (guint index)
{
  static const char *names[] = { "caf", "france-travail", "cpam", "msa", "ants", "impots" };

  g_assert_cmpuint (index, <, G_N_ELEMENTS (names));
  return names[index];
}

static RelaisTurnCandidate
candidate (gint64      id,
           const char *service_id,
           gint64      position,
           gint64      created_at)
{
  RelaisTurnCandidate c = {
    .ticket_id = id,
    .service_id = service_id,
    .subservice_id = "demarche",
    .position = position,
    .created_at = created_at,
    .passed_over = 0,
  };

  return c;
}

/* Ready: the services listed in user_data (a NULL-terminated strv). */
static gboolean
ready_in_list (const char *service_id,
               const char *subservice_id,
               gpointer    user_data)
{
  return g_strv_contains ((const char * const *) user_data, service_id);
}

static gboolean
never_ready (const char *service_id,
             const char *subservice_id,
             gpointer    user_data)
{
  return FALSE;
}

static int
choose (const RelaisTurnCandidate *c,
        guint                      n,
        const char * const        *ready_services,
        gint64                     now,
        RelaisTurnReason          *reason)
{
  return relais_turn_choose (c, n, ready_services != NULL ? ready_in_list : NULL,
                             (gpointer) ready_services, now, NULL, reason);
}

static char *
predicted_ids (const RelaisTurnCandidate *c,
               guint                      n,
               RelaisTurnReadyFunc        ready,
               gpointer                   user_data,
               gint64                     now,
               const RelaisTurnPolicy    *policy)
{
  g_autofree guint *order = g_new0 (guint, MAX (n, 1));
  GString *text = g_string_new (NULL);

  relais_turn_predict_order (c, n, ready, user_data, now, policy, order);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? " " : "", c[order[i]].ticket_id);

  return g_string_free (text, FALSE);
}

static void
test_empty (void)
{
  RelaisTurnReason reason = RELAIS_TURN_REASON_READY;
  g_autofree char *order = NULL;

  g_assert_cmpint (relais_turn_choose (NULL, 0, NULL, NULL, T0, NULL, &reason), ==, -1);
  g_assert_cmpint (reason, ==, RELAIS_TURN_REASON_NONE);
  g_assert_cmpint (relais_turn_choose (NULL, 0, never_ready, NULL, T0, NULL, NULL), ==, -1);

  order = predicted_ids (NULL, 0, NULL, NULL, T0, NULL);
  g_assert_cmpstr (order, ==, "");
}

/* Every service ready: the agent's order, whatever the array order. */
static void
test_order_kept_when_all_ready (void)
{
  const char *all[] = { "caf", "france-travail", "cpam", NULL };
  RelaisTurnCandidate c[] = {
    candidate (3, "cpam", 30, T0 + 120),
    candidate (1, "caf", 10, T0),
    candidate (4, "caf", 40, T0 + 180),
    candidate (2, "france-travail", 20, T0 + 60),
  };
  RelaisTurnReason reason;
  g_autofree char *order = NULL;
  g_autofree char *order_null_ready = NULL;

  g_assert_cmpint (choose (c, G_N_ELEMENTS (c), all, T0 + 300, &reason), ==, 1);
  g_assert_cmpint (reason, ==, RELAIS_TURN_REASON_READY);

  /* The agent moved ticket 4 to the front: it goes first. */
  c[2].position = 5;
  g_assert_cmpint (choose (c, G_N_ELEMENTS (c), all, T0 + 300, NULL), ==, 2);

  order = predicted_ids (c, G_N_ELEMENTS (c), ready_in_list, all, T0 + 300, NULL);
  g_assert_cmpstr (order, ==, "4 1 2 3");
  /* A NULL readiness function means every service is ready (demo). */
  order_null_ready = predicted_ids (c, G_N_ELEMENTS (c), NULL, NULL, T0 + 300, NULL);
  g_assert_cmpstr (order_null_ready, ==, "4 1 2 3");
}

static void
test_ready_first (void)
{
  const char *only_cpam[] = { "cpam", NULL };
  const char *caf_and_cpam[] = { "caf", "cpam", NULL };
  RelaisTurnCandidate c[] = {
    candidate (1, "caf", 1, T0),
    candidate (2, "france-travail", 2, T0 + 60),
    candidate (3, "cpam", 3, T0 + 120),
    candidate (4, "cpam", 4, T0 + 180),
  };
  RelaisTurnReason reason;
  g_autofree char *order = NULL;

  /* Only the CPAM has an advisor: its first person goes first. */
  g_assert_cmpint (choose (c, G_N_ELEMENTS (c), only_cpam, T0 + 300, &reason), ==, 2);
  g_assert_cmpint (reason, ==, RELAIS_TURN_REASON_READY);

  /* The CAF's advisor arrives: ticket 1 is first in line and ready. */
  g_assert_cmpint (choose (c, G_N_ELEMENTS (c), caf_and_cpam, T0 + 300, &reason), ==, 0);

  /* Nobody ready: the agent's order. */
  g_assert_cmpint (relais_turn_choose (c, G_N_ELEMENTS (c), never_ready, NULL,
                                       T0 + 300, NULL, &reason), ==, 0);
  g_assert_cmpint (reason, ==, RELAIS_TURN_REASON_ORDER);

  /* The board's forecast: the ready ones, then the others, each in order. */
  order = predicted_ids (c, G_N_ELEMENTS (c), ready_in_list, only_cpam, T0 + 300, NULL);
  g_assert_cmpstr (order, ==, "3 4 1 2");
}

static void
test_ageing_by_time (void)
{
  const char *only_cpam[] = { "cpam", NULL };
  RelaisTurnCandidate c[] = {
    candidate (1, "caf", 1, T0),
    candidate (2, "cpam", 2, T0 + 60),
  };
  RelaisTurnReason reason;
  RelaisTurnPolicy policy = { .max_wait_seconds = 600, .max_passes = 0 };

  /* One second short of 20 minutes: the ready person goes first. */
  g_assert_cmpint (choose (c, 2, only_cpam, T0 + 20 * 60 - 1, &reason), ==, 1);
  g_assert_cmpint (reason, ==, RELAIS_TURN_REASON_READY);
  g_assert_false (relais_turn_is_due (&c[0], T0 + 20 * 60 - 1, NULL));

  /* 20 minutes: ticket 1 goes first although the CAF has nobody. */
  g_assert_true (relais_turn_is_due (&c[0], T0 + 20 * 60, NULL));
  g_assert_cmpint (choose (c, 2, only_cpam, T0 + 20 * 60, &reason), ==, 0);
  g_assert_cmpint (reason, ==, RELAIS_TURN_REASON_DUE_WAIT);

  /* A policy of its own: 10 minutes. */
  g_assert_cmpint (relais_turn_choose (c, 2, ready_in_list, only_cpam, T0 + 599, &policy, NULL), ==, 1);
  g_assert_cmpint (relais_turn_choose (c, 2, ready_in_list, only_cpam, T0 + 600, &policy, &reason), ==, 0);
  g_assert_cmpint (reason, ==, RELAIS_TURN_REASON_DUE_WAIT);

  /* No ageing by time at all. */
  policy.max_wait_seconds = 0;
  g_assert_cmpint (relais_turn_choose (c, 2, ready_in_list, only_cpam, T0 + 86400, &policy, NULL), ==, 1);

  /* Due goes first even ahead of a ready person the agent put before. */
  {
    RelaisTurnCandidate moved[] = {
      candidate (5, "cpam", 1, T0 + 15 * 60),
      candidate (4, "caf", 2, T0),
    };

    g_assert_cmpint (choose (moved, 2, only_cpam, T0 + 19 * 60, NULL), ==, 0);
    g_assert_cmpint (choose (moved, 2, only_cpam, T0 + 20 * 60, &reason), ==, 1);
    g_assert_cmpint (reason, ==, RELAIS_TURN_REASON_DUE_WAIT);
  }
}

static void
test_ageing_by_passes (void)
{
  const char *only_cpam[] = { "cpam", NULL };
  RelaisTurnCandidate c[] = {
    candidate (1, "caf", 1, T0),
    candidate (2, "cpam", 2, T0 + 60),
  };
  RelaisTurnReason reason;
  RelaisTurnPolicy policy = { .max_wait_seconds = 0, .max_passes = 1 };

  c[0].passed_over = RELAIS_TURN_DEFAULT_MAX_PASSES - 1;
  g_assert_cmpint (choose (c, 2, only_cpam, T0 + 120, &reason), ==, 1);
  g_assert_true (relais_turn_passes_over (&c[1], &c[0]));
  g_assert_false (relais_turn_passes_over (&c[0], &c[1]));
  g_assert_false (relais_turn_passes_over (&c[0], &c[0]));

  c[0].passed_over++;
  g_assert_cmpint (choose (c, 2, only_cpam, T0 + 120, &reason), ==, 0);
  g_assert_cmpint (reason, ==, RELAIS_TURN_REASON_DUE_PASSES);

  c[0].passed_over = 0;
  g_assert_cmpint (relais_turn_choose (c, 2, ready_in_list, only_cpam, T0 + 120, &policy, NULL), ==, 1);
  c[0].passed_over = 1;
  g_assert_cmpint (relais_turn_choose (c, 2, ready_in_list, only_cpam, T0 + 120, &policy, NULL), ==, 0);
  policy.max_passes = 0;
  c[0].passed_over = 1000;
  g_assert_cmpint (relais_turn_choose (c, 2, ready_in_list, only_cpam, T0 + 120, &policy, NULL), ==, 1);

  /* The forecast counts the pass-overs it implies: with four CPAM people
   * behind, the CAF person is passed over three times, then goes. */
  {
    RelaisTurnCandidate d[] = {
      candidate (1, "caf", 1, T0),
      candidate (2, "cpam", 2, T0),
      candidate (3, "cpam", 3, T0),
      candidate (4, "cpam", 4, T0),
      candidate (5, "cpam", 5, T0),
    };
    g_autofree char *order = predicted_ids (d, G_N_ELEMENTS (d), ready_in_list, only_cpam,
                                            T0 + 60, NULL);

    g_assert_cmpstr (order, ==, "2 3 4 1 5");
    /* The forecast works on a copy. */
    g_assert_cmpuint (d[0].passed_over, ==, 0);
  }
}

static void
test_ties (void)
{
  const char *none[] = { NULL };
  RelaisTurnCandidate same_position[] = {
    candidate (7, "caf", 5, T0),
    candidate (6, "caf", 5, T0),
  };
  /* Due for different reasons at once: the agent's order decides. */
  RelaisTurnCandidate due[] = {
    candidate (3, "caf", 3, T0 + 600),
    candidate (2, "cpam", 2, T0 - 3600),
    candidate (1, "msa", 1, T0 + 600),
  };
  RelaisTurnReason reason;
  g_autofree char *order = NULL;

  g_assert_cmpint (choose (same_position, 2, NULL, T0, NULL), ==, 1);

  due[2].passed_over = RELAIS_TURN_DEFAULT_MAX_PASSES;
  due[0].passed_over = RELAIS_TURN_DEFAULT_MAX_PASSES;
  g_assert_cmpint (choose (due, 3, none, T0 + 660, &reason), ==, 2);
  g_assert_cmpint (reason, ==, RELAIS_TURN_REASON_DUE_PASSES);
  order = predicted_ids (due, 3, ready_in_list, none, T0 + 660, NULL);
  g_assert_cmpstr (order, ==, "1 2 3");

  /* Same arrival second, same service: position decides. */
  {
    RelaisTurnCandidate twins[] = {
      candidate (9, "caf", 2, T0),
      candidate (8, "caf", 1, T0),
    };

    g_assert_cmpint (choose (twins, 2, NULL, T0 + 5000, &reason), ==, 1);
    g_assert_cmpint (reason, ==, RELAIS_TURN_REASON_DUE_WAIT);
  }
}

/* A simulated day at the access point: random arrivals for six services,
 * advisors coming and going (one service never has any), sessions of
 * random length, the agent calling the next person as soon as the booth
 * is free. Every ticket must be called within the bounds that
 * relais-turn.h derives: after at most |A| + max_passes other calls, A
 * being the people waiting ahead of it when it arrived, and within
 * max_wait + (|A| + 1) sessions. */

#define SIM_SERVICES 6
#define SIM_MAX_TICKETS 512
#define SIM_MIN_SESSION (4 * 60)
#define SIM_MAX_SESSION (35 * 60)

typedef struct
{
  gboolean ready[SIM_SERVICES];
} SimAdvisors;

typedef struct
{
  guint    service;
  gint64   arrived;
  gint64   called;
  guint    ahead_at_arrival;
  guint    calls_seen;        /* calls of others while it waited */
  guint    passed_over;
  gint64   position;
  gboolean waiting;
} SimTicket;

typedef struct
{
  guint  tickets;
  guint  violations_calls;
  guint  violations_time;
  gint64 longest_wait;
  guint  most_calls_seen;
} SimResult;

static gboolean
sim_ready (const char *service_id,
           const char *subservice_id,
           gpointer    user_data)
{
  SimAdvisors *advisors = user_data;

  for (guint s = 0; s < SIM_SERVICES; s++)
    if (g_str_equal (service_id, service_name (s)))
      return advisors->ready[s];

  g_assert_not_reached ();
}

static void
simulate_day (guint32                 seed,
              const RelaisTurnPolicy *policy,
              SimResult              *result)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree SimTicket *tickets = g_new0 (SimTicket, SIM_MAX_TICKETS);
  g_autofree RelaisTurnCandidate *candidates = g_new0 (RelaisTurnCandidate, SIM_MAX_TICKETS);
  g_autofree guint *candidate_ticket = g_new0 (guint, SIM_MAX_TICKETS);
  SimAdvisors advisors = { { FALSE } };
  gint64 open = T0 + 8 * 3600 + 1800;   /* 8:30 */
  gint64 close = T0 + 17 * 3600;        /* arrivals stop at 17:00 */
  gint64 booth_free_at = open;
  guint n = 0;
  guint waiting = 0;

  memset (result, 0, sizeof *result);

  for (gint64 now = open; now < close || waiting > 0; now += 60)
    {
      /* Advisors come and go; the last service never has one, so only
       * ageing can bring its people into the booth while others wait. */
      for (guint s = 0; s + 1 < SIM_SERVICES; s++)
        if (g_rand_int_range (rand, 0, 100) < 8)
          advisors.ready[s] = !advisors.ready[s];

      if (waiting > 0 && now >= booth_free_at)
        {
          guint m = 0;
          int chosen;
          SimTicket *called;

          for (guint i = 0; i < n; i++)
            {
              if (!tickets[i].waiting || tickets[i].arrived > now)
                continue;
              candidates[m] = candidate (i + 1, service_name (tickets[i].service),
                                         tickets[i].position, tickets[i].arrived);
              candidates[m].passed_over = tickets[i].passed_over;
              candidate_ticket[m] = i;
              m++;
            }

          g_assert_cmpuint (m, ==, waiting);

          chosen = relais_turn_choose (candidates, m, sim_ready, &advisors, now, policy, NULL);
          g_assert_cmpint (chosen, >=, 0);
          called = &tickets[candidate_ticket[chosen]];

          for (guint k = 0; k < m; k++)
            {
              SimTicket *t = &tickets[candidate_ticket[k]];

              if (t == called)
                continue;
              t->calls_seen++;
              if (relais_turn_passes_over (&candidates[chosen], &candidates[k]))
                t->passed_over++;
            }

          called->waiting = FALSE;
          called->called = now;
          waiting--;
          booth_free_at = now + g_rand_int_range (rand, SIM_MIN_SESSION, SIM_MAX_SESSION + 1);
        }

      /* After this minute's call, a newcomer (busy enough that the line
       * rarely empties before the evening) sees who is left ahead. */
      if (now < close && n < SIM_MAX_TICKETS && g_rand_int_range (rand, 0, 100) < 9)
        {
          SimTicket *t = &tickets[n];

          t->service = g_rand_int_range (rand, 0, SIM_SERVICES);
          t->arrived = now + g_rand_int_range (rand, 1, 60);
          t->ahead_at_arrival = waiting;
          t->position = n + 1;
          t->waiting = TRUE;
          n++;
          waiting++;
        }
    }

  result->tickets = n;
  for (guint i = 0; i < n; i++)
    {
      SimTicket *t = &tickets[i];
      gint64 wait = t->called - t->arrived;
      guint call_bound = t->ahead_at_arrival + policy->max_passes;
      /* + 60 s each: the agent calls on the minute. */
      gint64 time_bound = policy->max_wait_seconds + 60
                          + (gint64)(t->ahead_at_arrival + 1) * (SIM_MAX_SESSION + 60);

      g_assert_false (t->waiting);
      result->longest_wait = MAX (result->longest_wait, wait);
      result->most_calls_seen = MAX (result->most_calls_seen, t->calls_seen);

      if (policy->max_passes > 0 && t->calls_seen > call_bound)
        result->violations_calls++;
      if (policy->max_wait_seconds > 0 && wait > time_bound)
        result->violations_time++;
    }
}

static void
test_nobody_starved (void)
{
  RelaisTurnPolicy policy;
  RelaisTurnPolicy time_only = { .max_wait_seconds = 20 * 60, .max_passes = 0 };
  RelaisTurnPolicy passes_only = { .max_wait_seconds = 0, .max_passes = 2 };
  guint total = 0;

  relais_turn_policy_init_default (&policy);

  for (guint32 seed = 1; seed <= 60; seed++)
    {
      SimResult result;

      simulate_day (seed, &policy, &result);
      if (result.violations_calls > 0 || result.violations_time > 0)
        g_error ("day %u: %u tickets over the call bound, %u over the time bound",
                 seed, result.violations_calls, result.violations_time);
      g_assert_cmpuint (result.tickets, >, 20);
      total += result.tickets;

      simulate_day (seed, &time_only, &result);
      g_assert_cmpuint (result.violations_time, ==, 0);

      simulate_day (seed, &passes_only, &result);
      g_assert_cmpuint (result.violations_calls, ==, 0);
    }

  g_test_message ("%u tickets over 60 simulated days, all called within their bounds", total);
}

/* The simulation above can fail: with ageing turned off, the people of
 * the service that never has an advisor wait until the evening. */
static void
test_starvation_without_ageing (void)
{
  RelaisTurnPolicy none = { .max_wait_seconds = 0, .max_passes = 0 };
  RelaisTurnPolicy with_ageing;
  gint64 worst_without = 0;
  gint64 worst_with = 0;

  relais_turn_policy_init_default (&with_ageing);

  for (guint32 seed = 1; seed <= 20; seed++)
    {
      SimResult result;

      simulate_day (seed, &none, &result);
      worst_without = MAX (worst_without, result.longest_wait);
      simulate_day (seed, &with_ageing, &result);
      worst_with = MAX (worst_with, result.longest_wait);
    }

  g_test_message ("longest wait: %" G_GINT64_FORMAT " min without ageing, %"
                  G_GINT64_FORMAT " min with", worst_without / 60, worst_with / 60);
  g_assert_cmpint (worst_without, >, worst_with);
  g_assert_cmpint (worst_without, >, 3 * 3600);
}

static void
test_seconds_per_person (void)
{
  const gint64 four[] = { 600, 600, 600, 600 };
  const gint64 odd[] = { 900, 300, 4 * 3600 * 10, 600, 700 };
  const gint64 even[] = { 600, 1200, 300, 900, 0, -50, 1500, 100 };
  const gint64 too_few_valid[] = { 600, 0, -1, 600, 600, 0 };

  g_assert_cmpint (relais_turn_seconds_per_person (NULL, 0), ==, 15 * 60);
  g_assert_cmpint (relais_turn_seconds_per_person (four, 4), ==, RELAIS_TURN_DEFAULT_SECONDS_PER_PERSON);
  /* The ticket left open overnight does not move the median. */
  g_assert_cmpint (relais_turn_seconds_per_person (odd, 5), ==, 700);
  /* 100 300 600 900 1200 1500 → (600 + 900) / 2; 0 and -50 ignored. */
  g_assert_cmpint (relais_turn_seconds_per_person (even, G_N_ELEMENTS (even)), ==, 750);
  g_assert_cmpint (relais_turn_seconds_per_person (too_few_valid, G_N_ELEMENTS (too_few_valid)),
                   ==, RELAIS_TURN_DEFAULT_SECONDS_PER_PERSON);
}

static void
test_estimate (void)
{
  const gint64 p = 15 * 60;

  /* Next, booth free: a few moments. */
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (0, FALSE, 0, p), ==, 0);
  /* Next, booth busy for 14 of 15 minutes: at least a quarter (~4 min). */
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (0, TRUE, 14 * 60, p), ==, 0);
  /* Next, booth busy for 2 minutes: 13 → 15. */
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (0, TRUE, 120, p), ==, 15);
  /* Overrun: 40 minutes in a 15-minute session still counts ~4 min. */
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (1, TRUE, 40 * 60, p), ==, 20);
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (1, FALSE, 0, p), ==, 15);
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (2, FALSE, 0, 11 * 60), ==, 20);
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (1, FALSE, 0, 7 * 60), ==, 5);
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (1, FALSE, 0, 4 * 60 + 29), ==, 0);
  /* Past an hour, quarters of an hour. */
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (4, FALSE, 0, p), ==, 60);
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (5, FALSE, 0, 17 * 60), ==, 90);
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (12, FALSE, 0, p), ==, 180);
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (12, TRUE, 0, p), ==, RELAIS_TURN_WAIT_VERY_LONG);
  /* No figure at all: the default. */
  g_assert_cmpuint (relais_turn_estimate_wait_minutes (2, FALSE, 0, 0), ==, 30);

  /* Every estimate is a multiple of 5 (15 past an hour). */
  for (guint ahead = 0; ahead <= 12; ahead++)
    for (gint64 per = 60; per <= 40 * 60; per += 37)
      {
        guint m = relais_turn_estimate_wait_minutes (ahead, ahead % 2, per / 3, per);

        if (m == RELAIS_TURN_WAIT_VERY_LONG)
          continue;
        g_assert_cmpuint (m % 5, ==, 0);
        g_assert_cmpuint (m, <=, 180);
        if (m > 60)
          g_assert_cmpuint (m % 15, ==, 0);
      }
}

static void
test_format_wait (void)
{
  struct { guint minutes; const char *text; } cases[] = {
    { 0, "moins de 5 min" },
    { 5, "environ 5 min" },
    { 15, "environ 15 min" },
    { 55, "environ 55 min" },
    { 60, "environ 1 h" },
    { 75, "environ 1 h 15" },
    { 120, "environ 2 h" },
    { 180, "environ 3 h" },
    { RELAIS_TURN_WAIT_VERY_LONG, "plus de 3 h" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = relais_turn_format_wait (cases[i].minutes);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* The rule inside the real queue (store in memory). */

typedef struct
{
  gint64       now;
  RelaisStore *store;
  RelaisQueue *queue;
  const char  *ready_services[4];
} QueueFixture;

static gint64
fixture_clock (gpointer user_data)
{
  return ((QueueFixture *) user_data)->now;
}

static gboolean
fixture_ready (const char *service_id,
               const char *subservice_id,
               gpointer    user_data)
{
  QueueFixture *fixture = user_data;

  return g_strv_contains (fixture->ready_services, service_id);
}

/* Opens the store at @path and a queue on it, as the kiosk starts. */
static void
queue_open (QueueFixture *fixture,
            const char   *path)
{
  g_autoptr(GError) error = NULL;

  fixture->store = relais_store_new (path, &error);
  g_assert_no_error (error);
  fixture->queue = relais_queue_new_with_clock (fixture->store, fixture_clock, fixture, &error);
  g_assert_no_error (error);
  relais_queue_set_turn_rule (fixture->queue, fixture_ready, fixture, NULL);
}

static void
queue_setup (QueueFixture  *fixture,
             gconstpointer  data)
{
  fixture->now = T0 + 9 * 3600;
  queue_open (fixture, ":memory:");
}

static void
queue_close (QueueFixture *fixture)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->queue));
  g_assert_finalize_object (g_steal_pointer (&fixture->store));
}

static void
queue_teardown (QueueFixture  *fixture,
                gconstpointer  data)
{
  queue_close (fixture);
}

static gint64
add_ticket (QueueFixture *fixture,
            const char   *service_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) ticket =
    relais_queue_add (fixture->queue, g_ascii_toupper (service_id[0]), service_id, "demarche",
                      NULL, NULL, &error);

  g_assert_no_error (error);
  fixture->now += 60;
  return relais_ticket_get_id (ticket);
}

static char *
call_and_finish (QueueFixture *fixture,
                 gint64        booth_seconds)
{
  g_autoptr(GError) error = NULL;
  RelaisTicket *called = relais_queue_call_next (fixture->queue, &error);
  char *code;

  g_assert_no_error (error);
  g_assert_nonnull (called);
  code = g_strdup (relais_ticket_get_code (called));
  fixture->now += booth_seconds;
  g_assert_true (relais_queue_finish (fixture->queue, relais_ticket_get_id (called), &error));
  g_assert_no_error (error);

  return code;
}

static char *
turn_order_codes (QueueFixture *fixture)
{
  g_autoptr(GPtrArray) order = relais_queue_list_turn_order (fixture->queue);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < order->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "",
                            relais_ticket_get_code (g_ptr_array_index (order, i)));

  return g_string_free (text, FALSE);
}

static void
test_queue_call_next (QueueFixture  *fixture,
                      gconstpointer  data)
{
  gint64 c1 = add_ticket (fixture, "caf");
  gint64 f1;
  g_autofree char *order = NULL;
  g_autofree char *first = NULL;

  f1 = add_ticket (fixture, "france-travail");
  for (int i = 0; i < 3; i++)
    add_ticket (fixture, "france-travail");

  /* Only France Travail has an advisor: its people go first; C1 is
   * passed over three times, then goes whatever the advisors. */
  fixture->ready_services[0] = "france-travail";
  order = turn_order_codes (fixture);
  g_assert_cmpstr (order, ==, "F1 F2 F3 C1 F4");

  first = call_and_finish (fixture, 60);
  g_assert_cmpstr (first, ==, "F1");
  g_assert_cmpuint (relais_queue_get_passed_over (fixture->queue, c1), ==, 1);
  g_assert_cmpuint (relais_queue_get_passed_over (fixture->queue, f1 + 1), ==, 0);
  g_assert_cmpuint (relais_queue_get_passed_over (fixture->queue, f1), ==, 0);
  g_clear_pointer (&first, g_free);
  first = call_and_finish (fixture, 60);
  g_assert_cmpstr (first, ==, "F2");
  g_clear_pointer (&first, g_free);
  first = call_and_finish (fixture, 60);
  g_assert_cmpstr (first, ==, "F3");
  g_assert_cmpuint (relais_queue_get_passed_over (fixture->queue, c1), ==, 3);
  g_clear_pointer (&first, g_free);
  first = call_and_finish (fixture, 60);
  g_assert_cmpstr (first, ==, "C1");
  /* Once called, the count is gone. */
  g_assert_cmpuint (relais_queue_get_passed_over (fixture->queue, c1), ==, 0);
  g_clear_pointer (&first, g_free);
  first = call_and_finish (fixture, 60);
  g_assert_cmpstr (first, ==, "F4");
}

/* The same day as /turn/queue/call-next, the kiosk restarted (a power
 * cut) before each call: C1's pass-overs are on disk, so it still goes
 * after three, not after three more each time. */
static void
test_queue_pass_overs_survive_restart (void)
{
  QueueFixture fixture = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("relais-turn-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *db_wal = NULL;
  g_autofree char *db_shm = NULL;
  const char *expected[] = { "F1", "F2", "F3", "C1", "F4" };
  gint64 c1;

  g_assert_no_error (error);
  path = g_build_filename (dir, "relais.db", NULL);
  fixture.now = T0 + 9 * 3600;
  fixture.ready_services[0] = "france-travail";
  queue_open (&fixture, path);
  c1 = add_ticket (&fixture, "caf");
  for (int i = 0; i < 4; i++)
    add_ticket (&fixture, "france-travail");

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *called = NULL;

      queue_close (&fixture);
      queue_open (&fixture, path);
      if (i <= 3)
        g_assert_cmpuint (relais_queue_get_passed_over (fixture.queue, c1), ==, i);
      called = call_and_finish (&fixture, 60);
      g_assert_cmpstr (called, ==, expected[i]);
    }

  queue_close (&fixture);
  db_wal = g_strconcat (path, "-wal", NULL);
  db_shm = g_strconcat (path, "-shm", NULL);
  g_remove (db_wal);
  g_remove (db_shm);
  g_assert_no_errno (g_remove (path));
  g_assert_no_errno (g_rmdir (dir));
}

static void
test_queue_order_and_out_of_turn (QueueFixture  *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 c1 = add_ticket (fixture, "caf");
  gint64 c2 = add_ticket (fixture, "caf");
  gint64 m1 = add_ticket (fixture, "msa");
  g_autofree char *order = NULL;
  g_autofree char *code = NULL;

  /* No readiness function: every service ready, the agent's order. */
  relais_queue_set_turn_rule (fixture->queue, NULL, NULL, NULL);
  order = turn_order_codes (fixture);
  g_assert_cmpstr (order, ==, "C1 C2 M1");

  /* The agent calls M1 out of turn: C1 and C2 were passed over. */
  g_assert_true (relais_queue_call (fixture->queue, m1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (relais_queue_get_passed_over (fixture->queue, c1), ==, 1);
  g_assert_cmpuint (relais_queue_get_passed_over (fixture->queue, c2), ==, 1);
  g_assert_true (relais_queue_finish (fixture->queue, m1, &error));

  /* Nobody ready and nobody due: still the agent's order. */
  relais_queue_set_turn_rule (fixture->queue, fixture_ready, fixture, NULL);
  code = call_and_finish (fixture, 60);
  g_assert_cmpstr (code, ==, "C1");

  /* A policy of the deployment's: one pass-over is enough. */
  {
    RelaisTurnPolicy policy = { .max_wait_seconds = 0, .max_passes = 1 };
    gint64 c3;

    g_clear_pointer (&code, g_free);
    c3 = add_ticket (fixture, "caf");
    add_ticket (fixture, "msa");
    fixture->ready_services[0] = "msa";
    relais_queue_set_turn_rule (fixture->queue, fixture_ready, fixture, &policy);
    g_clear_pointer (&order, g_free);
    /* C2 was passed over once (by M1): due. */
    order = turn_order_codes (fixture);
    g_assert_cmpstr (order, ==, "C2 M2 C3");
    g_assert_cmpuint (relais_queue_get_passed_over (fixture->queue, c3), ==, 0);
  }

  /* Nobody waits: the same error as before the rule. */
  {
    RelaisQueue *queue = fixture->queue;

    for (int i = 0; i < 3; i++)
      g_free (call_and_finish (fixture, 60));
    g_assert_null (relais_queue_call_next (queue, &error));
    g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_QUEUE);
  }
}

static void
test_queue_ageing_by_time (QueueFixture  *fixture,
                           gconstpointer  data)
{
  g_autofree char *order = NULL;
  g_autofree char *code = NULL;

  add_ticket (fixture, "caf");
  fixture->now += 10 * 60;
  add_ticket (fixture, "cpam");
  fixture->ready_services[0] = "cpam";

  order = turn_order_codes (fixture);
  g_assert_cmpstr (order, ==, "C2 C1");
  /* 20 minutes after C1 arrived, C1 (CAF, no advisor) goes first. */
  fixture->now += 10 * 60;
  g_clear_pointer (&order, g_free);
  order = turn_order_codes (fixture);
  g_assert_cmpstr (order, ==, "C1 C2");
  code = call_and_finish (fixture, 60);
  g_assert_cmpstr (code, ==, "C1");
}

/* The store's figures for the estimate: booth times of done tickets. */
static void
test_queue_recent_durations (QueueFixture  *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) durations = NULL;
  gint64 since = fixture->now;
  gint64 absent;
  gint64 cancelled;

  for (int i = 0; i < 3; i++)
    add_ticket (fixture, "caf");
  absent = add_ticket (fixture, "caf");
  cancelled = add_ticket (fixture, "caf");

  g_free (call_and_finish (fixture, 600));
  g_free (call_and_finish (fixture, 1200));
  g_free (call_and_finish (fixture, 300));
  g_assert_true (relais_queue_call (fixture->queue, absent, &error));
  fixture->now += 500;
  g_assert_true (relais_queue_mark_absent (fixture->queue, absent, &error));
  g_assert_true (relais_queue_cancel (fixture->queue, cancelled, &error));
  g_assert_no_error (error);

  durations = relais_store_list_recent_durations (fixture->store, since, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (durations->len, ==, 3);
  /* Newest first. */
  g_assert_cmpint (g_array_index (durations, gint64, 0), ==, 300);
  g_assert_cmpint (g_array_index (durations, gint64, 1), ==, 1200);
  g_assert_cmpint (g_array_index (durations, gint64, 2), ==, 600);
  /* Fewer than five sessions: the default. */
  g_assert_cmpint (relais_turn_seconds_per_person ((gint64 *)(gpointer) durations->data, durations->len),
                   ==, RELAIS_TURN_DEFAULT_SECONDS_PER_PERSON);
  g_clear_pointer (&durations, g_array_unref);

  /* Sessions older than @since are left out. */
  durations = relais_store_list_recent_durations (fixture->store, fixture->now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (durations->len, ==, 0);
  g_clear_pointer (&durations, g_array_unref);

  for (int i = 0; i < 3; i++)
    {
      add_ticket (fixture, "caf");
      g_free (call_and_finish (fixture, 420));
    }
  durations = relais_store_list_recent_durations (fixture->store, since, &error);
  g_assert_no_error (error);
  /* 300 420 420 420 600 1200 → 420 */
  g_assert_cmpint (relais_turn_seconds_per_person ((gint64 *)(gpointer) durations->data, durations->len),
                   ==, 420);
  /* The same, as the attract page reads it. */
  g_assert_cmpint (relais_figures_seconds_per_person_from_store (fixture->store, since, &error), ==, 420);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  /* The French source strings, whatever the developer's language. */
  g_setenv ("LANGUAGE", "fr", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/turn/empty", test_empty);
  g_test_add_func ("/turn/order-kept-when-all-ready", test_order_kept_when_all_ready);
  g_test_add_func ("/turn/ready-first", test_ready_first);
  g_test_add_func ("/turn/ageing-by-time", test_ageing_by_time);
  g_test_add_func ("/turn/ageing-by-passes", test_ageing_by_passes);
  g_test_add_func ("/turn/ties", test_ties);
  g_test_add_func ("/turn/nobody-starved", test_nobody_starved);
  g_test_add_func ("/turn/starvation-without-ageing", test_starvation_without_ageing);
  g_test_add_func ("/turn/seconds-per-person", test_seconds_per_person);
  g_test_add_func ("/turn/estimate", test_estimate);
  g_test_add_func ("/turn/format-wait", test_format_wait);
  g_test_add ("/turn/queue/call-next", QueueFixture, NULL,
              queue_setup, test_queue_call_next, queue_teardown);
  g_test_add_func ("/turn/queue/pass-overs-survive-restart", test_queue_pass_overs_survive_restart);
  g_test_add ("/turn/queue/order-and-out-of-turn", QueueFixture, NULL,
              queue_setup, test_queue_order_and_out_of_turn, queue_teardown);
  g_test_add ("/turn/queue/ageing-by-time", QueueFixture, NULL,
              queue_setup, test_queue_ageing_by_time, queue_teardown);
  g_test_add ("/turn/queue/recent-durations", QueueFixture, NULL,
              queue_setup, test_queue_recent_durations, queue_teardown);

  return g_test_run ();
}
