/* test-session.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-session"

#include "relais-error.h"
#include "relais-queue.h"
#include "relais-session.h"
#include "relais-store.h"

#define N_STATES (RELAIS_SESSION_IN_SESSION + 1)
#define N_EVENTS (RELAIS_SESSION_EVENT_TICKET_RELEASED + 1)

/* The test's own copy of the transition table, written as a matrix so
 * that every (state, event) pair is spelled out: NO is "refused", REST is
 * "where the screen rests", which depends on the ticket holding the booth. */
#define NO   (-1)
#define REST (-2)
#define A    RELAIS_SESSION_ATTRACT
#define U    RELAIS_SESSION_UNLOCKING
#define D    RELAIS_SESSION_DESK
#define Y    RELAIS_SESSION_YOUR_TURN
#define S    RELAIS_SESSION_IN_SESSION

static const int expected[N_STATES][N_EVENTS] = {
  /*               agent-req unlocked lock  called present ended released */
  [RELAIS_SESSION_ATTRACT]    = { U,  NO, NO,   NO, NO, NO, NO },
  [RELAIS_SESSION_UNLOCKING]  = { NO, D,  REST, NO, NO, NO, NO },
  [RELAIS_SESSION_DESK]       = { NO, NO, REST, Y,  NO, D,  D  },
  [RELAIS_SESSION_YOUR_TURN]  = { U,  NO, NO,   NO, S,  NO, NO },
  [RELAIS_SESSION_IN_SESSION] = { U,  NO, NO,   NO, NO, A,  NO },
};

#undef A
#undef U
#undef D
#undef Y
#undef S

/* What the queue holds for the booth. */
typedef enum
{
  BOOTH_FREE,      /* no current ticket */
  BOOTH_CALLED,    /* a ticket was called */
  BOOTH_IN_CALL,   /* the person is in a call */
  N_BOOTHS
} Booth;

static const char * const booth_names[N_BOOTHS] = { "free", "called", "in-call" };

static RelaisSessionState
rest_for (Booth booth)
{
  switch (booth)
    {
    case BOOTH_FREE: return RELAIS_SESSION_ATTRACT;
    case BOOTH_CALLED: return RELAIS_SESSION_YOUR_TURN;
    case BOOTH_IN_CALL: return RELAIS_SESSION_IN_SESSION;
    default: g_assert_not_reached ();
    }
}

static int
expected_target (RelaisSessionState state,
                 RelaisSessionEvent event,
                 Booth              booth)
{
  int to = expected[state][event];

  return to == REST ? (int) rest_for (booth) : to;
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

/* Events leading from @from to @to over the expected table (breadth-first),
 * or NULL when unreachable. */
static GArray *
find_path (RelaisSessionState from,
           RelaisSessionState to,
           Booth              booth)
{
  int previous_state[N_STATES];
  int previous_event[N_STATES];
  gboolean seen[N_STATES] = { FALSE, };
  RelaisSessionState fifo[N_STATES];
  guint head = 0, tail = 0;
  GArray *path;

  seen[from] = TRUE;
  fifo[tail++] = from;

  while (head < tail && !seen[to])
    {
      RelaisSessionState state = fifo[head++];

      for (int event = 0; event < N_EVENTS; event++)
        {
          int next = expected_target (state, event, booth);

          if (next == NO || seen[next])
            continue;

          seen[next] = TRUE;
          previous_state[next] = state;
          previous_event[next] = event;
          fifo[tail++] = next;
        }
    }

  if (!seen[to])
    return NULL;

  path = g_array_new (FALSE, FALSE, sizeof (RelaisSessionEvent));
  for (int state = to; state != (int) from; state = previous_state[state])
    {
      RelaisSessionEvent event = previous_event[state];

      g_array_prepend_val (path, event);
    }

  return path;
}

static void
drive_to (SessionFixture     *fixture,
          RelaisSessionState  target,
          Booth               booth)
{
  g_autoptr(GArray) path = find_path (relais_session_get_state (fixture->session), target, booth);

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
}

typedef struct
{
  Booth              booth;
  RelaisSessionState state;
  RelaisSessionEvent event;
} PairCase;

/* One (booth, state, event) triple: drive the session to @state, send
 * @event, check the outcome against the expected table. */
static void
test_pair (SessionFixture *fixture,
           gconstpointer   data)
{
  const PairCase *pair = data;
  g_autoptr(GError) error = NULL;
  int to = expected_target (pair->state, pair->event, pair->booth);
  gboolean ok;

  set_booth (fixture, pair->booth);
  start_session (fixture);
  drive_to (fixture, pair->state, pair->booth);

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

  g_assert_cmpint (relais_session_get_state (fixture->session), ==, rest_for (booth));
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
  handle_ok (fixture, RELAIS_SESSION_EVENT_PERSON_PRESENT, RELAIS_SESSION_IN_SESSION, 1);

  /* Mid-call the agent unlocks the desk then locks it: back to the call. */
  handle_ok (fixture, RELAIS_SESSION_EVENT_AGENT_REQUEST, RELAIS_SESSION_UNLOCKING, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_UNLOCKED, RELAIS_SESSION_DESK, 1);
  handle_ok (fixture, RELAIS_SESSION_EVENT_LOCK, RELAIS_SESSION_IN_SESSION, 1);

  /* The session ends. */
  g_assert_true (relais_queue_finish (fixture->queue, id, &error));
  g_assert_no_error (error);
  handle_ok (fixture, RELAIS_SESSION_EVENT_SESSION_ENDED, RELAIS_SESSION_ATTRACT, 1);

  /* A refused event changes nothing and says so. */
  g_assert_false (relais_session_handle (fixture->session, RELAIS_SESSION_EVENT_UNLOCKED, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
  g_assert_cmpint (relais_session_get_state (fixture->session), ==, RELAIS_SESSION_ATTRACT);
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
  g_test_add ("/session/desk-release", SessionFixture, NULL,
              session_setup, test_desk_release, session_teardown);

  /* Every state × every event, for each thing the booth may hold (the
   * "rest" target depends on it). */
  for (Booth booth = 0; booth < N_BOOTHS; booth++)
    for (int state = 0; state < N_STATES; state++)
      for (int event = 0; event < N_EVENTS; event++)
        {
          PairCase *pair = g_new0 (PairCase, 1);
          g_autofree char *path = NULL;

          pair->booth = booth;
          pair->state = state;
          pair->event = event;
          g_ptr_array_add (cases, pair);

          path = g_strdup_printf ("/session/transition/%s/%s/%s/%s",
                                  booth_names[booth],
                                  relais_session_state_to_string (state),
                                  relais_session_event_to_string (event),
                                  expected[state][event] == NO ? "refused" : "allowed");
          g_test_add (path, SessionFixture, pair,
                      session_setup, test_pair, session_teardown);
        }

  return g_test_run ();
}
