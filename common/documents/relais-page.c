/* relais-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-page"

#include "config.h"

#include "relais-page.h"

G_DEFINE_BOXED_TYPE (RelaisPage, relais_page, relais_page_ref, relais_page_unref)

typedef struct
{
  RelaisPage page;
  gint       ref_count;
} PageReal;

RelaisPage *
relais_page_new (guint     width,
                 guint     height,
                 guint     stride,
                 gboolean  colour,
                 double    dpi,
                 GBytes   *pixels)
{
  PageReal *real;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (stride >= width * (colour ? 3 : 1), NULL);
  g_return_val_if_fail (dpi > 0, NULL);
  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (g_bytes_get_size (pixels) >= (gsize) stride * height, NULL);

  real = g_new0 (PageReal, 1);
  real->ref_count = 1;
  real->page.width = width;
  real->page.height = height;
  real->page.stride = stride;
  real->page.colour = colour;
  real->page.dpi = dpi;
  real->page.pixels = g_bytes_ref (pixels);
  return &real->page;
}

RelaisPage *
relais_page_ref (RelaisPage *page)
{
  PageReal *real = (PageReal *) page;

  g_return_val_if_fail (page != NULL, NULL);

  g_atomic_int_inc (&real->ref_count);
  return page;
}

void
relais_page_unref (RelaisPage *page)
{
  PageReal *real = (PageReal *) page;

  g_return_if_fail (page != NULL);

  if (g_atomic_int_dec_and_test (&real->ref_count))
    {
      g_bytes_unref (real->page.pixels);
      g_free (real);
    }
}

RelaisPage *
relais_page_new_from_camera (const guint8 *data,
                             guint         width,
                             guint         height,
                             guint         stride,
                             gboolean      bgra,
                             double        dpi)
{
  guint histogram[256] = { 0 };
  guint8 *grey;
  guint64 total = (guint64) width * height;
  guint64 cut = total / 100;
  guint64 seen = 0;
  guint low = 0, high = 255;
  guint8 map[256];

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0 && stride >= width * 4, NULL);

  grey = g_malloc ((gsize) width * height);
  for (guint y = 0; y < height; y++)
    {
      const guint8 *row = data + (gsize) y * stride;
      guint8 *out = grey + (gsize) y * width;

      for (guint x = 0; x < width; x++)
        {
          guint r = row[4 * x + (bgra ? 2 : 0)];
          guint g = row[4 * x + 1];
          guint b = row[4 * x + (bgra ? 0 : 2)];
          /* ITU-R BT.601 luma, in integers. */
          guint8 value = (guint8) ((299 * r + 587 * g + 114 * b + 500) / 1000);

          out[x] = value;
          histogram[value]++;
        }
    }

  for (low = 0; low < 255; low++)
    {
      seen += histogram[low];
      if (seen > cut)
        break;
    }
  seen = 0;
  for (high = 255; high > 0; high--)
    {
      seen += histogram[high];
      if (seen > cut)
        break;
    }

  for (guint v = 0; v < 256; v++)
    {
      if (high <= low + 16)
        map[v] = (guint8) v;          /* a blank frame: nothing to stretch */
      else if (v <= low)
        map[v] = 0;
      else if (v >= high)
        map[v] = 255;
      else
        map[v] = (guint8) (((v - low) * 255 + (high - low) / 2) / (high - low));
    }
  for (guint64 i = 0; i < total; i++)
    grey[i] = map[grey[i]];

  {
    g_autoptr(GBytes) pixels = g_bytes_new_take (grey, (gsize) width * height);

    return relais_page_new (width, height, width, FALSE, dpi, pixels);
  }
}

double
relais_page_get_width_points (RelaisPage *page)
{
  g_return_val_if_fail (page != NULL, 0);

  return page->width * 72.0 / page->dpi;
}

double
relais_page_get_height_points (RelaisPage *page)
{
  g_return_val_if_fail (page != NULL, 0);

  return page->height * 72.0 / page->dpi;
}
