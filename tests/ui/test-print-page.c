/* test-print-page.c: the print page on its own, watching a RelaisDossier,
 * with the application's print actions played by the test and no CUPS
 * scheduler (the printing fails as it does when CUPS is down;
 * ../integration/test-print-kiosk prints for real)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RELAIS_UI_SHOTS=dir saves a PNG of each state there, to look at.
 */
#include "config.h"

#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "relais-print-page.h"
#include "relais-session-dir.h"

#include "relais-test-ui.h"
#include "../relais-test-utils.h"

static char *test_dir;
static char *session_dir;

typedef struct
{
  RelaisContext   *context;
  RelaisDossier   *dossier;
  RelaisPrintPage *page;
  guint            print_requests;
  guint            close_requests;
  guint            cancel_requests;
  RelaisPrintState wanted;
} Fixture;

/* A letter-like A4 document: a title and lines of text on each page. */
static char *
write_document (const char *name,
                guint       n_pages)
{
  char *path = g_build_filename (session_dir, name, NULL);
  cairo_surface_t *surface = cairo_pdf_surface_create (path, 595.0, 842.0);
  cairo_t *cr = cairo_create (surface);

  cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  for (guint i = 1; i <= n_pages; i++)
    {
      g_autofree char *title = g_strdup_printf ("Page %u : attestation", i);

      cairo_set_source_rgb (cr, 0, 0.19, 0.54);
      cairo_rectangle (cr, 0, 0, 595, 90);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_set_font_size (cr, 30);
      cairo_move_to (cr, 56, 58);
      cairo_show_text (cr, title);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      cairo_set_font_size (cr, 14);
      for (int line = 0; line < 24; line++)
        {
          cairo_move_to (cr, 56, 150 + line * 24);
          cairo_show_text (cr, "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do.");
        }
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return path;
}

static void
print_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  Fixture *fixture = user_data;

  fixture->print_requests++;
  relais_dossier_print (fixture->dossier);
}

static void
close_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  Fixture *fixture = user_data;

  fixture->close_requests++;
  relais_dossier_close_document (fixture->dossier);
}

static void
cancel_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  Fixture *fixture = user_data;

  fixture->cancel_requests++;
  relais_dossier_cancel_print (fixture->dossier);
}

/* A kiosk's context (store in the test's directory, the sample service
 * directory) and its dossier. */
static RelaisContext *
context_new (void)
{
  g_autofree char *store = g_build_filename (test_dir, "relais.db", NULL);
  g_autofree char *data = g_strdup_printf ("[kiosk]\nstore-path=%s\n", store);
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  RelaisContext *context;

  config = relais_config_new_from_data (data, "kiosk.conf", &error);
  g_assert_no_error (error);
  context = relais_context_new (config, &error);
  g_assert_no_error (error);
  return context;
}

static gboolean
print_state_is (gpointer data)
{
  Fixture *fixture = data;

  return relais_dossier_get_print_state (fixture->dossier) == fixture->wanted;
}

static gboolean
page_shown (gpointer data)
{
  return relais_print_page_is_page_shown (data);
}

static GtkWidget *
child (RelaisPrintPage *page,
       const char      *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (page), RELAIS_TYPE_PRINT_PAGE, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
swipe (RelaisPrintPage *page,
       double           velocity_x)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (child (page, "preview_stack"));
  gboolean found = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_SWIPE (controller))
        {
          g_signal_emit_by_name (controller, "swipe", velocity_x, 0.0);
          found = TRUE;
        }
    }
  g_assert_true (found);
}

static const char *
label_text (RelaisPrintPage *page,
            const char      *name)
{
  return gtk_label_get_label (GTK_LABEL (child (page, name)));
}

static const char *
visible_view (RelaisPrintPage *page)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (child (page, "views")));
}

