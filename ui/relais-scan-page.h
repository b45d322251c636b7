/* relais-scan-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-document.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_SCAN_PAGE (relais_scan_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisScanPage, relais_scan_page, RELAIS, SCAN_PAGE, GtkWidget)

/* The walk-in's "send a document" screen: place the paper (pictogram),
 * scan with a large progress bar, look at the pages (add one, retake one,
 * remove one), say yes to sending them to the advisor's service, and
 * follow the sending. It opens no scanner and no socket: it asks
 * ("scan-requested", "cancel-requested", "send-requested", "closed") and
 * the kiosk answers through the setters below. The pages (personal data)
 * live in its RelaisDocument until relais_scan_page_reset(). */
GtkWidget      *relais_scan_page_new               (void);

/* "la Caisse d’allocations familiales": named in the consent question. */
void            relais_scan_page_set_service_name  (RelaisScanPage *self,
                                                    const char     *service_name);
/* No scanner: the camera takes the picture (other pictogram, words). */
void            relais_scan_page_set_camera_mode   (RelaisScanPage *self,
                                                    gboolean        camera);
RelaisDocument *relais_scan_page_get_document      (RelaisScanPage *self);
/* The page the next scan replaces ("retake"), or -1: the next scan adds. */
int             relais_scan_page_get_retake_index  (RelaisScanPage *self);

void            relais_scan_page_set_scan_progress (RelaisScanPage *self,
                                                    guint           page,
                                                    double          fraction);
/* The scan's pages: added, or in place of the page being retaken. */
void            relais_scan_page_scan_done         (RelaisScanPage *self,
                                                    GPtrArray      *pages);
void            relais_scan_page_scan_failed       (RelaisScanPage *self,
                                                    const char     *message);
void            relais_scan_page_set_send_progress (RelaisScanPage *self,
                                                    double          fraction);
void            relais_scan_page_send_done         (RelaisScanPage *self);
void            relais_scan_page_send_failed       (RelaisScanPage *self,
                                                    const char     *message);
/* Back to "place the paper", every page dropped. */
void            relais_scan_page_reset             (RelaisScanPage *self);

G_END_DECLS
