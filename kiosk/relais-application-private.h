/* relais-application-private.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "relais-application.h"
#include "relais-window.h"

G_BEGIN_DECLS

/* Shared by relais-application.c (start-up and wiring) and
 * relais-application-actions.c (the action table and its handlers). */
struct _RelaisApplication
{
  GtkApplication   parent_instance;

  RelaisConfig    *config;
  RelaisContext   *context;
  RelaisSession   *session;
  RelaisWindow    *window;
  GCancellable    *cancellable;

  /* The person at the booth and their call (the context's). */
  RelaisBooth     *booth;

  int              exit_status;
};

/* relais-application.c */
void     _relais_application_notice          (RelaisApplication  *self,
                                              const char         *message,
                                              gboolean            is_error);
void     _relais_application_notice_error    (RelaisApplication  *self,
                                              const GError       *error);
gboolean _relais_application_handle          (RelaisApplication  *self,
                                              RelaisSessionEvent  event);
void     _relais_application_sync_call       (RelaisApplication  *self);

/* relais-application-actions.c */
void     _relais_application_add_actions     (RelaisApplication  *self);
void     _relais_application_update_actions  (RelaisApplication  *self);
void     _relais_application_open_scan       (RelaisApplication  *self);
void     _relais_application_end_documents   (RelaisApplication  *self);

G_END_DECLS
