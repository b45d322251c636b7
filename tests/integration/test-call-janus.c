/* test-call-janus.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The kiosk's headless test call (`relais-kiosk --test-call`) through the
 * real gateway (Debian's /usr/bin/janus, started per test by
 * relais-test-janus.c) inside the network namespace of relais-netns-run:
 * kiosk ↔ kiosk, kiosk ↔ headless Chromium (tests/advisor/participant.mjs),
 * the gateway killed in the middle of a call, and the kiosk WINDOW (under
 * Xvfb, driven through its GActions by kiosk-window-call) calling a
 * headless test call; then the window in a call when the gateway is
 * killed (kiosk-window-drive: what it says, read from its
 * RELAIS_TEST_TRACE lines; 30 s later the way out; the next call once the
 * gateway is back); and two kiosks in a room that allows VP8 and H.264,
 * one sending H.264 and the other VP8 or H.264 (kiosk-kiosk-h264*).
 */
/* The window's [gateway] give-up-seconds. */
#define GIVE_UP_S 20
#define G_LOG_DOMAIN "test-call-janus"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "relais-http-client.h"
#include "relais-test-child.h"
#include "relais-test-janus.h"
#include "../relais-test-utils.h"

#define SESSION_TIMEOUT_S 30
#define HOW_TO_INSTALL    "run packaging/relais-dev.sh test"
/* Pictures each H.264 test kiosk must receive in its 10 s call: 2 a
 * second on average. Mostly 150-270 (25-29 fps); 37 once on a 2-core
 * machine at load 20, where H.264 lost packets and its decoder waited
 * for the next keyframe each time. */
#define H264_MIN_FRAMES   20
/* How long a test call may wait for another participant's first picture
 * before its --duration begins (--wait-for-peer): a browser or a second
 * kiosk under ASan may need many seconds to start on a loaded machine. */
#define PEER_WAIT_S       45
/* How long the kiosk window (kiosk-window-call) stays in its call with
 * a headless test call: the test call's first frames of it come within
 * a second or two. */
#define WINDOW_IN_CALL_S  6

typedef struct
{
  GMainContext     *context;
  RelaisTestJanus  *gateway;
  RelaisHttpClient *client;
  const char       *kiosk;        /* RELAIS_KIOSK */
  const char       *addr;
  char             *node;
  char             *participant;  /* tests/advisor/participant.mjs */
} Fixture;

/* ---- helpers ------------------------------------------------------------ */

static guint64
new_room (void)
{
  return 100000 + g_random_int_range (0, 800000);
}

static RelaisTestChild *
spawn_kiosk (Fixture    *f,
             const char *name,
             guint64     room,
             guint       duration_s,
             guint       wait_for_peer_s)
{
  g_autofree char *room_text = g_strdup_printf ("%" G_GUINT64_FORMAT, room);
  g_autofree char *duration = g_strdup_printf ("%u", duration_s);
  g_autofree char *wait = g_strdup_printf ("%u", wait_for_peer_s);
  const char *argv[] = {
    f->kiosk, "--test-call",
    "--janus", relais_test_janus_get_base_url (f->gateway),
    "--room", room_text, "--create-room",
    "--duration", duration,
    "--wait-for-peer", wait,
    "--display", name,
    "--ice-address", f->addr,
    NULL
  };

  return relais_test_child_spawn (name, argv);
}

/* Checks one kiosk's report; returns it. */
static JsonObject *
check_kiosk (RelaisTestChild *kiosk)
{
  JsonObject *report;

  relais_test_child_log (kiosk, 40);
  g_test_message ("%s stdout: %s", kiosk->name, kiosk->out ? g_strstrip (kiosk->out) : "");
  report = relais_test_child_json (kiosk, NULL);
  g_assert_nonnull (report);
  g_assert_true (json_object_has_member (report, "setup_ms"));
  g_assert_true (json_object_has_member (report, "frames_sent"));
  g_assert_true (json_object_has_member (report, "frames_received"));
  g_assert_true (json_object_has_member (report, "remote_publishers"));
  return report;
}

/* ---- fixture ------------------------------------------------------------ */

/* The gateway and the kiosk; @browser: also Node.js, playwright-core and
 * Chromium (every case but the kiosk-only H.264 ones). */
