/* relais-text-page.h: a page of text rendered like a 150 dpi scan, the
 * fixture of the PDF size tests and of tests/bench/bench-document.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "relais-page.h"

G_BEGIN_DECLS

/* An A4 letter at @dpi, grey. @scanned adds what a real scan has: a
 * paper tint and sensor noise (deterministic). */
RelaisPage *relais_text_page_new (double   dpi,
                                  gboolean scanned);

G_END_DECLS
