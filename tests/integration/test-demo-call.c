/* test-demo-call.c: a whole call between the kiosk's RelaisCall and the
 * embedded demo advisor, in one process: media both ways, chat both ways,
 * statistics, hang-up, and no leaked reference.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "relais-call.h"
#include "relais-demo-advisor.h"


/* AddressSanitizer builds run several times slower, and this test's
 * process also unwinds the stack of every malloc there (LSAN_OPTIONS in
 * meson.build): a call takes 1-3 s to set up, up to 10 s on a loaded
 * two-core machine. Scale the waits as meson's --timeout-multiplier 3
 * scales the test's own limit. */
#ifdef __SANITIZE_ADDRESS__
#define TIME_SCALE 3
#else
#define TIME_SCALE 1
#endif
#define TIMEOUT_MS (10000 * TIME_SCALE)

typedef struct
{
  RelaisCall        *call;
  RelaisDemoAdvisor *advisor;
  GPtrArray         *call_messages;
  GPtrArray         *advisor_messages;
  gint               remote_frames;      /* atomic: counted on the appsink's thread */
  gint64             first_frame_time;   /* under lock */
  GMutex             lock;
} Fixture;

static GstFlowReturn
new_sample_cb (GstAppSink *sink,
               gpointer    user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);

  if (sample == NULL)
    return GST_FLOW_OK;

  g_mutex_lock (&fixture->lock);
  if (fixture->first_frame_time == 0)
    fixture->first_frame_time = g_get_monotonic_time ();
  g_mutex_unlock (&fixture->lock);
  g_atomic_int_inc (&fixture->remote_frames);

  return GST_FLOW_OK;
}

static void
call_message_cb (RelaisCall *call,
                 const char *text,
                 Fixture    *fixture)
{
  g_test_message ("kiosk got: %s", text);
  g_ptr_array_add (fixture->call_messages, g_strdup (text));
}

static void
advisor_message_cb (RelaisDemoAdvisor *advisor,
                    const char        *text,
                    Fixture           *fixture)
{
  g_ptr_array_add (fixture->advisor_messages, g_strdup (text));
}

/* A kiosk's main context under load is never idle during a call: GTK's
 * frame clock lays out and paints at G_PRIORITY_HIGH_IDLE + 20 frame after
 * frame. Play that part for the whole call, so that what the call and the
 * advisor queue at an idle priority waits as long as it would there (the
 * chat once did: "Data channel open", video both ways, no message). */
#define BUSY_UI_PRIORITY (G_PRIORITY_HIGH_IDLE + 20)

static gboolean
busy_ui_cb (gpointer user_data)
{
  g_usleep (2000);
  return G_SOURCE_CONTINUE;
}

static gboolean
wake_up_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (Fixture *fixture);

/* Iterates the main context until the condition holds or the time is up;
 * a periodic wake-up re-checks what streaming threads changed. */
