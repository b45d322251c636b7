/* test-print-kiosk.c: the kiosk prints what the advisor sent, through its
 * own actions, on a CUPS scheduler started by the test
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The whole application (configuration, window, print page, RelaisPrinter)
 * runs in this process under Xvfb, a private session bus and
 * relais-netns-run (see meson.build). RELAIS_UI_SHOTS=dir saves a PNG of
 * each state there, to look at.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <poppler.h>

#include "relais-application.h"
#include "relais-print-page.h"
#include "relais-test-cups.h"
#include "relais-window.h"

#include "../relais-test-utils.h"
#include "../ui/relais-test-ui.h"

static char *config_path;
static char *session_dir;
static char *document_path;
static char *outside_path;

static RelaisPrintPage *
print_page_of (RelaisApplication *app)
{
  return relais_window_get_print_page (relais_test_ui_window_of (app));
}

static const char *
page_label (RelaisApplication *app,
            const char        *name)
{
  GObject *label = gtk_widget_get_template_child (GTK_WIDGET (print_page_of (app)),
                                                  RELAIS_TYPE_PRINT_PAGE, name);

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_label (GTK_LABEL (label));
}

static gboolean
page_widget_visible (RelaisApplication *app,
                     const char        *name)
{
  GObject *widget = gtk_widget_get_template_child (GTK_WIDGET (print_page_of (app)),
                                                   RELAIS_TYPE_PRINT_PAGE, name);

  g_assert_true (GTK_IS_WIDGET (widget));
  return gtk_widget_get_visible (GTK_WIDGET (widget));
}

/* What the page said while the job moved (the dossier's print state, as
 * the page saw it first: it connected before the test). */
typedef struct
{
  RelaisApplication *app;
  gboolean           queued;
  gboolean           printing;
} Seen;

static void
print_state_cb (RelaisDossier *dossier,
                GParamSpec    *pspec,
                Seen          *seen)
{
  switch (relais_dossier_get_print_state (dossier))
    {
    case RELAIS_PRINT_STATE_QUEUED:
      seen->queued = TRUE;
      g_assert_cmpstr (page_label (seen->app, "state_title"), ==, "L'imprimante se prépare…");
      g_assert_true (page_widget_visible (seen->app, "cancel_button"));
      g_assert_false (page_widget_visible (seen->app, "close_button"));
      break;
    case RELAIS_PRINT_STATE_PRINTING:
      seen->printing = TRUE;
      g_assert_cmpstr (page_label (seen->app, "state_title"), ==, "Impression en cours…");
      break;
    default:
      break;
    }
}

static gboolean
preview_shown (gpointer data)
{
  return relais_print_page_is_page_shown (print_page_of (data));
}

static gboolean
print_ended (gpointer data)
{
  RelaisPrintState state = relais_print_page_get_state (print_page_of (data));

  return state == RELAIS_PRINT_STATE_DONE || state == RELAIS_PRINT_STATE_FAILED;
}

/* A document from outside the session directory is refused, whatever
 * the path looks like. */
static void
assert_refused (RelaisApplication *app,
                const char        *path)
{
  const char *notice;

  g_test_message ("show-document %s", path);
  g_test_expect_message ("relais-dossier", G_LOG_LEVEL_WARNING,
                         "Refusing to show a document from outside the session directory");
  relais_test_ui_activate (app, "show-document", g_variant_new_string (path));
  g_test_assert_expected_messages ();
  g_assert_cmpstr (relais_window_get_page (relais_test_ui_window_of (app)), ==, "attract");
  notice = relais_window_get_notice (relais_test_ui_window_of (app));
  g_assert_nonnull (notice);
  g_assert_true (g_str_has_prefix (notice, "Ce document ne peut pas être ouvert."));
}

