/* test-scan-page.c: the walk-in's scan page on its own, watching a
 * RelaisDossier that scans with the SANE test backend and sends over a
 * loopback call; the application's document actions are played by the
 * test.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RELAIS_UI_SHOTS=dir saves a PNG of each state there, to look at.
 */
#include "config.h"

#include <gst/gst.h>
#include <gtk/gtk.h>
#include <string.h>

#include "relais-scan-page.h"
#include "relais-session-dir.h"
#include "relais-transfer.h"

#include "relais-test-ui.h"
#include "../relais-test-call-pair.h"
#include "../relais-test-document.h"
#include "../relais-test-utils.h"

static char *test_dir;

typedef struct
{
  RelaisDossier *dossier;
  guint          scans;
  guint          cancels;
  guint          sends;
  guint          closes;
} Asked;

/* The application's actions, as relais-application.c wires them. */
static void
scan_page_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  Asked *asked = user_data;

  asked->scans++;
  relais_dossier_scan_async (asked->dossier, NULL, NULL, NULL);
}

static void
cancel_scan_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  Asked *asked = user_data;

  asked->cancels++;
  relais_dossier_cancel (asked->dossier);
}

static void
send_document_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  Asked *asked = user_data;

  asked->sends++;
  relais_dossier_send_async (asked->dossier, NULL, NULL, NULL);
}

static void
close_scan_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  Asked *asked = user_data;

  asked->closes++;
  relais_dossier_clear_pages (asked->dossier);
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

/* Presses the visible button @label; what it does synchronously is done
 * when this returns (nothing else has run). */
static void
press (GtkWidget  *page,
       const char *label)
{
  GtkWidget *button = find_button (page, label);

  if (button == NULL)
    g_error ("no visible button “%s”", label);
  g_signal_emit_by_name (button, "clicked");
}

static void
click (GtkWidget  *page,
       const char *label)
{
  relais_test_spin (50);
  press (page, label);
  relais_test_spin (50);
}

static const char *
visible (GtkWidget *page)
{
  GtkWidget *stack = gtk_widget_get_first_child (page);

  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static const char *
label_of (GtkWidget  *page,
          const char *name)
{
  GObject *label = gtk_widget_get_template_child (page, RELAIS_TYPE_SCAN_PAGE, name);

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_label (GTK_LABEL (label));
}

typedef struct
{
  RelaisDossier      *dossier;
  RelaisDossierState  state;
} Wanted;

static gboolean
state_is (gpointer data)
{
  Wanted *wanted = data;

  return relais_dossier_get_state (wanted->dossier) == wanted->state;
}

static void
wait_state (RelaisDossier      *dossier,
            RelaisDossierState  state)
{
  Wanted wanted = { dossier, state };

  g_assert_true (relais_test_wait_for (state_is, &wanted, 60000));
}

static gboolean
is_camera (gpointer data)
{
  return relais_dossier_get_camera (data);
}

static void
received_cb (RelaisTransfer *transfer,
             guint64         id,
             const char     *path,
             guint64         size,
             const char     *sha256,
             guint          *received)
{
  (*received)++;
}

static RelaisContext *
context_new (const char *device)
{
  g_autofree char *store = g_build_filename (test_dir, "relais.db", NULL);
  g_autofree char *data = g_strdup_printf ("[kiosk]\nstore-path=%s\n"
                                           "[scanner]\ndevice=%s\nresolution-dpi=75\n",
                                           store, device);
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  RelaisContext *context;

  config = relais_config_new_from_data (data, "kiosk.conf", &error);
  g_assert_no_error (error);
  context = relais_context_new (config, &error);
  g_assert_no_error (error);
  return context;
}

/* A window holding the page, with the application's actions. */
static GtkWidget *
window_new (RelaisContext *context,
            Asked         *asked,
            GtkWidget    **page)
{
  const GActionEntry entries[] = {
    { "scan-page", scan_page_action, NULL, NULL, NULL },
    { "cancel-scan", cancel_scan_action, NULL, NULL, NULL },
    { "send-document", send_document_action, NULL, NULL, NULL },
    { "close-scan", close_scan_action, NULL, NULL, NULL },
  };
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  GtkWidget *window = gtk_window_new ();

  asked->dossier = relais_context_get_dossier (context);
  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), asked);
  gtk_widget_insert_action_group (window, "app", G_ACTION_GROUP (group));
  *page = relais_scan_page_new (context);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), *page);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
