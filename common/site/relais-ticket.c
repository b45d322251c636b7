/* relais-ticket.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-ticket"

#include "relais-ticket.h"

struct _RelaisTicket
{
  GObject            parent_instance;

  gint64             id;
  char              *code;
  char              *service_id;
  char              *subservice_id;
  char              *person_name;
  char              *note;
  RelaisTicketState  state;
  gint64             position;
  gint64             created_at;
  gint64             called_at;
};

G_DEFINE_FINAL_TYPE (RelaisTicket, relais_ticket, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CODE,
  PROP_SERVICE_ID,
  PROP_SUBSERVICE_ID,
  PROP_PERSON_NAME,
  PROP_NOTE,
  PROP_STATE,
  PROP_POSITION,
  PROP_CREATED_AT,
  PROP_CALLED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Construct-only strings: no notification needed, they are set once. */
static void
set_string (char       **field,
            const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static void
relais_ticket_finalize (GObject *object)
{
  RelaisTicket *self = (RelaisTicket *)object;

  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->service_id, g_free);
  g_clear_pointer (&self->subservice_id, g_free);
  g_clear_pointer (&self->person_name, g_free);
  g_clear_pointer (&self->note, g_free);

  G_OBJECT_CLASS (relais_ticket_parent_class)->finalize (object);
}

