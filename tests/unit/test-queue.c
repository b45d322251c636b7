/* test-queue.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-queue"

#include <string.h>

#include <glib/gstdio.h>

#include "relais-error.h"
#include "relais-queue.h"

#include "../relais-test-utils.h"

typedef struct
{
  guint position;
  guint removed;
  guint added;
} ItemsChanged;

typedef struct
{
  char        *dir;
  char        *path;
  RelaisStore *store;
  RelaisQueue *queue;
  gint64       now;
  GArray      *changes;   /* of ItemsChanged */
} QueueFixture;

static gint64
fake_clock (gpointer user_data)
{
  QueueFixture *fixture = user_data;

  return fixture->now;
}

static gint64
local_time (int year,
            int month,
            int day,
            int hour,
            int minute)
{
  g_autoptr(GDateTime) date = g_date_time_new_local (year, month, day, hour, minute, 0);

  return g_date_time_to_unix (date);
}

static void
items_changed_cb (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  QueueFixture *fixture)
{
  ItemsChanged change = { position, removed, added };

  g_array_append_val (fixture->changes, change);
}

static void
close_queue (QueueFixture *fixture)
{
  if (fixture->queue != NULL)
    {
      g_signal_handlers_disconnect_by_func (relais_queue_get_model (fixture->queue),
                                            items_changed_cb, fixture);
      g_assert_finalize_object (g_steal_pointer (&fixture->queue));
    }

  if (fixture->store != NULL)
    g_assert_finalize_object (g_steal_pointer (&fixture->store));
}

/* (Re)opens the store at @path and a queue on it, as the kiosk does at
 * start-up. */
static void
open_queue (QueueFixture *fixture,
            const char   *path)
{
  g_autoptr(GError) error = NULL;

  close_queue (fixture);

  fixture->store = relais_store_new (path, &error);
  g_assert_no_error (error);
  /* With the test's clock from the start: opening expires the tickets of
   * before the clock's day. */
  fixture->queue = relais_queue_new_with_clock (fixture->store, fake_clock, fixture, &error);
  g_assert_no_error (error);
  g_assert_true (relais_queue_get_store (fixture->queue) == fixture->store);
  g_signal_connect (relais_queue_get_model (fixture->queue), "items-changed",
                    G_CALLBACK (items_changed_cb), fixture);
  g_array_set_size (fixture->changes, 0);
}

static void
fixture_setup (QueueFixture  *fixture,
               gconstpointer  data)
{
  relais_test_store_dir ("relais-queue-XXXXXX", &fixture->dir, &fixture->path);
  fixture->now = local_time (2024, 3, 1, 9, 0);
  fixture->changes = g_array_new (FALSE, FALSE, sizeof (ItemsChanged));

  open_queue (fixture, ":memory:");
}

static void
fixture_teardown (QueueFixture  *fixture,
                  gconstpointer  data)
{
  close_queue (fixture);
  relais_test_remove_dir (fixture->dir);
  g_array_unref (fixture->changes);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static RelaisTicket *
add (QueueFixture *fixture,
     char          letter,
     const char   *name)
{
  g_autoptr(GError) error = NULL;
  RelaisTicket *ticket;

  fixture->now += 60;
  ticket = relais_queue_add (fixture->queue, letter, "caf", "rsa", name, "note", &error);
  g_assert_no_error (error);
  g_assert_nonnull (ticket);

  return ticket;
}

static gint64
add_id (QueueFixture *fixture,
        char          letter)
{
  g_autoptr(RelaisTicket) ticket = add (fixture, letter, "Jeanne Martin");

  return relais_ticket_get_id (ticket);
}

/* The model's codes, space-separated, e.g. "C1 C3 C2". */
static char *
model_codes (QueueFixture *fixture)
{
  GListModel *model = relais_queue_get_model (fixture->queue);
  g_autoptr(GString) codes = g_string_new (NULL);
  gint64 last_position = G_MININT64;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(RelaisTicket) ticket = g_list_model_get_item (model, i);

      /* The model is always in position order. */
      g_assert_cmpint (relais_ticket_get_position (ticket), >, last_position);
      last_position = relais_ticket_get_position (ticket);

      if (codes->len > 0)
        g_string_append_c (codes, ' ');
      g_string_append (codes, relais_ticket_get_code (ticket));
    }

  return g_string_free (g_steal_pointer (&codes), FALSE);
}

