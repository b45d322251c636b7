/* relais-room-link.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "relais-advisor-link.h"
#include "relais-http-client.h"
#include "relais-janus.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_ROOM_LINK (relais_room_link_get_type ())
G_DECLARE_FINAL_TYPE (RelaisRoomLink, relais_room_link, RELAIS, ROOM_LINK, GObject)

/* A gateway room (RelaisRoomCall on a RelaisJanus session of its own):
 * connect() joins the visit's room (the sub-service's, else the service's
 * lobby) and publishes the call; the advisor is whoever is in that room.
 * The gateway lost shows as LOST, then "reconnected" asks for a fresh
 * call. The advisor sees where and which ticket, never who. */
RelaisAdvisorLink *relais_room_link_new  (RelaisHttpClient *http,
                                          const char       *janus_url);

/* For RelaisLobbyLink: joins @room on @janus (taken over: destroyed when
 * the link stops) with @display and @pin, instead of the visit's room. */
void               relais_room_link_join (RelaisRoomLink   *self,
                                          RelaisJanus      *janus,
                                          RelaisCall       *call,
                                          guint64           room,
                                          const char       *display,
                                          const char       *pin);

/* For RelaisLobbyLink: the call moves to @room (see relais_room_call_move());
 * "reconnected" asks for a fresh call. */
void               relais_room_link_move (RelaisRoomLink   *self,
                                          guint64           room,
                                          const char       *display,
                                          const char       *pin);

G_END_DECLS
