/* bench-document.c: bytes per page of the kiosk's PDF (RelaisDocument)
 * against scanimage's own JPEG pages wrapped in a PDF, on the SANE test
 * backend's pictures and on a rendered page of text; and the time to make
 * the PDF. Prints a table; not a test (numbers, no verdict).
 *
 *   build/tests/bench/bench-document
 *
 * Needs scanimage (sane-utils) and the SANE test backend (libsane1).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <jpeglib.h>

#include "relais-document.h"
#include "relais-scanner.h"
#include "relais-text-page.h"
#include "../relais-test-document.h"

static char *sane_dir;

static void
print_row (const char *picture,
           const char *method,
           gsize       bytes,
           guint       pages,
           double      ms)
{
  printf ("%-28s %-44s %9.1f KB/page %s", picture, method, bytes / 1024.0 / pages,
          bytes / pages <= 120 * 1024 ? "   ≤ 120 KB" : "   > 120 KB");
  if (ms >= 0)
    printf ("   %6.1f ms/page", ms / pages);
  printf ("\n");
}

/* What scanimage --format=jpeg writes: libjpeg's defaults at quality 75,
 * baseline, no Huffman optimisation, the pixels as scanned. */
static GBytes *
plain_jpeg (RelaisPage *page,
            int         quality)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  unsigned char *output = NULL;
  unsigned long size = 0;
  const guint8 *pixels = g_bytes_get_data (page->pixels, NULL);
  GBytes *bytes;

  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &output, &size);
  cinfo.image_width = page->width;
  cinfo.image_height = page->height;
  cinfo.input_components = page->colour ? 3 : 1;
  cinfo.in_color_space = page->colour ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, quality, TRUE);
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW row = (JSAMPROW) (pixels + (gsize) cinfo.next_scanline * page->stride);

      jpeg_write_scanlines (&cinfo, &row, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  bytes = g_bytes_new (output, size);
  free (output);
  return bytes;
}

static cairo_status_t
append_cb (void                *closure,
           const unsigned char *data,
           unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* cairo's PDF with no JPEG given: the page stored losslessly (Flate). */
static gsize
lossless_pdf (RelaisPage *page)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  double w = relais_page_get_width_points (page), h = relais_page_get_height_points (page);
  cairo_surface_t *pdf = cairo_pdf_surface_create_for_stream (append_cb, out, w, h);
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) page->width, (int) page->height);
  const guint8 *pixels = g_bytes_get_data (page->pixels, NULL);
  guint8 *data = cairo_image_surface_get_data (image);
  int stride = cairo_image_surface_get_stride (image);
  cairo_t *cr;

  for (guint y = 0; y < page->height; y++)
    for (guint x = 0; x < page->width; x++)
      {
        guint8 v = pixels[(gsize) y * page->stride + (page->colour ? 3 * x : x)];

        *(guint32 *) (data + (gsize) y * stride + 4 * x) = 0xff000000u | v << 16 | v << 8 | v;
      }
  cairo_surface_mark_dirty (image);
  cr = cairo_create (pdf);
  cairo_scale (cr, w / page->width, h / page->height);
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (image);
  cairo_surface_finish (pdf);
  cairo_surface_destroy (pdf);
  return out->len;
}

