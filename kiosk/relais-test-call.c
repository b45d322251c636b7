/* relais-test-call.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * `relais-kiosk --test-call`: the kiosk's call path without a window. It
 * joins a Janus VideoRoom as a publisher (camera and microphone, or test
 * sources when absent), subscribes with one multistream handle to every
 * other publisher, runs for --duration seconds, leaves and prints one JSON
 * object of measurements. No GTK is initialised: it runs with no display.
 */
#define G_LOG_DOMAIN "relais-test-call"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "relais-call.h"
#include "relais-config.h"
#include "relais-error.h"
#include "relais-http-client.h"
#include "relais-janus.h"
#include "relais-test-call.h"

#define DEFAULT_DURATION_S   20
#define DEFAULT_ROOM         1234
#define STATS_INTERVAL_MS    1000
/* Leaving and destroying the session get this long; then we go anyway: a
 * test call never hangs on a gateway that went away. */
#define SHUTDOWN_MAX_MS      5000
#define ROOM_MAX_PUBLISHERS  16

typedef struct
{
  /* Options */
  char             *config_path;
  char             *janus_url;
  gint64            room;
  char             *pin;
  int               duration_s;
  char             *display;
  gboolean          create_room;
  char             *ice_address;

  GMainLoop        *loop;
  GMainContext     *context;
  RelaisConfig     *config;
  RelaisHttpClient *http;
  RelaisJanus      *janus;
  /* Bumped whenever what an answer was for is gone (session lost, end):
   * answers of an older generation are dropped. */
  guint             generation;

  RelaisCall       *call;
  guint             send_peer;
  guint             recv_peer;
  guint64           pub_handle;
  guint64           sub_handle;
  gboolean          joined;

  /* The subscription: one multistream handle; one renegotiation at a time. */
  GHashTable       *wanted;          /* guint64 feed → itself: publishing now */
  GHashTable       *subscribed;      /* guint64 feed: what we asked Janus for */
  GHashTable       *seen;            /* guint64 feed: every remote publisher seen */
  gboolean          sub_busy;
  JsonNode         *sub_offer;       /* Janus's latest offer, not answered yet */

  /* Measurements */
  gint64            started_at;
  gint64            join_request_at;
  gint64            subscribe_request_at;
  gint              first_frame_flag;  /* atomic: a streaming thread sets it */
  gint64            first_frame_at;
  gint64            ended_at;
  GstPad           *probe_pad;
  gulong            probe_id;
  guint64           frames_sent_before;     /* of calls dropped after "lost" */
  guint64           frames_received_before;
  double            kbps_in_sum;
  double            kbps_out_sum;
  guint             kbps_samples;
  double            rtt_ms;
  gint64            packets_lost;
  guint             lost_count;
  guint             reconnect_count;
  gboolean          session_down;

  guint             duration_source;
  guint             stats_source;
  guint             shutdown_source;
  guint             sigint_source;
  guint             sigterm_source;
  gboolean          ending;
  gboolean          finished;
  char             *error;            /* the first fatal problem, in French */
  int               exit_status;
} TestCall;

/* What each asynchronous request carries back. */
typedef struct
{
  TestCall *tc;
  guint     generation;
} Request;

static void begin_shutdown (TestCall *tc);
static void sub_kick       (TestCall *tc);
static void begin_session  (TestCall *tc);

/* ---- helpers ------------------------------------------------------------ */

static Request *
request_new (TestCall *tc)
{
  Request *req = g_new (Request, 1);

  req->tc = tc;
  req->generation = tc->generation;
  return req;
}

/* Frees @user_data; returns the TestCall when the answer still matters. */
static TestCall *
request_take (gpointer user_data)
{
  Request *req = user_data;
  TestCall *tc = req->tc;
  gboolean current = req->generation == tc->generation && !tc->finished;

  g_free (req);
  return current ? tc : NULL;
}

static void
fatal (TestCall   *tc,
       const char *message)
{
  if (tc->error == NULL)
    tc->error = g_strdup (message);
  begin_shutdown (tc);
}

/* A failed request: quiet when the session is being lost or we are
 * leaving (the "lost" handler speaks for it), fatal otherwise. */
static void
request_failed (TestCall   *tc,
                GError     *error,
                const char *what)
{
  g_debug ("%s failed: %s", what, error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || tc->ending ||
      tc->session_down || relais_janus_get_state (tc->janus) != RELAIS_JANUS_STATE_CONNECTED)
    return;
  fatal (tc, error->message);
}

static JsonNode *
make_jsep (const char *type,
           const char *sdp)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "sdp");
  json_builder_add_string_value (builder, sdp);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static guint64 *
feed_key (guint64 id)
{
  guint64 *key = g_new (guint64, 1);

  *key = id;
  return key;
}

static GHashTable *
feed_set_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