/* The queue a restart would show, from the store alone. */
static char *
stored_codes (QueueFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tickets = relais_store_list_active_tickets (fixture->store, &error);
  g_autoptr(GString) codes = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < tickets->len; i++)
    {
      if (codes->len > 0)
        g_string_append_c (codes, ' ');
      g_string_append (codes, relais_ticket_get_code (g_ptr_array_index (tickets, i)));
    }

  return g_string_free (g_steal_pointer (&codes), FALSE);
}

#define assert_queue(fixture, expected) \
  G_STMT_START { \
    g_autofree char *_model = model_codes (fixture); \
    g_autofree char *_stored = stored_codes (fixture); \
    g_assert_cmpstr (_model, ==, expected); \
    g_assert_cmpstr (_stored, ==, expected); \
  } G_STMT_END

#define assert_queue_error(err, expected) \
  G_STMT_START { \
    g_assert_error (err, RELAIS_ERROR, RELAIS_ERROR_QUEUE); \
    g_assert_cmpstr ((err)->message, ==, expected); \
    g_clear_error (&(err)); \
  } G_STMT_END

static void
test_add (QueueFixture  *fixture,
          gconstpointer  data)
{
  g_autoptr(RelaisTicket) first = add (fixture, 'C', "Jeanne Martin");
  g_autoptr(RelaisTicket) second = add (fixture, 'F', NULL);
  g_autoptr(RelaisTicket) third = add (fixture, 'C', "Paul");

  g_assert_cmpstr (relais_ticket_get_code (first), ==, "C1");
  g_assert_cmpstr (relais_ticket_get_code (second), ==, "F1");
  g_assert_cmpstr (relais_ticket_get_code (third), ==, "C2");
  g_assert_cmpstr (relais_ticket_get_person_name (first), ==, "Jeanne Martin");
  g_assert_null (relais_ticket_get_person_name (second));
  g_assert_cmpstr (relais_ticket_get_note (first), ==, "note");
  g_assert_cmpint (relais_ticket_get_created_at (third), ==, fixture->now);

  assert_queue (fixture, "C1 F1 C2");
  g_assert_cmpuint (fixture->changes->len, ==, 3);
  g_assert_cmpuint (g_array_index (fixture->changes, ItemsChanged, 2).position, ==, 2);
  g_assert_cmpuint (g_array_index (fixture->changes, ItemsChanged, 2).added, ==, 1);

  /* The ticket handed back is the one the model holds. */
  g_assert_true (relais_queue_find (fixture->queue, relais_ticket_get_id (second)) == second);
  g_assert_null (relais_queue_find (fixture->queue, 999));
  g_assert_null (relais_queue_get_current (fixture->queue));
  g_assert_cmpuint (relais_queue_count_waiting (fixture->queue), ==, 3);
  g_assert_cmpuint (relais_queue_get_waiting_position (fixture->queue, first), ==, 1);
  g_assert_cmpuint (relais_queue_get_waiting_position (fixture->queue, third), ==, 3);
}

