/* relais-janus.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-janus"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "relais-error.h"
#include "relais-janus.h"

/* Janus holds a long poll for 30 s, then answers with a keep-alive. */
#define LONG_POLL_TIMEOUT_MS     45000
#define KEEPALIVE_TIMEOUT_MS     5000
#define DEFAULT_EVENT_TIMEOUT_MS 20000
#define RECONNECT_MAX_DELAY_S    10

/* Janus core error codes (janus/apierror.h). */
#define JANUS_ERROR_UNAUTHORIZED            403
#define JANUS_ERROR_UNAUTHORIZED_PLUGIN     405
#define JANUS_ERROR_SESSION_NOT_FOUND       458
#define JANUS_ERROR_HANDLE_NOT_FOUND        459
#define JANUS_ERROR_PLUGIN_NOT_FOUND        460
#define JANUS_ERROR_PLUGIN_ATTACH           461
#define JANUS_ERROR_JSEP_INVALID_SDP        465

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

struct _RelaisJanus
{
  GObject            parent_instance;

  RelaisHttpClient  *client;
  GMainContext      *context;
  char              *base_url;              /* no trailing slash */
  char              *secret;

  RelaisJanusState   state;
  guint64            session_id;
  guint              keepalive_ms;
  guint              event_timeout_ms;

  /* Cancels the long poll, keep-alives and POSTs of the current session
   * (or of the connection attempt). */
  GCancellable      *session_cancellable;
  GHashTable        *queues;                /* handle id (guint64 *) → HandleQueue */
  GHashTable        *transactions;          /* transaction → GTask, awaiting an event */
  GSource           *keepalive_source;
  gboolean           keepalive_in_flight;
  GSource           *reconnect_source;
  guint              reconnect_attempt;
  gint64             lost_at;               /* monotonic µs, for the logs */
  guint64            transaction_counter;
  gboolean           destroying;            /* "destroy" queued or sent */
  gboolean           disposed;
};

