/* test-session.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-session"

#include "relais-error.h"
#include "relais-queue.h"
#include "relais-session.h"
#include "relais-store.h"

#define N_STATES (RELAIS_SESSION_SURVEY + 1)
#define N_EVENTS (RELAIS_SESSION_EVENT_SURVEY_DONE + 1)

/* The test's own copy of the transition table, written as a matrix so
 * that every (state, event) pair is spelled out: NO is "refused", REST is
 * "where the screen rests", which depends on the ticket holding the booth
 * and, for a person in a call, on their phase. */
#define NO   (-1)
#define REST (-2)
#define A    RELAIS_SESSION_ATTRACT
#define U    RELAIS_SESSION_UNLOCKING
#define D    RELAIS_SESSION_DESK
#define Y    RELAIS_SESSION_YOUR_TURN
#define P    RELAIS_SESSION_PRECALL
#define I    RELAIS_SESSION_IN_CALL
#define E    RELAIS_SESSION_CALL_ENDED
#define S    RELAIS_SESSION_SURVEY

static const int expected[N_STATES][N_EVENTS] = {
  /*                              agent unlocked lock called present ended released start over survey */
  [RELAIS_SESSION_ATTRACT]    = { U,    NO,      NO,   NO,    NO,     NO,   NO,      NO,   NO,  NO },
  [RELAIS_SESSION_UNLOCKING]  = { NO,   D,       REST, NO,    NO,     NO,   NO,      NO,   NO,  NO },
  [RELAIS_SESSION_DESK]       = { NO,   NO,      REST, Y,     NO,     D,    D,       NO,   NO,  NO },
  [RELAIS_SESSION_YOUR_TURN]  = { U,    NO,      NO,   NO,    P,      NO,   NO,      NO,   NO,  NO },
  [RELAIS_SESSION_PRECALL]    = { U,    NO,      NO,   NO,    NO,     A,    NO,      I,    NO,  NO },
  [RELAIS_SESSION_IN_CALL]    = { U,    NO,      NO,   NO,    NO,     A,    NO,      NO,   E,   NO },
  [RELAIS_SESSION_CALL_ENDED] = { U,    NO,      NO,   NO,    NO,     S,    NO,      NO,   NO,  NO },
  [RELAIS_SESSION_SURVEY]     = { U,    NO,      NO,   NO,    NO,     NO,   NO,      NO,   NO,  A  },
};

#undef A
#undef U
#undef D
#undef Y
#undef P
#undef I
#undef E
#undef S

/* The person's phase, which the session keeps while the agent has the
 * screen. */
#define N_PHASES 3
static const RelaisSessionState phases[N_PHASES] = {
  RELAIS_SESSION_PRECALL, RELAIS_SESSION_IN_CALL, RELAIS_SESSION_CALL_ENDED,
};

static int
phase_index (RelaisSessionState phase)
{
  for (int i = 0; i < N_PHASES; i++)
    if (phases[i] == phase)
      return i;
  g_assert_not_reached ();
}

/* What the queue holds for the booth. */
typedef enum
{
  BOOTH_FREE,      /* no current ticket */
  BOOTH_CALLED,    /* a ticket was called */
  BOOTH_IN_CALL,   /* the person is at the booth (ticket in call) */
  N_BOOTHS
} Booth;

static const char * const booth_names[N_BOOTHS] = { "free", "called", "in-call" };

static RelaisSessionState
rest_for (Booth              booth,
          RelaisSessionState phase)
{
  switch (booth)
    {
    case BOOTH_FREE: return RELAIS_SESSION_ATTRACT;
    case BOOTH_CALLED: return RELAIS_SESSION_YOUR_TURN;
    case BOOTH_IN_CALL: return phase;
    default: g_assert_not_reached ();
    }
}

static int
expected_target (RelaisSessionState state,
                 RelaisSessionEvent event,
                 Booth              booth,
                 RelaisSessionState phase)
{
  int to = expected[state][event];

  return to == REST ? (int) rest_for (booth, phase) : to;
}

