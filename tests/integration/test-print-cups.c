/* test-print-cups.c: RelaisPrinter against a real CUPS scheduler with a
 * cups-pdf queue, both started by the test
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Runs inside relais-netns-run: the mount namespace lets the test put its
 * own directory on /etc/cups, where cups-pdf looks for its configuration
 * (the path is built into it), without touching the machine's. cupsd
 * listens on a Unix socket in the test's directory only.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <poppler.h>

#include "relais-error.h"
#include "relais-printer.h"

#define QUEUE "relais-test"
#define SLOW_QUEUE "relais-slow"
#define PAPER_QUEUE "relais-no-paper"
#define JAM_QUEUE "relais-jam"
/* A name that looks like a person's: it must show up nowhere in CUPS. */
#define DOCUMENT_NAME "dossier-jeanne-dupont.pdf"

static char *test_dir;
static char *out_dir;
static char *document_path;
static GSubprocess *cupsd;
static int slow_listener = -1;

static void
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("%s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s%s", argv[0], error->message, out, err);
}

static char *
run_output (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, NULL, &error))
    g_error ("%s: %s", argv[0], error->message);
  return out;
}

static void
write_template (const char *name,
                const char *out_path)
{
  const char *srcdir = g_getenv ("RELAIS_INTEGRATION_DIR");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (srcdir);
  path = g_build_filename (srcdir, "cups", name, NULL);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  text = g_string_new (contents);
  g_string_replace (text, "@DIR@", test_dir, 0);
  g_file_set_contents (out_path, text->str, -1, &error);
  g_assert_no_error (error);
}

static const char *
require (const char *path,
         const char *package)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_error ("%s is missing: install the Debian package %s", path, package);
  return path;
}

static gboolean
socket_ready (const char *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, NULL);
  return connection != NULL;
}

/* A TCP port that accepts connections (the kernel does, through the
 * backlog) but never reads: a printer that takes the job and never ends
 * it, so the job stays "processing" until cancelled. */
static guint
open_silent_printer (void)
{
  struct sockaddr_in address = { 0 };
  socklen_t length = sizeof address;

  slow_listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (slow_listener, >=, 0);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_no_errno (bind (slow_listener, (struct sockaddr *) &address, sizeof address));
  g_assert_no_errno (listen (slow_listener, 4));
  g_assert_no_errno (getsockname (slow_listener, (struct sockaddr *) &address, &length));
  return ntohs (address.sin_port);
}