static void
fixture_setup_full (Fixture  *f,
                    gboolean  browser)
{
  const char *srcdir = g_getenv ("RELAIS_INTEGRATION_DIR");
  const char *chromium = g_getenv ("RELAIS_CHROMIUM");
  g_autofree char *advisor_dir = NULL;
  g_autofree char *playwright = NULL;

  f->context = relais_test_context_push ();
  f->client = relais_http_client_new ();

  /* Never a skip: a test that cannot run has failed. */
  f->addr = relais_test_janus_addr_or_fail ();
  if (f->addr == NULL)
    return;
  f->kiosk = g_getenv ("RELAIS_KIOSK");
  if (f->kiosk == NULL || !g_file_test (f->kiosk, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("relais-kiosk not found (RELAIS_KIOSK, set by tests/integration/meson.build)");
      return;
    }
  g_assert_nonnull (srcdir);
  advisor_dir = g_build_filename (srcdir, "..", "advisor", NULL);
  f->participant = g_build_filename (advisor_dir, "participant.mjs", NULL);
  playwright = g_build_filename (advisor_dir, "node_modules", "playwright-core", "package.json", NULL);
  f->node = g_find_program_in_path ("node");
  if (browser && f->node == NULL)
    {
      g_test_fail_printf ("Node.js is missing (Debian package nodejs): " HOW_TO_INSTALL);
      return;
    }
  if (browser && !g_file_test (playwright, G_FILE_TEST_EXISTS))
    {
      g_test_fail_printf ("tests/advisor/node_modules is missing (npm ci --prefix tests/advisor): " HOW_TO_INSTALL);
      return;
    }
  if (browser && !g_file_test (chromium != NULL ? chromium : "/usr/bin/chromium", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("Chromium is missing (Debian package chromium): " HOW_TO_INSTALL);
      return;
    }

  f->gateway = relais_test_janus_new (f->addr, SESSION_TIMEOUT_S);
  g_test_message ("Janus ready in %.0f ms", relais_test_janus_start (f->gateway, f->client));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_setup_full (f, TRUE);
}

static void
fixture_setup_kiosks (Fixture       *f,
                      gconstpointer  data)
{
  fixture_setup_full (f, FALSE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->gateway != NULL)
    relais_test_janus_kill (f->gateway);
  relais_test_finalize_iterating (f->context, g_steal_pointer (&f->client));
  g_clear_pointer (&f->gateway, relais_test_janus_free);
  g_free (f->node);
  g_free (f->participant);
  relais_test_context_pop (f->context);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_kiosk_kiosk (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(RelaisTestChild) a = NULL;
  g_autoptr(RelaisTestChild) b = NULL;
  g_autoptr(JsonObject) report_a = NULL;
  g_autoptr(JsonObject) report_b = NULL;
  guint64 room = new_room ();
  const guint duration = 10;

  if (f->gateway == NULL)
    return;

  a = spawn_kiosk (f, "kiosk-a", room, duration, PEER_WAIT_S);
  b = spawn_kiosk (f, "kiosk-b", room, duration, PEER_WAIT_S);
  g_assert_true (relais_test_child_wait (f->context, a, (PEER_WAIT_S + duration + 15) * 1000));
  g_assert_true (relais_test_child_wait (f->context, b, (PEER_WAIT_S + duration + 15) * 1000));

  report_a = check_kiosk (a);
  report_b = check_kiosk (b);
  g_test_message ("MEASURE kiosk↔kiosk setup_ms (join → first remote frame): A %" G_GINT64_FORMAT
                  ", B %" G_GINT64_FORMAT,
                  json_object_get_int_member_with_default (report_a, "setup_ms", -1),
                  json_object_get_int_member_with_default (report_b, "setup_ms", -1));
  g_assert_cmpint (a->status, ==, 0);
  g_assert_cmpint (b->status, ==, 0);
  g_assert_cmpint (json_object_get_int_member (report_a, "frames_received"), >, 0);
  g_assert_cmpint (json_object_get_int_member (report_b, "frames_received"), >, 0);
  g_assert_cmpint (json_object_get_int_member (report_a, "frames_sent"), >, 0);
  g_assert_cmpint (json_object_get_int_member (report_b, "frames_sent"), >, 0);
  g_assert_cmpint (json_object_get_int_member (report_a, "remote_publishers"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (report_b, "remote_publishers"), ==, 1);
}

static void
test_kiosk_chromium (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RelaisTestChild) kiosk = NULL;
  g_autoptr(RelaisTestChild) browser = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) summary = NULL;
  g_autofree char *room_text = NULL;
  JsonObject *timing;
  guint64 room = new_room ();
  const char *argv[] = {
    f->node, f->participant,
    "--janus", NULL,
    "--room", NULL,
    "--display", "advisor",
    "--expect-publishers", "1",
    "--duration", "12",
    "--stay-until-left",
    NULL
  };

  if (f->gateway == NULL)
    return;

  room_text = g_strdup_printf ("%" G_GUINT64_FORMAT, room);
  argv[3] = relais_test_janus_get_base_url (f->gateway);
  argv[5] = room_text;

  /* Chromium needs a few seconds to start (many more on a loaded
   * machine): the kiosk's 10 s count from its first picture of Chromium,
   * and Chromium stays, after its own 12 s, until the kiosk has left. */
  kiosk = spawn_kiosk (f, "kiosk", room, 10, PEER_WAIT_S);
  browser = relais_test_child_spawn ("chromium", argv);
  g_assert_true (relais_test_child_wait (f->context, browser, 90 * 1000));
  g_assert_true (relais_test_child_wait (f->context, kiosk, (PEER_WAIT_S + 10 + 15) * 1000));

  report = check_kiosk (kiosk);
  relais_test_child_log (browser, 40);
  summary = relais_test_child_json (browser, "summary");
  g_assert_nonnull (summary);
  timing = json_object_get_object_member (summary, "timingMs");
  g_test_message ("MEASURE kiosk↔Chromium: kiosk setup_ms %" G_GINT64_FORMAT
                  " (includes Chromium's start), subscribe → first frame %" G_GINT64_FORMAT
                  " ms; Chromium join → first frame %" G_GINT64_FORMAT
                  " ms; kiosk frames_received %" G_GINT64_FORMAT ", Chromium framesDecoded %"
                  G_GINT64_FORMAT,
                  json_object_get_int_member_with_default (report, "setup_ms", -1),
                  json_object_get_int_member_with_default (report, "subscribe_ms", -1),
                  timing ? json_object_get_int_member_with_default (timing, "joinRequestToFirstRemoteFrame", -1) : -1,
                  json_object_get_int_member (report, "frames_received"),
                  json_object_get_int_member_with_default (summary, "framesDecoded", -1));
  if (browser->status != 0)
    g_test_message ("participant summary: %s", browser->out);
  g_assert_cmpint (browser->status, ==, 0);
  g_assert_true (json_object_get_boolean_member (summary, "ok"));
  g_assert_cmpint (json_object_get_int_member (summary, "framesDecoded"), >, 0);
  g_assert_cmpint (kiosk->status, ==, 0);
  g_assert_cmpint (json_object_get_int_member (report, "frames_received"), >, 0);
  g_assert_cmpint (json_object_get_int_member (report, "remote_publishers"), ==, 1);
}

/* Alone in its room with --wait-for-peer 3: nobody's picture comes, so
 * the call ends after 3 s (not the 30 of --duration) and says why. */
static void
test_kiosk_alone (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(RelaisTestChild) kiosk = NULL;
  g_autoptr(JsonObject) report = NULL;
  double ran_s;

  if (f->gateway == NULL)
    return;

  kiosk = spawn_kiosk (f, "kiosk", new_room (), 30, 3);
  g_assert_true (relais_test_child_wait (f->context, kiosk, 25 * 1000));
  report = check_kiosk (kiosk);
  ran_s = json_object_get_double_member (report, "duration_s");
  g_test_message ("MEASURE kiosk alone with --wait-for-peer 3: ended after %.1f s", ran_s);
  g_assert_cmpint (kiosk->status, ==, 1);
  g_assert_false (json_object_get_boolean_member (report, "ok"));
  g_assert_cmpstr (json_object_get_string_member (report, "error"), ==,
                   "Aucune image d’un autre participant en 3 secondes.");
  g_assert_cmpint (json_object_get_int_member (report, "frames_received"), ==, 0);
  g_assert_cmpfloat (ran_s, <, 20.0);
}

static void
test_gateway_killed (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RelaisTestChild) a = NULL;
  g_autoptr(RelaisTestChild) b = NULL;
  guint64 room = new_room ();
  const guint duration = 14;
  RelaisTestChild *kiosks[2];
  gint64 killed_at;

  if (f->gateway == NULL)
    return;

  a = spawn_kiosk (f, "kiosk-a", room, duration, 0);
  b = spawn_kiosk (f, "kiosk-b", room, duration, 0);
  kiosks[0] = a;
  kiosks[1] = b;

  /* Mid-call: set-up takes 1–3 s here. */
  relais_test_iterate_for (f->context, 7000);
  g_assert_false (a->done);
  g_assert_false (b->done);
  killed_at = g_get_monotonic_time ();
  relais_test_janus_kill (f->gateway);

  for (guint i = 0; i < G_N_ELEMENTS (kiosks); i++)
    {
      RelaisTestChild *kiosk = kiosks[i];
      g_autoptr(JsonObject) report = NULL;

      /* Bounded: the rest of --duration, plus at most 5 s to leave. */
      g_assert_true (relais_test_child_wait (f->context, kiosk, (duration + 10) * 1000));
      report = check_kiosk (kiosk);
      g_test_message ("MEASURE %s ended %.1f s after the gateway died (its --duration ends %.1f s after)",
                      kiosk->name, (kiosk->exited_at - killed_at) / (double) G_USEC_PER_SEC,
                      (kiosk->started_at + duration * G_USEC_PER_SEC - killed_at) / (double) G_USEC_PER_SEC);
      /* It noticed, said so in plain words, and did not claim success. */
      g_assert_nonnull (kiosk->err);
      g_assert_nonnull (strstr (kiosk->err, "La connexion au serveur de visio est perdue"));
      g_assert_cmpint (kiosk->status, ==, 1);
      g_assert_cmpint (json_object_get_int_member (report, "gateway_lost"), >=, 1);
      g_assert_false (json_object_get_boolean_member (report, "ok"));
      /* The call was up before the gateway went. */
      g_assert_cmpint (json_object_get_int_member (report, "frames_received"), >, 0);
    }
}

/* ---- the kiosk window --------------------------------------------------- */

#define WINDOW_PIN "246813"

/* `relais-kiosk --hash-pin`, as a technician makes the line. */
static char *
hash_pin (Fixture    *f,
          const char *pin)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = g_strdup_printf ("%s\n", pin);
  g_autofree char *out = NULL;
  const char *line;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                              &error, f->kiosk, "--hash-pin", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  line = strstr (out, "pin-hash=");
  g_assert_nonnull (line);
  return g_strdup (g_strstrip (out + (line - out) + strlen ("pin-hash=")));
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents,
            char      **path_out)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  if (path_out != NULL)
    *path_out = g_steal_pointer (&path);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