static void
feed_set_add (GHashTable *set,
              guint64     id)
{
  g_hash_table_add (set, feed_key (id));
}

/* The feeds of @a that are not in @b. */
static GArray *
feed_set_minus (GHashTable *a,
                GHashTable *b)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint64));
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (b, key))
      g_array_append_val (out, *(guint64 *) key);
  return out;
}

/* ---- the media ---------------------------------------------------------- */

typedef struct
{
  TestCall *tc;
  gint64    at;
} FirstFrame;

static gboolean
first_frame_cb (gpointer data)
{
  FirstFrame *ff = data;
  TestCall *tc = ff->tc;

  tc->first_frame_at = ff->at;
  if (tc->join_request_at != 0)
    g_debug ("First remote frame %.0f ms after the join request",
             (ff->at - tc->join_request_at) / 1000.0);
  return G_SOURCE_REMOVE;
}

/* On a streaming thread: note the time, hop to the main context. */
static GstPadProbeReturn
remote_frame_probe_cb (GstPad          *pad,
                       GstPadProbeInfo *info,
                       gpointer         user_data)
{
  TestCall *tc = user_data;

  if (g_atomic_int_compare_and_exchange (&tc->first_frame_flag, 0, 1))
    {
      FirstFrame *ff = g_new (FirstFrame, 1);

      ff->tc = tc;
      ff->at = g_get_monotonic_time ();
      g_main_context_invoke_full (tc->context, G_PRIORITY_DEFAULT, first_frame_cb, ff, g_free);
    }
  return GST_PAD_PROBE_OK;
}

static void
sample_stats (TestCall *tc)
{
  RelaisCallStats stats;

  if (tc->call == NULL)
    return;

  relais_call_get_stats (tc->call, &stats);
  if (tc->first_frame_at != 0)
    {
      tc->kbps_in_sum += stats.kbps_in;
      tc->kbps_out_sum += stats.kbps_out;
      tc->kbps_samples++;
    }
  if (stats.rtt_ms > 0)
    tc->rtt_ms = stats.rtt_ms;
  tc->packets_lost = MAX (tc->packets_lost, stats.packets_lost);
}

static gboolean
stats_tick_cb (gpointer user_data)
{
  sample_stats (user_data);
  return G_SOURCE_CONTINUE;
}

/* Ends the call (its webrtcbins belong to a session that may be gone),
 * keeping its frame counts. */
static void
drop_call (TestCall *tc)
{
  g_autoptr(RelaisCall) call = g_steal_pointer (&tc->call);
  RelaisCallStats stats;

  if (call == NULL)
    return;

  relais_call_get_stats (call, &stats);
  tc->frames_sent_before += stats.frames_sent;
  tc->frames_received_before += stats.frames_received;
  g_signal_handlers_disconnect_by_data (call, tc);
  if (tc->probe_pad != NULL)
    {
      gst_pad_remove_probe (tc->probe_pad, tc->probe_id);
      gst_clear_object (&tc->probe_pad);
      tc->probe_id = 0;
    }
  relais_call_hang_up (call);
  tc->send_peer = 0;
  tc->recv_peer = 0;
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;

  relais_janus_videoroom_start_finish (RELAIS_JANUS (object), result, &error);
  if (tc == NULL)
    return;

  /* Janus refuses an answer to an offer it has replaced meanwhile (a
   * publisher leaving: "469 Unexpected ANSWER"); the newer offer is on its
   * way, answering that one is what counts. */
  if (error != NULL)
    g_debug ("Answer to the subscription refused: %s", error->message);
  tc->sub_busy = FALSE;
  sub_kick (tc);
}

static void
publish_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  const char *sdp;

  answer = relais_janus_videoroom_publish_finish (RELAIS_JANUS (object), result, &error);
  if (tc == NULL)
    return;
  if (answer == NULL)
    {
      request_failed (tc, error, "Publishing");
      return;
    }

  sdp = JSON_NODE_HOLDS_OBJECT (answer)
        ? json_object_get_string_member_with_default (json_node_get_object (answer), "sdp", NULL)
        : NULL;
  if (sdp == NULL || tc->call == NULL ||
      !relais_call_set_remote_description (tc->call, tc->send_peer, "answer", sdp, &error))
    {
      fatal (tc, error != NULL ? error->message
                               : _("Le serveur de visio a envoyé une réponse illisible."));
      return;
    }
  g_debug ("Publishing: answer applied");
}