G_DEFINE_FINAL_TYPE (RelaisJanus, relais_janus, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (RelaisJanusState, relais_janus_state,
  G_DEFINE_ENUM_VALUE (RELAIS_JANUS_STATE_DISCONNECTED, "disconnected"),
  G_DEFINE_ENUM_VALUE (RELAIS_JANUS_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (RELAIS_JANUS_STATE_CONNECTED, "connected"),
  G_DEFINE_ENUM_VALUE (RELAIS_JANUS_STATE_RECONNECTING, "reconnecting"))

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_BASE_URL,
  PROP_SECRET,
  PROP_STATE,
  PROP_SESSION_ID,
  PROP_KEEPALIVE_INTERVAL,
  PROP_EVENT_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_EVENT,
  SIGNAL_WEBRTCUP,
  SIGNAL_MEDIA,
  SIGNAL_HANGUP,
  SIGNAL_SLOWLINK,
  SIGNAL_DETACHED,
  SIGNAL_LOST,
  SIGNAL_RECONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum
{
  OP_CREATE,
  OP_ATTACH,
  OP_MESSAGE,
  OP_TRICKLE,
  OP_DETACH,
  OP_DESTROY,
} Op;

/* The task data of one request. */
typedef struct
{
  Op            op;
  guint64       handle_id;              /* 0 for the session itself */
  char         *transaction;
  JsonNode     *body;                   /* the whole Janus request */
  JsonNode     *early_event;            /* the event, when it beat the "ack" */
  gboolean      acked;
  gboolean      done;
  GCancellable *cancellable;            /* the caller's */
  gulong        cancelled_id;
  GSource      *timeout_source;
} Request;

/* One queue per handle: a request is POSTed once the previous one of the
 * same handle has been answered. Holds a reference on each task. */
typedef struct
{
  guint64  handle_id;
  GQueue   pending;                     /* GTask */
  GTask   *current;                     /* POSTed, not answered yet */
} HandleQueue;

typedef struct
{
  JsonNode *data;
  JsonNode *jsep;
} MessageResult;

/* Callbacks of the long poll, keep-alives and reconnection hold no strong
 * reference (they would keep the object alive forever): a weak one, and
 * the session they belong to. */
typedef struct
{
  GWeakRef self;
  guint64  session_id;
} LoopRef;

static void queue_pump           (RelaisJanus *self,
                                  guint64      handle_id);
static void stop_session_sources (RelaisJanus *self);
static void lose_session       (RelaisJanus *self,
                                const char  *why);
static void long_poll_start    (RelaisJanus *self);
static void keepalive_schedule (RelaisJanus *self);

/* ---- small helpers ------------------------------------------------------ */

static void
request_free (gpointer data)
{
  Request *req = data;

  g_assert (req->cancelled_id == 0);
  g_assert (req->timeout_source == NULL);

  g_free (req->transaction);
  g_clear_pointer (&req->body, json_node_unref);
  g_clear_pointer (&req->early_event, json_node_unref);
  g_clear_object (&req->cancellable);
  g_free (req);
}

static void
message_result_free (gpointer data)
{
  MessageResult *res = data;

  g_clear_pointer (&res->data, json_node_unref);
  g_clear_pointer (&res->jsep, json_node_unref);
  g_free (res);
}

static void
handle_queue_free (gpointer data)
{
  HandleQueue *queue = data;

  g_queue_clear_full (&queue->pending, g_object_unref);
  g_clear_object (&queue->current);
  g_free (queue);
}

static LoopRef *
loop_ref_new (RelaisJanus *self)
{
  LoopRef *ref = g_new0 (LoopRef, 1);

  g_weak_ref_init (&ref->self, self);
  ref->session_id = self->session_id;
  return ref;
}

static void
loop_ref_free (LoopRef *ref)
{
  g_weak_ref_clear (&ref->self);
  g_free (ref);
}

/* Frees @ref. Returns the object, if it still exists and still runs the
 * same session. */
static RelaisJanus *
loop_ref_take (LoopRef *ref)
{
  RelaisJanus *self = g_weak_ref_get (&ref->self);
  guint64 session_id = ref->session_id;

  loop_ref_free (ref);
  if (self == NULL)
    return NULL;
  if (self->disposed || self->session_id != session_id)
    {
      g_object_unref (self);
      return NULL;
    }
  return self;
}

static void
set_state (RelaisJanus      *self,
           RelaisJanusState  state)
{
  if (self->state == state)
    return;
  g_debug ("State %d → %d", self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_session_id (RelaisJanus *self,
                guint64      session_id)
{
  if (self->session_id == session_id)
    return;
  self->session_id = session_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION_ID]);
}

static char *
new_transaction (RelaisJanus *self)
{
  return g_strdup_printf ("r%" G_GUINT64_FORMAT "-%08x", ++self->transaction_counter,
                          g_random_int ());
}

static JsonObject *
new_request_object (RelaisJanus *self,
                    const char  *janus,
                    const char  *transaction)
{
  JsonObject *obj = json_object_new ();

  json_object_set_string_member (obj, "janus", janus);
  json_object_set_string_member (obj, "transaction", transaction);
  if (self->secret != NULL)
    {
      /* Janus accepts either an API secret or a stored token; unused
       * members are ignored. */
      json_object_set_string_member (obj, "apisecret", self->secret);
      json_object_set_string_member (obj, "token", self->secret);
    }
  return obj;
}

static char *
session_url (RelaisJanus *self,
             guint64      session_id,
             guint64      handle_id)
{
  if (session_id == 0)
    return g_strdup (self->base_url);
  if (handle_id == 0)
    return g_strdup_printf ("%s/%" G_GUINT64_FORMAT, self->base_url, session_id);
  return g_strdup_printf ("%s/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                          self->base_url, session_id, handle_id);
}

static const char *
object_get_string (JsonObject *obj,
                   const char *member)
{
  JsonNode *node;

  if (obj == NULL)
    return NULL;
  node = json_object_get_member (obj, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
object_get_int (JsonObject *obj,
                const char *member,
                gint64      fallback)
{
  JsonNode *node;

  if (obj == NULL)
    return fallback;
  node = json_object_get_member (obj, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}

static gboolean
object_get_bool (JsonObject *obj,
                 const char *member,
                 gboolean    fallback)
{
  JsonNode *node;

  if (obj == NULL)
    return fallback;
  node = json_object_get_member (obj, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

static JsonObject *
object_get_object (JsonObject *obj,
                   const char *member)
{
  JsonNode *node;

  if (obj == NULL)
    return NULL;
  node = json_object_get_member (obj, member);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

static JsonNode *
object_dup_member (JsonObject *obj,
                   const char *member)
{
  JsonNode *node;

  if (obj == NULL)
    return NULL;
  node = json_object_get_member (obj, member);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return json_node_copy (node);
}

/* The id in the {"janus":"success","data":{"id":…}} answer to "create" or
 * "attach", or 0 for any other reply. */
static gint64
reply_get_new_id (JsonObject *reply)
{
  if (g_strcmp0 (object_get_string (reply, "janus"), "success") != 0)
    return 0;
  return object_get_int (object_get_object (reply, "data"), "id", 0);
}

static GError *
new_error (const char *sentence,
           const char *reason)
{
  if (reason != NULL && *reason != '\0')
    return g_error_new (RELAIS_ERROR, RELAIS_ERROR_NETWORK, "%s (%s)", sentence, reason);
  return g_error_new_literal (RELAIS_ERROR, RELAIS_ERROR_NETWORK, sentence);
}

static GError *
error_lost (void)
{
  return new_error (_("La connexion avec le serveur de visio a été perdue."), NULL);
}

static GError *
error_not_connected (void)
{
  return new_error (_("Pas de connexion au serveur de visio."), NULL);
}

static GError *
error_unexpected_reply (void)
{
  return new_error (_("Réponse inattendue du serveur de visio."), NULL);
}

static GError *
error_cancelled (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              _("La requête a été annulée."));
}

/* {"janus":"error","error":{"code":…,"reason":…}} */
static GError *
error_from_janus (JsonObject *reply,
                  gint64     *code_out)
{
  JsonObject *err = object_get_object (reply, "error");
  gint64 code = object_get_int (err, "code", 0);
  const char *reason = object_get_string (err, "reason");
  const char *sentence;

  switch (code)
    {
    case JANUS_ERROR_UNAUTHORIZED:
    case JANUS_ERROR_UNAUTHORIZED_PLUGIN:
      sentence = _("Le serveur de visio a refusé l'accès (secret ou jeton incorrect).");
      break;
    case JANUS_ERROR_SESSION_NOT_FOUND:
      sentence = _("La session avec le serveur de visio a expiré.");
      break;
    case JANUS_ERROR_HANDLE_NOT_FOUND:
      sentence = _("Le serveur de visio ne reconnaît plus cette communication.");
      break;
    case JANUS_ERROR_PLUGIN_NOT_FOUND:
    case JANUS_ERROR_PLUGIN_ATTACH:
      sentence = _("Le service de visio demandé n'est pas disponible sur le serveur.");
      break;
    case JANUS_ERROR_JSEP_INVALID_SDP:
      sentence = _("Le serveur de visio a refusé la description de la communication (SDP).");
      break;
    default:
      sentence = _("Le serveur de visio a refusé la demande.");
      break;
    }

  if (code_out != NULL)
    *code_out = code;
  g_debug ("Janus error %" G_GINT64_FORMAT, code);
  return new_error (sentence, reason);
}

/* A plugin's answer {"videoroom":"event","error_code":…,"error":…}, or NULL
 * when @data is not an error. */
static GError *
error_from_plugin (const char *plugin,
                   JsonObject *data)
{
  gint64 code = object_get_int (data, "error_code", 0);
  const char *reason = object_get_string (data, "error");
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
  return new_error (sentence, reason);
}

/* ---- requests ----------------------------------------------------------- */

/* Completes @task once; later calls (a reply after a cancellation, an
 * event after a time-out) are ignored. Takes @result and @error. */
static void
request_return (GTask          *task,
                gpointer        result,
                GDestroyNotify  result_free,
                GError         *error)
{
  /* Completing the task may drop the last other reference to it. */
  G_GNUC_UNUSED g_autoptr(GTask) keep = g_object_ref (task);
  Request *req = g_task_get_task_data (task);
  RelaisJanus *self = g_task_get_source_object (task);

  if (req->done)
    {
      if (result != NULL && result_free != NULL)
        result_free (result);
      g_clear_error (&error);
      return;
    }
  req->done = TRUE;

  if (req->cancelled_id != 0)
    g_cancellable_disconnect (req->cancellable, req->cancelled_id);
  req->cancelled_id = 0;
  if (req->timeout_source != NULL)
    {
      g_source_destroy (req->timeout_source);
      g_clear_pointer (&req->timeout_source, g_source_unref);
    }
  if (req->transaction != NULL &&
      g_hash_table_lookup (self->transactions, req->transaction) == task)
    g_hash_table_remove (self->transactions, req->transaction);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, result_free);
}

static gboolean
request_cancel_idle_cb (gpointer user_data)
{
  GTask *task = user_data;
  Request *req = g_task_get_task_data (task);
  RelaisJanus *self = g_task_get_source_object (task);

  if (req->done)
    return G_SOURCE_REMOVE;
  /* A cancelled connection attempt stops at once. */
  if (req->op == OP_CREATE && self->state == RELAIS_JANUS_STATE_CONNECTING)
    {
      stop_session_sources (self);
      set_state (self, RELAIS_JANUS_STATE_DISCONNECTED);
    }
  request_return (task, NULL, NULL, error_cancelled ());
  return G_SOURCE_REMOVE;
}

/* May run in any thread, and inside g_cancellable_cancel(), where
 * disconnecting would deadlock: complete from the object's context. */
static void
request_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  GTask *task = user_data;
  RelaisJanus *self = g_task_get_source_object (task);
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[relais] janus request cancelled");
  g_source_set_callback (source, request_cancel_idle_cb, g_object_ref (task), g_object_unref);
  g_source_attach (source, self->context);
}

static gboolean
request_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Request *req = g_task_get_task_data (task);

  g_clear_pointer (&req->timeout_source, g_source_unref);
  g_debug ("No answer from the plugin in time");
  request_return (task, NULL, NULL,
                  new_error (_("Le serveur de visio ne répond pas : délai dépassé."), NULL));
  return G_SOURCE_REMOVE;
}

static GTask *
request_new (RelaisJanus         *self,
             Op                   op,
             guint64              handle_id,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *req = g_new0 (Request, 1);

  g_task_set_source_tag (task, source_tag);
  req->op = op;
  req->handle_id = handle_id;
  req->transaction = new_transaction (self);
  if (cancellable != NULL)
    req->cancellable = g_object_ref (cancellable);
  g_task_set_task_data (task, req, request_free);
  return task;
}

/* The request object for @task, under its transaction. */
static JsonObject *
request_body_new (GTask      *task,
                  const char *janus)
{
  Request *req = g_task_get_task_data (task);

  return new_request_object (g_task_get_source_object (task), janus, req->transaction);
}

/* Hooks the caller's cancellable; after this the task must end through
 * request_return(). */
static void
request_watch_cancellable (GTask *task)
{
  Request *req = g_task_get_task_data (task);

  if (req->cancellable != NULL)
    req->cancelled_id = g_cancellable_connect (req->cancellable,
                                               G_CALLBACK (request_cancelled_cb),
                                               task, NULL);
}

/* The successful end of a request, from Janus's reply or from the event
 * that carried its transaction. */
static void
request_complete_with (GTask      *task,
                       JsonObject *reply)
{
  Request *req = g_task_get_task_data (task);
  const char *janus = object_get_string (reply, "janus");

  if (g_strcmp0 (janus, "error") == 0)
    {
      request_return (task, NULL, NULL, error_from_janus (reply, NULL));
      return;
    }

  switch (req->op)
    {
    case OP_CREATE:
    case OP_ATTACH:
      {
        gint64 id = reply_get_new_id (reply);

        if (id <= 0)
          {
            request_return (task, NULL, NULL, error_unexpected_reply ());
            return;
          }
        request_return (task, g_memdup2 (&id, sizeof id), g_free, NULL);
      }
      break;

    case OP_MESSAGE:
      {
        JsonObject *plugindata = object_get_object (reply, "plugindata");
        JsonObject *data = object_get_object (plugindata, "data");
        MessageResult *res;
        GError *error;

        if (data == NULL)
          {
            request_return (task, NULL, NULL, error_unexpected_reply ());
            return;
          }
        error = error_from_plugin (object_get_string (plugindata, "plugin"), data);
        if (error != NULL)
          {
            request_return (task, NULL, NULL, error);
            return;
          }
        res = g_new0 (MessageResult, 1);
        res->data = object_dup_member (plugindata, "data");
        res->jsep = object_dup_member (reply, "jsep");
        request_return (task, res, message_result_free, NULL);
      }
      break;

    case OP_TRICKLE:
    case OP_DETACH:
    case OP_DESTROY:
      request_return (task, GINT_TO_POINTER (TRUE), NULL, NULL);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* ---- per-handle queues -------------------------------------------------- */

static HandleQueue *
queue_lookup (RelaisJanus *self,
              guint64      handle_id,
              gboolean     create)
{
  HandleQueue *queue = g_hash_table_lookup (self->queues, &handle_id);

  if (queue == NULL && create)
    {
      queue = g_new0 (HandleQueue, 1);
      queue->handle_id = handle_id;
      g_queue_init (&queue->pending);
      g_hash_table_insert (self->queues, g_memdup2 (&handle_id, sizeof handle_id), queue);
    }
  return queue;
}

static void session_torn_down (RelaisJanus *self);

static void
request_post_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  RelaisJanus *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  HandleQueue *queue;
  JsonObject *reply;
  gint64 code = 0;
  gboolean session_gone = FALSE;

  node = relais_http_client_post_json_finish (RELAIS_HTTP_CLIENT (object), result, &error);

  /* Let the next request of this handle go, whatever happened. */
  queue = queue_lookup (self, req->handle_id, FALSE);
  if (queue != NULL && queue->current == task)
    g_clear_object (&queue->current);

  if (req->done || self->disposed)
    {
      if (!self->disposed)
        queue_pump (self, req->handle_id);
      return;
    }

  if (req->op == OP_DESTROY)
    {
      /* No session any more, whatever the gateway answered; the state
       * changes before the caller hears of it. */
      session_torn_down (self);
      if (node == NULL)
        request_return (task, NULL, NULL, g_steal_pointer (&error));
      else
        request_return (task, GINT_TO_POINTER (TRUE), NULL, NULL);
      return;
    }

  if (node == NULL)
    {
      request_return (task, NULL, NULL, g_steal_pointer (&error));
    }
  else if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      request_return (task, NULL, NULL, error_unexpected_reply ());
    }
  else
    {
      reply = json_node_get_object (node);
      if (g_strcmp0 (object_get_string (reply, "janus"), "error") == 0)
        {
          request_return (task, NULL, NULL, error_from_janus (reply, &code));
          session_gone = code == JANUS_ERROR_SESSION_NOT_FOUND;
        }
      else if (req->op == OP_MESSAGE &&
               g_strcmp0 (object_get_string (reply, "janus"), "ack") == 0)
        {
          /* The plugin answers later, through the long poll. */
          req->acked = TRUE;
          if (req->early_event != NULL)
            request_complete_with (task, json_node_get_object (req->early_event));
        }
      else
        {
          request_complete_with (task, reply);
        }
    }

  if (session_gone)
    lose_session (self, "session not found");
  else
    queue_pump (self, req->handle_id);
}

static void
request_send (RelaisJanus *self,
              GTask       *task)
{
  Request *req = g_task_get_task_data (task);
  g_autofree char *url = session_url (self, req->op == OP_CREATE ? 0 : self->session_id,
                                      req->op == OP_ATTACH || req->op == OP_DESTROY
                                        ? 0 : req->handle_id);

  if (req->op == OP_MESSAGE)
    {
      /* Registered before sending: the event may beat the "ack". */
      g_hash_table_insert (self->transactions, g_strdup (req->transaction), g_object_ref (task));
      req->timeout_source = g_timeout_source_new (self->event_timeout_ms);
      g_source_set_static_name (req->timeout_source, "[relais] janus event time-out");
      g_source_set_callback (req->timeout_source, request_timeout_cb, task, NULL);
      g_source_attach (req->timeout_source, self->context);
    }

  relais_http_client_post_json_async (self->client, url, req->body, 0,
                                      self->session_cancellable,
                                      request_post_cb, g_object_ref (task));
}

static void
queue_pump (RelaisJanus *self,
            guint64      handle_id)
{
  HandleQueue *queue = queue_lookup (self, handle_id, FALSE);

  if (queue == NULL)
    return;

  while (queue->current == NULL && !g_queue_is_empty (&queue->pending))
    {
      GTask *task = g_queue_pop_head (&queue->pending);
      Request *req = g_task_get_task_data (task);

      if (req->done)
        {
          /* Cancelled while waiting. */
          g_object_unref (task);
          continue;
        }
      queue->current = task;
      request_send (self, task);
    }

  if (queue->current == NULL && g_queue_is_empty (&queue->pending) && handle_id != 0)
    g_hash_table_remove (self->queues, &handle_id);
}

/* Takes @body. */
static void
request_submit (RelaisJanus *self,
                GTask       *task,
                JsonObject  *body)
{
  Request *req = g_task_get_task_data (task);
  HandleQueue *queue;

  req->body = json_node_init_object (json_node_alloc (), body);
  json_object_unref (body);
  request_watch_cancellable (task);

  if (self->state != RELAIS_JANUS_STATE_CONNECTED)
    {
      request_return (task, NULL, NULL, error_not_connected ());
      g_object_unref (task);
      return;
    }

  queue = queue_lookup (self, req->handle_id, TRUE);
  g_queue_push_tail (&queue->pending, task);
  queue_pump (self, req->handle_id);
}

/* Every task of the queues and transactions, each once. */
static GPtrArray *
steal_all_tasks (RelaisJanus *self)
{
  g_autoptr(GHashTable) queues = g_steal_pointer (&self->queues);
  g_autoptr(GHashTable) transactions = g_steal_pointer (&self->transactions);
  GPtrArray *tasks = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  self->queues = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, handle_queue_free);
  self->transactions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  g_hash_table_iter_init (&iter, queues);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      HandleQueue *queue = value;

      if (queue->current != NULL)
        g_ptr_array_add (tasks, g_object_ref (queue->current));
      for (GList *l = queue->pending.head; l != NULL; l = l->next)
        g_ptr_array_add (tasks, g_object_ref (l->data));
    }
  g_hash_table_iter_init (&iter, transactions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (tasks, g_object_ref (value));

  return tasks;
}

static void
fail_tasks (GPtrArray *tasks,
            GError    *error)
{
  for (guint i = 0; i < tasks->len; i++)
    request_return (g_ptr_array_index (tasks, i), NULL, NULL, g_error_copy (error));
}

/* ---- session life ------------------------------------------------------- */

static void
stop_session_sources (RelaisJanus *self)
{
  if (self->keepalive_source != NULL)
    {
      g_source_destroy (self->keepalive_source);
      g_clear_pointer (&self->keepalive_source, g_source_unref);
    }
  self->keepalive_in_flight = FALSE;
  if (self->session_cancellable != NULL)
    {
      g_autoptr(GCancellable) cancellable = g_steal_pointer (&self->session_cancellable);

      g_cancellable_cancel (cancellable);
    }
}

static void
session_started (RelaisJanus *self,
                 guint64      session_id)
{
  /* The connection attempt's cancellable is done with; this one lives as
   * long as the session. */
  g_clear_object (&self->session_cancellable);
  self->session_cancellable = g_cancellable_new ();
  set_session_id (self, session_id);
  self->reconnect_attempt = 0;
  set_state (self, RELAIS_JANUS_STATE_CONNECTED);
  long_poll_start (self);
  keepalive_schedule (self);
}

/* After "destroy" (or when it cannot be sent): no session any more. */
static void
session_torn_down (RelaisJanus *self)
{
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GError) error = error_not_connected ();

  g_autoptr(GCancellable) cancellable = g_steal_pointer (&self->session_cancellable);

  set_session_id (self, 0);
  self->destroying = FALSE;
  stop_session_sources (self);
  if (self->reconnect_source != NULL)
    {
      g_source_destroy (self->reconnect_source);
      g_clear_pointer (&self->reconnect_source, g_source_unref);
    }
  tasks = steal_all_tasks (self);
  set_state (self, RELAIS_JANUS_STATE_DISCONNECTED);
  /* Callers hear "not connected" rather than the cancellation of their
   * POST, which follows. */
  fail_tasks (tasks, error);
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
}

static void reconnect_schedule (RelaisJanus *self);

static void
reconnect_create_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  LoopRef *ref = user_data;
  g_autoptr(RelaisJanus) self = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  node = relais_http_client_post_json_finish (RELAIS_HTTP_CLIENT (object), result, &error);
  self = loop_ref_take (ref);
  if (self == NULL || self->state != RELAIS_JANUS_STATE_RECONNECTING)
    return;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    id = reply_get_new_id (json_node_get_object (node));

  g_clear_object (&self->session_cancellable);

  if (id <= 0)
    {
      g_debug ("Reconnection attempt %u failed: %s", self->reconnect_attempt,
               error ? error->message : "unexpected reply");
      self->reconnect_attempt++;
      reconnect_schedule (self);
      return;
    }

  g_debug ("Reconnected %.0f ms after the loss",
           (g_get_monotonic_time () - self->lost_at) / 1000.0);
  session_started (self, (guint64) id);
  g_signal_emit (self, signals[SIGNAL_RECONNECTED], 0, (guint64) id);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  RelaisJanus *self = user_data;
  g_autofree char *transaction = new_transaction (self);
  g_autoptr(JsonNode) body = NULL;

  g_clear_pointer (&self->reconnect_source, g_source_unref);

  body = json_node_init_object (json_node_alloc (),
                                new_request_object (self, "create", transaction));
  /* The new object reference is owned by the node now. */
  json_object_unref (json_node_get_object (body));

  g_clear_object (&self->session_cancellable);
  self->session_cancellable = g_cancellable_new ();
  relais_http_client_post_json_async (self->client, self->base_url, body,
                                      KEEPALIVE_TIMEOUT_MS, self->session_cancellable,
                                      reconnect_create_cb, loop_ref_new (self));
  return G_SOURCE_REMOVE;
}

static void
reconnect_schedule (RelaisJanus *self)
{
  guint delay_s = self->reconnect_attempt >= 4
    ? RECONNECT_MAX_DELAY_S
    : MIN (1u << self->reconnect_attempt, RECONNECT_MAX_DELAY_S);

  g_debug ("Reconnecting in %u s", delay_s);
  g_assert (self->reconnect_source == NULL);
  self->reconnect_source = g_timeout_source_new (delay_s * 1000);
  g_source_set_static_name (self->reconnect_source, "[relais] janus reconnect");
  g_source_set_callback (self->reconnect_source, reconnect_cb, self, NULL);
  g_source_attach (self->reconnect_source, self->context);
}

static void
lose_session (RelaisJanus *self,
              const char  *why)
{
  /* Failing the pending tasks may drop the owner's last reference. */
  G_GNUC_UNUSED g_autoptr(RelaisJanus) keep = g_object_ref (self);
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GError) error = error_lost ();
  g_autoptr(GCancellable) cancellable = NULL;

  /* Once we asked for the end of the session, the long poll failing
   * (Janus forgets the session before answering) is no loss. */
  if (self->state != RELAIS_JANUS_STATE_CONNECTED || self->destroying)
    return;

  g_debug ("Session lost: %s", why);
  self->lost_at = g_get_monotonic_time ();
  cancellable = g_steal_pointer (&self->session_cancellable);
  set_session_id (self, 0);
  stop_session_sources (self);
  tasks = steal_all_tasks (self);
  self->reconnect_attempt = 0;
  set_state (self, RELAIS_JANUS_STATE_RECONNECTING);

  g_signal_emit (self, signals[SIGNAL_LOST], 0);
  /* Callers hear "lost" rather than the cancellation of their POST, which
   * follows. */
  fail_tasks (tasks, error);
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);

  /* A handler may have destroyed or disposed us. */
  if (self->state == RELAIS_JANUS_STATE_RECONNECTING && !self->disposed &&
      self->reconnect_source == NULL && self->session_cancellable == NULL)
    reconnect_schedule (self);
}

