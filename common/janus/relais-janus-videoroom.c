/* relais-janus-videoroom.c
 *
 * The VideoRoom plugin's requests (create a room, join, publish,
 * subscribe, start, update, leave) and its errors, over RelaisJanus's
 * session (relais_janus_message_async).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-janus"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "relais-error.h"
#include "relais-janus-private.h"

/* VideoRoom error codes (plugins/janus_videoroom.c). */
#define VIDEOROOM_ERROR_JOIN_FIRST          424
#define VIDEOROOM_ERROR_ALREADY_JOINED      425
#define VIDEOROOM_ERROR_NO_SUCH_ROOM        426
#define VIDEOROOM_ERROR_ROOM_EXISTS         427
#define VIDEOROOM_ERROR_NO_SUCH_FEED        428
#define VIDEOROOM_ERROR_INVALID_SDP_TYPE    431
#define VIDEOROOM_ERROR_PUBLISHERS_FULL     432
#define VIDEOROOM_ERROR_UNAUTHORIZED        433
#define VIDEOROOM_ERROR_ALREADY_PUBLISHED   434
#define VIDEOROOM_ERROR_NOT_PUBLISHED       435
#define VIDEOROOM_ERROR_ID_EXISTS           436
#define VIDEOROOM_ERROR_INVALID_SDP         437

/* A plugin's answer {"videoroom":"event","error_code":…,"error":…}, or NULL
 * when @data is not an error. */
GError *
_relais_janus_error_from_plugin (const char *plugin,
                                 JsonObject *data)
{
  gint64 code = _relais_janus_object_get_int (data, "error_code", 0);
  const char *reason = _relais_janus_object_get_string (data, "error");
  const char *sentence = _("Le serveur de visio a refusé la demande.");

  if (code == 0 && reason == NULL)
    return NULL;

  if (g_strcmp0 (plugin, "janus.plugin.videoroom") == 0)
    {
      switch (code)
        {
        case VIDEOROOM_ERROR_NO_SUCH_ROOM:
          sentence = _("La salle de visio n'existe pas sur le serveur.");
          break;
        case VIDEOROOM_ERROR_ROOM_EXISTS:
          sentence = _("La salle de visio existe déjà sur le serveur.");
          break;
        case VIDEOROOM_ERROR_UNAUTHORIZED:
          sentence = _("L'accès à la salle de visio a été refusé (code d'accès incorrect).");
          break;
        case VIDEOROOM_ERROR_PUBLISHERS_FULL:
          sentence = _("La salle de visio est complète.");
          break;
        case VIDEOROOM_ERROR_NO_SUCH_FEED:
          sentence = _("La personne demandée ne diffuse plus dans la salle de visio.");
          break;
        case VIDEOROOM_ERROR_JOIN_FIRST:
          sentence = _("Il faut d'abord entrer dans la salle de visio.");
          break;
        case VIDEOROOM_ERROR_ALREADY_JOINED:
          sentence = _("Déjà présent dans la salle de visio.");
          break;
        case VIDEOROOM_ERROR_ALREADY_PUBLISHED:
          sentence = _("L'image et le son sont déjà diffusés dans la salle de visio.");
          break;
        case VIDEOROOM_ERROR_NOT_PUBLISHED:
          sentence = _("L'image et le son ne sont pas diffusés dans la salle de visio.");
          break;
        case VIDEOROOM_ERROR_ID_EXISTS:
          sentence = _("Cet identifiant est déjà utilisé dans la salle de visio.");
          break;
        case VIDEOROOM_ERROR_INVALID_SDP:
        case VIDEOROOM_ERROR_INVALID_SDP_TYPE:
          sentence = _("Le serveur de visio a refusé la description de la communication (SDP).");
          break;
        default:
          break;
        }
    }

  g_debug ("Plugin error %" G_GINT64_FORMAT, code);
  return _relais_janus_new_error (sentence, reason);
}

/* ---- VideoRoom ---------------------------------------------------------- */

void
relais_janus_publisher_free (RelaisJanusPublisher *publisher)
{
  if (publisher == NULL)
    return;
  g_free (publisher->display);
  g_clear_pointer (&publisher->streams, json_node_unref);
  g_free (publisher);
}

