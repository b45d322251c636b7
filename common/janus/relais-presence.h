/* relais-presence.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-janus.h"
#include "relais-presence-tag.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_PRESENCE (relais_presence_get_type ())
G_DECLARE_FINAL_TYPE (RelaisPresence, relais_presence, RELAIS, PRESENCE, GObject)

#define RELAIS_PRESENCE_POLL_MS 3000
#define RELAIS_PRESENCE_HEARTBEAT_MS 5000
/* How long the advisor holding the claim may stay without publishing. */
#define RELAIS_PRESENCE_CLAIM_TIMEOUT_MS 20000

/* The kiosk's side of the shared waiting line (common/PROTOCOL.md),
 * carried by a Janus VideoRoom through a #RelaisJanus the caller owns
 * (connected or not: the presence connects it when needed and follows
 * its "lost" / "reconnected").
 *
 * Watching: relais_presence_watch_room() adds a service's lobby room;
 * every RELAIS_PRESENCE_POLL_MS its participants are listed and the
 * advisors marked ready counted. "changed" (guint64 room) is emitted when
 * a count changes; a lost gateway counts nobody.
 *
 * Waiting (one person at a time):
 * 1. relais_presence_create_session_room_async() creates the person's
 *    session room (random id, private, three publishers at most, a random
 *    secret kept here, the pin derived from the lobby pin);
 * 2. the caller joins it and publishes (#RelaisRoomCall, same #RelaisJanus);
 * 3. relais_presence_wait_async() announces the kiosk in the lobby, beats
 *    every RELAIS_PRESENCE_HEARTBEAT_MS, and finishes with the display
 *    name of the advisor who took the person: the first to join the
 *    session room holds the claim, it is taken when they publish; anyone
 *    else joining or publishing there is kicked. A holder that has not
 *    published after RELAIS_PRESENCE_CLAIM_TIMEOUT_MS is kicked too and
 *    the claim is free again. The kiosk then leaves the lobby.
 *    The session room requires a participant's private id of every
 *    subscriber: nobody subscribes without joining, and being seen.
 *    Cancelling (or relais_presence_stop()) leaves the lobby too.
 *
 * A participant that leaves the session room on its own before the take
 * (the claim holder, or one being kicked) may keep a subscription there:
 * the presence then creates a fresh session room, emits
 * "session-room-moved" (guint64 room; the caller moves its #RelaisRoomCall
 * there with relais_room_call_move(), same pin getter), shows the new room
 * in the lobby and destroys the old one. After the take, such a departure
 * ends the room (and the call) instead.
 *
 * Nothing personal goes to the lobby (ticket code, sub-service id and
 * site name only) or to the log. */
RelaisPresence *relais_presence_new              (RelaisJanus  *janus,
                                                  const char   *lobby_pin);

void            relais_presence_set_poll_interval      (RelaisPresence *self,
                                                        guint           interval_ms);
void            relais_presence_set_heartbeat_interval (RelaisPresence *self,
                                                        guint           interval_ms);
void            relais_presence_set_claim_timeout      (RelaisPresence *self,
                                                        guint           timeout_ms);

void            relais_presence_watch_room       (RelaisPresence *self,
                                                  guint64         lobby_room);
/* Advisors ready in @lobby_room at the last look (0 when unknown). */
guint           relais_presence_get_advisors_ready (RelaisPresence *self,
                                                    guint64         lobby_room);

void            relais_presence_create_session_room_async  (RelaisPresence      *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
/* Finishes with the room id, 0 on error. */
guint64         relais_presence_create_session_room_finish (RelaisPresence      *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
guint64         relais_presence_get_session_room (RelaisPresence *self);
/* The session room's pin (derived from the lobby pin). */
const char     *relais_presence_get_session_pin  (RelaisPresence *self);

void            relais_presence_wait_async       (RelaisPresence      *self,
                                                  guint64              lobby_room,
                                                  const char          *ticket,
                                                  const char          *subservice,
                                                  const char          *site,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* The advisor's display name (never NULL on success). */
char           *relais_presence_wait_finish      (RelaisPresence      *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* Stops waiting and watching: leaves the lobby, destroys the session room
 * (best effort, in the background). */
void            relais_presence_stop             (RelaisPresence *self);

G_END_DECLS
