/* relais-booth.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-advisor-link.h"
#include "relais-call.h"
#include "relais-config.h"
#include "relais-directory.h"
#include "relais-http-client.h"
#include "relais-queue.h"
#include "relais-session.h"

#include "relais-booth-enums.h"

G_BEGIN_DECLS

/* The pre-call check's network line. */
typedef enum
{
  RELAIS_BOOTH_CHECK_NONE,     /* nothing checked yet */
  RELAIS_BOOTH_CHECK_RUNNING,
  RELAIS_BOOTH_CHECK_OK,
  RELAIS_BOOTH_CHECK_WARNING,  /* the advisor may be out of reach */
} RelaisBoothCheck;

#define RELAIS_TYPE_BOOTH (relais_booth_get_type ())
G_DECLARE_FINAL_TYPE (RelaisBooth, relais_booth, RELAIS, BOOTH, GObject)

/* The person at the booth and their call; no GTK. RelaisContext makes one
 * (relais_context_get_booth); pages watch it, the application drives it
 * from the session's steps and its actions.
 *
 * The visit (ticket, service, sub-service, room or lobby) is taken from
 * the queue's current ticket once, by prepare(), and kept until drop().
 * The advisor is reached through one RelaisAdvisorLink chosen from the
 * configuration: the demo advisor, a fixed gateway room, or the lobby
 * (with a lobby pin).
 *
 * Properties (all notify only on change):
 * - "call" (RelaisCall): one per person, made by prepare() for the pre-call
 *   check, replaced when the gateway comes back after a loss (the
 *   replacement keeps "muted" and "camera-off"), NULL after drop();
 * - "call-state" (RelaisCallState) and "status-text": what the call page
 *   shows: the call's state and failure, or the gateway's (lost:
 *   RECONNECTING with a sentence; given up: FAILED with a sentence);
 * - "media-error": the camera and microphone did not start (pre-call);
 * - "check" (RelaisBoothCheck) and "check-text": the network line;
 * - "mic-level" (dB, -100…0);
 * - "muted", "camera-off";
 * - "waiting": in the lobby until an advisor takes the person, and
 *   "wait-error", what went wrong meanwhile.
 * Signals: "chat-received" (text: a chat line from the advisor),
 * "chat-sent" (text, once it left), "document-asked", "outcome" (the
 * advisor's outcome string), "remote-left" (the advisor hung up, or the
 * call ended: the owner ends the call or drops it), "notice" (text,
 * is-error: a sentence for the banner), "first-remote-frame" (gint64 µs
 * from the join request, -1 when unknown), "advisor-taken" (an advisor
 * took the person waiting in the lobby: the call's set-up starts),
 * "link-lost" (the gateway went away during the call; a reconnection
 * follows or the call fails). */
RelaisBooth       *relais_booth_new              (RelaisConfig      *config,
                                                  RelaisDirectory   *directory,
                                                  RelaisQueue       *queue,
                                                  RelaisSession     *session,
                                                  RelaisHttpClient  *http);

/* The pre-call check: takes the visit, makes the call, starts its preview
 * and checks the way to the advisor. Nothing when a call is there. */
void               relais_booth_prepare          (RelaisBooth       *self);
/* "Commencer l'appel": reaches the advisor with the call. FALSE with
 * @error (a sentence for the person) when it cannot start. */
gboolean           relais_booth_start_call       (RelaisBooth       *self,
                                                  GError           **error);
/* Stops waiting in the lobby; FALSE when not waiting. */
gboolean           relais_booth_cancel_wait      (RelaisBooth       *self);
/* Leaves the advisor, hangs up, forgets the visit: the person is gone. */
void               relais_booth_drop             (RelaisBooth       *self);
gboolean           relais_booth_send_chat        (RelaisBooth       *self,
                                                  const char        *text,
                                                  GError           **error);
/* The desk's "call now": only timed, in the debug log. */
void               relais_booth_mark_call_now    (RelaisBooth       *self);

RelaisCall        *relais_booth_get_call         (RelaisBooth       *self);
RelaisAdvisorLink *relais_booth_get_link         (RelaisBooth       *self);
/* NULL before prepare() and after drop(). */
const RelaisVisit *relais_booth_get_visit        (RelaisBooth       *self);
RelaisCallState    relais_booth_get_call_state   (RelaisBooth       *self);
const char        *relais_booth_get_status_text  (RelaisBooth       *self);
const char        *relais_booth_get_media_error  (RelaisBooth       *self);
RelaisBoothCheck   relais_booth_get_check        (RelaisBooth       *self);
const char        *relais_booth_get_check_text   (RelaisBooth       *self);
double             relais_booth_get_mic_level    (RelaisBooth       *self);
gboolean           relais_booth_get_muted        (RelaisBooth       *self);
void               relais_booth_set_muted        (RelaisBooth       *self,
                                                  gboolean           muted);
gboolean           relais_booth_get_camera_off   (RelaisBooth       *self);
void               relais_booth_set_camera_off   (RelaisBooth       *self,
                                                  gboolean           camera_off);
gboolean           relais_booth_get_waiting      (RelaisBooth       *self);
const char        *relais_booth_get_wait_error   (RelaisBooth       *self);
/* Whether the gateway is out of reach right now. */
gboolean           relais_booth_is_link_lost     (RelaisBooth       *self);
/* Monotonic µs when an advisor took the person out of the lobby, 0: not. */
gint64             relais_booth_get_taken_at     (RelaisBooth       *self);

G_END_DECLS
