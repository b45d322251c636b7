/* relais-pdf-helper.c: poppler, alone in a process, on one PDF
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A document that came over the network is read here and nowhere else in
 * the kiosk (issue 12, item 6): a crash in poppler ends this process, not
 * the person's call, and the kiosk started it with limits on memory and
 * CPU time and a clock (common/documents/relais-pdf-sandbox.c, which is
 * also the one place that reads what this program writes).
 *
 *   relais-pdf-helper count                     < document.pdf
 *   relais-pdf-helper render INDEX WIDTH HEIGHT < document.pdf
 *
 * The PDF comes on standard input (a file the kiosk opened: no path to
 * follow here). One line comes out on standard output:
 *
 *   pages N                  count: the document has N pages
 *   image N W H STRIDE       render: page INDEX drawn at most WIDTH x
 *                            HEIGHT pixels, keeping its proportions,
 *                            followed by H x STRIDE bytes of pixels
 *                            (cairo ARGB32, premultiplied, native order)
 *   error REASON             encrypted, broken, no-page, geometry, usage
 *
 * and the exit status is 0 whenever a line was written. Nothing names the
 * file or quotes it; poppler's own messages go to standard error, which
 * the kiosk throws away.
 */
#define G_LOG_DOMAIN "relais-pdf-helper"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <glib.h>
#include <poppler.h>

/* Whatever the kiosk asks: a bound of our own on the picture. */
#define MAX_SIDE 4096
/* Points: a page smaller than this is not a page (a tenth of a mm). */
#define MIN_PAGE_POINTS 0.25

static gboolean
write_all (const void *data,
           gsize       length)
{
  const guint8 *bytes = data;

  while (length > 0)
    {
      ssize_t n = write (STDOUT_FILENO, bytes, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      bytes += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static int
answer (const char *format,
        ...) G_GNUC_PRINTF (1, 2);

static int
answer (const char *format,
        ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  return write_all (line, strlen (line)) ? 0 : 1;
}

static gboolean
parse_number (const char *text,
              guint64     max,
              guint64    *value)
{
  return text != NULL && g_ascii_string_to_unsigned (text, 10, 0, max, value, NULL);
}

/* Draws @page at most @max_width x @max_height, proportions kept. */
static int
render (PopplerPage *page,
        int          n_pages,
        guint64      max_width,
        guint64      max_height)
{
  double page_width = 0, page_height = 0, scale;
  cairo_surface_t *surface;
  cairo_t *cr;
  int width, height, stride;
  gboolean written;

  poppler_page_get_size (page, &page_width, &page_height);
  /* A page of no size, a negative or endless one: nothing to draw. A
   * page 10000 times wider than tall is drawn, as a thin strip, within
   * the bounds (before, the width alone passed cairo's 32767). */
  if (!isfinite (page_width) || !isfinite (page_height) ||
      page_width < MIN_PAGE_POINTS || page_height < MIN_PAGE_POINTS)
    return answer ("error geometry\n");

  scale = MIN ((double) max_width / page_width, (double) max_height / page_height);
  width = (int) CLAMP (floor (page_width * scale + 0.5), 1.0, (double) max_width);
  height = (int) CLAMP (floor (page_height * scale + 0.5), 1.0, (double) max_height);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return answer ("error geometry\n");
    }
  cr = cairo_create (surface);
  /* Poppler leaves the paper transparent. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  poppler_page_render (page, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  stride = cairo_image_surface_get_stride (surface);
  written = answer ("image %d %d %d %d\n", n_pages, width, height, stride) == 0 &&
            write_all (cairo_image_surface_get_data (surface), (gsize) stride * (gsize) height);
  cairo_surface_destroy (surface);
  return written ? 0 : 1;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  PopplerDocument *document;
  PopplerPage *page;
  guint64 index = 0, max_width = 0, max_height = 0;
  gboolean count;
  int n_pages;
  int status;

  count = argc == 2 && g_str_equal (argv[1], "count");
  if (!count &&
      !(argc == 5 && g_str_equal (argv[1], "render") &&
        parse_number (argv[2], G_MAXINT, &index) &&
        parse_number (argv[3], MAX_SIDE, &max_width) && max_width > 0 &&
        parse_number (argv[4], MAX_SIDE, &max_height) && max_height > 0))
    return answer ("error usage\n");

  /* Poppler owns the descriptor from here. */
  document = poppler_document_new_from_fd (STDIN_FILENO, NULL, &error);
  if (document == NULL)
    return answer (g_error_matches (error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED)
                   ? "error encrypted\n" : "error broken\n");

  n_pages = poppler_document_get_n_pages (document);
  if (n_pages < 1)
    status = answer ("error broken\n");
  else if (count)
    status = answer ("pages %d\n", n_pages);
  else if (index >= (guint64) n_pages)
    status = answer ("error no-page\n");
  else if ((page = poppler_document_get_page (document, (int) index)) == NULL)
    status = answer ("error broken\n");
  else
    {
      status = render (page, n_pages, max_width, max_height);
      g_object_unref (page);
    }

  /* Poppler 22.12 (Debian 12) defines no autoptr cleanup for its types. */
  g_object_unref (document);
  return status;
}
