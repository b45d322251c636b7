/* fuzz-pdf-geometry.c — hostile PDFs through the PDF helper: each input is
 * a document, drawn by relais-pdf-helper under RelaisPdfSandbox's limits
 * (issue 12, item 6). Seeds are tiny PDFs with extreme MediaBoxes (1 x
 * 10000, 10000 x 1, 0 x 0, negative, inverted, 1e38) and page counts
 * (a /Count of two billion, a page tree that loops).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Whatever the input, the answer is bounded: a picture within the size
 * asked for whose bytes add up, or a clean failure (broken, password,
 * the helper killed by a limit, the clock), within the clock and a
 * margin. poppler itself is not instrumented: the fuzzer's coverage is
 * that of the sandbox's reading of the answer; the crashes it looks for
 * are the kiosk's, not the helper's (those are the point).
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <linux/magic.h>

#include "relais-pdf-sandbox.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_WIDTH   400
#define MAX_HEIGHT  300
#define CPU_S       2
#define TIMEOUT_MS  3000

static char *work_dir;
static char *pdf_path;
static RelaisPdfSandbox *sandbox;

static void
check_error (const GError *error)
{
  g_assert (error != NULL);
  g_assert (error->domain == G_IO_ERROR);
  g_assert (error->code == G_IO_ERROR_INVALID_DATA ||
            error->code == G_IO_ERROR_PERMISSION_DENIED ||
            error->code == G_IO_ERROR_FAILED ||
            error->code == G_IO_ERROR_TIMED_OUT);
}

static void
clean_up (void)
{
  g_unlink (pdf_path);
  g_rmdir (work_dir);
  g_clear_object (&sandbox);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  struct statfs st;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  /* /dev/shm when it is memory: thousands of small writes. */
  if (statfs ("/dev/shm", &st) == 0 && st.f_type == TMPFS_MAGIC)
    work_dir = g_mkdtemp (g_strdup ("/dev/shm/relais-fuzz-pdf-XXXXXX"));
  if (work_dir == NULL)
    work_dir = g_dir_make_tmp ("relais-fuzz-pdf-XXXXXX", NULL);
  g_assert (work_dir != NULL);
  pdf_path = g_build_filename (work_dir, "document.pdf", NULL);

  sandbox = relais_pdf_sandbox_new ();
  relais_pdf_sandbox_set_limits (sandbox, RELAIS_PDF_SANDBOX_DEFAULT_MEMORY, CPU_S, TIMEOUT_MS);
  atexit (clean_up);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisPdfImage) image = NULL;
  gint64 started = g_get_monotonic_time ();
  guint n_pages = 0;
  gint64 elapsed;

  g_assert (g_file_set_contents (pdf_path, (const char *) data, (gssize) size, NULL));

  if (relais_pdf_sandbox_count_pages (sandbox, pdf_path, NULL, &n_pages, &error))
    g_assert (n_pages >= 1 && n_pages <= RELAIS_PDF_SANDBOX_MAX_PAGES);
  else
    check_error (error);
  g_clear_error (&error);

  image = relais_pdf_sandbox_render (sandbox, pdf_path, 0, MAX_WIDTH, MAX_HEIGHT, NULL, &error);
  if (image != NULL)
    {
      g_assert (error == NULL);
      g_assert (image->n_pages >= 1 && image->n_pages <= RELAIS_PDF_SANDBOX_MAX_PAGES);
      g_assert (image->index == 0);
      g_assert (image->width >= 1 && image->width <= MAX_WIDTH);
      g_assert (image->height >= 1 && image->height <= MAX_HEIGHT);
      g_assert (image->stride == image->width * 4);
      g_assert (g_bytes_get_size (image->pixels) == (gsize) image->stride * (gsize) image->height);
    }
  else
    check_error (error);

  /* Two helpers, each stopped by its clock at the latest. */
  elapsed = (g_get_monotonic_time () - started) / 1000;
  g_assert (elapsed < 2 * (TIMEOUT_MS + 1000));
  return 0;
}
