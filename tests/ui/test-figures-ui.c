/* test-figures-ui.c: the survey after a call, the figures page, the CSV
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Runs under Xvfb and a private session bus (see meson.build), the real
 * application in a subprocess, on a store of its own. The run: a walk-in
 * goes through the demo call and taps a face; another's call ends with
 * the survey unanswered (30 s); one is marked absent, one cancelled; the
 * figures page shows the four; the page's export and `relais-kiosk
 * --export-csv` hold exactly those four sessions.
 *
 * RELAIS_UI_SHOTS=dir saves the survey and figures pages there.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "relais-application.h"
#include "relais-booth.h"
#include "relais-call.h"
#include "relais-call-private.h"
#include "relais-context.h"
#include "relais-error.h"
#include "relais-window.h"

#include "relais-test-ui.h"
#include "../relais-test-utils.h"

static char *tmp_dir;
static char *config_path;

typedef void (*Scenario) (RelaisApplication *app);

typedef RelaisTestUiWait Wait;

static void
activate (RelaisApplication *app,
          const char        *action,
          GVariant          *parameter)
{
  Wait wait = { app, action };

  if (!relais_test_wait_for (relais_test_ui_action_enabled, &wait, 60000))
    g_error ("action %s stayed disabled", action);
  relais_test_ui_activate (app, action, parameter);
}

static void
unlock (RelaisApplication *app)
{
  activate (app, "agent", NULL);
  relais_test_ui_assert_page (app, "unlock", 20000);
  activate (app, "unlock", g_variant_new_string ("1234"));
  relais_test_ui_assert_page (app, "desk", 20000);
}

static gboolean
notice_has (gpointer data)
{
  Wait *wait = data;
  const char *notice = relais_window_get_notice (relais_test_ui_window_of (wait->app));

  return notice != NULL && strstr (notice, wait->name) != NULL;
}

static void
notice_seen_cb (RelaisBooth *booth,
                const char  *text,
                gboolean     is_error,
                GPtrArray   *notices)
{
  g_ptr_array_add (notices, g_strdup (text));
}

static gboolean
notices_has_two (gpointer data)
{
  return ((GPtrArray *) data)->len >= 2;
}

static RelaisStore *
store_of (RelaisApplication *app)
{
  return relais_context_get_store (relais_application_get_context (app));
}

/* The far end (the demo advisor) reports it got the person's sound and
 * picture: what the figures call "media flowed". */
static gboolean
far_end_got_media (gpointer data)
{
  RelaisBooth *booth = relais_context_get_booth (relais_application_get_context (data));
  RelaisCall *call = relais_booth_get_call (booth);
  RelaisCallStats stats;

  if (call == NULL)
    return FALSE;
  relais_call_get_stats (call, &stats);
  return relais_call_stats_media_delivered (&stats);
}

static gboolean
call_connected (gpointer data)
{
  /* The call page shows the advisor once CONNECTED: wait for "in a call"
   * long enough for the first remote picture (the demo's set-up is
   * 0.2–0.8 s here, several seconds under the sanitizers), and for the
   * state itself (the page's status line empties): under ASan on a
   * loaded host it came seconds after the pictures, and the figures
   * sample the frame rate from 1.5 s after it. */
  RelaisCallPage *page = data;

  return relais_video_paintable_get_frames (relais_call_page_get_remote_paintable (page)) >= 5
         && *relais_call_page_get_status_text (page) == '\0';
}

