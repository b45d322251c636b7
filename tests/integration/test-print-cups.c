/* test-print-cups.c: RelaisPrinter against a real CUPS scheduler with a
 * cups-pdf queue, both started by the test (relais-test-cups.c)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <poppler.h>

#include "relais-error.h"
#include "relais-printer.h"
#include "relais-test-cups.h"

#define QUEUE RELAIS_TEST_CUPS_PDF_QUEUE
#define SLOW_QUEUE RELAIS_TEST_CUPS_SLOW_QUEUE
#define PAPER_QUEUE RELAIS_TEST_CUPS_NO_PAPER_QUEUE
#define JAM_QUEUE RELAIS_TEST_CUPS_JAM_QUEUE
/* A name that looks like a person's: it must show up nowhere in CUPS. */
#define DOCUMENT_NAME "dossier-jeanne-dupont.pdf"

static char *document_path;

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
  GArray   *states;
} PrintResult;

static void
state_cb (RelaisPrinter *printer,
          GParamSpec    *pspec,
          PrintResult   *result)
{
  RelaisPrintState state = relais_printer_get_state (printer);

  g_array_append_val (result->states, state);
}

static void
print_cb (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  PrintResult *result = user_data;

  result->ok = relais_printer_print_finish (RELAIS_PRINTER (source), res, &result->error);
  result->done = TRUE;
}

static gboolean
has_state (PrintResult      *result,
           RelaisPrintState  state)
{
  for (guint i = 0; i < result->states->len; i++)
    if (g_array_index (result->states, RelaisPrintState, i) == state)
      return TRUE;
  return FALSE;
}