/* The phase after a transition to @to on @event. */
static RelaisSessionState
expected_phase (RelaisSessionState phase,
                RelaisSessionEvent event,
                int                to)
{
  if (to == RELAIS_SESSION_PRECALL || to == RELAIS_SESSION_IN_CALL || to == RELAIS_SESSION_CALL_ENDED)
    return to;
  if (event == RELAIS_SESSION_EVENT_SESSION_ENDED
      || event == RELAIS_SESSION_EVENT_TICKET_RELEASED
      || event == RELAIS_SESSION_EVENT_TICKET_CALLED)
    return RELAIS_SESSION_PRECALL;
  return phase;
}

typedef struct
{
  RelaisStore   *store;
  RelaisQueue   *queue;
  RelaisSession *session;
  guint          notifies;
  RelaisSessionState last_notified;
} SessionFixture;

static void
notify_state_cb (GObject        *object,
                 GParamSpec     *pspec,
                 SessionFixture *fixture)
{
  RelaisSessionState state;

  g_assert_cmpstr (g_param_spec_get_name (pspec), ==, "state");
  g_object_get (object, "state", &state, NULL);
  g_assert_cmpint (state, ==, relais_session_get_state (RELAIS_SESSION (object)));

  fixture->notifies++;
  fixture->last_notified = state;
}

static void
set_booth (SessionFixture *fixture,
           Booth           booth)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) waiting = NULL;
  g_autoptr(RelaisTicket) ticket = NULL;
  RelaisTicket *called;

  /* Someone waiting behind, so that the current ticket is not merely the
   * only one there is. */
  ticket = relais_queue_add (fixture->queue, 'C', "caf", "rsa", NULL, NULL, &error);
  g_assert_no_error (error);
  waiting = relais_queue_add (fixture->queue, 'C', "caf", "rsa", NULL, NULL, &error);
  g_assert_no_error (error);

  if (booth == BOOTH_FREE)
    {
      g_assert_null (relais_queue_get_current (fixture->queue));
      return;
    }

  called = relais_queue_call_next (fixture->queue, &error);
  g_assert_no_error (error);
  g_assert_true (called == relais_queue_find (fixture->queue, relais_ticket_get_id (ticket)));

  if (booth == BOOTH_IN_CALL)
    {
      relais_queue_start (fixture->queue, relais_ticket_get_id (ticket), &error);
      g_assert_no_error (error);
      g_assert_cmpint (relais_ticket_get_state (relais_queue_get_current (fixture->queue)),
                       ==, RELAIS_TICKET_IN_CALL);
    }
  else
    {
      g_assert_cmpint (relais_ticket_get_state (relais_queue_get_current (fixture->queue)),
                       ==, RELAIS_TICKET_CALLED);
    }
}

static void
start_session (SessionFixture *fixture)
{
  fixture->session = relais_session_new (fixture->queue);
  g_signal_connect (fixture->session, "notify::state",
                    G_CALLBACK (notify_state_cb), fixture);
  fixture->notifies = 0;
}

static void
session_setup (SessionFixture *fixture,
               gconstpointer   data)
{
  g_autoptr(GError) error = NULL;

  fixture->store = relais_store_new (":memory:", &error);
  g_assert_no_error (error);
  fixture->queue = relais_queue_new (fixture->store, &error);
  g_assert_no_error (error);
}

static void
session_teardown (SessionFixture *fixture,
                  gconstpointer   data)
{
  if (fixture->session != NULL)
    g_assert_finalize_object (g_steal_pointer (&fixture->session));
  g_assert_finalize_object (g_steal_pointer (&fixture->queue));
  g_assert_finalize_object (g_steal_pointer (&fixture->store));
}

#define NODE(state, phase) ((state) * N_PHASES + phase_index (phase))
#define N_NODES (N_STATES * N_PHASES)

/* Events leading from (@from, @from_phase) to (@to, @to_phase) over the
 * expected table (breadth-first), or NULL when unreachable. */
