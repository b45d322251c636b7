/* relais-agent-lock.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-agent-lock"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "relais-agent-lock.h"
#include "relais-error.h"

struct _RelaisAgentLock
{
  GObject               parent_instance;

  char                 *pin_hash;
  guint                 max_attempts;
  guint                 lockout_seconds;
  guint                 min_digits;
  RelaisStore          *store;           /* keeps failures; may be NULL */

  guint                 failures;        /* wrong PINs in a row */
  gint64                locked_until;    /* monotonic µs, 0: not locked */
  gboolean              pending;         /* a check runs in a worker */

  RelaisAgentLockClock  clock;
  gpointer              clock_data;
};

G_DEFINE_FINAL_TYPE (RelaisAgentLock, relais_agent_lock, G_TYPE_OBJECT)

static gint64
default_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static gint64
now_us (RelaisAgentLock *self)
{
  return self->clock (self->clock_data);
}

/* How long the lockout lasts after @failures wrong PINs in a row: the
 * configured time after max_attempts of them, doubled by each further
 * one, up to an hour. */
static guint
lockout_for (RelaisAgentLock *self,
             guint            failures)
{
  guint64 seconds = self->lockout_seconds;

  for (guint i = self->max_attempts; i < failures && seconds < RELAIS_AGENT_LOCK_MAX_LOCKOUT; i++)
    seconds *= 2;

  return (guint) MIN (seconds, RELAIS_AGENT_LOCK_MAX_LOCKOUT);
}

static void
set_failures (RelaisAgentLock *self,
              guint            failures)
{
  g_autoptr(GError) error = NULL;

  if (self->failures == failures)
    return;

  self->failures = failures;
  if (self->store != NULL && !relais_store_set_pin_failures (self->store, failures, &error))
    g_warning ("Could not keep the count of wrong PINs: %s", error->message);
}

/* "réessayez dans 45 secondes", "… dans 4 minutes": whole minutes (rounded
 * up) from two minutes on. */
static char *
lockout_message (guint    seconds,
                 gboolean after_wrong_pin)
{
  guint minutes = (seconds + 59) / 60;

  if (seconds < 120)
    return after_wrong_pin
           ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Code incorrect. Trop d'essais : réessayez dans %u seconde.",
                                           "Code incorrect. Trop d'essais : réessayez dans %u secondes.",
                                           seconds), seconds)
           : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Trop d'essais. Réessayez dans %u seconde.",
                                           "Trop d'essais. Réessayez dans %u secondes.",
                                           seconds), seconds);

  return after_wrong_pin
         ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Code incorrect. Trop d'essais : réessayez dans %u minute.",
                                         "Code incorrect. Trop d'essais : réessayez dans %u minutes.",
                                         minutes), minutes)
         : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Trop d'essais. Réessayez dans %u minute.",
                                         "Trop d'essais. Réessayez dans %u minutes.",
                                         minutes), minutes);
}

static gboolean
ensure_sodium (GError **error)
{
  static gsize initialised = 0;
  static int result = -1;

  if (g_once_init_enter (&initialised))
    {
      result = sodium_init ();
      g_once_init_leave (&initialised, 1);
    }

  if (result < 0)
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                           _("La bibliothèque de chiffrement n'a pas pu démarrer."));
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  char  *pin_hash;
  char  *pin;
  gsize  digits;   /* the PIN's length, kept once the PIN is wiped */
} CheckData;

static void
check_data_free (gpointer data)
{
  CheckData *check = data;

  sodium_memzero (check->pin, strlen (check->pin));
  g_free (check->pin);
  g_free (check->pin_hash);
  g_free (check);
}

static void
verify_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  CheckData *check = task_data;
  GError *error = NULL;
  gboolean ok;

  if (!ensure_sodium (&error))
    {
      g_task_return_error (task, error);
      return;
    }

  ok = crypto_pwhash_str_verify (check->pin_hash, check->pin, strlen (check->pin)) == 0;
  g_task_return_boolean (task, ok);
}

static void
relais_agent_lock_finalize (GObject *object)
{
  RelaisAgentLock *self = (RelaisAgentLock *)object;

  g_clear_pointer (&self->pin_hash, g_free);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (relais_agent_lock_parent_class)->finalize (object);
}

static void
relais_agent_lock_class_init (RelaisAgentLockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = relais_agent_lock_finalize;
}

static void
relais_agent_lock_init (RelaisAgentLock *self)
{
  self->clock = default_clock;
}

RelaisAgentLock *
relais_agent_lock_new (const char *pin_hash,
                       guint       max_attempts,
                       guint       lockout_seconds)
{
  RelaisAgentLock *self;

  g_return_val_if_fail (pin_hash != NULL, NULL);
  g_return_val_if_fail (max_attempts > 0, NULL);

  self = g_object_new (RELAIS_TYPE_AGENT_LOCK, NULL);
  self->pin_hash = g_strdup (pin_hash);
  self->max_attempts = max_attempts;
  self->lockout_seconds = lockout_seconds;

  return self;
}

void
relais_agent_lock_set_clock (RelaisAgentLock      *self,
                             RelaisAgentLockClock  clock,
                             gpointer              user_data)
{
  g_return_if_fail (RELAIS_IS_AGENT_LOCK (self));

  self->clock = clock ? clock : default_clock;
  self->clock_data = user_data;
}

void
relais_agent_lock_set_store (RelaisAgentLock *self,
                             RelaisStore     *store)
{
  g_return_if_fail (RELAIS_IS_AGENT_LOCK (self));
  g_return_if_fail (RELAIS_IS_STORE (store));

  g_set_object (&self->store, store);
  self->failures = relais_store_get_pin_failures (store);
  self->locked_until = 0;

  /* Restarted while locked out (or having been): the lockout starts again
   * in full. Restarting the kiosk shortens nothing. */
  if (self->failures >= self->max_attempts)
    {
      guint seconds = lockout_for (self, self->failures);

      self->locked_until = now_us (self) + (gint64) seconds * G_USEC_PER_SEC;
      g_debug ("%u wrong PINs in a row before the restart: locked for %u s",
               self->failures, seconds);
    }
}