static void
call_local_description_cb (RelaisCall *call,
                           guint       peer,
                           const char *type,
                           const char *sdp,
                           TestCall   *tc)
{
  g_autoptr(JsonNode) jsep = make_jsep (type, sdp);

  if (tc->ending || tc->session_down)
    return;

  if (peer == tc->send_peer && g_str_equal (type, "offer"))
    {
      relais_janus_videoroom_publish_async (tc->janus, tc->pub_handle, jsep, TRUE, TRUE, TRUE,
                                            NULL, publish_cb, request_new (tc));
    }
  else if (peer == tc->recv_peer && g_str_equal (type, "answer") && tc->sub_handle != 0)
    {
      relais_janus_videoroom_start_async (tc->janus, tc->sub_handle, jsep,
                                          NULL, start_cb, request_new (tc));
    }
}

static void
trickle_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!relais_janus_trickle_finish (RELAIS_JANUS (object), result, &error))
    g_debug ("Trickle failed: %s", error->message);
}

static void
call_local_candidate_cb (RelaisCall *call,
                         guint       peer,
                         guint       mline,
                         const char *candidate,
                         TestCall   *tc)
{
  guint64 handle = 0;

  if (tc->ending || tc->session_down)
    return;
  if (peer == tc->send_peer)
    handle = tc->pub_handle;
  else if (peer == tc->recv_peer)
    handle = tc->sub_handle;
  if (handle == 0)
    return;

  relais_janus_trickle_async (tc->janus, handle, mline, candidate, NULL, trickle_cb, NULL);
}

static void
call_state_cb (RelaisCall *call,
               GParamSpec *pspec,
               TestCall   *tc)
{
  RelaisCallState state = relais_call_get_state (call);

  g_debug ("Call state %d", state);
  if (state != RELAIS_CALL_FAILED || tc->ending || tc->session_down)
    return;

  /* A gateway that died takes ICE down with it: "lost" tells that better
   * (and rejoins) when the session is what failed. */
  if (relais_janus_get_state (tc->janus) != RELAIS_JANUS_STATE_CONNECTED)
    return;

  fatal (tc, relais_call_get_failure (call) != NULL
             ? relais_call_get_failure (call)
             : _("La communication a échoué."));
}

static gboolean
ensure_call (TestCall  *tc,
             GError   **error)
{
  RelaisCallOptions options;
  g_autoptr(RelaisCall) call = NULL;
  GstElement *sink;

  if (tc->call != NULL)
    return TRUE;

  relais_call_options_init (&options);
  call = relais_call_new (&options, error);
  relais_call_options_clear (&options);
  if (call == NULL)
    return FALSE;

  if (tc->ice_address != NULL)
    {
      const char *addresses[] = { tc->ice_address, NULL };

      relais_call_set_local_addresses (call, addresses);
    }
  g_signal_connect (call, "local-description", G_CALLBACK (call_local_description_cb), tc);
  g_signal_connect (call, "local-candidate", G_CALLBACK (call_local_candidate_cb), tc);
  g_signal_connect (call, "notify::state", G_CALLBACK (call_state_cb), tc);

  if (!relais_call_start_preview (call, error))
    {
      g_signal_handlers_disconnect_by_data (call, tc);
      return FALSE;
    }
  if (relais_call_is_video_simulated (call))
    g_printerr ("%s\n", _("Aucune caméra : une mire de test est envoyée à la place."));
  if (relais_call_is_audio_simulated (call))
    g_printerr ("%s\n", _("Aucun micro : un son de test est envoyé à la place."));

  /* The remote picture's appsink: its first buffer is the first decoded
   * remote frame, what setup_ms measures. */
  sink = relais_call_get_remote_video_sink (call);
  if (sink != NULL)
    {
      tc->probe_pad = gst_element_get_static_pad (sink, "sink");
      if (tc->probe_pad != NULL)
        tc->probe_id = gst_pad_add_probe (tc->probe_pad, GST_PAD_PROBE_TYPE_BUFFER,
                                          remote_frame_probe_cb, tc, NULL);
    }

  tc->call = g_steal_pointer (&call);
  return TRUE;
}

/* ---- the subscription --------------------------------------------------- */

static void
answer_offer (TestCall *tc,
              JsonNode *offer)
{
  g_autoptr(GError) error = NULL;
  const char *sdp = NULL;

  if (offer != NULL && JSON_NODE_HOLDS_OBJECT (offer))
    sdp = json_object_get_string_member_with_default (json_node_get_object (offer), "sdp", NULL);
  if (sdp == NULL)
    {
      fatal (tc, _("Le serveur de visio a envoyé une description de la communication illisible."));
      return;
    }

  tc->sub_busy = TRUE;
  if (!ensure_call (tc, &error))
    {
      fatal (tc, error->message);
      return;
    }
  if (tc->recv_peer == 0)
    {
      tc->recv_peer = relais_call_add_peer (tc->call, "recv", &error);
      if (tc->recv_peer == 0)
        {
          fatal (tc, error->message);
          return;
        }
    }
  /* The answer comes back as "local-description", then goes out with
   * "start" (call_local_description_cb). */
  if (!relais_call_set_remote_description (tc->call, tc->recv_peer, "offer", sdp, &error))
    fatal (tc, error->message);
}