/* ---- keep-alive --------------------------------------------------------- */

static void
keepalive_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LoopRef *ref = user_data;
  g_autoptr(RelaisJanus) self = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = relais_http_client_post_json_finish (RELAIS_HTTP_CLIENT (object), result, &error);
  self = loop_ref_take (ref);
  if (self == NULL || self->state != RELAIS_JANUS_STATE_CONNECTED)
    return;
  self->keepalive_in_flight = FALSE;

  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lose_session (self, "keep-alive failed");
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (node) &&
      g_strcmp0 (object_get_string (json_node_get_object (node), "janus"), "error") == 0)
    {
      gint64 code = 0;
      GError *janus_error = error_from_janus (json_node_get_object (node), &code);

      /* Only the code matters here. */
      g_clear_error (&janus_error);

      if (code == JANUS_ERROR_SESSION_NOT_FOUND)
        {
          lose_session (self, "keep-alive: session not found");
          return;
        }
    }
  keepalive_schedule (self);
}

static gboolean
keepalive_timer_cb (gpointer user_data)
{
  RelaisJanus *self = user_data;
  g_autofree char *transaction = new_transaction (self);
  g_autofree char *url = session_url (self, self->session_id, 0);
  g_autoptr(JsonNode) body = NULL;

  g_clear_pointer (&self->keepalive_source, g_source_unref);

  body = json_node_init_object (json_node_alloc (),
                                new_request_object (self, "keepalive", transaction));
  json_object_unref (json_node_get_object (body));
  self->keepalive_in_flight = TRUE;
  relais_http_client_post_json_async (self->client, url, body,
                                      MIN (KEEPALIVE_TIMEOUT_MS, MAX (self->keepalive_ms, 1000)),
                                      self->session_cancellable,
                                      keepalive_cb, loop_ref_new (self));
  return G_SOURCE_REMOVE;
}

