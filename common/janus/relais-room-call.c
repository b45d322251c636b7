/* relais-room-call.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-room-call"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "relais-error.h"
#include "relais-room-call.h"
#include "relais-layer-choice.h"

#define ROOM_MAX_PUBLISHERS 16

struct _RelaisRoomCall
{
  GObject      parent_instance;

  RelaisJanus *janus;
  RelaisCall  *call;
  guint64      room;
  char        *display;
  char        *pin;
  gboolean     create_room;

  /* Bumped whenever what an answer was for is gone (session lost, stop):
   * answers of an older generation are dropped. */
  guint        generation;
  GTask       *start_task;
  gboolean     started;       /* start_async was called */
  gboolean     ending;        /* stopping, or failed */
  gboolean     failed;
  gboolean     session_down;

  guint        send_peer;
  guint        recv_peer;
  guint64      pub_handle;
  guint64      sub_handle;
  gboolean     sub_started;   /* the subscriber handle joined the room */
  gboolean     publish_pending; /* after the subscription's answer */
  gboolean     joined;
  guint64      private_id;    /* ours in the room: our subscription shows it */

  /* The subscription: one multistream handle; one renegotiation at a time. */
  GHashTable  *wanted;          /* guint64 feed: publishing now */
  GHashTable  *subscribed;      /* guint64 feed: what we asked Janus for */
  GHashTable  *seen;            /* guint64 feed: every remote publisher seen */
  gboolean     sub_busy;
  JsonNode    *sub_offer;       /* Janus's latest offer, not answered yet */

  /* The simulcast layer of the remote pictures that the downlink carries
   * (relais-layer-choice.h), asked of Janus once a second when it changes
   * and after each renegotiation. */
  RelaisLayerChoice layers;
  char       **video_mids;      /* of the subscription's offer */
  int          layer_asked;     /* -1: not asked for these mids yet */
  GSource     *layer_source;

  gint64       join_requested_at;
  gint64       subscribe_requested_at;
  gboolean     first_frame_seen;  /* "first-remote-frame" is once per room call */
};

G_DEFINE_FINAL_TYPE (RelaisRoomCall, relais_room_call, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REMOTE_PUBLISHERS,
  N_PROPS
};

enum {
  FIRST_REMOTE_FRAME,
  LOST,
  RECONNECTED,
  REMOTE_LEFT,
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void sub_kick      (RelaisRoomCall *self);
static void begin_session (RelaisRoomCall *self);

/* What each asynchronous request carries back. */
typedef struct
{
  RelaisRoomCall *self;
  guint           generation;
} Request;

static Request *
request_new (RelaisRoomCall *self)
{
  Request *req = g_new (Request, 1);

  req->self = g_object_ref (self);
  req->generation = self->generation;
  return req;
}

/* Frees @user_data; returns a reference to the room call when the answer
 * still matters, NULL otherwise. */
static RelaisRoomCall *
request_take (gpointer user_data)
{
  Request *req = user_data;
  g_autoptr(RelaisRoomCall) self = req->self;
  gboolean current = req->generation == self->generation && !self->ending;

  g_free (req);
  return current ? g_steal_pointer (&self) : NULL;
}

static void
fail (RelaisRoomCall *self,
      const char     *message)
{
  if (self->start_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

      self->ending = TRUE;
      self->failed = TRUE;
      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_NETWORK, "%s", message);
      return;
    }
  if (self->failed || self->ending)
    return;

  self->failed = TRUE;
  self->ending = TRUE;
  g_debug ("The room call failed");
  g_signal_emit (self, signals[FAILED], 0, message);
}

/* A failed request: quiet when the session is being lost or we are
 * leaving (the "lost" signal speaks for it), fatal otherwise. */
static void
request_failed (RelaisRoomCall *self,
                GError         *error,
                const char     *what)
{
  g_debug ("%s failed: %s", what, error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->ending ||
      self->session_down || relais_janus_get_state (self->janus) != RELAIS_JANUS_STATE_CONNECTED)
    return;
  fail (self, error->message);
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

static GHashTable *
feed_set_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

static void
feed_set_add (GHashTable *set,
              guint64     id)
{
  guint64 *key = g_new (guint64, 1);

  *key = id;
  g_hash_table_add (set, key);
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

static void
set_wanted_changed (RelaisRoomCall *self,
                    guint           before)
{
  guint now = g_hash_table_size (self->wanted);

  if (now == before)
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_PUBLISHERS]);
  if (now == 0 && before > 0 && !self->ending && !self->session_down)
    g_signal_emit (self, signals[REMOTE_LEFT], 0);
}