static void
subscribe_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) offer = NULL;

  offer = relais_janus_videoroom_subscribe_finish (RELAIS_JANUS (object), result, &error);
  if (tc == NULL)
    return;
  if (offer == NULL)
    {
      /* The only feed may have left between "publishers" and our join. */
      g_debug ("Subscribing failed: %s", error->message);
      g_hash_table_remove_all (tc->subscribed);
      tc->sub_busy = FALSE;
      if (tc->sub_handle != 0)
        relais_janus_detach_async (tc->janus, tc->sub_handle, NULL, NULL, NULL);
      tc->sub_handle = 0;
      return;
    }
  answer_offer (tc, offer);
}

static void
attach_sub_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) feeds = NULL;
  guint64 handle;

  handle = relais_janus_attach_finish (RELAIS_JANUS (object), result, &error);
  if (tc == NULL)
    return;
  if (handle == 0)
    {
      tc->sub_busy = FALSE;
      request_failed (tc, error, "Attaching the subscriber");
      return;
    }

  tc->sub_handle = handle;
  g_hash_table_remove_all (tc->subscribed);
  feeds = feed_set_minus (tc->wanted, tc->subscribed);
  if (feeds->len == 0)
    {
      /* Everyone left meanwhile; the handle waits for the next one. */
      tc->sub_busy = FALSE;
      relais_janus_detach_async (tc->janus, tc->sub_handle, NULL, NULL, NULL);
      tc->sub_handle = 0;
      return;
    }
  for (guint i = 0; i < feeds->len; i++)
    feed_set_add (tc->subscribed, g_array_index (feeds, guint64, i));
  relais_janus_videoroom_subscribe_async (tc->janus, handle, (guint64) tc->room,
                                          (const guint64 *) feeds->data, feeds->len, tc->pin,
                                          NULL, subscribe_cb, request_new (tc));
}

static void
update_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) offer = NULL;

  offer = relais_janus_videoroom_update_finish (RELAIS_JANUS (object), result, &error);
  if (tc == NULL)
    return;
  if (error != NULL)
    {
      /* Typically the feed we drop is already gone on Janus's side: it
       * renegotiated by itself ("updated"), which we answer anyway. */
      g_debug ("Updating the subscription failed: %s", error->message);
    }
  if (offer != NULL)
    {
      answer_offer (tc, offer);
      return;
    }
  tc->sub_busy = FALSE;
  sub_kick (tc);
}

/* Brings the subscription in line with the publishers present, one step
 * at a time: a renegotiation never overlaps another. */
static void
sub_kick (TestCall *tc)
{
  g_autoptr(GArray) add = NULL;
  g_autoptr(GArray) remove = NULL;

  if (tc->ending || tc->session_down || !tc->joined || tc->sub_busy)
    return;

  if (tc->sub_offer != NULL)
    {
      g_autoptr(JsonNode) offer = g_steal_pointer (&tc->sub_offer);

      answer_offer (tc, offer);
      return;
    }

  if (tc->sub_handle == 0)
    {
      if (g_hash_table_size (tc->wanted) == 0)
        return;
      tc->sub_busy = TRUE;
      if (tc->subscribe_request_at == 0)
        tc->subscribe_request_at = g_get_monotonic_time ();
      relais_janus_attach_async (tc->janus, "janus.plugin.videoroom", NULL,
                                 attach_sub_cb, request_new (tc));
      return;
    }

  add = feed_set_minus (tc->wanted, tc->subscribed);
  remove = feed_set_minus (tc->subscribed, tc->wanted);
  if (add->len == 0 && remove->len == 0)
    return;

  g_debug ("Subscription: +%u -%u feeds", add->len, remove->len);
  for (guint i = 0; i < add->len; i++)
    feed_set_add (tc->subscribed, g_array_index (add, guint64, i));
  for (guint i = 0; i < remove->len; i++)
    g_hash_table_remove (tc->subscribed, &g_array_index (remove, guint64, i));
  tc->sub_busy = TRUE;
  relais_janus_videoroom_update_async (tc->janus, tc->sub_handle,
                                       (const guint64 *) add->data, add->len,
                                       (const guint64 *) remove->data, remove->len,
                                       NULL, update_cb, request_new (tc));
}

static void
add_publishers (TestCall   *tc,
                GPtrArray  *publishers)
{
  for (guint i = 0; i < publishers->len; i++)
    {
      RelaisJanusPublisher *publisher = g_ptr_array_index (publishers, i);

      if (g_hash_table_contains (tc->wanted, &publisher->id))
        continue;
      g_debug ("Publisher %" G_GUINT64_FORMAT " present", publisher->id);
      feed_set_add (tc->wanted, publisher->id);
      if (!g_hash_table_contains (tc->seen, &publisher->id))
        feed_set_add (tc->seen, publisher->id);
    }
}

