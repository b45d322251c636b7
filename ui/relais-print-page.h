/* relais-print-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context-page.h"
#include "relais-printer.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_PRINT_PAGE (relais_print_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisPrintPage, relais_print_page, RELAIS, PRINT_PAGE, RelaisContextPage)

/* "Votre conseiller vous envoie un document": a preview of the PDF page
 * by page (‹ ›, "Page 1 sur 3"), *Imprimer* (app.print-document) and
 * *Ne pas imprimer* (app.close-document); then the job's progress, with
 * *Annuler l'impression* (app.cancel-print), *Réessayer* and *Terminé*.
 * It watches the context's RelaisDossier: its "document" (shown from its
 * first page, in the preview state), "print-state" and "print-failure".
 * The page has the file drawn by the PDF helper (RelaisPdfSandbox: poppler
 * in a process of its own, with limits) and talks to no printer. A page
 * that cannot be drawn shows the document as broken, in plain words. */
GtkWidget        *relais_print_page_new              (RelaisContext    *context);

/* What the page shows (the dossier's print state, as last seen). */
RelaisPrintState  relais_print_page_get_state        (RelaisPrintPage  *self);

/* 0 until the document is read. */
guint             relais_print_page_get_n_pages      (RelaisPrintPage  *self);
/* 0-based. */
guint             relais_print_page_get_current_page (RelaisPrintPage  *self);
void              relais_print_page_show_page        (RelaisPrintPage  *self,
                                                      guint             index);
/* TRUE once the current page's picture is on screen. */
gboolean          relais_print_page_is_page_shown    (RelaisPrintPage  *self);

G_END_DECLS