/* For the debug log: how far the set-up is, in ms since the join request. */
static int
since_join (RelaisRoomCall *self)
{
  return self->join_requested_at != 0
         ? (int) ((g_get_monotonic_time () - self->join_requested_at) / 1000) : -1;
}

/* ---- the media ---------------------------------------------------------- */

/* The call's first decoded remote picture (the call hears it where its
 * pipeline decodes: nobody else probes it). Forwarded once per room call,
 * whatever call it comes from after a reconnection. */
static void
call_first_remote_frame_cb (RelaisCall     *call,
                            gint64          at,
                            RelaisRoomCall *self)
{
  if (self->first_frame_seen)
    return;
  self->first_frame_seen = TRUE;

  if (self->join_requested_at != 0)
    g_debug ("First remote frame %.0f ms after the join request",
             (at - self->join_requested_at) / 1000.0);
  g_signal_emit (self, signals[FIRST_REMOTE_FRAME], 0, at);
}

/* Lets go of the call's signals; its peers are forgotten (they belong to
 * a session that may be gone). */
static void
release_call (RelaisRoomCall *self)
{
  if (self->layer_source != NULL)
    {
      g_source_destroy (self->layer_source);
      g_clear_pointer (&self->layer_source, g_source_unref);
    }
  relais_layer_choice_init (&self->layers);
  self->layer_asked = -1;
  if (self->call != NULL)
    g_signal_handlers_disconnect_by_data (self->call, self);
  self->send_peer = 0;
  self->recv_peer = 0;
}

static void
configure_layer_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(RelaisRoomCall) self = request_take (user_data);
  g_autoptr(GError) error = NULL;

  /* A stream that is not simulcast keeps its one layer: nothing to do. */
  if (!relais_janus_videoroom_configure_substream_finish (RELAIS_JANUS (object), result, &error) && self != NULL)
    g_debug ("Choosing the remote picture's layer: %s", error->message);
}

static gboolean
layer_tick_cb (gpointer user_data)
{
  RelaisRoomCall *self = user_data;
  RelaisCallStats stats;
  gboolean changed;

  if (self->call == NULL || self->sub_handle == 0 || self->video_mids == NULL || self->video_mids[0] == NULL)
    return G_SOURCE_CONTINUE;
  relais_call_get_stats (self->call, &stats);
  changed = relais_layer_choice_tick (&self->layers, stats.packets_received, stats.packets_lost);
  if (changed || self->layer_asked != self->layers.substream)
    {
      g_debug ("Remote pictures: layer %d", self->layers.substream);
      self->layer_asked = self->layers.substream;
      relais_janus_videoroom_configure_substream_async (self->janus, self->sub_handle,
                                                        (const char * const *) self->video_mids,
                                                        self->layers.substream, NULL,
                                                        configure_layer_cb, request_new (self));
    }
  return G_SOURCE_CONTINUE;
}

/* From the first answered subscription on, once a second. */
static void
watch_layers (RelaisRoomCall *self)
{
  if (self->layer_source != NULL)
    return;
  self->layer_source = g_timeout_source_new_seconds (1);
  g_source_set_static_name (self->layer_source, "[relais] room call layers");
  g_source_set_callback (self->layer_source, layer_tick_cb, self, NULL);
  g_source_attach (self->layer_source, g_main_context_get_thread_default ());
  /* The first layer now, not in a second: Janus starts a subscriber on
   * the biggest. */
  layer_tick_cb (self);
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RelaisRoomCall) self = request_take (user_data);
  g_autoptr(GError) error = NULL;

  relais_janus_videoroom_start_finish (RELAIS_JANUS (object), result, &error);
  if (self == NULL)
    return;

  /* Janus refuses an answer to an offer it has replaced meanwhile (a
   * publisher leaving: "469 Unexpected ANSWER"); the newer offer is on its
   * way, answering that one is what counts. */
  if (error != NULL)
    g_debug ("Answer to the subscription refused: %s", error->message);
  else
    {
      g_debug ("Subscription: answer accepted (+%d ms)", since_join (self));
      watch_layers (self);
    }
  self->sub_busy = FALSE;
  sub_kick (self);
}

