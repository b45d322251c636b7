/* relais-document.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-document"

#include "config.h"

#include <stdio.h>
#include <setjmp.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <jpeglib.h>
#include <zlib.h>

#include "relais-document.h"
#include "relais-error.h"

struct _RelaisDocument
{
  GObject    parent_instance;

  GPtrArray *pages;      /* RelaisPage */
  gboolean   colour;
  int        quality;
};

G_DEFINE_FINAL_TYPE (RelaisDocument, relais_document, G_TYPE_OBJECT)

/* ---- JPEG --------------------------------------------------------------- */

typedef struct
{
  struct jpeg_error_mgr manager;
  jmp_buf               jump;
} JpegError;

static void
jpeg_error_exit (j_common_ptr cinfo)
{
  JpegError *error = (JpegError *) cinfo->err;

  longjmp (error->jump, 1);
}

static void
jpeg_silent (j_common_ptr cinfo)
{
}

typedef struct
{
  RelaisPage    *page;
  gboolean       rgb_out;
  int            quality;
  unsigned char *output;     /* malloc'd by jpeg_mem_dest */
  unsigned long  output_size;
  guint8        *grey;       /* the cleaned grey page, when the output is grey */
} EncodeJob;

/* A grey page as a document scanner's driver would clean it: the paper
 * (the median level: most of a page is paper) and what is lighter become
 * white, the darkest 1 % black, linear in between. Paper grain and sensor
 * noise vanish, and with them most of the JPEG's bytes (README,
 * "Documents"); ink keeps its shades. A page too flat to tell paper from
 * ink is left as it is. */
static guint8 *
clean_grey (RelaisPage *page)
{
  const guint8 *pixels = g_bytes_get_data (page->pixels, NULL);
  guint64 total = (guint64) page->width * page->height;
  guint8 *grey = g_malloc (total);
  guint64 histogram[256] = { 0 };
  guint64 seen = 0;
  guint black, white;
  guint8 map[256];

  for (guint y = 0; y < page->height; y++)
    {
      const guint8 *in = pixels + (gsize) y * page->stride;
      guint8 *out = grey + (gsize) y * page->width;

      for (guint x = 0; x < page->width; x++)
        {
          /* ITU-R BT.601 luma for colour pages. */
          out[x] = page->colour
            ? (guint8) ((299 * in[3 * x] + 587 * in[3 * x + 1] + 114 * in[3 * x + 2] + 500) / 1000)
            : in[x];
          histogram[out[x]]++;
        }
    }

  for (black = 0; black < 255; black++)
    if ((seen += histogram[black]) > total / 100)
      break;
  seen = 0;
  for (white = 0; white < 255; white++)
    if ((seen += histogram[white]) > total / 2)
      break;
  white = white > 12 ? white - 12 : 0;

  if (white < black + 64)
    return grey;

  for (guint v = 0; v < 256; v++)
    map[v] = v <= black ? 0 : v >= white ? 255 : (guint8) ((v - black) * 255 / (white - black));
  for (guint64 i = 0; i < total; i++)
    grey[i] = map[grey[i]];
  return grey;
}

/* Everything that lives across setjmp is in *job, reached through a
 * volatile pointer: nothing for longjmp to clobber. */
