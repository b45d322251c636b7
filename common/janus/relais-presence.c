/* relais-presence.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-presence"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "relais-error.h"
#include "relais-presence.h"

/* Lobby and session room ids stay below 2^53 (JavaScript's exact
 * integers); session rooms are drawn above the range deployments use for
 * their declared rooms. */
#define SESSION_ROOM_MIN G_GUINT64_CONSTANT (1000000000)
#define SESSION_ROOM_MAX G_GUINT64_CONSTANT (9007199254740991)

struct _RelaisPresence
{
  GObject       parent_instance;

  RelaisJanus  *janus;
  char         *lobby_pin;
  guint         poll_ms;
  guint         beat_ms;

  /* Bumped when the gateway session goes or we stop: answers of an older
   * generation are dropped. */
  guint         generation;
  gboolean      stopped;
  gboolean      connecting;

  /* One handle for requests that need no room of their own: listing,
   * creating, kicking, destroying. Waiters queue for it. */
  guint64       ctl_handle;
  gboolean      ctl_attaching;
  GPtrArray    *ctl_waiters;    /* GTask */

  /* Watching: guint64 room → guint advisors ready. */
  GHashTable   *watched;
  guint         poll_id;
  guint         polls_in_flight;

  /* The person's session room. */
  guint64       session_room;
  char         *session_pin;
  char         *session_secret;

  /* Waiting. */
  GTask        *wait_task;
  gulong        wait_cancel_id;
  guint64       lobby_room;
  char         *ticket;
  char         *subservice;
  char         *site;
  gint64        arrived;
  guint         beat;
  guint64       lobby_handle;
  gboolean      lobby_joining;
  gboolean      lobby_joined;
  guint         beat_id;
  guint64       claim_id;
  guint64       winner_id;
  /* The claim holder has this long to publish (issue 12, item 11). */
  guint         claim_timeout_ms;
  GSource      *claim_timer;
  /* Participants we kicked out of the session room (guint64 *): never
   * the winner, kicked again if they come back with the same id. */
  GHashTable   *refused;
};

G_DEFINE_FINAL_TYPE (RelaisPresence, relais_presence, G_TYPE_OBJECT)

enum {
  CHANGED,
  SESSION_ROOM_MOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void poll_now          (RelaisPresence *self);
static void lobby_join        (RelaisPresence *self);
static void session_room_renew (RelaisPresence *self);
static JsonNode *session_room_create_body (RelaisPresence *self);
static void session_room_destroy (RelaisPresence *self,
                                  guint64         room,
                                  const char     *secret);

typedef struct
{
  RelaisPresence *self;
  guint           generation;
  guint64         room;
} Request;

static Request *
request_new (RelaisPresence *self,
             guint64         room)
{
  Request *req = g_new (Request, 1);

  req->self = g_object_ref (self);
  req->generation = self->generation;
  req->room = room;
  return req;
}

/* Frees @req; returns the presence when the answer still matters. */
static RelaisPresence *
request_take (Request  *req,
              guint64  *room)
{
  g_autoptr(RelaisPresence) self = req->self;
  gboolean current = req->generation == self->generation && !self->stopped;

  if (room != NULL)
    *room = req->room;
  g_free (req);
  return current ? g_steal_pointer (&self) : NULL;
}

static JsonNode *
body_new (const char *request,
          guint64     room)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_alloc ();

  json_object_set_string_member (obj, "request", request);
  if (room != 0)
    json_object_set_int_member (obj, "room", (gint64) room);
  json_node_init_object (node, obj);
  json_object_unref (obj);
  return node;
}

static void
ignore_answer_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(GError) error = NULL;

  data = relais_janus_message_finish (RELAIS_JANUS (object), result, NULL, &error);
  if (data == NULL)
    g_debug ("%s: %s", (const char *) user_data, error->message);
}

/* ---- the control handle ------------------------------------------------- */

