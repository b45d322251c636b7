/* relais-call-ended-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context-page.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_CALL_ENDED_PAGE (relais_call_ended_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisCallEndedPage, relais_call_ended_page, RELAIS, CALL_ENDED_PAGE, RelaisContextPage)

/* "L'appel est terminé", thanks, and one large "Terminer"
 * (app.finish-session) that wipes the person's session. */
GtkWidget *relais_call_ended_page_new (RelaisContext *context);

G_END_DECLS
