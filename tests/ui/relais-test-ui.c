/* relais-test-ui.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-test-ui"

#include "config.h"

#include "relais-resources.h"
#include "relais-test-ui.h"
#include "../relais-test-utils.h"

RelaisWindow *
relais_test_ui_window_of (RelaisApplication *app)
{
  return RELAIS_WINDOW (relais_application_get_main_window (app));
}

gboolean
relais_test_ui_page_is (gpointer data)
{
  RelaisTestUiWait *wait = data;
  RelaisWindow *window = relais_test_ui_window_of (wait->app);

  return window != NULL && g_strcmp0 (relais_window_get_page (window), wait->name) == 0;
}

gboolean
relais_test_ui_action_enabled (gpointer data)
{
  RelaisTestUiWait *wait = data;

  return g_action_group_get_action_enabled (G_ACTION_GROUP (wait->app), wait->name);
}

gboolean
relais_test_ui_window_ready (gpointer data)
{
  RelaisWindow *window = relais_test_ui_window_of (data);

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window)) &&
         gtk_widget_get_width (GTK_WIDGET (window)) > 0;
}

void
relais_test_ui_assert_page (RelaisApplication *app,
                            const char        *page,
                            guint              timeout_ms)
{
  RelaisTestUiWait wait = { app, page };

  if (!relais_test_wait_for (relais_test_ui_page_is, &wait, timeout_ms))
    g_error ("expected page %s, got %s", page,
             relais_window_get_page (relais_test_ui_window_of (app)));
}

void
relais_test_ui_activate (RelaisApplication *app,
                         const char        *action,
                         GVariant          *parameter)
{
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), action));
  g_action_group_activate_action (G_ACTION_GROUP (app), action, parameter);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

void
relais_test_ui_load_style (void)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  relais_register_resource ();
  gtk_css_provider_load_from_resource (css, "/org/relais/Kiosk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}
