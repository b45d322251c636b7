/* test-agent-lock.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-agent-lock"

#include <string.h>

#include "relais-agent-lock.h"
#include "relais-config.h"
#include "relais-error.h"
#include "relais-store.h"

#include "../relais-test-utils.h"

#define TEST_PIN        "246813" /* exactly 6 digits: the shortest accepted */
#define WRONG_PIN       "135792"
#define MAX_ATTEMPTS    3
#define LOCKOUT_SECONDS 60
/* Argon2id with 64 MiB: one verification takes a good fraction of a
 * second, more under sanitizers. Far above that means something hangs. */
#define VERIFY_TIMEOUT_SECONDS 60

#define SECONDS(n) ((gint64) (n) * G_USEC_PER_SEC)

/* Hashed once in main(): every hash costs 64 MiB and ~0.1–0.5 s. */
static char *test_pin_hash;

typedef struct
{
  RelaisAgentLock *lock;
  gint64           now;    /* fake monotonic clock, µs */
} LockFixture;

static gint64
fake_clock (gpointer user_data)
{
  LockFixture *fixture = user_data;

  return fixture->now;
}

static void
lock_setup (LockFixture   *fixture,
            gconstpointer  data)
{
  /* Far from 0: locked_until == 0 means "not locked". */
  fixture->now = SECONDS (1000);
  fixture->lock = relais_agent_lock_new (test_pin_hash, MAX_ATTEMPTS, LOCKOUT_SECONDS);
  relais_agent_lock_set_clock (fixture->lock, fake_clock, fixture);
}

static void
lock_teardown (LockFixture   *fixture,
               gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->lock));
}

typedef struct
{
  GAsyncResult *result;
  gboolean      timed_out;
} VerifyData;

static void
verify_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  VerifyData *data = user_data;

  g_assert_null (data->result);
  data->result = g_object_ref (result);
}

static gboolean
timeout_cb (gpointer user_data)
{
  VerifyData *data = user_data;

  data->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs one verification to the end on a fresh main context, then waits
 * until the worker thread dropped its task (which holds a reference on
 * @lock), so that g_assert_finalize_object() is not racy. */
static gboolean
verify_sync (RelaisAgentLock  *lock,
             const char       *pin,
             GError          **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = NULL;
  VerifyData data = { NULL, FALSE };
  GWeakRef task_ref;
  GObject *task;
  gint64 deadline;
  gboolean ok;

  g_main_context_push_thread_default (context);

  timeout = g_timeout_source_new_seconds (VERIFY_TIMEOUT_SECONDS);
  g_source_set_callback (timeout, timeout_cb, &data, NULL);
  g_source_attach (timeout, context);

  relais_agent_lock_verify_async (lock, pin, NULL, verify_cb, &data);

  while (data.result == NULL && !data.timed_out)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  if (data.timed_out)
    g_error ("verification of \"%s\" did not finish within %d s", pin, VERIFY_TIMEOUT_SECONDS);

  g_assert_true (g_task_is_valid (data.result, lock));
  ok = relais_agent_lock_verify_finish (lock, data.result, error);

  g_weak_ref_init (&task_ref, data.result);
  g_clear_object (&data.result);
  deadline = g_get_monotonic_time () + SECONDS (VERIFY_TIMEOUT_SECONDS);
  while ((task = g_weak_ref_get (&task_ref)) != NULL)
    {
      g_object_unref (task);
      g_main_context_iteration (context, FALSE);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  g_weak_ref_clear (&task_ref);

  /* Nothing may be left pending on the context. */
  while (g_main_context_iteration (context, FALSE))
    ;

  g_main_context_pop_thread_default (context);

  return ok;
}

static void
assert_wrong (RelaisAgentLock *lock,
              const char      *pin,
              guint            attempts_left_after)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (verify_sync (lock, pin, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_WRONG_PIN);
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (lock), ==, attempts_left_after);
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (lock), ==, 0);
}

static void
assert_right (RelaisAgentLock *lock,
              const char      *pin)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (verify_sync (lock, pin, &error));
  g_assert_no_error (error);
}

static void
assert_locked (RelaisAgentLock *lock,
               const char      *pin)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (verify_sync (lock, pin, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_LOCKED);
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (lock), ==, 0);
}

/* Three wrong PINs in a row: the third one triggers the lockout. */
static void
lock_out (LockFixture *fixture)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 1; i < MAX_ATTEMPTS; i++)
    assert_wrong (fixture->lock, WRONG_PIN, MAX_ATTEMPTS - i);

  g_assert_false (verify_sync (fixture->lock, WRONG_PIN, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_LOCKED);
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, LOCKOUT_SECONDS);
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (fixture->lock), ==, 0);
}

