/* relais-turn.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Who goes into the booth next, and how long the others may wait.
 *
 * Pure functions: no store, no GTK, no clock of their own. The queue
 * (common/site/relais-queue.c) feeds them its waiting tickets; the tests feed
 * them made-up ones.
 *
 * The rule, and why
 * -----------------
 * 1. The base order is the agent's: queue position (then ticket id, should
 *    two positions ever be equal). The agent knows things the kiosk does
 *    not (a person who must leave early, a carer who has to come back), so
 *    the rule never reorders within a class below, it only lets a whole
 *    class go first.
 *
 * 2. A person whose service has an advisor ready now goes before a person
 *    whose service has none. The booth is the scarce thing: calling someone
 *    whose advisor is not there leaves the booth occupied by a person
 *    waiting for a video call that does not come, while someone whose
 *    advisor is free waits outside. A sub-service not offered by visio
 *    needs no advisor: the caller's readiness function says TRUE for it.
 *    When nobody's service is ready, the first in the base order goes (the
 *    booth is free; they get the pre-call check done while an advisor
 *    turns up).
 *
 * 3. Ageing, so that nobody is starved: a person who has waited at least
 *    the policy's max_wait, or who has been passed over max_passes times,
 *    is "due" and goes before everybody who is not, advisor or no advisor.
 *    Among due people the base order holds. "Passed over" means a ticket
 *    behind them in the base order was called before them (by this rule or
 *    by the agent calling out of turn): the queue keeps that count.
 *
 * Why nobody waits for ever (the unit test checks it on simulated days):
 * without manual moves, new tickets go to the end, so a ticket T has a
 * fixed, finite set A of tickets ahead of it when it arrives. Every call
 * made while T waits either takes one of A (at most |A| such calls) or
 * takes a ticket behind T, which passes T over. After max_passes such
 * calls T is due; then only due tickets ahead of T can go before it, and
 * those are in A. A ticket behind T cannot be due before T: it arrived
 * later (so ages later by time) and every call that passed it over also
 * passed T over. So T is called within |A| + max_passes + 1 calls, and
 * within max_wait plus the booth time of the due people ahead of it.
 */

/* 20 minutes: longer than a typical session, short enough that someone
 * standing in a town hall is not forgotten. */
#define RELAIS_TURN_DEFAULT_MAX_WAIT_SECONDS (20 * 60)
#define RELAIS_TURN_DEFAULT_MAX_PASSES 3

typedef struct
{
  gint64 max_wait_seconds;  /* ≤ 0: no ageing by time */
  guint  max_passes;        /* 0: no ageing by pass-overs */
} RelaisTurnPolicy;

void relais_turn_policy_init_default (RelaisTurnPolicy *policy);

/* One waiting ticket, as the rule sees it. Strings are borrowed. */
typedef struct
{
  gint64      ticket_id;
  const char *service_id;
  const char *subservice_id;
  gint64      position;
  gint64      created_at;   /* Unix seconds */
  guint       passed_over;
} RelaisTurnCandidate;

/* Whether a person for this (sub-)service could start a call now. Asked
 * many times per decision (the board's forecast asks up to n² times), so
 * it must answer from state already known, never block or do I/O. */
typedef gboolean (*RelaisTurnReadyFunc) (const char *service_id,
                                         const char *subservice_id,
                                         gpointer    user_data);

typedef enum
{
  RELAIS_TURN_REASON_NONE = 0,   /* nobody waits */
  RELAIS_TURN_REASON_DUE_WAIT,   /* waited max_wait or more */
  RELAIS_TURN_REASON_DUE_PASSES, /* passed over max_passes times */
  RELAIS_TURN_REASON_READY,      /* first whose service has an advisor ready */
  RELAIS_TURN_REASON_ORDER,      /* nobody ready: first in the agent's order */
} RelaisTurnReason;

/* TRUE when @candidate must go first whatever the advisors. */
gboolean relais_turn_is_due (const RelaisTurnCandidate *candidate,
                             gint64                     now,
                             const RelaisTurnPolicy    *policy);

/* The index in @candidates (any order) of the person to call now, or -1
 * when @n_candidates is 0. A NULL @ready means every service is ready, a
 * NULL @policy the default one. @reason (nullable) says why. */
int      relais_turn_choose  (const RelaisTurnCandidate *candidates,
                              guint                      n_candidates,
                              RelaisTurnReadyFunc        ready,
                              gpointer                   user_data,
                              gint64                     now,
                              const RelaisTurnPolicy    *policy,
                              RelaisTurnReason          *reason);

/* Whether @candidate is passed over when @chosen is called: it is ahead
 * of @chosen in the base order. */
gboolean relais_turn_passes_over (const RelaisTurnCandidate *chosen,
                                  const RelaisTurnCandidate *candidate);

/* The order in which the rule would call everybody if the advisors stayed
 * as they are now and calls came one after another: choose, count the
 * pass-overs, remove, again. Fills @order (n_candidates indices into
 * @candidates). What the attract screen shows as each person's place. */
void     relais_turn_predict_order (const RelaisTurnCandidate *candidates,
                                    guint                      n_candidates,
                                    RelaisTurnReadyFunc        ready,
                                    gpointer                   user_data,
                                    gint64                     now,
                                    const RelaisTurnPolicy    *policy,
                                    guint                     *order);

/* Estimated wait
 * --------------
 * From the booth times (called → ended, seconds) of recent finished
 * sessions: their median, which one forgotten ticket left open overnight
 * cannot drag; with fewer than RELAIS_TURN_MIN_SESSIONS known, a default
 * of 15 minutes per person. Non-positive durations are ignored. */
#define RELAIS_TURN_DEFAULT_SECONDS_PER_PERSON (15 * 60)
#define RELAIS_TURN_MIN_SESSIONS 5

gint64   relais_turn_seconds_per_person (const gint64 *durations,
                                         guint         n_durations);

/* Minutes to announce to a person with @people_ahead waiting before them
 * (in the predicted order), when the booth is busy (for @booth_elapsed
 * seconds already) or not. The person in the booth counts for what is
 * left of a typical session, but at least a quarter of one: sessions
 * overrun. Rounded so as never to look precise: 0 means "less than 5
 * minutes"; up to an hour, to the nearest 5 minutes; up to three hours,
 * to the nearest quarter of an hour; beyond, RELAIS_TURN_WAIT_VERY_LONG. */
#define RELAIS_TURN_WAIT_VERY_LONG G_MAXUINT

guint    relais_turn_estimate_wait_minutes (guint    people_ahead,
                                            gboolean booth_busy,
                                            gint64   booth_elapsed,
                                            gint64   seconds_per_person);

/* "moins de 5 min", "environ 15 min", "environ 1 h 15", "plus de 3 h",
 * in the current language. */
char    *relais_turn_format_wait (guint minutes);

G_END_DECLS
