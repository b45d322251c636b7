/* relais-store.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-figures.h"
#include "relais-ticket.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_STORE (relais_store_get_type ())
G_DECLARE_FINAL_TYPE (RelaisStore, relais_store, RELAIS, STORE, GObject)

/* The number of migrations this build knows: a fresh store ends at this
 * PRAGMA user_version. */
#define RELAIS_STORE_SCHEMA_VERSION 5

/* Opens (creating if needed) the SQLite file at @path, or an in-memory
 * database when @path is ":memory:"; WAL, foreign keys, synchronous=FULL,
 * secure_delete, a WAL bounded to 1 MiB, then migrations up to
 * RELAIS_STORE_SCHEMA_VERSION. */
RelaisStore  *relais_store_new                 (const char  *path,
                                                GError     **error);
/* For migration tests: open and migrate only up to @version (≥ 0). */
RelaisStore  *relais_store_new_at_version      (const char  *path,
                                                int          version,
                                                GError     **error);
int           relais_store_get_schema_version  (RelaisStore *self);
const char   *relais_store_get_path            (RelaisStore *self);

/* Tickets. Every call commits before it returns. */

/* Inserts a waiting ticket: takes the next number of @day (YYYY-MM-DD,
 * local) for @letter, builds the code (letter + number, "C12"), puts it
 * at the end of the queue, and returns the new ticket (transfer full). */
RelaisTicket *relais_store_add_ticket          (RelaisStore  *self,
                                                const char   *day,
                                                char          letter,
                                                const char   *service_id,
                                                const char   *subservice_id,
                                                const char   *person_name,
                                                const char   *note,
                                                gint64        now,
                                                GError      **error);
/* Moves a ticket to @state at @now. A final state (done, absent,
 * cancelled) erases person_name and note in the same transaction and
 * records an anonymous "ticket-ended" event (service, sub-service, wait in
 * seconds, outcome); after the commit, the WAL is checkpointed and
 * truncated so that the erased bytes are in no file (a busy reader defers
 * this to the next ended ticket, without failing this one). */
gboolean      relais_store_set_ticket_state    (RelaisStore        *self,
                                                gint64              ticket_id,
                                                RelaisTicketState   state,
                                                gint64              now,
                                                GError            **error);
/* Ends every ticket still waiting, called or in call that was created
 * before @before (a day's start, Unix seconds) as cancelled, at @now, in
 * one transaction, exactly as relais_store_set_ticket_state() would: name
 * and note erased, session closed, "ticket-ended" event. Then checkpoints
 * the WAL. For tickets nobody ended (the kiosk off at closing time, a
 * crash): their names must not stay, nor their codes come back the next
 * day. Returns how many tickets ended, or -1 on error (none did). */
gint64        relais_store_expire_tickets      (RelaisStore        *self,
                                                gint64              before,
                                                gint64              now,
                                                GError            **error);
/* Swaps the queue positions of two tickets in one transaction. */
gboolean      relais_store_swap_positions      (RelaisStore  *self,
                                                gint64        ticket_a,
                                                gint64        ticket_b,
                                                GError      **error);
/* Counts one more pass-over (the turn rule or the agent called someone
 * after them) for each of these waiting tickets, in one transaction. */
gboolean      relais_store_add_pass_overs      (RelaisStore   *self,
                                                const gint64  *ticket_ids,
                                                guint          n_tickets,
                                                GError       **error);
/* The waiting tickets passed over at least once: ticket id → times.
 * Returns: (transfer full) (element-type gint64 guint) keys freed with
 * g_free. */
GHashTable   *relais_store_list_pass_overs     (RelaisStore  *self,
                                                GError      **error);
/* Waiting, called and in-call tickets, ordered by position.
 * Returns: (transfer full) an array owning its tickets. get_ticket returns
 * a new ticket (transfer full), also for ended ones. */
GPtrArray    *relais_store_list_active_tickets (RelaisStore  *self,
                                                GError      **error);
RelaisTicket *relais_store_get_ticket          (RelaisStore  *self,
                                                gint64        ticket_id,
                                                GError      **error);
/* Booth times (seconds from called to ended) of the tickets done (not
 * absent, not cancelled) since @since, newest first, at most 1000: what
 * the estimated wait on the attract screen is made from.
 * Returns: (transfer full) (element-type gint64) */
GArray       *relais_store_list_recent_durations (RelaisStore  *self,
                                                  gint64        since,
                                                  GError      **error);
/* How many tickets (any state) still carry a name or a note although they
 * are final: must always be 0. For tests and the start-up self-check. */
gint64        relais_store_count_personal_leftovers (RelaisStore  *self,
                                                     GError      **error);