static void
test_add_validation (QueueFixture  *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GString) note = g_string_new (NULL);
  g_autoptr(RelaisTicket) ticket = NULL;

  g_assert_null (relais_queue_add (fixture->queue, 'c', "caf", "rsa", NULL, NULL, &error));
  assert_queue_error (error, "La lettre du ticket doit être une majuscule de A à Z.");
  g_assert_null (relais_queue_add (fixture->queue, '1', "caf", "rsa", NULL, NULL, &error));
  assert_queue_error (error, "La lettre du ticket doit être une majuscule de A à Z.");
  g_assert_null (relais_queue_add (fixture->queue, 'C', "", "rsa", NULL, NULL, &error));
  assert_queue_error (error, "Choisissez d'abord un service.");
  g_assert_null (relais_queue_add (fixture->queue, 'C', NULL, "rsa", NULL, NULL, &error));
  assert_queue_error (error, "Choisissez d'abord un service.");
  g_assert_null (relais_queue_add (fixture->queue, 'C', "caf", "", NULL, NULL, &error));
  assert_queue_error (error, "Choisissez d'abord une démarche dans le service.");

  /* Lengths count characters, not bytes: 64 "é" fit, 65 do not. */
  for (guint i = 0; i < 64; i++)
    g_string_append (name, "é");
  ticket = relais_queue_add (fixture->queue, 'C', "caf", "rsa", name->str, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relais_ticket_get_person_name (ticket), ==, name->str);
  g_clear_object (&ticket);
  g_string_append (name, "é");
  g_assert_null (relais_queue_add (fixture->queue, 'C', "caf", "rsa", name->str, NULL, &error));
  assert_queue_error (error, "Le nom ne doit pas dépasser 64 caractères.");

  for (guint i = 0; i < 200; i++)
    g_string_append_c (note, 'x');
  ticket = relais_queue_add (fixture->queue, 'C', "caf", "rsa", NULL, note->str, &error);
  g_assert_no_error (error);
  g_clear_object (&ticket);
  g_string_append_c (note, 'x');
  g_assert_null (relais_queue_add (fixture->queue, 'C', "caf", "rsa", NULL, note->str, &error));
  assert_queue_error (error, "La note ne doit pas dépasser 200 caractères.");

  g_assert_null (relais_queue_add (fixture->queue, 'C', "caf", "rsa", "Jean\xff", NULL, &error));
  assert_queue_error (error, "Le texte saisi contient des caractères illisibles.");

  /* Control characters become spaces; blank text is no text. */
  ticket = relais_queue_add (fixture->queue, 'C', "caf", "rsa",
                             "\tJean\nDupont\x1b[31m \x7f", " \r\n ", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relais_ticket_get_person_name (ticket), ==, "Jean Dupont [31m");
  g_assert_null (relais_ticket_get_note (ticket));

  /* Refused tickets took no number and no place. */
  g_assert_cmpstr (relais_ticket_get_code (ticket), ==, "C3");
  assert_queue (fixture, "C1 C2 C3");
}

static void
test_call_next (QueueFixture  *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) first = NULL;
  RelaisTicket *again;
  RelaisTicket *called;

  g_assert_null (relais_queue_call_next (fixture->queue, &error));
  assert_queue_error (error, "Personne n'attend.");

  first = add (fixture, 'C', "Jeanne Martin");
  add_id (fixture, 'C');
  fixture->now += 120;

  called = relais_queue_call_next (fixture->queue, &error);
  g_assert_no_error (error);
  g_assert_true (called == first);
  g_assert_cmpint (relais_ticket_get_state (first), ==, RELAIS_TICKET_CALLED);
  g_assert_cmpint (relais_ticket_get_called_at (first), ==, fixture->now);
  g_assert_true (relais_queue_get_current (fixture->queue) == first);
  g_assert_cmpuint (relais_queue_count_waiting (fixture->queue), ==, 1);
  g_assert_cmpuint (relais_queue_get_waiting_position (fixture->queue, first), ==, 0);

  /* Called tickets stay in the model, in place, until they end. */
  assert_queue (fixture, "C1 C2");

  again = relais_queue_call_next (fixture->queue, &error);
  g_assert_null (again);
  assert_queue_error (error, "La cabine est déjà occupée par le ticket C1.");

  g_assert_true (relais_queue_start (fixture->queue, relais_ticket_get_id (first), &error));
  g_assert_no_error (error);
  again = relais_queue_call_next (fixture->queue, &error);
  g_assert_null (again);
  assert_queue_error (error, "La cabine est déjà occupée par le ticket C1.");
}

