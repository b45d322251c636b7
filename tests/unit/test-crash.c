/* test-crash.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Power-cut test: relais-crash-writer drives a queue on one database file
 * and is SIGKILLed at a random moment, round after round, on the same
 * file. Each line it printed is an operation it saw committed. After each
 * kill the file must hold every acknowledged operation, plus at most the
 * one operation that was in flight, and nothing half-written.
 *
 * RELAIS_CRASH_ROUNDS overrides the number of rounds (default 300).
 */
#define G_LOG_DOMAIN "test-crash"

#include <signal.h>
#include <stdlib.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "relais-error.h"
#include "relais-store.h"

#include "../relais-test-utils.h"

#define DEFAULT_ROUNDS 300
#define MAX_LINES_BEFORE_KILL 30
#define MAX_KILL_DELAY_US 3000
#define MAX_EARLY_KILL_DELAY_US 30000

/* What the parent knows was committed about one ticket. */
typedef struct
{
  gint64             id;
  char              *code;
  char              *name;
  RelaisTicketState  state;
  gint64             position;
} Expected;

typedef struct
{
  char       *dir;
  char       *path;
  GHashTable *expected;   /* id → Expected */
  gint64      max_id;

  /* Statistics for the log. */
  guint       acks;
  guint       ahead;      /* rounds where the in-flight op had committed */
  guint       early_kills;
} CrashFixture;

static void
expected_free (gpointer data)
{
  Expected *expected = data;

  g_free (expected->code);
  g_free (expected->name);
  g_free (expected);
}

static void
fixture_setup (CrashFixture  *fixture,
               gconstpointer  data)
{
  relais_test_store_dir ("relais-crash-XXXXXX", &fixture->dir, &fixture->path);
  fixture->expected = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, expected_free);
}