/* A configuration for the window: a "mairie" service whose lobby is
 * @room, on the test gateway, with the PIN WINDOW_PIN. Returns the
 * temporary directory holding it (and the store). */
static char *
window_config (Fixture  *f,
               guint64   room,
               char    **config_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *directory_path = NULL;
  g_autofree char *config = NULL;
  g_autofree char *store_path = NULL;

  dir = g_dir_make_tmp ("relais-window-XXXXXX", &error);
  g_assert_no_error (error);
  hash = hash_pin (f, WINDOW_PIN);
  directory = g_strdup_printf ("{ \"version\": 1, \"services\": [ {"
                               " \"id\": \"mairie\", \"name\": \"Mairie\", \"letter\": \"M\","
                               " \"lobby_room\": %" G_GUINT64_FORMAT ","
                               " \"subservices\": [ { \"id\": \"etat-civil\", \"name\": \"État civil\","
                               " \"channels\": [ \"visio\" ] } ] } ] }\n", room);
  write_file (dir, "directory.json", directory, &directory_path);
  store_path = g_build_filename (dir, "relais.db", NULL);
  config = g_strdup_printf ("[kiosk]\nsite-name=Test window\nlanguage=fr\nstore-path=%s\n"
                            "[agent]\npin-hash=%s\n"
                            "[directory]\nfile=%s\n"
                            "[gateway]\njanus-url=%s\ntest-only-plain-http=true\ntest-only-shared-room=true\n"
                            /* Shorter than a kiosk's 60 s, to keep the suite short:
                             * the window's gateway-down case checks it is kept. */
                            "give-up-seconds=" G_STRINGIFY (GIVE_UP_S) "\n",
                            store_path, hash, directory_path,
                            relais_test_janus_get_base_url (f->gateway));
  write_file (dir, "kiosk.conf", config, config_path);
  return g_steal_pointer (&dir);
}