scan_one (GtkWidget     *widget,
          RelaisDossier *dossier,
          guint          n_pages)
{
  click (widget, "Numériser");
  wait_state (dossier, RELAIS_DOSSIER_IDLE);
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, n_pages);
  g_assert_cmpstr (visible (widget), ==, "review");
}

static void
test_journey (void)
{
  RelaisContext *context = context_new ("test:0");
  RelaisDossier *dossier = relais_context_get_dossier (context);
  RelaisScanner *scanner = relais_dossier_get_scanner (dossier);
  g_autofree char *receive_dir = g_build_filename (test_dir, "advisor", NULL);
  RelaisTestCallPair *pair = NULL;
  RelaisTransfer *advisor = NULL;
  GtkWidget *widget = NULL;
  GtkWidget *window;
  Asked asked = { 0 };
  guint received = 0;

  relais_scanner_set_backend_option (scanner, "read-return-value", "Default");
  relais_scanner_set_backend_option (scanner, "test-picture", "Grid");
  window = window_new (context, &asked, &widget);
  g_object_ref (widget);

  /* 1. Place the paper. */
  g_assert_cmpstr (visible (widget), ==, "place");
  g_assert_nonnull (find_button (widget, "Numériser"));
  relais_test_shoot ("scan-1-place", 400);

  /* 2. Scan: a large bar at once; cancel goes back. */
  relais_test_spin (50);
  press (widget, "Numériser");
  g_assert_cmpuint (asked.scans, ==, 1);
  g_assert_cmpstr (visible (widget), ==, "progress");
  g_assert_cmpstr (label_of (widget, "progress_title"), ==, "Numérisation de la page 1…");
  press (widget, "Annuler");
  g_assert_cmpuint (asked.cancels, ==, 1);
  wait_state (dossier, RELAIS_DOSSIER_IDLE);
  g_assert_cmpstr (visible (widget), ==, "place");
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 0);

  /* The bar as it moves (a picture only: the test backend is quick), and
   * the page taken out again. */
  press (widget, "Numériser");
  relais_test_shoot ("scan-2-scanning", 60);
  wait_state (dossier, RELAIS_DOSSIER_IDLE);
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 1);
  click (widget, "Retirer cette page");
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 0);
  g_assert_cmpstr (visible (widget), ==, "place");

  /* A scanner error says what to do. */
  relais_scanner_set_backend_option (scanner, "read-return-value", "SANE_STATUS_COVER_OPEN");
  click (widget, "Numériser");
  wait_state (dossier, RELAIS_DOSSIER_SCAN_FAILED);
  g_assert_cmpstr (visible (widget), ==, "outcome");
  g_assert_nonnull (strstr (label_of (widget, "outcome_text"), "Le capot du scanner est ouvert"));
  relais_test_shoot ("scan-3-error", 400);
  click (widget, "Réessayer");
  g_assert_cmpstr (visible (widget), ==, "place");
  relais_scanner_set_backend_option (scanner, "read-return-value", "Default");

  /* 3. Two pages in, one more added, the second retaken, the third removed. */
  scan_one (widget, dossier, 1);
  click (widget, "Ajouter une page");
  g_assert_cmpstr (visible (widget), ==, "place");
  g_assert_cmpint (relais_dossier_get_retake (dossier), ==, -1);
  scan_one (widget, dossier, 2);
  relais_test_shoot ("scan-4-review", 400);

  click (widget, "Ajouter une page");
  g_assert_cmpstr (visible (widget), ==, "place");
  g_assert_cmpint (relais_dossier_get_retake (dossier), ==, -1);
  /* "Revenir aux pages", and back again. */
  click (widget, "Revenir aux pages");
  g_assert_cmpstr (visible (widget), ==, "review");
  click (widget, "Ajouter une page");
  scan_one (widget, dossier, 3);

  click (widget, "Page 2");
  click (widget, "Refaire cette page");
  g_assert_cmpint (relais_dossier_get_retake (dossier), ==, 1);
  {
    RelaisPage *before = relais_page_ref (relais_dossier_get_page (dossier, 1));

    scan_one (widget, dossier, 3);
    g_assert_true (relais_dossier_get_page (dossier, 1) != before);
    g_assert_cmpint (relais_dossier_get_retake (dossier), ==, -1);
    relais_page_unref (before);
  }

  click (widget, "Page 3");
  click (widget, "Retirer cette page");
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 2);
  g_assert_cmpstr (visible (widget), ==, "review");

  /* 4. Consent, naming the service (no ticket here: "votre service");
   * "no" changes nothing. */
  click (widget, "Envoyer");
  g_assert_cmpstr (visible (widget), ==, "consent");
  g_assert_cmpstr (label_of (widget, "consent_question"), ==,
                   "Envoyer ces 2 pages à votre conseiller de votre service ?");
  relais_test_shoot ("scan-5-consent", 400);
  click (widget, "Non, revenir");
  g_assert_cmpstr (visible (widget), ==, "review");
  g_assert_cmpuint (asked.sends, ==, 0);
  click (widget, "Envoyer");
  relais_test_spin (50);
  press (widget, "Oui, envoyer");
  g_assert_cmpuint (asked.sends, ==, 1);
  g_assert_cmpstr (visible (widget), ==, "progress");
  g_assert_cmpstr (label_of (widget, "progress_title"), ==, "Envoi au conseiller…");
  relais_test_shoot ("scan-6-sending", 0);

  /* 5. No call: a failure that says so; a retry once the call is there. */
  wait_state (dossier, RELAIS_DOSSIER_SEND_FAILED);
  g_assert_cmpstr (visible (widget), ==, "outcome");
  g_assert_cmpstr (label_of (widget, "outcome_text"), ==, "L'appel est coupé : le document n'est pas parti.");
  relais_test_shoot ("scan-6-failed", 400);

  pair = relais_test_call_pair_new ();
  relais_dossier_set_call (dossier, relais_test_call_pair_get_a (pair));
  advisor = relais_transfer_new (relais_test_call_pair_get_b (pair));
  relais_transfer_set_receive_dir (advisor, receive_dir);
  g_assert_true (relais_session_dir_ensure (receive_dir, NULL));
  g_signal_connect (advisor, "received", G_CALLBACK (received_cb), &received);

  click (widget, "Réessayer");
  g_assert_cmpuint (asked.sends, ==, 2);
  wait_state (dossier, RELAIS_DOSSIER_SENT);
  g_assert_cmpuint (received, ==, 1);
  g_assert_cmpstr (visible (widget), ==, "outcome");
  g_assert_cmpstr (label_of (widget, "outcome_title"), ==, "Votre conseiller a bien reçu le document");
  relais_test_shoot ("scan-7-sent", 400);

  /* Back to the call: the person's pages go. */
  click (widget, "Retour à l’appel");
  g_assert_cmpuint (asked.closes, ==, 1);
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 0);
  g_assert_cmpstr (visible (widget), ==, "place");

  relais_dossier_set_call (dossier, NULL);
  relais_transfer_set_call (advisor, NULL);
  g_object_unref (advisor);
  relais_dossier_reset (dossier);
  relais_test_call_pair_free (pair);
  relais_session_dir_wipe (receive_dir, NULL);

  gtk_window_destroy (GTK_WINDOW (window));
  relais_test_spin (50);
  g_assert_finalize_object (widget);
  g_assert_finalize_object (context);
}

