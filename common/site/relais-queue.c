/* relais-queue.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-queue"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-error.h"
#include "relais-queue.h"

#define MAX_NAME_CHARS 64
#define MAX_NOTE_CHARS 200

struct _RelaisQueue
{
  GObject          parent_instance;

  RelaisStore     *store;
  /* Active tickets (waiting, called, in call) sorted by position. */
  GListStore      *tickets;

  RelaisClockFunc  clock;
  gpointer         clock_data;

  /* The turn rule's inputs; pass-over counts by ticket id (gint64 *). */
  RelaisTurnReadyFunc ready;
  gpointer            ready_data;
  RelaisTurnPolicy    policy;
  GHashTable         *passed_over;
};

static void relais_queue_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RelaisQueue, relais_queue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      relais_queue_initable_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gint64
real_clock (gpointer user_data)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gint64
queue_now (RelaisQueue *self)
{
  return self->clock (self->clock_data);
}

/* The day a ticket number belongs to: the kiosk's local date, since
 * numbering restarts when the access point opens in the morning. */
static char *
format_day (gint64 now)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (now);

  if (date == NULL)
    return g_strdup ("1970-01-01");

  return g_date_time_format (date, "%Y-%m-%d");
}

/* The start of @now's local day (Unix seconds). */
static gint64
local_day_start (gint64 now)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (now);
  g_autoptr(GDateTime) midnight = NULL;

  if (date == NULL)
    return now;

  midnight = g_date_time_new_local (g_date_time_get_year (date),
                                    g_date_time_get_month (date),
                                    g_date_time_get_day_of_month (date),
                                    0, 0, 0);

  return midnight != NULL ? g_date_time_to_unix (midnight) : now;
}

/* Replaces control characters (newlines and tabs included) by spaces and
 * trims: a name or a note is shown on one line of the agent desk and on a
 * printed ticket. NULL stays NULL, and text that ends up empty becomes
 * NULL. */
static gboolean
clean_text (const char  *text,
            guint        max_chars,
            const char  *too_long_message,
            char       **out,
            GError     **error)
{
  g_autoptr(GString) cleaned = NULL;

  *out = NULL;

  if (text == NULL)
    return TRUE;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_QUEUE,
                           _("Le texte saisi contient des caractères illisibles."));
      return FALSE;
    }

  cleaned = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (cleaned, ' ');
      else
        g_string_append_unichar (cleaned, c);
    }

  g_strstrip (cleaned->str);
  g_string_set_size (cleaned, strlen (cleaned->str));

  if (g_utf8_strlen (cleaned->str, -1) > max_chars)
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_QUEUE, too_long_message);
      return FALSE;
    }

  if (cleaned->len > 0)
    *out = g_string_free (g_steal_pointer (&cleaned), FALSE);

  return TRUE;
}

static gboolean
find_position (RelaisQueue *self,
               gint64       ticket_id,
               guint       *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tickets));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RelaisTicket) ticket = g_list_model_get_item (G_LIST_MODEL (self->tickets), i);

      if (relais_ticket_get_id (ticket) == ticket_id)
        {
          *position = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* Looks up an active ticket for an operation, or says why it cannot. */
static RelaisTicket *
lookup_active (RelaisQueue  *self,
               gint64        ticket_id,
               guint        *position,
               GError      **error)
{
  RelaisTicket *ticket;
  guint index;

  if (!find_position (self, ticket_id, &index))
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_QUEUE,
                           _("Ce ticket n'est plus dans la file d'attente."));
      return NULL;
    }

  if (position != NULL)
    *position = index;

  ticket = g_list_model_get_item (G_LIST_MODEL (self->tickets), index);
  g_object_unref (ticket);

  return ticket;
}

static gboolean
check_booth_free (RelaisQueue  *self,
                  GError      **error)
{
  RelaisTicket *current = relais_queue_get_current (self);

  if (current != NULL)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_QUEUE,
                   _("La cabine est déjà occupée par le ticket %s."),
                   relais_ticket_get_code (current));
      return FALSE;
    }

  return TRUE;
}

/* The waiting tickets as the turn rule sees them. The candidates borrow
 * the tickets' strings: @tickets (which holds references) must outlive
 * them. */