/* The window with a gateway configured: the agent hands out a ticket of a
 * visio service, calls it, the person starts the call; the window joins
 * the service's lobby room, where a headless test call publishes. That
 * test call receiving frames means the window published. */
static void
test_kiosk_window (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RelaisTestChild) test_call = NULL;
  g_autoptr(RelaisTestChild) window = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *script = NULL;
  guint64 room = new_room ();
  /* The window stays WINDOW_IN_CALL_S in the call, then hangs up. */
  const char *argv[] = {
    "env", "G_MESSAGES_DEBUG=relais-room-call relais-application relais-booth relais-room-link relais-lobby-link relais-gateway-probe", "GTK_A11Y=none",
    "bash", NULL, f->kiosk, NULL, WINDOW_PIN, "mairie", "etat-civil", G_STRINGIFY (WINDOW_IN_CALL_S),
    NULL
  };

  if (f->gateway == NULL)
    return;

  dir = window_config (f, room, &config_path);
  script = g_build_filename (g_getenv ("RELAIS_INTEGRATION_DIR"), "kiosk-window-call", NULL);
  argv[4] = script;
  argv[6] = config_path;

  /* It makes the room; the window only joins rooms IT set up. Its
   * duration counts from its first picture of the window, and outlasts
   * the window's time in the call: the window hangs up first. */
  test_call = spawn_kiosk (f, "test-call", room, WINDOW_IN_CALL_S + 6, PEER_WAIT_S);
  relais_test_iterate_for (f->context, 2000);
  window = relais_test_child_spawn ("window", argv);

  g_assert_true (relais_test_child_wait (f->context, window, 90 * 1000));
  g_assert_true (relais_test_child_wait (f->context, test_call, 60 * 1000));
  relais_test_child_log (window, 40);
  {
    /* GLib prints debug messages on stdout: the window's own account. */
    g_auto(GStrv) lines = g_strsplit (window->out != NULL ? window->out : "", "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      if (strstr (lines[i], "relais-room-call") != NULL || strstr (lines[i], "relais-application") != NULL
          || strstr (lines[i], "relais-booth") != NULL || strstr (lines[i], "-link-DEBUG") != NULL
          || strstr (lines[i], "relais-gateway-probe") != NULL)
        g_test_message ("window: %s", lines[i]);
  }
  report = check_kiosk (test_call);
  g_test_message ("MEASURE window → test call: frames_received %" G_GINT64_FORMAT
                  ", subscribe → first frame %" G_GINT64_FORMAT " ms",
                  json_object_get_int_member (report, "frames_received"),
                  json_object_get_int_member_with_default (report, "subscribe_ms", -1));
  g_assert_cmpint (window->status, ==, 0);
  g_assert_nonnull (window->out);
  g_assert_nonnull (strstr (window->out, "Gateway probe: answered in"));
  g_assert_nonnull (strstr (window->out, "Joined the room"));
  g_assert_cmpint (json_object_get_int_member (report, "remote_publishers"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (report, "frames_received"), >, 0);
  g_assert_cmpint (test_call->status, ==, 0);

  remove_tree (dir);
}

