/* test-printer.c: RelaisPrinter without a scheduler: the checks made
 * before anything reaches CUPS, and a CUPS that is not there
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * tests/integration/test-print-cups.c prints for real.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <glib/gstdio.h>

#include "relais-error.h"
#include "relais-printer.h"

static char *test_dir;

static char *
write_pdf (const char *name,
           guint       n_pages)
{
  char *path = g_build_filename (test_dir, name, NULL);
  cairo_surface_t *surface = cairo_pdf_surface_create (path, 595.0, 842.0);
  cairo_t *cr = cairo_create (surface);

  for (guint i = 0; i < n_pages; i++)
    {
      cairo_rectangle (cr, 72, 72, 100, 100);
      cairo_fill (cr);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);
  return path;
}

static char *
write_bytes (const char *name,
             const char *contents,
             gssize      length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (test_dir, name, NULL);

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

static void
assert_check_fails (const char *path,
                    guint       max_pages,
                    const char *prefix)
{
  g_autoptr(GError) error = NULL;
  guint n_pages = 0;

  g_assert_false (relais_printer_check_pdf (path, max_pages, &n_pages, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_PRINTER);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  /* No trace of the file's name in what is shown (and maybe logged). */
  g_assert_null (strstr (error->message, test_dir));
}

static void
test_check_pdf (void)
{
  g_autofree char *three = write_pdf ("trois.pdf", 3);
  g_autofree char *text = write_bytes ("texte.pdf", "Bonjour\n", -1);
  g_autofree char *empty = write_bytes ("vide.pdf", "", 0);
  g_autofree char *cut = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *missing = g_build_filename (test_dir, "absent.pdf", NULL);
  g_autofree char *link = g_build_filename (test_dir, "lien.pdf", NULL);
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  guint n_pages = 0;

  g_assert_true (relais_printer_check_pdf (three, 20, &n_pages, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_pages, ==, 3);
  g_assert_true (relais_printer_check_pdf (three, 3, &n_pages, &error));
  g_assert_no_error (error);

  assert_check_fails (three, 2, "Ce document a trop de pages pour cette borne (3 pages, 2 au plus).");
  assert_check_fails (text, 20, "Ce fichier n'est pas un document PDF");
  assert_check_fails (empty, 20, "Ce fichier n'est pas un document PDF");
  assert_check_fails (missing, 20, "Le document n'est plus là");

  /* The magic alone is not enough: a cut file is refused by poppler. */
  g_file_get_contents (three, &contents, &length, &error);
  g_assert_no_error (error);
  cut = write_bytes ("coupe.pdf", contents, 40);
  assert_check_fails (cut, 20, "Ce document PDF est abîmé");

  /* A symbolic link is not followed: the session directory holds files. */
  g_assert_no_errno (symlink (three, link));
  assert_check_fails (link, 20, "Le document n'est plus là");
}

static void
print_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (relais_printer_print_finish (RELAIS_PRINTER (source), result, error));
}

static void
test_no_scheduler (void)
{
  g_autoptr(RelaisPrinter) printer = relais_printer_new ("relais-test", 1, FALSE, 20);
  g_autofree char *three = write_pdf ("trois-b.pdf", 3);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  relais_printer_print_async (printer, three, NULL, print_cb, &error);
  g_assert_cmpint (relais_printer_get_state (printer), ==, RELAIS_PRINT_STATE_SENDING);
  while (error == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_PRINTER);
  g_test_message ("%s", error->message);
  g_assert_cmpstr (error->message, ==,
                   "Le service d'impression de la borne ne répond pas. "
                   "Demandez à l'agent d'accueil de vérifier l'imprimante.");
  g_assert_cmpint (relais_printer_get_state (printer), ==, RELAIS_PRINT_STATE_FAILED);
  g_assert_cmpint (relais_printer_get_job_id (printer), ==, 0);
}

static void
test_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = relais_config_new_from_data ("[printer]\nname=hall\ncopies=9\n", "x.conf", &error);

  g_assert_null (config);
  g_clear_error (&error);
  config = relais_config_new_from_data ("[printer]\nname=hall\ncopies=2\n", "x.conf", &error);
  g_assert_no_error (error);
  {
    g_autoptr(RelaisPrinter) printer = relais_printer_new_from_config (config);

    g_assert_cmpstr (relais_printer_get_queue_name (printer), ==, "hall");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *socket_path = NULL;
  int status;

  test_dir = g_dir_make_tmp ("relais-test-printer-XXXXXX", NULL);
  g_assert_nonnull (test_dir);
  /* A scheduler that is not there (before any thread: setenv). */
  socket_path = g_build_filename (test_dir, "no-cups.sock", NULL);
  g_setenv ("CUPS_SERVER", socket_path, TRUE);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/printer/check-pdf", test_check_pdf);
  g_test_add_func ("/printer/no-scheduler", test_no_scheduler);
  g_test_add_func ("/printer/config", test_config);
  status = g_test_run ();

  {
    g_autofree char *quoted = g_shell_quote (test_dir);
    g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (test_dir);
  return status;
}