static gboolean
encode (EncodeJob *job_arg)
{
  EncodeJob * volatile job = job_arg;
  struct jpeg_compress_struct cinfo;
  JpegError jerr;
  const guint8 *pixels = g_bytes_get_data (job->page->pixels, NULL);

  memset (&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error (&jerr.manager);
  jerr.manager.error_exit = jpeg_error_exit;
  jerr.manager.output_message = jpeg_silent;
  if (setjmp (jerr.jump))
    {
      jpeg_destroy_compress (&cinfo);
      return FALSE;
    }

  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &job->output, &job->output_size);
  cinfo.image_width = job->page->width;
  cinfo.image_height = job->page->height;
  cinfo.input_components = job->rgb_out ? 3 : 1;
  cinfo.in_color_space = job->rgb_out ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, CLAMP (job->quality, 10, 95), TRUE);
  /* Two passes for the Huffman tables, and progressive scans: together
   * some 10 % smaller on text pages, for nothing visible. */
  cinfo.optimize_coding = TRUE;
  jpeg_simple_progression (&cinfo);
  /* The page's own resolution, so viewers show it at its size. */
  cinfo.density_unit = 1;
  cinfo.X_density = cinfo.Y_density = (UINT16) CLAMP (job->page->dpi + 0.5, 1, 65535);
  jpeg_start_compress (&cinfo, TRUE);

  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW rows[1];

      if (job->grey != NULL)
        rows[0] = job->grey + (gsize) cinfo.next_scanline * job->page->width;
      else
        rows[0] = (JSAMPROW) (pixels + (gsize) cinfo.next_scanline * job->page->stride);
      jpeg_write_scanlines (&cinfo, rows, 1);
    }

  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  return TRUE;
}

GBytes *
relais_document_encode_jpeg (RelaisPage  *page,
                             gboolean     colour,
                             int          quality,
                             GError     **error)
{
  EncodeJob job = { 0 };
  gboolean ok;
  GBytes *bytes = NULL;

  g_return_val_if_fail (page != NULL, NULL);

  job.page = page;
  job.rgb_out = colour && page->colour;
  job.quality = quality;
  if (!job.rgb_out)
    job.grey = clean_grey (page);

  ok = encode (&job);
  if (ok)
    bytes = g_bytes_new (job.output, job.output_size);
  free (job.output);
  g_free (job.grey);

  if (!ok)
    g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                         _("La page n’a pas pu être compressée."));
  return bytes;
}

/* The cleaned grey plane as JPEG, or NULL. */
static GBytes *
encode_grey (RelaisPage *page,
             guint8     *grey,
             int         quality)
{
  EncodeJob job = { 0 };
  GBytes *bytes = NULL;

  job.page = page;
  job.quality = quality;
  job.grey = grey;
  if (encode (&job))
    bytes = g_bytes_new (job.output, job.output_size);
  free (job.output);
  return bytes;
}

/* What Flate (cairo's lossless image compression) makes of the grey
 * plane, near enough: zlib at cairo's level. */
static gsize
deflated_size (const guint8 *grey,
               gsize         length)
{
  uLongf size = compressBound (length);
  g_autofree Bytef *out = g_malloc (size);

  if (compress2 (out, &size, grey, length, Z_DEFAULT_COMPRESSION) != Z_OK)
    return G_MAXSIZE;
  return size;
}

/* An image surface holding the grey plane (cairo-pdf sees that every
 * pixel is grey and writes one Flate-compressed DeviceGray channel). */
static cairo_surface_t *
grey_surface (const guint8 *grey,
              guint         width,
              guint         height)
{
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) width, (int) height);
  guint8 *data = cairo_image_surface_get_data (image);
  int stride = cairo_image_surface_get_stride (image);

  for (guint y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (data + (gsize) y * stride);
      const guint8 *in = grey + (gsize) y * width;

      for (guint x = 0; x < width; x++)
        row[x] = 0xff000000u | (guint32) in[x] << 16 | (guint32) in[x] << 8 | in[x];
    }
  cairo_surface_mark_dirty (image);
  return image;
}

/* Reads the size of a JPEG from its frame header (SOFn). */
static gboolean
jpeg_size (GBytes *jpeg,
           guint  *width,
           guint  *height)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (jpeg, &length);
  gsize i = 2;

  if (length < 4 || data[0] != 0xff || data[1] != 0xd8)
    return FALSE;

  while (i + 9 < length)
    {
      guint8 marker;
      gsize segment;

      if (data[i] != 0xff)
        return FALSE;
      marker = data[i + 1];
      if (marker == 0xff)
        {
          i++;
          continue;
        }
      segment = ((gsize) data[i + 2] << 8) | data[i + 3];
      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc)
        {
          *height = ((guint) data[i + 5] << 8) | data[i + 6];
          *width = ((guint) data[i + 7] << 8) | data[i + 8];
          return *width > 0 && *height > 0;
        }
      i += 2 + segment;
    }
  return FALSE;
}