static void
wait_until (gboolean *flag,
            guint     timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (!*flag)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

/* Prints @path on @printer and waits for the end. */
static void
print_and_wait (RelaisPrinter *printer,
                const char    *path,
                GCancellable  *cancellable,
                PrintResult   *result)
{
  gulong id;

  result->states = g_array_new (FALSE, FALSE, sizeof (RelaisPrintState));
  id = g_signal_connect (printer, "notify::state", G_CALLBACK (state_cb), result);
  relais_printer_print_async (printer, path, cancellable, print_cb, result);
  wait_until (&result->done, 120);
  g_signal_handler_disconnect (printer, id);
}

static void
print_result_clear (PrintResult *result)
{
  g_clear_error (&result->error);
  g_clear_pointer (&result->states, g_array_unref);
}

/* No file of a job left in the scheduler's spool (d… data, c… control). */
static void
assert_spool_empty (void)
{
  g_autofree char *spool = g_build_filename (relais_test_cups_get_dir (), "spool", NULL);
  g_autoptr(GDir) dir = g_dir_open (spool, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if ((name[0] == 'd' || name[0] == 'c') && g_ascii_isdigit (name[1]))
      g_error ("job file %s left in the spool", name);
}

static void
assert_file_lacks (const char *path,
                   const char *needle)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  if (strstr (contents, needle) != NULL)
    g_error ("%s holds \"%s\"", path, needle);
}

static void
test_print_three_pages (void)
{
  g_autoptr(RelaisPrinter) printer = relais_printer_new (QUEUE, 1, FALSE, 20);
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *uri = NULL;
  PopplerDocument *printed;
  PrintResult result = { 0 };
  gint64 started;
  gint64 deadline;

  relais_test_cups_clear_output ();
  started = g_get_monotonic_time ();
  print_and_wait (printer, document_path, NULL, &result);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  g_test_message ("Printed in %.1f s", (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpint (relais_printer_get_state (printer), ==, RELAIS_PRINT_STATE_DONE);
  g_assert_true (has_state (&result, RELAIS_PRINT_STATE_SENDING));
  g_assert_true (has_state (&result, RELAIS_PRINT_STATE_QUEUED));
  g_assert_true (has_state (&result, RELAIS_PRINT_STATE_DONE));
  g_assert_cmpint (relais_printer_get_job_id (printer), >, 0);

  /* cups-pdf writes its file before the job completes. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((output = relais_test_cups_find_output ()) == NULL && g_get_monotonic_time () < deadline)
    g_usleep (100 * 1000);
  g_assert_nonnull (output);
  g_test_message ("cups-pdf wrote %s", output);
  g_assert_null (strstr (output, "jeanne"));

  uri = g_filename_to_uri (output, NULL, &error);
  g_assert_no_error (error);
  printed = poppler_document_new_from_file (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (poppler_document_get_n_pages (printed), ==, 3);
  for (int i = 0; i < 3; i++)
    {
      PopplerPage *page = poppler_document_get_page (printed, i);
      g_autofree char *text = poppler_page_get_text (page);
      g_autofree char *expected = g_strdup_printf ("Relais page %d sur 3", i + 1);
      double width, height;

      poppler_page_get_size (page, &width, &height);
      g_test_message ("page %d: %.0fx%.0f pt, \"%s\"", i + 1, width, height, text);
      g_assert_nonnull (strstr (text, expected));
      /* A4, as sent. */
      g_assert_cmpfloat (fabs (width - 595.0), <, 2.0);
      g_assert_cmpfloat (fabs (height - 842.0), <, 2.0);
      g_object_unref (page);
    }
  g_object_unref (printed);

  /* Neither the document's name nor its file remain in CUPS. */
  g_assert_cmpuint (relais_test_cups_count_jobs (QUEUE), ==, 0);
  assert_spool_empty ();
  for (const char * const *name = (const char * const[]) { "error_log", "access_log", "page_log", NULL };
       *name != NULL; name++)
    {
      g_autofree char *path = g_build_filename (relais_test_cups_get_dir (), "log", *name, NULL);

      assert_file_lacks (path, "jeanne");
    }
  print_result_clear (&result);
}

static void
test_no_default_printer (void)
{
  g_autoptr(RelaisPrinter) printer = relais_printer_new (NULL, 1, FALSE, 20);
  PrintResult result = { 0 };

  print_and_wait (printer, document_path, NULL, &result);
  g_assert_error (result.error, RELAIS_ERROR, RELAIS_ERROR_PRINTER);
  g_test_message ("%s", result.error->message);
  g_assert_true (g_str_has_prefix (result.error->message,
                                   "Aucune imprimante n'est installée sur cette borne. "
                                   "Demandez à l'agent d'accueil de vérifier l'imprimante."));
  g_assert_cmpint (relais_printer_get_state (printer), ==, RELAIS_PRINT_STATE_FAILED);
  print_result_clear (&result);
}

static void
test_default_printer (void)
{
  g_autoptr(RelaisPrinter) printer = relais_printer_new (NULL, 1, FALSE, 20);
  PrintResult result = { 0 };

  relais_test_cups_clear_output ();
  relais_test_cups_run ((const char *[]) { "lpadmin", "-d", QUEUE, NULL });
  print_and_wait (printer, document_path, NULL, &result);
  g_assert_no_error (result.error);
  g_assert_cmpint (relais_printer_get_state (printer), ==, RELAIS_PRINT_STATE_DONE);
  print_result_clear (&result);
}

static void
test_no_such_printer (void)
{
  g_autoptr(RelaisPrinter) printer = relais_printer_new ("imprimante-absente", 1, FALSE, 20);
  PrintResult result = { 0 };

  print_and_wait (printer, document_path, NULL, &result);
  g_assert_error (result.error, RELAIS_ERROR, RELAIS_ERROR_PRINTER);
  g_test_message ("%s", result.error->message);
  g_assert_cmpstr (result.error->message, ==,
                   "L'imprimante de la borne est introuvable. "
                   "Demandez à l'agent d'accueil de vérifier l'imprimante.");
  print_result_clear (&result);
}

static void
test_stopped_queue (void)
{
  g_autoptr(RelaisPrinter) printer = relais_printer_new (QUEUE, 1, FALSE, 20);
  PrintResult result = { 0 };

  relais_test_cups_run ((const char *[]) { "cupsdisable", QUEUE, NULL });
  print_and_wait (printer, document_path, NULL, &result);
  relais_test_cups_run ((const char *[]) { "cupsenable", QUEUE, NULL });

  g_assert_error (result.error, RELAIS_ERROR, RELAIS_ERROR_PRINTER);
  g_test_message ("%s", result.error->message);
  g_assert_cmpstr (result.error->message, ==,
                   "L'imprimante est arrêtée. "
                   "Demandez à l'agent d'accueil de vérifier l'imprimante.");
  /* Nothing waits in the stopped queue to come out later. */
  g_assert_cmpint (relais_printer_get_job_id (printer), ==, 0);
  g_assert_cmpuint (relais_test_cups_count_jobs (QUEUE), ==, 0);
  print_result_clear (&result);
}

static void
test_not_a_pdf (void)
{
  g_autoptr(RelaisPrinter) printer = relais_printer_new (QUEUE, 1, FALSE, 20);
  g_autofree char *path = g_build_filename (relais_test_cups_get_dir (), "note.pdf", NULL);
  g_autoptr(GError) error = NULL;
  PrintResult result = { 0 };

  g_file_set_contents (path, "<html>pas un PDF</html>\n", -1, &error);
  g_assert_no_error (error);
  print_and_wait (printer, path, NULL, &result);
  g_assert_error (result.error, RELAIS_ERROR, RELAIS_ERROR_PRINTER);
  g_test_message ("%s", result.error->message);
  g_assert_true (g_str_has_prefix (result.error->message, "Ce fichier n'est pas un document PDF"));
  g_assert_cmpint (relais_printer_get_job_id (printer), ==, 0);
  g_assert_cmpuint (relais_test_cups_count_jobs (QUEUE), ==, 0);
  print_result_clear (&result);
}

static void
test_too_many_pages (void)
{
  g_autoptr(RelaisPrinter) printer = relais_printer_new (QUEUE, 1, FALSE, 2);
  PrintResult result = { 0 };

  print_and_wait (printer, document_path, NULL, &result);
  g_assert_error (result.error, RELAIS_ERROR, RELAIS_ERROR_PRINTER);
  g_test_message ("%s", result.error->message);
  g_assert_true (g_str_has_prefix (result.error->message,
                                   "Ce document a trop de pages pour cette borne (3 pages, 2 au plus)."));
  g_assert_cmpint (relais_printer_get_job_id (printer), ==, 0);
  print_result_clear (&result);
}

static void
printing_cb (RelaisPrinter *printer,
             GParamSpec    *pspec,
             GCancellable  *cancellable)
{
  if (relais_printer_get_state (printer) == RELAIS_PRINT_STATE_PRINTING)
    g_cancellable_cancel (cancellable);
}

static void
test_cancel (void)
{
  g_autoptr(RelaisPrinter) printer = relais_printer_new (SLOW_QUEUE, 1, FALSE, 20);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  PrintResult result = { 0 };
  gint64 started;

  /* The silent printer takes the job and never finishes it: cancel as
   * soon as it is "printing". */
  g_signal_connect (printer, "notify::state", G_CALLBACK (printing_cb), cancellable);
  started = g_get_monotonic_time ();
  print_and_wait (printer, document_path, cancellable, &result);
  g_test_message ("Cancelled after %.1f s", (g_get_monotonic_time () - started) / 1e6);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (has_state (&result, RELAIS_PRINT_STATE_PRINTING));
  g_assert_cmpint (relais_printer_get_job_id (printer), >, 0);
  g_assert_cmpuint (relais_test_cups_count_jobs (SLOW_QUEUE), ==, 0);
  print_result_clear (&result);
}

/* A printer that reports a fault once it has the job: the job is
 * cancelled (it must not come out later, for someone else) and the
 * fault is said in plain words. */
static void
assert_fault (const char *queue,
              const char *expected)
{
  g_autoptr(RelaisPrinter) printer = relais_printer_new (queue, 1, FALSE, 20);
  PrintResult result = { 0 };

  print_and_wait (printer, document_path, NULL, &result);
  g_assert_error (result.error, RELAIS_ERROR, RELAIS_ERROR_PRINTER);
  g_test_message ("%s", result.error->message);
  g_assert_cmpstr (result.error->message, ==, expected);
  g_assert_cmpint (relais_printer_get_job_id (printer), >, 0);
  g_assert_cmpuint (relais_test_cups_count_jobs (queue), ==, 0);
  print_result_clear (&result);
}

static void
test_out_of_paper (void)
{
  assert_fault (PAPER_QUEUE,
                "L'imprimante n'a plus de papier. "
                "Demandez à l'agent d'accueil de vérifier l'imprimante.");
}

static void
test_paper_jam (void)
{
  assert_fault (JAM_QUEUE,
                "Une feuille est coincée dans l'imprimante. "
                "Demandez à l'agent d'accueil de vérifier l'imprimante.");
}

/* "offline-report" is what a printer waking up says too: given up only
 * after a grace period (20 s). */
static void
test_offline (void)
{
  gint64 started = g_get_monotonic_time ();
  double seconds;

  assert_fault (RELAIS_TEST_CUPS_OFFLINE_QUEUE,
                "L'imprimante est éteinte ou débranchée. "
                "Demandez à l'agent d'accueil de vérifier l'imprimante.");
  seconds = (g_get_monotonic_time () - started) / 1e6;
  g_test_message ("Given up after %.1f s", seconds);
  g_assert_cmpfloat (seconds, >=, 20.0);
  g_assert_cmpfloat (seconds, <, 30.0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  relais_test_cups_start ();
  document_path = g_build_filename (relais_test_cups_get_dir (), DOCUMENT_NAME, NULL);
  relais_test_cups_write_document (document_path, 3);

  g_test_add_func ("/print/cups/three-pages", test_print_three_pages);
  g_test_add_func ("/print/cups/no-default-printer", test_no_default_printer);
  g_test_add_func ("/print/cups/default-printer", test_default_printer);
  g_test_add_func ("/print/cups/no-such-printer", test_no_such_printer);
  g_test_add_func ("/print/cups/stopped-queue", test_stopped_queue);
  g_test_add_func ("/print/cups/not-a-pdf", test_not_a_pdf);
  g_test_add_func ("/print/cups/too-many-pages", test_too_many_pages);
  g_test_add_func ("/print/cups/cancel", test_cancel);
  g_test_add_func ("/print/cups/out-of-paper", test_out_of_paper);
  g_test_add_func ("/print/cups/paper-jam", test_paper_jam);
  g_test_add_func ("/print/cups/offline", test_offline);

  status = g_test_run ();

  relais_test_cups_stop ();
  if (status == 0)
    relais_test_cups_remove_dir ();
  else
    g_printerr ("# CUPS logs kept in %s/log\n", relais_test_cups_get_dir ());

  g_free (document_path);
  return status;
}