static void
publish_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RelaisRoomCall) self = request_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  const char *sdp;

  answer = relais_janus_videoroom_publish_finish (RELAIS_JANUS (object), result, &error);
  if (self == NULL)
    return;
  if (answer == NULL)
    {
      request_failed (self, error, "Publishing");
      return;
    }

  sdp = JSON_NODE_HOLDS_OBJECT (answer)
        ? json_object_get_string_member_with_default (json_node_get_object (answer), "sdp", NULL)
        : NULL;
  if (sdp == NULL || self->call == NULL ||
      !relais_call_set_remote_description (self->call, self->send_peer, "answer", sdp, &error))
    {
      fail (self, error != NULL ? error->message
                                : _("Le serveur de visio a envoyé une réponse illisible."));
      return;
    }
  g_debug ("Publishing: answer applied (+%d ms)", since_join (self));
}

static void start_publishing (RelaisRoomCall *self);

/* Publishing waits for the subscription's answer when someone was there
 * at the join: both at once compete for the CPU (a new encoder, two
 * negotiations), and seeing the advisor is what the person waits for. */
static void
publish_now (RelaisRoomCall *self)
{
  if (!self->publish_pending)
    return;
  self->publish_pending = FALSE;
  start_publishing (self);
}

static void
call_local_description_cb (RelaisCall     *call,
                           guint           peer,
                           const char     *type,
                           const char     *sdp,
                           RelaisRoomCall *self)
{
  g_autoptr(JsonNode) jsep = make_jsep (type, sdp);

  if (self->ending || self->session_down)
    return;

  g_debug ("Peer %u: %s ready (+%d ms)", peer, type, since_join (self));
  if (peer == self->send_peer && g_str_equal (type, "offer"))
    {
      relais_janus_videoroom_publish_async (self->janus, self->pub_handle, jsep, TRUE, TRUE, TRUE,
                                            NULL, publish_cb, request_new (self));
    }
  else if (peer == self->recv_peer && g_str_equal (type, "answer") && self->sub_handle != 0)
    {
      relais_janus_videoroom_start_async (self->janus, self->sub_handle, jsep,
                                          NULL, start_cb, request_new (self));
      publish_now (self);
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
call_local_candidate_cb (RelaisCall     *call,
                         guint           peer,
                         guint           mline,
                         const char     *candidate,
                         RelaisRoomCall *self)
{
  guint64 handle = 0;

  if (self->ending || self->session_down)
    return;
  if (peer == self->send_peer)
    handle = self->pub_handle;
  else if (peer == self->recv_peer)
    handle = self->sub_handle;
  if (handle == 0)
    return;

  relais_janus_trickle_async (self->janus, handle, mline, candidate, NULL, trickle_cb, NULL);
}

static void
bind_call (RelaisRoomCall *self)
{
  if (self->call == NULL)
    return;

  g_signal_connect (self->call, "local-description", G_CALLBACK (call_local_description_cb), self);
  g_signal_connect (self->call, "local-candidate", G_CALLBACK (call_local_candidate_cb), self);
  g_signal_connect (self->call, "first-remote-frame", G_CALLBACK (call_first_remote_frame_cb), self);
}

/* ---- the subscription --------------------------------------------------- */

static void
answer_offer (RelaisRoomCall *self,
              JsonNode       *offer)
{
  g_autoptr(GError) error = NULL;
  const char *sdp = NULL;

  if (offer != NULL && JSON_NODE_HOLDS_OBJECT (offer))
    sdp = json_object_get_string_member_with_default (json_node_get_object (offer), "sdp", NULL);
  if (sdp == NULL)
    {
      fail (self, _("Le serveur de visio a envoyé une description de la communication illisible."));
      return;
    }

  self->sub_busy = TRUE;
  if (self->call == NULL)
    {
      fail (self, _("La caméra et le micro ne sont pas prêts."));
      return;
    }
  /* New mids, maybe: the layer is asked again for them. */
  g_strfreev (self->video_mids);
  self->video_mids = relais_layer_choice_video_mids (sdp);
  self->layer_asked = -1;
  if (self->recv_peer == 0)
    {
      self->recv_peer = relais_call_add_peer (self->call, "recv", &error);
      if (self->recv_peer == 0)
        {
          fail (self, error->message);
          return;
        }
    }
  /* The answer comes back as "local-description", then goes out with
   * "start" (call_local_description_cb). */
  if (!relais_call_set_remote_description (self->call, self->recv_peer, "offer", sdp, &error))
    fail (self, error->message);
}

static void
subscribe_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RelaisRoomCall) self = request_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) offer = NULL;

  offer = relais_janus_videoroom_subscribe_finish (RELAIS_JANUS (object), result, &error);
  if (self == NULL)
    return;
  if (offer == NULL)
    {
      /* The only feed may have left between "publishers" and our join. */
      g_debug ("Subscribing failed: %s", error->message);
      g_hash_table_remove_all (self->subscribed);
      self->sub_busy = FALSE;
      if (self->sub_handle != 0)
        relais_janus_detach_async (self->janus, self->sub_handle, NULL, NULL, NULL);
      self->sub_handle = 0;
      self->sub_started = FALSE;
      publish_now (self);
      return;
    }
  g_debug ("Subscription: offer received (+%d ms)", since_join (self));
  answer_offer (self, offer);
}

