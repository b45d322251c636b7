/* relais-janus-request.c
 *
 * RelaisJanus's requests: one GTask each, POSTed in order per handle (a
 * trickle never overtakes the offer it belongs to), matched to the event
 * that answers its transaction, cancelled or timed out; Janus's replies
 * read and its errors translated into sentences.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-janus"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "relais-error.h"
#include "relais-janus-private.h"

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

void
_relais_janus_message_result_free (gpointer data)
{
  MessageResult *res = data;

  g_clear_pointer (&res->data, json_node_unref);
  g_clear_pointer (&res->jsep, json_node_unref);
  g_free (res);
}

void
_relais_janus_handle_queue_free (gpointer data)
{
  HandleQueue *queue = data;

  g_queue_clear_full (&queue->pending, g_object_unref);
  g_clear_object (&queue->current);
  g_free (queue);
}

char *
_relais_janus_new_transaction (RelaisJanus *self)
{
  return g_strdup_printf ("r%" G_GUINT64_FORMAT "-%08x", ++self->transaction_counter,
                          g_random_int ());
}

JsonObject *
_relais_janus_new_request_object (RelaisJanus *self,
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

char *
_relais_janus_session_url (RelaisJanus *self,
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

const char *
_relais_janus_object_get_string (JsonObject *obj,
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

gint64
_relais_janus_object_get_int (JsonObject *obj,
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

gboolean
_relais_janus_object_get_bool (JsonObject *obj,
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

JsonObject *
_relais_janus_object_get_object (JsonObject *obj,
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

JsonNode *
_relais_janus_object_dup_member (JsonObject *obj,
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
gint64
_relais_janus_reply_get_new_id (JsonObject *reply)
{
  if (g_strcmp0 (_relais_janus_object_get_string (reply, "janus"), "success") != 0)
    return 0;
  return _relais_janus_object_get_int (_relais_janus_object_get_object (reply, "data"), "id", 0);
}

/* The message is @sentence only: it is shown to the person as it is, and
 * the gateway's own @reason (English, Janus's words, anything a hostile
 * gateway chooses to send) never reaches the screen. The reason goes to
 * the debug log, cut short and made printable; Janus builds it from its
 * own templates and the ids and names of our requests, which carry
 * nothing personal. */
GError *
_relais_janus_new_error (const char *sentence,
                         const char *reason)
{
  if (reason != NULL && *reason != '\0')
    {
      g_autofree char *printable = relais_error_printable (reason, 120);

      g_debug ("Gateway reason: %s", printable);
    }
  return g_error_new_literal (RELAIS_ERROR, RELAIS_ERROR_NETWORK, sentence);
}

GError *
_relais_janus_error_lost (void)
{
  return _relais_janus_new_error (_("La connexion avec le serveur de visio a été perdue."), NULL);
}

GError *
_relais_janus_error_not_connected (void)
{
  return _relais_janus_new_error (_("Pas de connexion au serveur de visio."), NULL);
}

GError *
_relais_janus_error_unexpected_reply (void)
{
  return _relais_janus_new_error (_("Réponse inattendue du serveur de visio."), NULL);
}

GError *
_relais_janus_error_cancelled (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              _("La requête a été annulée."));
}

/* {"janus":"error","error":{"code":…,"reason":…}} */
GError *
_relais_janus_error_from_janus (JsonObject *reply,
                                gint64     *code_out)
{
  JsonObject *err = _relais_janus_object_get_object (reply, "error");
  gint64 code = _relais_janus_object_get_int (err, "code", 0);
  const char *reason = _relais_janus_object_get_string (err, "reason");
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
  return _relais_janus_new_error (sentence, reason);
}

/* ---- requests ----------------------------------------------------------- */

/* Completes @task once; later calls (a reply after a cancellation, an
 * event after a time-out) are ignored. Takes @result and @error. */
void
_relais_janus_request_return (GTask          *task,
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
      _relais_janus_stop_session_sources (self);
      _relais_janus_set_state (self, RELAIS_JANUS_STATE_DISCONNECTED);
    }
  _relais_janus_request_return (task, NULL, NULL, _relais_janus_error_cancelled ());
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
  _relais_janus_request_return (task, NULL, NULL,
                  _relais_janus_new_error (_("Le serveur de visio ne répond pas : délai dépassé."), NULL));
  return G_SOURCE_REMOVE;
}

GTask *
_relais_janus_request_new (RelaisJanus         *self,
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
  req->transaction = _relais_janus_new_transaction (self);
  if (cancellable != NULL)
    req->cancellable = g_object_ref (cancellable);
  g_task_set_task_data (task, req, request_free);
  return task;
}

/* The request object for @task, under its transaction. */
JsonObject *
_relais_janus_request_body_new (GTask      *task,
                                const char *janus)
{
  Request *req = g_task_get_task_data (task);

  return _relais_janus_new_request_object (g_task_get_source_object (task), janus, req->transaction);
}

/* Hooks the caller's cancellable; after this the task must end through
 * _relais_janus_request_return(). */
void
_relais_janus_request_watch_cancellable (GTask *task)
{
  Request *req = g_task_get_task_data (task);

  if (req->cancellable != NULL)
    req->cancelled_id = g_cancellable_connect (req->cancellable,
                                               G_CALLBACK (request_cancelled_cb),
                                               task, NULL);
}

/* The successful end of a request, from Janus's reply or from the event
 * that carried its transaction. */
