/* relais-attract-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_ATTRACT_PAGE (relais_attract_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisAttractPage, relais_attract_page, RELAIS, ATTRACT_PAGE, GtkWidget)

/* The screen the kiosk rests on: a welcome, whose turn it is, and the
 * tickets waiting — codes and services only, never a name. */

/* The ticket codes on the board, in order, for tests: "F1 C2". */
char *relais_attract_page_dup_board_text (RelaisAttractPage *self);

G_END_DECLS