static GArray *
find_path (RelaisSessionState from,
           RelaisSessionState from_phase,
           RelaisSessionState to,
           RelaisSessionState to_phase,
           Booth              booth)
{
  int previous_node[N_NODES];
  int previous_event[N_NODES];
  gboolean seen[N_NODES] = { FALSE, };
  int fifo[N_NODES];
  guint head = 0, tail = 0;
  int start = NODE (from, from_phase);
  int goal = NODE (to, to_phase);
  GArray *path;

  seen[start] = TRUE;
  fifo[tail++] = start;

  while (head < tail && !seen[goal])
    {
      int node = fifo[head++];
      RelaisSessionState state = node / N_PHASES;
      RelaisSessionState phase = phases[node % N_PHASES];

      for (int event = 0; event < N_EVENTS; event++)
        {
          int next_state = expected_target (state, event, booth, phase);
          int next;

          if (next_state == NO)
            continue;

          next = NODE (next_state, expected_phase (phase, event, next_state));
          if (seen[next])
            continue;

          seen[next] = TRUE;
          previous_node[next] = node;
          previous_event[next] = event;
          fifo[tail++] = next;
        }
    }

  if (!seen[goal])
    return NULL;

  path = g_array_new (FALSE, FALSE, sizeof (RelaisSessionEvent));
  for (int node = goal; node != start; node = previous_node[node])
    {
      RelaisSessionEvent event = previous_event[node];

      g_array_prepend_val (path, event);
    }

  return path;
}

static RelaisSessionState
initial_state (Booth booth)
{
  return rest_for (booth, RELAIS_SESSION_PRECALL);
}

static gboolean
reachable (Booth              booth,
           RelaisSessionState state,
           RelaisSessionState phase)
{
  g_autoptr(GArray) path = find_path (initial_state (booth), RELAIS_SESSION_PRECALL,
                                      state, phase, booth);

  return path != NULL;
}

static void
drive_to (SessionFixture     *fixture,
          RelaisSessionState  target,
          RelaisSessionState  phase,
          Booth               booth)
{
  g_autoptr(GArray) path = find_path (relais_session_get_state (fixture->session),
                                      relais_session_get_phase (fixture->session),
                                      target, phase, booth);

  g_assert_nonnull (path);

  for (guint i = 0; i < path->len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (relais_session_handle (fixture->session,
                                            g_array_index (path, RelaisSessionEvent, i),
                                            &error));
      g_assert_no_error (error);
    }

  g_assert_cmpint (relais_session_get_state (fixture->session), ==, target);
  g_assert_cmpint (relais_session_get_phase (fixture->session), ==, phase);
}

typedef struct
{
  Booth              booth;
  RelaisSessionState phase;
  RelaisSessionState state;
  RelaisSessionEvent event;
} PairCase;

/* One (booth, phase, state, event): drive the session to @state with
 * @phase, send @event, check the outcome against the expected table. */
static void
test_pair (SessionFixture *fixture,
           gconstpointer   data)
{
  const PairCase *pair = data;
  g_autoptr(GError) error = NULL;
  int to = expected_target (pair->state, pair->event, pair->booth, pair->phase);
  gboolean ok;

  set_booth (fixture, pair->booth);
  start_session (fixture);
  drive_to (fixture, pair->state, pair->phase, pair->booth);

  fixture->notifies = 0;
  g_assert_cmpint (relais_session_can_handle (fixture->session, pair->event), ==, to != NO);

  ok = relais_session_handle (fixture->session, pair->event, &error);

  if (to == NO)
    {
      g_assert_false (ok);
      g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
      g_assert_cmpint (relais_session_get_state (fixture->session), ==, pair->state);
      g_assert_cmpuint (fixture->notifies, ==, 0);
    }
  else
    {
      g_assert_true (ok);
      g_assert_no_error (error);
      g_assert_cmpint (relais_session_get_state (fixture->session), ==, to);
      /* Exactly one notification for a real change, none otherwise. */
      g_assert_cmpuint (fixture->notifies, ==, to != (int) pair->state ? 1 : 0);
      if (fixture->notifies > 0)
        g_assert_cmpint (fixture->last_notified, ==, to);
      g_assert_cmpint (relais_session_get_phase (fixture->session), ==,
                       expected_phase (pair->phase, pair->event, to));
    }

  g_assert_cmpint (relais_session_is_unlocked (fixture->session), ==,
                   relais_session_get_state (fixture->session) == RELAIS_SESSION_DESK);
}

