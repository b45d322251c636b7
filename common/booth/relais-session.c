/* relais-session.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-session"

#include "config.h"

#include "relais-error.h"
#include "relais-session.h"

/* A target of REST means "where the screen rests when no agent is at the
 * desk": it depends on the ticket holding the booth. */
#define REST ((RelaisSessionState) -1)

typedef struct
{
  RelaisSessionState from;
  RelaisSessionEvent event;
  RelaisSessionState to;
} Transition;

static const Transition transitions[] = {
  { RELAIS_SESSION_ATTRACT,    RELAIS_SESSION_EVENT_AGENT_REQUEST,   RELAIS_SESSION_UNLOCKING },
  { RELAIS_SESSION_YOUR_TURN,  RELAIS_SESSION_EVENT_AGENT_REQUEST,   RELAIS_SESSION_UNLOCKING },
  { RELAIS_SESSION_PRECALL,    RELAIS_SESSION_EVENT_AGENT_REQUEST,   RELAIS_SESSION_UNLOCKING },
  { RELAIS_SESSION_IN_CALL,    RELAIS_SESSION_EVENT_AGENT_REQUEST,   RELAIS_SESSION_UNLOCKING },
  { RELAIS_SESSION_CALL_ENDED, RELAIS_SESSION_EVENT_AGENT_REQUEST,   RELAIS_SESSION_UNLOCKING },
  { RELAIS_SESSION_UNLOCKING,  RELAIS_SESSION_EVENT_UNLOCKED,        RELAIS_SESSION_DESK },
  { RELAIS_SESSION_UNLOCKING,  RELAIS_SESSION_EVENT_LOCK,            REST },
  { RELAIS_SESSION_DESK,       RELAIS_SESSION_EVENT_LOCK,            REST },
  /* Calling a ticket hands the screen to the person: the desk locks. */
  { RELAIS_SESSION_DESK,       RELAIS_SESSION_EVENT_TICKET_CALLED,   RELAIS_SESSION_YOUR_TURN },
  { RELAIS_SESSION_YOUR_TURN,  RELAIS_SESSION_EVENT_PERSON_PRESENT,  RELAIS_SESSION_PRECALL },
  { RELAIS_SESSION_PRECALL,    RELAIS_SESSION_EVENT_START_CALL,      RELAIS_SESSION_IN_CALL },
  { RELAIS_SESSION_IN_CALL,    RELAIS_SESSION_EVENT_CALL_OVER,       RELAIS_SESSION_CALL_ENDED },
  /* "Terminer" after the call leads to the satisfaction survey; "Annuler"
   * during the check and "Revenir à l'accueil" when the call failed end
   * without one (there was no call to judge). */
  { RELAIS_SESSION_PRECALL,    RELAIS_SESSION_EVENT_SESSION_ENDED,   RELAIS_SESSION_ATTRACT },
  { RELAIS_SESSION_IN_CALL,    RELAIS_SESSION_EVENT_SESSION_ENDED,   RELAIS_SESSION_ATTRACT },
  { RELAIS_SESSION_CALL_ENDED, RELAIS_SESSION_EVENT_SESSION_ENDED,   RELAIS_SESSION_SURVEY },
  /* The ticket is already ended (and wiped) in SURVEY: a tap on a face,
   * or 30 s without one, returns to the attract screen. The agent may
   * still open the desk; the survey is then left unanswered. */
  { RELAIS_SESSION_SURVEY,     RELAIS_SESSION_EVENT_SURVEY_DONE,     RELAIS_SESSION_ATTRACT },
  { RELAIS_SESSION_SURVEY,     RELAIS_SESSION_EVENT_AGENT_REQUEST,   RELAIS_SESSION_UNLOCKING },
  /* The agent may end a session or release the booth from the desk; the
   * desk stays open. */
  { RELAIS_SESSION_DESK,       RELAIS_SESSION_EVENT_SESSION_ENDED,   RELAIS_SESSION_DESK },
  { RELAIS_SESSION_DESK,       RELAIS_SESSION_EVENT_TICKET_RELEASED, RELAIS_SESSION_DESK },
};

struct _RelaisSession
{
  GObject             parent_instance;

  RelaisQueue        *queue;
  RelaisSessionState  state;
  RelaisSessionState  phase;  /* PRECALL, IN_CALL or CALL_ENDED */
};

