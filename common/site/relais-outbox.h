/* relais-outbox.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-http-client.h"
#include "relais-store.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_OUTBOX (relais_outbox_get_type ())
G_DECLARE_FINAL_TYPE (RelaisOutbox, relais_outbox, RELAIS, OUTBOX, GObject)

#define RELAIS_OUTBOX_FIRST_RETRY_MS (30 * 1000)
#define RELAIS_OUTBOX_MAX_RETRY_MS   (60 * 60 * 1000)
#define RELAIS_OUTBOX_TIMEOUT_MS     (30 * 1000)

/* Sends each finished session's anonymous record to the department's
 * figures server (the [figures] upload-url, https only) by POST, one at a
 * time, oldest first. Records wait in the store's outbox table, so they
 * survive restarts and offline weeks; one leaves the outbox only when the
 * server answered 2xx. Each POST carries "Idempotency-Key: <session id>"
 * (the same on every retry: the server keeps the first and answers 2xx
 * again), and "Authorization: Bearer <upload-token>" when a token is set
 * (never logged).
 *
 * A failure (no network, time-out, 5xx, 408, 429) waits 30 s, then 60 s,
 * 2 min… capped at 1 h; any other 4xx means the server refuses the
 * record as it is: it stays in the outbox and is tried again only at the
 * cap, so a fixed server gets it without anyone touching the kiosk.
 *
 * Runs on the main context it was created in; nothing blocks. Emits
 * "attempt-finished" (guint status: the HTTP status, 0 when no answer)
 * after each POST, for tests and the figures page. */
RelaisOutbox *relais_outbox_new          (RelaisStore      *store,
                                          RelaisHttpClient *http,
                                          const char       *url,
                                          const char       *token);
/* Tests: shorter back-off. */
void          relais_outbox_set_backoff  (RelaisOutbox     *self,
                                          guint             first_retry_ms,
                                          guint             max_retry_ms);
/* Commits the record to the outbox, then starts sending. @key: the
 * session id; queuing a key already there keeps the first. */
gboolean      relais_outbox_queue        (RelaisOutbox     *self,
                                          const char       *key,
                                          const char       *json,
                                          GError          **error);
/* Looks at the outbox now (at start-up, and when the network is back). */
void          relais_outbox_flush        (RelaisOutbox     *self);
/* Records waiting (committed, not yet acknowledged); -1 on error. */
gint64        relais_outbox_count_pending (RelaisOutbox    *self);
guint         relais_outbox_get_delivered (RelaisOutbox    *self);
/* The back-off after @attempts failed attempts (1 → first retry). */
guint         relais_outbox_backoff_ms   (RelaisOutbox     *self,
                                          guint             attempts);

G_END_DECLS
