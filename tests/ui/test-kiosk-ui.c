/* test-kiosk-ui.c: the kiosk's window, driven as the agent would
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Runs under Xvfb and a private session bus (see meson.build). Each
 * scenario runs the real application (command line, configuration,
 * store, window) in a subprocess, so "restart" means a new process on the
 * same store, as after a power cut.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "relais-application.h"
#include "relais-window.h"

#include "relais-test-ui.h"
#include "../relais-test-utils.h"

static char *tmp_dir;
static char *config_path;
/* The store the next configuration names, in tmp_dir. */
static const char *store_name = "relais.db";

typedef void (*Scenario) (RelaisApplication *app);

static gboolean
window_mapped (gpointer data)
{
  RelaisWindow *window = relais_test_ui_window_of (data);

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static gboolean
window_allocated (gpointer data)
{
  RelaisWindow *window = relais_test_ui_window_of (data);

  return window != NULL && gtk_widget_get_width (GTK_WIDGET (window)) > 0;
}

static gboolean
feedback_set (gpointer data)
{
  RelaisPinPage *pin_page = relais_window_get_pin_page (relais_test_ui_window_of (data));
  const char *feedback = relais_pin_page_get_feedback (pin_page);

  return feedback != NULL && *feedback != '\0' && !g_str_has_suffix (feedback, "…");
}

static char *
board_text (RelaisApplication *app)
{
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  return relais_attract_page_dup_board_text (relais_window_get_attract_page (relais_test_ui_window_of (app)));
}

/* Each card's place and estimated wait. */
static char *
wait_text (RelaisApplication *app)
{
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  return relais_attract_page_dup_wait_text (relais_window_get_attract_page (relais_test_ui_window_of (app)));
}

static void
unlock (RelaisApplication *app)
{
  relais_test_ui_activate (app, "agent", NULL);
  relais_test_ui_assert_page (app, "unlock", 10000);
  relais_test_ui_activate (app, "unlock", g_variant_new_string ("1234"));
  relais_test_ui_assert_page (app, "desk", 10000);
}

static void
activate_after_cb (GApplication *application,
                   gpointer      user_data)
{
  RelaisApplication *app = RELAIS_APPLICATION (application);
  Scenario scenario = user_data;

  g_assert_true (relais_test_wait_for (window_mapped, app, 10000));
  g_assert_true (relais_test_wait_for (window_allocated, app, 10000));
  scenario (app);
  g_application_quit (application);
}

static void
hook_cb (RelaisApplication *app,
         gpointer           user_data)
{
  g_signal_connect_after (app, "activate", G_CALLBACK (activate_after_cb), user_data);
}

static void
run_kiosk (Scenario scenario)
{
  char *argv[] = { (char *) "relais-kiosk", (char *) "--config", config_path, NULL };

  g_assert_cmpint (relais_kiosk_main (3, argv, hook_cb, scenario), ==, 0);
}

/* Scenarios, each run in its own process */

static void
scenario_first_start (RelaisApplication *app)
{
  RelaisWindow *window = relais_test_ui_window_of (app);
  g_autofree char *board = NULL;
  g_autofree char *wait = NULL;
  GdkRectangle geometry;
  g_autoptr(GdkMonitor) monitor =
    g_list_model_get_item (gdk_display_get_monitors (gdk_display_get_default ()), 0);

  relais_test_ui_assert_page (app, "attract", 10000);

  /* As large as the monitor, even with no window manager to fullscreen it. */
  gdk_monitor_get_geometry (monitor, &geometry);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, geometry.width);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), ==, geometry.height);
  g_assert_false (gtk_window_get_decorated (GTK_WINDOW (window)));

  /* Alt+F4 and friends: the window stays. */
  gtk_window_close (GTK_WINDOW (window));
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (relais_application_get_main_window (app) == GTK_WINDOW (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));

  /* The desk's actions are off while it is locked. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "new-ticket"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "quit"));

  /* A wrong PIN keeps the desk locked and says so. */
  relais_test_ui_activate (app, "agent", NULL);
  relais_test_ui_assert_page (app, "unlock", 10000);
  relais_test_ui_activate (app, "unlock", g_variant_new_string ("9999"));
  g_assert_true (relais_test_wait_for (feedback_set, app, 10000));
  g_assert_nonnull (strstr (relais_pin_page_get_feedback (relais_window_get_pin_page (window)),
                            "Code incorrect"));
  relais_test_ui_assert_page (app, "unlock", 10000);

  relais_test_ui_activate (app, "unlock", g_variant_new_string ("1234"));
  relais_test_ui_assert_page (app, "desk", 10000);

  /* A walk-in for the CAF, then one for France Travail. */
  relais_test_ui_activate (app, "new-ticket", g_variant_new ("(ssss)", "caf", "prime-activite", "Jeanne", "Dossier en cours"));
  g_assert_nonnull (strstr (relais_window_get_notice (window), "C1"));
  relais_test_ui_activate (app, "new-ticket", g_variant_new ("(ssss)", "france-travail", "inscription", "", ""));
  g_assert_nonnull (strstr (relais_window_get_notice (window), "F1"));

  /* A sub-service not offered by visio gets no ticket. */
  relais_test_ui_activate (app, "new-ticket", g_variant_new ("(ssss)", "ants", "carte-grise", "", ""));
  g_assert_nonnull (strstr (relais_window_get_notice (window), "visio"));

  /* Reorder: F1 goes first. */
  {
    RelaisQueue *queue = relais_context_get_queue (relais_application_get_context (app));
    g_autoptr(RelaisTicket) second = g_list_model_get_item (relais_queue_get_model (queue), 1);

    relais_test_ui_activate (app, "move-ticket", g_variant_new ("(xi)", relais_ticket_get_id (second), -1));
  }

  relais_test_ui_activate (app, "lock", NULL);
  relais_test_ui_assert_page (app, "attract", 10000);

  board = board_text (app);
  g_assert_cmpstr (board, ==, "F1 C1");

  /* Each with its place and a wait: no figures yet, so 15 min a person. */
  wait = wait_text (app);
  g_assert_cmpstr (wait, ==, "F1: Vous êtes le prochain, moins de 5 min; C1: 2ᵉ, environ 15 min");
}