static void
test_restore (SessionFixture *fixture,
              gconstpointer   data)
{
  Booth booth = GPOINTER_TO_INT (data);

  set_booth (fixture, booth);
  start_session (fixture);

  /* The call itself does not survive a restart: a person in a call
   * comes back to the pre-call check. */
  g_assert_cmpint (relais_session_get_state (fixture->session), ==, initial_state (booth));
  g_assert_cmpint (relais_session_get_phase (fixture->session), ==, RELAIS_SESSION_PRECALL);
  g_assert_false (relais_session_is_unlocked (fixture->session));
  g_assert_cmpuint (fixture->notifies, ==, 0);
}

static void
test_restore_ended (SessionFixture *fixture,
                    gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  RelaisTicket *current;

  /* A ticket that was in a call and is now done holds nothing. */
  set_booth (fixture, BOOTH_IN_CALL);
  current = relais_queue_get_current (fixture->queue);
  relais_queue_finish (fixture->queue, relais_ticket_get_id (current), &error);
  g_assert_no_error (error);
  g_assert_null (relais_queue_get_current (fixture->queue));

  start_session (fixture);
  g_assert_cmpint (relais_session_get_state (fixture->session), ==, RELAIS_SESSION_ATTRACT);
}

static void
handle_ok (SessionFixture     *fixture,
           RelaisSessionEvent  event,
           RelaisSessionState  to,
           guint               notifies)
{
  g_autoptr(GError) error = NULL;

  fixture->notifies = 0;
  g_assert_true (relais_session_handle (fixture->session, event, &error));
  g_assert_no_error (error);
  g_assert_cmpint (relais_session_get_state (fixture->session), ==, to);
  g_assert_cmpuint (fixture->notifies, ==, notifies);
}