static void
test_hash_pin_format (void)
{
  g_assert_nonnull (test_pin_hash);
  g_assert_true (g_str_has_prefix (test_pin_hash, "$argon2id$"));
  /* The PIN itself never appears in its hash. */
  g_assert_null (strstr (test_pin_hash, TEST_PIN));
}

static void
test_hash_pin_too_short (void)
{
  /* A deployment's PIN has 6 digits at least: 4 or 5 are refused too. */
  const char *too_short[] = { "", "1", "12", "123", "1234", "12345" };

  for (guint i = 0; i < G_N_ELEMENTS (too_short); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *hash = relais_agent_lock_hash_pin (too_short[i], &error);

      g_test_message ("PIN \"%s\"", too_short[i]);
      g_assert_null (hash);
      g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
    }
}

static void
test_initial_state (LockFixture   *fixture,
                    gconstpointer  data)
{
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (fixture->lock), ==, MAX_ATTEMPTS);
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, 0);
}

static void
test_right_pin (LockFixture   *fixture,
                gconstpointer  data)
{
  assert_right (fixture->lock, TEST_PIN);
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (fixture->lock), ==, MAX_ATTEMPTS);
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, 0);
}

static void
test_wrong_pin (LockFixture   *fixture,
                gconstpointer  data)
{
  /* The right PIN with a digit more, and an empty PIN: both count. */
  assert_wrong (fixture->lock, TEST_PIN "0", MAX_ATTEMPTS - 1);
  assert_wrong (fixture->lock, "", MAX_ATTEMPTS - 2);

  /* The clock moving on does not forgive wrong PINs. */
  fixture->now += SECONDS (3600);
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (fixture->lock), ==, MAX_ATTEMPTS - 2);
}

static void
test_lockout (LockFixture   *fixture,
              gconstpointer  data)
{
  lock_out (fixture);

  /* Locked out: even the right PIN is refused, and the lockout does not
   * grow with attempts made during it. */
  assert_locked (fixture->lock, TEST_PIN);
  assert_locked (fixture->lock, WRONG_PIN);
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, LOCKOUT_SECONDS);

  /* Rounded up to whole seconds. */
  fixture->now += SECONDS (1) / 2;
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, LOCKOUT_SECONDS);
  fixture->now += SECONDS (1) / 2;
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, LOCKOUT_SECONDS - 1);

  /* One microsecond before the end: still locked. */
  fixture->now += SECONDS (LOCKOUT_SECONDS - 1) - 1;
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, 1);
  assert_locked (fixture->lock, TEST_PIN);
}

static void
test_lockout_ends (LockFixture   *fixture,
                   gconstpointer  data)
{
  lock_out (fixture);

  fixture->now += SECONDS (LOCKOUT_SECONDS);
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, 0);
  /* The lockout did not wipe the count: one attempt, not a fresh set. */
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (fixture->lock), ==, 1);

  assert_right (fixture->lock, TEST_PIN);
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (fixture->lock), ==, MAX_ATTEMPTS);
}

/* Each wrong PIN after a lockout locks again at once, twice as long as
 * the last time, up to an hour. */
static void
test_backoff_doubles (LockFixture   *fixture,
                      gconstpointer  data)
{
  const guint expected[] = { 120, 240, 480, 960, 1920, 3600, 3600 };
  guint last = LOCKOUT_SECONDS;

  lock_out (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = NULL;

      fixture->now += SECONDS (last);
      g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, 0);
      g_assert_false (verify_sync (fixture->lock, WRONG_PIN, &error));
      g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_LOCKED);
      g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, expected[i]);
      last = expected[i];
    }

  /* The messages speak in minutes once it is long. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (verify_sync (fixture->lock, TEST_PIN, &error));
    g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_LOCKED);
    g_assert_cmpstr (error->message, ==, "Trop d'essais. Réessayez dans 60 minutes.");
  }

  /* Only the right PIN clears the count. */
  fixture->now += SECONDS (last);
  assert_right (fixture->lock, TEST_PIN);
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (fixture->lock), ==, MAX_ATTEMPTS);
  assert_wrong (fixture->lock, WRONG_PIN, MAX_ATTEMPTS - 1);
}

/* The count lives in the store: a new lock on a new store object on the
 * same file (a restart) is still locked out, for a whole lockout, and the
 * next wrong PIN doubles it. */