static void
measure (const char *picture,
         GPtrArray  *pages,
         GPtrArray  *scanimage_jpegs)
{
  g_autoptr(GError) error = NULL;

  for (int quality = 35; quality <= 75; quality += 10)
    {
      g_autofree char *method = g_strdup_printf ("Relais (cleaned; JPEG q%d or Flate%s)", quality,
                                                 quality == RELAIS_DOCUMENT_DEFAULT_QUALITY ? ", default" : "");
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GBytes) pdf = relais_document_build_pdf (pages, NULL, FALSE, quality, &error);
      double ms = (g_get_monotonic_time () - start) / 1000.0;

      g_assert_no_error (error);
      print_row (picture, method, g_bytes_get_size (pdf), pages->len, ms);
    }
  if (RELAIS_DOCUMENT_DEFAULT_QUALITY % 10 != 5)
    {
      g_autoptr(GBytes) pdf = relais_document_build_pdf (pages, NULL, FALSE, RELAIS_DOCUMENT_DEFAULT_QUALITY, &error);

      print_row (picture, "Relais default", g_bytes_get_size (pdf), pages->len, -1);
    }

  if (scanimage_jpegs != NULL)
    {
      g_autoptr(GBytes) pdf = relais_document_build_pdf (pages, scanimage_jpegs, FALSE, 0, &error);

      g_assert_no_error (error);
      print_row (picture, "scanimage --format=jpeg, wrapped in a PDF", g_bytes_get_size (pdf), pages->len, -1);
    }
  else
    {
      g_autoptr(GPtrArray) jpegs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_autoptr(GBytes) pdf = NULL;

      for (guint i = 0; i < pages->len; i++)
        g_ptr_array_add (jpegs, plain_jpeg (g_ptr_array_index (pages, i), 75));
      pdf = relais_document_build_pdf (pages, jpegs, FALSE, 0, &error);
      g_assert_no_error (error);
      print_row (picture, "scanimage's JPEG (libjpeg q75), in a PDF", g_bytes_get_size (pdf), pages->len, -1);
    }

  print_row (picture, "cairo lossless (no JPEG), for reference",
             lossless_pdf (g_ptr_array_index (pages, 0)), 1, -1);
}

static void
sane_picture (const char *picture)
{
  RelaisScannerOptions options;
  g_autoptr(RelaisScanner) scanner = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GPtrArray) jpegs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *jpeg_path = g_build_filename (sane_dir, "page.jpg", NULL);
  g_autofree char *label = g_strdup_printf ("SANE test \"%s\"", picture);
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;
  const char *argv[] = {
    "scanimage", "-d", "test:0", "--mode", "Gray", "--resolution", "150",
    "-x", "210", "-y", "297", "--test-picture", picture, "--format=jpeg", "-o", jpeg_path, NULL
  };
  int status = 0;

  relais_scanner_options_init (&options);
  options.device = g_strdup ("test:0");
  options.resolution_dpi = 150;
  scanner = relais_scanner_new (&options);
  relais_scanner_options_clear (&options);
  relais_scanner_set_backend_option (scanner, "test-picture", picture);
  relais_scanner_scan_async (scanner, NULL, relais_test_scanned_cb, &pages);
  while (pages == NULL)
    g_main_context_iteration (NULL, TRUE);

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error) ||
      !g_file_get_contents (jpeg_path, &contents, &length, &error))
    {
      g_printerr ("scanimage failed (install sane-utils): %s\n", error->message);
      exit (1);
    }
  g_ptr_array_add (jpegs, g_bytes_new_take (g_steal_pointer (&contents), length));
  g_unlink (jpeg_path);

  measure (label, pages, jpegs);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dll = NULL;
  g_autofree char *conf = NULL;

  sane_dir = g_dir_make_tmp ("relais-bench-sane-XXXXXX", &error);
  g_assert_no_error (error);
  dll = g_build_filename (sane_dir, "dll.conf", NULL);
  conf = g_build_filename (sane_dir, "test.conf", NULL);
  g_file_set_contents (dll, "test\n", -1, NULL);
  g_file_set_contents (conf, "geometry_max 300.0\nnumber_of_devices 1\n", -1, NULL);
  g_setenv ("SANE_CONFIG_DIR", sane_dir, TRUE);

  printf ("A4 pages at 150 dpi, grey. Aim: a legible page in at most 120 KB.\n\n");

  sane_picture ("Color pattern");
  sane_picture ("Grid");

  for (int scanned = 0; scanned < 2; scanned++)
    {
      g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_page_unref);

      for (int i = 0; i < 3; i++)
        g_ptr_array_add (pages, relais_text_page_new (150, scanned));
      measure (scanned ? "text letter (scan-like)" : "text letter (clean)", pages, NULL);
    }

  g_unlink (dll);
  g_unlink (conf);
  g_rmdir (sane_dir);
  return 0;
}