/* ---- the kiosk window losing its gateway -------------------------------- */

/* The window under kiosk-window-drive: steps on its stdin, the kiosk's
 * trace (RELAIS_TEST_TRACE=1: pages, notices, the call's status line)
 * in a file the test reads as it grows. */
typedef struct
{
  GSubprocess   *process;
  GOutputStream *steps;
  char          *err_path;
  gsize          seen;      /* what window_wait_for has read of it */
  gboolean       done;
  int            status;
} Window;

static void
window_exited_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Window *w = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  w->status = g_subprocess_get_if_exited (w->process)
              ? g_subprocess_get_exit_status (w->process)
              : 128 + g_subprocess_get_term_sig (w->process);
  w->done = TRUE;
}

static Window *
window_spawn (Fixture    *f,
              const char *dir,
              const char *config_path)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("RELAIS_INTEGRATION_DIR"),
                                              "kiosk-window-drive", NULL);
  g_autofree char *out_path = g_build_filename (dir, "window.out", NULL);
  Window *w = g_new0 (Window, 1);

  w->err_path = g_build_filename (dir, "window.err", NULL);
  g_subprocess_launcher_set_child_setup (launcher, relais_test_child_setup, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, w->err_path);
  g_subprocess_launcher_setenv (launcher, "RELAIS_TEST_TRACE", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "relais-room-call relais-application relais-booth relais-room-link relais-lobby-link relais-gateway-probe", TRUE);
  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "none", TRUE);
  w->process = g_subprocess_launcher_spawn (launcher, &error, "bash", script, f->kiosk,
                                            config_path, NULL);
  g_assert_no_error (error);
  w->steps = g_object_ref (g_subprocess_get_stdin_pipe (w->process));
  g_subprocess_wait_async (w->process, NULL, window_exited_cb, w);
  return w;
}

