/* relais-document.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-page.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_DOCUMENT (relais_document_get_type ())
G_DECLARE_FINAL_TYPE (RelaisDocument, relais_document, RELAIS, DOCUMENT, GObject)

/* JPEG quality of grey pages: a 150 dpi A4 text page stays legible and
 * under 120 KB (see README, "Documents"). */
#define RELAIS_DOCUMENT_DEFAULT_QUALITY 45

/* The pages a person scanned, in order, and the PDF made of them: each
 * page at its size on paper (from its pixels and dpi), as a JPEG image
 * that cairo embeds as is (grey unless colour is asked for), and no
 * metadata but cairo's Producer and CreationDate: no title, no author,
 * nothing about the person. */
RelaisDocument *relais_document_new             (void);

guint           relais_document_get_n_pages     (RelaisDocument *self);
RelaisPage     *relais_document_get_page        (RelaisDocument *self,
                                                 guint           index);
void            relais_document_add_page        (RelaisDocument *self,
                                                 RelaisPage     *page);
/* Retake: the page at @index becomes @page. */
void            relais_document_replace_page    (RelaisDocument *self,
                                                 guint           index,
                                                 RelaisPage     *page);
void            relais_document_remove_page     (RelaisDocument *self,
                                                 guint           index);
void            relais_document_clear           (RelaisDocument *self);

/* FALSE (the default): colour pages are made grey in the PDF. */
void            relais_document_set_colour      (RelaisDocument *self,
                                                 gboolean        colour);
void            relais_document_set_quality     (RelaisDocument *self,
                                                 int             quality);

/* Encodes the pages and writes the PDF in a worker thread. */
void            relais_document_write_pdf_async  (RelaisDocument      *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GBytes         *relais_document_write_pdf_finish (RelaisDocument      *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* The same, blocking, on pages given: for worker threads, tests and the
 * bench. @jpegs, if not NULL, gives a ready JPEG (GBytes) per page to
 * embed instead of encoding the page (e.g. scanimage's own). */
GBytes         *relais_document_build_pdf        (GPtrArray    *pages,
                                                  GPtrArray    *jpegs,
                                                  gboolean      colour,
                                                  int           quality,
                                                  GError      **error);

/* One page as a baseline JPEG (grey, or RGB when @colour and the page
 * has colour). */
GBytes         *relais_document_encode_jpeg      (RelaisPage   *page,
                                                  gboolean      colour,
                                                  int           quality,
                                                  GError      **error);

G_END_DECLS
