/* relais-queue.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-store.h"
#include "relais-ticket.h"
#include "relais-turn.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_QUEUE (relais_queue_get_type ())
G_DECLARE_FINAL_TYPE (RelaisQueue, relais_queue, RELAIS, QUEUE, GObject)

typedef gint64 (*RelaisClockFunc) (gpointer user_data);

/* The local queue of the access point. Every operation writes the store
 * first and updates the model only once the store committed, so what the
 * screen shows has always survived a power cut. The model (a GListModel
 * of RelaisTicket) holds the active tickets — waiting, called, in call —
 * in queue order. */
RelaisQueue  *relais_queue_new            (RelaisStore      *store,
                                           GError          **error);
GListModel   *relais_queue_get_model      (RelaisQueue      *self);
RelaisStore  *relais_queue_get_store      (RelaisQueue      *self);

/* Opens the queue with @clock (NULL: the wall clock) already set, so that
 * the start-up expiry of a previous day's tickets reads it too. */
RelaisQueue  *relais_queue_new_with_clock (RelaisStore      *store,
                                           RelaisClockFunc   clock,
                                           gpointer          user_data,
                                           GError          **error);
/* Ends as cancelled, with name and note erased, every ticket still in the
 * queue (waiting, called or in call) that was given before @day_start
 * (Unix seconds), in the store and in the model. Opening a queue does it
 * for the tickets of before today; the application may call it at night. */
gboolean      relais_queue_expire_before  (RelaisQueue      *self,
                                           gint64            day_start,
                                           GError          **error);

/* Tests replace the wall clock (Unix seconds). */
void          relais_queue_set_clock      (RelaisQueue      *self,
                                           RelaisClockFunc   clock,
                                           gpointer          user_data);

/* Returns: (transfer full) the new waiting ticket, also in the model. */
RelaisTicket *relais_queue_add            (RelaisQueue      *self,
                                           char              letter,
                                           const char       *service_id,
                                           const char       *subservice_id,
                                           const char       *person_name,
                                           const char       *note,
                                           GError          **error);
/* Returns: (transfer none) (nullable) an active ticket; the model holds it. */
RelaisTicket *relais_queue_find           (RelaisQueue      *self,
                                           gint64            ticket_id);
/* The ticket that holds the booth (called or in call), or NULL.
 * Returns: (transfer none) (nullable) */
RelaisTicket *relais_queue_get_current    (RelaisQueue      *self);
guint         relais_queue_count_waiting  (RelaisQueue      *self);
/* 1-based position among waiting tickets, 0 if not waiting. */
guint         relais_queue_get_waiting_position (RelaisQueue  *self,
                                                 RelaisTicket *ticket);

/* Who goes first (relais-turn.h): whether a service has an advisor ready
 * now, and the ageing policy. A NULL @ready means every service is ready;
 * a NULL @policy the default. @user_data must outlive the queue or be
 * unset (NULL @ready) before it goes. */
void          relais_queue_set_turn_rule  (RelaisQueue            *self,
                                           RelaisTurnReadyFunc     ready,
                                           gpointer                user_data,
                                           const RelaisTurnPolicy *policy);
/* How many times a waiting ticket was passed over (someone behind it was
 * called first). Stored with the ticket right after each call, so it
 * survives a restart (a crash between the call and that write loses one
 * pass; the ageing by waiting time, created_at on disk, still holds). */
guint         relais_queue_get_passed_over (RelaisQueue     *self,
                                            gint64           ticket_id);
/* The waiting tickets in the order the turn rule would call them now
 * (what the attract screen shows as each person's place).
 * Returns: (transfer full) (element-type RelaisTicket) */
GPtrArray    *relais_queue_list_turn_order (RelaisQueue     *self);

/* Calls the waiting ticket the turn rule picks (the first in position
 * when every service is ready and nobody is due). Fails with
 * RELAIS_ERROR_QUEUE when the booth is taken or nobody waits.
 * Returns: (transfer none) the called ticket (now the current one). */
RelaisTicket *relais_queue_call_next      (RelaisQueue      *self,
                                           GError          **error);
/* Calls a given waiting ticket out of turn. */
gboolean      relais_queue_call           (RelaisQueue      *self,
                                           gint64            ticket_id,
                                           GError          **error);
/* called → in call (the person is at the booth). */
gboolean      relais_queue_start          (RelaisQueue      *self,
                                           gint64            ticket_id,
                                           GError          **error);
/* in call (or called) → done. */
gboolean      relais_queue_finish         (RelaisQueue      *self,
                                           gint64            ticket_id,
                                           GError          **error);
/* waiting or called → absent. */
gboolean      relais_queue_mark_absent    (RelaisQueue      *self,
                                           gint64            ticket_id,
                                           GError          **error);
/* waiting or called → cancelled. */
gboolean      relais_queue_cancel         (RelaisQueue      *self,
                                           gint64            ticket_id,
                                           GError          **error);
/* Moves a waiting ticket @delta places (negative: towards the front)
 * among waiting tickets. */
gboolean      relais_queue_move           (RelaisQueue      *self,
                                           gint64            ticket_id,
                                           int               delta,
                                           GError          **error);

G_END_DECLS