static GArray *
collect_candidates (RelaisQueue  *self,
                    GPtrArray   **tickets)
{
  GListModel *model = G_LIST_MODEL (self->tickets);
  guint n = g_list_model_get_n_items (model);
  GArray *candidates = g_array_new (FALSE, TRUE, sizeof (RelaisTurnCandidate));

  *tickets = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      RelaisTicket *ticket = g_list_model_get_item (model, i);
      RelaisTurnCandidate candidate = { 0 };

      if (relais_ticket_get_state (ticket) != RELAIS_TICKET_WAITING)
        {
          g_object_unref (ticket);
          continue;
        }

      candidate.ticket_id = relais_ticket_get_id (ticket);
      candidate.service_id = relais_ticket_get_service_id (ticket);
      candidate.subservice_id = relais_ticket_get_subservice_id (ticket);
      candidate.position = relais_ticket_get_position (ticket);
      candidate.created_at = relais_ticket_get_created_at (ticket);
      candidate.passed_over = relais_queue_get_passed_over (self, candidate.ticket_id);
      g_array_append_val (candidates, candidate);
      g_ptr_array_add (*tickets, ticket);
    }

  return candidates;
}

/* @called has just been called: everybody still waiting ahead of it in
 * the agent's order was passed over, whoever chose (the rule or the agent
 * calling out of turn). */
static void
count_pass_overs (RelaisQueue  *self,
                  RelaisTicket *called)
{
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GArray) candidates = collect_candidates (self, &tickets);
  g_autoptr(GArray) passed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  RelaisTurnCandidate chosen = {
    .ticket_id = relais_ticket_get_id (called),
    .position = relais_ticket_get_position (called),
  };

  for (guint i = 0; i < candidates->len; i++)
    {
      RelaisTurnCandidate *candidate = &g_array_index (candidates, RelaisTurnCandidate, i);

      if (relais_turn_passes_over (&chosen, candidate))
        {
          gint64 *key = g_new (gint64, 1);

          *key = candidate->ticket_id;
          g_hash_table_replace (self->passed_over, key,
                                GUINT_TO_POINTER (candidate->passed_over + 1));
          g_array_append_val (passed, candidate->ticket_id);
        }
    }

  /* The call is made and stored already: a count not stored only lets
   * the limit come one pass later after a restart. */
  if (!relais_store_add_pass_overs (self->store, (const gint64 *) (gpointer) passed->data,
                                    passed->len, &error))
    g_warning ("Pass-overs not stored: %s", error->message);
}

/* Writes a state to the store, then mirrors it on the ticket object and in
 * the model: the model never shows what the disk does not hold. */
static gboolean
change_state (RelaisQueue        *self,
              RelaisTicket       *ticket,
              guint               position,
              RelaisTicketState   state,
              GError            **error)
{
  gint64 now = queue_now (self);

  if (!relais_store_set_ticket_state (self->store, relais_ticket_get_id (ticket),
                                      state, now, error))
    return FALSE;

  /* The model may hold the only reference: g_list_store_remove() below
   * must not finalize the ticket before its notifications are thawed. */
  g_object_ref (ticket);
  g_object_freeze_notify (G_OBJECT (ticket));

  if (state == RELAIS_TICKET_CALLED)
    relais_ticket_set_called_at (ticket, now);
  relais_ticket_set_state (ticket, state);
  /* Only waiting tickets are passed over, and none ever waits again. */
  g_hash_table_remove (self->passed_over, &(gint64){ relais_ticket_get_id (ticket) });

  if (relais_ticket_state_is_final (state))
    {
      relais_ticket_erase_personal (ticket);
      g_list_store_remove (self->tickets, position);
    }

  g_object_thaw_notify (G_OBJECT (ticket));
  g_object_unref (ticket);

  return TRUE;
}

/* Fails with @format (taking the ticket code) unless @allowed. */
static gboolean require_state (RelaisTicket  *ticket,
                               gboolean       allowed,
                               GError       **error,
                               const char    *format,
                               ...) G_GNUC_PRINTF (4, 5);

static gboolean
require_state (RelaisTicket  *ticket,
               gboolean       allowed,
               GError       **error,
               const char    *format,
               ...)
{
  va_list args;

  if (allowed)
    return TRUE;

  if (error != NULL)
    {
      g_assert (*error == NULL);
      va_start (args, format);
      *error = g_error_new_valist (RELAIS_ERROR, RELAIS_ERROR_QUEUE, format, args);
      va_end (args);
    }

  return FALSE;
}