GPtrArray *
relais_janus_videoroom_parse_publishers (JsonNode *data)
{
  GPtrArray *publishers = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_janus_publisher_free);
  JsonObject *obj;
  JsonNode *list;
  JsonArray *array;

  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    return publishers;
  obj = json_node_get_object (data);
  list = json_object_get_member (obj, "publishers");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return publishers;

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *pub;
      RelaisJanusPublisher *publisher;
      gint64 id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      pub = json_node_get_object (element);
      id = _relais_janus_object_get_int (pub, "id", 0);
      if (id <= 0)
        continue;
      publisher = g_new0 (RelaisJanusPublisher, 1);
      publisher->id = (guint64) id;
      publisher->display = g_strdup (_relais_janus_object_get_string (pub, "display"));
      publisher->streams = _relais_janus_object_dup_member (pub, "streams");
      g_ptr_array_add (publishers, publisher);
    }
  return publishers;
}

guint64
relais_janus_videoroom_parse_gone (JsonNode *data)
{
  JsonObject *obj;
  gint64 id;

  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    return 0;
  obj = json_node_get_object (data);
  /* "unpublished": "ok" / "leaving": "ok" answer our own requests: strings,
   * so _relais_janus_object_get_int() skips them. */
  id = _relais_janus_object_get_int (obj, "unpublished", 0);
  if (id <= 0)
    id = _relais_janus_object_get_int (obj, "leaving", 0);
  /* A participant the room's owner kicked: Janus 1.1 tells the others
   * "kicked": id instead of "leaving". */
  if (id <= 0)
    id = _relais_janus_object_get_int (obj, "kicked", 0);
  return id > 0 ? (guint64) id : 0;
}

static void
videoroom_message (RelaisJanus         *janus,
                   guint64              handle_id,
                   JsonObject          *body,
                   JsonNode            *jsep,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  message_cb,
                   GTask               *task)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), body);

  json_object_unref (body);
  relais_janus_message_async (janus, handle_id, node, jsep, cancellable, message_cb, task);
}

static JsonNode *
videoroom_finish (GObject       *object,
                  GAsyncResult  *result,
                  JsonNode     **jsep_out,
                  GError       **error)
{
  return relais_janus_message_finish (RELAIS_JANUS (object), result, jsep_out, error);
}

/* {"request": @request}, for the caller to complete. */
static JsonObject *
videoroom_body_new (const char *request)
{
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "request", request);
  return body;
}

static GTask *
helper_task_new (RelaisJanus         *janus,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data,
                 gpointer             source_tag)
{
  GTask *task = g_task_new (janus, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  return task;
}

/* For the helpers whose answer only says the request was done. */
static void
ok_result_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) data = NULL;
  GError *error = NULL;

  data = videoroom_finish (object, result, NULL, &error);
  if (data == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
relais_janus_videoroom_create_room_async (RelaisJanus         *janus,
                                          guint64              handle_id,
                                          guint64              room,
                                          const char          *description,
                                          guint                max_publishers,
                                          guint                bitrate,
                                          const char          *pin,
                                          const char          *secret,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  GTask *task = helper_task_new (janus, cancellable, callback, user_data,
                                 relais_janus_videoroom_create_room_async);
  JsonObject *body = videoroom_body_new ("create");

  json_object_set_int_member (body, "room", (gint64) room);
  json_object_set_boolean_member (body, "permanent", FALSE);
  if (description != NULL)
    json_object_set_string_member (body, "description", description);
  if (max_publishers > 0)
    json_object_set_int_member (body, "publishers", max_publishers);
  if (bitrate > 0)
    json_object_set_int_member (body, "bitrate", bitrate);
  if (pin != NULL)
    json_object_set_string_member (body, "pin", pin);
  if (secret != NULL)
    json_object_set_string_member (body, "secret", secret);
  json_object_set_string_member (body, "audiocodec", "opus");
  /* VP8 first (what every browser and the kiosk send by default); H.264
   * for a kiosk configured with video-codec=h264. */
  json_object_set_string_member (body, "videocodec", "vp8,h264");
  json_object_set_boolean_member (body, "notify_joining", TRUE);
  videoroom_message (janus, handle_id, body, NULL, cancellable, ok_result_cb, task);
}

gboolean
relais_janus_videoroom_create_room_finish (RelaisJanus   *janus,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, janus), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  guint64    id;
  guint64    private_id;
  GPtrArray *publishers;
} JoinResult;

static void
join_result_free (gpointer data)
{
  JoinResult *res = data;

  g_clear_pointer (&res->publishers, g_ptr_array_unref);
  g_free (res);
}

/* Our id in a {"videoroom":"joined","id":…,"private_id":…} answer, 0 when
 * @data is anything else (fuzzed by tests/fuzz/fuzz-videoroom-reply.c). */
