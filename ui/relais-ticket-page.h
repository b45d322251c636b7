/* relais-ticket-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_TICKET_PAGE (relais_ticket_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisTicketPage, relais_ticket_page, RELAIS, TICKET_PAGE, GtkWidget)

/* The page of the person holding the booth. In "your-turn" mode it calls
 * them in ("C12, c'est à vous") with one large "Je suis là" button
 * (app.start-session); in "session" mode it shows their appointment in
 * progress and how to end it (app.finish-session). */
GtkWidget *relais_ticket_page_new (RelaisContext *context,
                                   const char    *mode);

G_END_DECLS