static void
test_print_page (void)
{
  g_autofree char *document = write_document ("attestation.pdf", 3);
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  Fixture fixture = { 0 };
  const GActionEntry entries[] = {
    { "print-document", print_action, NULL, NULL, NULL },
    { "close-document", close_action, NULL, NULL, NULL },
    { "cancel-print", cancel_action, NULL, NULL, NULL },
  };
  GtkWidget *window = gtk_window_new ();
  GtkPicture *picture;
  GdkPaintable *first;
  gint64 started;

  fixture.context = context_new ();
  fixture.dossier = relais_context_get_dossier (fixture.context);
  fixture.page = RELAIS_PRINT_PAGE (relais_print_page_new (fixture.context));
  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), &fixture);
  gtk_widget_insert_action_group (window, "app", G_ACTION_GROUP (group));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (fixture.page));
  gtk_window_present (GTK_WINDOW (window));

  started = g_get_monotonic_time ();
  g_assert_true (relais_dossier_show_document (fixture.dossier, document));
  g_assert_true (relais_test_wait_for (page_shown, fixture.page, 10000));
  g_test_message ("First page on screen after %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - started) / 1000);
  g_assert_cmpstr (visible_view (fixture.page), ==, "preview");
  g_assert_cmpuint (relais_print_page_get_n_pages (fixture.page), ==, 3);
  g_assert_cmpuint (relais_print_page_get_current_page (fixture.page), ==, 0);
  g_assert_cmpstr (label_text (fixture.page, "page_label"), ==, "Page 1 sur 3");
  g_assert_false (gtk_widget_get_sensitive (child (fixture.page, "prev_button")));
  g_assert_true (gtk_widget_get_sensitive (child (fixture.page, "next_button")));
  picture = GTK_PICTURE (child (fixture.page, "picture"));
  first = gtk_picture_get_paintable (picture);
  g_assert_nonnull (first);
  /* A4 proportions. */
  g_assert_cmpfloat (gdk_paintable_get_intrinsic_aspect_ratio (first), >, 0.69);
  g_assert_cmpfloat (gdk_paintable_get_intrinsic_aspect_ratio (first), <, 0.72);
  relais_test_shoot ("print-preview-1", 400);

  /* › twice, then ‹ once. */
  click (child (fixture.page, "next_button"));
  g_assert_cmpuint (relais_print_page_get_current_page (fixture.page), ==, 1);
  g_assert_true (relais_test_wait_for (page_shown, fixture.page, 10000));
  g_assert_cmpstr (label_text (fixture.page, "page_label"), ==, "Page 2 sur 3");
  g_assert_true (gtk_picture_get_paintable (picture) != first);
  click (child (fixture.page, "next_button"));
  g_assert_true (relais_test_wait_for (page_shown, fixture.page, 10000));
  g_assert_cmpstr (label_text (fixture.page, "page_label"), ==, "Page 3 sur 3");
  g_assert_false (gtk_widget_get_sensitive (child (fixture.page, "next_button")));
  g_assert_true (gtk_widget_get_sensitive (child (fixture.page, "prev_button")));
  relais_test_shoot ("print-preview-3", 400);
  click (child (fixture.page, "prev_button"));
  g_assert_true (relais_test_wait_for (page_shown, fixture.page, 10000));
  g_assert_cmpstr (label_text (fixture.page, "page_label"), ==, "Page 2 sur 3");

  /* A swipe to the left turns to the next page, to the right back. */
  swipe (fixture.page, -900.0);
  g_assert_cmpuint (relais_print_page_get_current_page (fixture.page), ==, 2);
  g_assert_true (relais_test_wait_for (page_shown, fixture.page, 10000));
  swipe (fixture.page, 900.0);
  g_assert_cmpuint (relais_print_page_get_current_page (fixture.page), ==, 1);
  swipe (fixture.page, 50.0);
  g_assert_cmpuint (relais_print_page_get_current_page (fixture.page), ==, 1);

  /* Imprimer: the action, then the progress the dossier reports. */
  click (child (fixture.page, "print_button"));
  g_assert_cmpuint (fixture.print_requests, ==, 1);
  g_assert_cmpstr (visible_view (fixture.page), ==, "progress");
  g_assert_cmpint (relais_print_page_get_state (fixture.page), ==, RELAIS_PRINT_STATE_SENDING);
  g_assert_cmpstr (label_text (fixture.page, "state_title"), ==, "Envoi à l'imprimante…");
  g_assert_true (gtk_widget_get_visible (child (fixture.page, "cancel_button")));
  g_assert_false (gtk_widget_get_visible (child (fixture.page, "close_button")));

  /* Annuler l'impression goes back to the preview. (Queued, printing
   * and done need a scheduler: test-print-kiosk.) */
  click (child (fixture.page, "cancel_button"));
  g_assert_cmpuint (fixture.cancel_requests, ==, 1);
  fixture.wanted = RELAIS_PRINT_STATE_IDLE;
  g_assert_true (relais_test_wait_for (print_state_is, &fixture, 30000));
  g_assert_cmpstr (visible_view (fixture.page), ==, "preview");

  /* No scheduler: said in plain words, Réessayer and Fermer offered. */
  click (child (fixture.page, "print_button"));
  g_assert_cmpuint (fixture.print_requests, ==, 2);
  fixture.wanted = RELAIS_PRINT_STATE_FAILED;
  g_assert_true (relais_test_wait_for (print_state_is, &fixture, 30000));
  g_assert_cmpstr (visible_view (fixture.page), ==, "progress");
  g_assert_cmpstr (label_text (fixture.page, "state_title"), ==, "Le document n'a pas été imprimé");
  g_assert_cmpstr (label_text (fixture.page, "state_detail"), ==,
                   "Le service d'impression de la borne ne répond pas. "
                   "Demandez à l'agent d'accueil de vérifier l'imprimante.");
  g_assert_true (gtk_widget_get_visible (child (fixture.page, "retry_button")));
  g_assert_true (gtk_widget_get_visible (child (fixture.page, "close_button")));
  g_assert_false (gtk_widget_get_visible (child (fixture.page, "cancel_button")));
  g_assert_cmpstr (label_text (fixture.page, "close_label"), ==, "Fermer");
  relais_test_shoot ("print-error", 400);
  click (child (fixture.page, "retry_button"));
  g_assert_cmpuint (fixture.print_requests, ==, 3);
  g_assert_true (relais_test_wait_for (print_state_is, &fixture, 30000));

  /* Fermer: the document goes. */
  click (child (fixture.page, "close_button"));
  g_assert_cmpuint (fixture.close_requests, ==, 1);
  g_assert_null (relais_dossier_get_document_path (fixture.dossier));
  g_assert_cmpuint (relais_print_page_get_n_pages (fixture.page), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  relais_test_spin (50);
  g_assert_finalize_object (fixture.context);
}

static gboolean
preview_broken (gpointer data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (child (data, "preview_stack"))), "broken") == 0;
}

