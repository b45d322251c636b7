/* test-dossier.c: RelaisDossier without a display: scans with the SANE
 * test backend (and the camera's still when SANE has no scanner), the
 * sending over a loopback call, the advisor's document received, printed
 * on a CUPS that is not there (tests/integration/test-print-kiosk prints
 * through the dossier for real), and the reset.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gst/gst.h>

#include "relais-camera-still.h"
#include "relais-dossier.h"
#include "relais-error.h"
#include "relais-session-dir.h"
#include "relais-transfer.h"

#include "../relais-test-call-pair.h"
#include "../relais-test-document.h"

static char *test_dir;

/* ---- Helpers ------------------------------------------------------------ */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default main context until @predicate (@data) holds. */
static gboolean
wait_until (gboolean (*predicate) (gpointer),
            gpointer   data,
            guint      seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  guint wake = g_timeout_add (50, wake_cb, NULL);

  while (!predicate (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return predicate (data);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static RelaisDossier *
dossier_new (const char *device)
{
  g_autofree char *data = g_strdup_printf ("[scanner]\ndevice=%s\nresolution-dpi=75\n", device);
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = relais_config_new_from_data (data, "kiosk.conf", &error);
  g_assert_no_error (error);
  return relais_dossier_new (config);
}

/* Scans; returns the number of pages, or 0 with @error. */
static guint
scan (RelaisDossier  *dossier,
      GCancellable   *cancellable,
      GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  relais_dossier_scan_async (dossier, cancellable, result_cb, &result);
  g_assert_true (wait_until (is_set, &result, 60));
  return relais_dossier_scan_finish (dossier, result, error);
}

static char *
send (RelaisDossier  *dossier,
      GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  relais_dossier_send_async (dossier, NULL, result_cb, &result);
  g_assert_cmpint (relais_dossier_get_state (dossier), ==, RELAIS_DOSSIER_SENDING);
  g_assert_true (wait_until (is_set, &result, 60));
  return relais_dossier_send_finish (dossier, result, error);
}

/* Lets the last callbacks run, then checks nothing else holds @dossier. */
static void
finalize_dossier (RelaisDossier *dossier)
{
  /* The calls' streaming threads go now, with OpenSSL's state of each
   * (freed when a thread exits; LeakSanitizer would count what a thread
   * parked in a pool still holds at exit as lost). */
  for (int i = 0; i < 10; i++)
    {
      g_thread_pool_stop_unused_threads ();
      g_usleep (50000);
    }
  for (int i = 0; i < 20; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (G_OBJECT (dossier)->ref_count == 1)
        break;
      g_usleep (10000);
    }
  g_assert_finalize_object (dossier);
}

typedef struct
{
  guint changes;
  guint position;
  guint removed;
  guint added;
} PagesChanged;

static void
pages_changed_cb (RelaisDossier *dossier,
                  guint          position,
                  guint          removed,
                  guint          added,
                  PagesChanged  *seen)
{
  seen->changes++;
  seen->position = position;
  seen->removed = removed;
  seen->added = added;
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==,
                    relais_document_get_n_pages (relais_dossier_get_document (dossier)));
}

static void
reset_backend (RelaisScanner *scanner)
{
  /* The test backend keeps its options from one opening to the next. */
  relais_scanner_set_backend_option (scanner, "read-return-value", "Default");
  relais_scanner_set_backend_option (scanner, "read-limit", "no");
  relais_scanner_set_backend_option (scanner, "read-delay", "no");
  relais_scanner_set_backend_option (scanner, "test-picture", "Grid");
}

/* ---- Scanning ----------------------------------------------------------- */

static void
cancel_on_progress_cb (RelaisDossier *dossier,
                       GParamSpec    *pspec,
                       GCancellable  *cancellable)
{
  if (relais_dossier_get_progress (dossier) > 0.0)
    g_cancellable_cancel (cancellable);
}

static void
test_scan (void)
{
  RelaisDossier *dossier = dossier_new ("test:0");
  RelaisScanner *scanner = relais_dossier_get_scanner (dossier);
  PagesChanged seen = { 0 };
  g_autoptr(GError) error = NULL;
  RelaisPage *first;

  reset_backend (scanner);
  g_signal_connect (dossier, "pages-changed", G_CALLBACK (pages_changed_cb), &seen);

  /* A configured scanner is used as is: no probing. */
  relais_dossier_prepare (dossier);
  g_assert_false (relais_dossier_get_camera (dossier));

  g_assert_cmpuint (scan (dossier, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (scan (dossier, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 2);
  g_assert_cmpuint (seen.changes, ==, 2);
  g_assert_cmpuint (seen.position, ==, 1);
  g_assert_cmpuint (seen.added, ==, 1);
  g_assert_cmpint (relais_dossier_get_state (dossier), ==, RELAIS_DOSSIER_IDLE);
  g_assert_cmpfloat (relais_dossier_get_progress (dossier), ==, 1.0);
  g_assert_cmpuint (relais_dossier_get_scanning_page (dossier), ==, 1);
  g_assert_cmpuint (relais_dossier_get_page (dossier, 0)->width, >, 0);

  /* Retake the first: in place, and the retake is over. */
  first = relais_page_ref (relais_dossier_get_page (dossier, 0));
  relais_dossier_set_retake (dossier, 0);
  g_assert_cmpuint (scan (dossier, NULL, &error), ==, 1);
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 2);
  g_assert_true (relais_dossier_get_page (dossier, 0) != first);
  g_assert_cmpuint (seen.position, ==, 0);
  g_assert_cmpuint (seen.removed, ==, 1);
  g_assert_cmpint (relais_dossier_get_retake (dossier), ==, -1);
  relais_page_unref (first);

  relais_dossier_remove_page (dossier, 1);
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 1);
  g_assert_cmpuint (seen.removed, ==, 1);
  g_assert_cmpuint (seen.added, ==, 0);

  /* A scanner's failure is told in plain words. */
  relais_scanner_set_backend_option (scanner, "read-return-value", "SANE_STATUS_COVER_OPEN");
  g_assert_cmpuint (scan (dossier, NULL, &error), ==, 0);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER);
  g_clear_error (&error);
  g_assert_cmpint (relais_dossier_get_state (dossier), ==, RELAIS_DOSSIER_SCAN_FAILED);
  g_assert_nonnull (strstr (relais_dossier_get_failure (dossier), "Le capot du scanner est ouvert"));
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 1);
  reset_backend (scanner);

  /* Stopped mid-page, by the caller's cancellable: nothing added. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    gulong id;

    relais_scanner_set_backend_option (scanner, "read-limit", "yes");
    relais_scanner_set_backend_option (scanner, "read-limit-size", "4096");
    relais_scanner_set_backend_option (scanner, "read-delay", "yes");
    relais_scanner_set_backend_option (scanner, "read-delay-duration", "20000");
    id = g_signal_connect (dossier, "notify::progress", G_CALLBACK (cancel_on_progress_cb), cancellable);
    g_assert_cmpuint (scan (dossier, cancellable, &error), ==, 0);
    g_signal_handler_disconnect (dossier, id);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_cmpint (relais_dossier_get_state (dossier), ==, RELAIS_DOSSIER_IDLE);
    g_assert_null (relais_dossier_get_failure (dossier));
    g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 1);
    reset_backend (scanner);
  }

  /* No call: the sending says so. */
  {
    g_autofree char *sha256 = send (dossier, &error);

    g_assert_null (sha256);
    g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
    g_clear_error (&error);
    g_assert_cmpint (relais_dossier_get_state (dossier), ==, RELAIS_DOSSIER_SEND_FAILED);
    g_assert_cmpstr (relais_dossier_get_failure (dossier), ==,
                     "L'appel est coupé : le document n'est pas parti.");
  }

  relais_dossier_clear_pages (dossier);
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 0);
  g_assert_cmpint (relais_dossier_get_state (dossier), ==, RELAIS_DOSSIER_IDLE);
  g_assert_cmpuint (seen.removed, ==, 1);

  finalize_dossier (dossier);
}

