/* relais-pdf-sandbox.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A document claiming more pages than this is not one a kiosk shows. */
#define RELAIS_PDF_SANDBOX_MAX_PAGES       9999
/* Largest picture of a page asked for, either side. */
#define RELAIS_PDF_SANDBOX_MAX_SIDE        4096
/* The helper's limits: address space, CPU time, and the clock. */
#define RELAIS_PDF_SANDBOX_DEFAULT_MEMORY  (G_GUINT64_CONSTANT (768) * 1024 * 1024)
#define RELAIS_PDF_SANDBOX_DEFAULT_CPU_S   5
#define RELAIS_PDF_SANDBOX_DEFAULT_TIMEOUT_MS 10000

/* One page drawn: cairo ARGB32 (premultiplied, native order, which is
 * GDK_MEMORY_DEFAULT), @stride bytes a row. */
typedef struct
{
  guint   n_pages;     /* of the document */
  guint   index;
  int     width;
  int     height;
  int     stride;
  GBytes *pixels;      /* height × stride bytes */
} RelaisPdfImage;

void relais_pdf_image_free (RelaisPdfImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaisPdfImage, relais_pdf_image_free)

#define RELAIS_TYPE_PDF_SANDBOX (relais_pdf_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (RelaisPdfSandbox, relais_pdf_sandbox, RELAIS, PDF_SANDBOX, GObject)

/* Reads PDFs that came from elsewhere (the advisor, the network) in a
 * helper process, relais-pdf-helper, never in the kiosk's own (issue 12,
 * item 6): poppler's crashes, endless loops and huge allocations end the
 * helper, which runs with RLIMIT_AS, RLIMIT_CPU, no core file and a
 * wall-clock timeout, and whose answer is checked byte for byte.
 *
 * Failures (G_IO_ERROR): INVALID_DATA the document is broken (unreadable,
 * no such page, a page of no size, an answer that does not add up),
 * PERMISSION_DENIED it wants a password, TIMED_OUT the clock ran out,
 * FAILED the helper could not start or died (a limit, a crash),
 * CANCELLED. Messages name no file and quote nothing of it: for logs,
 * not for people.
 *
 * The helper is $RELAIS_PDF_HELPER, else the installed one, else the
 * one in the build tree. Everything happens on the thread-default main
 * context of the caller; the object holds settings only, so one may be
 * used from several threads once set up. */
RelaisPdfSandbox *relais_pdf_sandbox_new                 (void);
/* Tests: another program in place of the helper, other limits
 * (@memory_bytes 0: no address-space limit). */
void              relais_pdf_sandbox_set_helper          (RelaisPdfSandbox *self,
                                                          const char       *path);
void              relais_pdf_sandbox_set_limits          (RelaisPdfSandbox *self,
                                                          guint64           memory_bytes,
                                                          guint             cpu_seconds,
                                                          guint             timeout_ms);

void              relais_pdf_sandbox_count_pages_async   (RelaisPdfSandbox    *self,
                                                          const char          *path,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean          relais_pdf_sandbox_count_pages_finish  (RelaisPdfSandbox    *self,
                                                          GAsyncResult        *result,
                                                          guint               *n_pages,
                                                          GError             **error);
/* The same, blocking, on a main context of its own: for worker threads
 * and tests. */
gboolean          relais_pdf_sandbox_count_pages         (RelaisPdfSandbox    *self,
                                                          const char          *path,
                                                          GCancellable        *cancellable,
                                                          guint               *n_pages,
                                                          GError             **error);

/* Draws page @index (from 0) within @max_width × @max_height pixels
 * (each 1 to RELAIS_PDF_SANDBOX_MAX_SIDE), proportions kept: a page
 * 10000 times wider than tall comes back as a strip @max_width wide. */
void              relais_pdf_sandbox_render_async        (RelaisPdfSandbox    *self,
                                                          const char          *path,
                                                          guint                index,
                                                          int                  max_width,
                                                          int                  max_height,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
RelaisPdfImage   *relais_pdf_sandbox_render_finish       (RelaisPdfSandbox    *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
/* Blocking, as count_pages(). */
RelaisPdfImage   *relais_pdf_sandbox_render              (RelaisPdfSandbox    *self,
                                                          const char          *path,
                                                          guint                index,
                                                          int                  max_width,
                                                          int                  max_height,
                                                          GCancellable        *cancellable,
                                                          GError             **error);

/* Reads the helper's whole answer (the sandbox does; public for tests
 * and fuzzing): of a render of @index within @max_width × @max_height
 * when @image is given (it gets the picture), of a count otherwise.
 * Sets @n_pages (may be NULL). */
gboolean          relais_pdf_sandbox_parse_answer        (const guint8     *data,
                                                          gsize             length,
                                                          guint             index,
                                                          int               max_width,
                                                          int               max_height,
                                                          guint            *n_pages,
                                                          RelaisPdfImage  **image,
                                                          GError          **error);

G_END_DECLS