static void
test_broken_document (void)
{
  g_autofree char *path = g_build_filename (session_dir, "abime.pdf", NULL);
  g_autofree char *single = write_document ("une-page.pdf", 1);
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  RelaisContext *context = context_new ();
  RelaisDossier *dossier = relais_context_get_dossier (context);
  RelaisPrintPage *page = RELAIS_PRINT_PAGE (relais_print_page_new (context));

  g_file_set_contents (path, "%PDF-1.7\nplus rien\n", -1, &error);
  g_assert_no_error (error);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));

  g_assert_true (relais_dossier_show_document (dossier, path));
  g_assert_true (relais_test_wait_for (preview_broken, page, 10000));
  g_assert_false (gtk_widget_get_visible (child (page, "print_button")));
  relais_test_shoot ("print-broken", 400);

  /* The next document replaces it; a single page has no ‹ ›. */
  g_assert_true (relais_dossier_show_document (dossier, single));
  g_assert_true (relais_test_wait_for (page_shown, page, 10000));
  g_assert_true (gtk_widget_get_visible (child (page, "print_button")));
  g_assert_false (gtk_widget_get_visible (child (page, "next_button")));
  g_assert_cmpstr (label_text (page, "page_label"), ==, "Page 1 sur 1");

  /* A document swapped while its pages are drawn: only the new one shows. */
  g_assert_true (relais_dossier_show_document (dossier, path));
  g_assert_true (relais_dossier_show_document (dossier, single));
  g_assert_true (relais_test_wait_for (page_shown, page, 10000));
  relais_test_spin (200);
  g_assert_false (preview_broken (page));

  gtk_window_destroy (GTK_WINDOW (window));
  relais_test_spin (50);
  g_assert_finalize_object (context);
}