/* ---- the gateway -------------------------------------------------------- */

static void
janus_event_cb (RelaisJanus *janus,
                guint64      handle,
                JsonNode    *data,
                JsonNode    *jsep,
                TestCall    *tc)
{
  if (tc->ending || tc->session_down)
    return;

  if (handle == tc->pub_handle && tc->pub_handle != 0)
    {
      g_autoptr(GPtrArray) publishers = relais_janus_videoroom_parse_publishers (data);
      guint64 gone = relais_janus_videoroom_parse_gone (data);

      add_publishers (tc, publishers);
      if (gone != 0 && g_hash_table_remove (tc->wanted, &gone))
        g_debug ("Publisher %" G_GUINT64_FORMAT " left", gone);
      sub_kick (tc);
    }
  else if (handle == tc->sub_handle && tc->sub_handle != 0 && jsep != NULL)
    {
      /* Janus renegotiates by itself, e.g. when a publisher leaves it first
       * sends an "updated" offer with that feed's media off. */
      g_debug ("Subscription: Janus sent a new offer");
      g_clear_pointer (&tc->sub_offer, json_node_unref);
      tc->sub_offer = json_node_copy (jsep);
      sub_kick (tc);
    }
}

static void
janus_hangup_cb (RelaisJanus *janus,
                 guint64      handle,
                 const char  *reason,
                 TestCall    *tc)
{
  if (tc->ending || tc->session_down)
    return;
  g_debug ("Janus hung up handle %" G_GUINT64_FORMAT ": %s", handle, reason ? reason : "");
  if (handle == tc->pub_handle)
    fatal (tc, _("Le serveur de visio a coupé la communication."));
}

static void
start_publishing (TestCall *tc)
{
  g_autoptr(GError) error = NULL;

  if (!ensure_call (tc, &error))
    {
      fatal (tc, error->message);
      return;
    }
  tc->send_peer = relais_call_add_peer (tc->call, "send", &error);
  if (tc->send_peer == 0)
    {
      fatal (tc, error->message);
      return;
    }
  /* The offer comes back as "local-description" and goes out with
   * "configure" (call_local_description_cb). */
  relais_call_create_offer (tc->call, tc->send_peer);
}

static void
join_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) publishers = NULL;
  guint64 id;

  id = relais_janus_videoroom_join_publisher_finish (RELAIS_JANUS (object), result,
                                                     &publishers, &error);
  if (tc == NULL)
    return;
  if (id == 0)
    {
      request_failed (tc, error, "Joining");
      return;
    }

  g_debug ("Joined the room; %u publisher(s) present", publishers->len);
  tc->joined = TRUE;
  add_publishers (tc, publishers);
  start_publishing (tc);
  sub_kick (tc);
}

static void
join_room (TestCall *tc)
{
  if (tc->join_request_at == 0)
    tc->join_request_at = g_get_monotonic_time ();
  relais_janus_videoroom_join_publisher_async (tc->janus, tc->pub_handle, (guint64) tc->room,
                                               tc->display, tc->pin, NULL,
                                               join_cb, request_new (tc));
}

static void
create_room_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;

  if (!relais_janus_videoroom_create_room_finish (RELAIS_JANUS (object), result, &error) &&
      tc != NULL)
    {
      /* Most often another participant created it first; if it really is
       * missing, joining says so. */
      g_debug ("Creating the room failed: %s", error->message);
    }
  if (tc != NULL)
    join_room (tc);
}

static void
attach_pub_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;
  guint64 handle;

  handle = relais_janus_attach_finish (RELAIS_JANUS (object), result, &error);
  if (tc == NULL)
    return;
  if (handle == 0)
    {
      request_failed (tc, error, "Attaching");
      return;
    }

  tc->pub_handle = handle;
  if (tc->create_room)
    relais_janus_videoroom_create_room_async (tc->janus, handle, (guint64) tc->room,
                                              "Relais", ROOM_MAX_PUBLISHERS, 0, tc->pin, NULL,
                                              NULL, create_room_cb, request_new (tc));
  else
    join_room (tc);
}

static void
begin_session (TestCall *tc)
{
  relais_janus_attach_async (tc->janus, "janus.plugin.videoroom", NULL,
                             attach_pub_cb, request_new (tc));
}

/* Forgets everything that belonged to the session. */
static void
reset_session_state (TestCall *tc)
{
  tc->generation++;
  drop_call (tc);
  tc->pub_handle = 0;
  tc->sub_handle = 0;
  tc->joined = FALSE;
  tc->sub_busy = FALSE;
  g_clear_pointer (&tc->sub_offer, json_node_unref);
  g_hash_table_remove_all (tc->wanted);
  g_hash_table_remove_all (tc->subscribed);
}

