/* relais-pin-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context-page.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_PIN_PAGE (relais_pin_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisPinPage, relais_pin_page, RELAIS, PIN_PAGE, RelaisContextPage)

/* A large keypad for the agent's PIN. "OK" activates app.unlock with the
 * digits typed; "Retour" activates app.lock. The digits are wiped as soon
 * as they are submitted. */
void        relais_pin_page_reset        (RelaisPinPage *self);
void        relais_pin_page_set_feedback (RelaisPinPage *self,
                                          const char    *message,
                                          gboolean       busy);
const char *relais_pin_page_get_feedback (RelaisPinPage *self);

G_END_DECLS
