/* relais-room-call.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-call.h"
#include "relais-janus.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_ROOM_CALL (relais_room_call_get_type ())
G_DECLARE_FINAL_TYPE (RelaisRoomCall, relais_room_call, RELAIS, ROOM_CALL, GObject)

/* One kiosk in one Janus VideoRoom: joins @room as a publisher, publishes
 * the #RelaisCall on a "send" peer, and subscribes with one multistream
 * "recv" peer to every other publisher, following them as they come and
 * go (and answering Janus's own "updated" offers). Renegotiations of the
 * subscription never overlap.
 *
 * The #RelaisCall belongs to the owner. When the gateway session is lost
 * the call's peers are dead with it: the room call forgets them and emits
 * "lost"; the owner may hang that call up and hand a fresh one (in
 * preview) with relais_room_call_set_call() from its "reconnected"
 * handler, after which the room call joins and publishes again.
 *
 * Signals, on the main context:
 * - "notify::remote-publishers": how many other publishers are in the room;
 * - "first-remote-frame" (gint64 monotonic µs): the first decoded remote
 *   picture (once per room call: the first of its calls' own
 *   "first-remote-frame", see relais-call.h);
 * - "lost", "reconnected": the gateway session went and came back;
 * - "remote-left": the last other publisher left the room;
 * - "failed" (const char *message): the call cannot go on (a French
 *   sentence; the gateway hung up, refused a request…). Emitted once.
 *
 * @display is what the other participants see: never a person's name
 * (the site name and ticket code do). Nothing personal is logged. */
RelaisRoomCall *relais_room_call_new            (RelaisJanus          *janus,
                                                 RelaisCall           *call,
                                                 guint64               room,
                                                 const char           *display,
                                                 const char           *pin);

RelaisCall     *relais_room_call_get_call       (RelaisRoomCall       *self);
/* Replaces the call (e.g. after "lost"); NULL drops it. */
void            relais_room_call_set_call       (RelaisRoomCall       *self,
                                                 RelaisCall           *call);
/* Leaves the room for @room (with @display and @pin there): the old
 * handles are let go, "reconnected" asks for a fresh call as after a lost
 * session, and the room call joins and publishes in @room. */
void            relais_room_call_move           (RelaisRoomCall       *self,
                                                 guint64               room,
                                                 const char           *display,
                                                 const char           *pin);
/* Create the room (non-permanent) before joining it; for tests. */
void            relais_room_call_set_create_room (RelaisRoomCall      *self,
                                                  gboolean             create_room);

guint           relais_room_call_get_remote_publishers (RelaisRoomCall *self);
/* Every other publisher seen since the start. */
guint           relais_room_call_get_publishers_seen   (RelaisRoomCall *self);
/* Monotonic µs of the first join request and of the first subscription
 * request, 0 when not made yet. */
gint64          relais_room_call_get_join_requested_at      (RelaisRoomCall *self);
gint64          relais_room_call_get_subscribe_requested_at (RelaisRoomCall *self);
gboolean        relais_room_call_is_joined      (RelaisRoomCall       *self);

/* Connects the session if needed, attaches, joins and starts publishing.
 * Finishes once joined (the media follows: watch the call's state). */
void            relais_room_call_start_async    (RelaisRoomCall       *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean        relais_room_call_start_finish   (RelaisRoomCall       *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* Leaves the room (when joined) and stops following it; the session and
 * the call stay the owner's. Never fails for the caller: a gateway that
 * does not answer only delays it by the request's time-out. */
void            relais_room_call_stop_async     (RelaisRoomCall       *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean        relais_room_call_stop_finish    (RelaisRoomCall       *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