/* The subscriber handle joins the room with the feeds wanted now. */
static void
sub_subscribe (RelaisRoomCall *self)
{
  g_autoptr(GArray) feeds = feed_set_minus (self->wanted, self->subscribed);

  if (feeds->len == 0)
    {
      /* Nobody to see yet: the handle waits for the first publisher. */
      self->sub_busy = FALSE;
      publish_now (self);
      return;
    }
  self->sub_busy = TRUE;
  self->sub_started = TRUE;
  if (self->subscribe_requested_at == 0)
    self->subscribe_requested_at = g_get_monotonic_time ();
  for (guint i = 0; i < feeds->len; i++)
    feed_set_add (self->subscribed, g_array_index (feeds, guint64, i));
  relais_janus_videoroom_subscribe_async (self->janus, self->sub_handle, self->room,
                                          (const guint64 *) (gpointer) feeds->data, feeds->len,
                                          self->pin, self->private_id, NULL, subscribe_cb,
                                          request_new (self));
}

static void
attach_sub_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RelaisRoomCall) self = request_take (user_data);
  g_autoptr(GError) error = NULL;
  guint64 handle;

  handle = relais_janus_attach_finish (RELAIS_JANUS (object), result, &error);
  if (self == NULL)
    return;
  if (handle == 0)
    {
      self->sub_busy = FALSE;
      request_failed (self, error, "Attaching the subscriber");
      return;
    }

  self->sub_handle = handle;
  self->sub_started = FALSE;
  g_debug ("Subscriber attached (+%d ms)", since_join (self));
  /* Its webrtcbin too, while Janus prepares the offer: answering is then
   * all that is left (answer_offer makes it if this fails). */
  if (self->call != NULL && self->recv_peer == 0)
    self->recv_peer = relais_call_add_peer (self->call, "recv", NULL);
  g_hash_table_remove_all (self->subscribed);
  /* Attached while joining (see begin_session): the join's list of
   * publishers is not there yet. */
  if (!self->joined)
    {
      self->sub_busy = FALSE;
      return;
    }
  sub_subscribe (self);
}

static void
update_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RelaisRoomCall) self = request_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) offer = NULL;

  offer = relais_janus_videoroom_update_finish (RELAIS_JANUS (object), result, &error);
  if (self == NULL)
    return;
  if (error != NULL)
    {
      /* Typically the feed we drop is already gone on Janus's side: it
       * renegotiated by itself ("updated"), which we answer anyway. */
      g_debug ("Updating the subscription failed: %s", error->message);
    }
  if (offer != NULL)
    {
      answer_offer (self, offer);
      return;
    }
  self->sub_busy = FALSE;
  sub_kick (self);
}

/* Brings the subscription in line with the publishers present, one step
 * at a time: a renegotiation never overlaps another. */
