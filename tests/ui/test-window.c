/* test-window.c: the window chooses its page itself, from the session's
 * state and what is shown over it, without the application
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>

#include "relais-window.h"

#include "relais-test-ui.h"
#include "../relais-test-utils.h"

typedef struct
{
  char          *dir;
  RelaisContext *context;
  RelaisSession *session;
  RelaisWindow  *window;
  guint          overlay_notified;
  guint          waiting_notified;
} Fixture;

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *counter)
{
  (*counter)++;
}

static gboolean
is_drawn (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *text = NULL;

  relais_test_store_dir ("relais-test-window-XXXXXX", &f->dir, &store_path);
  text = g_strdup_printf ("[kiosk]\nstore-path=%s\n", store_path);
  config = relais_config_new_from_data (text, "kiosk.conf", &error);
  g_assert_no_error (error);
  f->context = relais_context_new (config, &error);
  g_assert_no_error (error);
  f->session = relais_context_get_session (f->context);

  f->window = relais_window_new (NULL, f->context);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  g_signal_connect (f->window, "notify::overlay", G_CALLBACK (count_cb), &f->overlay_notified);
  g_signal_connect (f->window, "notify::waiting", G_CALLBACK (count_cb), &f->waiting_notified);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (relais_test_wait_for (is_drawn, f->window, 10000));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  relais_test_spin (100);
  g_assert_null (f->window);
  g_assert_finalize_object (f->context);
  relais_test_remove_dir (f->dir);
  g_free (f->dir);
}

static void
handle (Fixture            *f,
        RelaisSessionEvent  event)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_session_handle (f->session, event, &error));
  g_assert_no_error (error);
}

static void
assert_page (Fixture    *f,
             const char *page)
{
  g_assert_cmpstr (relais_window_get_page (f->window), ==, page);
}

/* Every state has its page, and the session's changes alone move it. */
static void
test_states (Fixture       *f,
             gconstpointer  data)
{
  assert_page (f, "attract");
  handle (f, RELAIS_SESSION_EVENT_AGENT_REQUEST);
  assert_page (f, "unlock");
  handle (f, RELAIS_SESSION_EVENT_UNLOCKED);
  assert_page (f, "desk");
  handle (f, RELAIS_SESSION_EVENT_TICKET_CALLED);
  assert_page (f, "your-turn");
  handle (f, RELAIS_SESSION_EVENT_PERSON_PRESENT);
  assert_page (f, "precall");
  handle (f, RELAIS_SESSION_EVENT_START_CALL);
  assert_page (f, "call");
  handle (f, RELAIS_SESSION_EVENT_CALL_OVER);
  assert_page (f, "call-ended");
  handle (f, RELAIS_SESSION_EVENT_SESSION_ENDED);
  assert_page (f, "survey");
  handle (f, RELAIS_SESSION_EVENT_SURVEY_DONE);
  assert_page (f, "attract");
}

/* What is shown over a state's page: only where it belongs (the figures
 * over the desk, the scan page and the wait over the call), the advisor's
 * document over anything; the properties notify on change only. */
static void
test_overlays (Fixture       *f,
               gconstpointer  data)
{
  relais_window_set_overlay (f->window, RELAIS_WINDOW_OVERLAY_FIGURES);
  assert_page (f, "attract");
  relais_window_set_overlay (f->window, RELAIS_WINDOW_OVERLAY_PRINT);
  assert_page (f, "print");
  relais_window_set_overlay (f->window, RELAIS_WINDOW_OVERLAY_NONE);
  assert_page (f, "attract");
  g_assert_cmpuint (f->overlay_notified, ==, 3);
  relais_window_set_overlay (f->window, RELAIS_WINDOW_OVERLAY_NONE);
  g_assert_cmpuint (f->overlay_notified, ==, 3);

  handle (f, RELAIS_SESSION_EVENT_AGENT_REQUEST);
  handle (f, RELAIS_SESSION_EVENT_UNLOCKED);
  g_object_set (f->window, "overlay", RELAIS_WINDOW_OVERLAY_FIGURES, NULL);
  assert_page (f, "figures");
  g_assert_cmpint (relais_window_get_overlay (f->window), ==, RELAIS_WINDOW_OVERLAY_FIGURES);
  relais_window_set_overlay (f->window, RELAIS_WINDOW_OVERLAY_NONE);
  assert_page (f, "desk");

  handle (f, RELAIS_SESSION_EVENT_TICKET_CALLED);
  handle (f, RELAIS_SESSION_EVENT_PERSON_PRESENT);
  handle (f, RELAIS_SESSION_EVENT_START_CALL);
  relais_window_set_waiting (f->window, TRUE);
  relais_window_set_waiting (f->window, TRUE);
  g_assert_cmpuint (f->waiting_notified, ==, 1);
  assert_page (f, "wait");
  relais_window_set_overlay (f->window, RELAIS_WINDOW_OVERLAY_SCAN);
  assert_page (f, "scan");
  relais_window_set_overlay (f->window, RELAIS_WINDOW_OVERLAY_PRINT);
  assert_page (f, "print");
  relais_window_set_overlay (f->window, RELAIS_WINDOW_OVERLAY_NONE);
  assert_page (f, "wait");
  relais_window_set_waiting (f->window, FALSE);
  assert_page (f, "call");

  /* The waiting means nothing once the call is over. */
  relais_window_set_waiting (f->window, TRUE);
  handle (f, RELAIS_SESSION_EVENT_CALL_OVER);
  assert_page (f, "call-ended");
  g_assert_true (relais_window_get_waiting (f->window));
}

/* Alt+F4 and friends: the window goes only from the unlocked desk. */
static void
test_close (Fixture       *f,
            gconstpointer  data)
{
  gtk_window_close (GTK_WINDOW (f->window));
  relais_test_spin (100);
  g_assert_nonnull (f->window);

  handle (f, RELAIS_SESSION_EVENT_AGENT_REQUEST);
  gtk_window_close (GTK_WINDOW (f->window));
  relais_test_spin (100);
  g_assert_nonnull (f->window);

  handle (f, RELAIS_SESSION_EVENT_UNLOCKED);
  gtk_window_close (GTK_WINDOW (f->window));
  relais_test_spin (100);
  g_assert_null (f->window);
}

/* The GTK Inspector's key bindings (Ctrl+Shift+I, Ctrl+Shift+D) open no
 * window: it would show any page, the agent desk included, without the
 * PIN. The key press goes through GtkWindow's own binding signal, the one
 * the keys emit. */
static void
test_no_inspector (Fixture       *f,
                   gconstpointer  data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint before = g_list_model_get_n_items (toplevels);
  gboolean handled = FALSE;

  g_signal_emit_by_name (f->window, "enable-debugging", FALSE, &handled);
  relais_test_spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (toplevels), ==, before);

  g_signal_emit_by_name (f->window, "enable-debugging", TRUE, &handled);
  relais_test_spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (toplevels), ==, before);
  g_assert_cmpstr (relais_window_get_page (f->window), ==, "attract");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  relais_test_ui_load_style ();

  g_test_add ("/window/states", Fixture, NULL, fixture_setup, test_states, fixture_teardown);
  g_test_add ("/window/overlays", Fixture, NULL, fixture_setup, test_overlays, fixture_teardown);
  g_test_add ("/window/close", Fixture, NULL, fixture_setup, test_close, fixture_teardown);
  g_test_add ("/window/no-inspector", Fixture, NULL, fixture_setup, test_no_inspector, fixture_teardown);

  return g_test_run ();
}