static void
window_free (Window *w)
{
  g_clear_object (&w->steps);
  if (!w->done)
    {
      g_subprocess_force_exit (w->process);
      while (!w->done)
        g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
    }
  g_object_unref (w->process);
  g_free (w->err_path);
  g_free (w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Window, window_free)

static void
window_step (Window     *w,
             const char *step)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strconcat (step, "\n", NULL);

  g_test_message ("window step: %s", step);
  g_output_stream_write_all (w->steps, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Screenshots for a person to look at, with RELAIS_WINDOW_SHOTS=DIR. */
static void
window_shot (Window     *w,
             const char *name)
{
  const char *shots = g_getenv ("RELAIS_WINDOW_SHOTS");
  g_autofree char *step = NULL;

  if (shots == NULL)
    return;
  /* What the trace says is drawn within a frame or two; on a loaded
   * machine under Xvfb, give it a second. */
  window_step (w, "sleep 1");
  step = g_strdup_printf ("shot %s/%s.png", shots, name);
  window_step (w, step);
}

/* The first trace line after what was read already that holds @needle;
 * NULL after @timeout_ms or once the window is gone. */
static char *
window_wait_for (Fixture    *f,
                 Window     *w,
                 const char *needle,
                 guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autofree char *text = NULL;
      gsize length = 0;
      gboolean done = w->done;

      if (g_file_get_contents (w->err_path, &text, &length, NULL) && length > w->seen)
        {
          const char *found = strstr (text + w->seen, needle);

          if (found != NULL)
            {
              const char *start = found;
              const char *end = strchr (found, '\n');

              while (start > text && start[-1] != '\n')
                start--;
              if (end == NULL)
                end = text + length;
              w->seen = end - text;
              return g_strndup (start, end - start);
            }
        }
      if (done || g_get_monotonic_time () >= deadline)
        {
          g_test_message ("the window never said \"%s\"", needle);
          return NULL;
        }
      relais_test_iterate_for (f->context, 100);
    }
}

/* Its stderr as TAP comments: the trace and the drive script. */
static void
window_log (Window *w)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (w->err_path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "relais-trace:") || g_str_has_prefix (lines[i], "kiosk-window-drive:")
        || strstr (lines[i], "CRITICAL") != NULL || strstr (lines[i], "WARNING") != NULL)
      g_test_message ("window: %s", lines[i]);
}

/* A step, then what the window must say once it is done. */
static void
window_act (Fixture    *f,
            Window     *w,
            const char *step,
            const char *needle)
{
  g_autofree char *line = NULL;

  window_step (w, step);
  line = window_wait_for (f, w, needle, 20 * 1000);
  if (line == NULL)
    window_log (w);
  g_assert_nonnull (line);
}

/* From the desk to a call through the gateway; returns the trace line of
 * the first remote frame (NULL if none came). */
static char *
window_call (Fixture *f,
             Window  *w)
{
  g_autofree char *probe = NULL;

  window_act (f, w, "act agent", "relais-trace: page: unlock");
  window_act (f, w, "act unlock '" WINDOW_PIN "'", "relais-trace: page: desk");
  window_act (f, w, "act new-ticket ('mairie', 'etat-civil', 'Test', '')", "relais-trace: notice: Ticket");
  window_act (f, w, "act call-next", "relais-trace: page: your-turn");
  window_act (f, w, "act start-session", "relais-trace: page: precall");
  /* The gateway probe answered, and the camera's preview (with its DTLS
   * certificate) had the time to start. */
  probe = window_wait_for (f, w, "relais-trace: precall-network:", 20 * 1000);
  if (probe == NULL)
    window_log (w);
  g_assert_nonnull (probe);
  g_assert_nonnull (strstr (probe, "Serveur de visio joignable"));
  relais_test_iterate_for (f->context, 2000);
  window_step (w, "act start-call");
  return window_wait_for (f, w, "relais-trace: first-remote-frame:", 40 * 1000);
}

/* The window in a call through Janus with a headless test call; Janus is
 * SIGKILLed. The window says so at once in plain words, says after 30 s
 * that the service is unreachable with the way back to the welcome
 * screen; Janus comes back, and the next call through it works both ways. */
