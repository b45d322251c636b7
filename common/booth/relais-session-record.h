/* relais-session-record.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "relais-call.h"
#include "relais-config.h"
#include "relais-outbox.h"
#include "relais-queue.h"
#include "relais-session.h"
#include "relais-store.h"

G_BEGIN_DECLS

#define RELAIS_SESSION_RECORD_SURVEY_SECONDS 30

#define RELAIS_TYPE_SESSION_RECORD (relais_session_record_get_type ())
G_DECLARE_FINAL_TYPE (RelaisSessionRecord, relais_session_record, RELAIS, SESSION_RECORD, GObject)

/* The anonymous figures of one person's session (see relais-figures.h
 * for the row), gathered while it lasts:
 * - wait: ticket given → called (the store's times);
 * - set-up: entering the call (through the lobby: the advisor taking
 *   the person, relais_session_record_note_advisor_taken()) → the call's
 *   first CONNECTED, which RelaisCall reaches only once a remote picture
 *   is decoded;
 * - quality: mean received frame rate while connected (sampled each
 *   second), packets lost, whether the link dropped and came back (the
 *   call reconnecting, the gateway lost, or the call replaced);
 * - outcome: the advisor's (relais_session_record_set_outcome()), else
 *   the kiosk's own only when no call happened (absent, cancelled,
 *   no-call: also a wait in the lobby the person gave up before an
 *   advisor came), else unknown;
 * - survey: the face tapped after the call, or none.
 *
 * It watches the session's "state" (the call's start and end, the
 * survey) and its "call" property (the call of the person at the booth,
 * which a gateway reconnection replaces). The row is written into the
 * store when the ticket ends (relais_session_record_ticket_ended()); the
 * survey completes it; then it is queued in the outbox for upload when
 * [figures] upload-url is set.
 *
 * The survey lasts RELAIS_SESSION_RECORD_SURVEY_SECONDS: "survey-remaining"
 * counts the seconds down while the session is in SURVEY, and at 0 the
 * record ends the survey itself (RELAIS_SESSION_EVENT_SURVEY_DONE). */
RelaisSessionRecord *relais_session_record_new  (RelaisConfig        *config,
                                                 RelaisStore         *store,
                                                 RelaisQueue         *queue,
                                                 RelaisSession       *session);

/* The call being measured ("call", nullable). */
RelaisCall   *relais_session_record_get_call    (RelaisSessionRecord *self);
void          relais_session_record_set_call    (RelaisSessionRecord *self,
                                                 RelaisCall          *call);

/* "survey-remaining": the seconds left before an unanswered survey ends. */
guint         relais_session_record_get_survey_remaining (RelaisSessionRecord *self);
/* Tests: a shorter survey. */
void          relais_session_record_set_survey_seconds   (RelaisSessionRecord *self,
                                                          guint                seconds);

/* Through the lobby: an advisor took the person now (the set-up starts). */
void          relais_session_record_note_advisor_taken   (RelaisSessionRecord *self);
/* The link to the gateway dropped during the call. */
void          relais_session_record_note_link_lost       (RelaisSessionRecord *self);
/* The person stopped waiting in the lobby before an advisor came: no
 * call ("no-call") unless a remote picture had arrived. */
void          relais_session_record_note_wait_given_up   (RelaisSessionRecord *self);

/* The advisor's outcome of the current call ("resolved", "follow-up",
 * "redirected", "technical-failure"), as it arrives over the call's data
 * channel: kept for the session's row, or written into the row just made
 * when the person already ended their session. Anything else fails
 * (RELAIS_ERROR_FAILED). Without it a call's outcome stays unknown. */
gboolean      relais_session_record_set_outcome (RelaisSessionRecord *self,
                                                 const char          *outcome,
                                                 GError             **error);

/* Ticket @ticket_id left the queue (finished, absent or cancelled): its
 * row is written now. After a call (the session in CALL_ENDED) the upload
 * waits for the survey. Call it before the session moves on. */
void          relais_session_record_ticket_ended (RelaisSessionRecord *self,
                                                  gint64               ticket_id);

/* The face tapped (RELAIS_SURVEY_MIN … _MAX) goes into the row the survey
 * is for; nothing happens when there is none. */
gboolean      relais_session_record_answer_survey (RelaisSessionRecord *self,
                                                   int                  answer,
                                                   GError             **error);

/* The id of the last row written, NULL before any. */
const char   *relais_session_record_get_last_session_id (RelaisSessionRecord *self);
/* NULL without [figures] upload-url. */
RelaisOutbox *relais_session_record_get_outbox  (RelaisSessionRecord *self);

G_END_DECLS