static void
sub_kick (RelaisRoomCall *self)
{
  g_autoptr(GArray) add = NULL;
  g_autoptr(GArray) remove = NULL;

  if (self->ending || self->session_down || !self->joined || self->sub_busy)
    return;

  if (self->sub_offer != NULL)
    {
      g_autoptr(JsonNode) offer = g_steal_pointer (&self->sub_offer);

      answer_offer (self, offer);
      return;
    }

  if (self->sub_handle == 0)
    {
      if (g_hash_table_size (self->wanted) == 0)
        return;
      self->sub_busy = TRUE;
      if (self->subscribe_requested_at == 0)
        self->subscribe_requested_at = g_get_monotonic_time ();
      relais_janus_attach_async (self->janus, "janus.plugin.videoroom", NULL,
                                 attach_sub_cb, request_new (self));
      return;
    }
  if (!self->sub_started)
    {
      sub_subscribe (self);
      return;
    }

  add = feed_set_minus (self->wanted, self->subscribed);
  remove = feed_set_minus (self->subscribed, self->wanted);
  if (add->len == 0 && remove->len == 0)
    return;

  g_debug ("Subscription: +%u -%u feeds", add->len, remove->len);
  for (guint i = 0; i < add->len; i++)
    feed_set_add (self->subscribed, g_array_index (add, guint64, i));
  for (guint i = 0; i < remove->len; i++)
    g_hash_table_remove (self->subscribed, &g_array_index (remove, guint64, i));
  self->sub_busy = TRUE;
  relais_janus_videoroom_update_async (self->janus, self->sub_handle,
                                       (const guint64 *) (gpointer) add->data, add->len,
                                       (const guint64 *) (gpointer) remove->data, remove->len,
                                       NULL, update_cb, request_new (self));
}

static void
add_publishers (RelaisRoomCall *self,
                GPtrArray      *publishers)
{
  for (guint i = 0; i < publishers->len; i++)
    {
      RelaisJanusPublisher *publisher = g_ptr_array_index (publishers, i);

      if (g_hash_table_contains (self->wanted, &publisher->id))
        continue;
      g_debug ("Publisher %" G_GUINT64_FORMAT " present", publisher->id);
      feed_set_add (self->wanted, publisher->id);
      if (!g_hash_table_contains (self->seen, &publisher->id))
        feed_set_add (self->seen, publisher->id);
    }
}

/* ---- the gateway -------------------------------------------------------- */

static void
janus_event_cb (RelaisJanus    *janus,
                guint64         handle,
                JsonNode       *data,
                JsonNode       *jsep,
                RelaisRoomCall *self)
{
  if (self->ending || self->session_down)
    return;

  if (handle == self->pub_handle && self->pub_handle != 0)
    {
      g_autoptr(GPtrArray) publishers = relais_janus_videoroom_parse_publishers (data);
      guint64 gone = relais_janus_videoroom_parse_gone (data);
      guint before = g_hash_table_size (self->wanted);

      add_publishers (self, publishers);
      if (gone != 0 && g_hash_table_remove (self->wanted, &gone))
        g_debug ("Publisher %" G_GUINT64_FORMAT " left", gone);
      set_wanted_changed (self, before);
      sub_kick (self);
    }
  else if (handle == self->sub_handle && self->sub_handle != 0 && jsep != NULL)
    {
      /* Janus renegotiates by itself, e.g. when a publisher leaves it first
       * sends an "updated" offer with that feed's media off. */
      g_debug ("Subscription: Janus sent a new offer");
      g_clear_pointer (&self->sub_offer, json_node_unref);
      self->sub_offer = json_node_copy (jsep);
      sub_kick (self);
    }
}

static void
janus_hangup_cb (RelaisJanus    *janus,
                 guint64         handle,
                 const char     *reason,
                 RelaisRoomCall *self)
{
  if (self->ending || self->session_down)
    return;
  g_debug ("Janus hung up handle %" G_GUINT64_FORMAT ": %s", handle, reason ? reason : "");
  if (handle == self->pub_handle)
    fail (self, _("Le serveur de visio a coupé la communication."));
}

static void
start_publishing (RelaisRoomCall *self)
{
  g_autoptr(GError) error = NULL;

  if (self->call == NULL)
    {
      fail (self, _("La caméra et le micro ne sont pas prêts."));
      return;
    }
  self->send_peer = relais_call_add_peer (self->call, "send", &error);
  if (self->send_peer == 0)
    {
      fail (self, error->message);
      return;
    }
  /* The offer comes back as "local-description" and goes out with
   * "configure" (call_local_description_cb). */
  relais_call_create_offer (self->call, self->send_peer);
}