static void
test_kiosk_window_gateway_killed (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(RelaisTestChild) test_call = NULL;
  g_autoptr(RelaisTestChild) test_call_2 = NULL;
  g_autoptr(Window) window = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *line = NULL;
  guint64 room = new_room ();
  gint64 killed_at;
  double lost_s;
  double down_s;

  if (f->gateway == NULL)
    return;

  dir = window_config (f, room, &config_path);
  /* It makes the room; the window only joins rooms IT set up. */
  test_call = spawn_kiosk (f, "test-call", room, 30, 0);
  relais_test_iterate_for (f->context, 2000);
  window = window_spawn (f, dir, config_path);

  line = window_call (f, window);
  if (line == NULL)
    window_log (window);
  g_assert_nonnull (line);
  g_test_message ("MEASURE window: %s", line);
  g_clear_pointer (&line, g_free);
  relais_test_iterate_for (f->context, 2000);
  window_shot (window, "window-in-call");
  g_assert_false (test_call->done);

  killed_at = g_get_monotonic_time ();
  relais_test_janus_kill (f->gateway);

  /* At once, in plain words, on the page itself and in a notice. */
  line = window_wait_for (f, window, "relais-trace: call-status: La connexion au serveur de visio est coupée", 15 * 1000);
  if (line == NULL)
    window_log (window);
  g_assert_nonnull (line);
  lost_s = (g_get_monotonic_time () - killed_at) / (double) G_USEC_PER_SEC;
  g_clear_pointer (&line, g_free);
  window_shot (window, "window-gateway-lost");

  /* Then, with the gateway still gone, the call is given up: the page
   * says so and what to do next. */
  line = window_wait_for (f, window, "relais-trace: call-status: Le service de visio est injoignable",
                          (GIVE_UP_S + 20) * 1000);
  if (line == NULL)
    window_log (window);
  g_assert_nonnull (line);
  down_s = (g_get_monotonic_time () - killed_at) / (double) G_USEC_PER_SEC;
  g_assert_nonnull (strstr (line, "Prévenez l'agent d'accueil"));
  g_clear_pointer (&line, g_free);
  g_test_message ("MEASURE window: \"connection cut\" shown %.1f s after the gateway died, "
                  "\"unreachable\" after %.1f s", lost_s, down_s);
  g_assert_cmpfloat (lost_s, <, 10.0);
  g_assert_cmpfloat (down_s, >=, GIVE_UP_S - 1);
  window_shot (window, "window-gateway-down");

  /* The headless side saw it go too: it ends with its 30 s, counted from
   * its start (its leaving takes a few seconds more). */
  g_assert_true (relais_test_child_wait (f->context, test_call, (30 + 15) * 1000));
  g_assert_cmpint (test_call->status, ==, 1);

  /* The next step the page offers: back to the welcome screen. */
  window_act (f, window, "act finish-session", "relais-trace: page: attract");

  /* The gateway is back: the next person's call goes through. The test
   * call's duration counts from its first picture of the window, and
   * outlasts the window's 3 s in the call below. */
  relais_test_janus_start (f->gateway, f->client);
  test_call_2 = spawn_kiosk (f, "test-call-2", room, 8, PEER_WAIT_S);
  relais_test_iterate_for (f->context, 2000);
  line = window_call (f, window);
  if (line == NULL)
    window_log (window);
  g_assert_nonnull (line);
  g_test_message ("MEASURE window after the gateway came back: %s", line);
  g_clear_pointer (&line, g_free);
  relais_test_iterate_for (f->context, 3000);
  window_shot (window, "window-call-again");

  window_act (f, window, "act hang-up", "relais-trace: page: call-ended");
  window_act (f, window, "act agent", "relais-trace: page: unlock");
  window_act (f, window, "act unlock '" WINDOW_PIN "'", "relais-trace: page: desk");
  window_step (window, "act quit");
  g_output_stream_close (window->steps, NULL, NULL);
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (!window->done && g_get_monotonic_time () < deadline)
      relais_test_iterate_for (f->context, 100);
  }
  window_log (window);
  g_assert_true (window->done);
  g_assert_cmpint (window->status, ==, 0);

  /* The window published through the restarted gateway. */
  g_assert_true (relais_test_child_wait (f->context, test_call_2, 45 * 1000));
  report = check_kiosk (test_call_2);
  g_test_message ("MEASURE test call ↔ window after the restart: frames_received %" G_GINT64_FORMAT,
                  json_object_get_int_member (report, "frames_received"));
  g_assert_cmpint (json_object_get_int_member (report, "frames_received"), >, 0);
  g_assert_cmpint (json_object_get_int_member (report, "remote_publishers"), ==, 1);
  g_assert_cmpint (test_call_2->status, ==, 0);

  remove_tree (dir);
}

/* ---- H.264 -------------------------------------------------------------- */

/* The static room of janus.plugin.videoroom.jcfg.in that allows both. */
#define H264_ROOM 4264

/* A test call with [media] video-codec=@codec, in H264_ROOM (not created:
 * the room's own configuration is what is tested). */
static RelaisTestChild *
spawn_codec_kiosk (Fixture    *f,
                   const char *name,
                   const char *dir,
                   const char *pin_hash,
                   const char *codec,
                   guint       duration_s)
{
  g_autofree char *wait = g_strdup_printf ("%u", PEER_WAIT_S);
  g_autofree char *file = g_strdup_printf ("%s.conf", name);
  /* A gateway configured (which wants an agent PIN): without one the
   * kiosk is the demo, which sends VP8 whatever video-codec says. */
  g_autofree char *config = g_strdup_printf ("[kiosk]\nsite-name=Test %s\n"
                                             "[agent]\npin-hash=%s\n"
                                             "[gateway]\njanus-url=%s\ntest-only-plain-http=true\ntest-only-shared-room=true\n"
                                             "[media]\nvideo-codec=%s\n",
                                             codec, pin_hash,
                                             relais_test_janus_get_base_url (f->gateway), codec);
  g_autofree char *config_path = NULL;
  g_autofree char *room_text = g_strdup_printf ("%d", H264_ROOM);
  g_autofree char *duration = g_strdup_printf ("%u", duration_s);
  const char *argv[] = {
    f->kiosk, "--test-call",
    "--config", NULL,
    "--janus", relais_test_janus_get_base_url (f->gateway),
    "--room", room_text,
    "--duration", duration,
    "--wait-for-peer", wait,
    "--display", name,
    "--ice-address", f->addr,
    NULL
  };

  write_file (dir, file, config, &config_path);
  argv[3] = config_path;
  return relais_test_child_spawn (name, argv);
}