/* ---- Sending, receiving, printing, forgetting --------------------------- */

typedef struct
{
  guint  received;
  char  *path;
} Advisor;

static void
advisor_received_cb (RelaisTransfer *transfer,
                     guint64         id,
                     const char     *path,
                     guint64         size,
                     const char     *sha256,
                     Advisor        *advisor)
{
  advisor->received++;
  g_free (advisor->path);
  advisor->path = g_strdup (path);
}

static gboolean
document_shown (gpointer data)
{
  return relais_dossier_get_document_path (data) != NULL;
}

typedef struct
{
  RelaisDossier    *dossier;
  RelaisPrintState  state;
} WantedPrint;

static gboolean
print_state_is (gpointer data)
{
  WantedPrint *wanted = data;

  return relais_dossier_get_print_state (wanted->dossier) == wanted->state;
}

static void
test_send_receive_print (void)
{
  RelaisDossier *dossier = dossier_new ("test:0");
  g_autofree char *advisor_dir = g_build_filename (test_dir, "advisor", NULL);
  g_autofree char *session_dir = relais_session_dir_get_default ();
  g_autofree char *kept = g_build_filename (session_dir, "envoi-dossier.pdf", NULL);
  g_autofree char *sha256 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sent = NULL;
  RelaisTestCallPair *pair;
  RelaisTransfer *transfer;
  Advisor advisor = { 0 };
  WantedPrint wanted = { dossier, RELAIS_PRINT_STATE_FAILED };

  reset_backend (relais_dossier_get_scanner (dossier));
  g_assert_true (relais_session_dir_ensure (advisor_dir, NULL));
  pair = relais_test_call_pair_new ();
  relais_dossier_set_call (dossier, relais_test_call_pair_get_a (pair));
  g_assert_true (relais_dossier_get_call (dossier) == relais_test_call_pair_get_a (pair));
  transfer = relais_transfer_new (relais_test_call_pair_get_b (pair));
  relais_transfer_set_receive_dir (transfer, advisor_dir);
  g_signal_connect (transfer, "received", G_CALLBACK (advisor_received_cb), &advisor);

  /* Two pages, one PDF, acknowledged with its hash. */
  g_assert_cmpuint (scan (dossier, NULL, &error), ==, 1);
  g_assert_cmpuint (scan (dossier, NULL, &error), ==, 1);
  g_assert_no_error (error);
  sha256 = send (dossier, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (sha256), ==, 64);
  g_assert_cmpint (relais_dossier_get_state (dossier), ==, RELAIS_DOSSIER_SENT);
  g_assert_cmpfloat (relais_dossier_get_progress (dossier), ==, 1.0);
  g_assert_true (wait_until (is_set, &advisor.path, 10));
  g_assert_cmpuint (advisor.received, ==, 1);
  /* The PDF stays in the session directory until the reset. */
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  {
    g_autoptr(GMappedFile) file = g_mapped_file_new (advisor.path, FALSE, &error);

    g_assert_no_error (error);
    sent = g_mapped_file_get_bytes (file);
    g_assert_true (g_str_has_prefix (g_bytes_get_data (sent, NULL), "%PDF-"));
  }

  /* The advisor's document arrives in the session directory and is
   * shown. */
  relais_transfer_send_async (transfer, sent, "attestation.pdf", "application/pdf", NULL, NULL, NULL);
  g_assert_true (wait_until (document_shown, dossier, 60));
  g_assert_true (g_str_has_prefix (relais_dossier_get_document_path (dossier), session_dir));
  g_assert_cmpint (relais_dossier_get_print_state (dossier), ==, RELAIS_PRINT_STATE_IDLE);

  /* Refused from outside the session directory; the shown one stays. */
  g_test_expect_message ("relais-dossier", G_LOG_LEVEL_WARNING,
                         "Refusing to show a document from outside the session directory");
  g_assert_false (relais_dossier_show_document (dossier, advisor.path));
  g_test_assert_expected_messages ();
  g_assert_true (g_str_has_prefix (relais_dossier_get_document_path (dossier), session_dir));

  /* Printing with no scheduler: a failure in plain words. */
  relais_dossier_print (dossier);
  g_assert_cmpint (relais_dossier_get_print_state (dossier), ==, RELAIS_PRINT_STATE_SENDING);
  g_assert_true (wait_until (print_state_is, &wanted, 60));
  g_assert_cmpstr (relais_dossier_get_print_failure (dossier), ==,
                   "Le service d'impression de la borne ne répond pas. "
                   "Demandez à l'agent d'accueil de vérifier l'imprimante.");
  /* Cancelled: back to the preview. */
  relais_dossier_print (dossier);
  relais_dossier_cancel_print (dossier);
  wanted.state = RELAIS_PRINT_STATE_IDLE;
  g_assert_true (wait_until (print_state_is, &wanted, 60));
  g_assert_null (relais_dossier_get_print_failure (dossier));

  /* The person goes: nothing of theirs stays. */
  relais_dossier_reset (dossier);
  g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 0);
  g_assert_null (relais_dossier_get_document_path (dossier));
  g_assert_cmpint (relais_dossier_get_state (dossier), ==, RELAIS_DOSSIER_IDLE);
  g_assert_true (relais_session_dir_is_empty (session_dir));

  relais_dossier_set_call (dossier, NULL);
  relais_transfer_set_call (transfer, NULL);
  g_object_unref (transfer);
  relais_test_call_pair_free (pair);
  relais_session_dir_wipe (advisor_dir, NULL);
  g_free (advisor.path);
  finalize_dossier (dossier);
}

