/* relais-desk-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context-page.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_DESK_PAGE (relais_desk_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisDeskPage, relais_desk_page, RELAIS, DESK_PAGE, RelaisContextPage)

/* The reception agent's desk: a new walk-in (service → sub-service →
 * optional first name), and the queue with call next, reorder, absent,
 * cancel. Every button activates an app.* action; the page itself
 * changes nothing. */

/* Back to the first step of a new walk-in, fields emptied. */
void relais_desk_page_reset_walk_in (RelaisDeskPage *self);

/* The presence work: whether an advisor of @service_id is ready now (a
 * green dot and "Conseiller disponible", or grey; waiting tickets of the
 * service get "Appeler maintenant", app.call-now). A service never set
 * shows nothing. */
void     relais_desk_page_set_advisor_available (RelaisDeskPage *self,
                                                 const char     *service_id,
                                                 gboolean        available);
gboolean relais_desk_page_get_advisor_available (RelaisDeskPage *self,
                                                 const char     *service_id);

G_END_DECLS