static void
keepalive_schedule (RelaisJanus *self)
{
  if (self->keepalive_source != NULL || self->keepalive_in_flight)
    return;
  self->keepalive_source = g_timeout_source_new (self->keepalive_ms);
  g_source_set_static_name (self->keepalive_source, "[relais] janus keep-alive");
  g_source_set_callback (self->keepalive_source, keepalive_timer_cb, self, NULL);
  g_source_attach (self->keepalive_source, self->context);
}

/* ---- long poll and events ----------------------------------------------- */

static void
dispatch_event (RelaisJanus *self,
                JsonNode    *node)
{
  JsonObject *obj;
  const char *janus;
  const char *transaction;
  guint64 sender;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;
  obj = json_node_get_object (node);
  janus = object_get_string (obj, "janus");
  transaction = object_get_string (obj, "transaction");
  sender = (guint64) object_get_int (obj, "sender", 0);
  if (janus == NULL)
    return;

  if (g_str_equal (janus, "event"))
    {
      GTask *task = transaction ? g_hash_table_lookup (self->transactions, transaction) : NULL;
      JsonObject *plugindata;
      g_autoptr(JsonNode) jsep = NULL;

      if (task != NULL)
        {
          Request *req = g_task_get_task_data (task);

          if (req->acked)
            request_complete_with (task, obj);
          else if (req->early_event == NULL)
            req->early_event = json_node_ref (node);
          return;
        }

      plugindata = object_get_object (obj, "plugindata");
      if (plugindata == NULL || object_get_object (plugindata, "data") == NULL)
        return;
      jsep = object_dup_member (obj, "jsep");
      g_signal_emit (self, signals[SIGNAL_EVENT], 0, sender,
                     json_object_get_member (plugindata, "data"), jsep);
    }
  else if (g_str_equal (janus, "webrtcup"))
    {
      g_signal_emit (self, signals[SIGNAL_WEBRTCUP], 0, sender);
    }
  else if (g_str_equal (janus, "media"))
    {
      g_signal_emit (self, signals[SIGNAL_MEDIA], 0, sender,
                     object_get_string (obj, "mid"),
                     object_get_string (obj, "type"),
                     object_get_bool (obj, "receiving", FALSE));
    }
  else if (g_str_equal (janus, "hangup"))
    {
      g_signal_emit (self, signals[SIGNAL_HANGUP], 0, sender, object_get_string (obj, "reason"));
    }
  else if (g_str_equal (janus, "slowlink"))
    {
      gint64 lost = object_get_int (obj, "lost", 0);

      g_signal_emit (self, signals[SIGNAL_SLOWLINK], 0, sender,
                     object_get_bool (obj, "uplink", FALSE),
                     (guint) CLAMP (lost, 0, G_MAXUINT));
    }
  else if (g_str_equal (janus, "detached"))
    {
      g_signal_emit (self, signals[SIGNAL_DETACHED], 0, sender);
    }
  else if (g_str_equal (janus, "timeout"))
    {
      lose_session (self, "session timed out");
    }
  else if (g_str_equal (janus, "error"))
    {
      gint64 code = 0;
      GError *error = error_from_janus (obj, &code);

      /* Only the code matters here. */
      g_clear_error (&error);
      if (code == JANUS_ERROR_SESSION_NOT_FOUND)
        lose_session (self, "long poll: session not found");
    }
  else if (!g_str_equal (janus, "keepalive"))
    {
      g_debug ("Ignoring a “%s” message", janus);
    }
}

