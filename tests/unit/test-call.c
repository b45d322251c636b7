/* test-call.c: RelaisCall without a network: options, missing plugins,
 * the preview with test sources, peers and chat refused before a call.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "relais-call.h"
#include "relais-error.h"

static RelaisCall *
make_test_call (void)
{
  RelaisCallOptions options;
  g_autoptr(GError) error = NULL;
  RelaisCall *call;

  relais_call_options_init (&options);
  options.video_device = g_strdup ("test");
  options.audio_device = g_strdup ("test");
  options.width = 160;
  options.height = 120;
  call = relais_call_new (&options, &error);
  relais_call_options_clear (&options);
  g_assert_no_error (error);
  g_assert_nonnull (call);
  return call;
}

static void
test_options_defaults (void)
{
  RelaisCallOptions options;

  relais_call_options_init (&options);
  g_assert_null (options.video_device);
  g_assert_null (options.audio_device);
  g_assert_cmpuint (options.width, ==, 640);
  g_assert_cmpuint (options.height, ==, 480);
  g_assert_cmpuint (options.framerate, ==, 30);
  g_assert_cmpuint (options.video_kbps, ==, 600);
  g_assert_false (options.prefer_h264);
  g_assert_cmpuint (options.jitter_latency_ms, ==, 40);
  options.stun_server = g_strdup ("stun://10.77.0.1:3478");
  relais_call_options_clear (&options);
  g_assert_null (options.stun_server);
  relais_call_options_clear (&options);
}

static gboolean
wake_up_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
mic_level_cb (RelaisCall *call,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_preview (void)
{
  RelaisCall *call = make_test_call ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GstSample) sample = NULL;
  guint level_notifications = 0;
  gint64 deadline;
  guint wake_up;
  RelaisCallState state;

  g_assert_cmpint (relais_call_get_state (call), ==, RELAIS_CALL_IDLE);
  g_assert_true (relais_call_is_video_simulated (call));
  g_assert_true (relais_call_is_audio_simulated (call));
  g_assert_null (relais_call_get_failure (call));
  g_assert_nonnull (relais_call_get_local_video_sink (call));
  g_assert_nonnull (relais_call_get_remote_video_sink (call));

  g_signal_connect (call, "notify::mic-level", G_CALLBACK (mic_level_cb), &level_notifications);
  g_assert_true (relais_call_start_preview (call, &error));
  g_assert_no_error (error);
  g_object_get (call, "state", &state, NULL);
  g_assert_cmpint (state, ==, RELAIS_CALL_PREVIEW);

  /* The self-view gets BGRA pictures of the configured size. */
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (relais_call_get_local_video_sink (call)),
                                         5 * GST_SECOND);
  g_assert_nonnull (sample);
  {
    GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
    int width = 0, height = 0;

    g_assert_cmpstr (gst_structure_get_string (s, "format"), ==, "BGRA");
    gst_structure_get_int (s, "width", &width);
    gst_structure_get_int (s, "height", &height);
    g_assert_cmpint (width, ==, 160);
    g_assert_cmpint (height, ==, 120);
  }

  /* The level is sampled ten times a second and notified on the main
   * context when it changes (a steady test tone changes once). */
  wake_up = g_timeout_add (20, wake_up_cb, NULL);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (level_notifications < 1 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake_up);
  g_assert_cmpuint (level_notifications, >=, 1);
  g_assert_cmpfloat (relais_call_get_mic_level (call), >, -90.0);

  relais_call_set_muted (call, TRUE);
  relais_call_set_camera_off (call, TRUE);
  relais_call_set_camera_off (call, FALSE);

  relais_call_hang_up (call);
  g_assert_cmpint (relais_call_get_state (call), ==, RELAIS_CALL_ENDED);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (call);
}

static void
test_peers_and_chat_errors (void)
{
  RelaisCall *call = make_test_call ();
  g_autoptr(GError) error = NULL;
  g_autofree char *huge = g_strnfill (64 * 1024 + 1, 'x');

  g_assert_cmpuint (relais_call_add_peer (call, "sideways", &error), ==, 0);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA);
  g_clear_error (&error);

  g_assert_false (relais_call_send_message (call, "Bonjour", &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_clear_error (&error);

  g_assert_false (relais_call_send_message (call, huge, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_clear_error (&error);

  g_assert_cmpuint (relais_call_add_peer (call, "recv", &error), ==, 1);
  g_assert_no_error (error);
  g_assert_false (relais_call_set_remote_description (call, 1, "offer", "not sdp", &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_false (relais_call_set_remote_description (call, 7, "offer", "v=0", &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_clear_error (&error);

  relais_call_hang_up (call);
  g_assert_cmpuint (relais_call_add_peer (call, "send", &error), ==, 0);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA);
  g_clear_error (&error);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (call);
}

/* A configured camera that cannot be opened gives a test pattern, not a
 * failed call, and the call says it is simulated. */
static void
test_camera_fallback (void)
{
  RelaisCallOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElementFactory) v4l2 = gst_element_factory_find ("v4l2src");
  g_autoptr(GstSample) sample = NULL;
  RelaisCall *call;

  if (v4l2 == NULL)
    {
      /* Never a skip: the package is part of the test command's install. */
      g_test_fail_printf ("v4l2src not installed (Debian package gstreamer1.0-plugins-good)");
      return;
    }

  relais_call_options_init (&options);
  options.video_device = g_strdup ("/dev/relais-test-no-such-camera");
  options.audio_device = g_strdup ("test");
  options.width = 160;
  options.height = 120;
  call = relais_call_new (&options, &error);
  relais_call_options_clear (&options);
  g_assert_no_error (error);
  g_assert_nonnull (call);
  g_assert_true (relais_call_is_video_simulated (call));

  g_assert_true (relais_call_start_preview (call, &error));
  g_assert_no_error (error);
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (relais_call_get_local_video_sink (call)),
                                         5 * GST_SECOND);
  g_assert_nonnull (sample);

  relais_call_hang_up (call);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (call);
}

/* Last: it removes a plugin from this process's registry. */
static void
test_missing_plugin (void)
{
  GstRegistry *registry = gst_registry_get ();
  g_autoptr(GstPlugin) vpx = gst_registry_find_plugin (registry, "vpx");
  g_autoptr(GError) error = NULL;
  RelaisCall *call;

  if (vpx == NULL)
    {
      g_test_fail_printf ("vpx plugin not installed (Debian package gstreamer1.0-plugins-good)");
      return;
    }

  gst_registry_remove_plugin (registry, vpx);
  call = relais_call_new (NULL, &error);
  g_assert_null (call);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_MISSING_PLUGIN);
  g_assert_nonnull (strstr (error->message, "vpx"));
  g_assert_nonnull (strstr (error->message, "gstreamer1.0-plugins-good"));
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/call/options-defaults", test_options_defaults);
  g_test_add_func ("/call/preview", test_preview);
  g_test_add_func ("/call/peers-and-chat-errors", test_peers_and_chat_errors);
  g_test_add_func ("/call/camera-fallback", test_camera_fallback);
  g_test_add_func ("/call/missing-plugin", test_missing_plugin);

  return g_test_run ();
}
