/* test-store.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-store"

#include <glib/gstdio.h>

#include <string.h>

#include "relais-error.h"
#include "relais-store.h"

#include "../relais-test-utils.h"

/* 2024-03-01 10:00:00 UTC: any fixed instant will do, the store takes
 * times from its callers. */
#define T0 G_GINT64_CONSTANT (1709287200)
#define DAY (G_GINT64_CONSTANT (24) * 60 * 60)

typedef struct
{
  char        *dir;
  char        *path;
  RelaisStore *store;
} StoreFixture;

static void
close_store (RelaisStore **store)
{
  if (*store != NULL)
    g_assert_finalize_object (g_steal_pointer (store));
}

static void
fixture_setup (StoreFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  relais_test_store_dir ("relais-store-XXXXXX", &fixture->dir, &fixture->path);

  fixture->store = relais_store_new (":memory:", &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

static void
fixture_teardown (StoreFixture  *fixture,
                  gconstpointer  data)
{
  close_store (&fixture->store);
  relais_test_remove_dir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Closes the fixture's store and opens @path at @version instead. */
static void
reopen (StoreFixture *fixture,
        int           version)
{
  g_autoptr(GError) error = NULL;

  close_store (&fixture->store);
  fixture->store = relais_store_new_at_version (fixture->path, version, &error);
  g_assert_no_error (error);
  g_assert_cmpint (relais_store_get_schema_version (fixture->store), ==, version);
}

static void
exec (RelaisStore *store,
      const char  *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_store_exec_for_tests (store, sql, &error));
  g_assert_no_error (error);
}

static RelaisTicket *
add_ticket (RelaisStore *store,
            const char  *day,
            char         letter,
            gint64       now)
{
  g_autoptr(GError) error = NULL;
  RelaisTicket *ticket;

  ticket = relais_store_add_ticket (store, day, letter, "caf", "rsa",
                                    "Jeanne Martin", "dossier en cours", now, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ticket);

  return ticket;
}

static void
set_state (RelaisStore       *store,
           gint64             id,
           RelaisTicketState  state,
           gint64             now)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_store_set_ticket_state (store, id, state, now, &error));
  g_assert_no_error (error);
}

static gint64
count_events (RelaisStore *store,
              const char  *kind)
{
  g_autoptr(GError) error = NULL;
  gint64 count = relais_store_count_events (store, kind, &error);

  g_assert_no_error (error);
  return count;
}

static gint64
count_leftovers (RelaisStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 count = relais_store_count_personal_leftovers (store, &error);

  g_assert_no_error (error);
  return count;
}

static void
assert_integrity (RelaisStore *store)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_store_check_integrity (store, &error));
  g_assert_no_error (error);
}