/* ---- PDF ---------------------------------------------------------------- */

static cairo_status_t
write_cb (void                *closure,
          const unsigned char *data,
          unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
relais_document_build_pdf (GPtrArray  *pages,
                           GPtrArray  *jpegs,
                           gboolean    colour,
                           int         quality,
                           GError    **error)
{
  g_autoptr(GByteArray) output = NULL;
  cairo_surface_t *pdf;
  cairo_t *cr;
  cairo_status_t status;

  g_return_val_if_fail (pages != NULL && pages->len > 0, NULL);
  g_return_val_if_fail (jpegs == NULL || jpegs->len == pages->len, NULL);

  output = g_byte_array_new ();
  pdf = cairo_pdf_surface_create_for_stream (write_cb, output, 595.0, 842.0);
  cr = cairo_create (pdf);

  for (guint i = 0; i < pages->len; i++)
    {
      RelaisPage *page = g_ptr_array_index (pages, i);
      g_autoptr(GBytes) jpeg = NULL;
      cairo_surface_t *image = NULL;
      guint width = 0, height = 0;
      double width_points = relais_page_get_width_points (page);
      double height_points = relais_page_get_height_points (page);

      if (jpegs != NULL)
        jpeg = g_bytes_ref (g_ptr_array_index (jpegs, i));
      else if (colour && page->colour)
        jpeg = relais_document_encode_jpeg (page, TRUE, quality, error);
      else
        {
          /* A cleaned page of text is mostly pure white and pure black:
           * Flate often beats JPEG there (and loses nothing). Whichever is
           * smaller goes in (README, "Documents"). */
          g_autofree guint8 *grey = clean_grey (page);
          gsize length = (gsize) page->width * page->height;

          jpeg = encode_grey (page, grey, quality);
          if (jpeg != NULL && deflated_size (grey, length) < g_bytes_get_size (jpeg))
            {
              g_clear_pointer (&jpeg, g_bytes_unref);
              image = grey_surface (grey, page->width, page->height);
              width = page->width;
              height = page->height;
            }
          else if (jpeg == NULL)
            g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                                 _("La page n’a pas pu être compressée."));
        }

      if (image == NULL)
        {
          if (jpeg == NULL)
            goto fail;
          if (!jpeg_size (jpeg, &width, &height))
            {
              g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                                   _("La page n’a pas pu être compressée."));
              goto fail;
            }

          /* An empty image of the JPEG's size carrying the JPEG as mime
           * data: cairo-pdf writes the JPEG itself (DCTDecode) and never
           * looks at these pixels. */
          image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) width, (int) height);
          cairo_surface_set_mime_data (image, CAIRO_MIME_TYPE_JPEG,
                                       g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg),
                                       (cairo_destroy_func_t) g_bytes_unref, g_bytes_ref (jpeg));
        }

      cairo_pdf_surface_set_size (pdf, width_points, height_points);
      cairo_save (cr);
      cairo_scale (cr, width_points / width, height_points / height);
      cairo_set_source_surface (cr, image, 0, 0);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_show_page (cr);
      cairo_surface_destroy (image);
    }

  cairo_destroy (cr);
  cairo_surface_finish (pdf);
  status = cairo_surface_status (pdf);
  cairo_surface_destroy (pdf);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Le document PDF n’a pas pu être fait (%s)."), cairo_status_to_string (status));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&output));

fail:
  cairo_destroy (cr);
  cairo_surface_finish (pdf);
  cairo_surface_destroy (pdf);
  return NULL;
}

typedef struct
{
  GPtrArray *pages;
  gboolean   colour;
  int        quality;
} WriteData;