void
relais_agent_lock_set_min_digits (RelaisAgentLock *self,
                                  guint            min_digits)
{
  g_return_if_fail (RELAIS_IS_AGENT_LOCK (self));

  self->min_digits = min_digits;
}

guint
relais_agent_lock_get_lockout_remaining (RelaisAgentLock *self)
{
  gint64 now;

  g_return_val_if_fail (RELAIS_IS_AGENT_LOCK (self), 0);

  if (self->locked_until == 0)
    return 0;

  now = now_us (self);
  if (now >= self->locked_until)
    {
      /* The lockout is over, but not forgotten: the count stays, and the
       * next wrong PIN locks again, for longer. */
      self->locked_until = 0;
      return 0;
    }

  return (guint) ((self->locked_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

guint
relais_agent_lock_get_attempts_left (RelaisAgentLock *self)
{
  g_return_val_if_fail (RELAIS_IS_AGENT_LOCK (self), 0);

  if (relais_agent_lock_get_lockout_remaining (self) > 0)
    return 0;

  /* After a lockout, one: the next wrong PIN locks again. */
  if (self->failures >= self->max_attempts)
    return 1;

  return self->max_attempts - self->failures;
}

static void
verify_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RelaisAgentLock *self = g_task_get_source_object (task);
  CheckData *check = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok;
  guint left;

  self->pending = FALSE;

  ok = g_task_propagate_boolean (G_TASK (result), &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The counters change here, on the main thread, whether or not the
   * caller ever calls _finish(): a wrong PIN always counts. */
  if (ok)
    {
      set_failures (self, 0);
      self->locked_until = 0;

      /* The right PIN, but one a passer-by could guess: a deployment
       * does not open with it. */
      if (check->digits < self->min_digits)
        {
          g_warning ("The agent PIN has fewer than %u digits: the desk stays locked "
                     "until [agent] pin-hash is made again with relais-kiosk --hash-pin",
                     self->min_digits);
          g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_CONFIG,
                                   g_dngettext (GETTEXT_PACKAGE,
                                                "Ce code est trop court : il faut au moins %u chiffre.\n"
                                                "Le technicien doit en choisir un autre (relais-kiosk --hash-pin).",
                                                "Ce code est trop court : il faut au moins %u chiffres.\n"
                                                "Le technicien doit en choisir un autre (relais-kiosk --hash-pin).",
                                                self->min_digits),
                                   self->min_digits);
          return;
        }

      g_task_return_boolean (task, TRUE);
      return;
    }

  set_failures (self, self->failures + 1);
  if (self->failures >= self->max_attempts)
    {
      guint seconds = lockout_for (self, self->failures);
      g_autofree char *message = lockout_message (seconds, TRUE);

      self->locked_until = now_us (self) + (gint64) seconds * G_USEC_PER_SEC;
      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_LOCKED, "%s", message);
      return;
    }

  left = self->max_attempts - self->failures;
  g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_WRONG_PIN,
                           g_dngettext (GETTEXT_PACKAGE,
                                        "Code incorrect. Il reste %u essai.",
                                        "Code incorrect. Il reste %u essais.",
                                        left),
                           left);
}

void
relais_agent_lock_verify_async (RelaisAgentLock     *self,
                                const char          *pin,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) check = NULL;
  CheckData *data;
  guint remaining;

  g_return_if_fail (RELAIS_IS_AGENT_LOCK (self));
  g_return_if_fail (pin != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_agent_lock_verify_async);

  remaining = relais_agent_lock_get_lockout_remaining (self);
  if (remaining > 0)
    {
      g_autofree char *message = lockout_message (remaining, FALSE);

      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_LOCKED, "%s", message);
      return;
    }

  /* One check at a time: otherwise a burst of guesses (say, over D-Bus)
   * would all be checked before the first failure counted. */
  if (self->pending)
    {
      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_LOCKED,
                               "%s", _("Un code est déjà en cours de vérification."));
      return;
    }

  self->pending = TRUE;

  /* The check itself takes no cancellable: once started, its outcome
   * counts. It has no source object either, so the worker thread holds no
   * reference on @self: the hash and the PIN travel as copies. */
  data = g_new0 (CheckData, 1);
  data->pin_hash = g_strdup (self->pin_hash);
  data->pin = g_strdup (pin);
  data->digits = strlen (pin);
  check = g_task_new (NULL, NULL, verify_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (check, verify_in_thread);
  g_task_set_task_data (check, data, check_data_free);
  g_task_run_in_thread (check, verify_in_thread);
}

gboolean
relais_agent_lock_verify_finish (RelaisAgentLock  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (RELAIS_IS_AGENT_LOCK (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
relais_agent_lock_hash_pin (const char  *pin,
                            GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (pin != NULL, NULL);

  if (!ensure_sodium (error))
    return NULL;

  if (strlen (pin) < RELAIS_AGENT_LOCK_MIN_DIGITS)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Le code doit avoir au moins %u chiffre : un code court se devine.",
                                "Le code doit avoir au moins %u chiffres : un code court se devine.",
                                RELAIS_AGENT_LOCK_MIN_DIGITS),
                   RELAIS_AGENT_LOCK_MIN_DIGITS);
      return NULL;
    }

  if (crypto_pwhash_str (hash, pin, strlen (pin),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                           _("Pas assez de mémoire pour chiffrer le code."));
      return NULL;
    }

  return g_strdup (hash);
}