static void
scenario_sessions (RelaisApplication *app)
{
  RelaisWindow *window = relais_test_ui_window_of (app);
  RelaisFiguresPage *figures = relais_window_get_figures_page (window);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *export_file = NULL;
  RelaisSessionFacts *call_session = NULL;
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();
  g_autofree char *day = g_date_time_format (today, "%Y-%m-%d");
  Wait saved = { app, "Chiffres enregistrés (4 séances)" };

  /* Nothing yet: the empty state. */
  unlock (app);
  activate (app, "figures", NULL);
  relais_test_ui_assert_page (app, "figures", 20000);
  g_assert_cmpstr (relais_figures_page_get_state (figures), ==, "empty");
  relais_test_shoot ("figures-empty", 600);
  activate (app, "close-figures", NULL);
  relais_test_ui_assert_page (app, "desk", 20000);

  activate (app, "new-ticket", g_variant_new ("(ssss)", "caf", "prime-activite", "Jeanne", "RSA"));
  activate (app, "new-ticket", g_variant_new ("(ssss)", "france-travail", "inscription", "", ""));
  activate (app, "new-ticket", g_variant_new ("(ssss)", "caf", "aides-logement", "", ""));
  activate (app, "call-next", NULL);
  relais_test_ui_assert_page (app, "your-turn", 20000);
  activate (app, "start-session", NULL);
  relais_test_ui_assert_page (app, "precall", 20000);
  activate (app, "start-call", NULL);
  relais_test_ui_assert_page (app, "call", 20000);
  g_assert_true (relais_test_wait_for (call_connected, relais_window_get_call_page (window), 60000));
  /* The row says media flowed only once the far end has said so (RTCP,
   * every few seconds): CI's loaded host took longer than the 4 s below
   * once, and the call was hung up before the first report. */
  g_assert_true (relais_test_wait_for (far_end_got_media, app, 30000));
  /* The advisor says how it went, over the data channel (the console's
   * work): here straight through the application's entry point. */
  g_assert_true (relais_application_record_outcome (app, "follow-up", &error));
  g_assert_no_error (error);
  g_assert_false (relais_application_record_outcome (app, "Jeanne", &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
  g_clear_error (&error);
  /* Long enough for a few per-second samples of the frame rate. */
  relais_test_spin (4000);
  {
    /* The link too weak for the picture (the rate controller's last step,
     * forced; its next tick on this good link gives the picture back): the
     * person reads both on the call page. */
    RelaisBooth *booth = relais_context_get_booth (relais_application_get_context (app));
    g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func (g_free);
    gulong id = g_signal_connect (booth, "notice", G_CALLBACK (notice_seen_cb), notices);

    _relais_call_set_link_step (relais_booth_get_call (booth), RELAIS_CALL_LINK_AUDIO_ONLY);
    g_assert_true (relais_test_wait_for (notices_has_two, notices, 10000));
    g_assert_cmpstr (g_ptr_array_index (notices, 0), ==, "La connexion est faible : l’image est coupée, le son continue.");
    g_assert_cmpstr (g_ptr_array_index (notices, 1), ==, "La connexion va mieux : l’image revient.");
    g_assert_nonnull (strstr (relais_window_get_notice (window), "l’image revient"));
    relais_test_shoot ("call-link-better", 300);
    g_signal_handler_disconnect (booth, id);
  }
  activate (app, "hang-up", NULL);
  relais_test_ui_assert_page (app, "call-ended", 20000);

  /* "Terminer": the survey; a tap stores the face, then the attract
   * screen. */
  activate (app, "finish-session", NULL);
  relais_test_ui_assert_page (app, "survey", 20000);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "figures"));
  relais_test_shoot ("survey", 600);
  activate (app, "survey", g_variant_new_int32 (5));
  relais_test_ui_assert_page (app, "attract", 20000);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "survey"));

  sessions = relais_store_list_session_facts (store_of (app), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  call_session = g_ptr_array_index (sessions, 0);
  g_assert_cmpstr (call_session->service_id, ==, "caf");
  g_assert_cmpstr (call_session->subservice_id, ==, "prime-activite");
  g_assert_cmpint (call_session->survey, ==, 5);
  g_assert_cmpstr (call_session->outcome, ==, "follow-up");
  g_assert_true (call_session->call_attempted);
  g_assert_true (call_session->media_flowed);
  g_assert_cmpint (call_session->setup_ms, >, 0);
  g_assert_cmpint (call_session->setup_ms, <, 60000);
  g_assert_cmpint (call_session->wait_seconds, >=, 0);
  g_assert_cmpfloat (call_session->fps_in, >, 0);
  g_assert_cmpint (call_session->packets_lost, >=, 0);
  g_assert_cmpint (call_session->call_seconds, >=, 0);
  g_test_message ("demo call: set-up %" G_GINT64_FORMAT " ms, %.1f fps received",
                  call_session->setup_ms, call_session->fps_in);
  g_assert_cmpint (relais_store_count_personal_leftovers (store_of (app), NULL), ==, 0);
  /* Queued for upload once the survey was answered. */
  g_assert_cmpint (relais_store_count_uploads (store_of (app), NULL), ==, 1);

  /* A second call nobody answers the survey of: after 30 s the kiosk
   * goes back by itself; no advisor said an outcome, so none is kept. */
  unlock (app);
  activate (app, "new-ticket", g_variant_new ("(ssss)", "caf", "rsa", "", ""));
  activate (app, "call-ticket", g_variant_new_int64 (4));
  relais_test_ui_assert_page (app, "your-turn", 20000);
  activate (app, "start-session", NULL);
  relais_test_ui_assert_page (app, "precall", 20000);
  activate (app, "start-call", NULL);
  relais_test_ui_assert_page (app, "call", 20000);
  g_assert_true (relais_test_wait_for (call_connected, relais_window_get_call_page (window), 60000));
  /* Media flowed once the far end says so (RTCP), and the figures sample
   * it every second. */
  g_assert_true (relais_test_wait_for (far_end_got_media, app, 30000));
  relais_test_spin (1500);
  activate (app, "hang-up", NULL);
  relais_test_ui_assert_page (app, "call-ended", 20000);
  activate (app, "finish-session", NULL);
  relais_test_ui_assert_page (app, "survey", 20000);
  {
    Wait back = { app, "attract" };
    gint64 shown = g_get_monotonic_time ();

    g_assert_true (relais_test_wait_for (relais_test_ui_page_is, &back, 45000));
    g_assert_cmpint (g_get_monotonic_time () - shown, >=, 29 * G_USEC_PER_SEC);
  }
  g_clear_pointer (&sessions, g_ptr_array_unref);
  sessions = relais_store_list_session_facts (store_of (app), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 2);
  call_session = g_ptr_array_index (sessions, 1);
  g_assert_cmpstr (call_session->subservice_id, ==, "rsa");
  g_assert_cmpint (call_session->survey, ==, 0);
  g_assert_null (call_session->outcome);
  g_assert_true (call_session->media_flowed);
  call_session = g_ptr_array_index (sessions, 0);

  /* The two others: absent (never came), cancelled. */
  unlock (app);
  activate (app, "mark-absent", g_variant_new_int64 (2));
  activate (app, "cancel-ticket", g_variant_new_int64 (3));

  activate (app, "figures", NULL);
  relais_test_ui_assert_page (app, "figures", 20000);
  g_assert_cmpstr (relais_figures_page_get_state (figures), ==, "charts");
  description = relais_figures_page_describe (figures);
  g_test_message ("%s", description);
  g_assert_nonnull (strstr (description, "4 personnes reçues"));
  g_assert_nonnull (strstr (description, "100 %"));
  g_assert_nonnull (strstr (description, "2 appels sur 2"));
  g_assert_nonnull (strstr (description, "1 réponse"));
  g_assert_nonnull (strstr (description, "Très content : 1"));
  g_assert_nonnull (strstr (description, "Content : 0"));
  relais_test_shoot ("figures", 600);

  /* The page's export: into Documents (or $HOME), said on screen. */
  activate (app, "export-figures", NULL);
  g_assert_true (relais_test_wait_for (notice_has, &saved, 20000));
  export_file = g_strdup_printf ("%s/home/relais-chiffres-%s.csv", tmp_dir, day);
  g_assert_nonnull (strstr (relais_window_get_notice (window), export_file));
  g_file_get_contents (export_file, &csv, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (csv, call_session->session_id));
  g_assert_nonnull (strstr (csv, ",follow-up,5\r\n"));
  g_assert_nonnull (strstr (csv, ",absent,\r\n"));
  g_assert_nonnull (strstr (csv, ",cancelled,\r\n"));
  g_assert_nonnull (strstr (csv, ",rsa,"));
  g_assert_nonnull (strstr (csv, ",,\r\n"));
  g_assert_null (strstr (csv, "Jeanne"));
  g_assert_null (strstr (csv, "RSA"));

  /* Every session waits for the upload server, none was lost. */
  g_assert_cmpint (relais_store_count_uploads (store_of (app), NULL), ==, 4);

  /* Locking closes the figures. */
  activate (app, "lock", NULL);
  relais_test_ui_assert_page (app, "attract", 20000);
}