static void
janus_lost_cb (RelaisJanus *janus,
               TestCall    *tc)
{
  if (tc->ending)
    return;

  tc->lost_count++;
  tc->session_down = TRUE;
  g_printerr ("%s\n", _("La connexion au serveur de visio est perdue : nouvelle tentative en cours…"));
  sample_stats (tc);
  reset_session_state (tc);
}

static void
janus_reconnected_cb (RelaisJanus *janus,
                      guint64      session_id,
                      TestCall    *tc)
{
  if (tc->ending)
    return;

  tc->reconnect_count++;
  tc->session_down = FALSE;
  g_printerr ("%s\n", _("La connexion au serveur de visio est rétablie : l’appel reprend."));
  reset_session_state (tc);
  begin_session (tc);
}

static void
duration_start (TestCall *tc);

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;

  if (!relais_janus_connect_finish (RELAIS_JANUS (object), result, &error))
    {
      if (tc != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fatal (tc, error->message);
      return;
    }
  if (tc == NULL)
    return;

  duration_start (tc);
  begin_session (tc);
}

/* ---- the end ------------------------------------------------------------ */

static void
print_report (TestCall *tc)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  double seconds = 0;

  if (tc->first_frame_at != 0 && tc->ended_at > tc->first_frame_at)
    seconds = (tc->ended_at - tc->first_frame_at) / (double) G_USEC_PER_SEC;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "setup_ms");
  if (tc->first_frame_at != 0 && tc->join_request_at != 0)
    json_builder_add_int_value (builder, (tc->first_frame_at - tc->join_request_at) / 1000);
  else
    json_builder_add_null_value (builder);
  /* What a kiosk already in the room waits when someone arrives. */
  json_builder_set_member_name (builder, "subscribe_ms");
  if (tc->first_frame_at != 0 && tc->subscribe_request_at != 0)
    json_builder_add_int_value (builder, (tc->first_frame_at - tc->subscribe_request_at) / 1000);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "frames_sent");
  json_builder_add_int_value (builder, (gint64) tc->frames_sent_before);
  json_builder_set_member_name (builder, "frames_received");
  json_builder_add_int_value (builder, (gint64) tc->frames_received_before);
  json_builder_set_member_name (builder, "fps_received");
  json_builder_add_double_value (builder,
                                 seconds > 0 ? tc->frames_received_before / seconds : 0.0);
  json_builder_set_member_name (builder, "kbps_in");
  json_builder_add_double_value (builder, tc->kbps_samples ? tc->kbps_in_sum / tc->kbps_samples : 0.0);
  json_builder_set_member_name (builder, "kbps_out");
  json_builder_add_double_value (builder, tc->kbps_samples ? tc->kbps_out_sum / tc->kbps_samples : 0.0);
  json_builder_set_member_name (builder, "rtt_ms");
  if (tc->rtt_ms > 0)
    json_builder_add_double_value (builder, tc->rtt_ms);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "packets_lost");
  json_builder_add_int_value (builder, tc->packets_lost);
  json_builder_set_member_name (builder, "remote_publishers");
  json_builder_add_int_value (builder, g_hash_table_size (tc->seen));
  json_builder_set_member_name (builder, "duration_s");
  json_builder_add_double_value (builder, (tc->ended_at - tc->started_at) / (double) G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "gateway_lost");
  json_builder_add_int_value (builder, tc->lost_count);
  json_builder_set_member_name (builder, "reconnected");
  json_builder_add_int_value (builder, tc->reconnect_count);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, tc->exit_status == 0);
  json_builder_set_member_name (builder, "error");
  if (tc->error != NULL)
    json_builder_add_string_value (builder, tc->error);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  fprintf (stdout, "%s\n", text);
  fflush (stdout);
}

static void
finish (TestCall *tc)
{
  if (tc->finished)
    return;

  tc->finished = TRUE;
  tc->generation++;
  g_clear_handle_id (&tc->shutdown_source, g_source_remove);
  drop_call (tc);

  if (tc->error == NULL && tc->session_down)
    tc->error = g_strdup (_("La connexion au serveur de visio a été perdue et n’a pas pu être rétablie."));
  if (tc->error == NULL && tc->frames_sent_before == 0)
    tc->error = g_strdup (_("Aucune image n’a pu être envoyée : vérifiez la caméra."));
  if (tc->error == NULL && tc->frames_received_before == 0)
    tc->error = g_strdup (g_hash_table_size (tc->seen) == 0
                          ? _("Personne d’autre n’a rejoint la salle : aucune image reçue.")
                          : _("Aucune image n’a été reçue du correspondant."));
  tc->exit_status = tc->error != NULL ? 1 : 0;
  if (tc->error != NULL)
    g_printerr ("%s\n", tc->error);
  print_report (tc);
  g_main_loop_quit (tc->loop);
}

