/* relais-window.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-attract-page.h"
#include "relais-call-page.h"
#include "relais-context.h"
#include "relais-desk-page.h"
#include "relais-figures-page.h"
#include "relais-pin-page.h"
#include "relais-precall-page.h"
#include "relais-print-page.h"
#include "relais-survey-page.h"
#include "relais-wait-page.h"
#include "relais-scan-page.h"

#include "relais-ui-enums.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_WINDOW (relais_window_get_type ())
G_DECLARE_FINAL_TYPE (RelaisWindow, relais_window, RELAIS, WINDOW, GtkApplicationWindow)

/* What is shown over the page of the session's state, until it is closed
 * or the state changes. */
typedef enum
{
  RELAIS_WINDOW_OVERLAY_NONE,     /* the state's own page */
  RELAIS_WINDOW_OVERLAY_FIGURES,  /* "figures": the site's figures, over the desk */
  RELAIS_WINDOW_OVERLAY_SCAN,     /* "scan": a document for the advisor, over the call */
  RELAIS_WINDOW_OVERLAY_PRINT,    /* "print": the advisor's document, over any page */
} RelaisWindowOverlay;

/* The kiosk's only window: fullscreen, undecorated, as large as the
 * monitor. It watches the context's session and chooses the visible page
 * itself, in one place, from the session's state ("attract", "unlock",
 * "desk", "your-turn", "precall", "call", "call-ended", "survey") and what
 * is shown over it: "wait" over the call while the person waits for an
 * advisor ("waiting"), and the "overlay" (set to "print" by itself when
 * the dossier receives the advisor's document). It refuses to close
 * unless the agent's desk is unlocked (the state is DESK), and locks the
 * desk again (or leaves the PIN pad) after the configuration's
 * idle-lock-seconds without a tap, a key or a scroll.
 *
 * RELAIS_TEST_TRACE=1 prints "relais-trace: page: NAME" on stderr each
 * time the state's page changes (NAME as above). */
RelaisWindow *relais_window_new            (GtkApplication *application,
                                            RelaisContext  *context);
/* The visible page's name, for the tests. */
const char   *relais_window_get_page       (RelaisWindow   *self);
void          relais_window_set_overlay    (RelaisWindow        *self,
                                            RelaisWindowOverlay  overlay);
RelaisWindowOverlay relais_window_get_overlay (RelaisWindow     *self);
/* The person waits in the lobby for an advisor to take the call: the
 * "wait" page instead of the call's. */
void          relais_window_set_waiting    (RelaisWindow   *self,
                                            gboolean        waiting);
gboolean      relais_window_get_waiting    (RelaisWindow   *self);
/* A banner at the top of the screen, gone after a few seconds. */
void          relais_window_show_notice    (RelaisWindow   *self,
                                            const char     *message,
                                            gboolean        is_error);
const char   *relais_window_get_notice     (RelaisWindow   *self);
/* The PIN page's feedback line ("Code incorrect…"), and whether it waits
 * for a check in progress. */
void          relais_window_set_unlock_feedback (RelaisWindow *self,
                                                 const char   *message,
                                                 gboolean      busy);

/* The pages, for the UI tests. */
RelaisAttractPage *relais_window_get_attract_page (RelaisWindow *self);
RelaisDeskPage    *relais_window_get_desk_page    (RelaisWindow *self);
RelaisPinPage     *relais_window_get_pin_page     (RelaisWindow *self);
RelaisPrecallPage *relais_window_get_precall_page (RelaisWindow *self);
RelaisCallPage    *relais_window_get_call_page    (RelaisWindow *self);
/* The document the advisor sent, before and while it prints ("print"). */
RelaisPrintPage   *relais_window_get_print_page   (RelaisWindow *self);
/* Takes the banner away at once (a new page makes it stale). */
void               relais_window_hide_notice      (RelaisWindow *self);
RelaisSurveyPage  *relais_window_get_survey_page  (RelaisWindow *self);
RelaisFiguresPage *relais_window_get_figures_page (RelaisWindow *self);
/* "scan": a document for the advisor, during the call (the documents work). */
RelaisScanPage    *relais_window_get_scan_page    (RelaisWindow *self);

G_END_DECLS
