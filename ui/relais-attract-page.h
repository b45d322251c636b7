/* relais-attract-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context-page.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_ATTRACT_PAGE (relais_attract_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisAttractPage, relais_attract_page, RELAIS, ATTRACT_PAGE, RelaisContextPage)

/* The screen the kiosk rests on: a welcome, whose turn it is, and the
 * tickets waiting — codes and services only, never a name — each with
 * its place in the order the turn rule would call them (the queue's
 * relais_queue_list_turn_order()) and an estimated wait. It watches the
 * queue and the advisors' presence (who goes next), recomputes every 10
 * seconds, and reads the typical booth time of the last 14 days
 * (relais_figures_seconds_per_person_from_store()) each time the session
 * comes back to the attract screen. */

/* The ticket codes on the board, in order, for tests: "F1 C2". */
char *relais_attract_page_dup_board_text (RelaisAttractPage *self);
/* Each card's place and wait, for tests:
 * "F1: Vous êtes le prochain, moins de 5 min; C1: 2ᵉ, environ 15 min". */
char *relais_attract_page_dup_wait_text  (RelaisAttractPage *self);

G_END_DECLS