static void
ctl_waiters_flush (RelaisPresence *self,
                   const GError   *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->ctl_waiters);

  self->ctl_waiters = g_ptr_array_new ();
  for (guint i = 0; i < waiters->len; i++)
    {
      g_autoptr(GTask) task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static void
ctl_attach_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RelaisPresence) self = request_take (user_data, NULL);
  g_autoptr(GError) error = NULL;
  guint64 handle;

  handle = relais_janus_attach_finish (RELAIS_JANUS (object), result, &error);
  if (self == NULL)
    return;
  self->ctl_attaching = FALSE;
  if (handle == 0)
    {
      g_debug ("Attaching failed: %s", error->message);
      ctl_waiters_flush (self, error);
      return;
    }
  self->ctl_handle = handle;
  ctl_waiters_flush (self, NULL);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RelaisPresence) self = request_take (user_data, NULL);
  g_autoptr(GError) error = NULL;

  if (!relais_janus_connect_finish (RELAIS_JANUS (object), result, &error))
    {
      if (self == NULL)
        return;
      self->connecting = FALSE;
      g_debug ("Connecting failed: %s", error->message);
      self->ctl_attaching = FALSE;
      ctl_waiters_flush (self, error);
      return;
    }
  if (self == NULL)
    return;
  self->connecting = FALSE;
  relais_janus_attach_async (self->janus, "janus.plugin.videoroom", NULL,
                             ctl_attach_cb, request_new (self, 0));
  if (self->wait_task != NULL && self->lobby_handle == 0 && !self->lobby_joining)
    lobby_join (self);
}

/* Calls back once the control handle exists (or cannot). */
static void
ctl_ensure (RelaisPresence      *self,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ctl_ensure);
  if (self->ctl_handle != 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (self->ctl_waiters, task);
  if (self->ctl_attaching)
    return;

  self->ctl_attaching = TRUE;
  switch (relais_janus_get_state (self->janus))
    {
    case RELAIS_JANUS_STATE_CONNECTED:
      relais_janus_attach_async (self->janus, "janus.plugin.videoroom", NULL,
                                 ctl_attach_cb, request_new (self, 0));
      break;
    case RELAIS_JANUS_STATE_DISCONNECTED:
      if (!self->connecting)
        {
          self->connecting = TRUE;
          relais_janus_connect_async (self->janus, NULL, connect_cb, request_new (self, 0));
        }
      break;
    default:
      /* "reconnected" attaches. */
      break;
    }
}

/* ---- watching ----------------------------------------------------------- */

static guint
count_ready (JsonNode *data)
{
  JsonObject *obj;
  JsonNode *list;
  JsonArray *array;
  guint ready = 0;

  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    return 0;
  obj = json_node_get_object (data);
  list = json_object_get_member (obj, "participants");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return 0;
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonNode *display;
      RelaisPresenceTag tag;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      display = json_object_get_member (json_node_get_object (element), "display");
      if (display == NULL || !JSON_NODE_HOLDS_VALUE (display) ||
          json_node_get_value_type (display) != G_TYPE_STRING)
        continue;
      if (relais_presence_tag_parse (json_node_get_string (display), &tag))
        {
          if (tag.kind == RELAIS_PRESENCE_TAG_ADVISOR && tag.ready)
            ready++;
          relais_presence_tag_clear (&tag);
        }
    }
  return ready;
}

static void
set_ready (RelaisPresence *self,
           guint64         room,
           guint           ready)
{
  gpointer old;

  if (!g_hash_table_lookup_extended (self->watched, &room, NULL, &old))
    return;
  if (GPOINTER_TO_UINT (old) == ready)
    return;
  g_hash_table_insert (self->watched, g_memdup2 (&room, sizeof room), GUINT_TO_POINTER (ready));
  g_debug ("Lobby %" G_GUINT64_FORMAT ": %u advisor(s) ready", room, ready);
  g_signal_emit (self, signals[CHANGED], 0, room);
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisPresence) self = NULL;
  guint64 room = 0;

  data = relais_janus_message_finish (RELAIS_JANUS (object), result, NULL, &error);
  self = request_take (user_data, &room);
  if (self == NULL)
    return;
  self->polls_in_flight--;
  if (data == NULL)
    {
      g_debug ("Listing lobby %" G_GUINT64_FORMAT " failed: %s", room, error->message);
      set_ready (self, room, 0);
      return;
    }
  set_ready (self, room, count_ready (data));
}

static void
poll_ctl_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RelaisPresence *self = RELAIS_PRESENCE (object);
  GHashTableIter iter;
  gpointer key;

  if (!g_task_propagate_boolean (G_TASK (result), NULL) || self->stopped || self->ctl_handle == 0)
    return;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      guint64 room = *(guint64 *) key;
      g_autoptr(JsonNode) body = body_new ("listparticipants", room);

      self->polls_in_flight++;
      relais_janus_message_async (self->janus, self->ctl_handle, body, NULL, NULL,
                                  list_cb, request_new (self, room));
    }
}

static void
poll_now (RelaisPresence *self)
{
  /* A slow gateway: never pile up rounds. */
  if (self->stopped || self->polls_in_flight > 0 || g_hash_table_size (self->watched) == 0)
    return;
  ctl_ensure (self, poll_ctl_cb, NULL);
}

