/* test-document.c: RelaisDocument's PDF: one page per page at its size on
 * paper, grey JPEG images, no metadata about anyone, and small enough.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "relais-document.h"
#include "relais-error.h"
#include "relais-text-page.h"
#include "../relais-test-document.h"

/* The aim for a 150 dpi A4 grey page (issue 5). */
#define MAX_PAGE_BYTES (120 * 1024)

static guint
count (GBytes     *bytes,
       const char *needle)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  gsize length = strlen (needle);
  guint n = 0;

  for (gsize i = 0; i + length <= size; i++)
    if (memcmp (data + i, needle, length) == 0)
      n++;
  return n;
}

/* The MediaBoxes, in page order: cairo writes them in the clear. */
static GArray *
media_boxes (GBytes *pdf)
{
  gsize size;
  const char *data = g_bytes_get_data (pdf, &size);
  GArray *boxes = g_array_new (FALSE, FALSE, sizeof (double));
  const char *needle = "/MediaBox [";

  for (gsize i = 0; i + strlen (needle) < size; i++)
    if (memcmp (data + i, needle, strlen (needle)) == 0)
      {
        double x0, y0, x1, y1;
        g_autofree char *box = g_strndup (data + i + strlen (needle), 80);

        if (sscanf (box, " %lf %lf %lf %lf", &x0, &y0, &x1, &y1) == 4)
          {
            double w = x1 - x0, h = y1 - y0;

            g_array_append_val (boxes, w);
            g_array_append_val (boxes, h);
          }
      }
  return boxes;
}

static GBytes *
build (GPtrArray *pages,
       gboolean   colour)
{
  g_autoptr(GError) error = NULL;
  GBytes *pdf = relais_document_build_pdf (pages, NULL, colour, RELAIS_DOCUMENT_DEFAULT_QUALITY, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pdf);
  g_assert_cmpmem (g_bytes_get_data (pdf, NULL), 5, "%PDF-", 5);
  return pdf;
}

static void
test_pages_and_size (void)
{
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_page_unref);
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GArray) boxes = NULL;

  g_ptr_array_add (pages, relais_text_page_new (150, FALSE));
  g_ptr_array_add (pages, relais_text_page_new (150, TRUE));
  g_ptr_array_add (pages, relais_text_page_new (300, FALSE));
  pdf = build (pages, FALSE);

  g_assert_cmpuint (count (pdf, "/Type /Page\n") + count (pdf, "/Type /Page "), ==, 3);
  /* Each page as JPEG or, when smaller (clean text), Flate: the
   * scan-like page's noise leaves JPEG the smaller. */
  g_assert_cmpuint (count (pdf, "/Subtype /Image"), ==, 3);
  g_assert_cmpuint (count (pdf, "/DCTDecode"), >=, 1);
  g_assert_cmpuint (count (pdf, "/ColorSpace /DeviceGray"), >=, 3);
  g_assert_cmpuint (count (pdf, "/ColorSpace /DeviceRGB"), ==, 0);

  /* Every page is A4 on paper, whatever its resolution. */
  boxes = media_boxes (pdf);
  g_assert_cmpuint (boxes->len, ==, 6);
  for (guint i = 0; i < boxes->len; i += 2)
    {
      g_assert_cmpfloat (ABS (g_array_index (boxes, double, i) - 595.3), <, 2.0);
      g_assert_cmpfloat (ABS (g_array_index (boxes, double, i + 1) - 841.9), <, 2.0);
    }

  /* Nothing about anyone: cairo's Producer and CreationDate only. */
  g_assert_cmpuint (count (pdf, "/Title"), ==, 0);
  g_assert_cmpuint (count (pdf, "/Author"), ==, 0);
  g_assert_cmpuint (count (pdf, "/Subject"), ==, 0);
  g_assert_cmpuint (count (pdf, "/Keywords"), ==, 0);
}

static void
test_page_budget (void)
{
  for (guint scanned = 0; scanned < 2; scanned++)
    {
      g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_page_unref);
      g_autoptr(GBytes) pdf = NULL;

      g_ptr_array_add (pages, relais_text_page_new (150, scanned));
      pdf = build (pages, FALSE);
      g_test_message ("150 dpi A4 grey text page (%s): %" G_GSIZE_FORMAT " bytes of PDF",
                      scanned ? "scan-like" : "clean", g_bytes_get_size (pdf));
      g_assert_cmpuint (g_bytes_get_size (pdf), <=, MAX_PAGE_BYTES);
    }
}

static void
test_colour (void)
{
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_page_unref);
  g_autofree guint8 *rgb = g_malloc (300 * 200 * 3);
  g_autoptr(GBytes) pixels = NULL;
  g_autoptr(GBytes) grey_pdf = NULL;
  g_autoptr(GBytes) colour_pdf = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) jpeg = NULL;

  for (guint i = 0; i < 300 * 200; i++)
    {
      rgb[3 * i] = (guint8) (i % 300);
      rgb[3 * i + 1] = (guint8) (i / 300);
      rgb[3 * i + 2] = 128;
    }
  pixels = g_bytes_new (rgb, 300 * 200 * 3);
  g_ptr_array_add (pages, relais_page_new (300, 200, 900, TRUE, 100, pixels));

  /* Grey unless asked. */
  grey_pdf = build (pages, FALSE);
  g_assert_cmpuint (count (grey_pdf, "/ColorSpace /DeviceGray"), >=, 1);
  g_assert_cmpuint (count (grey_pdf, "/Subtype /Image"), ==, 1);
  g_assert_cmpuint (count (grey_pdf, "/ColorSpace /DeviceRGB"), ==, 0);
  colour_pdf = build (pages, TRUE);
  g_assert_cmpuint (count (colour_pdf, "/ColorSpace /DeviceRGB"), >=, 1);
  g_assert_cmpuint (count (colour_pdf, "/DCTDecode"), ==, 1);

  jpeg = relais_document_encode_jpeg (g_ptr_array_index (pages, 0), TRUE, 80, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (jpeg), >, 100);
  g_assert_cmpmem (g_bytes_get_data (jpeg, NULL), 3, "\xff\xd8\xff", 3);
}

static void
test_edit_and_async (void)
{
  g_autoptr(RelaisDocument) document = relais_document_new ();
  g_autoptr(RelaisPage) first = relais_text_page_new (100, FALSE);
  g_autoptr(RelaisPage) second = relais_text_page_new (75, TRUE);
  g_autoptr(RelaisPage) retake = relais_text_page_new (75, FALSE);
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GArray) boxes = NULL;

  relais_document_add_page (document, first);
  relais_document_add_page (document, second);
  relais_document_add_page (document, first);
  g_assert_cmpuint (relais_document_get_n_pages (document), ==, 3);
  relais_document_replace_page (document, 1, retake);
  g_assert_true (relais_document_get_page (document, 1) == retake);
  relais_document_remove_page (document, 2);
  g_assert_cmpuint (relais_document_get_n_pages (document), ==, 2);

  relais_document_write_pdf_async (document, NULL, relais_test_written_cb, &pdf);
  while (pdf == NULL)
    g_main_context_iteration (NULL, TRUE);
  boxes = media_boxes (pdf);
  g_assert_cmpuint (boxes->len, ==, 4);

  /* No pages, no PDF: said plainly. */
  relais_document_clear (document);
  g_assert_cmpuint (relais_document_get_n_pages (document), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/document/pages-and-size", test_pages_and_size);
  g_test_add_func ("/document/page-budget", test_page_budget);
  g_test_add_func ("/document/colour", test_colour);
  g_test_add_func ("/document/edit-and-async", test_edit_and_async);

  return g_test_run ();
}
