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

G_BEGIN_DECLS

#define RELAIS_TYPE_WINDOW (relais_window_get_type ())
G_DECLARE_FINAL_TYPE (RelaisWindow, relais_window, RELAIS, WINDOW, GtkApplicationWindow)

/* The kiosk's only window: fullscreen, undecorated, as large as the
 * monitor, and it refuses to close unless the application allows it
 * ("can-close", set only from the unlocked agent desk). */
RelaisWindow *relais_window_new            (GtkApplication *application,
                                            RelaisContext  *context);
/* Shows one page: "attract", "unlock", "desk", "your-turn", "precall",
 * "call", "call-ended", "survey", "figures", "print", "wait", "scan". */
void          relais_window_set_page       (RelaisWindow   *self,
                                            const char     *page_name);
const char   *relais_window_get_page       (RelaisWindow   *self);
/* A banner at the top of the screen, gone after a few seconds. */
void          relais_window_show_notice    (RelaisWindow   *self,
                                            const char     *message,
                                            gboolean        is_error);
const char   *relais_window_get_notice     (RelaisWindow   *self);
void          relais_window_set_can_close  (RelaisWindow   *self,
                                            gboolean        can_close);
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