static void
join_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(RelaisRoomCall) self = request_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) publishers = NULL;
  guint64 id;
  guint64 private_id = 0;
  guint before;

  id = relais_janus_videoroom_join_publisher_finish_full (RELAIS_JANUS (object), result,
                                                          &publishers, &private_id, &error);
  if (self == NULL)
    return;
  if (id == 0)
    {
      request_failed (self, error, "Joining");
      return;
    }

  g_debug ("Joined the room; %u publisher(s) present (+%d ms)", publishers->len, since_join (self));
  self->joined = TRUE;
  self->private_id = private_id;
  before = g_hash_table_size (self->wanted);
  add_publishers (self, publishers);
  if (g_hash_table_size (self->wanted) > 0)
    self->publish_pending = TRUE;
  else
    start_publishing (self);
  if (self->start_task != NULL && !self->ending)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

      g_task_return_boolean (task, TRUE);
    }
  set_wanted_changed (self, before);
  sub_kick (self);
}

static void
join_room (RelaisRoomCall *self)
{
  if (self->join_requested_at == 0)
    self->join_requested_at = g_get_monotonic_time ();
  relais_janus_videoroom_join_publisher_async (self->janus, self->pub_handle, self->room,
                                               self->display, self->pin, NULL,
                                               join_cb, request_new (self));
}

static void
create_room_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RelaisRoomCall) self = request_take (user_data);
  g_autoptr(GError) error = NULL;

  if (!relais_janus_videoroom_create_room_finish (RELAIS_JANUS (object), result, &error) &&
      self != NULL)
    {
      /* Most often another participant created it first; if it really is
       * missing, joining says so. */
      g_debug ("Creating the room failed: %s", error->message);
    }
  if (self != NULL)
    join_room (self);
}

static void
attach_pub_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RelaisRoomCall) self = request_take (user_data);
  g_autoptr(GError) error = NULL;
  guint64 handle;

  handle = relais_janus_attach_finish (RELAIS_JANUS (object), result, &error);
  if (self == NULL)
    return;
  if (handle == 0)
    {
      request_failed (self, error, "Attaching");
      return;
    }

  self->pub_handle = handle;
  if (self->create_room)
    relais_janus_videoroom_create_room_async (self->janus, handle, self->room,
                                              "Relais", ROOM_MAX_PUBLISHERS, 0, self->pin, NULL,
                                              NULL, create_room_cb, request_new (self));
  else
    join_room (self);
}

static void
begin_session (RelaisRoomCall *self)
{
  relais_janus_attach_async (self->janus, "janus.plugin.videoroom", NULL,
                             attach_pub_cb, request_new (self));
  /* The subscriber's handle too, at the same time: once joined, seeing
   * the others is one request away instead of two. */
  if (self->sub_handle == 0 && !self->sub_busy)
    {
      self->sub_busy = TRUE;
      relais_janus_attach_async (self->janus, "janus.plugin.videoroom", NULL,
                                 attach_sub_cb, request_new (self));
    }
}

/* Forgets everything that belonged to the session. */
static void
reset_session_state (RelaisRoomCall *self)
{
  guint before = g_hash_table_size (self->wanted);

  self->generation++;
  release_call (self);
  self->pub_handle = 0;
  self->sub_handle = 0;
  self->sub_started = FALSE;
  self->publish_pending = FALSE;
  self->joined = FALSE;
  self->private_id = 0;
  self->sub_busy = FALSE;
  g_clear_pointer (&self->sub_offer, json_node_unref);
  g_hash_table_remove_all (self->wanted);
  g_hash_table_remove_all (self->subscribed);
  if (before != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_PUBLISHERS]);
}

/* Joins and publishes again from scratch (new handles), after a lost
 * session or to move to another room. */
static void
session_restart (RelaisRoomCall *self)
{
  reset_session_state (self);
  /* The owner may hand over a fresh call here. */
  g_signal_emit (self, signals[RECONNECTED], 0);
  if (self->ending)
    return;
  bind_call (self);
  begin_session (self);
}

static void
janus_lost_cb (RelaisJanus    *janus,
               RelaisRoomCall *self)
{
  if (self->ending || !self->started)
    return;

  self->session_down = TRUE;
  reset_session_state (self);
  g_signal_emit (self, signals[LOST], 0);
}

