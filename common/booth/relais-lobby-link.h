/* relais-lobby-link.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "relais-advisor-link.h"
#include "relais-http-client.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_LOBBY_LINK (relais_lobby_link_get_type ())
G_DECLARE_FINAL_TYPE (RelaisLobbyLink, relais_lobby_link, RELAIS, LOBBY_LINK, GObject)

/* The shared waiting line of common/PROTOCOL.md: connect() creates the
 * person's own session room, publishes the call there (a RelaisRoomLink),
 * and only then announces the kiosk in the service's lobby (RelaisPresence)
 * and stays WAITING until an advisor takes it ("taken", then CONNECTED).
 * A problem while waiting is a "failure" in WAITING (the person may stop
 * waiting); a service with no lobby is joined as a fixed room. */
RelaisAdvisorLink *relais_lobby_link_new (RelaisHttpClient *http,
                                          const char       *janus_url,
                                          const char       *lobby_pin);

G_END_DECLS