/* No scanner: the camera's words and pictogram. In a process of its own,
 * whose SANE has no backend (SANE reads its configuration once). */
static void
test_camera (void)
{
  if (g_test_subprocess ())
    {
      RelaisContext *context = context_new ("auto");
      RelaisDossier *dossier = relais_context_get_dossier (context);
      GtkWidget *widget = NULL;
      GtkWidget *window;
      Asked asked = { 0 };

      window = window_new (context, &asked, &widget);
      g_object_ref (widget);
      relais_dossier_prepare (dossier);
      g_assert_true (relais_test_wait_for (is_camera, dossier, 30000));
      g_assert_cmpstr (visible (widget), ==, "place");
      g_assert_nonnull (find_button (widget, "Photographier"));
      g_assert_cmpstr (label_of (widget, "place_title"), ==, "Posez votre feuille sous la caméra");
      relais_test_shoot ("scan-8-camera", 400);

      gtk_window_destroy (GTK_WINDOW (window));
      relais_test_spin (50);
      g_assert_finalize_object (widget);
      g_assert_finalize_object (context);
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Environment first (setenv is not thread-safe): the session directory
   * under a runtime directory of the test's own, and SANE's test backend
   * (none in the camera's subprocess). */
  test_dir = relais_test_scan_environment ("relais-test-scan-page-XXXXXX", argc, argv);

  gst_init (&argc, &argv);
  gtk_test_init (&argc, &argv, NULL);
  relais_test_ui_load_style ();

  g_test_add_func ("/scan-page/journey", test_journey);
  g_test_add_func ("/scan-page/camera", test_camera);

  status = g_test_run ();

  relais_test_scan_environment_remove (test_dir);
  return status;
}