static void
test_fresh_schema (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (relais_store_get_schema_version (fixture->store), ==,
                   RELAIS_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (relais_store_get_path (fixture->store), ==, ":memory:");

  tickets = relais_store_list_active_tickets (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tickets->len, ==, 0);
  g_assert_cmpint (count_events (fixture->store, NULL), ==, 0);
  assert_integrity (fixture->store);
}

/* What each schema version could hold, written with that version's SQL. */
static void
fill_version (RelaisStore *store,
              int          version)
{
  if (version >= 1)
    exec (store,
          "INSERT INTO tickets (day, letter, number, code, service_id, subservice_id,"
          "                     person_name, note, state, position, created_at)"
          " VALUES ('2024-03-01', 'C', 1, 'C1', 'caf', 'rsa', 'Jeanne Martin', 'RSA', 0, 1, 1709287200),"
          "        ('2024-03-01', 'C', 2, 'C2', 'caf', 'apl', 'Paul Durand', NULL, 1, 2, 1709287260),"
          "        ('2024-03-01', 'F', 1, 'F1', 'ft', 'inscription', NULL, NULL, 3, 3, 1709287320);"
          "INSERT INTO settings (key, value) VALUES ('agent-name', 'Accueil mairie');");

  if (version >= 2)
    exec (store,
          "INSERT INTO events (kind, service_id, subservice_id, value, outcome, created_at)"
          " VALUES ('ticket-ended', 'ft', 'inscription', 120, 'done', 1709287440),"
          "        ('survey', 'caf', 'rsa', 4, NULL, 1709287500);");

  /* Version 3 code gave an ended ticket its end time and a session. */
  if (version >= 3)
    exec (store,
          "UPDATE tickets SET ended_at = created_at + 60 WHERE state IN (3, 4, 5);"
          "INSERT INTO sessions (ticket_id, started_at, ended_at, outcome)"
          " VALUES (3, 1709287330, 1709287380, 'done');");
}

static void
check_migrated (RelaisStore *store,
                int          from_version)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(RelaisTicket) ended = NULL;
  g_autoptr(RelaisTicket) added = NULL;
  g_autofree char *setting = NULL;
  RelaisTicket *first;
  RelaisTicket *second;

  g_assert_cmpint (relais_store_get_schema_version (store), ==, RELAIS_STORE_SCHEMA_VERSION);
  assert_integrity (store);

  active = relais_store_list_active_tickets (store, &error);
  g_assert_no_error (error);

  if (from_version == 0)
    {
      g_assert_cmpuint (active->len, ==, 0);
      g_assert_null (relais_store_get_setting (store, "agent-name"));
    }
  else
    {
      g_assert_cmpuint (active->len, ==, 2);
      first = g_ptr_array_index (active, 0);
      second = g_ptr_array_index (active, 1);
      g_assert_cmpstr (relais_ticket_get_code (first), ==, "C1");
      g_assert_cmpstr (relais_ticket_get_service_id (first), ==, "caf");
      g_assert_cmpstr (relais_ticket_get_subservice_id (first), ==, "rsa");
      g_assert_cmpstr (relais_ticket_get_person_name (first), ==, "Jeanne Martin");
      g_assert_cmpstr (relais_ticket_get_note (first), ==, "RSA");
      g_assert_cmpint (relais_ticket_get_state (first), ==, RELAIS_TICKET_WAITING);
      g_assert_cmpint (relais_ticket_get_created_at (first), ==, 1709287200);
      /* Versions before 3 did not record call times. */
      g_assert_cmpint (relais_ticket_get_called_at (first), ==, 0);
      g_assert_cmpstr (relais_ticket_get_code (second), ==, "C2");
      g_assert_cmpint (relais_ticket_get_state (second), ==, RELAIS_TICKET_CALLED);
      g_assert_null (relais_ticket_get_note (second));

      ended = relais_store_get_ticket (store, 3, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (relais_ticket_get_code (ended), ==, "F1");
      g_assert_cmpint (relais_ticket_get_state (ended), ==, RELAIS_TICKET_DONE);

      setting = relais_store_get_setting (store, "agent-name");
      g_assert_cmpstr (setting, ==, "Accueil mairie");

      /* The old called ticket goes on through the current code. */
      set_state (store, relais_ticket_get_id (second), RELAIS_TICKET_IN_CALL, 1709287600);
      set_state (store, relais_ticket_get_id (second), RELAIS_TICKET_DONE, 1709287900);
    }

  g_assert_cmpint (count_events (store, "survey"), ==, from_version >= 2 ? 1 : 0);

  /* Tickets from before version 5 were never passed over; from now on
   * the count is kept (waiting tickets only). */
  {
    g_autoptr(GHashTable) pass_overs = relais_store_list_pass_overs (store, &error);
    gint64 ids[] = { 1, 3 };

    g_assert_no_error (error);
    g_assert_cmpuint (g_hash_table_size (pass_overs), ==, 0);
    if (from_version > 0)
      {
        g_assert_true (relais_store_add_pass_overs (store, ids, G_N_ELEMENTS (ids), &error));
        g_assert_true (relais_store_add_pass_overs (store, ids, 1, &error));
        g_assert_no_error (error);
        g_clear_pointer (&pass_overs, g_hash_table_unref);
        pass_overs = relais_store_list_pass_overs (store, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (g_hash_table_size (pass_overs), ==, 1);
        g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (pass_overs, &(gint64){ 1 })), ==, 2);
      }
  }

  /* Numbering carries on after the migrated tickets. */
  added = add_ticket (store, "2024-03-01", 'C', 1709288000);
  g_assert_cmpstr (relais_ticket_get_code (added), ==, from_version == 0 ? "C1" : "C3");
  g_assert_cmpint (count_leftovers (store), ==, 0);

  /* Tickets ended before version 3 are purged like the others. */
  if (from_version > 0)
    {
      g_assert_cmpint (relais_store_purge (store, 30, 1709287200 + 60 * DAY, &error), >=, 2);
      g_assert_no_error (error);
      g_assert_null (relais_store_get_ticket (store, 3, &error));
      g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
    }

  assert_integrity (store);
}

static void
test_migrate_from (StoreFixture  *fixture,
                   gconstpointer  data)
{
  int from_version = GPOINTER_TO_INT (data);

  reopen (fixture, from_version);
  fill_version (fixture->store, from_version);
  reopen (fixture, RELAIS_STORE_SCHEMA_VERSION);
  check_migrated (fixture->store, from_version);
}

/* One migration at a time, as a kiosk updated at every release sees them. */
static void
test_migrate_stepwise (StoreFixture  *fixture,
                       gconstpointer  data)
{
  reopen (fixture, 0);
  reopen (fixture, 1);
  fill_version (fixture->store, 1);
  reopen (fixture, 2);
  exec (fixture->store,
        "INSERT INTO events (kind, service_id, subservice_id, value, outcome, created_at)"
        " VALUES ('survey', 'caf', 'rsa', 4, NULL, 1709287500);");
  for (int version = 3; version <= RELAIS_STORE_SCHEMA_VERSION; version++)
    reopen (fixture, version);
  check_migrated (fixture->store, 2);
}