/* A page 40 times wider than tall (a banner, or a hostile document): in
 * the kiosk's process, 900 pixels high made it wider than cairo draws,
 * the texture was NULL and the page was drawn again forever (issue 12,
 * item 6). The PDF helper draws it within bounds, and it shows. */
static void
test_wide_page (void)
{
  g_autofree char *path = g_build_filename (session_dir, "banderole.pdf", NULL);
  GtkWidget *window = gtk_window_new ();
  RelaisContext *context = context_new ();
  RelaisDossier *dossier = relais_context_get_dossier (context);
  RelaisPrintPage *page = RELAIS_PRINT_PAGE (relais_print_page_new (context));
  cairo_surface_t *surface = cairo_pdf_surface_create (path, 14400.0, 360.0);
  cairo_t *cr = cairo_create (surface);
  GdkPaintable *shown;

  cairo_set_source_rgb (cr, 0, 0.19, 0.54);
  cairo_rectangle (cr, 0, 0, 7200, 360);
  cairo_fill (cr);
  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));

  g_assert_true (relais_dossier_show_document (dossier, path));
  g_assert_true (relais_test_wait_for (page_shown, page, 10000));
  shown = gtk_picture_get_paintable (GTK_PICTURE (child (page, "picture")));
  g_test_message ("wide page drawn %dx%d", gdk_paintable_get_intrinsic_width (shown),
                  gdk_paintable_get_intrinsic_height (shown));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (shown), <=, 4096);
  g_assert_cmpfloat (gdk_paintable_get_intrinsic_aspect_ratio (shown), >, 36.0);
  g_assert_true (gtk_widget_get_visible (child (page, "print_button")));
  relais_test_shoot ("print-wide", 400);

  gtk_window_destroy (GTK_WINDOW (window));
  relais_test_spin (50);
  g_assert_finalize_object (context);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *runtime_dir = NULL;
  g_autofree char *socket_path = NULL;
  int status;

  /* Environment first (setenv is not thread-safe): the session directory
   * under a runtime directory of the test's own, and a CUPS scheduler
   * that is not there. */
  test_dir = g_dir_make_tmp ("relais-test-print-page-XXXXXX", NULL);
  g_assert_nonnull (test_dir);
  runtime_dir = g_build_filename (test_dir, "runtime", NULL);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);
  socket_path = g_build_filename (test_dir, "no-cups.sock", NULL);
  g_setenv ("CUPS_SERVER", socket_path, TRUE);
  session_dir = relais_session_dir_get_default ();
  g_assert_true (relais_session_dir_ensure (session_dir, NULL));

  gtk_test_init (&argc, &argv, NULL);
  relais_test_ui_load_style ();

  g_test_add_func ("/print-page/preview-and-progress", test_print_page);
  g_test_add_func ("/print-page/broken-document", test_broken_document);
  g_test_add_func ("/print-page/wide-page", test_wide_page);
  status = g_test_run ();

  {
    g_autofree char *quoted = g_shell_quote (test_dir);
    g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (test_dir);
  g_free (session_dir);
  return status;
}
