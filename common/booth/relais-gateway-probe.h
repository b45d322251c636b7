/* relais-gateway-probe.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-http-client.h"

G_BEGIN_DECLS

/* A GET of the gateway's /info, timed: whether a call can start before the
 * person tries (the pre-call check of RelaisRoomLink and RelaisLobbyLink).
 * @source_object is the GAsyncResult's (the link that asks). Finishes
 * with "Serveur de visio joignable : réponse en N ms." or an
 * error saying why not. */
void  relais_gateway_probe_async  (gpointer              source_object,
                                   RelaisHttpClient     *http,
                                   const char           *janus_url,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
char *relais_gateway_probe_finish (GAsyncResult         *result,
                                   GError              **error);

G_END_DECLS
