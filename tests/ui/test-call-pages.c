/* test-call-pages.c: the pre-call and call pages on their own, fed by
 * plain GStreamer pipelines instead of a call
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RELAIS_UI_SHOTS=dir saves a PNG of each page state there, to look at.
 */
#include "config.h"

#include <gst/gst.h>
#include <gtk/gtk.h>

#include "relais-call-page.h"
#include "relais-precall-page.h"

#include "relais-test-ui.h"
#include "../relais-test-utils.h"

static gboolean
is_drawn (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

static GtkWidget *
page_window (GtkWidget *page)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (relais_test_wait_for (is_drawn, page, 10000));

  return window;
}

static GstElement *
test_pipeline (GstElement **sink)
{
  g_autoptr(GError) error = NULL;
  GstElement *pipeline =
    gst_parse_launch ("videotestsrc is-live=true ! video/x-raw,width=640,height=480,framerate=30/1 ! "
                      "videoconvert ! appsink name=sink caps=video/x-raw,format=BGRA max-buffers=1 drop=true",
                      &error);

  g_assert_no_error (error);
  *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  return pipeline;
}

static gboolean
has_frames (gpointer data)
{
  return relais_video_paintable_get_frames (data) >= 2;
}

static gboolean
tone_done (gpointer data)
{
  return !relais_precall_page_is_playing_sound (data);
}

static void
test_precall (void)
{
  GtkWidget *page = relais_precall_page_new (NULL);
  RelaisPrecallPage *precall = RELAIS_PRECALL_PAGE (page);
  GtkWidget *window = page_window (page);
  g_autoptr(GstElement) sink = NULL;
  GstElement *pipeline;

  g_object_ref (page);
  relais_test_shoot ("precall-waiting", 400);

  pipeline = test_pipeline (&sink);
  relais_precall_page_set_local_sink (precall, sink);
  relais_precall_page_set_simulated (precall, TRUE, FALSE);
  g_assert_true (relais_test_wait_for (has_frames, relais_precall_page_get_local_paintable (precall), 10000));

  relais_precall_page_set_mic_level (precall, -20.0);
  g_assert_cmpfloat_with_epsilon (relais_precall_page_get_mic_fraction (precall), 40.0 / 60.0, 0.001);
  relais_precall_page_set_mic_level (precall, -300.0);
  g_assert_cmpfloat (relais_precall_page_get_mic_fraction (precall), ==, 0.0);
  relais_precall_page_set_mic_level (precall, -12.0);

  relais_precall_page_set_network_status (precall, TRUE, "Mode démonstration : pas de serveur à joindre.");
  g_assert_cmpstr (relais_precall_page_get_network_text (precall), ==,
                   "Mode démonstration : pas de serveur à joindre.");
  relais_test_shoot ("precall-ready", 400);

  /* The tone plays (through fakesink when there are no speakers) and the
   * button comes back. */
  relais_precall_page_play_test_sound (precall);
  g_assert_true (relais_precall_page_is_playing_sound (precall));
  relais_test_shoot ("precall-tone", 400);
  g_assert_true (relais_test_wait_for (tone_done, precall, 10000));

  relais_precall_page_set_media_error (precall,
                                       "La caméra et le micro ne démarrent pas : l'appel est impossible pour l'instant. "
                                       "Touchez « Annuler » et prévenez l'agent d'accueil.");
  relais_test_shoot ("precall-error", 400);

  /* The page lets go of the sink before the pipeline goes. */
  relais_precall_page_reset (precall);
  g_assert_null (relais_video_paintable_get_sink (relais_precall_page_get_local_paintable (precall)));
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (page);
}