static void
test_call_out_of_turn (QueueFixture  *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 c1 = add_id (fixture, 'C');
  gint64 c2 = add_id (fixture, 'C');
  gint64 c3 = add_id (fixture, 'C');
  RelaisTicket *next;

  g_assert_true (relais_queue_call (fixture->queue, c2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (relais_ticket_get_state (relais_queue_find (fixture->queue, c2)), ==,
                   RELAIS_TICKET_CALLED);

  g_assert_false (relais_queue_call (fixture->queue, c3, &error));
  assert_queue_error (error, "La cabine est déjà occupée par le ticket C2.");
  g_assert_false (relais_queue_call (fixture->queue, c2, &error));
  assert_queue_error (error, "Le ticket C2 n'est pas en attente.");
  g_assert_false (relais_queue_call (fixture->queue, 999, &error));
  assert_queue_error (error, "Ce ticket n'est plus dans la file d'attente.");

  g_assert_true (relais_queue_finish (fixture->queue, c2, &error));
  g_assert_no_error (error);

  /* The next in line is still C1. */
  next = relais_queue_call_next (fixture->queue, &error);
  g_assert_no_error (error);
  g_assert_cmpint (relais_ticket_get_id (next), ==, c1);
  assert_queue (fixture, "C1 C3");
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 GString    *log)
{
  g_string_append_printf (log, "%s;", pspec->name);
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* Notifications of a frozen object come in an order GLib does not promise:
 * compare them sorted, each name once per change. */
static void
assert_notified (GString    *log,
                 const char *expected)
{
  g_auto(GStrv) names = g_strsplit (log->str, ";", -1);
  g_autofree char *sorted = NULL;

  qsort (names, g_strv_length (names), sizeof (char *), compare_strings);
  sorted = g_strjoinv (";", names);
  g_assert_cmpstr (sorted, ==, expected);
  g_string_truncate (log, 0);
}

static void
test_start_finish (QueueFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) ticket = add (fixture, 'C', "Jeanne Martin");
  g_autoptr(RelaisTicket) reread = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  gint64 id = relais_ticket_get_id (ticket);
  gint64 other = add_id (fixture, 'C');

  g_signal_connect (ticket, "notify", G_CALLBACK (notify_count_cb), log);

  g_assert_false (relais_queue_start (fixture->queue, id, &error));
  assert_queue_error (error, "Le ticket C1 n'a pas été appelé.");
  g_assert_false (relais_queue_finish (fixture->queue, id, &error));
  assert_queue_error (error, "Le ticket C1 n'est pas en cabine.");

  g_assert_true (relais_queue_call (fixture->queue, id, &error));
  g_assert_no_error (error);
  assert_notified (log, ";called-at;state");

  g_assert_true (relais_queue_start (fixture->queue, id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (relais_ticket_get_state (ticket), ==, RELAIS_TICKET_IN_CALL);
  assert_notified (log, ";state");
  g_assert_false (relais_queue_start (fixture->queue, id, &error));
  assert_queue_error (error, "Le ticket C1 n'a pas été appelé.");

  g_array_set_size (fixture->changes, 0);
  g_assert_true (relais_queue_finish (fixture->queue, id, &error));
  g_assert_no_error (error);

  /* Ended: out of the model, nothing personal left in memory or on disk. */
  g_assert_cmpint (relais_ticket_get_state (ticket), ==, RELAIS_TICKET_DONE);
  g_assert_null (relais_ticket_get_person_name (ticket));
  g_assert_null (relais_ticket_get_note (ticket));
  assert_notified (log, ";note;person-name;state");
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (fixture->changes, ItemsChanged, 0).position, ==, 0);
  g_assert_cmpuint (g_array_index (fixture->changes, ItemsChanged, 0).removed, ==, 1);
  g_assert_null (relais_queue_find (fixture->queue, id));
  g_assert_null (relais_queue_get_current (fixture->queue));
  assert_queue (fixture, "C2");

  reread = relais_store_get_ticket (fixture->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (relais_ticket_get_state (reread), ==, RELAIS_TICKET_DONE);
  g_assert_null (relais_ticket_get_person_name (reread));
  g_assert_cmpint (relais_store_count_personal_leftovers (fixture->store, &error), ==, 0);
  g_assert_cmpint (relais_store_count_events (fixture->store, "ticket-ended", &error), ==, 1);

  g_assert_false (relais_queue_finish (fixture->queue, id, &error));
  assert_queue_error (error, "Ce ticket n'est plus dans la file d'attente.");

  /* A called person may also be done without a call (e.g. the question
   * was answered at the desk). */
  g_assert_true (relais_queue_call (fixture->queue, other, &error));
  g_assert_true (relais_queue_finish (fixture->queue, other, &error));
  g_assert_no_error (error);
  assert_queue (fixture, "");
}

static void
test_absent_cancel (QueueFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 c1 = add_id (fixture, 'C');
  gint64 c2 = add_id (fixture, 'C');
  gint64 c3 = add_id (fixture, 'C');
  gint64 c4 = add_id (fixture, 'C');

  /* Waiting → cancelled. */
  g_assert_true (relais_queue_cancel (fixture->queue, c2, &error));
  g_assert_no_error (error);
  assert_queue (fixture, "C1 C3 C4");

  /* Called → absent. */
  g_assert_true (relais_queue_call (fixture->queue, c1, &error));
  g_assert_true (relais_queue_mark_absent (fixture->queue, c1, &error));
  g_assert_no_error (error);
  assert_queue (fixture, "C3 C4");

  /* Waiting → absent, and called → cancelled. */
  g_assert_true (relais_queue_mark_absent (fixture->queue, c4, &error));
  g_assert_true (relais_queue_call (fixture->queue, c3, &error));
  g_assert_true (relais_queue_cancel (fixture->queue, c3, &error));
  g_assert_no_error (error);
  assert_queue (fixture, "");

  /* In call: only finishing ends it. */
  {
    gint64 c5 = add_id (fixture, 'C');

    g_assert_true (relais_queue_call (fixture->queue, c5, &error));
    g_assert_true (relais_queue_start (fixture->queue, c5, &error));
    g_assert_no_error (error);
    g_assert_false (relais_queue_mark_absent (fixture->queue, c5, &error));
    assert_queue_error (error, "Le ticket C5 est en cabine : terminez d'abord l'appel.");
    g_assert_false (relais_queue_cancel (fixture->queue, c5, &error));
    assert_queue_error (error, "Le ticket C5 est en cabine : terminez d'abord l'appel.");
    assert_queue (fixture, "C5");
  }

  g_assert_false (relais_queue_cancel (fixture->queue, c2, &error));
  assert_queue_error (error, "Ce ticket n'est plus dans la file d'attente.");
  g_assert_cmpint (relais_store_count_events (fixture->store, "ticket-ended", &error), ==, 4);
  g_assert_cmpint (relais_store_count_personal_leftovers (fixture->store, &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_move (QueueFixture  *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 c1 = add_id (fixture, 'C');
  gint64 c2 = add_id (fixture, 'C');
  gint64 c3 = add_id (fixture, 'C');
  gint64 c4 = add_id (fixture, 'C');
  gint64 c5 = add_id (fixture, 'C');
  ItemsChanged change;

  g_array_set_size (fixture->changes, 0);
  g_assert_true (relais_queue_move (fixture->queue, c3, -1, &error));
  g_assert_no_error (error);
  assert_queue (fixture, "C1 C3 C2 C4 C5");
  /* One swap of two neighbours: one items-changed over both. */
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  change = g_array_index (fixture->changes, ItemsChanged, 0);
  g_assert_cmpuint (change.position, ==, 1);
  g_assert_cmpuint (change.removed, ==, 2);
  g_assert_cmpuint (change.added, ==, 2);

  g_assert_true (relais_queue_move (fixture->queue, c1, 2, &error));
  g_assert_no_error (error);
  assert_queue (fixture, "C3 C2 C1 C4 C5");

  /* Past either end: stops there, not an error. */
  g_array_set_size (fixture->changes, 0);
  g_assert_true (relais_queue_move (fixture->queue, c3, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_true (relais_queue_move (fixture->queue, c2, 10, &error));
  g_assert_no_error (error);
  assert_queue (fixture, "C3 C1 C4 C5 C2");
  g_assert_true (relais_queue_move (fixture->queue, c4, 0, &error));
  assert_queue (fixture, "C3 C1 C4 C5 C2");

  /* Called tickets keep their place; waiting ones move around them. */
  g_assert_true (relais_queue_call (fixture->queue, c4, &error));
  g_assert_no_error (error);
  g_assert_false (relais_queue_move (fixture->queue, c4, -1, &error));
  assert_queue_error (error, "Le ticket C4 n'est plus en attente : il ne peut pas être déplacé.");
  g_assert_true (relais_queue_move (fixture->queue, c5, -1, &error));
  g_assert_no_error (error);
  assert_queue (fixture, "C3 C5 C4 C1 C2");
  g_assert_cmpuint (relais_queue_get_waiting_position (fixture->queue,
                                                       relais_queue_find (fixture->queue, c5)), ==, 2);
  g_assert_cmpuint (relais_queue_get_waiting_position (fixture->queue,
                                                       relais_queue_find (fixture->queue, c1)), ==, 3);

  g_assert_false (relais_queue_move (fixture->queue, 999, 1, &error));
  assert_queue_error (error, "Ce ticket n'est plus dans la file d'attente.");
}

static void
test_restore (QueueFixture  *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 c1, c2, f1, c3;
  RelaisTicket *current;

  open_queue (fixture, fixture->path);

  c1 = add_id (fixture, 'C');
  c2 = add_id (fixture, 'C');
  f1 = add_id (fixture, 'F');
  c3 = add_id (fixture, 'C');
  g_assert_true (relais_queue_call (fixture->queue, c1, &error));
  g_assert_true (relais_queue_start (fixture->queue, c1, &error));
  g_assert_true (relais_queue_move (fixture->queue, c3, -1, &error));
  g_assert_true (relais_queue_cancel (fixture->queue, c2, &error));
  g_assert_no_error (error);

  before = model_codes (fixture);
  g_assert_cmpstr (before, ==, "C1 C3 F1");

  /* A restart (or a power cut) later… */
  open_queue (fixture, fixture->path);

  after = model_codes (fixture);
  g_assert_cmpstr (after, ==, before);
  current = relais_queue_get_current (fixture->queue);
  g_assert_nonnull (current);
  g_assert_cmpint (relais_ticket_get_id (current), ==, c1);
  g_assert_cmpint (relais_ticket_get_state (current), ==, RELAIS_TICKET_IN_CALL);
  g_assert_cmpstr (relais_ticket_get_person_name (current), ==, "Jeanne Martin");
  g_assert_cmpuint (relais_queue_count_waiting (fixture->queue), ==, 2);
  g_assert_cmpuint (relais_queue_get_waiting_position (fixture->queue,
                                                       relais_queue_find (fixture->queue, f1)), ==, 2);

  /* …and the restored queue goes on where it stopped. */
  g_assert_true (relais_queue_finish (fixture->queue, c1, &error));
  g_assert_no_error (error);
  {
    RelaisTicket *next = relais_queue_call_next (fixture->queue, &error);
    g_assert_no_error (error);
    g_assert_cmpint (relais_ticket_get_id (next), ==, c3);
  }
  {
    g_autoptr(RelaisTicket) ticket = add (fixture, 'C', NULL);
    g_assert_cmpstr (relais_ticket_get_code (ticket), ==, "C4");
  }
  assert_queue (fixture, "C3 F1 C4");

  /* A called ticket comes back called too. */
  open_queue (fixture, fixture->path);
  current = relais_queue_get_current (fixture->queue);
  g_assert_nonnull (current);
  g_assert_cmpint (relais_ticket_get_id (current), ==, c3);
  g_assert_cmpint (relais_ticket_get_state (current), ==, RELAIS_TICKET_CALLED);
  assert_queue (fixture, "C3 F1 C4");
}

/* A name and a note no other test uses, so that finding their bytes in a
 * file can only mean this person's ticket. */
#define SECRET_NAME "Zéphyrine Quatrebarbes"
#define SECRET_NOTE "allocataire 7741-QX, Brocéliande"

static gboolean
contains_bytes (const char *haystack,
                gsize       length,
                const char *needle)
{
  gsize needle_length = strlen (needle);

  for (gsize i = 0; i + needle_length <= length; i++)
    if (memcmp (haystack + i, needle, needle_length) == 0)
      return TRUE;

  return FALSE;
}

/* How many files of the store's directory (the database, its WAL, its
 * shared memory, any journal) hold @needle's bytes; their names go to
 * @where. */
static guint
files_holding (QueueFixture *fixture,
               const char   *needle,
               GString      *where)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, &error);
  const char *name;
  guint found = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (path, &contents, &length, &error));
      g_assert_no_error (error);
      if (contains_bytes (contents, length, needle))
        {
          found++;
          g_string_append_printf (where, " %s (%" G_GSIZE_FORMAT " bytes)", name, length);
        }
    }

  return found;
}

static void
assert_secret_in_no_file (QueueFixture *fixture)
{
  g_autoptr(GString) name_in = g_string_new (NULL);
  g_autoptr(GString) note_in = g_string_new (NULL);

  if (files_holding (fixture, SECRET_NAME, name_in) + files_holding (fixture, SECRET_NOTE, note_in) > 0)
    g_error ("The ended ticket's name is still in:%s; its note in:%s", name_in->str, note_in->str);
}

/* Once a ticket ended, however it ended, the name and the note typed at
 * the desk are in no file of the store: secure_delete cleans the
 * database, and the WAL (which keeps the old pages until a checkpoint)
 * is checkpointed and truncated. The store stays open, as on a running
 * kiosk. */
static void
test_ended_name_in_no_file (QueueFixture  *fixture,
                            gconstpointer  data)
{
  RelaisTicketState end = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(RelaisTicket) other = NULL;
  g_autoptr(RelaisTicket) ticket = NULL;
  gint64 id;

  open_queue (fixture, fixture->path);
  other = add (fixture, 'C', "Jeanne Martin");
  fixture->now += 60;
  ticket = relais_queue_add (fixture->queue, 'C', "caf", "rsa",
                             SECRET_NAME, SECRET_NOTE, &error);
  g_assert_no_error (error);
  id = relais_ticket_get_id (ticket);

  /* The search works: while the ticket waits, its name is on disk. */
  g_assert_cmpuint (files_holding (fixture, SECRET_NAME, where), >, 0);

  switch (end)
    {
    case RELAIS_TICKET_DONE:
      g_assert_true (relais_queue_call (fixture->queue, id, &error));
      g_assert_true (relais_queue_start (fixture->queue, id, &error));
      g_assert_true (relais_queue_finish (fixture->queue, id, &error));
      break;
    case RELAIS_TICKET_ABSENT:
      g_assert_true (relais_queue_call (fixture->queue, id, &error));
      g_assert_true (relais_queue_mark_absent (fixture->queue, id, &error));
      break;
    case RELAIS_TICKET_CANCELLED:
      g_assert_true (relais_queue_cancel (fixture->queue, id, &error));
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  g_assert_cmpint (relais_ticket_get_state (ticket), ==, end);

  assert_secret_in_no_file (fixture);
  /* The other person, still waiting, is still there. */
  g_assert_cmpstr (relais_ticket_get_person_name (other), ==, "Jeanne Martin");
  assert_queue (fixture, "C1");
}

static RelaisTicket *
add_secret (QueueFixture *fixture,
            char          letter)
{
  g_autoptr(GError) error = NULL;
  RelaisTicket *ticket;

  fixture->now += 60;
  ticket = relais_queue_add (fixture->queue, letter, "caf", "rsa",
                             SECRET_NAME, SECRET_NOTE, &error);
  g_assert_no_error (error);

  return ticket;
}

static gint64
count_ended_events (QueueFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  gint64 count = relais_store_count_events (fixture->store, "ticket-ended", &error);

  g_assert_no_error (error);
  return count;
}

/* Tickets nobody ended (the kiosk off at closing time, a crash) do not
 * keep their names overnight: the next day's start-up ends them. A
 * restart the same day keeps them, as /queue/restore says. */
static void
test_expire_at_start (QueueFixture  *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) waiting = NULL;
  g_autoptr(RelaisTicket) called = NULL;
  g_autoptr(RelaisTicket) today = NULL;

  open_queue (fixture, fixture->path);
  waiting = add_secret (fixture, 'C');
  called = add_secret (fixture, 'F');
  g_assert_true (relais_queue_call (fixture->queue, relais_ticket_get_id (called), &error));
  g_assert_no_error (error);

  /* The same evening: nothing expires, and the call goes on. */
  fixture->now = local_time (2024, 3, 1, 23, 59);
  open_queue (fixture, fixture->path);
  assert_queue (fixture, "C1 F1");
  g_assert_cmpint (count_ended_events (fixture), ==, 0);
  g_assert_true (relais_queue_start (fixture->queue, relais_ticket_get_id (called), &error));
  g_assert_no_error (error);

  /* The next morning: every one of yesterday's tickets ended, waiting,
   * called or in call, and their names are in no file. */
  fixture->now = local_time (2024, 3, 2, 8, 30);
  open_queue (fixture, fixture->path);
  assert_queue (fixture, "");
  g_assert_null (relais_queue_get_current (fixture->queue));
  g_assert_cmpint (count_ended_events (fixture), ==, 2);
  g_assert_cmpint (relais_store_count_personal_leftovers (fixture->store, &error), ==, 0);
  g_assert_no_error (error);
  assert_secret_in_no_file (fixture);

  /* Today's numbering starts again, with nobody ahead. */
  today = add (fixture, 'C', "Jeanne Martin");
  g_assert_cmpstr (relais_ticket_get_code (today), ==, "C1");
  assert_queue (fixture, "C1");
}

/* relais_queue_expire_before(), for the application to call at night:
 * the store and the model lose the same tickets, which end cancelled
 * with their names and notes erased. */
static void
test_expire_before (QueueFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) waiting = NULL;
  g_autoptr(RelaisTicket) called = NULL;
  g_autoptr(RelaisTicket) today = NULL;

  open_queue (fixture, fixture->path);
  waiting = add_secret (fixture, 'C');
  called = add_secret (fixture, 'C');
  g_assert_true (relais_queue_call (fixture->queue, relais_ticket_get_id (called), &error));
  g_assert_no_error (error);

  /* The kiosk ran through the night. */
  fixture->now = local_time (2024, 3, 2, 8, 0);
  today = add (fixture, 'F', "Jeanne Martin");
  assert_queue (fixture, "C1 C2 F1");
  g_array_set_size (fixture->changes, 0);

  g_assert_true (relais_queue_expire_before (fixture->queue, local_time (2024, 3, 2, 0, 0), &error));
  g_assert_no_error (error);

  assert_queue (fixture, "F1");
  g_assert_cmpuint (fixture->changes->len, ==, 2);
  g_assert_null (relais_queue_get_current (fixture->queue));
  g_assert_cmpint (relais_ticket_get_state (waiting), ==, RELAIS_TICKET_CANCELLED);
  g_assert_cmpint (relais_ticket_get_state (called), ==, RELAIS_TICKET_CANCELLED);
  g_assert_null (relais_ticket_get_person_name (waiting));
  g_assert_null (relais_ticket_get_note (called));
  g_assert_cmpint (relais_ticket_get_state (today), ==, RELAIS_TICKET_WAITING);
  g_assert_cmpstr (relais_ticket_get_person_name (today), ==, "Jeanne Martin");
  g_assert_cmpint (count_ended_events (fixture), ==, 2);
  g_assert_cmpint (relais_store_count_personal_leftovers (fixture->store, &error), ==, 0);
  g_assert_no_error (error);
  assert_secret_in_no_file (fixture);

  /* Again: nothing left to expire. */
  g_assert_true (relais_queue_expire_before (fixture->queue, local_time (2024, 3, 2, 0, 0), &error));
  g_assert_no_error (error);
  assert_queue (fixture, "F1");
  g_assert_cmpint (count_ended_events (fixture), ==, 2);
}

static void
test_day_rollover (QueueFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(RelaisTicket) a = NULL;
  g_autoptr(RelaisTicket) b = NULL;
  g_autoptr(RelaisTicket) c = NULL;
  g_autoptr(RelaisTicket) d = NULL;

  /* Just before local midnight, then just after: numbering restarts. */
  fixture->now = local_time (2024, 3, 1, 23, 57);
  a = add (fixture, 'C', NULL);
  b = add (fixture, 'C', NULL);
  g_assert_cmpstr (relais_ticket_get_code (a), ==, "C1");
  g_assert_cmpstr (relais_ticket_get_code (b), ==, "C2");

  fixture->now = local_time (2024, 3, 2, 0, 0);
  c = add (fixture, 'C', NULL);
  d = add (fixture, 'F', NULL);
  g_assert_cmpstr (relais_ticket_get_code (c), ==, "C1");
  g_assert_cmpstr (relais_ticket_get_code (d), ==, "F1");

  /* Yesterday's people still waiting keep their place ahead. */
  assert_queue (fixture, "C1 C2 C1 F1");

  /* The default clock is the wall clock. */
  relais_queue_set_clock (fixture->queue, NULL, NULL);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RelaisTicket) now = relais_queue_add (fixture->queue, 'Z', "caf", "rsa",
                                                    NULL, NULL, &error);
    gint64 wall = g_get_real_time () / G_USEC_PER_SEC;

    g_assert_no_error (error);
    g_assert_cmpint (ABS (relais_ticket_get_created_at (now) - wall), <=, 5);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, QueueFixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/queue/add", test_add);
  ADD ("/queue/add/validation", test_add_validation);
  ADD ("/queue/call-next", test_call_next);
  ADD ("/queue/call-out-of-turn", test_call_out_of_turn);
  ADD ("/queue/start-finish", test_start_finish);
  ADD ("/queue/absent-cancel", test_absent_cancel);
  ADD ("/queue/move", test_move);
  ADD ("/queue/restore", test_restore);
  ADD ("/queue/day-rollover", test_day_rollover);

#undef ADD
#define ADD(path, func, data) \
  g_test_add (path, QueueFixture, GINT_TO_POINTER (data), fixture_setup, func, fixture_teardown)

  ADD ("/queue/ended-name-in-no-file/done", test_ended_name_in_no_file, RELAIS_TICKET_DONE);
  ADD ("/queue/ended-name-in-no-file/absent", test_ended_name_in_no_file, RELAIS_TICKET_ABSENT);
  ADD ("/queue/ended-name-in-no-file/cancelled", test_ended_name_in_no_file, RELAIS_TICKET_CANCELLED);
  ADD ("/queue/expire/at-start", test_expire_at_start, 0);
  ADD ("/queue/expire/before", test_expire_before, 0);

#undef ADD

  return g_test_run ();
}