static gboolean
poll_cb (gpointer user_data)
{
  poll_now (RELAIS_PRESENCE (user_data));
  return G_SOURCE_CONTINUE;
}

/* ---- waiting ------------------------------------------------------------ */

static char *
kiosk_tag (RelaisPresence *self)
{
  return relais_presence_tag_format_kiosk (self->ticket, self->subservice, self->site,
                                           self->arrived, self->session_room, self->beat);
}

static void
lobby_leave (RelaisPresence *self)
{
  g_clear_handle_id (&self->beat_id, g_source_remove);
  if (self->lobby_handle != 0 && relais_janus_get_state (self->janus) == RELAIS_JANUS_STATE_CONNECTED)
    {
      g_autoptr(JsonNode) body = body_new ("leave", 0);

      g_debug ("Leaving the lobby");
      /* Leave, then let go of the handle: both go out in this order. */
      relais_janus_message_async (self->janus, self->lobby_handle, body, NULL, NULL,
                                  ignore_answer_cb, (gpointer) "Leaving the lobby");
      relais_janus_detach_async (self->janus, self->lobby_handle, NULL, NULL, NULL);
    }
  self->lobby_handle = 0;
  self->lobby_joined = FALSE;
  self->lobby_joining = FALSE;
}

static void
wait_return (RelaisPresence *self,
             char           *advisor,
             GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->wait_task);

  if (task == NULL)
    {
      g_free (advisor);
      g_clear_error (&error);
      return;
    }
  if (self->wait_cancel_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), self->wait_cancel_id);
      self->wait_cancel_id = 0;
    }
  lobby_leave (self);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, advisor, g_free);
}

static gboolean
beat_cb (gpointer user_data)
{
  RelaisPresence *self = user_data;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *tag = NULL;

  if (!self->lobby_joined || self->lobby_handle == 0)
    return G_SOURCE_CONTINUE;

  /* Changing the display is what other participants see (a "display"
   * event, and the participant list): the beat proves we are alive. */
  self->beat++;
  tag = kiosk_tag (self);
  body = body_new ("configure", 0);
  json_object_set_string_member (json_node_get_object (body), "display", tag);
  relais_janus_message_async (self->janus, self->lobby_handle, body, NULL, NULL,
                              ignore_answer_cb, (gpointer) "Heartbeat");
  return G_SOURCE_CONTINUE;
}

static void
lobby_join_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RelaisPresence) self = request_take (user_data, NULL);
  g_autoptr(GError) error = NULL;
  guint64 id;

  id = relais_janus_videoroom_join_publisher_finish (RELAIS_JANUS (object), result, NULL, &error);
  if (self == NULL || self->wait_task == NULL)
    return;
  self->lobby_joining = FALSE;
  if (id == 0)
    {
      g_debug ("Joining the lobby failed: %s", error->message);
      if (relais_janus_get_state (self->janus) != RELAIS_JANUS_STATE_CONNECTED)
        return;   /* "reconnected" joins again */
      /* Our sentence only: the gateway's words stay in the debug log. */
      wait_return (self, NULL,
                   g_error_new_literal (RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                                        _("La salle d'attente des conseillers refuse la borne : vérifiez le code de salle d'attente de la configuration.")));
      return;
    }
  g_debug ("In the lobby %" G_GUINT64_FORMAT, self->lobby_room);
  self->lobby_joined = TRUE;
  if (self->beat_id == 0)
    self->beat_id = g_timeout_add (self->beat_ms, beat_cb, self);
}

static void
lobby_attach_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RelaisPresence) self = request_take (user_data, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *tag = NULL;
  guint64 handle;

  handle = relais_janus_attach_finish (RELAIS_JANUS (object), result, &error);
  if (self == NULL || self->wait_task == NULL)
    {
      if (handle != 0)
        relais_janus_detach_async (RELAIS_JANUS (object), handle, NULL, NULL, NULL);
      return;
    }
  if (handle == 0)
    {
      self->lobby_joining = FALSE;
      g_debug ("Attaching for the lobby failed: %s", error->message);
      return;   /* "reconnected" tries again */
    }
  self->lobby_handle = handle;
  tag = kiosk_tag (self);
  relais_janus_videoroom_join_publisher_async (self->janus, handle, self->lobby_room, tag,
                                               self->lobby_pin, NULL, lobby_join_cb,
                                               request_new (self, 0));
}