static void
scenario_after_restart (RelaisApplication *app)
{
  g_autofree char *board = NULL;
  g_autofree char *wait = NULL;

  relais_test_ui_assert_page (app, "attract", 10000);
  board = board_text (app);
  g_assert_cmpstr (board, ==, "F1 C1");

  /* Call the first: the screen goes to the person and the desk locks. */
  unlock (app);
  relais_test_ui_activate (app, "call-next", NULL);
  relais_test_ui_assert_page (app, "your-turn", 10000);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "new-ticket"));

  g_clear_pointer (&board, g_free);
  board = board_text (app);
  g_assert_cmpstr (board, ==, "C1");

  /* F1 is in the booth: C1 is next, after about a whole session. */
  wait = wait_text (app);
  g_assert_cmpstr (wait, ==, "C1: Vous êtes le prochain, environ 15 min");
}

static void
scenario_called_survives (RelaisApplication *app)
{
  RelaisStore *store = relais_context_get_store (relais_application_get_context (app));

  /* The kiosk died while F1 was called: it comes back to F1's page. */
  relais_test_ui_assert_page (app, "your-turn", 10000);

  relais_test_ui_activate (app, "start-session", NULL);
  relais_test_ui_assert_page (app, "precall", 10000);
  /* "Annuler" during the check ends the session. */
  relais_test_ui_activate (app, "finish-session", NULL);
  relais_test_ui_assert_page (app, "attract", 10000);

  g_assert_cmpint (relais_store_count_personal_leftovers (store, NULL), ==, 0);

  /* C1 (Jeanne) is cancelled from the desk: her name goes with it. */
  unlock (app);
  {
    RelaisQueue *queue = relais_context_get_queue (relais_application_get_context (app));
    g_autoptr(RelaisTicket) c1 = g_list_model_get_item (relais_queue_get_model (queue), 0);
    gint64 id = relais_ticket_get_id (c1);
    g_autoptr(RelaisTicket) stored = NULL;

    g_assert_cmpstr (relais_ticket_get_code (c1), ==, "C1");
    relais_test_ui_activate (app, "cancel-ticket", g_variant_new_int64 (id));
    stored = relais_store_get_ticket (store, id, NULL);
    g_assert_nonnull (stored);
    g_assert_cmpint (relais_ticket_get_state (stored), ==, RELAIS_TICKET_CANCELLED);
    g_assert_null (relais_ticket_get_person_name (stored));
    g_assert_null (relais_ticket_get_note (stored));
  }
  g_assert_cmpuint (relais_queue_count_waiting (relais_context_get_queue (relais_application_get_context (app))), ==, 0);

  /* Leaving the kiosk takes the unlocked desk. */
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "quit"));
}

