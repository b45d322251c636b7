/* test-video-paintable.c: appsink frames shown through RelaisVideoPaintable
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gst/gst.h>
#include <gtk/gtk.h>

#include "relais-video-paintable.h"

typedef struct
{
  GstElement *pipeline;
  GstElement *sink;
} Pipeline;

static void
pipeline_start (Pipeline   *pipeline,
                const char *caps,
                int         num_buffers)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description =
    g_strdup_printf ("videotestsrc num-buffers=%d is-live=true ! %s ! videoconvert ! "
                     "appsink name=sink caps=video/x-raw,format={BGRA,RGB} max-buffers=1 drop=true",
                     num_buffers, caps);

  pipeline->pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  pipeline->sink = gst_bin_get_by_name (GST_BIN (pipeline->pipeline), "sink");
  g_assert_nonnull (pipeline->sink);
}

static void
pipeline_play (Pipeline *pipeline)
{
  g_assert_cmpint (gst_element_set_state (pipeline->pipeline, GST_STATE_PLAYING),
                   !=, GST_STATE_CHANGE_FAILURE);
}

static void
pipeline_stop (Pipeline *pipeline)
{
  gst_element_set_state (pipeline->pipeline, GST_STATE_NULL);
  g_clear_object (&pipeline->sink);
  g_clear_object (&pipeline->pipeline);
}

static gboolean
wait_frames (RelaisVideoPaintable *paintable,
             guint64               frames,
             guint                 timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (relais_video_paintable_get_frames (paintable) < frames)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

static void
count_cb (GdkPaintable *paintable,
          guint        *count)
{
  (*count)++;
}

static void
test_frames_arrive (void)
{
  Pipeline pipeline = { NULL, };
  g_autoptr(RelaisVideoPaintable) paintable = NULL;
  g_autoptr(GdkPaintable) image = NULL;
  g_autofree guchar *pixels = NULL;
  guint sizes = 0;
  guint contents = 0;

  pipeline_start (&pipeline, "video/x-raw,width=320,height=240,framerate=60/1", 1000);
  paintable = relais_video_paintable_new (pipeline.sink);
  g_signal_connect (paintable, "invalidate-size", G_CALLBACK (count_cb), &sizes);
  g_signal_connect (paintable, "invalidate-contents", G_CALLBACK (count_cb), &contents);

  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 0);
  pipeline_play (&pipeline);
  g_assert_true (wait_frames (paintable, 10, 10000));

  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 320);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (paintable)), ==, 240);
  g_assert_cmpfloat_with_epsilon (gdk_paintable_get_intrinsic_aspect_ratio (GDK_PAINTABLE (paintable)),
                                  4.0 / 3.0, 0.001);
  /* The size is told once, the contents at every frame shown. */
  g_assert_cmpuint (sizes, ==, 1);
  g_assert_cmpuint (contents, >=, 10);

  /* The SMPTE pattern's first bar is light grey, opaque. */
  image = gdk_paintable_get_current_image (GDK_PAINTABLE (paintable));
  g_assert_true (GDK_IS_TEXTURE (image));
  pixels = g_malloc (320 * 240 * 4);
  gdk_texture_download (GDK_TEXTURE (image), pixels, 320 * 4);
  g_assert_cmpuint (pixels[3], ==, 255);
  g_assert_cmpuint (pixels[0], >, 150);

  /* The call ends: the pipeline goes first, then the paintable lets go;
   * the last frame (it may show a person) goes too. */
  pipeline_stop (&pipeline);
  relais_video_paintable_set_sink (paintable, NULL);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 0);
  g_assert_cmpuint (relais_video_paintable_get_frames (paintable), ==, 0);

  g_clear_object (&image);
  g_assert_finalize_object (g_steal_pointer (&paintable));
}

static void
test_stride (void)
{
  Pipeline pipeline = { NULL, };
  g_autoptr(RelaisVideoPaintable) paintable = NULL;
  g_autoptr(GdkPaintable) image = NULL;

  /* RGB at an odd width: rows are padded to 4 bytes, so the stride is
   * not width × 3. */
  pipeline_start (&pipeline, "video/x-raw,format=RGB,width=321,height=181,framerate=60/1", 1000);
  paintable = relais_video_paintable_new (pipeline.sink);
  pipeline_play (&pipeline);
  g_assert_true (wait_frames (paintable, 3, 10000));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 321);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (paintable)), ==, 181);
  image = gdk_paintable_get_current_image (GDK_PAINTABLE (paintable));
  g_assert_cmpint (gdk_texture_get_width (GDK_TEXTURE (image)), ==, 321);

  pipeline_stop (&pipeline);
  g_clear_object (&image);
  g_assert_finalize_object (g_steal_pointer (&paintable));
}