static void
write_data_free (gpointer data)
{
  WriteData *write = data;

  g_ptr_array_unref (write->pages);
  g_free (write);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteData *write = task_data;
  g_autoptr(GError) error = NULL;
  GBytes *pdf;

  if (g_task_return_error_if_cancelled (task))
    return;

  pdf = relais_document_build_pdf (write->pages, NULL, write->colour, write->quality, &error);
  if (pdf == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, pdf, (GDestroyNotify) g_bytes_unref);
}

/* ---- GObject ------------------------------------------------------------ */

static void
relais_document_finalize (GObject *object)
{
  RelaisDocument *self = (RelaisDocument *) object;

  g_ptr_array_unref (self->pages);

  G_OBJECT_CLASS (relais_document_parent_class)->finalize (object);
}

static void
relais_document_class_init (RelaisDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = relais_document_finalize;
}

static void
relais_document_init (RelaisDocument *self)
{
  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_page_unref);
  self->quality = RELAIS_DOCUMENT_DEFAULT_QUALITY;
}

/* ---- Public ------------------------------------------------------------- */

RelaisDocument *
relais_document_new (void)
{
  return g_object_new (RELAIS_TYPE_DOCUMENT, NULL);
}

guint
relais_document_get_n_pages (RelaisDocument *self)
{
  g_return_val_if_fail (RELAIS_IS_DOCUMENT (self), 0);

  return self->pages->len;
}

RelaisPage *
relais_document_get_page (RelaisDocument *self,
                          guint           index)
{
  g_return_val_if_fail (RELAIS_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (index < self->pages->len, NULL);

  return g_ptr_array_index (self->pages, index);
}

void
relais_document_add_page (RelaisDocument *self,
                          RelaisPage     *page)
{
  g_return_if_fail (RELAIS_IS_DOCUMENT (self));
  g_return_if_fail (page != NULL);

  g_ptr_array_add (self->pages, relais_page_ref (page));
}

void
relais_document_replace_page (RelaisDocument *self,
                              guint           index,
                              RelaisPage     *page)
{
  g_return_if_fail (RELAIS_IS_DOCUMENT (self));
  g_return_if_fail (index < self->pages->len);
  g_return_if_fail (page != NULL);

  relais_page_unref (g_ptr_array_index (self->pages, index));
  g_ptr_array_index (self->pages, index) = relais_page_ref (page);
}

void
relais_document_remove_page (RelaisDocument *self,
                             guint           index)
{
  g_return_if_fail (RELAIS_IS_DOCUMENT (self));
  g_return_if_fail (index < self->pages->len);

  g_ptr_array_remove_index (self->pages, index);
}

void
relais_document_clear (RelaisDocument *self)
{
  g_return_if_fail (RELAIS_IS_DOCUMENT (self));

  g_ptr_array_set_size (self->pages, 0);
}

void
relais_document_set_colour (RelaisDocument *self,
                            gboolean        colour)
{
  g_return_if_fail (RELAIS_IS_DOCUMENT (self));

  self->colour = !!colour;
}

void
relais_document_set_quality (RelaisDocument *self,
                             int             quality)
{
  g_return_if_fail (RELAIS_IS_DOCUMENT (self));

  self->quality = CLAMP (quality, 10, 95);
}

void
relais_document_write_pdf_async (RelaisDocument      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteData *write;

  g_return_if_fail (RELAIS_IS_DOCUMENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_document_write_pdf_async);

  if (self->pages->len == 0)
    {
      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                               _("Le document n’a aucune page."));
      return;
    }

  /* The worker gets its own list: pages are immutable and shared. */
  write = g_new0 (WriteData, 1);
  write->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_page_unref);
  for (guint i = 0; i < self->pages->len; i++)
    g_ptr_array_add (write->pages, relais_page_ref (g_ptr_array_index (self->pages, i)));
  write->colour = self->colour;
  write->quality = self->quality;
  g_task_set_task_data (task, write, write_data_free);
  g_task_run_in_thread (task, write_thread);
}

GBytes *
relais_document_write_pdf_finish (RelaisDocument  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (RELAIS_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
