/* relais-ticket-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context-page.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_TICKET_PAGE (relais_ticket_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisTicketPage, relais_ticket_page, RELAIS, TICKET_PAGE, RelaisContextPage)

/* The page of the person whose ticket was called: it calls them in
 * ("C12, c'est votre tour") with one large "Je suis là" button
 * (app.start-session), which leads to the pre-call check. */
GtkWidget *relais_ticket_page_new (RelaisContext *context);

G_END_DECLS
