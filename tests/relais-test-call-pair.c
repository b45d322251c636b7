/* relais-test-call-pair.c: two RelaisCalls back to back (test-transfer
 * and test-dossier)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-test"

#include "config.h"

#include <string.h>

#include "relais-test-call-pair.h"

typedef struct
{
  RelaisCall *call;
  guint       peer;
  gboolean    remote_set;     /* candidates wait for the remote description */
  GPtrArray  *pending;        /* "mline\ncandidate" */
  gpointer    other;          /* Side * */
} Side;

struct _RelaisTestCallPair
{
  Side a;   /* offerer */
  Side b;   /* answerer */
};

RelaisCall *
relais_test_call_new (void)
{
  RelaisCallOptions options;
  g_autoptr(GError) error = NULL;
  RelaisCall *call;

  relais_call_options_init (&options);
  options.video_device = g_strdup ("test");
  options.audio_device = g_strdup ("test");
  options.width = 160;
  options.height = 120;
  options.framerate = 10;
  call = relais_call_new (&options, &error);
  relais_call_options_clear (&options);
  g_assert_no_error (error);
  relais_call_set_video_output (call, FALSE);
  g_assert_true (relais_call_start_preview (call, &error));
  g_assert_no_error (error);
  return call;
}

static void
flush_candidates (Side *side)
{
  for (guint i = 0; i < side->pending->len; i++)
    {
      const char *entry = g_ptr_array_index (side->pending, i);
      const char *newline = strchr (entry, '\n');

      relais_call_add_remote_candidate (side->call, side->peer,
                                        (guint) g_ascii_strtoull (entry, NULL, 10), newline + 1);
    }
  g_ptr_array_set_size (side->pending, 0);
}

static void
description_cb (RelaisCall *call,
                guint       peer,
                const char *type,
                const char *sdp,
                Side       *side)
{
  Side *other = side->other;
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_call_set_remote_description (other->call, other->peer, type, sdp, &error));
  g_assert_no_error (error);
  if (g_str_equal (type, "answer"))
    {
      /* The answerer has its remote description; the offerer now too. */
      side->remote_set = TRUE;
      other->remote_set = TRUE;
      flush_candidates (side);
      flush_candidates (other);
    }
}

static void
candidate_cb (RelaisCall *call,
              guint       peer,
              guint       mline,
              const char *candidate,
              Side       *side)
{
  Side *other = side->other;

  if (candidate == NULL)
    return;
  g_ptr_array_add (other->pending, g_strdup_printf ("%u\n%s", mline, candidate));
  if (other->remote_set)
    flush_candidates (other);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
relais_test_call_pair_wait (const gboolean *flag,
                            guint           seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  guint wake = g_timeout_add (50, wake_cb, NULL);

  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return *flag;
}

static void
state_cb (RelaisCall *call,
          GParamSpec *pspec,
          gboolean   *connected)
{
  if (relais_call_get_state (call) == RELAIS_CALL_CONNECTED)
    *connected = TRUE;
}

RelaisTestCallPair *
relais_test_call_pair_new (void)
{
  return relais_test_call_pair_new_full (NULL, NULL);
}

RelaisTestCallPair *
relais_test_call_pair_new_full (RelaisTestCallPairHook before_offer,
                                gpointer               user_data)
{
  static const char * const loopback[] = { "127.0.0.1", NULL };
  RelaisTestCallPair *pair = g_new0 (RelaisTestCallPair, 1);
  g_autoptr(GError) error = NULL;
  gboolean a_connected = FALSE;
  gboolean b_connected = FALSE;
  gulong a_state, b_state;

  pair->a.call = relais_test_call_new ();
  pair->b.call = relais_test_call_new ();
  pair->a.other = &pair->b;
  pair->b.other = &pair->a;
  pair->a.pending = g_ptr_array_new_with_free_func (g_free);
  pair->b.pending = g_ptr_array_new_with_free_func (g_free);

  relais_call_set_local_addresses (pair->a.call, loopback);
  relais_call_set_local_addresses (pair->b.call, loopback);
  pair->a.peer = relais_call_add_peer (pair->a.call, "sendrecv", &error);
  g_assert_no_error (error);
  pair->b.peer = relais_call_add_peer (pair->b.call, "sendrecv", &error);
  g_assert_no_error (error);

  g_signal_connect (pair->a.call, "local-description", G_CALLBACK (description_cb), &pair->a);
  g_signal_connect (pair->b.call, "local-description", G_CALLBACK (description_cb), &pair->b);
  g_signal_connect (pair->a.call, "local-candidate", G_CALLBACK (candidate_cb), &pair->a);
  g_signal_connect (pair->b.call, "local-candidate", G_CALLBACK (candidate_cb), &pair->b);
  a_state = g_signal_connect (pair->a.call, "notify::state", G_CALLBACK (state_cb), &a_connected);
  b_state = g_signal_connect (pair->b.call, "notify::state", G_CALLBACK (state_cb), &b_connected);

  if (before_offer != NULL)
    before_offer (pair->a.call, pair->b.call, user_data);
  relais_call_create_offer (pair->a.call, pair->a.peer);
  g_assert_true (relais_test_call_pair_wait (&a_connected, 30));
  g_assert_true (relais_test_call_pair_wait (&b_connected, 30));
  g_signal_handler_disconnect (pair->a.call, a_state);
  g_signal_handler_disconnect (pair->b.call, b_state);
  /* Let both data channels settle: webrtcbin's SCTP elements now and then
   * fail ("Internal data stream error") on a message sent within
   * milliseconds of the answerer's channel opening (about one run in
   * seven here). A kiosk's first document comes seconds into a call. */
  {
    gboolean never = FALSE;

    relais_test_call_pair_wait (&never, 1);
  }
  return pair;
}

void
relais_test_call_pair_free (RelaisTestCallPair *pair)
{
  g_signal_handlers_disconnect_by_data (pair->a.call, &pair->a);
  g_signal_handlers_disconnect_by_data (pair->b.call, &pair->b);
  relais_call_hang_up (pair->a.call);
  relais_call_hang_up (pair->b.call);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (pair->a.call);
  g_assert_finalize_object (pair->b.call);
  g_ptr_array_unref (pair->a.pending);
  g_ptr_array_unref (pair->b.pending);
  g_free (pair);
}

RelaisCall *
relais_test_call_pair_get_a (RelaisTestCallPair *pair)
{
  return (pair)->a.call;
}

RelaisCall *
relais_test_call_pair_get_b (RelaisTestCallPair *pair)
{
  return (pair)->b.call;
}