static gboolean
shutdown_timeout_cb (gpointer user_data)
{
  TestCall *tc = user_data;

  tc->shutdown_source = 0;
  g_debug ("The gateway did not answer in time: leaving anyway");
  finish (tc);
  return G_SOURCE_REMOVE;
}

static void
destroy_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;

  if (!relais_janus_destroy_finish (RELAIS_JANUS (object), result, &error))
    g_debug ("Destroying the session failed: %s", error->message);
  if (tc != NULL)
    finish (tc);
}

static void
leave_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;

  if (!relais_janus_videoroom_leave_finish (RELAIS_JANUS (object), result, &error))
    g_debug ("Leaving failed: %s", error->message);
  if (tc == NULL)
    return;
  drop_call (tc);
  relais_janus_destroy_async (tc->janus, NULL, destroy_cb, request_new (tc));
}

static void
begin_shutdown (TestCall *tc)
{
  if (tc->ending)
    return;

  tc->ending = TRUE;
  tc->ended_at = g_get_monotonic_time ();
  g_clear_handle_id (&tc->duration_source, g_source_remove);
  g_clear_handle_id (&tc->stats_source, g_source_remove);
  sample_stats (tc);
  tc->shutdown_source = g_timeout_add (SHUTDOWN_MAX_MS, shutdown_timeout_cb, tc);

  if (tc->janus == NULL)
    {
      finish (tc);
      return;
    }
  /* Leave first so the others hear "leaving" at once, then end the
   * session (which also stops reconnecting). */
  if (relais_janus_get_state (tc->janus) == RELAIS_JANUS_STATE_CONNECTED && tc->joined)
    relais_janus_videoroom_leave_async (tc->janus, tc->pub_handle, NULL, leave_cb, request_new (tc));
  else
    {
      drop_call (tc);
      relais_janus_destroy_async (tc->janus, NULL, destroy_cb, request_new (tc));
    }
}

static gboolean
duration_cb (gpointer user_data)
{
  TestCall *tc = user_data;

  tc->duration_source = 0;
  begin_shutdown (tc);
  return G_SOURCE_REMOVE;
}

static void
duration_start (TestCall *tc)
{
  if (tc->duration_source == 0 && !tc->ending)
    tc->duration_source = g_timeout_add_seconds (tc->duration_s, duration_cb, tc);
}

static gboolean
signal_cb (gpointer user_data)
{
  TestCall *tc = user_data;

  fatal (tc, _("L’appel de test a été interrompu."));
  return G_SOURCE_CONTINUE;
}

/* ---- entry points ------------------------------------------------------- */

gboolean
relais_test_call_requested (int    argc,
                            char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], "--test-call"))
        return TRUE;
    }
  return FALSE;
}

static gboolean
parse_options (TestCall  *tc,
               int       *argc,
               char    ***argv,
               GError   **error)
{
  gboolean test_call = FALSE;
  GOptionEntry entries[] = {
    { "test-call", 0, 0, G_OPTION_ARG_NONE, &test_call,
      N_("Appel de test sans fenêtre, résultat en JSON"), NULL },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &tc->config_path,
      N_("Fichier de configuration"), N_("FICHIER") },
    { "janus", 0, 0, G_OPTION_ARG_STRING, &tc->janus_url,
      N_("Adresse de l’API HTTP de Janus (sinon celle de la configuration)"), N_("URL") },
    { "room", 0, 0, G_OPTION_ARG_INT64, &tc->room,
      N_("Numéro de la salle (1234 par défaut)"), N_("N") },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &tc->pin,
      N_("Code de la salle"), N_("CODE") },
    { "duration", 0, 0, G_OPTION_ARG_INT, &tc->duration_s,
      N_("Durée de l’appel en secondes (20 par défaut)"), N_("SECONDES") },
    { "display", 0, 0, G_OPTION_ARG_STRING, &tc->display,
      N_("Nom affiché (sinon le nom du site)"), N_("NOM") },
    { "create-room", 0, 0, G_OPTION_ARG_NONE, &tc->create_room,
      N_("Créer la salle si elle n’existe pas"), NULL },
    { "ice-address", 0, 0, G_OPTION_ARG_STRING, &tc->ice_address,
      N_("N’utiliser que cette adresse locale pour ICE"), N_("ADRESSE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context, _("Appel de test par le serveur de visio Janus."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (*argc > 1)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Argument inattendu : %s."), (*argv)[1]);
      return FALSE;
    }
  if (tc->duration_s <= 0 || tc->duration_s > 24 * 3600)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("La durée doit être comprise entre 1 et 86400 secondes."));
      return FALSE;
    }
  if (tc->room <= 0)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Le numéro de salle doit être un entier positif."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_config (TestCall  *tc,
             GError   **error)
{
  g_autofree char *path = relais_config_find_file (tc->config_path);
  const char *url;
  const char *ca_file;

  if (path != NULL)
    tc->config = relais_config_new_from_file (path, error);
  else
    tc->config = relais_config_new_default ();
  if (tc->config == NULL)
    return FALSE;

  url = tc->janus_url != NULL ? tc->janus_url : relais_config_get_janus_url (tc->config);
  if (url == NULL || *url == '\0')
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG,
                   _("Aucun serveur de visio n’est configuré : indiquez --janus URL "
                     "ou la section [gateway] du fichier de configuration."));
      return FALSE;
    }
  if (tc->janus_url == NULL)
    tc->janus_url = g_strdup (url);
  if (tc->display == NULL)
    tc->display = g_strdup (relais_config_get_site_name (tc->config));

  tc->http = relais_http_client_new ();
  ca_file = relais_config_get_ca_file (tc->config);
  if (ca_file != NULL)
    relais_http_client_set_ca_file (tc->http, ca_file);
  return TRUE;
}