static void
hook_activate_cb (GApplication *application,
                  gpointer      user_data)
{
  RelaisApplication *app = RELAIS_APPLICATION (application);

  g_assert_true (relais_test_wait_for (relais_test_ui_window_ready, app, 10000));
  ((Scenario) user_data) (app);
  g_application_quit (application);
}

static void
hook_cb (RelaisApplication *app,
         gpointer           user_data)
{
  g_signal_connect_after (app, "activate", G_CALLBACK (hook_activate_cb), user_data);
}

static void
scenario (gconstpointer data)
{
  char *argv[] = { (char *) "relais-kiosk", (char *) "--config", config_path, NULL };

  if (!g_test_subprocess ())
    return;

  g_assert_cmpint (relais_kiosk_main (3, argv, hook_cb, (gpointer) data), ==, 0);
}

static void
test_sessions_and_csv (void)
{
  g_autofree char *store = g_build_filename (tmp_dir, "relais.db", NULL);
  /* An upload server that is not there (port 9, refused): every record
   * waits in the outbox. */
  g_autofree char *conf = g_strdup_printf ("[kiosk]\nsite-name=Mairie de Test\nstore-path=%s\n"
                                           "[figures]\nupload-url=https://127.0.0.1:9/relais/sessions\n"
                                           "upload-token=jeton-de-test\n", store);
  g_autofree char *csv_path = g_build_filename (tmp_dir, "export.csv", NULL);
  g_autofree char *csv = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  int status = -1;
  const char *kiosk = g_getenv ("RELAIS_KIOSK");
  char *argv[] = { (char *) kiosk, (char *) "--config", config_path, (char *) "--export-csv", csv_path, NULL };

  g_assert_nonnull (kiosk);
  g_file_set_contents (config_path, conf, -1, &error);
  g_assert_no_error (error);

  /* The kiosk in a subprocess (two webrtcbins: slow under the
   * sanitizers). */
  g_test_trap_subprocess ("/figures-ui/scenario/sessions", 280 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  /* The technician's export, from the terminal, of the same store. */
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (out, "4 séances"));
  g_file_get_contents (csv_path, &csv, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (csv, -1, NULL));
  lines = g_strsplit (csv, "\r\n", -1);
  /* The header, exactly the four sessions run, and the final CRLF. */
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  g_assert_true (g_str_has_prefix (lines[0], "session,service,sub_service,"));
  g_assert_true (g_str_has_suffix (lines[1], ",follow-up,5"));
  g_assert_cmpstr (lines[5], ==, "");
}

