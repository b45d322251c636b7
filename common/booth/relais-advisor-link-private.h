/* relais-advisor-link-private.h: for the implementations of
 * RelaisAdvisorLink only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "relais-advisor-link.h"

G_BEGIN_DECLS

/* The interface keeps "state" and "failure" for its implementations: their
 * class_init calls relais_advisor_link_class_install_properties(), which
 * overrides both properties and answers get_property from
 * relais_advisor_link_get_state()/_get_failure() (an implementation has no
 * property of its own), and they change them here, which notifies only on
 * change. */
void relais_advisor_link_class_install_properties (GObjectClass *object_class);
void relais_advisor_link_update (RelaisAdvisorLink      *self,
                                 RelaisAdvisorLinkState  state,
                                 const char             *failure);

/* The implementations' signal emitters. */
void relais_advisor_link_emit_remote_left        (RelaisAdvisorLink *self);
void relais_advisor_link_emit_reconnected        (RelaisAdvisorLink *self);
void relais_advisor_link_emit_taken              (RelaisAdvisorLink *self,
                                                  const char        *advisor);
void relais_advisor_link_emit_first_remote_frame (RelaisAdvisorLink *self,
                                                  gint64             since_join_us);

G_END_DECLS