static gboolean
relais_queue_initable_init (GInitable     *initable,
                            GCancellable  *cancellable,
                            GError       **error)
{
  RelaisQueue *self = RELAIS_QUEUE (initable);
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GHashTable) pass_overs = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self->store), FALSE);

  /* Except for the tickets of a previous day, ended by nobody (the kiosk
   * was off at closing time, or crashed): their people have gone, their
   * names must not stay, their codes are given again today. */
  if (relais_store_expire_tickets (self->store, local_day_start (queue_now (self)),
                                   queue_now (self), error) < 0)
    return FALSE;

  /* A restart must show exactly the queue of before, including a ticket
   * left called or in call by a crash: the agent decides what to do with
   * it, the queue does not guess. */
  if (!(tickets = relais_store_list_active_tickets (self->store, error)))
    return FALSE;
  /* And how often each waiting ticket was passed over: the turn rule's
   * limit holds across the restart. */
  if (!(pass_overs = relais_store_list_pass_overs (self->store, error)))
    return FALSE;
  g_hash_table_unref (self->passed_over);
  self->passed_over = g_steal_pointer (&pass_overs);

  g_list_store_splice (self->tickets, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->tickets)),
                       tickets->pdata, tickets->len);

  return TRUE;
}

static void
relais_queue_initable_iface_init (GInitableIface *iface)
{
  iface->init = relais_queue_initable_init;
}

static void
relais_queue_dispose (GObject *object)
{
  RelaisQueue *self = (RelaisQueue *)object;

  g_clear_object (&self->store);

  G_OBJECT_CLASS (relais_queue_parent_class)->dispose (object);
}

static void
relais_queue_finalize (GObject *object)
{
  RelaisQueue *self = (RelaisQueue *)object;

  g_clear_object (&self->tickets);
  g_clear_pointer (&self->passed_over, g_hash_table_unref);

  G_OBJECT_CLASS (relais_queue_parent_class)->finalize (object);
}

static void
relais_queue_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RelaisQueue *self = RELAIS_QUEUE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_MODEL:
      g_value_set_object (value, self->tickets);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_queue_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  RelaisQueue *self = RELAIS_QUEUE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_queue_class_init (RelaisQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_queue_dispose;
  object_class->finalize = relais_queue_finalize;
  object_class->get_property = relais_queue_get_property;
  object_class->set_property = relais_queue_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, RELAIS_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
relais_queue_init (RelaisQueue *self)
{
  self->tickets = g_list_store_new (RELAIS_TYPE_TICKET);
  self->clock = real_clock;
  self->passed_over = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  relais_turn_policy_init_default (&self->policy);
}

RelaisQueue *
relais_queue_new (RelaisStore  *store,
                  GError      **error)
{
  return relais_queue_new_with_clock (store, NULL, NULL, error);
}

RelaisQueue *
relais_queue_new_with_clock (RelaisStore      *store,
                             RelaisClockFunc   clock,
                             gpointer          user_data,
                             GError          **error)
{
  g_autoptr(RelaisQueue) self = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (RELAIS_TYPE_QUEUE, "store", store, NULL);
  relais_queue_set_clock (self, clock, user_data);
  if (!g_initable_init (G_INITABLE (self), NULL, error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
relais_queue_expire_before (RelaisQueue  *self,
                            gint64        day_start,
                            GError      **error)
{
  guint n;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (relais_store_expire_tickets (self->store, day_start, queue_now (self), error) < 0)
    return FALSE;

  /* The model mirrors what the store just did: the same tickets. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->tickets));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(RelaisTicket) ticket = g_list_model_get_item (G_LIST_MODEL (self->tickets), i - 1);

      if (relais_ticket_get_created_at (ticket) >= day_start)
        continue;

      g_object_freeze_notify (G_OBJECT (ticket));
      relais_ticket_set_state (ticket, RELAIS_TICKET_CANCELLED);
      relais_ticket_erase_personal (ticket);
      g_hash_table_remove (self->passed_over, &(gint64){ relais_ticket_get_id (ticket) });
      g_list_store_remove (self->tickets, i - 1);
      g_object_thaw_notify (G_OBJECT (ticket));
    }

  return TRUE;
}

/* Returns: (transfer none) */
GListModel *
relais_queue_get_model (RelaisQueue *self)
{
  g_return_val_if_fail (RELAIS_IS_QUEUE (self), NULL);

  return G_LIST_MODEL (self->tickets);
}

/* Returns: (transfer none) */
RelaisStore *
relais_queue_get_store (RelaisQueue *self)
{
  g_return_val_if_fail (RELAIS_IS_QUEUE (self), NULL);

  return self->store;
}

/* A NULL @clock restores the wall clock. */
void
relais_queue_set_clock (RelaisQueue     *self,
                        RelaisClockFunc  clock,
                        gpointer         user_data)
{
  g_return_if_fail (RELAIS_IS_QUEUE (self));

  self->clock = clock != NULL ? clock : real_clock;
  self->clock_data = clock != NULL ? user_data : NULL;
}

/* Returns: (transfer full): the new waiting ticket, also in the model. */
RelaisTicket *
relais_queue_add (RelaisQueue  *self,
                  char          letter,
                  const char   *service_id,
                  const char   *subservice_id,
                  const char   *person_name,
                  const char   *note,
                  GError      **error)
{
  g_autoptr(RelaisTicket) ticket = NULL;
  g_autofree char *name = NULL;
  g_autofree char *clean_note = NULL;
  g_autofree char *day = NULL;
  gint64 now;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (letter < 'A' || letter > 'Z')
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_QUEUE,
                           _("La lettre du ticket doit être une majuscule de A à Z."));
      return NULL;
    }

  if (service_id == NULL || *service_id == '\0')
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_QUEUE,
                           _("Choisissez d'abord un service."));
      return NULL;
    }

  if (subservice_id == NULL || *subservice_id == '\0')
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_QUEUE,
                           _("Choisissez d'abord une démarche dans le service."));
      return NULL;
    }

  if (!clean_text (person_name, MAX_NAME_CHARS,
                   _("Le nom ne doit pas dépasser 64 caractères."), &name, error) ||
      !clean_text (note, MAX_NOTE_CHARS,
                   _("La note ne doit pas dépasser 200 caractères."), &clean_note, error))
    return NULL;

  now = queue_now (self);
  day = format_day (now);

  ticket = relais_store_add_ticket (self->store, day, letter, service_id, subservice_id,
                                    name, clean_note, now, error);
  if (ticket == NULL)
    return NULL;

  /* The store gives new tickets the largest position: they go last. */
  g_list_store_append (self->tickets, ticket);

  return g_steal_pointer (&ticket);
}

