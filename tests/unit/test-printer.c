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
#include "relais-pdf-sandbox.h"
#include "relais-printer.h"

#include "../relais-test-utils.h"

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

/* One page of @width x @height points. */
static char *
write_page (const char *name,
            double      width,
            double      height)
{
  char *path = g_build_filename (test_dir, name, NULL);
  cairo_surface_t *surface = cairo_pdf_surface_create (path, width, height);
  cairo_t *cr = cairo_create (surface);

  cairo_rectangle (cr, 0, 0, width / 2, height / 2);
  cairo_fill (cr);
  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);
  return path;
}

/* A program in place of the helper: a shell script of @body. */
static char *
write_script (const char *name,
              const char *body)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = g_strdup_printf ("#!/bin/sh\n%s\n", body);
  char *path = g_build_filename (test_dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (path, 0700));
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

/* The kiosk's process never maps poppler: documents from the network are
 * read by relais-pdf-helper (issue 12, item 6). */
static void
test_no_poppler_here (void)
{
  g_autofree char *maps = NULL;
  g_autofree char *one = write_pdf ("une.pdf", 1);
  guint n_pages = 0;

  g_assert_true (relais_printer_check_pdf (one, 20, &n_pages, NULL));
  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  g_assert_null (strstr (maps, "libpoppler"));
}

