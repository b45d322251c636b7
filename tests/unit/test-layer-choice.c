/* test-layer-choice.c: which simulcast layer of the advisor's picture the
 * kiosk asks for, from what its downlink delivers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "relais-layer-choice.h"

/* Feeds one second: @got packets received, @lost lost. */
static gboolean
second (RelaisLayerChoice *choice,
        guint64           *received,
        gint64            *lost,
        guint              got,
        guint              missed)
{
  *received += got;
  *lost += missed;
  return relais_layer_choice_tick (choice, *received, *lost);
}

/* A thin downlink: the middle layer loses, the kiosk steps down at once
 * and stays at the smallest. */
static void
test_thin (void)
{
  RelaisLayerChoice choice;
  guint64 received = 0;
  gint64 lost = 0;

  relais_layer_choice_init (&choice);
  g_assert_cmpint (choice.substream, ==, RELAIS_LAYER_MEDIUM);
  g_assert_false (second (&choice, &received, &lost, 0, 0));   /* first counts */
  g_assert_true (second (&choice, &received, &lost, 80, 20));  /* 20 % lost */
  g_assert_cmpint (choice.substream, ==, RELAIS_LAYER_LOW);
  g_assert_false (second (&choice, &received, &lost, 80, 20));
  g_assert_cmpint (choice.substream, ==, RELAIS_LAYER_LOW);
}

/* A clean downlink: a layer up after 5 clean seconds, and again. */
static void
test_clean_goes_up (void)
{
  RelaisLayerChoice choice;
  guint64 received = 0;
  gint64 lost = 0;
  guint seconds = 0;

  relais_layer_choice_init (&choice);
  second (&choice, &received, &lost, 0, 0);
  while (!second (&choice, &received, &lost, 100, 0))
    seconds++;
  g_assert_cmpuint (seconds + 1, ==, 5);
  g_assert_cmpint (choice.substream, ==, RELAIS_LAYER_HIGH);
  /* The top: nothing more. */
  for (guint i = 0; i < 30; i++)
    g_assert_false (second (&choice, &received, &lost, 100, 0));
}

/* A try up that loses: back down, and the next try waits twice as long. */
static void
test_failed_try_backs_off (void)
{
  RelaisLayerChoice choice;
  guint64 received = 0;
  gint64 lost = 0;
  guint seconds = 0;

  relais_layer_choice_init (&choice);
  second (&choice, &received, &lost, 0, 0);
  g_assert_true (second (&choice, &received, &lost, 50, 50));
  g_assert_cmpint (choice.substream, ==, RELAIS_LAYER_LOW);
  while (!second (&choice, &received, &lost, 100, 0))
    seconds++;
  g_assert_cmpuint (seconds + 1, ==, 10);
  g_assert_cmpint (choice.substream, ==, RELAIS_LAYER_MEDIUM);
  /* Some loss (between 1 and 5 %) holds the layer without a clean run. */
  for (guint i = 0; i < 30; i++)
    g_assert_false (second (&choice, &received, &lost, 97, 3));
  g_assert_cmpint (choice.substream, ==, RELAIS_LAYER_MEDIUM);
}

/* Nothing at all is a cut, not a thin link; a new call's counters start
 * again from nothing. */
static void
test_cut_and_new_call (void)
{
  RelaisLayerChoice choice;
  guint64 received = 0;
  gint64 lost = 0;

  relais_layer_choice_init (&choice);
  second (&choice, &received, &lost, 0, 0);
  for (guint i = 0; i < 10; i++)
    g_assert_false (second (&choice, &received, &lost, 0, 0));
  g_assert_cmpint (choice.substream, ==, RELAIS_LAYER_MEDIUM);
  g_assert_false (relais_layer_choice_tick (&choice, 10, 0));
  g_assert_false (relais_layer_choice_tick (&choice, 5, 0));   /* smaller: a new call */
  g_assert_cmpint (choice.substream, ==, RELAIS_LAYER_MEDIUM);
}

static void
test_video_mids (void)
{
  const char *sdp =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:v3\r\n";
  g_auto(GStrv) mids = relais_layer_choice_video_mids (sdp);
  g_auto(GStrv) none = relais_layer_choice_video_mids ("v=0\r\n");

  g_assert_nonnull (mids);
  g_assert_cmpuint (g_strv_length (mids), ==, 2);
  g_assert_cmpstr (mids[0], ==, "1");
  g_assert_cmpstr (mids[1], ==, "v3");
  g_assert_true (none == NULL || none[0] == NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/layer-choice/thin", test_thin);
  g_test_add_func ("/layer-choice/clean-goes-up", test_clean_goes_up);
  g_test_add_func ("/layer-choice/failed-try-backs-off", test_failed_try_backs_off);
  g_test_add_func ("/layer-choice/cut-and-new-call", test_cut_and_new_call);
  g_test_add_func ("/layer-choice/video-mids", test_video_mids);
  return g_test_run ();
}