static void
lobby_join (RelaisPresence *self)
{
  if (relais_janus_get_state (self->janus) != RELAIS_JANUS_STATE_CONNECTED)
    {
      if (relais_janus_get_state (self->janus) == RELAIS_JANUS_STATE_DISCONNECTED && !self->connecting)
        {
          self->connecting = TRUE;
          relais_janus_connect_async (self->janus, NULL, connect_cb, request_new (self, 0));
        }
      return;
    }
  self->lobby_joining = TRUE;
  relais_janus_attach_async (self->janus, "janus.plugin.videoroom", NULL,
                             lobby_attach_cb, request_new (self, 0));
}

static gboolean
wait_cancel_idle_cb (gpointer user_data)
{
  RelaisPresence *self = user_data;

  if (self->wait_task != NULL && g_cancellable_is_cancelled (g_task_get_cancellable (self->wait_task)))
    wait_return (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  "Waiting was cancelled"));
  return G_SOURCE_REMOVE;
}

static void
wait_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  /* Inside the cancellable's handler nothing may disconnect it: finish
   * from the main loop. */
  g_idle_add_full (G_PRIORITY_DEFAULT, wait_cancel_idle_cb, g_object_ref (user_data), g_object_unref);
}

static void
kick (RelaisPresence *self,
      guint64         id)
{
  g_autoptr(JsonNode) body = NULL;
  JsonObject *obj;
  guint64 handle = self->ctl_handle != 0 ? self->ctl_handle : self->lobby_handle;

  g_hash_table_add (self->refused, g_memdup2 (&id, sizeof id));
  if (handle == 0 || self->session_secret == NULL)
    return;
  body = body_new ("kick", self->session_room);
  obj = json_node_get_object (body);
  json_object_set_string_member (obj, "secret", self->session_secret);
  json_object_set_int_member (obj, "id", (gint64) id);
  g_debug ("Kicking a participant out of the session room");
  relais_janus_message_async (self->janus, handle, body, NULL, NULL,
                              ignore_answer_cb, (gpointer) "Kicking");
}

static guint64
member_id (JsonObject *obj,
           const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  return json_node_get_int (node) > 0 ? (guint64) json_node_get_int (node) : 0;
}

static void
claim_timer_stop (RelaisPresence *self)
{
  if (self->claim_timer != NULL)
    {
      g_source_destroy (self->claim_timer);
      g_clear_pointer (&self->claim_timer, g_source_unref);
    }
}

static gboolean
claim_expired_cb (gpointer user_data)
{
  RelaisPresence *self = user_data;

  g_clear_pointer (&self->claim_timer, g_source_unref);
  if (self->claim_id != 0 && self->winner_id == 0)
    {
      /* Holding the claim without ever publishing blocks the person (every
       * other advisor reads "déjà pris") and may be a silent listener:
       * out, with its subscriptions (require_pvtid), and the claim is
       * free for the next advisor to join. */
      g_debug ("The advisor holding the claim did not publish within %u ms: freeing it",
               self->claim_timeout_ms);
      kick (self, self->claim_id);
      self->claim_id = 0;
    }
  return G_SOURCE_REMOVE;
}

static void
claim_set (RelaisPresence *self,
           guint64         id)
{
  self->claim_id = id;
  claim_timer_stop (self);
  if (id != 0 && self->winner_id == 0)
    {
      /* On the context the gateway's events come in (the thread's). */
      self->claim_timer = g_timeout_source_new (self->claim_timeout_ms);
      g_source_set_callback (self->claim_timer, claim_expired_cb, self, NULL);
      g_source_set_static_name (self->claim_timer, "[relais] claim");
      g_source_attach (self->claim_timer, g_main_context_get_thread_default ());
    }
}

/* Every VideoRoom event of the session: the room call's handles see the
 * session room's participants come and publish.
 *
 * The first advisor to *join* holds the claim; anyone joining after is
 * kicked before they can publish, so the kiosk never subscribes to a
 * loser. The claim becomes the take when its holder publishes; a holder
 * that leaves first frees it. */