typedef struct
{
  RelaisVideoPaintable *paintable;
  guint64               frames;
} FramesWait;

static gboolean
frames_reached (gpointer data)
{
  FramesWait *wait = data;

  return relais_video_paintable_get_frames (wait->paintable) >= wait->frames;
}

static void
assert_frames (RelaisVideoPaintable *paintable,
               guint64               frames,
               guint                 timeout_ms)
{
  FramesWait wait = { paintable, frames };

  if (!relais_test_wait_for (frames_reached, &wait, timeout_ms))
    g_error ("expected %" G_GUINT64_FORMAT " frames, got %" G_GUINT64_FORMAT,
             frames, relais_video_paintable_get_frames (paintable));
}

static gboolean
tone_done (gpointer data)
{
  return !relais_precall_page_is_playing_sound (data);
}

/* An advisor's line after the person's first one: the bot answered. */
static gboolean
reply_after_mine (gpointer data)
{
  g_autofree char *text = relais_call_page_dup_chat_text (data);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean mine = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "Vous : "))
        mine = TRUE;
      else if (mine && g_str_has_prefix (lines[i], "Conseiller : "))
        return TRUE;
    }

  return FALSE;
}

static gboolean
chat_at_end (gpointer data)
{
  return relais_call_page_is_chat_at_end (data);
}

/* The person's whole journey in the demo: check, call, chat, hang up. */
static void
scenario_call (RelaisApplication *app)
{
  RelaisWindow *window = relais_test_ui_window_of (app);
  RelaisPrecallPage *precall = relais_window_get_precall_page (window);
  RelaisCallPage *call_page = relais_window_get_call_page (window);
  RelaisQueue *queue = relais_context_get_queue (relais_application_get_context (app));
  RelaisStore *store = relais_context_get_store (relais_application_get_context (app));
  RelaisTestUiWait start_enabled = { app, "start-call" };
  g_autofree char *chat = NULL;
  g_autoptr(GVariant) muted = NULL;

  unlock (app);
  relais_test_ui_activate (app, "new-ticket", g_variant_new ("(ssss)", "caf", "prime-activite", "Jeanne", ""));
  relais_test_ui_activate (app, "call-next", NULL);
  relais_test_ui_assert_page (app, "your-turn", 10000);
  relais_test_ui_activate (app, "start-session", NULL);
  relais_test_ui_assert_page (app, "precall", 10000);

  /* The check: the person sees themself, the network line speaks of the
   * demo, the test tone plays and stops. */
  assert_frames (relais_precall_page_get_local_paintable (precall), 3, 20000);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (relais_precall_page_get_local_paintable (precall))), >, 0);
  g_assert_nonnull (strstr (relais_precall_page_get_network_text (precall), "démonstration"));
  relais_precall_page_play_test_sound (precall);
  g_assert_true (relais_test_wait_for (tone_done, precall, 10000));
  g_assert_true (relais_test_wait_for (relais_test_ui_action_enabled, &start_enabled, 20000));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "hang-up"));

  /* The call: the advisor's picture comes, the person's own moves to the
   * corner. */
  relais_test_ui_activate (app, "start-call", NULL);
  relais_test_ui_assert_page (app, "call", 10000);
  assert_frames (relais_call_page_get_remote_paintable (call_page), 3, 60000);
  assert_frames (relais_call_page_get_local_paintable (call_page), 1, 10000);
  g_assert_null (relais_video_paintable_get_sink (relais_precall_page_get_local_paintable (precall)));

  /* Written words both ways; the advisor's open the panel. (Not waiting
   * for the bot's greeting: the person may write first.) */
  relais_call_page_send_text (call_page, "Bonjour, je voudrais un renseignement");
  g_assert_true (relais_test_wait_for (reply_after_mine, call_page, 60000));
  g_assert_true (relais_call_page_get_chat_visible (call_page));
  chat = relais_call_page_dup_chat_text (call_page);
  g_assert_nonnull (strstr (chat, "Vous : Bonjour, je voudrais un renseignement"));
  /* The newest line is in view, not below the panel's edge. */
  g_assert_true (relais_test_wait_for (chat_at_end, call_page, 5000));

  relais_test_ui_activate (app, "toggle-mute", NULL);
  muted = g_action_group_get_action_state (G_ACTION_GROUP (app), "toggle-mute");
  g_assert_true (g_variant_get_boolean (muted));

  /* The agent peeks in mid-call and leaves: the call is still there. */
  relais_test_ui_activate (app, "agent", NULL);
  relais_test_ui_assert_page (app, "unlock", 10000);
  relais_test_ui_activate (app, "lock", NULL);
  relais_test_ui_assert_page (app, "call", 10000);

  /* Hung up: one call per person; the conversation is gone. */
  relais_test_ui_activate (app, "hang-up", NULL);
  relais_test_ui_assert_page (app, "call-ended", 10000);
  g_clear_pointer (&chat, g_free);
  chat = relais_call_page_dup_chat_text (call_page);
  g_assert_cmpstr (chat, ==, "");
  g_assert_null (relais_video_paintable_get_sink (relais_call_page_get_remote_paintable (call_page)));
  g_clear_pointer (&muted, g_variant_unref);
  muted = g_action_group_get_action_state (G_ACTION_GROUP (app), "toggle-mute");
  g_assert_false (g_variant_get_boolean (muted));

  relais_test_ui_activate (app, "finish-session", NULL);
  /* The satisfaction survey (its own test: test-figures-ui), left
   * unanswered here. */
  relais_test_ui_assert_page (app, "survey", 10000);
  relais_test_ui_activate (app, "survey", g_variant_new_int32 (0));
  relais_test_ui_assert_page (app, "attract", 10000);
  g_assert_null (relais_queue_get_current (queue));
  g_assert_cmpint (relais_store_count_personal_leftovers (store, NULL), ==, 0);
}

