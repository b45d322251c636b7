/* relais-advisor-presence.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-config.h"
#include "relais-directory.h"
#include "relais-http-client.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_ADVISOR_PRESENCE (relais_advisor_presence_get_type ())
G_DECLARE_FINAL_TYPE (RelaisAdvisorPresence, relais_advisor_presence, RELAIS, ADVISOR_PRESENCE, GObject)

/* The desk's view of the services' lobbies (common/PROTOCOL.md): which
 * services have an advisor ready now, on a gateway session of its own
 * (RelaisPresence). With the demo advisor every service has one; with no
 * lobby pin, none is known. "changed" when that may have changed.
 * RelaisContext makes it; start() begins watching (the application does
 * once its window shows), stop() or dispose ends it. */
RelaisAdvisorPresence *relais_advisor_presence_new      (RelaisConfig          *config,
                                                         RelaisDirectory       *directory,
                                                         RelaisHttpClient      *http);
void                   relais_advisor_presence_start    (RelaisAdvisorPresence *self);
void                   relais_advisor_presence_stop     (RelaisAdvisorPresence *self);
/* Whether the answer is known at all for @service_id (demo, or a lobby
 * watched): the desk shows nothing for the others. */
gboolean               relais_advisor_presence_knows    (RelaisAdvisorPresence *self,
                                                         const char            *service_id);
/* Whether an advisor of @service_id could take a call now, from state
 * already known (the turn rule asks this many times per decision). */
gboolean               relais_advisor_presence_is_ready (RelaisAdvisorPresence *self,
                                                         const char            *service_id);
/* The turn rule's question (RelaisTurnReadyFunc, relais-turn.h), with the
 * presence as @user_data. A sub-service not offered by visio needs no
 * advisor. */
gboolean               relais_advisor_presence_turn_ready (const char *service_id,
                                                           const char *subservice_id,
                                                           gpointer    user_data);

G_END_DECLS
