/* relais-context.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-advisor-presence.h"
#include "relais-agent-lock.h"
#include "relais-booth.h"
#include "relais-config.h"
#include "relais-directory.h"
#include "relais-dossier.h"
#include "relais-http-client.h"
#include "relais-queue.h"
#include "relais-session.h"
#include "relais-session-record.h"
#include "relais-store.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_CONTEXT (relais_context_get_type ())
G_DECLARE_FINAL_TYPE (RelaisContext, relais_context, RELAIS, CONTEXT, GObject)

/* Builds and owns the services of one kiosk from its configuration: the
 * store (file created if needed), the queue restored from it, the service
 * directory, the agent lock, the one HTTP client of the kiosk's life, the
 * session state machine, the booth (the person and their call), the
 * person's dossier (their papers), the session's anonymous record (which
 * starts sending what waits in the upload outbox when [figures] upload-url
 * is set) and the desk's view of the advisors' lobbies. The dossier and
 * the record follow booth:call. Purges anonymous figures past the
 * retention period. Widgets get the context as a construct property; no
 * globals. */
RelaisContext   *relais_context_new            (RelaisConfig   *config,
                                                GError        **error);

RelaisConfig    *relais_context_get_config     (RelaisContext  *self);
RelaisStore     *relais_context_get_store      (RelaisContext  *self);
RelaisQueue     *relais_context_get_queue      (RelaisContext  *self);
RelaisDirectory *relais_context_get_directory  (RelaisContext  *self);
RelaisAgentLock *relais_context_get_agent_lock (RelaisContext  *self);
RelaisSession   *relais_context_get_session    (RelaisContext  *self);
RelaisSessionRecord *relais_context_get_session_record (RelaisContext *self);
RelaisDossier   *relais_context_get_dossier    (RelaisContext  *self);
RelaisHttpClient *relais_context_get_http_client (RelaisContext *self);
RelaisBooth     *relais_context_get_booth      (RelaisContext  *self);
RelaisAdvisorPresence *relais_context_get_advisor_presence (RelaisContext *self);

G_END_DECLS
