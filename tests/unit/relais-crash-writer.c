/* relais-crash-writer.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The victim of test-crash: opens the store and the queue at DB_PATH and
 * drives the queue at random (seeded by SEED) until it is SIGKILLed.
 * After each operation has returned — so after its transaction committed
 * — it writes one line to stdout and flushes it. Those lines are all the
 * parent may count on finding in the file:
 *
 *   ADD <id> <code> <position> <name>
 *   STATE <id> <state number>
 *   SWAP <id a> <id b>
 *
 * Any failed operation is a bug: the writer then exits with status 1.
 */
#define G_LOG_DOMAIN "relais-crash-writer"

#include <stdio.h>
#include <stdlib.h>

#include "relais-queue.h"

/* Far more than a round ever lets it do before the kill; an upper bound
 * so that a parent that failed to kill does not leave it running. */
#define MAX_OPERATIONS 100000

static void
acknowledge (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static void
acknowledge (const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stdout, format, args);
  va_end (args);

  /* One short line, one write(2): the parent never sees half a line
   * unless the kill lands inside the write. */
  fflush (stdout);
}

static G_NORETURN void
die (const char *what,
     GError     *error)
{
  fprintf (stderr, "relais-crash-writer: %s: %s\n", what,
           error != NULL ? error->message : "failed");
  exit (1);
}

/* The @index-th waiting ticket (0-based) in queue order. */
static RelaisTicket *
nth_waiting (RelaisQueue *queue,
             guint        index)
{
  GListModel *model = relais_queue_get_model (queue);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(RelaisTicket) ticket = g_list_model_get_item (model, i);

      if (relais_ticket_get_state (ticket) != RELAIS_TICKET_WAITING)
        continue;
      if (index-- == 0)
        return relais_queue_find (queue, relais_ticket_get_id (ticket));
    }

  return NULL;
}

static void
add_one (RelaisQueue *queue,
         GRand       *rand,
         guint32      seed,
         guint        operation)
{
  static const char letters[] = "CFJMS";
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisTicket) ticket = NULL;
  g_autofree char *name = g_strdup_printf ("Usager-%u-%u", seed, operation);
  char letter = letters[g_rand_int_range (rand, 0, sizeof letters - 1)];

  ticket = relais_queue_add (queue, letter, "caf", "rsa", name, "note confidentielle", &error);
  if (ticket == NULL)
    die ("add", error);

  acknowledge ("ADD %" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT " %s\n",
               relais_ticket_get_id (ticket), relais_ticket_get_code (ticket),
               relais_ticket_get_position (ticket), name);
}

static void
acknowledge_state (RelaisTicket *ticket)
{
  acknowledge ("STATE %" G_GINT64_FORMAT " %d\n",
               relais_ticket_get_id (ticket), relais_ticket_get_state (ticket));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisStore) store = NULL;
  g_autoptr(RelaisQueue) queue = NULL;
  g_autoptr(GRand) rand = NULL;
  guint32 seed;

  if (argc != 3)
    {
      fprintf (stderr, "usage: %s DB_PATH SEED\n", argv[0]);
      return 2;
    }

  seed = (guint32) g_ascii_strtoull (argv[2], NULL, 10);
  rand = g_rand_new_with_seed (seed);

  if (!(store = relais_store_new (argv[1], &error)))
    die ("open store", error);
  if (!(queue = relais_queue_new (store, &error)))
    die ("open queue", error);

  for (guint operation = 0; operation < MAX_OPERATIONS; operation++)
    {
      RelaisTicket *current = relais_queue_get_current (queue);
      guint waiting = relais_queue_count_waiting (queue);
      int roll = g_rand_int_range (rand, 0, 100);

      if (waiting < 3 || roll < 30)
        {
          add_one (queue, rand, seed, operation);
        }
      else if (current == NULL && roll < 55)
        {
          RelaisTicket *called = relais_queue_call_next (queue, &error);

          if (called == NULL)
            die ("call next", error);
          acknowledge_state (called);
        }
      else if (current != NULL && roll < 70)
        {
          g_autoptr(RelaisTicket) ticket = g_object_ref (current);
          gint64 id = relais_ticket_get_id (ticket);
          gboolean ok;

          if (relais_ticket_get_state (ticket) == RELAIS_TICKET_IN_CALL)
            ok = relais_queue_finish (queue, id, &error);
          else if (roll < 65)
            ok = relais_queue_start (queue, id, &error);
          else
            ok = relais_queue_mark_absent (queue, id, &error);

          if (!ok)
            die ("booth", error);
          acknowledge_state (ticket);
        }
      else if (waiting > 6 && roll < 80)
        {
          g_autoptr(RelaisTicket) ticket =
            g_object_ref (nth_waiting (queue, g_rand_int_range (rand, 0, waiting)));

          if (!relais_queue_cancel (queue, relais_ticket_get_id (ticket), &error))
            die ("cancel", error);
          acknowledge_state (ticket);
        }
      else
        {
          /* One step towards the front: a single swap with the waiting
           * neighbour, which is what the line reports. */
          guint index = g_rand_int_range (rand, 1, waiting);
          RelaisTicket *ticket = nth_waiting (queue, index);
          RelaisTicket *neighbour = nth_waiting (queue, index - 1);
          gint64 id = relais_ticket_get_id (ticket);
          gint64 neighbour_id = relais_ticket_get_id (neighbour);

          if (!relais_queue_move (queue, id, -1, &error))
            die ("move", error);
          acknowledge ("SWAP %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", id, neighbour_id);
        }
    }

  return 0;
}
