/* relais-test-cups.c: a CUPS scheduler with test queues, for the printing
 * tests
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Runs inside relais-netns-run: the mount namespace lets the helper put
 * its own directory on /etc/cups, where cups-pdf looks for its
 * configuration (the path is built into it), without touching the
 * machine's. cupsd listens on a Unix socket in the test's directory only.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "relais-test-cups.h"

static char *test_dir;
static char *out_dir;
static GSubprocess *cupsd;
static int slow_listener = -1;

void
relais_test_cups_run (const char * const *argv)
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

char *
relais_test_cups_run_output (const char * const *argv)
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

void
relais_test_cups_start (void)
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
    g_error ("run this test through tests/integration/relais-netns-relais_test_cups_run (it needs a mount namespace)");

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
  pdf_conf = g_build_filename (etc, "cups-pdf-" RELAIS_TEST_CUPS_PDF_QUEUE ".conf", NULL);
  make_server_bin ();
  write_template ("cupsd.conf.in", cupsd_conf);
  write_template ("cups-files.conf.in", files_conf);
  write_template ("cups-pdf.conf.in", pdf_conf);

  /* Only in this test's mount namespace. */
  relais_test_cups_run ((const char *[]) { "mount", "--bind", etc, "/etc/cups", NULL });

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
  relais_test_cups_run ((const char *[]) { "lpadmin", "-p", RELAIS_TEST_CUPS_PDF_QUEUE, "-v", "cups-pdf:/" RELAIS_TEST_CUPS_PDF_QUEUE,
                          "-m", "lsb/usr/cups-pdf/CUPS-PDF_noopt.ppd",
                          "-o", "pdftops-renderer-default=pdftops", "-E", NULL });
  slow_uri = g_strdup_printf ("socket://127.0.0.1:%u", open_silent_printer ());
  relais_test_cups_run ((const char *[]) { "lpadmin", "-p", RELAIS_TEST_CUPS_SLOW_QUEUE, "-v", slow_uri, "-m", "raw", "-E", NULL });
  relais_test_cups_run ((const char *[]) { "lpadmin", "-p", RELAIS_TEST_CUPS_NO_PAPER_QUEUE, "-v", "relais-fault:/media-empty-error",
                          "-m", "raw", "-E", NULL });
  relais_test_cups_run ((const char *[]) { "lpadmin", "-p", RELAIS_TEST_CUPS_JAM_QUEUE, "-v", "relais-fault:/media-jam-error",
                          "-m", "raw", "-E", NULL });
  relais_test_cups_run ((const char *[]) { "lpadmin", "-p", RELAIS_TEST_CUPS_OFFLINE_QUEUE, "-v", "relais-fault:/offline-report",
                          "-m", "raw", "-E", NULL });
}

void
relais_test_cups_stop (void)
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
void
relais_test_cups_write_document (const char *path,
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

char *
relais_test_cups_find_output (void)
{
  g_autoptr(GDir) dir = g_dir_open (out_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".pdf"))
      return g_build_filename (out_dir, name, NULL);
  return NULL;
}

void
relais_test_cups_clear_output (void)
{
  g_autofree char *path = NULL;

  while ((path = relais_test_cups_find_output ()) != NULL)
    {
      g_assert_no_errno (g_unlink (path));
      g_clear_pointer (&path, g_free);
    }
}

guint
relais_test_cups_count_jobs (const char *queue)
{
  g_autofree char *out = relais_test_cups_run_output ((const char *[]) { "lpstat", "-o", queue, NULL });
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      n++;
  return n;
}

const char *
relais_test_cups_get_dir (void)
{
  return test_dir;
}

void
relais_test_cups_remove_dir (void)
{
  g_autofree char *quoted = g_shell_quote (test_dir);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_clear_pointer (&test_dir, g_free);
  g_clear_pointer (&out_dir, g_free);
}
