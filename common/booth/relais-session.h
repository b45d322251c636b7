/* relais-session.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "relais-queue.h"

#include "relais-session-enums.h"

G_BEGIN_DECLS

/* What the kiosk screen is doing. One state at a time; every change goes
 * through relais_session_handle() and the transition table in
 * relais-session.c, so there are no scattered flags to disagree. */
typedef enum
{
  RELAIS_SESSION_ATTRACT,     /* queue board, nobody at the booth */
  RELAIS_SESSION_UNLOCKING,   /* PIN pad for the agent */
  RELAIS_SESSION_DESK,        /* agent desk, unlocked */
  RELAIS_SESSION_YOUR_TURN,   /* a ticket was called: "it is your turn" */
  RELAIS_SESSION_PRECALL,     /* the person is at the booth: pre-call check */
  RELAIS_SESSION_IN_CALL,     /* talking with the advisor */
  RELAIS_SESSION_CALL_ENDED,  /* the call is over: thanks, then "Terminer" */
  RELAIS_SESSION_SURVEY,      /* the session is over: five faces, one tap or 30 s */
} RelaisSessionState;

typedef enum /*< skip >*/
{
  RELAIS_SESSION_EVENT_AGENT_REQUEST,   /* someone tapped "agent space" */
  RELAIS_SESSION_EVENT_UNLOCKED,        /* the PIN was right */
  RELAIS_SESSION_EVENT_LOCK,            /* lock button, idle time-out, PIN cancelled */
  RELAIS_SESSION_EVENT_TICKET_CALLED,   /* the agent called a ticket */
  RELAIS_SESSION_EVENT_PERSON_PRESENT,  /* the called person is at the booth */
  RELAIS_SESSION_EVENT_SESSION_ENDED,   /* the person's session is over */
  RELAIS_SESSION_EVENT_TICKET_RELEASED, /* the booth's ticket went absent/cancelled */
  RELAIS_SESSION_EVENT_START_CALL,      /* the person pressed "Commencer l'appel" */
  RELAIS_SESSION_EVENT_CALL_OVER,       /* hung up, by either side, or the call is gone */
  RELAIS_SESSION_EVENT_SURVEY_DONE,     /* a face was tapped, or nobody did in time */
} RelaisSessionEvent;

const char  *relais_session_state_to_string (RelaisSessionState state);
const char  *relais_session_event_to_string (RelaisSessionEvent event);

#define RELAIS_TYPE_SESSION (relais_session_get_type ())
G_DECLARE_FINAL_TYPE (RelaisSession, relais_session, RELAIS, SESSION, GObject)

/* Starts in the state the queue implies: a ticket already called (after a
 * crash, say) brings the kiosk back to "your turn", one in a call to the
 * pre-call check (the call itself did not survive), else the attract
 * screen.
 *
 * While a person is at the booth the session remembers their phase
 * (PRECALL, IN_CALL or CALL_ENDED: the last of those states entered), so
 * that the agent leaving the desk returns the screen to where the person
 * was. The phase goes back to PRECALL when the session ends, the ticket
 * is released or another ticket is called. */
RelaisSession      *relais_session_new         (RelaisQueue         *queue);
RelaisSessionState  relais_session_get_state   (RelaisSession       *self);
gboolean            relais_session_is_unlocked (RelaisSession       *self);
/* PRECALL, IN_CALL or CALL_ENDED: where the person at the booth is, even
 * while the agent has the screen. */
RelaisSessionState  relais_session_get_phase   (RelaisSession       *self);
/* Whether @event is allowed in the current state. */
gboolean            relais_session_can_handle  (RelaisSession       *self,
                                                RelaisSessionEvent   event);
/* Moves to the next state, or fails with RELAIS_ERROR_FAILED when the
 * table has no such transition (the state is then unchanged). */
gboolean            relais_session_handle      (RelaisSession       *self,
                                                RelaisSessionEvent   event,
                                                GError             **error);

G_END_DECLS
