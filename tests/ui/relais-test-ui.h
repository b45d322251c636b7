/* relais-test-ui.h: driving the whole application in a test
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * For the tests that run RelaisApplication itself (test-kiosk-ui,
 * test-figures-ui, ../integration/test-print-kiosk): its window, its pages
 * and its actions, on the default main context; and the style the widget
 * tests load. Test code: failures assert.
 */
#pragma once

#include "relais-application.h"
#include "relais-command-line.h"
#include "relais-window.h"

G_BEGIN_DECLS

/* What relais_test_wait_for() waits for: the page @name shown, or the
 * action @name enabled. */
typedef struct
{
  RelaisApplication *app;
  const char        *name;
} RelaisTestUiWait;

RelaisWindow *relais_test_ui_window_of      (RelaisApplication *app);
/* Predicates for relais_test_wait_for(): @data is a RelaisTestUiWait. */
gboolean      relais_test_ui_page_is        (gpointer           data);
gboolean      relais_test_ui_action_enabled (gpointer           data);
/* @data is the RelaisApplication: its window is mapped and has a size. */
gboolean      relais_test_ui_window_ready   (gpointer           data);
/* Aborts (saying which page it shows) unless the window shows @page
 * within @timeout_ms. */
void          relais_test_ui_assert_page    (RelaisApplication *app,
                                             const char        *page,
                                             guint              timeout_ms);
/* Activates @action, which must be enabled now, then lets the views
 * redraw (they do so on idle). */
void          relais_test_ui_activate       (RelaisApplication *app,
                                             const char        *action,
                                             GVariant          *parameter);

/* For the tests of a widget without the application: the kiosk's
 * resources registered and its style sheet on the default display, as
 * RelaisApplication::startup does. */
void          relais_test_ui_load_style     (void);

G_END_DECLS
