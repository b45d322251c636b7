/* relais-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* One page of a document: 8-bit grey or 24-bit RGB pixels, rows of
 * @stride bytes, and the resolution it was taken at (its size on paper is
 * width / dpi inches). Immutable once made; reference-counted. */
typedef struct
{
  guint    width;
  guint    height;
  guint    stride;
  gboolean colour;     /* FALSE: 1 byte a pixel (grey); TRUE: R, G, B */
  double   dpi;
  GBytes  *pixels;     /* height × stride bytes */
} RelaisPage;

#define RELAIS_TYPE_PAGE (relais_page_get_type ())
GType       relais_page_get_type (void);

/* Takes a reference on @pixels, which must hold @height × @stride bytes. */
RelaisPage *relais_page_new      (guint       width,
                                  guint       height,
                                  guint       stride,
                                  gboolean    colour,
                                  double      dpi,
                                  GBytes     *pixels);
RelaisPage *relais_page_ref      (RelaisPage *page);
void        relais_page_unref    (RelaisPage *page);

/* The webcam's still as a page: @data is BGRA (or RGBA, @bgra FALSE),
 * rows of @stride bytes. The result is grey, its levels stretched so the
 * darkest 1 % is black and the lightest 1 % white (a document under a
 * kiosk's lamp comes out dull and grey otherwise). @dpi is what the
 * camera's framing amounts to (about 75 for A4 filling a 640x480 frame). */
RelaisPage *relais_page_new_from_camera (const guint8 *data,
                                         guint         width,
                                         guint         height,
                                         guint         stride,
                                         gboolean      bgra,
                                         double        dpi);

/* Its size on paper, in PostScript points (1/72 inch). */
double      relais_page_get_width_points  (RelaisPage *page);
double      relais_page_get_height_points (RelaisPage *page);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaisPage, relais_page_unref)

G_END_DECLS