G_DEFINE_FINAL_TYPE (RelaisSession, relais_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
relais_session_state_to_string (RelaisSessionState state)
{
  GEnumClass *klass = g_type_class_ref (RELAIS_TYPE_SESSION_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  g_type_class_unref (klass);

  return value ? value->value_nick : "invalid";
}

const char *
relais_session_event_to_string (RelaisSessionEvent event)
{
  switch (event)
    {
    case RELAIS_SESSION_EVENT_AGENT_REQUEST: return "agent-request";
    case RELAIS_SESSION_EVENT_UNLOCKED: return "unlocked";
    case RELAIS_SESSION_EVENT_LOCK: return "lock";
    case RELAIS_SESSION_EVENT_TICKET_CALLED: return "ticket-called";
    case RELAIS_SESSION_EVENT_PERSON_PRESENT: return "person-present";
    case RELAIS_SESSION_EVENT_SESSION_ENDED: return "session-ended";
    case RELAIS_SESSION_EVENT_TICKET_RELEASED: return "ticket-released";
    case RELAIS_SESSION_EVENT_START_CALL: return "start-call";
    case RELAIS_SESSION_EVENT_CALL_OVER: return "call-over";
    case RELAIS_SESSION_EVENT_SURVEY_DONE: return "survey-done";
    default: return "invalid";
    }
}

static RelaisSessionState
rest_state (RelaisSession *self)
{
  RelaisTicket *current = relais_queue_get_current (self->queue);

  if (current == NULL)
    return RELAIS_SESSION_ATTRACT;

  if (relais_ticket_get_state (current) == RELAIS_TICKET_IN_CALL)
    return self->phase;

  return RELAIS_SESSION_YOUR_TURN;
}

static gboolean
is_phase (RelaisSessionState state)
{
  return state == RELAIS_SESSION_PRECALL
         || state == RELAIS_SESSION_IN_CALL
         || state == RELAIS_SESSION_CALL_ENDED;
}

static const Transition *
find_transition (RelaisSessionState from,
                 RelaisSessionEvent event)
{
  for (guint i = 0; i < G_N_ELEMENTS (transitions); i++)
    {
      if (transitions[i].from == from && transitions[i].event == event)
        return &transitions[i];
    }

  return NULL;
}

static void
relais_session_dispose (GObject *object)
{
  RelaisSession *self = (RelaisSession *)object;

  g_clear_object (&self->queue);

  G_OBJECT_CLASS (relais_session_parent_class)->dispose (object);
}

static void
relais_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RelaisSession *self = RELAIS_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_session_class_init (RelaisSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_session_dispose;
  object_class->get_property = relais_session_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       RELAIS_TYPE_SESSION_STATE,
                       RELAIS_SESSION_ATTRACT,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
relais_session_init (RelaisSession *self)
{
  self->state = RELAIS_SESSION_ATTRACT;
  self->phase = RELAIS_SESSION_PRECALL;
}

RelaisSession *
relais_session_new (RelaisQueue *queue)
{
  RelaisSession *self;

  g_return_val_if_fail (RELAIS_IS_QUEUE (queue), NULL);

  self = g_object_new (RELAIS_TYPE_SESSION, NULL);
  self->queue = g_object_ref (queue);
  self->state = rest_state (self);

  return self;
}

RelaisSessionState
relais_session_get_state (RelaisSession *self)
{
  g_return_val_if_fail (RELAIS_IS_SESSION (self), RELAIS_SESSION_ATTRACT);

  return self->state;
}

gboolean
relais_session_is_unlocked (RelaisSession *self)
{
  g_return_val_if_fail (RELAIS_IS_SESSION (self), FALSE);

  return self->state == RELAIS_SESSION_DESK;
}

RelaisSessionState
relais_session_get_phase (RelaisSession *self)
{
  g_return_val_if_fail (RELAIS_IS_SESSION (self), RELAIS_SESSION_PRECALL);

  return self->phase;
}

gboolean
relais_session_can_handle (RelaisSession      *self,
                           RelaisSessionEvent  event)
{
  g_return_val_if_fail (RELAIS_IS_SESSION (self), FALSE);

  return find_transition (self->state, event) != NULL;
}

gboolean
relais_session_handle (RelaisSession       *self,
                       RelaisSessionEvent   event,
                       GError             **error)
{
  const Transition *transition;
  RelaisSessionState to;

  g_return_val_if_fail (RELAIS_IS_SESSION (self), FALSE);

  transition = find_transition (self->state, event);
  if (transition == NULL)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   "No transition from %s on %s",
                   relais_session_state_to_string (self->state),
                   relais_session_event_to_string (event));
      return FALSE;
    }

  to = transition->to == REST ? rest_state (self) : transition->to;

  g_debug ("%s --%s--> %s",
           relais_session_state_to_string (self->state),
           relais_session_event_to_string (event),
           relais_session_state_to_string (to));

  /* The phase follows the person: it changes with the states they go
   * through, and starts over when their session is gone or someone else
   * is called. */
  if (is_phase (to))
    self->phase = to;
  else if (event == RELAIS_SESSION_EVENT_SESSION_ENDED
           || event == RELAIS_SESSION_EVENT_TICKET_RELEASED
           || event == RELAIS_SESSION_EVENT_TICKET_CALLED)
    self->phase = RELAIS_SESSION_PRECALL;

  if (to != self->state)
    {
      self->state = to;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }

  return TRUE;
}