static void
long_poll_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LoopRef *ref = user_data;
  guint64 session_id = ref->session_id;
  g_autoptr(RelaisJanus) self = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = relais_http_client_get_json_finish (RELAIS_HTTP_CLIENT (object), result, &error);
  self = loop_ref_take (ref);
  if (self == NULL || self->state != RELAIS_JANUS_STATE_CONNECTED)
    return;

  if (node == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The gateway went away (connection refused or reset) or answered
       * with an HTTP error: the session is gone either way. */
      lose_session (self, "long poll failed");
      return;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        {
          dispatch_event (self, json_array_get_element (array, i));
          /* A signal handler may have destroyed the session. */
          if (self->state != RELAIS_JANUS_STATE_CONNECTED || self->session_id != session_id)
            return;
        }
    }
  else
    {
      dispatch_event (self, node);
    }

  if (self->state == RELAIS_JANUS_STATE_CONNECTED && self->session_id == session_id &&
      !self->disposed)
    long_poll_start (self);
}

static void
long_poll_start (RelaisJanus *self)
{
  g_autoptr(GString) url = g_string_new (self->base_url);

  g_string_append_printf (url, "/%" G_GUINT64_FORMAT "?maxev=10&rid=%" G_GINT64_FORMAT,
                          self->session_id, g_get_real_time () / 1000);
  if (self->secret != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (self->secret, NULL, FALSE);

      g_string_append_printf (url, "&apisecret=%s&token=%s", escaped, escaped);
    }

  relais_http_client_get_json_async (self->client, url->str, LONG_POLL_TIMEOUT_MS,
                                     self->session_cancellable,
                                     long_poll_cb, loop_ref_new (self));
}