static void
test_sandbox_pages (void)
{
  g_autoptr(RelaisPdfSandbox) sandbox = relais_pdf_sandbox_new ();
  g_autofree char *three = write_pdf ("trois-s.pdf", 3);
  g_autofree char *wide = write_page ("large.pdf", 14400.0, 10.0);
  g_autofree char *tall = write_page ("haute.pdf", 10.0, 14400.0);
  g_autoptr(RelaisPdfImage) image = NULL;
  g_autoptr(GError) error = NULL;
  guint n_pages = 0;

  g_assert_true (relais_pdf_sandbox_count_pages (sandbox, three, NULL, &n_pages, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_pages, ==, 3);

  /* A4 at 900 pixels high. */
  image = relais_pdf_sandbox_render (sandbox, three, 2, 1800, 900, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (image->n_pages, ==, 3);
  g_assert_cmpuint (image->index, ==, 2);
  g_assert_cmpint (image->height, ==, 900);
  g_assert_cmpint (image->width, ==, 636);
  g_assert_cmpuint (g_bytes_get_size (image->pixels), ==, (gsize) image->stride * image->height);
  g_clear_pointer (&image, relais_pdf_image_free);

  /* 1440 times wider than tall: a strip within the bounds (in the
   * kiosk's process before, 900 pixels high made it 1296000 wide, past
   * cairo's 32767: no picture, drawn again forever). */
  image = relais_pdf_sandbox_render (sandbox, wide, 0, 1800, 900, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("wide page: %dx%d", image->width, image->height);
  g_assert_cmpint (image->width, ==, 1800);
  g_assert_cmpint (image->height, >=, 1);
  g_assert_cmpint (image->height, <=, 2);
  g_clear_pointer (&image, relais_pdf_image_free);
  image = relais_pdf_sandbox_render (sandbox, tall, 0, 1800, 900, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->height, ==, 900);
  g_assert_cmpint (image->width, ==, 1);
  g_clear_pointer (&image, relais_pdf_image_free);

  /* No such page; not a PDF. */
  image = relais_pdf_sandbox_render (sandbox, three, 3, 1800, 900, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (image);
  g_clear_error (&error);
  {
    g_autofree char *text = write_bytes ("texte-s.pdf", "%PDF-1.4\nBonjour\n", -1);

    g_assert_false (relais_pdf_sandbox_count_pages (sandbox, text, NULL, &n_pages, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_null (strstr (error->message, test_dir));
  }
}

static gboolean
no_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* A helper that crashes, loops, sleeps or answers nonsense: a clean
 * failure, on time. */
static void
test_sandbox_limits (void)
{
  g_autoptr(RelaisPdfSandbox) sandbox = relais_pdf_sandbox_new ();
  g_autofree char *one = write_pdf ("une-s.pdf", 1);
  g_autofree char *limits_file = g_build_filename (test_dir, "limites.txt", NULL);
  g_autofree char *report = g_strdup_printf ("ulimit -v > '%s'; ulimit -t >> '%s'; ulimit -c >> '%s'; echo 'pages 1'",
                                             limits_file, limits_file, limits_file);
  g_autofree char *reporter = write_script ("limites.sh", report);
  g_autofree char *crasher = write_script ("plante.sh", "kill -SEGV $$");
  g_autofree char *spinner = write_script ("boucle.sh", "while :; do :; done");
  g_autofree char *sleeper = write_script ("dort.sh", "exec sleep 30");
  g_autofree char *liar = write_script ("ment.sh", "echo 'image 1 10 10 40'; head -c 100 /dev/zero");
  g_autofree char *limits = NULL;
  g_autoptr(RelaisPdfImage) image = NULL;
  g_autoptr(GError) error = NULL;
  guint n_pages = 0;
  gint64 started;

  /* The limits reach the helper. ASan's shadow memory cannot live under
   * RLIMIT_AS: a sanitized build sets none (relais-pdf-sandbox.c). */
  relais_pdf_sandbox_set_helper (sandbox, reporter);
  g_assert_true (relais_pdf_sandbox_count_pages (sandbox, one, NULL, &n_pages, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (limits_file, &limits, NULL, NULL));
#if defined(__SANITIZE_ADDRESS__)
  g_assert_cmpstr (limits, ==, "unlimited\n5\n0\n");
#else
  g_assert_cmpstr (limits, ==, "786432\n5\n0\n");
#endif

  relais_pdf_sandbox_set_helper (sandbox, crasher);
  g_assert_false (relais_pdf_sandbox_count_pages (sandbox, one, NULL, &n_pages, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  /* RLIMIT_CPU stops a loop long before the clock would. */
  relais_pdf_sandbox_set_helper (sandbox, spinner);
  relais_pdf_sandbox_set_limits (sandbox, RELAIS_PDF_SANDBOX_DEFAULT_MEMORY, 1, 20000);
  started = g_get_monotonic_time ();
  g_assert_false (relais_pdf_sandbox_count_pages (sandbox, one, NULL, &n_pages, &error));
  g_test_message ("loop stopped after %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - started) / 1000);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* The clock stops one that waits. */
  relais_pdf_sandbox_set_helper (sandbox, sleeper);
  relais_pdf_sandbox_set_limits (sandbox, RELAIS_PDF_SANDBOX_DEFAULT_MEMORY, 5, 300);
  started = g_get_monotonic_time ();
  image = relais_pdf_sandbox_render (sandbox, one, 0, 100, 100, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_null (image);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* Cancelled from the caller's side, asynchronously. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GAsyncResult) result = NULL;
    guint wake = g_timeout_add (20, no_cb, NULL);

    relais_pdf_sandbox_set_limits (sandbox, RELAIS_PDF_SANDBOX_DEFAULT_MEMORY, 5, 10000);
    relais_pdf_sandbox_count_pages_async (sandbox, one, cancellable, relais_test_result_cb, &result);
    g_cancellable_cancel (cancellable);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (relais_pdf_sandbox_count_pages_finish (sandbox, result, &n_pages, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_source_remove (wake);
  }

  /* An answer that does not add up (100 bytes for a 10x10 picture). */
  relais_pdf_sandbox_set_helper (sandbox, liar);
  image = relais_pdf_sandbox_render (sandbox, one, 0, 100, 100, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
}

static void
test_sandbox_answers (void)
{
  static const struct {
    const char *answer;
    gssize      length;     /* -1: strlen */
    gboolean    image;
    gboolean    ok;
  } cases[] = {
    { "pages 3\n", -1, FALSE, TRUE },
    { "pages 0\n", -1, FALSE, FALSE },
    { "pages 10000\n", -1, FALSE, FALSE },
    { "pages 3", -1, FALSE, FALSE },
    { "pages 3\nmore", -1, FALSE, FALSE },
    { "pages -1\n", -1, FALSE, FALSE },
    { "\n", -1, FALSE, FALSE },
    { "", 0, FALSE, FALSE },
    { "error encrypted\n", -1, FALSE, FALSE },
    { "image 1 2 2 8\n0123456789abcdef", -1, TRUE, TRUE },
    { "image 1 2 2 8\n0123456789abcde", -1, TRUE, FALSE },
    { "image 1 2 2 12\n0123456789abcdef01234567", -1, TRUE, FALSE },
    { "image 1 2000 2 8000\n", -1, TRUE, FALSE },
    { "image 1 0 2 0\n", -1, TRUE, FALSE },
    { "image 0 2 2 8\n0123456789abcdef", -1, TRUE, FALSE },
    { "image 1 2 2 8 9\n0123456789abcdef", -1, TRUE, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RelaisPdfImage) image = NULL;
      g_autoptr(GError) error = NULL;
      gsize length = cases[i].length < 0 ? strlen (cases[i].answer) : (gsize) cases[i].length;
      guint n_pages = 0;
      gboolean ok;

      ok = relais_pdf_sandbox_parse_answer ((const guint8 *) cases[i].answer, length, 0, 100, 100,
                                            &n_pages, cases[i].image ? &image : NULL, &error);
      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, ok ? "ok" : error->message);
      g_assert_cmpint (ok, ==, cases[i].ok);
      g_assert_true (ok == (error == NULL));
      g_assert_true (!cases[i].image || ok == (image != NULL));
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
  g_test_add_func ("/printer/no-poppler-here", test_no_poppler_here);
  g_test_add_func ("/pdf-sandbox/pages", test_sandbox_pages);
  g_test_add_func ("/pdf-sandbox/limits", test_sandbox_limits);
  g_test_add_func ("/pdf-sandbox/answers", test_sandbox_answers);
  status = g_test_run ();

  {
    g_autofree char *quoted = g_shell_quote (test_dir);
    g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (test_dir);
  return status;
}
