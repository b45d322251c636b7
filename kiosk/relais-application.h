/* relais-application.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context.h"
#include "relais-session.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_APPLICATION (relais_application_get_type ())
G_DECLARE_FINAL_TYPE (RelaisApplication, relais_application, RELAIS, APPLICATION, GtkApplication)

/* The kiosk. Agent operations are actions on the application so that
 * buttons, tests and `gapplication action org.relais.Kiosk …` share them:
 *
 *   app.agent                  show the PIN pad
 *   app.unlock        s        check a PIN, open the desk
 *   app.lock                   close the desk
 *   app.new-ticket    (ssss)   service, sub-service, name, note
 *   app.call-next              call the first waiting ticket
 *   app.call-ticket   x        call a given ticket
 *   app.start-session          the called person is at the booth: pre-call check
 *   app.start-call             the person starts the call
 *   app.hang-up                the person hangs up
 *   app.toggle-mute            microphone off/on (state: muted)
 *   app.toggle-camera          camera off/on (state: off)
 *   app.send-chat     s        a written message to the advisor
 *   app.finish-session         the booth's session is over
 *   app.mark-absent   x        a ticket's person is not here
 *   app.cancel-ticket x        a ticket is withdrawn
 *   app.move-ticket   (xi)     move a waiting ticket by n places
 *   app.quit                   leave the kiosk (desk unlocked only)
 *   app.survey        i        the survey's answer: 1 (very unhappy) … 5, 0 none
 *   app.figures                the figures page (desk unlocked only)
 *   app.close-figures          back from the figures to the desk
 *   app.export-figures         write relais-chiffres-YYYY-MM-DD.csv (Documents or $HOME)
 *   app.show-document s        the print page for a PDF of the session directory
 *   app.print-document         print it (the configured CUPS queue); also "Réessayer"
 *   app.cancel-print           cancel the print job
 *   app.close-document         leave the print page
 *   app.scan-document          the scan page, over the call
 *   app.scan-page              scan a page, the feeder's pages, or the camera's still
 *   app.cancel-scan            stop the scan or the sending in progress
 *   app.send-document          send the pages to the advisor, as one PDF
 *   app.close-scan             back to the call; the pages are dropped
 *   app.call-now      x        a waiting ticket straight to the pre-call check
 *   app.cancel-wait            stop waiting in the lobby for an advisor
 *
 * relais-application-actions.c holds them; relais-application.c starts
 * the kiosk and wires the session's states to the models.
 */
RelaisApplication *relais_application_new          (RelaisConfig *config);

/* NULL until start-up built it. */
RelaisContext     *relais_application_get_context  (RelaisApplication *self);
RelaisSession     *relais_application_get_session  (RelaisApplication *self);
GtkWindow         *relais_application_get_main_window (RelaisApplication *self);
/* Non-zero when start-up failed (the store could not open, say). */
int                relais_application_get_exit_status (RelaisApplication *self);
/* The advisor's outcome of the current call ("resolved", "follow-up",
 * "redirected", "technical-failure"), as it arrives over the call's data
 * channel: kept for the session's record, or written into the record
 * just made when the person already ended their session. Anything else
 * fails (RELAIS_ERROR_FAILED). Without it a call's outcome stays
 * unknown. */
gboolean           relais_application_record_outcome (RelaisApplication  *self,
                                                      const char         *outcome,
                                                      GError            **error);

G_END_DECLS