/* ---- GObject ------------------------------------------------------------ */

static void
destroy_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  /* Best effort: nobody waits for the answer. */
  JsonNode *node = relais_http_client_post_json_finish (RELAIS_HTTP_CLIENT (object), result, NULL);

  g_clear_pointer (&node, json_node_unref);
}

static void
relais_janus_dispose (GObject *object)
{
  RelaisJanus *self = (RelaisJanus *) object;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GError) error = NULL;

  if (self->disposed)
    {
      G_OBJECT_CLASS (relais_janus_parent_class)->dispose (object);
      return;
    }
  self->disposed = TRUE;

  /* Best effort: a session left behind lingers on the gateway until its
   * time-out. The request holds the client, not us. */
  if (self->session_id != 0 && self->client != NULL)
    {
      g_autofree char *transaction = new_transaction (self);
      g_autofree char *url = session_url (self, self->session_id, 0);
      g_autoptr(JsonNode) body = json_node_init_object (json_node_alloc (),
                                                        new_request_object (self, "destroy",
                                                                            transaction));

      json_object_unref (json_node_get_object (body));
      relais_http_client_post_json_async (self->client, url, body, KEEPALIVE_TIMEOUT_MS,
                                          NULL, destroy_sent_cb, NULL);
    }

  self->session_id = 0;
  stop_session_sources (self);
  if (self->reconnect_source != NULL)
    {
      g_source_destroy (self->reconnect_source);
      g_clear_pointer (&self->reconnect_source, g_source_unref);
    }
  if (self->queues != NULL)
    {
      error = error_cancelled ();
      tasks = steal_all_tasks (self);
      fail_tasks (tasks, error);
    }
  self->state = RELAIS_JANUS_STATE_DISCONNECTED;

  G_OBJECT_CLASS (relais_janus_parent_class)->dispose (object);
}

static void
relais_janus_finalize (GObject *object)
{
  RelaisJanus *self = (RelaisJanus *) object;

  g_clear_pointer (&self->queues, g_hash_table_unref);
  g_clear_pointer (&self->transactions, g_hash_table_unref);
  g_clear_object (&self->client);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->base_url);
  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);

  G_OBJECT_CLASS (relais_janus_parent_class)->finalize (object);
}