void
_relais_janus_request_complete_with (GTask      *task,
                                     JsonObject *reply)
{
  Request *req = g_task_get_task_data (task);
  const char *janus = _relais_janus_object_get_string (reply, "janus");

  if (g_strcmp0 (janus, "error") == 0)
    {
      _relais_janus_request_return (task, NULL, NULL, _relais_janus_error_from_janus (reply, NULL));
      return;
    }

  switch (req->op)
    {
    case OP_CREATE:
    case OP_ATTACH:
      {
        gint64 id = _relais_janus_reply_get_new_id (reply);

        if (id <= 0)
          {
            _relais_janus_request_return (task, NULL, NULL, _relais_janus_error_unexpected_reply ());
            return;
          }
        _relais_janus_request_return (task, g_memdup2 (&id, sizeof id), g_free, NULL);
      }
      break;

    case OP_MESSAGE:
      {
        JsonObject *plugindata = _relais_janus_object_get_object (reply, "plugindata");
        JsonObject *data = _relais_janus_object_get_object (plugindata, "data");
        MessageResult *res;
        GError *error;

        if (data == NULL)
          {
            _relais_janus_request_return (task, NULL, NULL, _relais_janus_error_unexpected_reply ());
            return;
          }
        error = _relais_janus_error_from_plugin (_relais_janus_object_get_string (plugindata, "plugin"), data);
        if (error != NULL)
          {
            _relais_janus_request_return (task, NULL, NULL, error);
            return;
          }
        res = g_new0 (MessageResult, 1);
        res->data = _relais_janus_object_dup_member (plugindata, "data");
        res->jsep = _relais_janus_object_dup_member (reply, "jsep");
        _relais_janus_request_return (task, res, _relais_janus_message_result_free, NULL);
      }
      break;

    case OP_TRICKLE:
    case OP_DETACH:
    case OP_DESTROY:
      _relais_janus_request_return (task, GINT_TO_POINTER (TRUE), NULL, NULL);
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
        _relais_janus_queue_pump (self, req->handle_id);
      return;
    }

  if (req->op == OP_DESTROY)
    {
      /* No session any more, whatever the gateway answered; the state
       * changes before the caller hears of it. */
      _relais_janus_session_torn_down (self);
      if (node == NULL)
        _relais_janus_request_return (task, NULL, NULL, g_steal_pointer (&error));
      else
        _relais_janus_request_return (task, GINT_TO_POINTER (TRUE), NULL, NULL);
      return;
    }

  if (node == NULL)
    {
      _relais_janus_request_return (task, NULL, NULL, g_steal_pointer (&error));
    }
  else if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _relais_janus_request_return (task, NULL, NULL, _relais_janus_error_unexpected_reply ());
    }
  else
    {
      reply = json_node_get_object (node);
      if (g_strcmp0 (_relais_janus_object_get_string (reply, "janus"), "error") == 0)
        {
          _relais_janus_request_return (task, NULL, NULL, _relais_janus_error_from_janus (reply, &code));
          session_gone = code == JANUS_ERROR_SESSION_NOT_FOUND;
        }
      else if (req->op == OP_MESSAGE &&
               g_strcmp0 (_relais_janus_object_get_string (reply, "janus"), "ack") == 0)
        {
          /* The plugin answers later, through the long poll. */
          req->acked = TRUE;
          if (req->early_event != NULL)
            _relais_janus_request_complete_with (task, json_node_get_object (req->early_event));
        }
      else
        {
          _relais_janus_request_complete_with (task, reply);
        }
    }

  if (session_gone)
    _relais_janus_lose_session (self, "session not found");
  else
    _relais_janus_queue_pump (self, req->handle_id);
}

static void
request_send (RelaisJanus *self,
              GTask       *task)
{
  Request *req = g_task_get_task_data (task);
  g_autofree char *url = _relais_janus_session_url (self, req->op == OP_CREATE ? 0 : self->session_id,
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

void
_relais_janus_queue_pump (RelaisJanus *self,
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
void
_relais_janus_request_submit (RelaisJanus *self,
                              GTask       *task,
                              JsonObject  *body)
{
  Request *req = g_task_get_task_data (task);
  HandleQueue *queue;

  req->body = json_node_init_object (json_node_alloc (), body);
  json_object_unref (body);
  _relais_janus_request_watch_cancellable (task);

  if (self->state != RELAIS_JANUS_STATE_CONNECTED)
    {
      _relais_janus_request_return (task, NULL, NULL, _relais_janus_error_not_connected ());
      g_object_unref (task);
      return;
    }

  queue = queue_lookup (self, req->handle_id, TRUE);
  g_queue_push_tail (&queue->pending, task);
  _relais_janus_queue_pump (self, req->handle_id);
}

/* Every task of the queues and transactions, each once. */
GPtrArray *
_relais_janus_steal_all_tasks (RelaisJanus *self)
{
  g_autoptr(GHashTable) queues = g_steal_pointer (&self->queues);
  g_autoptr(GHashTable) transactions = g_steal_pointer (&self->transactions);
  GPtrArray *tasks = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  self->queues = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, _relais_janus_handle_queue_free);
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

void
_relais_janus_fail_tasks (GPtrArray *tasks,
                          GError    *error)
{
  for (guint i = 0; i < tasks->len; i++)
    _relais_janus_request_return (g_ptr_array_index (tasks, i), NULL, NULL, g_error_copy (error));
}