/* ---- Nothing replaced in the session directory ------------------------- */

/* Name → contents of every visible file in @dir (the transfer's hidden
 * parts left out: they come and go). */
static GHashTable *
snapshot (const char *dir)
{
  GHashTable *files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_bytes_unref);
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GError) error = NULL;
      char *contents = NULL;
      gsize length = 0;

      if (name[0] == '.')
        continue;
      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      g_hash_table_insert (files, g_strdup (name), g_bytes_new_take (contents, length));
    }
  return files;
}

/* Every file of @before is still in @dir with the same bytes, and
 * @added more are there. */
static void
assert_kept (const char *dir,
             GHashTable *before,
             guint       added)
{
  g_autoptr(GHashTable) after = snapshot (dir);
  GHashTableIter iter;
  gpointer name, contents;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &name, &contents))
    {
      GBytes *now = g_hash_table_lookup (after, name);

      if (now == NULL)
        g_error ("%s is gone from the session directory", (char *) name);
      if (!g_bytes_equal (now, contents))
        g_error ("%s was overwritten (%" G_GSIZE_FORMAT " bytes before, %" G_GSIZE_FORMAT " after)",
                 (char *) name, g_bytes_get_size (contents), g_bytes_get_size (now));
    }
  g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before) + added);
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static gboolean
count_reached (gpointer data)
{
  guint *counts = data;

  return counts[0] >= counts[1];
}