int
main (int   argc,
      char *argv[])
{
  relais_command_line_init_i18n ();
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("RELAIS_UI_TEST_DIR") == NULL)
    {
      g_autoptr(GError) error = NULL;
      char *dir = g_dir_make_tmp ("relais-figures-ui-XXXXXX", &error);
      g_autofree char *home = NULL;

      g_assert_no_error (error);
      g_setenv ("RELAIS_UI_TEST_DIR", dir, TRUE);
      /* The export goes to Documents or $HOME: both in the test's
       * directory (xdg-user-dirs reads $XDG_CONFIG_HOME). */
      home = g_build_filename (dir, "home", NULL);
      g_mkdir_with_parents (home, 0700);
      g_setenv ("HOME", home, TRUE);
      g_setenv ("XDG_CONFIG_HOME", home, TRUE);
      g_setenv ("XDG_DATA_HOME", home, TRUE);
      g_free (dir);
    }
  tmp_dir = g_strdup (g_getenv ("RELAIS_UI_TEST_DIR"));
  config_path = g_build_filename (tmp_dir, "kiosk.conf", NULL);

  g_test_add_data_func ("/figures-ui/scenario/sessions", scenario_sessions, scenario);
  g_test_add_func ("/figures-ui/sessions-and-csv", test_sessions_and_csv);

  return g_test_run ();
}