guint64
_relais_janus_videoroom_parse_joined (JsonObject *data,
                                      guint64    *private_id_out)
{
  gint64 id = _relais_janus_object_get_int (data, "id", 0);

  if (private_id_out != NULL)
    *private_id_out = 0;
  if (g_strcmp0 (_relais_janus_object_get_string (data, "videoroom"), "joined") != 0 || id <= 0)
    return 0;
  /* What our subscriptions in this room show, where the room requires it
   * (require_pvtid: the session rooms of PROTOCOL.md). */
  if (private_id_out != NULL)
    *private_id_out = (guint64) MAX (_relais_janus_object_get_int (data, "private_id", 0), 0);
  return (guint64) id;
}

static void
join_publisher_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) data = NULL;
  GError *error = NULL;
  JoinResult *res;
  guint64 private_id;
  guint64 id;

  data = videoroom_finish (object, result, NULL, &error);
  if (data == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  id = _relais_janus_videoroom_parse_joined (json_node_get_object (data), &private_id);
  if (id == 0)
    {
      g_task_return_error (task, _relais_janus_error_unexpected_reply ());
      return;
    }
  res = g_new0 (JoinResult, 1);
  res->id = id;
  res->private_id = private_id;
  res->publishers = relais_janus_videoroom_parse_publishers (data);
  g_task_return_pointer (task, res, join_result_free);
}

void
relais_janus_videoroom_join_publisher_async (RelaisJanus         *janus,
                                             guint64              handle_id,
                                             guint64              room,
                                             const char          *display,
                                             const char          *pin,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  GTask *task = helper_task_new (janus, cancellable, callback, user_data,
                                 relais_janus_videoroom_join_publisher_async);
  JsonObject *body = videoroom_body_new ("join");

  json_object_set_string_member (body, "ptype", "publisher");
  json_object_set_int_member (body, "room", (gint64) room);
  if (display != NULL)
    json_object_set_string_member (body, "display", display);
  if (pin != NULL)
    json_object_set_string_member (body, "pin", pin);
  videoroom_message (janus, handle_id, body, NULL, cancellable, join_publisher_cb, task);
}

guint64
relais_janus_videoroom_join_publisher_finish (RelaisJanus   *janus,
                                              GAsyncResult  *result,
                                              GPtrArray    **publishers_out,
                                              GError       **error)
{
  return relais_janus_videoroom_join_publisher_finish_full (janus, result, publishers_out, NULL, error);
}

guint64
relais_janus_videoroom_join_publisher_finish_full (RelaisJanus   *janus,
                                                   GAsyncResult  *result,
                                                   GPtrArray    **publishers_out,
                                                   guint64       *private_id_out,
                                                   GError       **error)
{
  JoinResult *res;
  guint64 id;

  g_return_val_if_fail (g_task_is_valid (result, janus), 0);

  if (publishers_out != NULL)
    *publishers_out = NULL;
  if (private_id_out != NULL)
    *private_id_out = 0;
  res = g_task_propagate_pointer (G_TASK (result), error);
  if (res == NULL)
    return 0;
  id = res->id;
  if (publishers_out != NULL)
    *publishers_out = g_steal_pointer (&res->publishers);
  if (private_id_out != NULL)
    *private_id_out = res->private_id;
  join_result_free (res);
  return id;
}

/* For the helpers that end with a JSEP: @required says whether its
 * absence is an error. */
static void
jsep_result_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(JsonNode) jsep = NULL;
  gboolean required = GPOINTER_TO_INT (g_task_get_task_data (task));
  GError *error = NULL;

  data = videoroom_finish (object, result, &jsep, &error);
  if (data == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (jsep == NULL && required)
    {
      g_task_return_error (task,
                           _relais_janus_new_error (_("Le serveur de visio n'a pas envoyé de description de la communication (SDP)."),
                                      NULL));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&jsep), (GDestroyNotify) json_node_unref);
}

void
relais_janus_videoroom_publish_async (RelaisJanus         *janus,
                                      guint64              handle_id,
                                      JsonNode            *offer,
                                      gboolean             audio,
                                      gboolean             video,
                                      gboolean             data,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = helper_task_new (janus, cancellable, callback, user_data,
                                 relais_janus_videoroom_publish_async);
  JsonObject *body = videoroom_body_new ("configure");

  g_return_if_fail (offer != NULL);

  g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
  json_object_set_boolean_member (body, "audio", audio);
  json_object_set_boolean_member (body, "video", video);
  json_object_set_boolean_member (body, "data", data);
  videoroom_message (janus, handle_id, body, offer, cancellable, jsep_result_cb, task);
}