static void
scenario (RelaisApplication *app)
{
  g_autofree char *dotdot = g_build_filename (session_dir, "..", "ailleurs.pdf", NULL);
  g_autofree char *link = g_build_filename (session_dir, "lien.pdf", NULL);
  g_autofree char *output = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  PopplerDocument *printed;
  gint64 started;
  RelaisDossier *dossier = relais_context_get_dossier (relais_application_get_context (app));
  Seen seen = { app, FALSE, FALSE };
  gulong seen_id;

  assert_refused (app, "/etc/passwd");
  assert_refused (app, dotdot);
  g_assert_no_errno (symlink (outside_path, link));
  assert_refused (app, link);
  assert_refused (app, "session/attestation.pdf");

  /* The advisor's document arrives during the session (the kiosk empties
   * the session directory at start-up: nothing from before survives). */
  relais_test_cups_write_document (document_path, 3);
  relais_test_ui_activate (app, "show-document", g_variant_new_string (document_path));
  g_assert_cmpstr (relais_window_get_page (relais_test_ui_window_of (app)), ==, "print");
  /* The refusals' banner would cover the title. */
  g_assert_null (relais_window_get_notice (relais_test_ui_window_of (app)));
  g_assert_true (relais_test_wait_for (preview_shown, app, 10000));
  g_assert_cmpuint (relais_print_page_get_n_pages (print_page_of (app)), ==, 3);
  relais_test_shoot ("kiosk-print-preview", 400);

  relais_test_cups_clear_output ();
  started = g_get_monotonic_time ();
  seen_id = g_signal_connect (dossier, "notify::print-state", G_CALLBACK (print_state_cb), &seen);
  relais_test_ui_activate (app, "print-document", NULL);
  g_assert_cmpint (relais_print_page_get_state (print_page_of (app)), !=, RELAIS_PRINT_STATE_IDLE);
  g_assert_true (relais_test_wait_for (print_ended, app, 60000));
  g_signal_handler_disconnect (dossier, seen_id);
  g_test_message ("Printed in %.1f s (printing state seen: %s)", (g_get_monotonic_time () - started) / 1e6,
                  seen.printing ? "yes" : "no");
  g_assert_true (seen.queued);
  g_assert_cmpint (relais_print_page_get_state (print_page_of (app)), ==, RELAIS_PRINT_STATE_DONE);
  g_assert_cmpstr (page_label (app, "state_title"), ==, "C'est imprimé");
  g_assert_cmpstr (page_label (app, "close_label"), ==, "Terminé");
  g_assert_false (page_widget_visible (app, "cancel_button"));
  g_assert_false (page_widget_visible (app, "retry_button"));
  relais_test_shoot ("kiosk-print-done", 400);

  output = relais_test_cups_find_output ();
  g_assert_nonnull (output);
  uri = g_filename_to_uri (output, NULL, &error);
  g_assert_no_error (error);
  printed = poppler_document_new_from_file (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (poppler_document_get_n_pages (printed), ==, 3);
  g_object_unref (printed);

  /* The printer stopped: said in plain words, and Réessayer offered. */
  relais_test_cups_run ((const char *[]) { "cupsdisable", RELAIS_TEST_CUPS_PDF_QUEUE, NULL });
  relais_test_ui_activate (app, "print-document", NULL);
  g_assert_true (relais_test_wait_for (print_ended, app, 60000));
  relais_test_cups_run ((const char *[]) { "cupsenable", RELAIS_TEST_CUPS_PDF_QUEUE, NULL });
  g_assert_cmpint (relais_print_page_get_state (print_page_of (app)), ==, RELAIS_PRINT_STATE_FAILED);
  g_assert_cmpstr (page_label (app, "state_detail"), ==,
                   "L'imprimante est arrêtée. Demandez à l'agent d'accueil de vérifier l'imprimante.");
  relais_test_shoot ("kiosk-print-stopped", 400);

  /* Réessayer, now that the printer is back. */
  relais_test_ui_activate (app, "print-document", NULL);
  g_assert_true (relais_test_wait_for (print_ended, app, 60000));
  g_assert_cmpint (relais_print_page_get_state (print_page_of (app)), ==, RELAIS_PRINT_STATE_DONE);

  /* Terminé: back where the session was. */
  relais_test_ui_activate (app, "close-document", NULL);
  g_assert_cmpstr (relais_window_get_page (relais_test_ui_window_of (app)), ==, "attract");
  g_assert_cmpuint (relais_test_cups_count_jobs (RELAIS_TEST_CUPS_PDF_QUEUE), ==, 0);
}

static void
activate_after_cb (GApplication *application,
                   gpointer      user_data)
{
  RelaisApplication *app = RELAIS_APPLICATION (application);

  g_assert_true (relais_test_wait_for (relais_test_ui_window_ready, app, 10000));
  scenario (app);
  g_application_quit (application);
}

static void
hook_cb (RelaisApplication *app,
         gpointer           user_data)
{
  g_signal_connect_after (app, "activate", G_CALLBACK (activate_after_cb), NULL);
}

static void
test_print_from_kiosk (void)
{
  char *argv[] = { (char *) "relais-kiosk", (char *) "--config", config_path, NULL };

  g_assert_cmpint (relais_kiosk_main (3, argv, hook_cb, NULL), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *runtime_dir = NULL;
  g_autofree char *store = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *dir;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Environment first: setenv is not thread-safe. */
  relais_test_cups_start ();
  dir = relais_test_cups_get_dir ();
  runtime_dir = g_build_filename (dir, "runtime", NULL);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);
  for (const char * const *name = (const char * const[]) { "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", NULL };
       *name != NULL; name++)
    {
      g_autofree char *path = g_build_filename (dir, *name, NULL);

      g_setenv (*name, path, TRUE);
    }

  session_dir = g_build_filename (runtime_dir, "relais", "session", NULL);
  g_assert_no_errno (g_mkdir_with_parents (session_dir, 0700));
  g_assert_no_errno (g_chmod (runtime_dir, 0700));
  document_path = g_build_filename (session_dir, "attestation.pdf", NULL);
  outside_path = g_build_filename (runtime_dir, "relais", "ailleurs.pdf", NULL);
  relais_test_cups_write_document (outside_path, 1);

  store = g_build_filename (dir, "relais.db", NULL);
  config_path = g_build_filename (dir, "kiosk.conf", NULL);
  contents = g_strdup_printf ("[kiosk]\nstore-path=%s\n[printer]\nname=%s\n",
                              store, RELAIS_TEST_CUPS_PDF_QUEUE);
  g_file_set_contents (config_path, contents, -1, &error);
  g_assert_no_error (error);

  g_test_add_func ("/print/kiosk", test_print_from_kiosk);
  status = g_test_run ();

  relais_test_cups_stop ();
  if (status == 0)
    relais_test_cups_remove_dir ();

  g_free (config_path);
  g_free (session_dir);
  g_free (document_path);
  g_free (outside_path);
  return status;
}