/* @DIR@/serverbin: the system's CUPS programs, and our fault backend. */
static void
make_server_bin (void)
{
  const char *srcdir = g_getenv ("RELAIS_INTEGRATION_DIR");
  g_autofree char *server_bin = g_build_filename (test_dir, "serverbin", NULL);
  g_autofree char *backends = g_build_filename (server_bin, "backend", NULL);
  g_autofree char *fault_source = g_build_filename (srcdir, "cups", "relais-fault", NULL);
  g_autofree char *fault = g_build_filename (backends, "relais-fault", NULL);
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_assert_no_errno (g_mkdir_with_parents (backends, 0755));
  dir = g_dir_open ("/usr/lib/cups", 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *target = g_build_filename ("/usr/lib/cups", name, NULL);
      g_autofree char *link = g_build_filename (server_bin, name, NULL);

      if (!g_str_equal (name, "backend"))
        g_assert_no_errno (symlink (target, link));
    }
  g_clear_pointer (&dir, g_dir_close);
  dir = g_dir_open ("/usr/lib/cups/backend", 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *target = g_build_filename ("/usr/lib/cups/backend", name, NULL);
      g_autofree char *link = g_build_filename (backends, name, NULL);

      g_assert_no_errno (symlink (target, link));
    }

  g_file_get_contents (fault_source, &script, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (fault, script, -1, &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (fault, 0755));
}

static void
start_cups (void)
{
  g_autofree char *etc = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *cupsd_conf = NULL;
  g_autofree char *files_conf = NULL;
  g_autofree char *pdf_conf = NULL;
  g_autofree char *slow_uri = NULL;
  g_autoptr(GError) error = NULL;
  const char *subdirs[] = { "etc", "spool/tmp", "cache", "state", "log", "out", "pdf-spool" };
  gint64 deadline;

  if (g_strcmp0 (g_getenv ("RELAIS_NETNS"), "1") != 0)
    g_error ("run this test through tests/integration/relais-netns-run (it needs a mount namespace)");

  require ("/usr/sbin/cupsd", "cups");
  require ("/usr/sbin/lpadmin", "cups-client");
  require ("/usr/sbin/cupsdisable", "cups-client");
  require ("/usr/lib/cups/backend/cups-pdf", "printer-driver-cups-pdf");
  require ("/usr/lib/cups/filter/pdftops", "cups-filters");
  require ("/usr/bin/gs", "ghostscript");
  require ("/etc/cups", "cups");

  test_dir = g_dir_make_tmp ("relais-print-XXXXXX", &error);
  g_assert_no_error (error);
  /* cupsd runs its filters as the "lp" user: they must reach the spool. */
  g_assert_no_errno (g_chmod (test_dir, 0755));
  for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *dir = g_build_filename (test_dir, subdirs[i], NULL);

      g_assert_no_errno (g_mkdir_with_parents (dir, 0755));
    }
  out_dir = g_build_filename (test_dir, "out", NULL);
  etc = g_build_filename (test_dir, "etc", NULL);
  cupsd_conf = g_build_filename (etc, "cupsd.conf", NULL);
  files_conf = g_build_filename (etc, "cups-files.conf", NULL);
  pdf_conf = g_build_filename (etc, "cups-pdf-" QUEUE ".conf", NULL);
  make_server_bin ();
  write_template ("cupsd.conf.in", cupsd_conf);
  write_template ("cups-files.conf.in", files_conf);
  write_template ("cups-pdf.conf.in", pdf_conf);

  /* Only in this test's mount namespace. */
  run ((const char *[]) { "mount", "--bind", etc, "/etc/cups", NULL });

  socket_path = g_build_filename (test_dir, "cups.sock", NULL);
  /* Before any thread starts (setenv is not thread-safe) and before any
   * libcups call (it reads the variable once per thread). */
  g_setenv ("CUPS_SERVER", socket_path, TRUE);

  cupsd = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                            "/usr/sbin/cupsd", "-f", "-c", cupsd_conf, "-s", files_conf, NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!socket_ready (socket_path))
    {
      if (g_get_monotonic_time () > deadline || g_subprocess_get_identifier (cupsd) == NULL)
        {
          g_autofree char *log_path = g_build_filename (test_dir, "log", "error_log", NULL);
          g_autofree char *log = NULL;

          g_file_get_contents (log_path, &log, NULL, NULL);
          g_error ("cupsd did not start; its log:\n%s", log != NULL ? log : "(none)");
        }
      g_usleep (50 * 1000);
    }
  /* cups-pdf takes PostScript. cups-filters' default PDF-to-PostScript
   * renderer (Ghostscript) turns text into outlines, which a printer
   * does not mind but which leave poppler no text to compare; poppler's
   * pdftops keeps the fonts. */
  run ((const char *[]) { "lpadmin", "-p", QUEUE, "-v", "cups-pdf:/" QUEUE,
                          "-m", "lsb/usr/cups-pdf/CUPS-PDF_noopt.ppd",
                          "-o", "pdftops-renderer-default=pdftops", "-E", NULL });
  slow_uri = g_strdup_printf ("socket://127.0.0.1:%u", open_silent_printer ());
  run ((const char *[]) { "lpadmin", "-p", SLOW_QUEUE, "-v", slow_uri, "-m", "raw", "-E", NULL });
  run ((const char *[]) { "lpadmin", "-p", PAPER_QUEUE, "-v", "relais-fault:/media-empty-error",
                          "-m", "raw", "-E", NULL });
  run ((const char *[]) { "lpadmin", "-p", JAM_QUEUE, "-v", "relais-fault:/media-jam-error",
                          "-m", "raw", "-E", NULL });
}

static void
stop_cups (void)
{
  if (cupsd != NULL)
    {
      g_subprocess_send_signal (cupsd, SIGTERM);
      g_subprocess_wait (cupsd, NULL, NULL);
      g_clear_object (&cupsd);
    }
  if (slow_listener >= 0)
    close (slow_listener);
  umount ("/etc/cups");
}