JsonNode *
relais_janus_videoroom_publish_finish (RelaisJanus   *janus,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, janus), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static JsonArray *
feeds_array (const guint64 *feeds,
             guint          n_feeds)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < n_feeds; i++)
    {
      JsonObject *stream = json_object_new ();

      json_object_set_int_member (stream, "feed", (gint64) feeds[i]);
      json_array_add_object_element (array, stream);
    }
  return array;
}

void
relais_janus_videoroom_subscribe_async (RelaisJanus         *janus,
                                        guint64              handle_id,
                                        guint64              room,
                                        const guint64       *feeds,
                                        guint                n_feeds,
                                        const char          *pin,
                                        guint64              private_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task = helper_task_new (janus, cancellable, callback, user_data,
                                 relais_janus_videoroom_subscribe_async);
  JsonObject *body = videoroom_body_new ("join");

  g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
  json_object_set_string_member (body, "ptype", "subscriber");
  json_object_set_int_member (body, "room", (gint64) room);
  json_object_set_array_member (body, "streams", feeds_array (feeds, n_feeds));
  if (pin != NULL)
    json_object_set_string_member (body, "pin", pin);
  if (private_id != 0)
    json_object_set_int_member (body, "private_id", (gint64) private_id);
  videoroom_message (janus, handle_id, body, NULL, cancellable, jsep_result_cb, task);
}

JsonNode *
relais_janus_videoroom_subscribe_finish (RelaisJanus   *janus,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, janus), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
relais_janus_videoroom_start_async (RelaisJanus         *janus,
                                    guint64              handle_id,
                                    JsonNode            *answer,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task = helper_task_new (janus, cancellable, callback, user_data,
                                 relais_janus_videoroom_start_async);
  JsonObject *body = videoroom_body_new ("start");

  videoroom_message (janus, handle_id, body, answer, cancellable, ok_result_cb, task);
}

gboolean
relais_janus_videoroom_start_finish (RelaisJanus   *janus,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, janus), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
relais_janus_videoroom_update_async (RelaisJanus         *janus,
                                     guint64              handle_id,
                                     const guint64       *add,
                                     guint                n_add,
                                     const guint64       *remove,
                                     guint                n_remove,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task = helper_task_new (janus, cancellable, callback, user_data,
                                 relais_janus_videoroom_update_async);
  JsonObject *body = videoroom_body_new ("update");

  g_task_set_task_data (task, GINT_TO_POINTER (FALSE), NULL);
  if (n_add > 0)
    json_object_set_array_member (body, "subscribe", feeds_array (add, n_add));
  if (n_remove > 0)
    json_object_set_array_member (body, "unsubscribe", feeds_array (remove, n_remove));
  videoroom_message (janus, handle_id, body, NULL, cancellable, jsep_result_cb, task);
}

JsonNode *
relais_janus_videoroom_update_finish (RelaisJanus   *janus,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, janus), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
relais_janus_videoroom_leave_async (RelaisJanus         *janus,
                                    guint64              handle_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task = helper_task_new (janus, cancellable, callback, user_data,
                                 relais_janus_videoroom_leave_async);
  JsonObject *body = videoroom_body_new ("leave");

  videoroom_message (janus, handle_id, body, NULL, cancellable, ok_result_cb, task);
}

gboolean
relais_janus_videoroom_leave_finish (RelaisJanus   *janus,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, janus), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
relais_janus_videoroom_configure_substream_async (RelaisJanus         *janus,
                                                  guint64              handle_id,
                                                  const char * const  *mids,
                                                  int                  substream,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data)
{
  GTask *task = helper_task_new (janus, cancellable, callback, user_data,
                                 relais_janus_videoroom_configure_substream_async);
  JsonObject *body = videoroom_body_new ("configure");
  JsonArray *streams = json_array_new ();

  g_return_if_fail (mids != NULL);

  for (guint i = 0; mids[i] != NULL; i++)
    {
      JsonObject *stream = json_object_new ();

      json_object_set_string_member (stream, "mid", mids[i]);
      json_object_set_int_member (stream, "substream", substream);
      json_array_add_object_element (streams, stream);
    }
  json_object_set_array_member (body, "streams", streams);
  videoroom_message (janus, handle_id, body, NULL, cancellable, ok_result_cb, task);
}

gboolean
relais_janus_videoroom_configure_substream_finish (RelaisJanus   *janus,
                                                   GAsyncResult  *result,
                                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, janus), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