static void
fixture_teardown (CrashFixture  *fixture,
                  gconstpointer  data)
{
  g_hash_table_unref (fixture->expected);
  relais_test_remove_dir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static Expected *
lookup (CrashFixture *fixture,
        gint64        id)
{
  Expected *expected = g_hash_table_lookup (fixture->expected, &id);

  if (expected == NULL)
    g_error ("The writer acknowledged unknown ticket %" G_GINT64_FORMAT, id);

  return expected;
}

static Expected *
insert_expected (CrashFixture *fixture,
                 gint64        id,
                 const char   *code,
                 const char   *name,
                 gint64        position)
{
  Expected *expected = g_new0 (Expected, 1);

  expected->id = id;
  expected->code = g_strdup (code);
  expected->name = g_strdup (name);
  expected->state = RELAIS_TICKET_WAITING;
  expected->position = position;
  g_hash_table_insert (fixture->expected, &expected->id, expected);
  fixture->max_id = MAX (fixture->max_id, id);

  return expected;
}

/* Applies one acknowledged line to what the file must hold. */
static void
apply_line (CrashFixture *fixture,
            const char   *line)
{
  g_auto(GStrv) fields = g_strsplit (line, " ", -1);
  guint n = g_strv_length (fields);

  fixture->acks++;

  if (n == 5 && g_str_equal (fields[0], "ADD"))
    {
      gint64 id = g_ascii_strtoll (fields[1], NULL, 10);

      g_assert_null (g_hash_table_lookup (fixture->expected, &id));
      insert_expected (fixture, id, fields[2], fields[4], g_ascii_strtoll (fields[3], NULL, 10));
    }
  else if (n == 3 && g_str_equal (fields[0], "STATE"))
    {
      Expected *expected = lookup (fixture, g_ascii_strtoll (fields[1], NULL, 10));

      expected->state = (RelaisTicketState) g_ascii_strtoll (fields[2], NULL, 10);
    }
  else if (n == 3 && g_str_equal (fields[0], "SWAP"))
    {
      Expected *a = lookup (fixture, g_ascii_strtoll (fields[1], NULL, 10));
      Expected *b = lookup (fixture, g_ascii_strtoll (fields[2], NULL, 10));
      gint64 position = a->position;

      a->position = b->position;
      b->position = position;
    }
  else
    {
      g_error ("Unexpected line from the writer: “%s”", line);
    }
}

/* Applies the complete lines in @buffer and keeps the unfinished tail. */
static guint
apply_lines (CrashFixture *fixture,
             GString      *buffer)
{
  guint applied = 0;
  char *newline;

  while ((newline = memchr (buffer->str, '\n', buffer->len)) != NULL)
    {
      *newline = '\0';
      apply_line (fixture, buffer->str);
      g_string_erase (buffer, 0, newline - buffer->str + 1);
      applied++;
    }

  return applied;
}

static gboolean
is_legal_step (RelaisTicketState from,
               RelaisTicketState to)
{
  switch (from)
    {
    case RELAIS_TICKET_WAITING:
      return to == RELAIS_TICKET_CALLED || to == RELAIS_TICKET_ABSENT ||
             to == RELAIS_TICKET_CANCELLED;
    case RELAIS_TICKET_CALLED:
      return to == RELAIS_TICKET_IN_CALL || to == RELAIS_TICKET_ABSENT ||
             to == RELAIS_TICKET_CANCELLED || to == RELAIS_TICKET_DONE;
    case RELAIS_TICKET_IN_CALL:
      return to == RELAIS_TICKET_DONE;
    case RELAIS_TICKET_DONE:
    case RELAIS_TICKET_ABSENT:
    case RELAIS_TICKET_CANCELLED:
    default:
      return FALSE;
    }
}

static gboolean
code_is_well_formed (const char *code)
{
  if (code == NULL || code[0] < 'A' || code[0] > 'Z' || code[1] < '1' || code[1] > '9')
    return FALSE;

  for (const char *p = code + 2; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return TRUE;
}

/* Every ticket read back is whole: fields set, nothing personal once
 * ended. */
static void
assert_ticket_whole (RelaisTicket *ticket,
                     const char   *expected_name)
{
  g_assert_true (code_is_well_formed (relais_ticket_get_code (ticket)));
  g_assert_cmpstr (relais_ticket_get_service_id (ticket), ==, "caf");
  g_assert_cmpstr (relais_ticket_get_subservice_id (ticket), ==, "rsa");
  g_assert_cmpint (relais_ticket_get_created_at (ticket), >, 0);

  if (relais_ticket_state_is_final (relais_ticket_get_state (ticket)))
    {
      g_assert_null (relais_ticket_get_person_name (ticket));
      g_assert_null (relais_ticket_get_note (ticket));
    }
  else
    {
      g_assert_cmpstr (relais_ticket_get_person_name (ticket), ==, expected_name);
      g_assert_cmpstr (relais_ticket_get_note (ticket), ==, "note confidentielle");
    }

  if (relais_ticket_get_state (ticket) != RELAIS_TICKET_WAITING &&
      relais_ticket_get_state (ticket) != RELAIS_TICKET_CANCELLED &&
      relais_ticket_get_state (ticket) != RELAIS_TICKET_ABSENT)
    g_assert_cmpint (relais_ticket_get_called_at (ticket), >, 0);
}

/* Reopens the file as the kiosk would after the power came back and
 * compares it with the acknowledged operations. Then takes the file as the
 * new truth (the in-flight operation may have committed). */
static void
verify_file (CrashFixture *fixture,
             guint         round)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisStore) store = NULL;
  g_autoptr(GPtrArray) differing = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(RelaisTicket) unacknowledged = NULL;
  g_autoptr(RelaisTicket) beyond = NULL;
  GHashTableIter iter;
  Expected *expected;

  store = relais_store_new (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (relais_store_check_integrity (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (relais_store_count_personal_leftovers (store, &error), ==, 0);
  g_assert_no_error (error);

  g_hash_table_iter_init (&iter, fixture->expected);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &expected))
    {
      g_autoptr(RelaisTicket) ticket = relais_store_get_ticket (store, expected->id, &error);

      if (ticket == NULL)
        g_error ("Round %u: acknowledged ticket %" G_GINT64_FORMAT " (%s) is lost: %s",
                 round, expected->id, expected->code, error->message);

      g_assert_cmpstr (relais_ticket_get_code (ticket), ==, expected->code);
      assert_ticket_whole (ticket, expected->name);

      if (relais_ticket_get_state (ticket) != expected->state ||
          relais_ticket_get_position (ticket) != expected->position)
        g_ptr_array_add (differing, g_steal_pointer (&ticket));
    }

  /* The in-flight operation may have been an add. Ids are never reused,
   * so it can only be the next one, and there can be only one. */
  unacknowledged = relais_store_get_ticket (store, fixture->max_id + 1, NULL);
  beyond = relais_store_get_ticket (store, fixture->max_id + 2, NULL);
  g_assert_null (beyond);

  if (unacknowledged != NULL)
    {
      g_assert_cmpuint (differing->len, ==, 0);
      g_assert_cmpint (relais_ticket_get_state (unacknowledged), ==, RELAIS_TICKET_WAITING);
      g_assert_nonnull (relais_ticket_get_person_name (unacknowledged));
      assert_ticket_whole (unacknowledged, relais_ticket_get_person_name (unacknowledged));
      insert_expected (fixture, relais_ticket_get_id (unacknowledged),
                       relais_ticket_get_code (unacknowledged),
                       relais_ticket_get_person_name (unacknowledged),
                       relais_ticket_get_position (unacknowledged));
      fixture->ahead++;
    }
  else if (differing->len == 1)
    {
      /* One state change, one legal step ahead, nothing else. */
      RelaisTicket *ticket = g_ptr_array_index (differing, 0);

      expected = lookup (fixture, relais_ticket_get_id (ticket));
      g_assert_cmpint (relais_ticket_get_position (ticket), ==, expected->position);
      if (!is_legal_step (expected->state, relais_ticket_get_state (ticket)))
        g_error ("Round %u: ticket %s went from %s to %s in one step", round, expected->code,
                 relais_ticket_state_to_string (expected->state),
                 relais_ticket_state_to_string (relais_ticket_get_state (ticket)));
      expected->state = relais_ticket_get_state (ticket);
      fixture->ahead++;
    }
  else if (differing->len == 2)
    {
      /* One swap: both kept their states and exchanged their places. */
      RelaisTicket *a = g_ptr_array_index (differing, 0);
      RelaisTicket *b = g_ptr_array_index (differing, 1);
      Expected *expected_a = lookup (fixture, relais_ticket_get_id (a));
      Expected *expected_b = lookup (fixture, relais_ticket_get_id (b));

      g_assert_cmpint (relais_ticket_get_state (a), ==, expected_a->state);
      g_assert_cmpint (relais_ticket_get_state (b), ==, expected_b->state);
      g_assert_cmpint (relais_ticket_get_position (a), ==, expected_b->position);
      g_assert_cmpint (relais_ticket_get_position (b), ==, expected_a->position);
      expected_a->position = relais_ticket_get_position (a);
      expected_b->position = relais_ticket_get_position (b);
      fixture->ahead++;
    }
  else if (differing->len > 2)
    {
      g_error ("Round %u: %u tickets differ from what was acknowledged",
               round, differing->len);
    }

  /* Nothing active in the file that the parent does not know of. */
  active = relais_store_list_active_tickets (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < active->len; i++)
    {
      gint64 id = relais_ticket_get_id (g_ptr_array_index (active, i));
      g_assert_nonnull (g_hash_table_lookup (fixture->expected, &id));
    }

  g_assert_finalize_object (g_steal_pointer (&store));
}

static guint
get_rounds (void)
{
  const char *env = g_getenv ("RELAIS_CRASH_ROUNDS");
  guint64 rounds;

  if (env == NULL || *env == '\0')
    return DEFAULT_ROUNDS;

  if (!g_ascii_string_to_unsigned (env, 10, 1, G_MAXUINT, &rounds, NULL))
    g_error ("RELAIS_CRASH_ROUNDS must be a positive number, not “%s”", env);

  return (guint) rounds;
}

/* One life of the writer: start it, let it commit a random number of
 * operations, kill it a random few microseconds later (often in the middle
 * of the next transaction), and collect every line it managed to print. */
static void
run_round (CrashFixture *fixture,
           guint         round)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(GString) buffer = g_string_new (NULL);
  g_autofree char *seed = g_strdup_printf ("%u", g_test_rand_int ());
  guint lines_before_kill = g_test_rand_int_range (0, MAX_LINES_BEFORE_KILL + 1);
  guint lines = 0;
  gboolean killed = FALSE;
  GInputStream *output;

  writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             CRASH_WRITER, fixture->path, seed, NULL);
  g_assert_no_error (error);
  output = g_subprocess_get_stdout_pipe (writer);

  /* Sometimes kill it while it opens the file, migrates or restores. */
  if (lines_before_kill == 0)
    {
      g_usleep (g_test_rand_int_range (0, MAX_EARLY_KILL_DELAY_US));
      g_subprocess_force_exit (writer);
      killed = TRUE;
      fixture->early_kills++;
    }

  for (;;)
    {
      char chunk[4096];
      gssize n = g_input_stream_read (output, chunk, sizeof chunk, NULL, &error);

      g_assert_no_error (error);
      if (n == 0)
        break;

      g_string_append_len (buffer, chunk, n);
      lines += apply_lines (fixture, buffer);

      if (!killed && lines >= lines_before_kill)
        {
          g_usleep (g_test_rand_int_range (0, MAX_KILL_DELAY_US));
          g_subprocess_force_exit (writer);
          killed = TRUE;
        }
    }

  /* A line cut by the kill was never acknowledged. */
  g_subprocess_wait (writer, NULL, &error);
  g_assert_no_error (error);

  if (!killed || !g_subprocess_get_if_signaled (writer))
    g_error ("Round %u: the writer (seed %s) stopped by itself, status %d; "
             "see its stderr above", round, seed, g_subprocess_get_status (writer));
  g_assert_cmpint (g_subprocess_get_term_sig (writer), ==, SIGKILL);
}

static void
test_crash (CrashFixture  *fixture,
            gconstpointer  data)
{
  guint rounds = get_rounds ();
  gint64 start = g_get_monotonic_time ();

  for (guint round = 1; round <= rounds; round++)
    {
      run_round (fixture, round);
      verify_file (fixture, round);

      if (round % 50 == 0 || round == rounds)
        g_test_message ("%u/%u rounds, %u acknowledged operations, %u tickets, "
                        "in-flight operation found committed %u times, "
                        "%u kills during start-up, %.1f s",
                        round, rounds, fixture->acks,
                        g_hash_table_size (fixture->expected), fixture->ahead,
                        fixture->early_kills,
                        (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
    }

  /* The test means nothing if the writer never got anything done. */
  g_assert_cmpuint (fixture->acks, >, rounds);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store/crash/sigkill", CrashFixture, NULL,
              fixture_setup, test_crash, fixture_teardown);

  return g_test_run ();
}