static void
relais_ticket_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RelaisTicket *self = RELAIS_TICKET (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    case PROP_SERVICE_ID:
      g_value_set_string (value, self->service_id);
      break;
    case PROP_SUBSERVICE_ID:
      g_value_set_string (value, self->subservice_id);
      break;
    case PROP_PERSON_NAME:
      g_value_set_string (value, self->person_name);
      break;
    case PROP_NOTE:
      g_value_set_string (value, self->note);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_POSITION:
      g_value_set_int64 (value, self->position);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case PROP_CALLED_AT:
      g_value_set_int64 (value, self->called_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_ticket_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  RelaisTicket *self = RELAIS_TICKET (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_int64 (value);
      break;
    case PROP_CODE:
      set_string (&self->code, g_value_get_string (value));
      break;
    case PROP_SERVICE_ID:
      set_string (&self->service_id, g_value_get_string (value));
      break;
    case PROP_SUBSERVICE_ID:
      set_string (&self->subservice_id, g_value_get_string (value));
      break;
    case PROP_PERSON_NAME:
      set_string (&self->person_name, g_value_get_string (value));
      break;
    case PROP_NOTE:
      set_string (&self->note, g_value_get_string (value));
      break;
    case PROP_STATE:
      relais_ticket_set_state (self, g_value_get_enum (value));
      break;
    case PROP_POSITION:
      relais_ticket_set_position (self, g_value_get_int64 (value));
      break;
    case PROP_CREATED_AT:
      self->created_at = g_value_get_int64 (value);
      break;
    case PROP_CALLED_AT:
      relais_ticket_set_called_at (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_ticket_class_init (RelaisTicketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags construct_only = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                     G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags mutable = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                              G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = relais_ticket_finalize;
  object_class->get_property = relais_ticket_get_property;
  object_class->set_property = relais_ticket_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, construct_only);
  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL, construct_only);
  properties[PROP_SERVICE_ID] =
    g_param_spec_string ("service-id", NULL, NULL, NULL, construct_only);
  properties[PROP_SUBSERVICE_ID] =
    g_param_spec_string ("subservice-id", NULL, NULL, NULL, construct_only);
  /* Personal fields can only be erased after construction (see
   * relais_ticket_erase_personal()), never rewritten: read-only after
   * construction, but they do notify when erased. */
  properties[PROP_PERSON_NAME] =
    g_param_spec_string ("person-name", NULL, NULL, NULL, construct_only);
  properties[PROP_NOTE] =
    g_param_spec_string ("note", NULL, NULL, NULL, construct_only);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       RELAIS_TYPE_TICKET_STATE, RELAIS_TICKET_WAITING, mutable);
  properties[PROP_POSITION] =
    g_param_spec_int64 ("position", NULL, NULL, G_MININT64, G_MAXINT64, 0, mutable);
  properties[PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, construct_only);
  properties[PROP_CALLED_AT] =
    g_param_spec_int64 ("called-at", NULL, NULL, 0, G_MAXINT64, 0, mutable);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
relais_ticket_init (RelaisTicket *self)
{
  self->state = RELAIS_TICKET_WAITING;
}

gboolean
relais_ticket_state_is_final (RelaisTicketState state)
{
  return state == RELAIS_TICKET_DONE ||
         state == RELAIS_TICKET_ABSENT ||
         state == RELAIS_TICKET_CANCELLED;
}

/* The nick of the enum value: stable, ASCII, and what the store records as
 * an event outcome. */
const char *
relais_ticket_state_to_string (RelaisTicketState state)
{
  switch (state)
    {
    case RELAIS_TICKET_WAITING:
      return "waiting";
    case RELAIS_TICKET_CALLED:
      return "called";
    case RELAIS_TICKET_IN_CALL:
      return "in-call";
    case RELAIS_TICKET_DONE:
      return "done";
    case RELAIS_TICKET_ABSENT:
      return "absent";
    case RELAIS_TICKET_CANCELLED:
      return "cancelled";
    default:
      return "unknown";
    }
}

RelaisTicket *
relais_ticket_new (gint64             id,
                   const char        *code,
                   const char        *service_id,
                   const char        *subservice_id,
                   const char        *person_name,
                   const char        *note,
                   RelaisTicketState  state,
                   gint64             position,
                   gint64             created_at,
                   gint64             called_at)
{
  return g_object_new (RELAIS_TYPE_TICKET,
                       "id", id,
                       "code", code,
                       "service-id", service_id,
                       "subservice-id", subservice_id,
                       "person-name", person_name,
                       "note", note,
                       "state", state,
                       "position", position,
                       "created-at", created_at,
                       "called-at", called_at,
                       NULL);
}

gint64
relais_ticket_get_id (RelaisTicket *self)
{
  g_return_val_if_fail (RELAIS_IS_TICKET (self), 0);

  return self->id;
}

const char *
relais_ticket_get_code (RelaisTicket *self)
{
  g_return_val_if_fail (RELAIS_IS_TICKET (self), NULL);

  return self->code;
}

const char *
relais_ticket_get_service_id (RelaisTicket *self)
{
  g_return_val_if_fail (RELAIS_IS_TICKET (self), NULL);

  return self->service_id;
}

const char *
relais_ticket_get_subservice_id (RelaisTicket *self)
{
  g_return_val_if_fail (RELAIS_IS_TICKET (self), NULL);

  return self->subservice_id;
}

const char *
relais_ticket_get_person_name (RelaisTicket *self)
{
  g_return_val_if_fail (RELAIS_IS_TICKET (self), NULL);

  return self->person_name;
}

const char *
relais_ticket_get_note (RelaisTicket *self)
{
  g_return_val_if_fail (RELAIS_IS_TICKET (self), NULL);

  return self->note;
}

RelaisTicketState
relais_ticket_get_state (RelaisTicket *self)
{
  g_return_val_if_fail (RELAIS_IS_TICKET (self), RELAIS_TICKET_WAITING);

  return self->state;
}

gint64
relais_ticket_get_position (RelaisTicket *self)
{
  g_return_val_if_fail (RELAIS_IS_TICKET (self), 0);

  return self->position;
}

gint64
relais_ticket_get_created_at (RelaisTicket *self)
{
  g_return_val_if_fail (RELAIS_IS_TICKET (self), 0);

  return self->created_at;
}

gint64
relais_ticket_get_called_at (RelaisTicket *self)
{
  g_return_val_if_fail (RELAIS_IS_TICKET (self), 0);

  return self->called_at;
}

void
relais_ticket_set_state (RelaisTicket      *self,
                         RelaisTicketState  state)
{
  g_return_if_fail (RELAIS_IS_TICKET (self));
  g_return_if_fail (state >= RELAIS_TICKET_WAITING && state <= RELAIS_TICKET_CANCELLED);

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
relais_ticket_set_position (RelaisTicket *self,
                            gint64        position)
{
  g_return_if_fail (RELAIS_IS_TICKET (self));

  if (self->position == position)
    return;

  self->position = position;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

void
relais_ticket_set_called_at (RelaisTicket *self,
                             gint64        called_at)
{
  g_return_if_fail (RELAIS_IS_TICKET (self));

  if (self->called_at == called_at)
    return;

  self->called_at = called_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALLED_AT]);
}

/* Called once the store has erased the same fields: the copy in memory
 * must not outlive the one on disk. */
void
relais_ticket_erase_personal (RelaisTicket *self)
{
  g_return_if_fail (RELAIS_IS_TICKET (self));

  g_object_freeze_notify (G_OBJECT (self));

  if (self->person_name != NULL)
    {
      g_clear_pointer (&self->person_name, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSON_NAME]);
    }

  if (self->note != NULL)
    {
      g_clear_pointer (&self->note, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTE]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}
