/* relais-printer.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-config.h"

#include "relais-documents-enums.h"

G_BEGIN_DECLS

/* Where the print job of the person at the booth stands. */
typedef enum
{
  RELAIS_PRINT_STATE_IDLE,      /* nothing sent */
  RELAIS_PRINT_STATE_SENDING,   /* checking the file, handing it to CUPS */
  RELAIS_PRINT_STATE_QUEUED,    /* CUPS holds it, the printer has not started */
  RELAIS_PRINT_STATE_PRINTING,
  RELAIS_PRINT_STATE_DONE,
  RELAIS_PRINT_STATE_FAILED,    /* the print_finish() error says why */
} RelaisPrintState;

#define RELAIS_PRINTER_DEFAULT_MAX_PAGES 20

#define RELAIS_TYPE_PRINTER (relais_printer_get_type ())
G_DECLARE_FINAL_TYPE (RelaisPrinter, relais_printer, RELAIS, PRINTER, GObject)

/* @queue_name: a CUPS queue, or NULL for CUPS's default destination.
 * @copies: 1 to 5. @max_pages: longer documents are refused. The CUPS
 * server is libcups's usual one (CUPS_SERVER, client.conf, else the
 * local scheduler). */
RelaisPrinter   *relais_printer_new             (const char    *queue_name,
                                                 guint          copies,
                                                 gboolean       duplex,
                                                 guint          max_pages);
/* The [printer] group of @config. */
RelaisPrinter   *relais_printer_new_from_config (RelaisConfig  *config);

/* Prints the PDF at @pdf_path: checks it is a PDF of at most max-pages
 * pages, sends it to CUPS and follows the job until the printer is done
 * with it, all in a worker thread. "state" changes on the thread-default
 * main context of the caller as the job moves (sending, queued,
 * printing, done). Failures are RELAIS_ERROR_PRINTER with a message in
 * plain words that says what to do next; cancelling cancels the CUPS
 * job (G_IO_ERROR_CANCELLED). A job stuck on a printer that is stopped,
 * out of paper, jammed or offline is cancelled too: the person's
 * document must not come out after they have gone.
 *
 * The job's title is "Relais" and a number, never the document's name,
 * and the job is purged from CUPS's history once finished. One job at a
 * time: a second call while one runs fails. */
void             relais_printer_print_async     (RelaisPrinter        *self,
                                                 const char           *pdf_path,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean         relais_printer_print_finish    (RelaisPrinter        *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

RelaisPrintState relais_printer_get_state       (RelaisPrinter *self);
/* NULL for the default destination. */
const char      *relais_printer_get_queue_name  (RelaisPrinter *self);
/* The CUPS job id of the last job sent, 0 before any. */
int              relais_printer_get_job_id      (RelaisPrinter *self);

/* Checks, without CUPS, that @path starts like a PDF and has between 1
 * and @max_pages pages. Blocking (reads the file): for worker threads
 * and tests. Sets @n_pages. */
gboolean         relais_printer_check_pdf       (const char  *path,
                                                 guint        max_pages,
                                                 guint       *n_pages,
                                                 GError     **error);

G_END_DECLS