static void
test_call_clear (TestCall *tc)
{
  g_clear_handle_id (&tc->duration_source, g_source_remove);
  g_clear_handle_id (&tc->stats_source, g_source_remove);
  g_clear_handle_id (&tc->shutdown_source, g_source_remove);
  g_clear_handle_id (&tc->sigint_source, g_source_remove);
  g_clear_handle_id (&tc->sigterm_source, g_source_remove);
  drop_call (tc);
  if (tc->janus != NULL)
    {
      g_signal_handlers_disconnect_by_data (tc->janus, tc);
      g_object_run_dispose (G_OBJECT (tc->janus));
      g_clear_object (&tc->janus);
    }
  if (tc->http != NULL)
    g_object_run_dispose (G_OBJECT (tc->http));
  /* Let the cancelled requests report (their callbacks see "finished"). */
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_clear_object (&tc->http);
  g_clear_object (&tc->config);
  g_clear_pointer (&tc->loop, g_main_loop_unref);
  g_clear_pointer (&tc->sub_offer, json_node_unref);
  g_clear_pointer (&tc->wanted, g_hash_table_unref);
  g_clear_pointer (&tc->subscribed, g_hash_table_unref);
  g_clear_pointer (&tc->seen, g_hash_table_unref);
  g_free (tc->config_path);
  g_free (tc->janus_url);
  g_free (tc->pin);
  g_free (tc->display);
  g_free (tc->ice_address);
  g_free (tc->error);
}

int
relais_test_call_main (int    argc,
                       char **argv)
{
  TestCall tc = { 0, };
  g_autoptr(GError) error = NULL;
  int status;

  tc.room = DEFAULT_ROOM;
  tc.duration_s = DEFAULT_DURATION_S;
  tc.wanted = feed_set_new ();
  tc.subscribed = feed_set_new ();
  tc.seen = feed_set_new ();
  tc.finished = TRUE;   /* until the loop runs */

  if (!parse_options (&tc, &argc, &argv, &error) || !load_config (&tc, &error))
    {
      g_printerr ("%s\n", error->message);
      test_call_clear (&tc);
      return 1;
    }

  gst_init (NULL, NULL);
  tc.context = g_main_context_default ();
  tc.loop = g_main_loop_new (NULL, FALSE);
  tc.finished = FALSE;
  tc.started_at = g_get_monotonic_time ();

  /* Camera, microphone and the DTLS certificate get ready while we talk
   * to the gateway. */
  if (!ensure_call (&tc, &error))
    {
      g_printerr ("%s\n", error->message);
      test_call_clear (&tc);
      return 1;
    }

  tc.janus = relais_janus_new (tc.http, tc.janus_url, NULL);
  g_signal_connect (tc.janus, "event", G_CALLBACK (janus_event_cb), &tc);
  g_signal_connect (tc.janus, "hangup", G_CALLBACK (janus_hangup_cb), &tc);
  g_signal_connect (tc.janus, "lost", G_CALLBACK (janus_lost_cb), &tc);
  g_signal_connect (tc.janus, "reconnected", G_CALLBACK (janus_reconnected_cb), &tc);

  tc.stats_source = g_timeout_add (STATS_INTERVAL_MS, stats_tick_cb, &tc);
  tc.sigint_source = g_unix_signal_add (SIGINT, signal_cb, &tc);
  tc.sigterm_source = g_unix_signal_add (SIGTERM, signal_cb, &tc);
  relais_janus_connect_async (tc.janus, NULL, connect_cb, request_new (&tc));

  g_main_loop_run (tc.loop);

  status = tc.exit_status;
  test_call_clear (&tc);
  return status;
}
