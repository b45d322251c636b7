/* relais-wait-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context-page.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_WAIT_PAGE (relais_wait_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisWaitPage, relais_wait_page, RELAIS, WAIT_PAGE, RelaisContextPage)

/* "Un conseiller va vous répondre": the person waits, with their camera
 * already on, until an advisor takes them from the shared waiting line.
 * A spinner, the ticket and service, the time waited, and a button to
 * stop waiting (app.cancel-wait). It watches the context's booth:
 * "waiting" starts and stops it, "wait-error" says what went wrong. */
GtkWidget *relais_wait_page_new (RelaisContext *context);

G_END_DECLS