/* The advisor sends "dossier.pdf", the name the kiosk itself gives the
 * person's PDF: neither the person's scan nor a later document may
 * replace a file already in the session directory (issue 12, item 15). */
static void
test_never_overwrite (void)
{
  RelaisDossier *dossier = dossier_new ("test:0");
  g_autofree char *advisor_dir = g_build_filename (test_dir, "advisor", NULL);
  g_autofree char *session_dir = relais_session_dir_get_default ();
  g_autofree char *received = NULL;
  g_autofree char *sha256 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) letter = g_bytes_new_static ("%PDF-1.4\n% the advisor's letter\n%%EOF\n", 38);
  g_autoptr(GBytes) form = g_bytes_new_static ("%PDF-1.4\n% the advisor's form, longer\n%%EOF\n", 44);
  g_autoptr(GHashTable) before = NULL;
  guint shown[2] = { 0, 0 };
  RelaisTestCallPair *pair;
  RelaisTransfer *transfer;
  Advisor advisor = { 0 };

  reset_backend (relais_dossier_get_scanner (dossier));
  g_assert_true (relais_session_dir_ensure (advisor_dir, NULL));
  pair = relais_test_call_pair_new ();
  relais_dossier_set_call (dossier, relais_test_call_pair_get_a (pair));
  transfer = relais_transfer_new (relais_test_call_pair_get_b (pair));
  relais_transfer_set_receive_dir (transfer, advisor_dir);
  g_signal_connect (transfer, "received", G_CALLBACK (advisor_received_cb), &advisor);
  g_signal_connect (dossier, "notify::document", G_CALLBACK (count_cb), &shown[0]);

  /* The advisor's document first, then the person's scan. */
  relais_transfer_send_async (transfer, letter, "dossier.pdf", "application/pdf", NULL, NULL, NULL);
  shown[1] = 1;
  g_assert_true (wait_until (count_reached, shown, 60));
  received = g_strdup (relais_dossier_get_document_path (dossier));
  g_assert_true (g_str_has_prefix (received, session_dir));
  before = snapshot (session_dir);
  g_assert_cmpuint (g_hash_table_size (before), ==, 1);

  g_assert_cmpuint (scan (dossier, NULL, &error), ==, 1);
  g_assert_no_error (error);
  sha256 = send (dossier, &error);
  g_assert_no_error (error);
  g_assert_true (wait_until (is_set, &advisor.path, 10));
  assert_kept (session_dir, before, 1);
  {
    g_autofree char *contents = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (received, &contents, &length, NULL));
    g_assert_cmpmem (contents, length, g_bytes_get_data (letter, NULL), g_bytes_get_size (letter));
  }

  /* The person's scan first (the one above), then a document of the
   * advisor's with the same name. */
  g_clear_pointer (&before, g_hash_table_unref);
  before = snapshot (session_dir);
  relais_transfer_send_async (transfer, form, "dossier.pdf", "application/pdf", NULL, NULL, NULL);
  shown[1] = 2;
  g_assert_true (wait_until (count_reached, shown, 60));
  g_assert_cmpstr (relais_dossier_get_document_path (dossier), !=, received);
  assert_kept (session_dir, before, 1);

  /* A second sending of the person's pages: a file of its own too. */
  g_clear_pointer (&before, g_hash_table_unref);
  before = snapshot (session_dir);
  g_clear_pointer (&advisor.path, g_free);
  g_clear_pointer (&sha256, g_free);
  sha256 = send (dossier, &error);
  g_assert_no_error (error);
  g_assert_true (wait_until (is_set, &advisor.path, 10));
  assert_kept (session_dir, before, 1);
  g_assert_cmpuint (advisor.received, ==, 2);

  relais_dossier_reset (dossier);
  g_assert_true (relais_session_dir_is_empty (session_dir));
  g_signal_handlers_disconnect_by_data (dossier, &shown[0]);
  relais_dossier_set_call (dossier, NULL);
  relais_transfer_set_call (transfer, NULL);
  g_object_unref (transfer);
  relais_test_call_pair_free (pair);
  relais_session_dir_wipe (advisor_dir, NULL);
  g_free (advisor.path);
  finalize_dossier (dossier);
}

