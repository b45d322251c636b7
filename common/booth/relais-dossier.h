/* relais-dossier.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-call.h"
#include "relais-config.h"
#include "relais-document.h"
#include "relais-printer.h"
#include "relais-scanner.h"

#include "relais-booth-enums.h"

G_BEGIN_DECLS

/* Where the person's document for the advisor stands. */
typedef enum
{
  RELAIS_DOSSIER_IDLE,          /* nothing running: the pages as they are */
  RELAIS_DOSSIER_SCANNING,      /* "progress", "scanning-page" */
  RELAIS_DOSSIER_SCAN_FAILED,   /* "failure" says why */
  RELAIS_DOSSIER_SENDING,       /* "progress" */
  RELAIS_DOSSIER_SENT,          /* the advisor has it, hash checked */
  RELAIS_DOSSIER_SEND_FAILED,   /* "failure" says why (stopped, call cut…) */
} RelaisDossierState;

#define RELAIS_TYPE_DOSSIER (relais_dossier_get_type ())
G_DECLARE_FINAL_TYPE (RelaisDossier, relais_dossier, RELAIS, DOSSIER, GObject)

/* The papers of the person at the booth (issue 5; issue 9, item 2): the
 * pages they scan (with the scanner, or the camera's still when there is
 * none), the PDF made of them and sent to the advisor over the call, the
 * document the advisor sends back, and its printing. Pages watch it:
 *
 *  - "state", "progress" (0..1 of a scan or a sending), "scanning-page"
 *    (0-based place in the document of the page being scanned),
 *    "failure" (a sentence for a person), "camera", "n-pages", "retake";
 *  - "pages-changed" (position, removed, added), as GListModel says it;
 *  - "document" (the received PDF on the print page, or NULL),
 *    "print-state" and "print-failure";
 *  - "receive-failed" (a sentence for a person): a document from the
 *    advisor did not arrive whole.
 *
 * Everything of the person lives in memory and in the session directory
 * (relais-session-dir.h) until relais_dossier_reset(). Nothing of theirs
 * is logged: counts, sizes and times only. */
RelaisDossier      *relais_dossier_new                (RelaisConfig   *config);

/* The call documents go over (NULL: none). A replacement call carries
 * on an unfinished transfer (a reconnection resumes it). */
void                relais_dossier_set_call           (RelaisDossier  *self,
                                                       RelaisCall     *call);
RelaisCall         *relais_dossier_get_call           (RelaisDossier  *self);

RelaisDossierState  relais_dossier_get_state          (RelaisDossier  *self);
double              relais_dossier_get_progress       (RelaisDossier  *self);
guint               relais_dossier_get_scanning_page  (RelaisDossier  *self);
const char         *relais_dossier_get_failure        (RelaisDossier  *self);

/* Decides once per person between the scanner and the camera ("auto"
 * asks SANE for a scanner; a configured one is used as is), and readies
 * the camera's still. Call it when the scan page opens. */
void                relais_dossier_prepare            (RelaisDossier  *self);
/* The scanner (made from the configuration on first use): for a
 * backend's own options (tests, odd scanners). */
RelaisScanner      *relais_dossier_get_scanner        (RelaisDossier  *self);
/* TRUE: no scanner, the camera takes the pages. */
gboolean            relais_dossier_get_camera         (RelaisDossier  *self);

/* The pages. */
RelaisDocument     *relais_dossier_get_document       (RelaisDossier  *self);
guint               relais_dossier_get_n_pages        (RelaisDossier  *self);
RelaisPage         *relais_dossier_get_page           (RelaisDossier  *self,
                                                       guint           index);
void                relais_dossier_remove_page        (RelaisDossier  *self,
                                                       guint           index);
/* The page the next scan replaces, or -1 (the next scan adds). */
void                relais_dossier_set_retake         (RelaisDossier  *self,
                                                       int             index);
int                 relais_dossier_get_retake         (RelaisDossier  *self);

/* Scans one page (flatbed), the feeder's pages, or takes the camera's
 * still, and adds them (or replaces the page being retaken). Finish
 * returns the number of pages scanned, 0 with @error on failure; the
 * failure is also in "failure" (not when cancelled). */
void                relais_dossier_scan_async         (RelaisDossier       *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
guint               relais_dossier_scan_finish        (RelaisDossier       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* One task: the pages become a PDF (worker thread), which is kept in
 * the session directory, then sent over the call and acknowledged by the
 * advisor with its SHA-256 (returned by finish). */
void                relais_dossier_send_async         (RelaisDossier       *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char               *relais_dossier_send_finish        (RelaisDossier       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* Stops a scan or a sending. */
void                relais_dossier_cancel             (RelaisDossier  *self);
/* Stops, and drops every page (back to an empty document). */
void                relais_dossier_clear_pages        (RelaisDossier  *self);

/* The advisor's document: @path must be a regular file inside the
 * session directory (links and ".." resolved); FALSE otherwise, and
 * nothing changes. Shown from its first page, not printed. */
gboolean            relais_dossier_show_document      (RelaisDossier  *self,
                                                       const char     *path);
const char         *relais_dossier_get_document_path  (RelaisDossier  *self);
void                relais_dossier_close_document     (RelaisDossier  *self);

/* Prints the document shown (RelaisPrinter from the configuration);
 * "print-state" follows the job. Nothing if none is shown or a job
 * runs. */
void                relais_dossier_print              (RelaisDossier  *self);
void                relais_dossier_cancel_print       (RelaisDossier  *self);
RelaisPrintState    relais_dossier_get_print_state    (RelaisDossier  *self);
const char         *relais_dossier_get_print_failure  (RelaisDossier  *self);

/* The person has gone: stops everything, drops the pages, the transfer
 * and the document, forgets the scanner-or-camera choice and wipes the
 * session directory. */
void                relais_dossier_reset              (RelaisDossier  *self);

G_END_DECLS