static void
test_call (void)
{
  GtkWidget *page = relais_call_page_new (NULL);
  RelaisCallPage *call = RELAIS_CALL_PAGE (page);
  GtkWidget *window = page_window (page);
  g_autoptr(GstElement) remote_sink = NULL;
  g_autoptr(GstElement) local_sink = NULL;
  GstElement *remote;
  GstElement *local;
  g_autofree char *text = NULL;

  g_object_ref (page);
  remote = test_pipeline (&remote_sink);
  local = test_pipeline (&local_sink);

  relais_call_page_set_state (call, RELAIS_CALL_CONNECTING, NULL);
  g_assert_cmpstr (relais_call_page_get_status_text (call), ==, "Connexion avec votre conseiller…");
  relais_test_shoot ("call-connecting", 400);

  relais_call_page_set_remote_sink (call, remote_sink);
  relais_call_page_set_local_sink (call, local_sink);
  relais_call_page_set_state (call, RELAIS_CALL_CONNECTED, NULL);
  g_assert_cmpstr (relais_call_page_get_status_text (call), ==, "");
  g_assert_true (relais_test_wait_for (has_frames, relais_call_page_get_remote_paintable (call), 10000));
  g_assert_true (relais_test_wait_for (has_frames, relais_call_page_get_local_paintable (call), 10000));
  g_assert_false (relais_call_page_get_chat_visible (call));

  /* A line from the advisor opens the written messages. */
  relais_call_page_add_message (call, "Bonjour, je suis votre conseillère. Je vous écris aussi ce que je dis.", FALSE);
  g_assert_true (relais_call_page_get_chat_visible (call));
  relais_call_page_add_message (call, "Bonjour, je viens pour la prime d'activité.", TRUE);
  relais_call_page_add_message (call, "Très bien. Avez-vous votre numéro d'allocataire ?", FALSE);
  text = relais_call_page_dup_chat_text (call);
  g_assert_cmpstr (text, ==,
                   "Conseiller : Bonjour, je suis votre conseillère. Je vous écris aussi ce que je dis.\n"
                   "Vous : Bonjour, je viens pour la prime d'activité.\n"
                   "Conseiller : Très bien. Avez-vous votre numéro d'allocataire ?");
  relais_test_shoot ("call-chat", 400);

  relais_call_page_set_muted (call, TRUE);
  relais_call_page_set_camera_off (call, TRUE);
  relais_call_page_set_state (call, RELAIS_CALL_RECONNECTING, NULL);
  g_assert_cmpstr (relais_call_page_get_status_text (call), ==,
                   "La connexion est faible, nous essayons de la rétablir…");
  relais_test_shoot ("call-reconnecting", 400);

  relais_call_page_set_state (call, RELAIS_CALL_FAILED,
                              "La connexion avec le conseiller est perdue.");
  g_assert_cmpstr (relais_call_page_get_status_text (call), ==,
                   "La connexion avec le conseiller est perdue.");
  relais_test_shoot ("call-failed", 400);

  /* Nothing of the conversation stays for the next person. */
  relais_call_page_reset (call);
  g_clear_pointer (&text, g_free);
  text = relais_call_page_dup_chat_text (call);
  g_assert_cmpstr (text, ==, "");
  g_assert_false (relais_call_page_get_chat_visible (call));
  g_assert_null (relais_video_paintable_get_sink (relais_call_page_get_remote_paintable (call)));

  gst_element_set_state (remote, GST_STATE_NULL);
  gst_element_set_state (local, GST_STATE_NULL);
  gst_object_unref (remote);
  gst_object_unref (local);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (page);
}

static guint
count_bubbles (GtkWidget *widget)
{
  guint count = gtk_widget_has_css_class (widget, "chat-bubble") ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count += count_bubbles (child);

  return count;
}

/* A long (or hostile) call: the conversation keeps its last 200 lines,
 * on screen and in memory, and the newest stays in view. */
static void
test_chat_bounded (void)
{
  GtkWidget *page = relais_call_page_new (NULL);
  RelaisCallPage *call = RELAIS_CALL_PAGE (page);
  GtkWidget *window = page_window (page);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_object_ref (page);
  for (guint i = 0; i < 260; i++)
    {
      g_autofree char *line = g_strdup_printf ("ligne %u", i);

      relais_call_page_add_message (call, line, i % 2 == 0);
    }

  text = relais_call_page_dup_chat_text (call);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 200);
  g_assert_cmpstr (lines[0], ==, "Vous : ligne 60");
  g_assert_cmpstr (lines[199], ==, "Conseiller : ligne 259");
  g_assert_cmpuint (count_bubbles (page), ==, 200);
  g_assert_true (relais_test_wait_for ((gboolean (*) (gpointer)) relais_call_page_is_chat_at_end, call, 5000));
  relais_test_shoot ("call-chat-bounded", 2000);

  relais_call_page_reset (call);
  g_assert_cmpuint (count_bubbles (page), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (page);
}

int
main (int   argc,
      char *argv[])
{

  gst_init (&argc, &argv);
  gtk_test_init (&argc, &argv, NULL);
  relais_test_ui_load_style ();

  g_test_add_func ("/call-pages/precall", test_precall);
  g_test_add_func ("/call-pages/call", test_call);
  g_test_add_func ("/call-pages/chat-bounded", test_chat_bounded);

  return g_test_run ();
}