/* Anonymous events: no name, no note, no free text from a person.
 * Kinds written today:
 * - "ticket-ended": written by the store with each ended ticket; value:
 *   the wait in seconds (given → called, or → ended if never called);
 *   outcome: the ticket's end state ("done", "absent", "cancelled").
 * A session's own measures (call set-up and quality, outcome, survey)
 * are one row of session facts, below. */
gboolean      relais_store_add_event           (RelaisStore  *self,
                                                const char   *kind,
                                                const char   *service_id,
                                                const char   *subservice_id,
                                                gint64        value,
                                                const char   *outcome,
                                                gint64        now,
                                                GError      **error);
gint64        relais_store_count_events        (RelaisStore  *self,
                                                const char   *kind,
                                                GError      **error);
/* Deletes events (and final tickets) older than @days days before @now.
 * Returns the number of rows deleted, or -1 on error. */
gint64        relais_store_purge               (RelaisStore  *self,
                                                guint         days,
                                                gint64        now,
                                                GError      **error);

/* Session facts: one anonymous row per person's session (see
 * relais-figures.h). They hold no ticket id and survive the ticket; they
 * are purged with the events after retention-days. */
gboolean      relais_store_add_session_facts   (RelaisStore               *self,
                                                const RelaisSessionFacts  *facts,
                                                GError                   **error);
/* The survey tap (1–5) and the advisor's outcome arrive after the row is
 * written; an unknown session id fails with RELAIS_ERROR_STORE. */
gboolean      relais_store_set_session_survey  (RelaisStore  *self,
                                                const char   *session_id,
                                                int           survey,
                                                GError      **error);
gboolean      relais_store_set_session_outcome (RelaisStore  *self,
                                                const char   *session_id,
                                                const char   *outcome,
                                                GError      **error);
RelaisSessionFacts *relais_store_get_session_facts (RelaisStore  *self,
                                                    const char   *session_id,
                                                    GError      **error);
/* Sessions whose ticket was given at or after @since (Unix s), oldest
 * first. Returns: (transfer full) (element-type RelaisSessionFacts) */
GPtrArray    *relais_store_list_session_facts  (RelaisStore  *self,
                                                gint64        since,
                                                GError      **error);

/* The upload outbox: JSON bodies waiting to be POSTed. Each has an
 * idempotency key (queuing the same key twice keeps the first). */
gboolean      relais_store_queue_upload        (RelaisStore  *self,
                                                const char   *idempotency_key,
                                                const char   *body,
                                                gint64        now,
                                                GError      **error);
/* The earliest upload due at @now; *@upload_id is 0 when none is due. */
gboolean      relais_store_next_upload         (RelaisStore   *self,
                                                gint64         now,
                                                gint64        *upload_id,
                                                char         **idempotency_key,
                                                char         **body,
                                                guint         *attempts,
                                                GError       **error);
/* One more failed attempt: try again at @next_attempt_at. */
gboolean      relais_store_postpone_upload     (RelaisStore  *self,
                                                gint64        upload_id,
                                                gint64        next_attempt_at,
                                                GError      **error);
/* Delivered (2xx): gone from the outbox. */
gboolean      relais_store_forget_upload       (RelaisStore  *self,
                                                gint64        upload_id,
                                                GError      **error);
gint64        relais_store_count_uploads       (RelaisStore  *self,
                                                GError      **error);
/* When the earliest upload is due (Unix s), -1 when the outbox is empty,
 * -2 on error. */
gint64        relais_store_next_upload_time    (RelaisStore  *self,
                                                GError      **error);

/* Agent settings: small key/value strings kept across restarts. */
char         *relais_store_get_setting         (RelaisStore  *self,
                                                const char   *key);
gboolean      relais_store_set_setting         (RelaisStore  *self,
                                                const char   *key,
                                                const char   *value,
                                                GError      **error);

/* The agent lock's count of wrong PINs in a row (relais-agent-lock.h):
 * one anonymous number, kept so that neither a restart nor the end of a
 * lockout forgets it. 0 when never set or unreadable (logged). */
guint         relais_store_get_pin_failures    (RelaisStore  *self);
gboolean      relais_store_set_pin_failures    (RelaisStore  *self,
                                                guint         failures,
                                                GError      **error);

/* Start-up self-check and crash tests: PRAGMA integrity_check, foreign
 * keys, and the queue's own invariants (codes match numbers, ended tickets
 * hold nothing personal, at most one ticket holds the booth). */
gboolean      relais_store_check_integrity     (RelaisStore  *self,
                                                GError      **error);

/* Tests only: runs @sql as is. Migration tests fill a database held at an
 * old schema version, which the domain API above (written for the current
 * schema) cannot do. Never call it from the application. */
gboolean      relais_store_exec_for_tests      (RelaisStore  *self,
                                                const char   *sql,
                                                GError      **error);

G_END_DECLS
