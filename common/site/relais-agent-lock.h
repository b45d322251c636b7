/* relais-agent-lock.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-store.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_AGENT_LOCK (relais_agent_lock_get_type ())
G_DECLARE_FINAL_TYPE (RelaisAgentLock, relais_agent_lock, RELAIS, AGENT_LOCK, GObject)

typedef gint64 (*RelaisAgentLockClock) (gpointer user_data);

/* The shortest PIN a deployment accepts; the demo's 1234 is shorter. */
#define RELAIS_AGENT_LOCK_MIN_DIGITS 6
/* The longest a lockout grows to (seconds). */
#define RELAIS_AGENT_LOCK_MAX_LOCKOUT 3600

/* Guards the agent desk: checks a PIN against an Argon2id hash (libsodium)
 * in a worker thread and counts wrong PINs in a row. After @max_attempts
 * of them, every attempt is refused for @lockout_seconds; each further
 * wrong PIN after a lockout locks again at once, for twice as long as the
 * last time, up to RELAIS_AGENT_LOCK_MAX_LOCKOUT. Only the right PIN
 * clears the count. */
RelaisAgentLock *relais_agent_lock_new            (const char            *pin_hash,
                                                   guint                  max_attempts,
                                                   guint                  lockout_seconds);
/* Tests replace the monotonic clock (microseconds). */
void             relais_agent_lock_set_clock      (RelaisAgentLock       *self,
                                                   RelaisAgentLockClock   clock,
                                                   gpointer               user_data);
/* Keeps the count in @store (one anonymous number), so that a restart
 * does not forget it: reads it now, and a kiosk that restarts locked out
 * starts a full lockout again (the monotonic clock does not survive a
 * restart). */
void             relais_agent_lock_set_store      (RelaisAgentLock       *self,
                                                   RelaisStore           *store);
/* A right PIN shorter than @min_digits does not open the desk: the check
 * fails with RELAIS_ERROR_CONFIG and says what to fix. The context asks
 * RELAIS_AGENT_LOCK_MIN_DIGITS of a deployment, nothing of the demo. */
void             relais_agent_lock_set_min_digits (RelaisAgentLock       *self,
                                                   guint                  min_digits);

/* Seconds until PINs are accepted again; 0 when not locked out. */
guint            relais_agent_lock_get_lockout_remaining (RelaisAgentLock *self);
/* Wrong PINs left before the lockout. */
guint            relais_agent_lock_get_attempts_left     (RelaisAgentLock *self);

/* Fails with RELAIS_ERROR_LOCKED while locked out (nothing is checked),
 * RELAIS_ERROR_WRONG_PIN, or RELAIS_ERROR_CONFIG (the right PIN, too
 * short). The hash is checked off the main thread: it costs
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
 * `relais-kiosk --hash-pin`: fails unless @pin has
 * RELAIS_AGENT_LOCK_MIN_DIGITS digits or more. Blocking: never call it
 * on the UI thread. */
char            *relais_agent_lock_hash_pin       (const char            *pin,
                                                   GError               **error);

G_END_DECLS
