/* test-scan-page.c: the walk-in's scan page on its own, driven the way
 * the kiosk will drive it (scans and sends answered by the test).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RELAIS_UI_SHOTS=dir saves a PNG of each state there, to look at.
 */
#include "config.h"

#include <gtk/gtk.h>

#include "relais-scan-page.h"
#include "relais-text-page.h"

#include "relais-test-ui.h"
#include "../relais-test-utils.h"

typedef struct
{
  guint scans;
  guint cancels;
  guint sends;
  guint closes;
} Asked;

static void
scan_requested_cb (RelaisScanPage *page,
                   Asked          *asked)
{
  asked->scans++;
}

static void
cancel_requested_cb (RelaisScanPage *page,
                     Asked          *asked)
{
  asked->cancels++;
}

static void
send_requested_cb (RelaisScanPage *page,
                   Asked          *asked)
{
  asked->sends++;
}

static void
closed_cb (RelaisScanPage *page,
           Asked          *asked)
{
  asked->closes++;
}

/* Finds the button showing @label (its own label, or a label inside). */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && gtk_widget_is_drawable (child))
        {
          const char *own = gtk_button_get_label (GTK_BUTTON (child));

          if (g_strcmp0 (own, label) == 0)
            return child;
        }
      if (GTK_IS_LABEL (child) && gtk_widget_is_drawable (child) &&
          g_strcmp0 (gtk_label_get_label (GTK_LABEL (child)), label) == 0)
        {
          GtkWidget *up = child;

          while (up != NULL && !GTK_IS_BUTTON (up))
            up = gtk_widget_get_parent (up);
          if (up != NULL)
            return up;
        }
      found = find_button (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
click (GtkWidget  *page,
       const char *label)
{
  GtkWidget *button;

  relais_test_spin (50);
  button = find_button (page, label);
  if (button == NULL)
    g_error ("no visible button “%s”", label);
  g_signal_emit_by_name (button, "clicked");
  relais_test_spin (50);
}

static GPtrArray *
pages_of (guint n,
          gboolean scanned)
{
  GPtrArray *pages = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_page_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (pages, relais_text_page_new (75, scanned));
  return pages;
}

static const char *
visible (GtkWidget *page)
{
  GtkWidget *stack = gtk_widget_get_first_child (page);

  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static void
test_journey (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *widget = relais_scan_page_new ();
  RelaisScanPage *page = RELAIS_SCAN_PAGE (widget);
  RelaisDocument *document = relais_scan_page_get_document (page);
  Asked asked = { 0 };

  g_object_ref (widget);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), widget);
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (page, "scan-requested", G_CALLBACK (scan_requested_cb), &asked);
  g_signal_connect (page, "cancel-requested", G_CALLBACK (cancel_requested_cb), &asked);
  g_signal_connect (page, "send-requested", G_CALLBACK (send_requested_cb), &asked);
  g_signal_connect (page, "closed", G_CALLBACK (closed_cb), &asked);
  relais_scan_page_set_service_name (page, "la CAF");

  /* 1. Place the paper. */
  g_assert_cmpstr (visible (widget), ==, "place");
  relais_test_shoot ("scan-1-place", 400);

  /* 2. Scan: a large bar; cancel goes back. */
  click (widget, "Numériser");
  g_assert_cmpuint (asked.scans, ==, 1);
  g_assert_cmpstr (visible (widget), ==, "progress");
  relais_scan_page_set_scan_progress (page, 0, 0.42);
  relais_test_shoot ("scan-2-scanning", 400);
  click (widget, "Annuler");
  g_assert_cmpuint (asked.cancels, ==, 1);
  relais_scan_page_scan_failed (page, NULL);
  g_assert_cmpstr (visible (widget), ==, "place");

  /* A scanner error says what to do. */
  click (widget, "Numériser");
  relais_scan_page_scan_failed (page, "Le capot du scanner est ouvert. Fermez-le, puis réessayez.");
  g_assert_cmpstr (visible (widget), ==, "outcome");
  relais_test_shoot ("scan-3-error", 400);
  click (widget, "Réessayer");
  g_assert_cmpstr (visible (widget), ==, "place");

  /* 3. Two pages in, one more added, the second retaken, the third removed. */
  click (widget, "Numériser");
  {
    g_autoptr(GPtrArray) pages = pages_of (2, FALSE);

    relais_scan_page_scan_done (page, pages);
  }
  g_assert_cmpstr (visible (widget), ==, "review");
  g_assert_cmpuint (relais_document_get_n_pages (document), ==, 2);
  relais_test_shoot ("scan-4-review", 400);

  click (widget, "Ajouter une page");
  g_assert_cmpstr (visible (widget), ==, "place");
  g_assert_cmpint (relais_scan_page_get_retake_index (page), ==, -1);
  click (widget, "Numériser");
  {
    g_autoptr(GPtrArray) pages = pages_of (1, TRUE);

    relais_scan_page_scan_done (page, pages);
  }
  g_assert_cmpuint (relais_document_get_n_pages (document), ==, 3);

  click (widget, "Page 2");
  click (widget, "Refaire cette page");
  g_assert_cmpint (relais_scan_page_get_retake_index (page), ==, 1);
  click (widget, "Numériser");
  {
    g_autoptr(GPtrArray) pages = pages_of (1, TRUE);
    RelaisPage *retaken = g_ptr_array_index (pages, 0);

    relais_scan_page_scan_done (page, pages);
    g_assert_true (relais_document_get_page (document, 1) == retaken);
  }
  g_assert_cmpuint (relais_document_get_n_pages (document), ==, 3);

  click (widget, "Page 3");
  click (widget, "Retirer cette page");
  g_assert_cmpuint (relais_document_get_n_pages (document), ==, 2);

  /* 4. Consent, naming the service; "no" changes nothing. */
  click (widget, "Envoyer");
  g_assert_cmpstr (visible (widget), ==, "consent");
  relais_test_shoot ("scan-5-consent", 400);
  click (widget, "Non, revenir");
  g_assert_cmpstr (visible (widget), ==, "review");
  g_assert_cmpuint (asked.sends, ==, 0);
  click (widget, "Envoyer");
  click (widget, "Oui, envoyer");
  g_assert_cmpuint (asked.sends, ==, 1);

  /* 5. Sending, a failure, a retry, then done. */
  relais_scan_page_set_send_progress (page, 0.6);
  relais_test_shoot ("scan-6-sending", 400);
  relais_scan_page_send_failed (page, "La connexion est trop lente : le message n’a pas pu partir.");
  g_assert_cmpstr (visible (widget), ==, "outcome");
  click (widget, "Réessayer");
  g_assert_cmpuint (asked.sends, ==, 2);
  relais_scan_page_send_done (page);
  g_assert_cmpstr (visible (widget), ==, "outcome");
  relais_test_shoot ("scan-7-sent", 400);
  click (widget, "Retour à l’appel");
  g_assert_cmpuint (asked.closes, ==, 1);

  /* The person's pages go with the session. */
  relais_scan_page_reset (page);
  g_assert_cmpuint (relais_document_get_n_pages (document), ==, 0);
  g_assert_cmpstr (visible (widget), ==, "place");

  /* No scanner: the camera's words and pictogram. */
  relais_scan_page_set_camera_mode (page, TRUE);
  g_assert_nonnull (find_button (widget, "Photographier"));
  relais_test_shoot ("scan-8-camera", 400);

  gtk_window_destroy (GTK_WINDOW (window));
  relais_test_spin (50);
  g_assert_finalize_object (widget);
}

int
main (int   argc,
      char *argv[])
{

  gtk_test_init (&argc, &argv, NULL);
  relais_test_ui_load_style ();

  g_test_add_func ("/scan-page/journey", test_journey);

  return g_test_run ();
}