static void
relais_janus_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RelaisJanus *self = RELAIS_JANUS (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_SESSION_ID:
      g_value_set_uint64 (value, self->session_id);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      g_value_set_uint (value, self->keepalive_ms);
      break;
    case PROP_EVENT_TIMEOUT:
      g_value_set_uint (value, self->event_timeout_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_janus_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  RelaisJanus *self = RELAIS_JANUS (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_BASE_URL:
      {
        g_autofree char *url = g_value_dup_string (value);
        gsize len = url ? strlen (url) : 0;

        while (len > 0 && url[len - 1] == '/')
          url[--len] = '\0';
        self->base_url = g_steal_pointer (&url);
      }
      break;
    case PROP_SECRET:
      self->secret = g_value_dup_string (value);
      if (self->secret != NULL && *self->secret == '\0')
        g_clear_pointer (&self->secret, g_free);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      relais_janus_set_keepalive_interval (self, g_value_get_uint (value));
      break;
    case PROP_EVENT_TIMEOUT:
      relais_janus_set_event_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_janus_constructed (GObject *object)
{
  RelaisJanus *self = RELAIS_JANUS (object);

  G_OBJECT_CLASS (relais_janus_parent_class)->constructed (object);

  g_assert (RELAIS_IS_HTTP_CLIENT (self->client));
  g_assert (self->base_url != NULL);
}

static void
relais_janus_class_init (RelaisJanusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = relais_janus_constructed;
  object_class->dispose = relais_janus_dispose;
  object_class->finalize = relais_janus_finalize;
  object_class->get_property = relais_janus_get_property;
  object_class->set_property = relais_janus_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, RELAIS_TYPE_HTTP_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Write-only: never read back (it is a secret). */
  properties[PROP_SECRET] =
    g_param_spec_string ("secret", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, RELAIS_TYPE_JANUS_STATE,
                       RELAIS_JANUS_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION_ID] =
    g_param_spec_uint64 ("session-id", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEEPALIVE_INTERVAL] =
    g_param_spec_uint ("keepalive-interval", NULL, NULL, 100, 25000,
                       RELAIS_JANUS_DEFAULT_KEEPALIVE_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EVENT_TIMEOUT] =
    g_param_spec_uint ("event-timeout", NULL, NULL, 100, G_MAXUINT,
                       DEFAULT_EVENT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT64,
                  JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE,
                  JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_WEBRTCUP] =
    g_signal_new ("webrtcup", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT64);
  signals[SIGNAL_MEDIA] =
    g_signal_new ("media", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_UINT64, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[SIGNAL_HANGUP] =
    g_signal_new ("hangup", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_STRING);
  signals[SIGNAL_SLOWLINK] =
    g_signal_new ("slowlink", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT64, G_TYPE_BOOLEAN, G_TYPE_UINT);
  signals[SIGNAL_DETACHED] =
    g_signal_new ("detached", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT64);
  signals[SIGNAL_LOST] =
    g_signal_new ("lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_RECONNECTED] =
    g_signal_new ("reconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
relais_janus_init (RelaisJanus *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->keepalive_ms = RELAIS_JANUS_DEFAULT_KEEPALIVE_MS;
  self->event_timeout_ms = DEFAULT_EVENT_TIMEOUT_MS;
  self->queues = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, handle_queue_free);
  self->transactions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/* ---- public API --------------------------------------------------------- */

RelaisJanus *
relais_janus_new (RelaisHttpClient *client,
                  const char       *base_url,
                  const char       *secret)
{
  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (base_url != NULL, NULL);

  return g_object_new (RELAIS_TYPE_JANUS,
                       "client", client,
                       "base-url", base_url,
                       "secret", secret,
                       NULL);
}

RelaisJanusState
relais_janus_get_state (RelaisJanus *self)
{
  g_return_val_if_fail (RELAIS_IS_JANUS (self), RELAIS_JANUS_STATE_DISCONNECTED);
  return self->state;
}

guint64
relais_janus_get_session_id (RelaisJanus *self)
{
  g_return_val_if_fail (RELAIS_IS_JANUS (self), 0);
  return self->session_id;
}

guint
relais_janus_get_keepalive_interval (RelaisJanus *self)
{
  g_return_val_if_fail (RELAIS_IS_JANUS (self), 0);
  return self->keepalive_ms;
}

void
relais_janus_set_keepalive_interval (RelaisJanus *self,
                                     guint        interval_ms)
{
  g_return_if_fail (RELAIS_IS_JANUS (self));

  interval_ms = CLAMP (interval_ms, 100, 25000);
  if (self->keepalive_ms == interval_ms)
    return;
  self->keepalive_ms = interval_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEPALIVE_INTERVAL]);
}

guint
relais_janus_get_event_timeout (RelaisJanus *self)
{
  g_return_val_if_fail (RELAIS_IS_JANUS (self), 0);
  return self->event_timeout_ms;
}

void
relais_janus_set_event_timeout (RelaisJanus *self,
                                guint        timeout_ms)
{
  g_return_if_fail (RELAIS_IS_JANUS (self));

  timeout_ms = MAX (timeout_ms, 100);
  if (self->event_timeout_ms == timeout_ms)
    return;
  self->event_timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVENT_TIMEOUT]);
}

static void
connect_post_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RelaisJanus *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GError *failure = NULL;
  gint64 id = 0;

  node = relais_http_client_post_json_finish (RELAIS_HTTP_CLIENT (object), result, &error);
  if (req->done)
    return;
  if (self->disposed || self->state != RELAIS_JANUS_STATE_CONNECTING)
    {
      /* destroy or dispose came first. */
      request_return (task, NULL, NULL, error_cancelled ());
      return;
    }

  g_clear_object (&self->session_cancellable);

  if (node == NULL)
    {
      failure = g_steal_pointer (&error);
    }
  else if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      failure = error_unexpected_reply ();
    }
  else
    {
      JsonObject *reply = json_node_get_object (node);

      if (g_strcmp0 (object_get_string (reply, "janus"), "error") == 0)
        failure = error_from_janus (reply, NULL);
      else
        id = reply_get_new_id (reply);
      if (failure == NULL && id <= 0)
        failure = error_unexpected_reply ();
    }

  if (failure != NULL)
    {
      set_state (self, RELAIS_JANUS_STATE_DISCONNECTED);
      request_return (task, NULL, NULL, failure);
      return;
    }

  session_started (self, (guint64) id);
  request_return (task, GINT_TO_POINTER (TRUE), NULL, NULL);
}

void
relais_janus_connect_async (RelaisJanus         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *req;

  g_return_if_fail (RELAIS_IS_JANUS (self));

  task = request_new (self, OP_CREATE, 0, cancellable, callback, user_data,
                      relais_janus_connect_async);
  req = g_task_get_task_data (task);

  if (self->state == RELAIS_JANUS_STATE_CONNECTED)
    {
      req->done = TRUE;
      g_task_return_pointer (task, GINT_TO_POINTER (TRUE), NULL);
      return;
    }
  if (self->state != RELAIS_JANUS_STATE_DISCONNECTED)
    {
      req->done = TRUE;
      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_NETWORK, "%s",
                               _("La connexion au serveur de visio est déjà en cours."));
      return;
    }

  {
    JsonObject *body = request_body_new (task, "create");

    req->body = json_node_init_object (json_node_alloc (), body);
    json_object_unref (body);
  }

  set_state (self, RELAIS_JANUS_STATE_CONNECTING);
  g_clear_object (&self->session_cancellable);
  self->session_cancellable = g_cancellable_new ();
  request_watch_cancellable (task);
  relais_http_client_post_json_async (self->client, self->base_url, req->body, 0,
                                      self->session_cancellable,
                                      connect_post_cb, g_object_ref (task));
}

