/* relais-scan-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context-page.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_SCAN_PAGE (relais_scan_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisScanPage, relais_scan_page, RELAIS, SCAN_PAGE, RelaisContextPage)

/* The walk-in's "send a document" screen: place the paper (pictogram),
 * scan with a large progress bar, look at the pages (add one, retake one,
 * remove one), say yes to sending them to the advisor's service (named
 * from the current ticket), and follow the sending. It opens no scanner
 * and no socket: it watches the context's RelaisDossier (state,
 * progress, pages, camera) and its buttons are actions (app.scan-page,
 * app.cancel-scan, app.send-document, app.close-scan). The pages
 * (personal data) live in the dossier. */
GtkWidget *relais_scan_page_new (RelaisContext *context);

G_END_DECLS