/* A whole day at the booth, the queue and the screen moving together. */
static void
test_scenario (SessionFixture *fixture,
               gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) ticket = NULL;
  gint64 id;

  start_session (fixture);
  g_assert_cmpint (relais_session_get_state (fixture->session), ==, RELAIS_SESSION_ATTRACT);

  ticket = relais_queue_add (fixture->queue, 'C', "caf", "rsa", "Camille", NULL, &error);
  g_assert_no_error (error);
  id = relais_ticket_get_id (ticket);

  /* The agent unlocks, changes their mind, unlocks again. */
  handle_ok (fixture, RELAIS_SESSION_EVENT_AGENT_REQUEST, RELAIS_SESSION_UNLOCKING, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_LOCK, RELAIS_SESSION_ATTRACT, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_AGENT_REQUEST, RELAIS_SESSION_UNLOCKING, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_UNLOCKED, RELAIS_SESSION_DESK, 1);
  g_assert_true (relais_session_is_unlocked (fixture->session));

  /* Calls the ticket: the screen goes to the person. */
  g_assert_nonnull (relais_queue_call_next (fixture->queue, &error));
  g_assert_no_error (error);
  handle_ok (fixture, RELAIS_SESSION_EVENT_TICKET_CALLED, RELAIS_SESSION_YOUR_TURN, 1);
  g_assert_false (relais_session_is_unlocked (fixture->session));

  /* The agent peeks in and locks: back to "your turn", the ticket is
   * still called. */
  handle_ok (fixture, RELAIS_SESSION_EVENT_AGENT_REQUEST, RELAIS_SESSION_UNLOCKING, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_LOCK, RELAIS_SESSION_YOUR_TURN, 1);

  g_assert_true (relais_queue_start (fixture->queue, id, &error));
  g_assert_no_error (error);
  handle_ok (fixture, RELAIS_SESSION_EVENT_PERSON_PRESENT, RELAIS_SESSION_PRECALL, 1);

  /* During the check the agent peeks in: back to the check. */
  handle_ok (fixture, RELAIS_SESSION_EVENT_AGENT_REQUEST, RELAIS_SESSION_UNLOCKING, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_LOCK, RELAIS_SESSION_PRECALL, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_START_CALL, RELAIS_SESSION_IN_CALL, 1);

  /* Mid-call the agent unlocks the desk then locks it: back to the call. */
  handle_ok (fixture, RELAIS_SESSION_EVENT_AGENT_REQUEST, RELAIS_SESSION_UNLOCKING, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_UNLOCKED, RELAIS_SESSION_DESK, 1);
  g_assert_cmpint (relais_session_get_phase (fixture->session), ==, RELAIS_SESSION_IN_CALL);
  handle_ok (fixture, RELAIS_SESSION_EVENT_LOCK, RELAIS_SESSION_IN_CALL, 1);

  /* Hung up; the agent peeks in again: back to "the call is over". */
  handle_ok (fixture, RELAIS_SESSION_EVENT_CALL_OVER, RELAIS_SESSION_CALL_ENDED, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_AGENT_REQUEST, RELAIS_SESSION_UNLOCKING, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_LOCK, RELAIS_SESSION_CALL_ENDED, 1);

  /* The session ends. */
  g_assert_true (relais_queue_finish (fixture->queue, id, &error));
  g_assert_no_error (error);
  handle_ok (fixture, RELAIS_SESSION_EVENT_SESSION_ENDED, RELAIS_SESSION_SURVEY, 1);
  g_assert_cmpint (relais_session_get_phase (fixture->session), ==, RELAIS_SESSION_PRECALL);

  /* The survey: the agent peeking in leaves it for good (the ticket is
   * over, so locking rests on the attract screen)… */
  handle_ok (fixture, RELAIS_SESSION_EVENT_AGENT_REQUEST, RELAIS_SESSION_UNLOCKING, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_LOCK, RELAIS_SESSION_ATTRACT, 1);
  g_assert_false (relais_session_can_handle (fixture->session, RELAIS_SESSION_EVENT_SURVEY_DONE));

  /* A refused event changes nothing and says so. */
  g_assert_false (relais_session_handle (fixture->session, RELAIS_SESSION_EVENT_UNLOCKED, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
  g_assert_cmpint (relais_session_get_state (fixture->session), ==, RELAIS_SESSION_ATTRACT);
}

/* After the call: "Terminer" leads to the survey, a tap (or its time-out)
 * to the attract screen; nothing else is accepted there but the agent. */
static void
test_survey (SessionFixture *fixture,
             gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  RelaisTicket *current;

  set_booth (fixture, BOOTH_IN_CALL);
  start_session (fixture);
  handle_ok (fixture, RELAIS_SESSION_EVENT_START_CALL, RELAIS_SESSION_IN_CALL, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_CALL_OVER, RELAIS_SESSION_CALL_ENDED, 1);

  current = relais_queue_get_current (fixture->queue);
  g_assert_true (relais_queue_finish (fixture->queue, relais_ticket_get_id (current), &error));
  g_assert_no_error (error);
  handle_ok (fixture, RELAIS_SESSION_EVENT_SESSION_ENDED, RELAIS_SESSION_SURVEY, 1);
  g_assert_false (relais_session_is_unlocked (fixture->session));

  for (int event = 0; event < N_EVENTS; event++)
    g_assert_cmpint (relais_session_can_handle (fixture->session, event), ==,
                     event == RELAIS_SESSION_EVENT_SURVEY_DONE
                     || event == RELAIS_SESSION_EVENT_AGENT_REQUEST);

  handle_ok (fixture, RELAIS_SESSION_EVENT_SURVEY_DONE, RELAIS_SESSION_ATTRACT, 1);
  g_assert_cmpint (relais_session_get_phase (fixture->session), ==, RELAIS_SESSION_PRECALL);
}

/* From the desk, ending a session or releasing the booth keeps the desk
 * open, and locking afterwards follows the queue. */
static void
test_desk_release (SessionFixture *fixture,
                   gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  RelaisTicket *current;

  set_booth (fixture, BOOTH_CALLED);
  start_session (fixture);
  g_assert_cmpint (relais_session_get_state (fixture->session), ==, RELAIS_SESSION_YOUR_TURN);

  handle_ok (fixture, RELAIS_SESSION_EVENT_AGENT_REQUEST, RELAIS_SESSION_UNLOCKING, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_UNLOCKED, RELAIS_SESSION_DESK, 1);

  current = relais_queue_get_current (fixture->queue);
  g_assert_true (relais_queue_mark_absent (fixture->queue, relais_ticket_get_id (current), &error));
  g_assert_no_error (error);
  handle_ok (fixture, RELAIS_SESSION_EVENT_TICKET_RELEASED, RELAIS_SESSION_DESK, 0);
  handle_ok (fixture, RELAIS_SESSION_EVENT_SESSION_ENDED, RELAIS_SESSION_DESK, 0);
  handle_ok (fixture, RELAIS_SESSION_EVENT_LOCK, RELAIS_SESSION_ATTRACT, 1);
}

static void
test_strings (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (int state = 0; state < N_STATES; state++)
    {
      const char *name = relais_session_state_to_string (state);

      g_assert_cmpstr (name, !=, "invalid");
      g_assert_true (g_hash_table_add (seen, (gpointer) name));
    }

  for (int event = 0; event < N_EVENTS; event++)
    {
      const char *name = relais_session_event_to_string (event);

      g_assert_cmpstr (name, !=, "invalid");
      g_assert_true (g_hash_table_add (seen, (gpointer) name));
    }

  g_assert_cmpstr (relais_session_state_to_string (N_STATES), ==, "invalid");
  g_assert_cmpstr (relais_session_event_to_string (N_EVENTS), ==, "invalid");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session/strings", test_strings);

  for (Booth booth = 0; booth < N_BOOTHS; booth++)
    {
      g_autofree char *path = g_strdup_printf ("/session/restore/%s", booth_names[booth]);

      g_test_add (path, SessionFixture, GINT_TO_POINTER (booth),
                  session_setup, test_restore, session_teardown);
    }
  g_test_add ("/session/restore/ended", SessionFixture, NULL,
              session_setup, test_restore_ended, session_teardown);
  g_test_add ("/session/scenario", SessionFixture, NULL,
              session_setup, test_scenario, session_teardown);
  g_test_add ("/session/survey", SessionFixture, NULL,
              session_setup, test_survey, session_teardown);
  g_test_add ("/session/desk-release", SessionFixture, NULL,
              session_setup, test_desk_release, session_teardown);

  /* Every state × every event, for each thing the booth may hold and
   * each phase the person may be in (the "rest" target depends on both),
   * wherever the table can reach that state with that phase. */
  for (Booth booth = 0; booth < N_BOOTHS; booth++)
    for (int p = 0; p < N_PHASES; p++)
      for (int state = 0; state < N_STATES; state++)
        {
          if (!reachable (booth, state, phases[p]))
            continue;

          for (int event = 0; event < N_EVENTS; event++)
            {
              PairCase *pair = g_new0 (PairCase, 1);
              g_autofree char *path = NULL;

              pair->booth = booth;
              pair->phase = phases[p];
              pair->state = state;
              pair->event = event;
              g_ptr_array_add (cases, pair);

              path = g_strdup_printf ("/session/transition/%s/%s/%s/%s/%s",
                                      booth_names[booth],
                                      relais_session_state_to_string (phases[p]),
                                      relais_session_state_to_string (state),
                                      relais_session_event_to_string (event),
                                      expected[state][event] == NO ? "refused" : "allowed");
              g_test_add (path, SessionFixture, pair,
                          session_setup, test_pair, session_teardown);
            }
        }

  /* Every state and every phase are reached, with a person in a call. */
  for (int state = 0; state < N_STATES; state++)
    {
      gboolean some = FALSE;

      for (int p = 0; p < N_PHASES; p++)
        some |= reachable (BOOTH_IN_CALL, state, phases[p]);
      g_assert_true (some);
    }
  for (int p = 0; p < N_PHASES; p++)
    g_assert_true (reachable (BOOTH_IN_CALL, RELAIS_SESSION_DESK, phases[p]));

  return g_test_run ();
}