static void
test_count_survives_restart (LockFixture   *fixture,
                             gconstpointer  data)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  RelaisStore *store;

  relais_test_store_dir ("relais-test-lock-XXXXXX", &dir, &path);
  store = relais_store_new (path, &error);
  g_assert_no_error (error);
  relais_agent_lock_set_store (fixture->lock, store);
  lock_out (fixture);
  g_assert_cmpuint (relais_store_get_pin_failures (store), ==, MAX_ATTEMPTS);

  /* Restarted near the end of the lockout: locked out again in full. */
  g_assert_finalize_object (g_steal_pointer (&fixture->lock));
  g_assert_finalize_object (store);
  store = relais_store_new (path, &error);
  g_assert_no_error (error);
  fixture->lock = relais_agent_lock_new (test_pin_hash, MAX_ATTEMPTS, LOCKOUT_SECONDS);
  relais_agent_lock_set_clock (fixture->lock, fake_clock, fixture);
  relais_agent_lock_set_store (fixture->lock, store);
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, LOCKOUT_SECONDS);
  assert_locked (fixture->lock, TEST_PIN);

  fixture->now += SECONDS (LOCKOUT_SECONDS);
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (fixture->lock), ==, 1);
  g_assert_false (verify_sync (fixture->lock, WRONG_PIN, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, 2 * LOCKOUT_SECONDS);
  g_assert_cmpuint (relais_store_get_pin_failures (store), ==, MAX_ATTEMPTS + 1);

  /* The right PIN clears it, in the store too. */
  fixture->now += SECONDS (2 * LOCKOUT_SECONDS);
  assert_right (fixture->lock, TEST_PIN);
  g_assert_cmpuint (relais_store_get_pin_failures (store), ==, 0);

  /* Wrong PINs short of a lockout are remembered too. */
  assert_wrong (fixture->lock, WRONG_PIN, MAX_ATTEMPTS - 1);
  g_assert_finalize_object (g_steal_pointer (&fixture->lock));
  g_assert_finalize_object (store);
  store = relais_store_new (path, &error);
  g_assert_no_error (error);
  fixture->lock = relais_agent_lock_new (test_pin_hash, MAX_ATTEMPTS, LOCKOUT_SECONDS);
  relais_agent_lock_set_clock (fixture->lock, fake_clock, fixture);
  relais_agent_lock_set_store (fixture->lock, store);
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (fixture->lock), ==, MAX_ATTEMPTS - 1);
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (fixture->lock), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&fixture->lock));
  g_assert_finalize_object (store);
  relais_test_remove_dir (dir);
  /* The fixture's teardown finalizes a lock of its own. */
  fixture->lock = relais_agent_lock_new (test_pin_hash, MAX_ATTEMPTS, LOCKOUT_SECONDS);
}

/* A deployment refuses a short PIN even when it is the right one (its
 * hash was made before 6 digits were asked, or by hand), and says what to
 * fix; the demo's 1234 opens the demo. */
static void
test_short_pin_refused (void)
{
  RelaisConfig *config = relais_config_new_default ();
  RelaisAgentLock *lock = relais_agent_lock_new (relais_config_get_pin_hash (config), 3, 60);
  g_autoptr(GError) error = NULL;

  relais_agent_lock_set_min_digits (lock, RELAIS_AGENT_LOCK_MIN_DIGITS);
  g_test_expect_message ("relais-agent-lock", G_LOG_LEVEL_WARNING, "*fewer than 6 digits*");
  g_assert_false (verify_sync (lock, "1234", &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "au moins 6 chiffres"));
  g_assert_nonnull (strstr (error->message, "relais-kiosk --hash-pin"));
  /* The agent's own code is not a guess: nothing counted. */
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (lock), ==, 3);
  /* A wrong one still counts. */
  assert_wrong (lock, "4321", 2);

  relais_agent_lock_set_min_digits (lock, 0);
  assert_right (lock, "1234");

  g_assert_finalize_object (lock);
  g_assert_finalize_object (config);
}

static void
test_reset_after_success (LockFixture   *fixture,
                          gconstpointer  data)
{
  for (guint i = 1; i < MAX_ATTEMPTS; i++)
    assert_wrong (fixture->lock, WRONG_PIN, MAX_ATTEMPTS - i);

  assert_right (fixture->lock, TEST_PIN);
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (fixture->lock), ==, MAX_ATTEMPTS);

  /* Wrong PINs are counted "in a row": the success wiped the earlier
   * ones, so MAX_ATTEMPTS - 1 new ones do not lock. */
  for (guint i = 1; i < MAX_ATTEMPTS; i++)
    assert_wrong (fixture->lock, WRONG_PIN, MAX_ATTEMPTS - i);
  assert_right (fixture->lock, TEST_PIN);
}