gboolean
relais_janus_connect_finish (RelaisJanus   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (RELAIS_IS_JANUS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

void
relais_janus_attach_async (RelaisJanus         *self,
                           const char          *plugin,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  JsonObject *body;

  g_return_if_fail (RELAIS_IS_JANUS (self));
  g_return_if_fail (plugin != NULL);

  task = request_new (self, OP_ATTACH, 0, cancellable, callback, user_data,
                      relais_janus_attach_async);
  body = request_body_new (task, "attach");
  json_object_set_string_member (body, "plugin", plugin);
  request_submit (self, task, body);
}

guint64
relais_janus_attach_finish (RelaisJanus   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_autofree gint64 *id = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  id = g_task_propagate_pointer (G_TASK (result), error);
  return id != NULL ? (guint64) *id : 0;
}

void
relais_janus_message_async (RelaisJanus         *self,
                            guint64              handle_id,
                            JsonNode            *body,
                            JsonNode            *jsep,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  JsonObject *request;

  g_return_if_fail (RELAIS_IS_JANUS (self));
  g_return_if_fail (handle_id != 0);
  g_return_if_fail (body != NULL && JSON_NODE_HOLDS_OBJECT (body));
  g_return_if_fail (jsep == NULL || JSON_NODE_HOLDS_OBJECT (jsep));

  task = request_new (self, OP_MESSAGE, handle_id, cancellable, callback, user_data,
                      relais_janus_message_async);
  request = request_body_new (task, "message");
  json_object_set_member (request, "body", json_node_copy (body));
  if (jsep != NULL)
    json_object_set_member (request, "jsep", json_node_copy (jsep));
  request_submit (self, task, request);
}

JsonNode *
relais_janus_message_finish (RelaisJanus   *self,
                             GAsyncResult  *result,
                             JsonNode     **jsep_out,
                             GError       **error)
{
  MessageResult *res;
  JsonNode *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (jsep_out != NULL)
    *jsep_out = NULL;
  res = g_task_propagate_pointer (G_TASK (result), error);
  if (res == NULL)
    return NULL;
  data = g_steal_pointer (&res->data);
  if (jsep_out != NULL)
    *jsep_out = g_steal_pointer (&res->jsep);
  message_result_free (res);
  return data;
}

void
relais_janus_trickle_async (RelaisJanus         *self,
                            guint64              handle_id,
                            guint                mline,
                            const char          *candidate,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  JsonObject *body;
  JsonObject *cand;

  g_return_if_fail (RELAIS_IS_JANUS (self));
  g_return_if_fail (handle_id != 0);

  cand = json_object_new ();
  task = request_new (self, OP_TRICKLE, handle_id, cancellable, callback, user_data,
                      relais_janus_trickle_async);
  body = request_body_new (task, "trickle");
  if (candidate != NULL)
    {
      /* No sdpMid: Janus would compare it with the bundle's mid. */
      json_object_set_string_member (cand, "candidate", candidate);
      json_object_set_int_member (cand, "sdpMLineIndex", 0);
    }
  else
    {
      json_object_set_boolean_member (cand, "completed", TRUE);
    }
  json_object_set_object_member (body, "candidate", cand);
  request_submit (self, task, body);
}

gboolean
relais_janus_trickle_finish (RelaisJanus   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

void
relais_janus_detach_async (RelaisJanus         *self,
                           guint64              handle_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RELAIS_IS_JANUS (self));
  g_return_if_fail (handle_id != 0);

  task = request_new (self, OP_DETACH, handle_id, cancellable, callback, user_data,
                      relais_janus_detach_async);
  request_submit (self, task, request_body_new (task, "detach"));
}

gboolean
relais_janus_detach_finish (RelaisJanus   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

void
relais_janus_destroy_async (RelaisJanus         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  Request *req;

  g_return_if_fail (RELAIS_IS_JANUS (self));

  task = request_new (self, OP_DESTROY, 0, cancellable, callback, user_data,
                      relais_janus_destroy_async);
  req = g_task_get_task_data (task);

  if (self->state != RELAIS_JANUS_STATE_CONNECTED)
    {
      /* Nothing to destroy on the gateway: stop reconnecting. */
      session_torn_down (self);
      req->done = TRUE;
      g_task_return_pointer (task, GINT_TO_POINTER (TRUE), NULL);
      g_object_unref (task);
      return;
    }

  self->destroying = TRUE;
  request_submit (self, task, request_body_new (task, "destroy"));
}

gboolean
relais_janus_destroy_finish (RelaisJanus   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
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
      id = object_get_int (pub, "id", 0);
      if (id <= 0)
        continue;
      publisher = g_new0 (RelaisJanusPublisher, 1);
      publisher->id = (guint64) id;
      publisher->display = g_strdup (object_get_string (pub, "display"));
      publisher->streams = object_dup_member (pub, "streams");
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
   * so object_get_int() skips them. */
  id = object_get_int (obj, "unpublished", 0);
  if (id <= 0)
    id = object_get_int (obj, "leaving", 0);
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
  GPtrArray *publishers;
} JoinResult;

static void
join_result_free (gpointer data)
{
  JoinResult *res = data;

  g_clear_pointer (&res->publishers, g_ptr_array_unref);
  g_free (res);
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
  JsonObject *obj;
  gint64 id;

  data = videoroom_finish (object, result, NULL, &error);
  if (data == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  obj = json_node_get_object (data);
  id = object_get_int (obj, "id", 0);
  if (g_strcmp0 (object_get_string (obj, "videoroom"), "joined") != 0 || id <= 0)
    {
      g_task_return_error (task, error_unexpected_reply ());
      return;
    }
  res = g_new0 (JoinResult, 1);
  res->id = (guint64) id;
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
  JoinResult *res;
  guint64 id;

  g_return_val_if_fail (g_task_is_valid (result, janus), 0);

  if (publishers_out != NULL)
    *publishers_out = NULL;
  res = g_task_propagate_pointer (G_TASK (result), error);
  if (res == NULL)
    return 0;
  id = res->id;
  if (publishers_out != NULL)
    *publishers_out = g_steal_pointer (&res->publishers);
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
                           new_error (_("Le serveur de visio n'a pas envoyé de description de la communication (SDP)."),
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