static void
test_migrate_newer_refused (StoreFixture  *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisStore) store = NULL;

  reopen (fixture, RELAIS_STORE_SCHEMA_VERSION);
  exec (fixture->store, "PRAGMA user_version = 99;");
  close_store (&fixture->store);

  store = relais_store_new (fixture->path, &error);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_assert_null (store);
}

/* At an old version, only what needs newer columns fails, and it fails
 * with an error rather than a crash. */
static void
test_old_version_api (StoreFixture  *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) ticket = NULL;

  reopen (fixture, 1);
  g_assert_true (relais_store_set_setting (fixture->store, "k", "v", &error));
  g_assert_no_error (error);

  ticket = relais_store_get_ticket (fixture->store, 1, &error);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_assert_null (ticket);
}

static void
test_numbering (StoreFixture  *fixture,
                gconstpointer  data)
{
  const struct {
    const char *day;
    char letter;
    const char *code;
  } expected[] = {
    { "2024-03-01", 'C', "C1" },
    { "2024-03-01", 'C', "C2" },
    { "2024-03-01", 'F', "F1" },
    { "2024-03-01", 'C', "C3" },
    { "2024-03-01", 'F', "F2" },
    { "2024-03-02", 'C', "C1" },
    { "2024-03-02", 'F', "F1" },
    { "2024-03-02", 'C', "C2" },
  };
  gint64 last_position = G_MININT64;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(RelaisTicket) ticket =
        add_ticket (fixture->store, expected[i].day, expected[i].letter, T0 + i);

      g_assert_cmpstr (relais_ticket_get_code (ticket), ==, expected[i].code);
      g_assert_cmpint (relais_ticket_get_state (ticket), ==, RELAIS_TICKET_WAITING);
      g_assert_cmpint (relais_ticket_get_created_at (ticket), ==, T0 + i);
      g_assert_cmpint (relais_ticket_get_called_at (ticket), ==, 0);
      g_assert_cmpstr (relais_ticket_get_person_name (ticket), ==, "Jeanne Martin");
      /* New tickets go to the end of the queue. */
      g_assert_cmpint (relais_ticket_get_position (ticket), >, last_position);
      last_position = relais_ticket_get_position (ticket);
    }

  /* Ending tickets does not give their numbers out again. */
  set_state (fixture->store, 1, RELAIS_TICKET_CANCELLED, T0 + 100);
  {
    g_autoptr(RelaisTicket) ticket = add_ticket (fixture->store, "2024-03-01", 'C', T0 + 200);
    g_assert_cmpstr (relais_ticket_get_code (ticket), ==, "C4");
  }

  assert_integrity (fixture->store);
}

static void
test_unique_number (StoreFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(RelaisTicket) ticket = add_ticket (fixture->store, "2024-03-01", 'C', T0);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (relais_ticket_get_code (ticket), ==, "C1");

  /* The schema itself refuses a second C1 on the same day. */
  g_assert_false (relais_store_exec_for_tests (fixture->store,
                    "INSERT INTO tickets (day, letter, number, code, service_id, subservice_id,"
                    " state, position, created_at)"
                    " VALUES ('2024-03-01', 'C', 1, 'C1', 'caf', 'rsa', 0, 9, 0)",
                    &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "UNIQUE"));
}

/* Reads the "ticket-ended" events' waits into a setting: the store has no
 * API to read events back, and tests must not include sqlite3.h. */
static char *
ended_waits (RelaisStore *store)
{
  exec (store,
        "INSERT OR REPLACE INTO settings (key, value)"
        " SELECT 'test-waits', group_concat (value || ':' || outcome || ':' || service_id, ',')"
        " FROM (SELECT * FROM events WHERE kind = 'ticket-ended' ORDER BY id)");
  return relais_store_get_setting (store, "test-waits");
}