static void
janus_event_cb (RelaisJanus    *janus,
                guint64         handle,
                JsonNode       *data,
                JsonNode       *jsep,
                RelaisPresence *self)
{
  g_autoptr(GPtrArray) publishers = NULL;
  JsonObject *obj;
  JsonNode *joining;
  guint64 gone;

  if (self->stopped || self->session_room == 0 || data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    return;
  obj = json_node_get_object (data);
  if (member_id (obj, "room") != self->session_room)
    return;

  joining = json_object_get_member (obj, "joining");
  if (joining != NULL && JSON_NODE_HOLDS_OBJECT (joining))
    {
      guint64 id = member_id (json_node_get_object (joining), "id");

      if (id != 0 && g_hash_table_contains (self->refused, &id))
        kick (self, id);
      else if (id != 0 && self->claim_id == 0 && self->winner_id == 0)
        {
          g_debug ("An advisor joined the session room first");
          claim_set (self, id);
        }
      else if (id != 0 && id != self->claim_id && id != self->winner_id)
        kick (self, id);
    }

  /* Left on its own (not kicked: that is "kicked") without having taken
   * the person: Janus keeps the subscriptions of a participant that
   * leaves, so it may still be listening (PROTOCOL.md, section 4). Ids
   * only: nothing personal. */
  gone = member_id (obj, "leaving");
  if (gone != 0 && gone != self->winner_id &&
      (gone == self->claim_id || g_hash_table_contains (self->refused, &gone)))
    {
      /* Only the room's end ends such a subscription (PROTOCOL.md,
       * section 4). Waiting, the person moves to a fresh room, unseen;
       * in a call, the call ends rather than go on with a listener. */
      if (self->winner_id == 0)
        {
          g_message ("Participant %" G_GUINT64_FORMAT " left the session room on its own before "
                     "publishing: moving to a fresh room", gone);
          session_room_renew (self);
        }
      else
        {
          g_message ("Participant %" G_GUINT64_FORMAT " left the session room on its own during "
                     "the call: ending the room", gone);
          session_room_destroy (self, self->session_room, self->session_secret);
        }
      return;
    }

  gone = relais_janus_videoroom_parse_gone (data);
  if (gone != 0 && gone == self->claim_id && self->winner_id == 0)
    {
      g_debug ("The advisor holding the claim left before publishing");
      claim_set (self, 0);
    }

  publishers = relais_janus_videoroom_parse_publishers (data);
  for (guint i = 0; i < publishers->len; i++)
    {
      RelaisJanusPublisher *publisher = g_ptr_array_index (publishers, i);
      RelaisPresenceTag tag;
      g_autofree char *name = NULL;

      if (publisher->id == self->winner_id)
        continue;
      if (self->winner_id != 0 || (self->claim_id != 0 && publisher->id != self->claim_id) ||
          g_hash_table_contains (self->refused, &publisher->id))
        {
          /* Latecomers are kicked as they join; one that published
           * before its kick reached it is shown out here. */
          kick (self, publisher->id);
          continue;
        }
      self->winner_id = publisher->id;
      claim_set (self, publisher->id);
      if (relais_presence_tag_parse (publisher->display, &tag) && tag.kind == RELAIS_PRESENCE_TAG_ADVISOR)
        name = g_strdup (tag.name);
      else
        name = g_strdup (_("Conseiller"));
      relais_presence_tag_clear (&tag);
      g_debug ("An advisor took the session");
      wait_return (self, g_steal_pointer (&name), NULL);
    }
}

static void
janus_lost_cb (RelaisJanus    *janus,
               RelaisPresence *self)
{
  GHashTableIter iter;
  gpointer key;
  g_autoptr(GArray) rooms = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GError) error = NULL;

  self->generation++;
  self->ctl_handle = 0;
  self->ctl_attaching = FALSE;
  self->connecting = FALSE;
  self->polls_in_flight = 0;
  self->lobby_handle = 0;
  self->lobby_joined = FALSE;
  self->lobby_joining = FALSE;
  g_clear_handle_id (&self->beat_id, g_source_remove);
  error = g_error_new_literal (RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                               _("La connexion au serveur de visio est perdue."));
  ctl_waiters_flush (self, error);

  /* Nobody is known to be ready while we cannot see. */
  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (rooms, *(guint64 *) key);
  for (guint i = 0; i < rooms->len; i++)
    set_ready (self, g_array_index (rooms, guint64, i), 0);
}

static void
janus_reconnected_cb (RelaisJanus    *janus,
                      guint64         session_id,
                      RelaisPresence *self)
{
  if (self->stopped)
    return;
  self->generation++;
  self->ctl_handle = 0;
  self->ctl_attaching = FALSE;
  self->polls_in_flight = 0;
  if (self->wait_task != NULL)
    lobby_join (self);
  poll_now (self);
}

/* ---- GObject ------------------------------------------------------------ */