/* Returns: (transfer none) (nullable): the active ticket with @ticket_id. */
RelaisTicket *
relais_queue_find (RelaisQueue *self,
                   gint64       ticket_id)
{
  guint position;
  RelaisTicket *ticket;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), NULL);

  if (!find_position (self, ticket_id, &position))
    return NULL;

  /* The model holds a reference for as long as the ticket is active. */
  ticket = g_list_model_get_item (G_LIST_MODEL (self->tickets), position);
  g_object_unref (ticket);

  return ticket;
}

/* Returns: (transfer none) (nullable) */
RelaisTicket *
relais_queue_get_current (RelaisQueue *self)
{
  guint n;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tickets));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RelaisTicket) ticket = g_list_model_get_item (G_LIST_MODEL (self->tickets), i);
      RelaisTicketState state = relais_ticket_get_state (ticket);

      if (state == RELAIS_TICKET_CALLED || state == RELAIS_TICKET_IN_CALL)
        return relais_queue_find (self, relais_ticket_get_id (ticket));
    }

  return NULL;
}

guint
relais_queue_count_waiting (RelaisQueue *self)
{
  guint n;
  guint waiting = 0;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), 0);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tickets));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RelaisTicket) ticket = g_list_model_get_item (G_LIST_MODEL (self->tickets), i);

      if (relais_ticket_get_state (ticket) == RELAIS_TICKET_WAITING)
        waiting++;
    }

  return waiting;
}

guint
relais_queue_get_waiting_position (RelaisQueue  *self,
                                   RelaisTicket *ticket)
{
  guint n;
  guint rank = 0;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), 0);
  g_return_val_if_fail (RELAIS_IS_TICKET (ticket), 0);

  if (relais_ticket_get_state (ticket) != RELAIS_TICKET_WAITING)
    return 0;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tickets));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RelaisTicket) item = g_list_model_get_item (G_LIST_MODEL (self->tickets), i);

      if (relais_ticket_get_state (item) != RELAIS_TICKET_WAITING)
        continue;

      rank++;
      if (relais_ticket_get_id (item) == relais_ticket_get_id (ticket))
        return rank;
    }

  return 0;
}