/* A 3-page A4 PDF with one known line per page. */
static void
write_document (const char *path,
                guint       n_pages)
{
  cairo_surface_t *surface = cairo_pdf_surface_create (path, 595.0, 842.0);
  cairo_t *cr = cairo_create (surface);

  cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 28);
  for (guint i = 1; i <= n_pages; i++)
    {
      g_autofree char *line = g_strdup_printf ("Relais page %u sur %u", i, n_pages);

      cairo_move_to (cr, 72, 144);
      cairo_show_text (cr, line);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

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

static char *
find_output (void)
{
  g_autoptr(GDir) dir = g_dir_open (out_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".pdf"))
      return g_build_filename (out_dir, name, NULL);
  return NULL;
}

static void
clear_output (void)
{
  g_autofree char *path = NULL;

  while ((path = find_output ()) != NULL)
    {
      g_assert_no_errno (g_unlink (path));
      g_clear_pointer (&path, g_free);
    }
}

static guint
count_jobs (const char *queue)
{
  g_autofree char *out = run_output ((const char *[]) { "lpstat", "-o", queue, NULL });
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      n++;
  return n;
}

/* No file of a job left in the scheduler's spool (d… data, c… control). */
static void
assert_spool_empty (void)
{
  g_autofree char *spool = g_build_filename (test_dir, "spool", NULL);
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

  clear_output ();
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
  while ((output = find_output ()) == NULL && g_get_monotonic_time () < deadline)
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
  g_assert_cmpuint (count_jobs (QUEUE), ==, 0);
  assert_spool_empty ();
  for (const char * const *name = (const char * const[]) { "error_log", "access_log", "page_log", NULL };
       *name != NULL; name++)
    {
      g_autofree char *path = g_build_filename (test_dir, "log", *name, NULL);

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

  clear_output ();
  run ((const char *[]) { "lpadmin", "-d", QUEUE, NULL });
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

  run ((const char *[]) { "cupsdisable", QUEUE, NULL });
  print_and_wait (printer, document_path, NULL, &result);
  run ((const char *[]) { "cupsenable", QUEUE, NULL });

  g_assert_error (result.error, RELAIS_ERROR, RELAIS_ERROR_PRINTER);
  g_test_message ("%s", result.error->message);
  g_assert_cmpstr (result.error->message, ==,
                   "L'imprimante est arrêtée. "
                   "Demandez à l'agent d'accueil de vérifier l'imprimante.");
  /* Nothing waits in the stopped queue to come out later. */
  g_assert_cmpint (relais_printer_get_job_id (printer), ==, 0);
  g_assert_cmpuint (count_jobs (QUEUE), ==, 0);
  print_result_clear (&result);
}

static void
test_not_a_pdf (void)
{
  g_autoptr(RelaisPrinter) printer = relais_printer_new (QUEUE, 1, FALSE, 20);
  g_autofree char *path = g_build_filename (test_dir, "note.pdf", NULL);
  g_autoptr(GError) error = NULL;
  PrintResult result = { 0 };

  g_file_set_contents (path, "<html>pas un PDF</html>\n", -1, &error);
  g_assert_no_error (error);
  print_and_wait (printer, path, NULL, &result);
  g_assert_error (result.error, RELAIS_ERROR, RELAIS_ERROR_PRINTER);
  g_test_message ("%s", result.error->message);
  g_assert_true (g_str_has_prefix (result.error->message, "Ce fichier n'est pas un document PDF"));
  g_assert_cmpint (relais_printer_get_job_id (printer), ==, 0);
  g_assert_cmpuint (count_jobs (QUEUE), ==, 0);
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
  g_assert_cmpuint (count_jobs (SLOW_QUEUE), ==, 0);
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
  g_assert_cmpuint (count_jobs (queue), ==, 0);
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

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  start_cups ();
  document_path = g_build_filename (test_dir, DOCUMENT_NAME, NULL);
  write_document (document_path, 3);

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

  status = g_test_run ();

  stop_cups ();
  if (status == 0)
    {
      g_autofree char *quoted = g_shell_quote (test_dir);
      g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

      g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
    }
  else
    {
      g_printerr ("# CUPS logs kept in %s/log\n", test_dir);
    }

  g_free (document_path);
  g_free (out_dir);
  g_free (test_dir);
  return status;
}