static void
scenario_lockout (RelaisApplication *app)
{
  RelaisPinPage *pin_page = relais_window_get_pin_page (relais_test_ui_window_of (app));

  relais_test_ui_activate (app, "agent", NULL);
  for (int i = 0; i < 3; i++)
    {
      relais_pin_page_set_feedback (pin_page, NULL, FALSE);
      relais_test_ui_activate (app, "unlock", g_variant_new_string ("0000"));
      g_assert_true (relais_test_wait_for (feedback_set, app, 10000));
    }
  g_assert_nonnull (strstr (relais_pin_page_get_feedback (pin_page), "Trop d'essais"));

  /* Locked out: even the right PIN is refused for now. */
  relais_pin_page_set_feedback (pin_page, NULL, FALSE);
  relais_test_ui_activate (app, "unlock", g_variant_new_string ("1234"));
  g_assert_true (relais_test_wait_for (feedback_set, app, 10000));
  g_assert_nonnull (strstr (relais_pin_page_get_feedback (pin_page), "Trop d'essais"));
  relais_test_ui_assert_page (app, "unlock", 10000);
}

/* The kiosk restarted after the lockout above (a power cut, or someone
 * pulling the plug to get more tries): still locked out, right PIN or
 * not; the count of wrong PINs is in the store. */
static void
scenario_lockout_after_restart (RelaisApplication *app)
{
  RelaisPinPage *pin_page = relais_window_get_pin_page (relais_test_ui_window_of (app));

  relais_test_ui_assert_page (app, "attract", 10000);
  relais_test_ui_activate (app, "agent", NULL);
  relais_test_ui_activate (app, "unlock", g_variant_new_string ("1234"));
  g_assert_true (relais_test_wait_for (feedback_set, app, 10000));
  g_assert_nonnull (strstr (relais_pin_page_get_feedback (pin_page), "Trop d'essais"));
  relais_test_ui_assert_page (app, "unlock", 10000);
}