void
relais_queue_set_turn_rule (RelaisQueue            *self,
                            RelaisTurnReadyFunc     ready,
                            gpointer                user_data,
                            const RelaisTurnPolicy *policy)
{
  g_return_if_fail (RELAIS_IS_QUEUE (self));

  self->ready = ready;
  self->ready_data = ready != NULL ? user_data : NULL;
  if (policy != NULL)
    self->policy = *policy;
  else
    relais_turn_policy_init_default (&self->policy);
}

guint
relais_queue_get_passed_over (RelaisQueue *self,
                              gint64       ticket_id)
{
  g_return_val_if_fail (RELAIS_IS_QUEUE (self), 0);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->passed_over, &ticket_id));
}

/* Returns: (transfer full) (element-type RelaisTicket) */
GPtrArray *
relais_queue_list_turn_order (RelaisQueue *self)
{
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GArray) candidates = NULL;
  g_autofree guint *order = NULL;
  GPtrArray *ordered;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), NULL);

  candidates = collect_candidates (self, &tickets);
  order = g_new (guint, MAX (candidates->len, 1));
  relais_turn_predict_order ((RelaisTurnCandidate *)(gpointer)candidates->data, candidates->len,
                             self->ready, self->ready_data, queue_now (self),
                             &self->policy, order);

  ordered = g_ptr_array_new_full (candidates->len, g_object_unref);
  for (guint i = 0; i < candidates->len; i++)
    g_ptr_array_add (ordered, g_object_ref (g_ptr_array_index (tickets, order[i])));

  return ordered;
}

/* Returns: (transfer none): the called ticket, now the current one; the
 * model holds it until it ends. */
RelaisTicket *
relais_queue_call_next (RelaisQueue  *self,
                        GError      **error)
{
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GArray) candidates = NULL;
  RelaisTurnReason reason;
  RelaisTicket *ticket;
  guint position;
  int chosen;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_booth_free (self, error))
    return NULL;

  candidates = collect_candidates (self, &tickets);
  chosen = relais_turn_choose ((RelaisTurnCandidate *)(gpointer)candidates->data, candidates->len,
                               self->ready, self->ready_data, queue_now (self),
                               &self->policy, &reason);
  if (chosen < 0)
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_QUEUE,
                           _("Personne n'attend."));
      return NULL;
    }

  ticket = g_ptr_array_index (tickets, chosen);
  if (!find_position (self, relais_ticket_get_id (ticket), &position))
    g_return_val_if_reached (NULL);  /* collected from the model just now */

  if (!change_state (self, ticket, position, RELAIS_TICKET_CALLED, error))
    return NULL;

  g_debug ("Called ticket %" G_GINT64_FORMAT " (turn rule: %d)",
           relais_ticket_get_id (ticket), reason);
  count_pass_overs (self, ticket);

  return relais_queue_get_current (self);
}

gboolean
relais_queue_call (RelaisQueue  *self,
                   gint64        ticket_id,
                   GError      **error)
{
  RelaisTicket *ticket;
  guint position;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(ticket = lookup_active (self, ticket_id, &position, error)))
    return FALSE;

  if (!require_state (ticket, relais_ticket_get_state (ticket) == RELAIS_TICKET_WAITING, error,
                      _("Le ticket %s n'est pas en attente."),
                      relais_ticket_get_code (ticket)) ||
      !check_booth_free (self, error))
    return FALSE;

  if (!change_state (self, ticket, position, RELAIS_TICKET_CALLED, error))
    return FALSE;

  count_pass_overs (self, ticket);
  return TRUE;
}

gboolean
relais_queue_start (RelaisQueue  *self,
                    gint64        ticket_id,
                    GError      **error)
{
  RelaisTicket *ticket;
  guint position;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(ticket = lookup_active (self, ticket_id, &position, error)))
    return FALSE;

  if (!require_state (ticket, relais_ticket_get_state (ticket) == RELAIS_TICKET_CALLED, error,
                      _("Le ticket %s n'a pas été appelé."),
                      relais_ticket_get_code (ticket)))
    return FALSE;

  return change_state (self, ticket, position, RELAIS_TICKET_IN_CALL, error);
}

