/* relais-figures-store.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-figures.h"
#include "relais-store.h"

G_BEGIN_DECLS

/* The figures read from the store: the figures page's summary and the
 * CSV export (the desk's "Exporter" and `relais-kiosk --export-csv`). */

/* What the figures page shows: the sessions of the last
 * RELAIS_FIGURES_WEEKS weeks before @now (Unix s), computed. */
RelaisFigures *relais_figures_compute_from_store (RelaisStore         *store,
                                                  gint64               now,
                                                  GError             **error);

/* The typical booth time per person (relais_turn_seconds_per_person())
 * of the sessions since @since (Unix s), for the attract screen's
 * estimated waits. Returns: the seconds, or 0 and @error. */
gint64         relais_figures_seconds_per_person_from_store (RelaisStore  *store,
                                                             gint64        since,
                                                             GError      **error);

/* Returns: (transfer full) the CSV (relais_figures_to_csv()) of every
 * recorded session, and in *@n_rows how many rows it holds; or NULL. */
char          *relais_figures_csv_from_store     (RelaisStore         *store,
                                                  guint               *n_rows,
                                                  GError             **error);
/* Where the desk's export goes: relais-chiffres-YYYY-MM-DD.csv (today,
 * local time) in the Documents folder, or $HOME when there is none. */
char          *relais_figures_csv_default_path   (void);

/* Writes the CSV of every recorded session to @path (replacing it). The
 * rows are read now; the file is written without blocking. Store errors
 * are RELAIS_ERROR, the file's G_IO_ERROR. */
void           relais_figures_csv_write_async    (RelaisStore         *store,
                                                  const char          *path,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* Returns: TRUE and in *@n_rows the number of sessions written. */
gboolean       relais_figures_csv_write_finish   (RelaisStore         *store,
                                                  GAsyncResult        *result,
                                                  guint               *n_rows,
                                                  GError             **error);
/* The same, blocking: for the command line. */
gboolean       relais_figures_csv_write          (RelaisStore         *store,
                                                  const char          *path,
                                                  guint               *n_rows,
                                                  GError             **error);

G_END_DECLS
