/* relais-agent-lock.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RELAIS_TYPE_AGENT_LOCK (relais_agent_lock_get_type ())
G_DECLARE_FINAL_TYPE (RelaisAgentLock, relais_agent_lock, RELAIS, AGENT_LOCK, GObject)

typedef gint64 (*RelaisAgentLockClock) (gpointer user_data);

/* Guards the agent desk: checks a PIN against an Argon2id hash (libsodium)
 * in a worker thread, counts wrong PINs and refuses every attempt for
 * @lockout_seconds once @max_attempts wrong ones came in a row. */
RelaisAgentLock *relais_agent_lock_new            (const char            *pin_hash,
                                                   guint                  max_attempts,
                                                   guint                  lockout_seconds);
/* Tests replace the monotonic clock (microseconds). */
void             relais_agent_lock_set_clock      (RelaisAgentLock       *self,
                                                   RelaisAgentLockClock   clock,
                                                   gpointer               user_data);

/* Seconds until PINs are accepted again; 0 when not locked out. */
guint            relais_agent_lock_get_lockout_remaining (RelaisAgentLock *self);
/* Wrong PINs left before the lockout. */
guint            relais_agent_lock_get_attempts_left     (RelaisAgentLock *self);

/* Fails with RELAIS_ERROR_LOCKED while locked out (nothing is checked) or
 * RELAIS_ERROR_WRONG_PIN. The hash is checked off the main thread: it costs
 * tens of megabytes and a noticeable fraction of a second by design. */
void             relais_agent_lock_verify_async   (RelaisAgentLock       *self,
                                                   const char            *pin,
                                                   GCancellable          *cancellable,
                                                   GAsyncReadyCallback    callback,
                                                   gpointer               user_data);
gboolean         relais_agent_lock_verify_finish  (RelaisAgentLock       *self,
                                                   GAsyncResult          *result,
                                                   GError               **error);

/* Argon2id hash of @pin in crypto_pwhash_str's format, for
 * `relais-kiosk --hash-pin`. Blocking: never call it on the UI thread. */
char            *relais_agent_lock_hash_pin       (const char            *pin,
                                                   GError               **error);

G_END_DECLS