static void
test_single_attempt (void)
{
  RelaisAgentLock *lock = relais_agent_lock_new (test_pin_hash, 1, 5);

  /* max_attempts 1: the first wrong PIN locks (real clock, 5 s: the test
   * stays well inside it). */
  assert_locked (lock, WRONG_PIN);
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (lock), >, 0);
  g_assert_cmpuint (relais_agent_lock_get_lockout_remaining (lock), <=, 5);
  assert_locked (lock, TEST_PIN);

  g_assert_finalize_object (lock);
}

static void
test_demo_hash (void)
{
  RelaisConfig *config = relais_config_new_default ();
  RelaisAgentLock *lock;

  g_assert_true (relais_config_is_demo (config));
  g_assert_cmpstr (relais_config_get_demo_pin (config), ==, "1234");
  g_assert_nonnull (relais_config_get_pin_hash (config));
  g_assert_true (g_str_has_prefix (relais_config_get_pin_hash (config), "$argon2id$"));

  lock = relais_agent_lock_new (relais_config_get_pin_hash (config),
                                relais_config_get_max_pin_attempts (config),
                                relais_config_get_lockout_seconds (config));
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (lock), ==,
                    relais_config_get_max_pin_attempts (config));

  assert_wrong (lock, "4321", relais_config_get_max_pin_attempts (config) - 1);
  assert_right (lock, relais_config_get_demo_pin (config));
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (lock), ==,
                    relais_config_get_max_pin_attempts (config));

  g_assert_finalize_object (lock);
  g_assert_finalize_object (config);
}

/* A burst of guesses (gapplication action … unlock, many times) must not
 * be checked in parallel before the first failure counts. */
static void
test_one_check_at_a_time (LockFixture   *fixture,
                          gconstpointer  data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  VerifyData first = { NULL, FALSE };
  VerifyData second = { NULL, FALSE };
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (context);

  relais_agent_lock_verify_async (fixture->lock, WRONG_PIN, NULL, verify_cb, &first);
  relais_agent_lock_verify_async (fixture->lock, WRONG_PIN, NULL, verify_cb, &second);

  while (first.result == NULL || second.result == NULL)
    g_main_context_iteration (context, TRUE);

  /* The second is refused at once, without being checked or counted. */
  g_assert_false (relais_agent_lock_verify_finish (fixture->lock, second.result, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_LOCKED);
  g_clear_error (&error);

  g_assert_false (relais_agent_lock_verify_finish (fixture->lock, first.result, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_WRONG_PIN);
  g_assert_cmpuint (relais_agent_lock_get_attempts_left (fixture->lock), ==, MAX_ATTEMPTS - 1);

  g_clear_object (&first.result);
  g_clear_object (&second.result);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  test_pin_hash = relais_agent_lock_hash_pin (TEST_PIN, &error);
  g_assert_no_error (error);

  g_test_add_func ("/agent-lock/hash-pin/format", test_hash_pin_format);
  g_test_add_func ("/agent-lock/hash-pin/too-short", test_hash_pin_too_short);
  g_test_add ("/agent-lock/initial-state", LockFixture, NULL,
              lock_setup, test_initial_state, lock_teardown);
  g_test_add ("/agent-lock/right-pin", LockFixture, NULL,
              lock_setup, test_right_pin, lock_teardown);
  g_test_add ("/agent-lock/wrong-pin", LockFixture, NULL,
              lock_setup, test_wrong_pin, lock_teardown);
  g_test_add ("/agent-lock/lockout", LockFixture, NULL,
              lock_setup, test_lockout, lock_teardown);
  g_test_add ("/agent-lock/lockout-ends", LockFixture, NULL,
              lock_setup, test_lockout_ends, lock_teardown);
  g_test_add ("/agent-lock/backoff-doubles", LockFixture, NULL,
              lock_setup, test_backoff_doubles, lock_teardown);
  g_test_add ("/agent-lock/count-survives-restart", LockFixture, NULL,
              lock_setup, test_count_survives_restart, lock_teardown);
  g_test_add_func ("/agent-lock/short-pin-refused", test_short_pin_refused);
  g_test_add ("/agent-lock/reset-after-success", LockFixture, NULL,
              lock_setup, test_reset_after_success, lock_teardown);
  g_test_add_func ("/agent-lock/single-attempt", test_single_attempt);
  g_test_add ("/agent-lock/one-check-at-a-time", LockFixture, NULL,
              lock_setup, test_one_check_at_a_time, lock_teardown);
  g_test_add_func ("/agent-lock/demo-hash", test_demo_hash);

  ret = g_test_run ();

  g_free (test_pin_hash);

  return ret;
}