static void
janus_reconnected_cb (RelaisJanus    *janus,
                      guint64         session_id,
                      RelaisRoomCall *self)
{
  if (self->ending || !self->started)
    return;

  self->session_down = FALSE;
  session_restart (self);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RelaisRoomCall) self = request_take (user_data);
  g_autoptr(GError) error = NULL;

  if (!relais_janus_connect_finish (RELAIS_JANUS (object), result, &error))
    {
      if (self != NULL && self->start_task != NULL)
        {
          g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

          self->ending = TRUE;
          g_task_return_error (task, g_steal_pointer (&error));
        }
      return;
    }
  if (self != NULL)
    begin_session (self);
}

/* ---- GObject ------------------------------------------------------------ */

static void
relais_room_call_dispose (GObject *object)
{
  RelaisRoomCall *self = (RelaisRoomCall *)object;

  self->ending = TRUE;
  self->generation++;
  release_call (self);
  g_clear_object (&self->call);
  if (self->janus != NULL)
    g_signal_handlers_disconnect_by_data (self->janus, self);
  g_clear_object (&self->janus);

  G_OBJECT_CLASS (relais_room_call_parent_class)->dispose (object);
}

static void
relais_room_call_finalize (GObject *object)
{
  RelaisRoomCall *self = (RelaisRoomCall *)object;

  g_clear_pointer (&self->sub_offer, json_node_unref);
  g_strfreev (self->video_mids);
  g_clear_pointer (&self->wanted, g_hash_table_unref);
  g_clear_pointer (&self->subscribed, g_hash_table_unref);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_free (self->display);
  g_free (self->pin);

  G_OBJECT_CLASS (relais_room_call_parent_class)->finalize (object);
}