static void
relais_presence_dispose (GObject *object)
{
  RelaisPresence *self = (RelaisPresence *)object;

  self->stopped = TRUE;
  self->generation++;
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_handle_id (&self->beat_id, g_source_remove);
  claim_timer_stop (self);
  if (self->wait_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->wait_task);

      if (self->wait_cancel_id != 0)
        g_cancellable_disconnect (g_task_get_cancellable (task), self->wait_cancel_id);
      self->wait_cancel_id = 0;
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Presence disposed");
    }
  if (self->ctl_waiters != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Presence disposed");

      ctl_waiters_flush (self, error);
    }
  if (self->janus != NULL)
    g_signal_handlers_disconnect_by_data (self->janus, self);
  g_clear_object (&self->janus);

  G_OBJECT_CLASS (relais_presence_parent_class)->dispose (object);
}

static void
relais_presence_finalize (GObject *object)
{
  RelaisPresence *self = (RelaisPresence *)object;

  g_clear_pointer (&self->ctl_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_pointer (&self->refused, g_hash_table_unref);
  g_free (self->lobby_pin);
  g_free (self->session_pin);
  g_free (self->session_secret);
  g_free (self->ticket);
  g_free (self->subservice);
  g_free (self->site);

  G_OBJECT_CLASS (relais_presence_parent_class)->finalize (object);
}

static void
relais_presence_class_init (RelaisPresenceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_presence_dispose;
  object_class->finalize = relais_presence_finalize;

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
  signals[SESSION_ROOM_MOVED] =
    g_signal_new ("session-room-moved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
relais_presence_init (RelaisPresence *self)
{
  self->poll_ms = RELAIS_PRESENCE_POLL_MS;
  self->beat_ms = RELAIS_PRESENCE_HEARTBEAT_MS;
  self->claim_timeout_ms = RELAIS_PRESENCE_CLAIM_TIMEOUT_MS;
  self->refused = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->ctl_waiters = g_ptr_array_new ();
  self->watched = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/* ---- public API --------------------------------------------------------- */

RelaisPresence *
relais_presence_new (RelaisJanus *janus,
                     const char  *lobby_pin)
{
  RelaisPresence *self;

  g_return_val_if_fail (RELAIS_IS_JANUS (janus), NULL);

  self = g_object_new (RELAIS_TYPE_PRESENCE, NULL);
  self->janus = g_object_ref (janus);
  self->lobby_pin = g_strdup (lobby_pin);
  g_signal_connect (janus, "event", G_CALLBACK (janus_event_cb), self);
  g_signal_connect (janus, "lost", G_CALLBACK (janus_lost_cb), self);
  g_signal_connect (janus, "reconnected", G_CALLBACK (janus_reconnected_cb), self);
  return self;
}

void
relais_presence_set_poll_interval (RelaisPresence *self,
                                   guint           interval_ms)
{
  g_return_if_fail (RELAIS_IS_PRESENCE (self));
  g_return_if_fail (interval_ms > 0);

  self->poll_ms = interval_ms;
  if (self->poll_id != 0)
    {
      g_source_remove (self->poll_id);
      self->poll_id = g_timeout_add (self->poll_ms, poll_cb, self);
    }
}

void
relais_presence_set_heartbeat_interval (RelaisPresence *self,
                                        guint           interval_ms)
{
  g_return_if_fail (RELAIS_IS_PRESENCE (self));
  g_return_if_fail (interval_ms > 0);

  self->beat_ms = interval_ms;
}

void
relais_presence_set_claim_timeout (RelaisPresence *self,
                                   guint           timeout_ms)
{
  g_return_if_fail (RELAIS_IS_PRESENCE (self));
  g_return_if_fail (timeout_ms > 0);

  self->claim_timeout_ms = timeout_ms;
}

void
relais_presence_watch_room (RelaisPresence *self,
                            guint64         lobby_room)
{
  g_return_if_fail (RELAIS_IS_PRESENCE (self));
  g_return_if_fail (lobby_room > 0);

  if (g_hash_table_contains (self->watched, &lobby_room))
    return;
  g_hash_table_insert (self->watched, g_memdup2 (&lobby_room, sizeof lobby_room), GUINT_TO_POINTER (0));
  if (self->poll_id == 0 && !self->stopped)
    self->poll_id = g_timeout_add (self->poll_ms, poll_cb, self);
  poll_now (self);
}

guint
relais_presence_get_advisors_ready (RelaisPresence *self,
                                    guint64         lobby_room)
{
  g_return_val_if_fail (RELAIS_IS_PRESENCE (self), 0);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->watched, &lobby_room));
}

static char *
random_hex (guint n_bytes)
{
  GString *out = g_string_new (NULL);
  guint8 buffer[32];
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  gsize got = 0;

  g_return_val_if_fail (n_bytes <= sizeof buffer, NULL);

  /* The secret guards the session room: from the kernel's generator,
   * not GLib's Mersenne twister. A few bytes, read once per person. */
  file = g_file_new_for_path ("/dev/urandom");
  stream = g_file_read (file, NULL, &error);
  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, n_bytes, &got, NULL, &error) ||
      got != n_bytes)
    {
      g_warning ("No random bytes from the system; falling back to GLib's generator");
      for (guint i = 0; i < n_bytes; i++)
        buffer[i] = (guint8) g_random_int_range (0, 256);
    }
  for (guint i = 0; i < n_bytes; i++)
    g_string_append_printf (out, "%02x", buffer[i]);
  return g_string_free (out, FALSE);
}