static gboolean
report_received (JsonObject *report,
                 const char *codec)
{
  JsonArray *received = json_object_get_array_member (report, "video_codecs_received");

  for (guint i = 0; received != NULL && i < json_array_get_length (received); i++)
    if (g_strcmp0 (json_array_get_string_element (received, i), codec) == 0)
      return TRUE;
  return FALSE;
}

/* Kiosk A sends @data ("h264" or "vp8"), kiosk B H.264, through a room
 * that allows both: each receives the other's pictures, in the codec the
 * other sends (the codecs read from the SDP each negotiated). */
static void
test_kiosk_kiosk_h264 (Fixture       *f,
                       gconstpointer  data)
{
  const char *codec_a = data;
  g_autoptr(RelaisTestChild) a = NULL;
  g_autoptr(RelaisTestChild) b = NULL;
  g_autoptr(JsonObject) report_a = NULL;
  g_autoptr(JsonObject) report_b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pin_hash = NULL;
  const guint duration = 10;

  if (f->gateway == NULL)
    return;

  dir = g_dir_make_tmp ("relais-h264-XXXXXX", &error);
  g_assert_no_error (error);
  pin_hash = hash_pin (f, WINDOW_PIN);
  a = spawn_codec_kiosk (f, "kiosk-a", dir, pin_hash, codec_a, duration);
  b = spawn_codec_kiosk (f, "kiosk-b", dir, pin_hash, "h264", duration);
  g_assert_true (relais_test_child_wait (f->context, a, (PEER_WAIT_S + duration + 15) * 1000));
  g_assert_true (relais_test_child_wait (f->context, b, (PEER_WAIT_S + duration + 15) * 1000));
  remove_tree (dir);

  report_a = check_kiosk (a);
  report_b = check_kiosk (b);
  g_test_message ("MEASURE kiosk↔kiosk %s/h264: frames_received A %" G_GINT64_FORMAT
                  ", B %" G_GINT64_FORMAT "; setup_ms A %" G_GINT64_FORMAT ", B %" G_GINT64_FORMAT
                  "; run %.1f s, %.1f s",
                  codec_a,
                  json_object_get_int_member_with_default (report_a, "frames_received", -1),
                  json_object_get_int_member_with_default (report_b, "frames_received", -1),
                  json_object_get_int_member_with_default (report_a, "setup_ms", -1),
                  json_object_get_int_member_with_default (report_b, "setup_ms", -1),
                  (a->exited_at - a->started_at) / (double) G_USEC_PER_SEC,
                  (b->exited_at - b->started_at) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (a->status, ==, 0);
  g_assert_cmpint (b->status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member_with_default (report_a, "video_codec", NULL), ==, codec_a);
  g_assert_cmpstr (json_object_get_string_member_with_default (report_b, "video_codec", NULL), ==, "h264");
  g_assert_true (report_received (report_a, "h264"));
  g_assert_true (report_received (report_b, codec_a));
  g_assert_cmpint (json_object_get_int_member (report_a, "remote_publishers"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (report_b, "remote_publishers"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (report_a, "frames_received"), >, H264_MIN_FRAMES);
  g_assert_cmpint (json_object_get_int_member (report_b, "frames_received"), >, H264_MIN_FRAMES);
}

int
main (int   argc,
      char *argv[])
{
  /* The kiosk speaks French: keep its accents in the TAP comments. */
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/call-janus/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("kiosk-kiosk", test_kiosk_kiosk);
  ADD ("kiosk-chromium", test_kiosk_chromium);
  ADD ("kiosk-alone", test_kiosk_alone);
  ADD ("gateway-killed", test_gateway_killed);
  ADD ("kiosk-window", test_kiosk_window);
  ADD ("kiosk-window-gateway-killed", test_kiosk_window_gateway_killed);
  g_test_add ("/call-janus/kiosk-kiosk-h264", Fixture, "vp8",
              fixture_setup_kiosks, test_kiosk_kiosk_h264, fixture_teardown);
  g_test_add ("/call-janus/kiosk-kiosk-h264-h264", Fixture, "h264",
              fixture_setup_kiosks, test_kiosk_kiosk_h264, fixture_teardown);

  return g_test_run ();
}
