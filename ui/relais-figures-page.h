/* relais-figures-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context-page.h"
#include "relais-figures.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_FIGURES_PAGE (relais_figures_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisFiguresPage, relais_figures_page, RELAIS, FIGURES_PAGE, RelaisContextPage)

/* The access point's figures on the agent desk: sessions per service per
 * week, median wait per week, call success rate, satisfaction; or "Pas
 * encore de chiffres". Buttons: app.close-figures (back to the desk),
 * app.export-figures (CSV). */
GtkWidget  *relais_figures_page_new          (RelaisContext        *context);
/* Computes the figures again from the context's store
 * (relais_figures_compute_from_store()) and shows them; on failure the
 * page keeps what it showed. */
gboolean    relais_figures_page_refresh      (RelaisFiguresPage    *self,
                                              GError              **error);
/* What the page shows; NULL before the first refresh. */
const RelaisFigures *relais_figures_page_get_figures (RelaisFiguresPage *self);
/* For the UI tests: what the page shows, as text ("empty" or "charts",
 * and each chart's description). */
const char *relais_figures_page_get_state    (RelaisFiguresPage    *self);
char       *relais_figures_page_describe     (RelaisFiguresPage    *self);

G_END_DECLS
