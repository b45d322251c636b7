/* relais-wait-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RELAIS_TYPE_WAIT_PAGE (relais_wait_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisWaitPage, relais_wait_page, RELAIS, WAIT_PAGE, GtkWidget)

/* "Un conseiller va vous répondre": the person waits, with their camera
 * already on, until an advisor takes them from the shared waiting line.
 * A spinner, the time waited, and a button to stop waiting
 * (app.cancel-wait). */
GtkWidget *relais_wait_page_new        (void);
/* @ticket: the code shown ("C12"), @service: the service's name. Restarts
 * the clock. */
void       relais_wait_page_start      (RelaisWaitPage *self,
                                        const char     *ticket,
                                        const char     *service);
/* A problem (the gateway refuses, is lost…): the spinner stops and
 * @message says what happened and what to do. NULL: waiting again. */
void       relais_wait_page_set_error  (RelaisWaitPage *self,
                                        const char     *message);
void       relais_wait_page_stop       (RelaisWaitPage *self);

G_END_DECLS