static gboolean
wait_for (Fixture   *fixture,
          Condition  condition,
          guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint wake_up = g_timeout_add (20, wake_up_cb, NULL);
  gboolean done;

  while (!(done = condition (fixture)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake_up);
  return done;
}

static gboolean
is_connected (Fixture *fixture)
{
  return relais_call_get_state (fixture->call) == RELAIS_CALL_CONNECTED ||
         relais_call_get_state (fixture->call) == RELAIS_CALL_FAILED;
}

static gboolean
has_first_frame (Fixture *fixture)
{
  gboolean seen;

  g_mutex_lock (&fixture->lock);
  seen = fixture->first_frame_time != 0;
  g_mutex_unlock (&fixture->lock);
  return seen;
}

static gboolean
has_frames_both_ways (Fixture *fixture)
{
  return g_atomic_int_get (&fixture->remote_frames) >= 30 &&
         relais_demo_advisor_get_frames_received (fixture->advisor) >= 30;
}

static gboolean
has_greeting (Fixture *fixture)
{
  return fixture->call_messages->len >= 1;
}

static gboolean
has_reply (Fixture *fixture)
{
  return fixture->advisor_messages->len >= 1 && fixture->call_messages->len >= 2;
}

/* The statistics are sampled once a second: wait for a sample taken after
 * the frames counted above, not one from the first moments of the call. */
static gboolean
has_rates (Fixture *fixture)
{
  RelaisCallStats stats;

  relais_call_get_stats (fixture->call, &stats);
  return stats.kbps_in > 0 && stats.kbps_out > 0 && stats.fps_in > 0 &&
         stats.frames_received >= 30 && stats.frames_sent >= 30;
}

static gboolean
has_mic_level (Fixture *fixture)
{
  return relais_call_get_mic_level (fixture->call) > -90.0;
}

static gboolean
never (Fixture *fixture)
{
  return FALSE;
}

static void
run_demo_call (gboolean write_first)
{
  RelaisCallOptions options;
  RelaisCallStats stats;
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0, };
  GstAppSinkCallbacks callbacks = { .new_sample = new_sample_cb };
  gint64 offer_time;
  gint64 first_frame_ms;
  guint busy_ui;

  g_mutex_init (&fixture.lock);
  fixture.call_messages = g_ptr_array_new_with_free_func (g_free);
  fixture.advisor_messages = g_ptr_array_new_with_free_func (g_free);

  relais_call_options_init (&options);
  options.video_device = g_strdup ("test");
  options.audio_device = g_strdup ("test");
  /* Small pictures: the two encoders and decoders share two cores, under
   * ASan too. */
  options.width = 320;
  options.height = 240;
  fixture.call = relais_call_new (&options, &error);
  relais_call_options_clear (&options);
  g_assert_no_error (error);
  g_assert_nonnull (fixture.call);
  g_assert_true (relais_call_is_video_simulated (fixture.call));
  g_assert_true (relais_call_is_audio_simulated (fixture.call));

  gst_app_sink_set_callbacks (GST_APP_SINK (relais_call_get_remote_video_sink (fixture.call)),
                              &callbacks, &fixture, NULL);
  g_signal_connect (fixture.call, "message-received", G_CALLBACK (call_message_cb), &fixture);

  g_assert_true (relais_call_start_preview (fixture.call, &error));
  g_assert_no_error (error);
  g_assert_cmpint (relais_call_get_state (fixture.call), ==, RELAIS_CALL_PREVIEW);

  busy_ui = g_idle_add_full (BUSY_UI_PRIORITY, busy_ui_cb, NULL, NULL);

  fixture.advisor = relais_demo_advisor_new ();
  g_object_set (fixture.advisor, "width", 320, "height", 240, NULL);
  g_signal_connect (fixture.advisor, "message-received", G_CALLBACK (advisor_message_cb), &fixture);

  offer_time = g_get_monotonic_time ();
  g_assert_true (relais_demo_advisor_connect (fixture.advisor, fixture.call, &error));
  g_assert_no_error (error);
  g_assert_cmpint (relais_call_get_state (fixture.call), ==, RELAIS_CALL_CONNECTING);

  /* The person may write before the channel is open (the kiosk's UI
   * allows it as soon as the call page shows): queued, sent on opening. */
  if (write_first)
    {
      g_assert_true (relais_call_send_message (fixture.call, "Bonjour, j’ai une question.", &error));
      g_assert_no_error (error);
    }

  g_assert_true (wait_for (&fixture, is_connected, TIMEOUT_MS));
  g_assert_cmpstr (relais_call_get_failure (fixture.call), ==, NULL);
  g_assert_cmpint (relais_call_get_state (fixture.call), ==, RELAIS_CALL_CONNECTED);

  /* CONNECTED comes from the appsink's pad; the sample is pulled just after. */
  g_assert_true (wait_for (&fixture, has_first_frame, TIMEOUT_MS));
  g_mutex_lock (&fixture.lock);
  first_frame_ms = (fixture.first_frame_time - offer_time) / 1000;
  g_mutex_unlock (&fixture.lock);
  g_test_message ("offer to first remote frame: %" G_GINT64_FORMAT " ms", first_frame_ms);

  g_assert_true (wait_for (&fixture, has_frames_both_ways, TIMEOUT_MS));

  /* The bot greets once the channel is open, then answers each message. */
  g_assert_true (wait_for (&fixture, has_greeting, TIMEOUT_MS));
  if (!write_first)
    {
      g_assert_true (relais_call_send_message (fixture.call, "Bonjour, j’ai une question.", &error));
      g_assert_no_error (error);
    }
  g_assert_true (wait_for (&fixture, has_reply, TIMEOUT_MS));
  g_assert_cmpstr (g_ptr_array_index (fixture.advisor_messages, 0), ==, "Bonjour, j’ai une question.");
  /* The greeting and the reply, in whichever order they crossed the
   * person's message. */
  g_assert_nonnull (strstr (g_ptr_array_index (fixture.call_messages, 0), "démonstration"));
  g_assert_nonnull (strstr (g_ptr_array_index (fixture.call_messages, 1), "démonstration"));

  /* Over 64 KiB is refused at once, not queued. */
  {
    g_autofree char *huge = g_strnfill (64 * 1024 + 1, 'a');

    g_assert_false (relais_call_send_message (fixture.call, huge, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  g_assert_true (wait_for (&fixture, has_rates, 5000 * TIME_SCALE));
  relais_call_get_stats (fixture.call, &stats);
  g_test_message ("stats: in %.0f kbit/s, out %.0f kbit/s, %.1f fps in, %.1f fps out, "
                  "rtt %.1f ms, jitter %.1f ms, lost %" G_GINT64_FORMAT,
                  stats.kbps_in, stats.kbps_out, stats.fps_in, stats.fps_out,
                  stats.rtt_ms, stats.jitter_ms, stats.packets_lost);
  g_assert_cmpuint (stats.frames_received, >=, 30);
  g_assert_cmpuint (stats.frames_sent, >=, 30);

  g_assert_true (wait_for (&fixture, has_mic_level, 2000 * TIME_SCALE));

  g_source_remove (busy_ui);

  relais_call_hang_up (fixture.call);
  g_assert_cmpint (relais_call_get_state (fixture.call), ==, RELAIS_CALL_ENDED);
  relais_call_hang_up (fixture.call);
  g_assert_cmpint (relais_call_get_state (fixture.call), ==, RELAIS_CALL_ENDED);

  /* Let the callbacks already queued by streaming threads run: each holds
   * a reference until then. */
  wait_for (&fixture, never, 300);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_finalize_object (fixture.advisor);
  g_assert_finalize_object (fixture.call);
  g_ptr_array_unref (fixture.call_messages);
  g_ptr_array_unref (fixture.advisor_messages);
  g_mutex_clear (&fixture.lock);
}

static void
test_demo_call (void)
{
  run_demo_call (FALSE);
}

static void
test_demo_call_write_first (void)
{
  run_demo_call (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/demo-call/full", test_demo_call);
  g_test_add_func ("/demo-call/write-first", test_demo_call_write_first);

  ret = g_test_run ();
  gst_deinit ();
  return ret;
}