/* A deployment (a gateway configured) whose PIN has 4 digits: the right
 * PIN does not open the desk, and the pad says what to fix. */
static void
scenario_short_pin (RelaisApplication *app)
{
  RelaisPinPage *pin_page = relais_window_get_pin_page (relais_test_ui_window_of (app));

  relais_test_ui_assert_page (app, "attract", 10000);
  relais_test_ui_activate (app, "agent", NULL);
  g_test_expect_message ("relais-agent-lock", G_LOG_LEVEL_WARNING, "*fewer than 6 digits*");
  relais_test_ui_activate (app, "unlock", g_variant_new_string ("1234"));
  g_assert_true (relais_test_wait_for (feedback_set, app, 10000));
  g_test_assert_expected_messages ();
  g_assert_nonnull (strstr (relais_pin_page_get_feedback (pin_page), "trop court"));
  g_assert_nonnull (strstr (relais_pin_page_get_feedback (pin_page), "relais-kiosk --hash-pin"));
  relais_test_shoot ("pin-too-short", 1000);
  relais_test_ui_assert_page (app, "unlock", 10000);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "new-ticket"));
}

static void
scenario_idle_relock (RelaisApplication *app)
{
  RelaisTestUiWait wait = { app, "attract" };

  unlock (app);
  /* idle-lock-seconds is 15 in this test's configuration; the check runs
   * every 5 s. */
  g_assert_true (relais_test_wait_for (relais_test_ui_page_is, &wait, 30000));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "new-ticket"));
}

static void
scenario_english (RelaisApplication *app)
{
  relais_test_ui_assert_page (app, "attract", 10000);
  g_assert_cmpstr (_("Bienvenue"), ==, "Welcome");
  g_assert_cmpstr (_("Espace agent"), ==, "Agent desk");
}

/* Test cases: each runs scenarios in subprocesses */