/* A new identity for the session room (id, secret, pin) and nobody in it
 * yet: no claim, no winner, nobody refused. */
static void
session_room_pick (RelaisPresence *self)
{
  g_autofree char *id_hex = random_hex (8);
  guint64 random = g_ascii_strtoull (id_hex, NULL, 16);

  self->session_room = SESSION_ROOM_MIN + random % (SESSION_ROOM_MAX - SESSION_ROOM_MIN);
  g_free (self->session_secret);
  self->session_secret = random_hex (16);
  g_free (self->session_pin);
  self->session_pin = relais_presence_session_pin (self->lobby_pin, self->session_room);
  self->winner_id = 0;
  claim_set (self, 0);
  g_hash_table_remove_all (self->refused);
}

/* Ends @room for everyone in it, their subscriptions with them. */
static void
session_room_destroy (RelaisPresence *self,
                      guint64         room,
                      const char     *secret)
{
  g_autoptr(JsonNode) body = NULL;

  if (room == 0 || secret == NULL || self->ctl_handle == 0 ||
      relais_janus_get_state (self->janus) != RELAIS_JANUS_STATE_CONNECTED)
    return;
  body = body_new ("destroy", room);
  json_object_set_string_member (json_node_get_object (body), "secret", secret);
  relais_janus_message_async (self->janus, self->ctl_handle, body, NULL, NULL,
                              ignore_answer_cb, (gpointer) "Destroying the session room");
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RelaisPresence *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) data = NULL;
  GError *error = NULL;

  data = relais_janus_message_finish (RELAIS_JANUS (object), result, NULL, &error);
  if (data == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_debug ("Session room created");
  g_task_return_int (task, (gssize) self->session_room != 0);
}

static void
create_ctl_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RelaisPresence *self = RELAIS_PRESENCE (object);
  g_autoptr(JsonNode) body = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  body = session_room_create_body (self);
  cancellable = g_task_get_cancellable (task);
  relais_janus_message_async (self->janus, self->ctl_handle, body, NULL,
                              cancellable, create_cb, g_steal_pointer (&task));
}

/* The "create" request of the session room (PROTOCOL.md, section 2). */
static JsonNode *
session_room_create_body (RelaisPresence *self)
{
  JsonNode *body = body_new ("create", self->session_room);
  JsonObject *obj = json_node_get_object (body);

  json_object_set_boolean_member (obj, "permanent", FALSE);
  json_object_set_boolean_member (obj, "is_private", TRUE);
  json_object_set_string_member (obj, "description", "Relais");
  json_object_set_string_member (obj, "secret", self->session_secret);
  json_object_set_string_member (obj, "pin", self->session_pin);
  /* The kiosk, the advisor holding the claim, and one more: Janus's own
   * limit (error 432) must never refuse the claim holder because a
   * latecomer published before our kick reached it; the kiosk's claim
   * (janus_event_cb) decides, the limit only bounds the room. */
  json_object_set_int_member (obj, "publishers", 3);
  json_object_set_string_member (obj, "audiocodec", "opus");
  /* VP8 first (what every browser and the kiosk send by default); H.264
   * for a kiosk configured with video-codec=h264. */
  json_object_set_string_member (obj, "videocodec", "vp8,h264");
  json_object_set_boolean_member (obj, "notify_joining", TRUE);
  /* A subscription must show the private id of a participant of the room:
   * nobody listens without being seen joining (notify_joining), and a
   * participant we kick loses its subscriptions with it. */
  json_object_set_boolean_member (obj, "require_pvtid", TRUE);
  return body;
}