static void
test_paintable_goes_first (void)
{
  Pipeline pipeline = { NULL, };
  RelaisVideoPaintable *paintable;

  /* The page goes away while frames are still coming: the streaming
   * thread must not reach the freed paintable. */
  pipeline_start (&pipeline, "video/x-raw,width=160,height=120,framerate=120/1", 100000);
  paintable = relais_video_paintable_new (pipeline.sink);
  pipeline_play (&pipeline);
  g_assert_true (wait_frames (paintable, 2, 10000));
  g_assert_finalize_object (paintable);

  /* Frames keep flowing into the appsink with nobody to take them. */
  for (int i = 0; i < 100; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  pipeline_stop (&pipeline);
}

static void
test_sink_goes_first (void)
{
  Pipeline pipeline = { NULL, };
  g_autoptr(RelaisVideoPaintable) paintable = NULL;

  /* The call tears its pipeline down while the paintable still shows it;
   * hops already queued to the main context run after the pipeline is
   * gone. */
  pipeline_start (&pipeline, "video/x-raw,width=160,height=120,framerate=120/1", 100000);
  paintable = relais_video_paintable_new (pipeline.sink);
  pipeline_play (&pipeline);
  g_assert_true (wait_frames (paintable, 2, 10000));
  pipeline_stop (&pipeline);

  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  g_assert_finalize_object (g_steal_pointer (&paintable));
}

static void
test_switch_sink (void)
{
  Pipeline first = { NULL, };
  Pipeline second = { NULL, };
  g_autoptr(RelaisVideoPaintable) paintable = NULL;
  guint sizes = 0;

  pipeline_start (&first, "video/x-raw,width=160,height=120,framerate=60/1", 100000);
  pipeline_start (&second, "video/x-raw,width=64,height=48,framerate=60/1", 100000);
  paintable = relais_video_paintable_new (first.sink);
  g_signal_connect (paintable, "invalidate-size", G_CALLBACK (count_cb), &sizes);
  pipeline_play (&first);
  pipeline_play (&second);
  g_assert_true (wait_frames (paintable, 2, 10000));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 160);

  relais_video_paintable_set_sink (paintable, second.sink);
  g_assert_true (wait_frames (paintable, 2, 10000));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 64);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (paintable)), ==, 48);
  /* 160×120, nothing, 64×48. */
  g_assert_cmpuint (sizes, ==, 3);

  pipeline_stop (&first);
  pipeline_stop (&second);
  g_assert_finalize_object (g_steal_pointer (&paintable));
}

static void
test_in_a_window (void)
{
  Pipeline pipeline = { NULL, };
  g_autoptr(RelaisVideoPaintable) paintable = NULL;
  GtkWidget *window;
  GtkWidget *picture;

  /* Drawn by GTK for real, letterboxed in a wide window. */
  pipeline_start (&pipeline, "video/x-raw,width=320,height=240,framerate=30/1", 100000);
  paintable = relais_video_paintable_new (pipeline.sink);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 240);
  picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (paintable));
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_FILL);
  gtk_window_set_child (GTK_WINDOW (window), picture);
  gtk_window_present (GTK_WINDOW (window));

  pipeline_play (&pipeline);
  g_assert_true (wait_frames (paintable, 15, 10000));

  pipeline_stop (&pipeline);
  gtk_window_destroy (GTK_WINDOW (window));
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (g_steal_pointer (&paintable));
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/video-paintable/frames-arrive", test_frames_arrive);
  g_test_add_func ("/video-paintable/stride", test_stride);
  g_test_add_func ("/video-paintable/paintable-goes-first", test_paintable_goes_first);
  g_test_add_func ("/video-paintable/sink-goes-first", test_sink_goes_first);
  g_test_add_func ("/video-paintable/switch-sink", test_switch_sink);
  g_test_add_func ("/video-paintable/in-a-window", test_in_a_window);

  return g_test_run ();
}