static void
run_scenario_subprocess_for (const char *path,
                             guint       seconds)
{
  g_test_trap_subprocess (path, seconds * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
run_scenario_subprocess (const char *path)
{
  run_scenario_subprocess_for (path, 60);
}

static void
write_config (guint idle_lock_seconds)
{
  g_autofree char *store = g_build_filename (tmp_dir, store_name, NULL);
  g_autofree char *contents =
    g_strdup_printf ("[kiosk]\n"
                     "site-name=Mairie de Test\n"
                     "store-path=%s\n"
                     "[agent]\n"
                     "idle-lock-seconds=%u\n",
                     store, idle_lock_seconds);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (config_path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
test_restart (void)
{
  write_config (120);
  run_scenario_subprocess ("/ui/scenario/first-start");
  run_scenario_subprocess ("/ui/scenario/after-restart");
  run_scenario_subprocess ("/ui/scenario/called-survives");
}

static void
test_call (void)
{
  write_config (120);
  /* Two webrtcbins in one process: slow under the sanitizers. */
  run_scenario_subprocess_for ("/ui/scenario/call", 180);
}

static void
test_lockout (void)
{
  /* A store of its own: the lockout outlives the process. */
  store_name = "lockout.db";
  write_config (120);
  run_scenario_subprocess ("/ui/scenario/lockout");
  run_scenario_subprocess ("/ui/scenario/lockout-after-restart");
  store_name = "relais.db";
}

static void
test_short_pin (void)
{
  g_autoptr(RelaisConfig) demo = relais_config_new_default ();
  g_autofree char *store = g_build_filename (tmp_dir, "short.db", NULL);
  /* The demo's hash is 1234's; nothing listens on port 9. */
  g_autofree char *contents =
    g_strdup_printf ("[kiosk]\n"
                     "site-name=Mairie de Test\n"
                     "store-path=%s\n"
                     "[agent]\n"
                     "pin-hash=%s\n"
                     "[gateway]\n"
                     "janus-url=https://127.0.0.1:9/janus\n"
                     "lobby-pin=lobby-test\n",
                     store, relais_config_get_pin_hash (demo));
  g_autoptr(GError) error = NULL;

  g_file_set_contents (config_path, contents, -1, &error);
  g_assert_no_error (error);
  run_scenario_subprocess ("/ui/scenario/short-pin");
}

static void
test_idle_relock (void)
{
  write_config (15);
  run_scenario_subprocess ("/ui/scenario/idle-relock");
}

static void
test_english (void)
{
  write_config (120);
  g_setenv ("LANGUAGE", "en", TRUE);
  run_scenario_subprocess ("/ui/scenario/english");
  g_unsetenv ("LANGUAGE");
}

static void
never_cb (RelaisApplication *app,
          gpointer           user_data)
{
  g_assert_not_reached ();
}

static void
test_bad_config_refuses_to_start (void)
{
  g_autofree char *bad = g_build_filename (tmp_dir, "bad.conf", NULL);
  char *argv[] = { (char *) "relais-kiosk", (char *) "--config", bad, NULL };
  g_autoptr(GError) error = NULL;

  g_file_set_contents (bad, "[agent]\nidle-lock-seconds=soon\n", -1, &error);
  g_assert_no_error (error);

  if (g_test_subprocess ())
    {
      g_assert_cmpint (relais_kiosk_main (3, argv, never_cb, NULL), ==, 1);
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*idle-lock-seconds*");
}

static void
scenario (gconstpointer data)
{
  /* Only ever run as a subprocess of the tests above. */
  if (!g_test_subprocess ())
    return;

  run_kiosk ((Scenario) data);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  relais_command_line_init_i18n ();
  g_test_init (&argc, &argv, NULL);

  /* One directory for the whole run, shared with the subprocesses through
   * the environment so that they see the same store. */
  if (g_getenv ("RELAIS_UI_TEST_DIR") == NULL)
    {
      g_autoptr(GError) error = NULL;
      char *dir = g_dir_make_tmp ("relais-ui-XXXXXX", &error);

      g_assert_no_error (error);
      g_setenv ("RELAIS_UI_TEST_DIR", dir, TRUE);
      g_free (dir);
    }
  tmp_dir = g_strdup (g_getenv ("RELAIS_UI_TEST_DIR"));
  config_path = g_build_filename (tmp_dir, "kiosk.conf", NULL);

  g_test_add_data_func ("/ui/scenario/first-start", scenario_first_start, scenario);
  g_test_add_data_func ("/ui/scenario/after-restart", scenario_after_restart, scenario);
  g_test_add_data_func ("/ui/scenario/called-survives", scenario_called_survives, scenario);
  g_test_add_data_func ("/ui/scenario/call", scenario_call, scenario);
  g_test_add_data_func ("/ui/scenario/lockout", scenario_lockout, scenario);
  g_test_add_data_func ("/ui/scenario/lockout-after-restart", scenario_lockout_after_restart, scenario);
  g_test_add_data_func ("/ui/scenario/short-pin", scenario_short_pin, scenario);
  g_test_add_data_func ("/ui/scenario/idle-relock", scenario_idle_relock, scenario);
  g_test_add_data_func ("/ui/scenario/english", scenario_english, scenario);

  g_test_add_func ("/ui/restart-keeps-queue", test_restart);
  g_test_add_func ("/ui/call", test_call);
  g_test_add_func ("/ui/pin-lockout", test_lockout);
  g_test_add_func ("/ui/short-pin-refused", test_short_pin);
  g_test_add_func ("/ui/idle-relock", test_idle_relock);
  g_test_add_func ("/ui/english", test_english);
  g_test_add_func ("/ui/bad-config-refuses-to-start", test_bad_config_refuses_to_start);

  ret = g_test_run ();

  if (!g_test_subprocess ())
    {
      const char *stores[] = { "relais.db", "lockout.db", "short.db" };
      g_autofree char *bad = g_build_filename (tmp_dir, "bad.conf", NULL);

      for (guint i = 0; i < G_N_ELEMENTS (stores); i++)
        {
          g_autofree char *store = g_build_filename (tmp_dir, stores[i], NULL);
          g_autofree char *wal = g_strconcat (store, "-wal", NULL);
          g_autofree char *shm = g_strconcat (store, "-shm", NULL);

          g_unlink (store);
          g_unlink (wal);
          g_unlink (shm);
        }
      g_unlink (bad);
      g_unlink (config_path);
      g_rmdir (tmp_dir);
    }

  g_free (config_path);
  g_free (tmp_dir);

  return ret;
}