typedef struct
{
  RelaisPresence *self;
  guint           generation;
  guint64         old_room;
  char           *old_secret;
} Renew;

static void
renew_created_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Renew *renew = user_data;
  g_autoptr(RelaisPresence) self = renew->self;
  g_autofree char *old_secret = renew->old_secret;
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(GError) error = NULL;
  guint64 old_room = renew->old_room;
  gboolean current = renew->generation == self->generation && !self->stopped;

  g_free (renew);
  data = relais_janus_message_finish (RELAIS_JANUS (object), result, NULL, &error);
  if (current && data == NULL)
    {
      g_debug ("Creating the fresh session room failed: %s", error->message);
      wait_return (self, NULL, g_error_new_literal (RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                                                    _("Le serveur de visio ne répond pas.")));
    }
  else if (current)
    {
      g_debug ("In a fresh session room");
      /* The owner moves the person's call there first, then the old room
       * ends: the kiosk's own handles there are let go already. */
      g_signal_emit (self, signals[SESSION_ROOM_MOVED], 0, self->session_room);
      /* Advisors see the new room in the lobby at once. */
      if (self->lobby_joined)
        beat_cb (self);
    }
  session_room_destroy (self, old_room, old_secret);
}

/* A fresh room for the person, then the old one ends with whatever
 * subscriptions it held. */
static void
session_room_renew (RelaisPresence *self)
{
  g_autoptr(JsonNode) body = NULL;
  Renew *renew;

  if (self->ctl_handle == 0 || relais_janus_get_state (self->janus) != RELAIS_JANUS_STATE_CONNECTED)
    return;
  renew = g_new0 (Renew, 1);
  renew->self = g_object_ref (self);
  renew->generation = self->generation;
  renew->old_room = self->session_room;
  renew->old_secret = g_steal_pointer (&self->session_secret);
  session_room_pick (self);
  body = session_room_create_body (self);
  relais_janus_message_async (self->janus, self->ctl_handle, body, NULL, NULL,
                              renew_created_cb, renew);
}

void
relais_presence_create_session_room_async (RelaisPresence      *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RELAIS_IS_PRESENCE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_presence_create_session_room_async);

  session_room_pick (self);
  ctl_ensure (self, create_ctl_cb, g_steal_pointer (&task));
}

guint64
relais_presence_create_session_room_finish (RelaisPresence  *self,
                                            GAsyncResult    *result,
                                            GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  if (!g_task_propagate_int (G_TASK (result), error))
    return 0;
  return self->session_room;
}

guint64
relais_presence_get_session_room (RelaisPresence *self)
{
  g_return_val_if_fail (RELAIS_IS_PRESENCE (self), 0);
  return self->session_room;
}

const char *
relais_presence_get_session_pin (RelaisPresence *self)
{
  g_return_val_if_fail (RELAIS_IS_PRESENCE (self), NULL);
  return self->session_pin;
}

void
relais_presence_wait_async (RelaisPresence      *self,
                            guint64              lobby_room,
                            const char          *ticket,
                            const char          *subservice,
                            const char          *site,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RELAIS_IS_PRESENCE (self));
  g_return_if_fail (lobby_room > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_presence_wait_async);

  if (self->wait_task != NULL || self->session_room == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "Already waiting, or no session room");
      return;
    }
  if (self->winner_id != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The session room was already taken");
      return;
    }

  self->lobby_room = lobby_room;
  g_free (self->ticket);
  self->ticket = g_strdup (ticket);
  g_free (self->subservice);
  self->subservice = g_strdup (subservice);
  g_free (self->site);
  self->site = g_strdup (site);
  self->arrived = g_get_real_time () / G_USEC_PER_SEC;
  self->beat = 0;
  self->wait_task = g_steal_pointer (&task);
  if (cancellable != NULL)
    self->wait_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (wait_cancelled_cb),
                                                  self, NULL);
  lobby_join (self);
}

char *
relais_presence_wait_finish (RelaisPresence  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
relais_presence_stop (RelaisPresence *self)
{
  g_return_if_fail (RELAIS_IS_PRESENCE (self));

  if (self->wait_task != NULL)
    wait_return (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped"));
  lobby_leave (self);
  session_room_destroy (self, self->session_room, self->session_secret);
  self->stopped = TRUE;
  self->generation++;
  g_clear_handle_id (&self->poll_id, g_source_remove);
  claim_timer_stop (self);
  {
    /* Answers of this generation are dropped now: nobody else would
     * release the waiters (and the references they hold). */
    g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped");

    ctl_waiters_flush (self, error);
  }
}
