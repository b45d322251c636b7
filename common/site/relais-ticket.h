/* relais-ticket.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "relais-site-enums.h"

G_BEGIN_DECLS

typedef enum
{
  RELAIS_TICKET_WAITING = 0,
  RELAIS_TICKET_CALLED = 1,
  RELAIS_TICKET_IN_CALL = 2,
  RELAIS_TICKET_DONE = 3,
  RELAIS_TICKET_ABSENT = 4,
  RELAIS_TICKET_CANCELLED = 5,
} RelaisTicketState;

/* TRUE for done, absent and cancelled: the ticket has left the queue and
 * its personal fields are erased. */
gboolean     relais_ticket_state_is_final (RelaisTicketState state);
const char  *relais_ticket_state_to_string (RelaisTicketState state);

#define RELAIS_TYPE_TICKET (relais_ticket_get_type ())
G_DECLARE_FINAL_TYPE (RelaisTicket, relais_ticket, RELAIS, TICKET, GObject)

/* A ticket is a value held by RelaisQueue's model: the queue and the store
 * create and update them; everybody else reads properties ("id", "code",
 * "service-id", "subservice-id", "person-name", "note", "state",
 * "position", "created-at", "called-at"; times are Unix seconds). */
RelaisTicket      *relais_ticket_new              (gint64             id,
                                                   const char        *code,
                                                   const char        *service_id,
                                                   const char        *subservice_id,
                                                   const char        *person_name,
                                                   const char        *note,
                                                   RelaisTicketState  state,
                                                   gint64             position,
                                                   gint64             created_at,
                                                   gint64             called_at);
gint64             relais_ticket_get_id            (RelaisTicket *self);
const char        *relais_ticket_get_code          (RelaisTicket *self);
const char        *relais_ticket_get_service_id    (RelaisTicket *self);
const char        *relais_ticket_get_subservice_id (RelaisTicket *self);
const char        *relais_ticket_get_person_name   (RelaisTicket *self);
const char        *relais_ticket_get_note          (RelaisTicket *self);
RelaisTicketState  relais_ticket_get_state         (RelaisTicket *self);
gint64             relais_ticket_get_position      (RelaisTicket *self);
gint64             relais_ticket_get_created_at    (RelaisTicket *self);
gint64             relais_ticket_get_called_at     (RelaisTicket *self);

/* Setters notify only on change; used by RelaisQueue after the store has
 * committed the change. */
void               relais_ticket_set_state         (RelaisTicket      *self,
                                                    RelaisTicketState  state);
void               relais_ticket_set_position      (RelaisTicket      *self,
                                                    gint64             position);
void               relais_ticket_set_called_at     (RelaisTicket      *self,
                                                    gint64             called_at);
void               relais_ticket_erase_personal    (RelaisTicket      *self);

G_END_DECLS