static void
test_final_erases (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) done = add_ticket (fixture->store, "2024-03-01", 'C', T0);
  g_autoptr(RelaisTicket) absent = add_ticket (fixture->store, "2024-03-01", 'C', T0 + 10);
  g_autoptr(RelaisTicket) reread = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autofree char *waits = NULL;
  gint64 done_id = relais_ticket_get_id (done);
  gint64 absent_id = relais_ticket_get_id (absent);

  set_state (fixture->store, done_id, RELAIS_TICKET_CALLED, T0 + 60);
  reread = relais_store_get_ticket (fixture->store, done_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (relais_ticket_get_state (reread), ==, RELAIS_TICKET_CALLED);
  g_assert_cmpint (relais_ticket_get_called_at (reread), ==, T0 + 60);
  g_assert_cmpstr (relais_ticket_get_person_name (reread), ==, "Jeanne Martin");
  g_clear_object (&reread);

  set_state (fixture->store, done_id, RELAIS_TICKET_IN_CALL, T0 + 90);
  g_assert_cmpint (count_events (fixture->store, "ticket-ended"), ==, 0);
  set_state (fixture->store, done_id, RELAIS_TICKET_DONE, T0 + 600);

  reread = relais_store_get_ticket (fixture->store, done_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (relais_ticket_get_state (reread), ==, RELAIS_TICKET_DONE);
  g_assert_null (relais_ticket_get_person_name (reread));
  g_assert_null (relais_ticket_get_note (reread));
  g_assert_cmpstr (relais_ticket_get_code (reread), ==, "C1");
  g_assert_cmpint (relais_ticket_get_called_at (reread), ==, T0 + 60);
  g_clear_object (&reread);

  /* Never called: the wait runs until the ticket ended. */
  set_state (fixture->store, absent_id, RELAIS_TICKET_ABSENT, T0 + 310);

  g_assert_cmpint (count_events (fixture->store, "ticket-ended"), ==, 2);
  g_assert_cmpint (count_leftovers (fixture->store), ==, 0);
  waits = ended_waits (fixture->store);
  g_assert_cmpstr (waits, ==, "60:done:caf,300:absent:caf");

  active = relais_store_list_active_tickets (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (active->len, ==, 0);

  /* An ended ticket stays ended. */
  g_assert_false (relais_store_set_ticket_state (fixture->store, done_id,
                                                 RELAIS_TICKET_WAITING, T0 + 700, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_clear_error (&error);

  /* Setting the same state again is not a second ending. */
  set_state (fixture->store, absent_id, RELAIS_TICKET_ABSENT, T0 + 800);
  g_assert_cmpint (count_events (fixture->store, "ticket-ended"), ==, 2);

  assert_integrity (fixture->store);
}

static void
test_leftovers_detected (StoreFixture  *fixture,
                         gconstpointer  data)
{
  g_autoptr(RelaisTicket) ticket = add_ticket (fixture->store, "2024-03-01", 'C', T0);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (count_leftovers (fixture->store), ==, 0);

  /* Simulate a bug that ended a ticket without erasing it. */
  g_assert_cmpint (relais_ticket_get_id (ticket), ==, 1);
  exec (fixture->store, "UPDATE tickets SET state = 3, ended_at = 1 WHERE id = 1");
  g_assert_cmpint (count_leftovers (fixture->store), ==, 1);
  g_assert_false (relais_store_check_integrity (fixture->store, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
}

static void
test_missing_ticket (StoreFixture  *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) ticket = NULL;

  ticket = relais_store_get_ticket (fixture->store, 42, &error);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_assert_null (ticket);
  g_clear_error (&error);

  g_assert_false (relais_store_set_ticket_state (fixture->store, 42,
                                                 RELAIS_TICKET_CALLED, T0, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_clear_error (&error);

  g_assert_false (relais_store_swap_positions (fixture->store, 42, 43, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_clear_error (&error);

  /* A failed operation leaves no transaction open behind it. */
  ticket = add_ticket (fixture->store, "2024-03-01", 'C', T0);
  g_assert_cmpstr (relais_ticket_get_code (ticket), ==, "C1");
}

static void
test_swap (StoreFixture  *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(RelaisTicket) a = add_ticket (fixture->store, "2024-03-01", 'C', T0);
  g_autoptr(RelaisTicket) b = add_ticket (fixture->store, "2024-03-01", 'C', T0 + 1);
  g_autoptr(RelaisTicket) c = add_ticket (fixture->store, "2024-03-01", 'C', T0 + 2);
  g_autoptr(RelaisTicket) ended = add_ticket (fixture->store, "2024-03-01", 'C', T0 + 3);

  set_state (fixture->store, relais_ticket_get_id (ended), RELAIS_TICKET_CANCELLED, T0 + 4);

  g_assert_true (relais_store_swap_positions (fixture->store, relais_ticket_get_id (a),
                                              relais_ticket_get_id (c), &error));
  g_assert_no_error (error);

  active = relais_store_list_active_tickets (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (active->len, ==, 3);
  g_assert_cmpstr (relais_ticket_get_code (g_ptr_array_index (active, 0)), ==, "C3");
  g_assert_cmpstr (relais_ticket_get_code (g_ptr_array_index (active, 1)), ==, "C2");
  g_assert_cmpstr (relais_ticket_get_code (g_ptr_array_index (active, 2)), ==, "C1");
  g_assert_cmpint (relais_ticket_get_position (g_ptr_array_index (active, 0)), ==,
                   relais_ticket_get_position (a));
  /* The ticket in the middle keeps its place. */
  g_assert_cmpint (relais_ticket_get_position (g_ptr_array_index (active, 1)), ==,
                   relais_ticket_get_position (b));
  g_assert_cmpint (relais_ticket_get_position (g_ptr_array_index (active, 2)), ==,
                   relais_ticket_get_position (c));

  /* A half-done swap would leave two tickets at one place: the second
   * ticket is missing, so nothing moves. */
  g_assert_false (relais_store_swap_positions (fixture->store, relais_ticket_get_id (a),
                                               999, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_clear_pointer (&active, g_ptr_array_unref);
  g_clear_error (&error);
  active = relais_store_list_active_tickets (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relais_ticket_get_code (g_ptr_array_index (active, 2)), ==, "C1");
  g_assert_cmpint (relais_ticket_get_position (g_ptr_array_index (active, 2)), ==,
                   relais_ticket_get_position (c));
}

static void
test_settings (StoreFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_null (relais_store_get_setting (fixture->store, "printer"));

  g_assert_true (relais_store_set_setting (fixture->store, "printer", "cups-pdf", &error));
  g_assert_no_error (error);
  value = relais_store_get_setting (fixture->store, "printer");
  g_assert_cmpstr (value, ==, "cups-pdf");
  g_clear_pointer (&value, g_free);

  g_assert_true (relais_store_set_setting (fixture->store, "printer", "Brother « accueil »", &error));
  g_assert_no_error (error);
  value = relais_store_get_setting (fixture->store, "printer");
  g_assert_cmpstr (value, ==, "Brother « accueil »");
  g_clear_pointer (&value, g_free);

  /* Quotes are data, never SQL. */
  g_assert_true (relais_store_set_setting (fixture->store, "x'); DROP TABLE tickets; --",
                                           "'", &error));
  g_assert_no_error (error);
  value = relais_store_get_setting (fixture->store, "x'); DROP TABLE tickets; --");
  g_assert_cmpstr (value, ==, "'");
  g_clear_pointer (&value, g_free);

  g_assert_true (relais_store_set_setting (fixture->store, "printer", NULL, &error));
  g_assert_no_error (error);
  g_assert_null (relais_store_get_setting (fixture->store, "printer"));
  assert_integrity (fixture->store);
}

static void
test_events (StoreFixture  *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_store_add_event (fixture->store, "survey", "caf", "rsa", 5, NULL, T0, &error));
  g_assert_no_error (error);
  g_assert_true (relais_store_add_event (fixture->store, "call-quality", "caf", NULL, 3, "ok", T0, &error));
  g_assert_no_error (error);
  g_assert_true (relais_store_add_event (fixture->store, "survey", NULL, NULL, 2, NULL, T0, &error));
  g_assert_no_error (error);

  g_assert_cmpint (count_events (fixture->store, "survey"), ==, 2);
  g_assert_cmpint (count_events (fixture->store, "call-quality"), ==, 1);
  g_assert_cmpint (count_events (fixture->store, "nothing"), ==, 0);
  g_assert_cmpint (count_events (fixture->store, NULL), ==, 3);
}

static void
test_purge (StoreFixture  *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) old_ended = add_ticket (fixture->store, "2024-03-01", 'C', T0);
  g_autoptr(RelaisTicket) old_active = add_ticket (fixture->store, "2024-03-01", 'C', T0 + 1);
  g_autoptr(RelaisTicket) recent_ended = add_ticket (fixture->store, "2024-03-09", 'C', T0 + 8 * DAY);
  g_autoptr(RelaisTicket) reread = NULL;
  gint64 now = T0 + 10 * DAY;

  /* Ended 10 days ago (purged at 7 days), an old ticket still waiting
   * (never purged: somebody may still be in the room), and one ended 2
   * days ago. */
  set_state (fixture->store, relais_ticket_get_id (old_ended), RELAIS_TICKET_IN_CALL, T0 + 60);
  set_state (fixture->store, relais_ticket_get_id (old_ended), RELAIS_TICKET_DONE, T0 + 120);
  set_state (fixture->store, relais_ticket_get_id (recent_ended), RELAIS_TICKET_CANCELLED,
             T0 + 8 * DAY + 60);
  g_assert_true (relais_store_add_event (fixture->store, "survey", "caf", "rsa", 4, NULL,
                                         now - 30 * DAY, &error));
  g_assert_true (relais_store_add_event (fixture->store, "survey", "caf", "rsa", 4, NULL,
                                         now - DAY, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_events (fixture->store, NULL), ==, 4);

  /* Two events (the ticket-ended of old_ended and the old survey) and one
   * ticket (its session goes with it). */
  g_assert_cmpint (relais_store_purge (fixture->store, 7, now, &error), ==, 3);
  g_assert_no_error (error);

  g_assert_cmpint (count_events (fixture->store, NULL), ==, 2);
  g_assert_null (relais_store_get_ticket (fixture->store, relais_ticket_get_id (old_ended), &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_clear_error (&error);

  reread = relais_store_get_ticket (fixture->store, relais_ticket_get_id (old_active), &error);
  g_assert_no_error (error);
  g_assert_cmpint (relais_ticket_get_state (reread), ==, RELAIS_TICKET_WAITING);
  g_clear_object (&reread);
  reread = relais_store_get_ticket (fixture->store, relais_ticket_get_id (recent_ended), &error);
  g_assert_no_error (error);
  g_clear_object (&reread);

  /* Nothing more to purge. */
  g_assert_cmpint (relais_store_purge (fixture->store, 7, now, &error), ==, 0);
  g_assert_no_error (error);
  assert_integrity (fixture->store);
}

static void
test_unwritable_path (StoreFixture  *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisStore) store = NULL;

  store = relais_store_new ("/nonexistent-relais-dir/sub/relais.db", &error);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_assert_null (store);
  g_clear_error (&error);

  /* A directory is not a database either. */
  store = relais_store_new (fixture->dir, &error);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_assert_null (store);
}

static void
test_not_a_database (StoreFixture  *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisStore) store = NULL;

  g_file_set_contents (fixture->path, "this is not an SQLite file, just some text that is long enough", -1, &error);
  g_assert_no_error (error);

  store = relais_store_new (fixture->path, &error);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_assert_null (store);
}

static void
test_reopen_file (StoreFixture  *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autofree char *value = NULL;
  gint64 ids[3];

  reopen (fixture, RELAIS_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (relais_store_get_path (fixture->store), ==, fixture->path);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(RelaisTicket) ticket = add_ticket (fixture->store, "2024-03-01", 'F', T0 + i);
      ids[i] = relais_ticket_get_id (ticket);
    }
  set_state (fixture->store, ids[0], RELAIS_TICKET_CALLED, T0 + 30);
  set_state (fixture->store, ids[1], RELAIS_TICKET_CANCELLED, T0 + 40);
  g_assert_true (relais_store_set_setting (fixture->store, "pin-hash", "abc", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));

  reopen (fixture, RELAIS_STORE_SCHEMA_VERSION);

  active = relais_store_list_active_tickets (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (active->len, ==, 2);
  g_assert_cmpint (relais_ticket_get_id (g_ptr_array_index (active, 0)), ==, ids[0]);
  g_assert_cmpint (relais_ticket_get_state (g_ptr_array_index (active, 0)), ==, RELAIS_TICKET_CALLED);
  g_assert_cmpint (relais_ticket_get_called_at (g_ptr_array_index (active, 0)), ==, T0 + 30);
  g_assert_cmpstr (relais_ticket_get_person_name (g_ptr_array_index (active, 0)), ==, "Jeanne Martin");
  g_assert_cmpint (relais_ticket_get_id (g_ptr_array_index (active, 1)), ==, ids[2]);
  g_assert_cmpstr (relais_ticket_get_code (g_ptr_array_index (active, 1)), ==, "F3");
  g_assert_cmpint (count_events (fixture->store, "ticket-ended"), ==, 1);
  value = relais_store_get_setting (fixture->store, "pin-hash");
  g_assert_cmpstr (value, ==, "abc");
  assert_integrity (fixture->store);

  /* Two connections on one file (the kiosk and a maintenance tool) see
   * each other's commits. */
  {
    g_autoptr(RelaisStore) other = relais_store_new (fixture->path, &error);
    g_autoptr(RelaisTicket) ticket = NULL;

    g_assert_no_error (error);
    ticket = add_ticket (other, "2024-03-01", 'F', T0 + 50);
    g_assert_cmpstr (relais_ticket_get_code (ticket), ==, "F4");
    g_clear_object (&ticket);
    ticket = add_ticket (fixture->store, "2024-03-01", 'F', T0 + 60);
    g_assert_cmpstr (relais_ticket_get_code (ticket), ==, "F5");
  }
}

/* The agent lock's count of wrong PINs: one number, kept across a
 * restart (a new store on the same file), gone once back to 0. */
static void
test_pin_failures (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *raw = NULL;

  reopen (fixture, RELAIS_STORE_SCHEMA_VERSION);
  g_assert_cmpuint (relais_store_get_pin_failures (fixture->store), ==, 0);

  g_assert_true (relais_store_set_pin_failures (fixture->store, 7, &error));
  g_assert_no_error (error);
  reopen (fixture, RELAIS_STORE_SCHEMA_VERSION);
  g_assert_cmpuint (relais_store_get_pin_failures (fixture->store), ==, 7);

  g_assert_true (relais_store_set_pin_failures (fixture->store, 0, &error));
  g_assert_no_error (error);
  reopen (fixture, RELAIS_STORE_SCHEMA_VERSION);
  g_assert_cmpuint (relais_store_get_pin_failures (fixture->store), ==, 0);
  raw = relais_store_get_setting (fixture->store, "agent-pin-failures");
  g_assert_null (raw);

  /* A value no code wrote counts from 0 (and says so). */
  g_assert_true (relais_store_set_setting (fixture->store, "agent-pin-failures", "beaucoup", &error));
  g_test_expect_message ("relais-store", G_LOG_LEVEL_WARNING, "*wrong PINs*");
  g_assert_cmpuint (relais_store_get_pin_failures (fixture->store), ==, 0);
  g_test_assert_expected_messages ();
}

static RelaisSessionFacts *
make_facts (const char *service,
            gint64      created_at)
{
  RelaisSessionFacts *facts = relais_session_facts_new ();

  facts->session_id = relais_session_facts_new_id ();
  facts->service_id = g_strdup (service);
  facts->subservice_id = g_strdup ("rsa");
  facts->created_at = created_at;
  facts->ended_at = created_at + 900;
  return facts;
}

/* Session facts: written, read back field by field, completed by the
 * survey and the advisor's outcome, and out of reach of personal data. */
static void
test_session_facts (StoreFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisSessionFacts) full = make_facts ("caf", 1709287200);
  g_autoptr(RelaisSessionFacts) bare = make_facts ("ft", 1709287300);
  g_autoptr(RelaisSessionFacts) read = NULL;
  g_autoptr(GPtrArray) listed = NULL;

  g_assert_cmpuint (strlen (full->session_id), ==, 32);
  g_assert_cmpstr (full->session_id, !=, bare->session_id);

  full->wait_seconds = 240;
  full->call_attempted = TRUE;
  full->media_flowed = TRUE;
  full->setup_ms = 612;
  full->fps_in = 27.5;
  full->packets_lost = 3;
  full->reconnected = TRUE;
  full->call_seconds = 600;
  g_assert_true (relais_store_add_session_facts (fixture->store, full, &error));
  g_assert_no_error (error);
  bare->outcome = g_strdup (RELAIS_OUTCOME_ABSENT);
  g_assert_true (relais_store_add_session_facts (fixture->store, bare, &error));
  g_assert_no_error (error);

  read = relais_store_get_session_facts (fixture->store, full->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read->service_id, ==, "caf");
  g_assert_cmpstr (read->subservice_id, ==, "rsa");
  g_assert_cmpint (read->created_at, ==, 1709287200);
  g_assert_cmpint (read->ended_at, ==, 1709287200 + 900);
  g_assert_cmpint (read->wait_seconds, ==, 240);
  g_assert_true (read->call_attempted);
  g_assert_true (read->media_flowed);
  g_assert_cmpint (read->setup_ms, ==, 612);
  g_assert_cmpfloat_with_epsilon (read->fps_in, 27.5, 0.001);
  g_assert_cmpint (read->packets_lost, ==, 3);
  g_assert_true (read->reconnected);
  g_assert_cmpint (read->call_seconds, ==, 600);
  g_assert_null (read->outcome);
  g_assert_cmpint (read->survey, ==, 0);
  g_clear_pointer (&read, relais_session_facts_free);

  /* Unknown stays unknown (-1, never 0). */
  read = relais_store_get_session_facts (fixture->store, bare->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read->wait_seconds, ==, -1);
  g_assert_cmpint (read->setup_ms, ==, -1);
  g_assert_cmpfloat (read->fps_in, <, 0);
  g_assert_cmpint (read->packets_lost, ==, -1);
  g_assert_cmpint (read->call_seconds, ==, -1);
  g_assert_cmpstr (read->outcome, ==, "absent");
  g_clear_pointer (&read, relais_session_facts_free);

  g_assert_true (relais_store_set_session_survey (fixture->store, full->session_id, 4, &error));
  g_assert_no_error (error);
  g_assert_true (relais_store_set_session_outcome (fixture->store, full->session_id, "follow-up", &error));
  g_assert_no_error (error);
  read = relais_store_get_session_facts (fixture->store, full->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read->survey, ==, 4);
  g_assert_cmpstr (read->outcome, ==, "follow-up");

  /* The schema refuses what the figures cannot mean. */
  g_assert_false (relais_store_set_session_outcome (fixture->store, full->session_id, "Jeanne", &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_clear_error (&error);
  g_assert_false (relais_store_set_session_survey (fixture->store, "0123456789abcdef0123456789abcdef", 3, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_clear_error (&error);
  g_assert_false (relais_store_add_session_facts (fixture->store, full, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE);
  g_clear_error (&error);

  listed = relais_store_list_session_facts (fixture->store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpstr (((RelaisSessionFacts *) g_ptr_array_index (listed, 0))->session_id, ==, full->session_id);
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = relais_store_list_session_facts (fixture->store, 1709287250, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* They outlive their tickets' purge, and go after retention-days. */
  g_assert_cmpint (relais_store_purge (fixture->store, 30, 1709287200 + 10 * DAY, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (relais_store_purge (fixture->store, 30, 1709287200 + 31 * DAY, &error), ==, 2);
  g_assert_no_error (error);
  listed = relais_store_list_session_facts (fixture->store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);
  assert_integrity (fixture->store);
}

static void
test_upload_rows (StoreFixture  *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *body = NULL;
  gint64 id = -1;
  guint attempts = 99;

  g_assert_cmpint (relais_store_next_upload_time (fixture->store, &error), ==, -1);
  g_assert_true (relais_store_next_upload (fixture->store, 1000, &id, &key, &body, &attempts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, ==, 0);

  g_assert_true (relais_store_queue_upload (fixture->store, "k1", "{\"a\":1}", 1000, &error));
  g_assert_true (relais_store_queue_upload (fixture->store, "k2", "{\"a\":2}", 1001, &error));
  /* The same key again keeps the first body. */
  g_assert_true (relais_store_queue_upload (fixture->store, "k1", "{\"a\":3}", 1002, &error));
  g_assert_no_error (error);
  g_assert_cmpint (relais_store_count_uploads (fixture->store, &error), ==, 2);

  g_assert_true (relais_store_next_upload (fixture->store, 1000, &id, &key, &body, &attempts, &error));
  g_assert_cmpstr (key, ==, "k1");
  g_assert_cmpstr (body, ==, "{\"a\":1}");
  g_assert_cmpuint (attempts, ==, 0);

  g_assert_true (relais_store_postpone_upload (fixture->store, id, 5000, &error));
  g_clear_pointer (&key, g_free);
  g_clear_pointer (&body, g_free);
  g_assert_true (relais_store_next_upload (fixture->store, 2000, &id, &key, &body, &attempts, &error));
  g_assert_cmpstr (key, ==, "k2");
  g_assert_true (relais_store_forget_upload (fixture->store, id, &error));
  g_clear_pointer (&key, g_free);
  g_clear_pointer (&body, g_free);
  g_assert_true (relais_store_next_upload (fixture->store, 2000, &id, &key, &body, &attempts, &error));
  g_assert_cmpint (id, ==, 0);
  g_assert_cmpint (relais_store_next_upload_time (fixture->store, &error), ==, 5000);
  g_assert_true (relais_store_next_upload (fixture->store, 5000, &id, &key, &body, &attempts, &error));
  g_assert_cmpstr (key, ==, "k1");
  g_assert_cmpuint (attempts, ==, 1);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, StoreFixture, data, fixture_setup, func, fixture_teardown)

  ADD ("/store/schema/fresh", test_fresh_schema, NULL);
  ADD ("/store/schema/migrate-from-0", test_migrate_from, GINT_TO_POINTER (0));
  ADD ("/store/schema/migrate-from-1", test_migrate_from, GINT_TO_POINTER (1));
  ADD ("/store/schema/migrate-from-2", test_migrate_from, GINT_TO_POINTER (2));
  ADD ("/store/schema/migrate-from-3", test_migrate_from, GINT_TO_POINTER (3));
  ADD ("/store/schema/migrate-from-4", test_migrate_from, GINT_TO_POINTER (4));
  ADD ("/store/schema/migrate-stepwise", test_migrate_stepwise, NULL);
  ADD ("/store/schema/newer-refused", test_migrate_newer_refused, NULL);
  ADD ("/store/schema/old-version-api", test_old_version_api, NULL);
  ADD ("/store/session-facts", test_session_facts, NULL);
  ADD ("/store/upload-rows", test_upload_rows, NULL);
  ADD ("/store/tickets/numbering", test_numbering, NULL);
  ADD ("/store/tickets/unique-number", test_unique_number, NULL);
  ADD ("/store/tickets/final-erases", test_final_erases, NULL);
  ADD ("/store/tickets/leftovers-detected", test_leftovers_detected, NULL);
  ADD ("/store/tickets/missing", test_missing_ticket, NULL);
  ADD ("/store/tickets/swap", test_swap, NULL);
  ADD ("/store/settings", test_settings, NULL);
  ADD ("/store/events", test_events, NULL);
  ADD ("/store/purge", test_purge, NULL);
  ADD ("/store/errors/unwritable-path", test_unwritable_path, NULL);
  ADD ("/store/errors/not-a-database", test_not_a_database, NULL);
  ADD ("/store/file/reopen", test_reopen_file, NULL);
  ADD ("/store/file/pin-failures", test_pin_failures, NULL);

#undef ADD

  return g_test_run ();
}