/* ---- The camera when there is no scanner -------------------------------- */

static gboolean
is_camera (gpointer data)
{
  return relais_dossier_get_camera (data);
}

static gboolean
still_ready (gpointer data)
{
  g_autoptr(RelaisPage) page = relais_camera_still_take (relais_call_get_local_video_sink (data), 75.0, NULL);

  return page != NULL;
}

static void
test_camera (void)
{
  if (g_test_subprocess ())
    {
      RelaisDossier *dossier = dossier_new ("auto");
      g_autofree char *session_dir = relais_session_dir_get_default ();
      g_autofree char *advisor_dir = g_build_filename (test_dir, "advisor", NULL);
      g_autofree char *sha256 = NULL;
      g_autoptr(GError) error = NULL;
      RelaisTestCallPair *pair;
      RelaisTransfer *transfer;
      Advisor advisor = { 0 };

      g_assert_true (relais_session_dir_ensure (advisor_dir, NULL));
      pair = relais_test_call_pair_new ();
      /* The self-view runs, as in the kiosk: the still comes from it. */
      relais_call_set_video_output (relais_test_call_pair_get_a (pair), TRUE);
      relais_dossier_set_call (dossier, relais_test_call_pair_get_a (pair));
      transfer = relais_transfer_new (relais_test_call_pair_get_b (pair));
      relais_transfer_set_receive_dir (transfer, advisor_dir);
      g_signal_connect (transfer, "received", G_CALLBACK (advisor_received_cb), &advisor);

      /* "auto" and SANE sees nothing: the camera. */
      relais_dossier_prepare (dossier);
      g_assert_true (wait_until (is_camera, dossier, 30));
      /* The self-view's first frames reach the still's sink (slow under
       * a sanitizer). */
      g_assert_true (wait_until (still_ready, relais_test_call_pair_get_a (pair), 60));
      g_assert_cmpuint (scan (dossier, NULL, &error), ==, 1);
      g_assert_no_error (error);
      g_assert_cmpuint (relais_dossier_get_n_pages (dossier), ==, 1);
      g_assert_false (relais_dossier_get_page (dossier, 0)->colour);
      g_assert_cmpint (relais_dossier_get_state (dossier), ==, RELAIS_DOSSIER_IDLE);

      sha256 = send (dossier, &error);
      g_assert_no_error (error);
      g_assert_nonnull (sha256);
      g_assert_true (wait_until (is_set, &advisor.path, 10));

      /* Without a call the camera has no picture. */
      relais_dossier_set_call (dossier, NULL);
      g_assert_cmpuint (scan (dossier, NULL, &error), ==, 0);
      g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER);
      g_assert_cmpint (relais_dossier_get_state (dossier), ==, RELAIS_DOSSIER_SCAN_FAILED);

      relais_dossier_reset (dossier);
      g_assert_true (relais_session_dir_is_empty (session_dir));
      relais_transfer_set_call (transfer, NULL);
      g_object_unref (transfer);
      relais_test_call_pair_free (pair);
      relais_session_dir_wipe (advisor_dir, NULL);
      g_free (advisor.path);
      finalize_dossier (dossier);
      return;
    }
  g_test_trap_subprocess (NULL, 90 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ---- Main --------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  g_autofree char *socket_path = NULL;
  int status;

  /* Environment first (setenv is not thread-safe): a runtime directory
   * of the test's own (the session directory), SANE's test backend (none
   * in the camera's subprocess: SANE reads its configuration once), and
   * a CUPS scheduler that is not there. */
  test_dir = relais_test_scan_environment ("relais-test-dossier-XXXXXX", argc, argv);
  socket_path = g_build_filename (test_dir, "no-cups.sock", NULL);
  g_setenv ("CUPS_SERVER", socket_path, TRUE);

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dossier/scan", test_scan);
  g_test_add_func ("/dossier/send-receive-print", test_send_receive_print);
  g_test_add_func ("/dossier/never-overwrite", test_never_overwrite);
  g_test_add_func ("/dossier/camera", test_camera);
  status = g_test_run ();

  relais_test_scan_environment_remove (test_dir);
  return status;
}
