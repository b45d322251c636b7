/* relais-application-private.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "relais-application.h"

G_BEGIN_DECLS

/* Returns: (transfer full) the CSV of every session recorded in @store
 * (anonymous columns only) and how many rows it holds, or NULL.
 * `--export-csv` uses it until the CSV writing moves to common/. */
char *relais_application_figures_csv (RelaisStore  *store,
                                      guint        *n_rows,
                                      GError      **error);

G_END_DECLS