static void
relais_room_call_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RelaisRoomCall *self = RELAIS_ROOM_CALL (object);

  switch (prop_id)
    {
    case PROP_REMOTE_PUBLISHERS:
      g_value_set_uint (value, relais_room_call_get_remote_publishers (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_room_call_class_init (RelaisRoomCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_room_call_dispose;
  object_class->finalize = relais_room_call_finalize;
  object_class->get_property = relais_room_call_get_property;

  properties[PROP_REMOTE_PUBLISHERS] =
    g_param_spec_uint ("remote-publishers", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FIRST_REMOTE_FRAME] =
    g_signal_new ("first-remote-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[LOST] =
    g_signal_new ("lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RECONNECTED] =
    g_signal_new ("reconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[REMOTE_LEFT] =
    g_signal_new ("remote-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
relais_room_call_init (RelaisRoomCall *self)
{
  relais_layer_choice_init (&self->layers);
  self->layer_asked = -1;
  self->wanted = feed_set_new ();
  self->subscribed = feed_set_new ();
  self->seen = feed_set_new ();
}

/* ---- public API --------------------------------------------------------- */

RelaisRoomCall *
relais_room_call_new (RelaisJanus *janus,
                      RelaisCall  *call,
                      guint64      room,
                      const char  *display,
                      const char  *pin)
{
  RelaisRoomCall *self;

  g_return_val_if_fail (RELAIS_IS_JANUS (janus), NULL);
  g_return_val_if_fail (call == NULL || RELAIS_IS_CALL (call), NULL);
  g_return_val_if_fail (room > 0, NULL);

  self = g_object_new (RELAIS_TYPE_ROOM_CALL, NULL);
  self->janus = g_object_ref (janus);
  self->call = call != NULL ? g_object_ref (call) : NULL;
  self->room = room;
  self->display = g_strdup (display != NULL ? display : "Relais");
  self->pin = g_strdup (pin);

  g_signal_connect (janus, "event", G_CALLBACK (janus_event_cb), self);
  g_signal_connect (janus, "hangup", G_CALLBACK (janus_hangup_cb), self);
  g_signal_connect (janus, "lost", G_CALLBACK (janus_lost_cb), self);
  g_signal_connect (janus, "reconnected", G_CALLBACK (janus_reconnected_cb), self);
  return self;
}

RelaisCall *
relais_room_call_get_call (RelaisRoomCall *self)
{
  g_return_val_if_fail (RELAIS_IS_ROOM_CALL (self), NULL);

  return self->call;
}

void
relais_room_call_set_call (RelaisRoomCall *self,
                           RelaisCall     *call)
{
  g_return_if_fail (RELAIS_IS_ROOM_CALL (self));
  g_return_if_fail (call == NULL || RELAIS_IS_CALL (call));

  if (self->call == call)
    return;
  release_call (self);
  g_set_object (&self->call, call);
  /* Bound again when the session (re)starts: a new call only makes sense
   * with new handles. */
}

void
relais_room_call_move (RelaisRoomCall *self,
                       guint64         room,
                       const char     *display,
                       const char     *pin)
{
  g_return_if_fail (RELAIS_IS_ROOM_CALL (self));
  g_return_if_fail (room > 0);

  self->room = room;
  g_free (self->display);
  self->display = g_strdup (display);
  g_free (self->pin);
  self->pin = g_strdup (pin);
  if (!self->started || self->ending || self->session_down)
    return;   /* "reconnected" joins @room */

  g_debug ("Moving to another room");
  /* Detaching ends their media and their place in the old room; events of
   * the old handles are no longer ours. */
  if (self->pub_handle != 0)
    relais_janus_detach_async (self->janus, self->pub_handle, NULL, NULL, NULL);
  if (self->sub_handle != 0)
    relais_janus_detach_async (self->janus, self->sub_handle, NULL, NULL, NULL);
  session_restart (self);
}

void
relais_room_call_set_create_room (RelaisRoomCall *self,
                                  gboolean        create_room)
{
  g_return_if_fail (RELAIS_IS_ROOM_CALL (self));

  self->create_room = !!create_room;
}

guint
relais_room_call_get_remote_publishers (RelaisRoomCall *self)
{
  g_return_val_if_fail (RELAIS_IS_ROOM_CALL (self), 0);

  return g_hash_table_size (self->wanted);
}

guint
relais_room_call_get_publishers_seen (RelaisRoomCall *self)
{
  g_return_val_if_fail (RELAIS_IS_ROOM_CALL (self), 0);

  return g_hash_table_size (self->seen);
}

gint64
relais_room_call_get_join_requested_at (RelaisRoomCall *self)
{
  g_return_val_if_fail (RELAIS_IS_ROOM_CALL (self), 0);

  return self->join_requested_at;
}

gint64
relais_room_call_get_subscribe_requested_at (RelaisRoomCall *self)
{
  g_return_val_if_fail (RELAIS_IS_ROOM_CALL (self), 0);

  return self->subscribe_requested_at;
}

gboolean
relais_room_call_is_joined (RelaisRoomCall *self)
{
  g_return_val_if_fail (RELAIS_IS_ROOM_CALL (self), FALSE);

  return self->joined;
}

void
relais_room_call_start_async (RelaisRoomCall      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RELAIS_IS_ROOM_CALL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_room_call_start_async);

  if (self->started)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The room call was already started");
      return;
    }
  self->started = TRUE;
  self->start_task = g_steal_pointer (&task);
  bind_call (self);

  switch (relais_janus_get_state (self->janus))
    {
    case RELAIS_JANUS_STATE_CONNECTED:
      begin_session (self);
      break;
    case RELAIS_JANUS_STATE_DISCONNECTED:
      relais_janus_connect_async (self->janus, NULL, connect_cb, request_new (self));
      break;
    default:
      /* Connecting or reconnecting: "reconnected" begins the session. */
      self->session_down = TRUE;
      break;
    }
}

gboolean
relais_room_call_start_finish (RelaisRoomCall  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
leave_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!relais_janus_videoroom_leave_finish (RELAIS_JANUS (object), result, &error))
    g_debug ("Leaving failed: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

void
relais_room_call_stop_async (RelaisRoomCall      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gboolean joined;

  g_return_if_fail (RELAIS_IS_ROOM_CALL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_room_call_stop_async);

  joined = self->joined && !self->session_down;
  self->ending = TRUE;
  self->generation++;
  if (self->start_task != NULL)
    {
      g_autoptr(GTask) start = g_steal_pointer (&self->start_task);

      g_task_return_new_error (start, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The room call was stopped");
    }

  /* Leave first so the others hear "leaving" at once. */
  if (joined && relais_janus_get_state (self->janus) == RELAIS_JANUS_STATE_CONNECTED)
    relais_janus_videoroom_leave_async (self->janus, self->pub_handle, cancellable,
                                        leave_cb, g_steal_pointer (&task));
  else
    g_task_return_boolean (task, TRUE);
}

gboolean
relais_room_call_stop_finish (RelaisRoomCall  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
