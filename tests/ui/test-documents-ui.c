/* test-documents-ui.c: the call page's Document button (the documents
 * work): it opens the scan page through app.scan-document, says what it
 * does, and is a large target; in a window with no such action it cannot
 * be pressed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "config.h"

#include <gst/gst.h>
#include <gtk/gtk.h>

#include "relais-call-page.h"

#include "relais-test-ui.h"
#include "../relais-test-utils.h"

static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action_name)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action_name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
activated_cb (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  (*(guint *) user_data)++;
}

static void
test_document_button (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = relais_call_page_new (NULL);
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) action = g_simple_action_new ("scan-document", NULL);
  GtkWidget *button;
  const char *tooltip;
  int min_height = 0;
  guint activated = 0;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  relais_test_spin (300);

  button = find_action_button (page, "app.scan-document");
  g_assert_nonnull (button);
  tooltip = gtk_widget_get_tooltip_text (button);
  g_assert_cmpstr (tooltip, ==, "Envoyer un document à votre conseiller");
  gtk_widget_measure (button, GTK_ORIENTATION_VERTICAL, -1, &min_height, NULL, NULL, NULL);
  g_assert_cmpint (min_height, >=, 64);

  /* Without the application's action it cannot be pressed… */
  g_assert_false (gtk_widget_is_sensitive (button));

  /* …with it, a press reaches it. */
  g_signal_connect (action, "activate", G_CALLBACK (activated_cb), &activated);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
  gtk_widget_insert_action_group (window, "app", G_ACTION_GROUP (group));
  relais_test_spin (100);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate (button));
  relais_test_spin (600);   /* a keyboard activation shows the press for 250 ms first */
  g_assert_cmpuint (activated, ==, 1);

  g_simple_action_set_enabled (action, FALSE);
  relais_test_spin (100);
  g_assert_false (gtk_widget_is_sensitive (button));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{

  gst_init (&argc, &argv);
  gtk_test_init (&argc, &argv, NULL);
  relais_test_ui_load_style ();

  g_test_add_func ("/documents/call-page-button", test_document_button);

  return g_test_run ();
}