gboolean
relais_queue_finish (RelaisQueue  *self,
                     gint64        ticket_id,
                     GError      **error)
{
  RelaisTicket *ticket;
  RelaisTicketState state;
  guint position;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(ticket = lookup_active (self, ticket_id, &position, error)))
    return FALSE;

  state = relais_ticket_get_state (ticket);
  if (!require_state (ticket,
                      state == RELAIS_TICKET_IN_CALL || state == RELAIS_TICKET_CALLED, error,
                      _("Le ticket %s n'est pas en cabine."),
                      relais_ticket_get_code (ticket)))
    return FALSE;

  return change_state (self, ticket, position, RELAIS_TICKET_DONE, error);
}

static gboolean
leave_queue (RelaisQueue        *self,
             gint64              ticket_id,
             RelaisTicketState   state,
             GError            **error)
{
  RelaisTicket *ticket;
  RelaisTicketState current;
  guint position;

  if (!(ticket = lookup_active (self, ticket_id, &position, error)))
    return FALSE;

  /* Once the person is in the booth, only finishing the call ends it. */
  current = relais_ticket_get_state (ticket);
  if (!require_state (ticket,
                      current == RELAIS_TICKET_WAITING || current == RELAIS_TICKET_CALLED, error,
                      _("Le ticket %s est en cabine : terminez d'abord l'appel."),
                      relais_ticket_get_code (ticket)))
    return FALSE;

  return change_state (self, ticket, position, state, error);
}

gboolean
relais_queue_mark_absent (RelaisQueue  *self,
                          gint64        ticket_id,
                          GError      **error)
{
  g_return_val_if_fail (RELAIS_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return leave_queue (self, ticket_id, RELAIS_TICKET_ABSENT, error);
}

gboolean
relais_queue_cancel (RelaisQueue  *self,
                     gint64        ticket_id,
                     GError      **error)
{
  g_return_val_if_fail (RELAIS_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return leave_queue (self, ticket_id, RELAIS_TICKET_CANCELLED, error);
}

/* Exchanges the model items at @i < @j, whose positions the store has
 * just swapped, with a single items-changed. */
static void
swap_items (RelaisQueue *self,
            guint        i,
            guint        j)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  RelaisTicket *first;
  RelaisTicket *last;
  gint64 first_position;

  for (guint k = i; k <= j; k++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (self->tickets), k));

  first = g_ptr_array_index (items, 0);
  last = g_ptr_array_index (items, items->len - 1);
  first_position = relais_ticket_get_position (first);
  relais_ticket_set_position (first, relais_ticket_get_position (last));
  relais_ticket_set_position (last, first_position);

  items->pdata[0] = last;
  items->pdata[items->len - 1] = first;

  g_list_store_splice (self->tickets, i, items->len, items->pdata, items->len);
}

/* Moving a ticket n places is n swaps with its waiting neighbour, each its
 * own transaction: a crash in the middle leaves a ticket moved less far,
 * never a queue out of order. Called and in-call tickets keep their place
 * (they are not really in the line any more). Moving past either end
 * stops there and is not an error. */
gboolean
relais_queue_move (RelaisQueue  *self,
                   gint64        ticket_id,
                   int           delta,
                   GError      **error)
{
  RelaisTicket *ticket;
  guint position;
  int step;

  g_return_val_if_fail (RELAIS_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(ticket = lookup_active (self, ticket_id, &position, error)))
    return FALSE;

  if (!require_state (ticket, relais_ticket_get_state (ticket) == RELAIS_TICKET_WAITING, error,
                      _("Le ticket %s n'est plus en attente : il ne peut pas être déplacé."),
                      relais_ticket_get_code (ticket)))
    return FALSE;

  step = delta < 0 ? -1 : 1;

  for (; delta != 0; delta -= step)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tickets));
      g_autoptr(RelaisTicket) neighbour = NULL;
      gint64 neighbour_index = (gint64)position + step;

      /* The nearest waiting ticket in the direction of the move. */
      for (; neighbour_index >= 0 && neighbour_index < n; neighbour_index += step)
        {
          g_autoptr(RelaisTicket) item =
            g_list_model_get_item (G_LIST_MODEL (self->tickets), neighbour_index);

          if (relais_ticket_get_state (item) == RELAIS_TICKET_WAITING)
            {
              neighbour = g_steal_pointer (&item);
              break;
            }
        }

      if (neighbour == NULL)
        break;

      if (!relais_store_swap_positions (self->store,
                                        ticket_id, relais_ticket_get_id (neighbour),
                                        error))
        return FALSE;

      swap_items (self, MIN (position, (guint)neighbour_index),
                  MAX (position, (guint)neighbour_index));
      position = neighbour_index;
    }

  return TRUE;
}
