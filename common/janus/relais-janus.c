/* relais-janus.c
 *
 * RelaisJanus: the object, its session's life (create, keep-alive, long
 * poll and its events, loss and reconnection, destroy) and the public API
 * of the transport. relais-janus-request.c carries each request (ordered
 * per handle, matched to its transaction, errors translated);
 * relais-janus-videoroom.c speaks the VideoRoom plugin over it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-janus"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "relais-error.h"
#include "relais-janus-private.h"

/* Janus holds a long poll for 30 s, then answers with a keep-alive. */
#define LONG_POLL_TIMEOUT_MS     45000
#define KEEPALIVE_TIMEOUT_MS     5000
#define DEFAULT_EVENT_TIMEOUT_MS 20000
#define RECONNECT_MAX_DELAY_S    10

G_DEFINE_FINAL_TYPE (RelaisJanus, relais_janus, G_TYPE_OBJECT)

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

static void long_poll_start    (RelaisJanus *self);
static void keepalive_schedule (RelaisJanus *self);

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

void
_relais_janus_set_state (RelaisJanus      *self,
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

/* ---- session life ------------------------------------------------------- */

void
_relais_janus_stop_session_sources (RelaisJanus *self)
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
  _relais_janus_set_state (self, RELAIS_JANUS_STATE_CONNECTED);
  long_poll_start (self);
  keepalive_schedule (self);
}

/* After "destroy" (or when it cannot be sent): no session any more. */
void
_relais_janus_session_torn_down (RelaisJanus *self)
{
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GError) error = _relais_janus_error_not_connected ();

  g_autoptr(GCancellable) cancellable = g_steal_pointer (&self->session_cancellable);

  set_session_id (self, 0);
  self->destroying = FALSE;
  _relais_janus_stop_session_sources (self);
  if (self->reconnect_source != NULL)
    {
      g_source_destroy (self->reconnect_source);
      g_clear_pointer (&self->reconnect_source, g_source_unref);
    }
  tasks = _relais_janus_steal_all_tasks (self);
  _relais_janus_set_state (self, RELAIS_JANUS_STATE_DISCONNECTED);
  /* Callers hear "not connected" rather than the cancellation of their
   * POST, which follows. */
  _relais_janus_fail_tasks (tasks, error);
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
    id = _relais_janus_reply_get_new_id (json_node_get_object (node));

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
  g_autofree char *transaction = _relais_janus_new_transaction (self);
  g_autoptr(JsonNode) body = NULL;

  g_clear_pointer (&self->reconnect_source, g_source_unref);

  body = json_node_init_object (json_node_alloc (),
                                _relais_janus_new_request_object (self, "create", transaction));
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

void
_relais_janus_lose_session (RelaisJanus *self,
                            const char  *why)
{
  /* Failing the pending tasks may drop the owner's last reference. */
  G_GNUC_UNUSED g_autoptr(RelaisJanus) keep = g_object_ref (self);
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GError) error = _relais_janus_error_lost ();
  g_autoptr(GCancellable) cancellable = NULL;

  /* Once we asked for the end of the session, the long poll failing
   * (Janus forgets the session before answering) is no loss. */
  if (self->state != RELAIS_JANUS_STATE_CONNECTED || self->destroying)
    return;

  g_debug ("Session lost: %s", why);
  self->lost_at = g_get_monotonic_time ();
  cancellable = g_steal_pointer (&self->session_cancellable);
  set_session_id (self, 0);
  _relais_janus_stop_session_sources (self);
  tasks = _relais_janus_steal_all_tasks (self);
  self->reconnect_attempt = 0;
  _relais_janus_set_state (self, RELAIS_JANUS_STATE_RECONNECTING);

  g_signal_emit (self, signals[SIGNAL_LOST], 0);
  /* Callers hear "lost" rather than the cancellation of their POST, which
   * follows. */
  _relais_janus_fail_tasks (tasks, error);
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
        _relais_janus_lose_session (self, "keep-alive failed");
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (node) &&
      g_strcmp0 (_relais_janus_object_get_string (json_node_get_object (node), "janus"), "error") == 0)
    {
      gint64 code = 0;
      GError *janus_error = _relais_janus_error_from_janus (json_node_get_object (node), &code);

      /* Only the code matters here. */
      g_clear_error (&janus_error);

      if (code == JANUS_ERROR_SESSION_NOT_FOUND)
        {
          _relais_janus_lose_session (self, "keep-alive: session not found");
          return;
        }
    }
  keepalive_schedule (self);
}

static gboolean
keepalive_timer_cb (gpointer user_data)
{
  RelaisJanus *self = user_data;
  g_autofree char *transaction = _relais_janus_new_transaction (self);
  g_autofree char *url = _relais_janus_session_url (self, self->session_id, 0);
  g_autoptr(JsonNode) body = NULL;

  g_clear_pointer (&self->keepalive_source, g_source_unref);

  body = json_node_init_object (json_node_alloc (),
                                _relais_janus_new_request_object (self, "keepalive", transaction));
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

/* One message of the long poll (network input: fuzzed by
 * tests/fuzz/fuzz-janus-event.c). */
void
_relais_janus_dispatch_event (RelaisJanus *self,
                              JsonNode    *node)
{
  JsonObject *obj;
  const char *janus;
  const char *transaction;
  guint64 sender;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;
  obj = json_node_get_object (node);
  janus = _relais_janus_object_get_string (obj, "janus");
  transaction = _relais_janus_object_get_string (obj, "transaction");
  sender = (guint64) _relais_janus_object_get_int (obj, "sender", 0);
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
            _relais_janus_request_complete_with (task, obj);
          else if (req->early_event == NULL)
            req->early_event = json_node_ref (node);
          return;
        }

      plugindata = _relais_janus_object_get_object (obj, "plugindata");
      if (plugindata == NULL || _relais_janus_object_get_object (plugindata, "data") == NULL)
        return;
      jsep = _relais_janus_object_dup_member (obj, "jsep");
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
                     _relais_janus_object_get_string (obj, "mid"),
                     _relais_janus_object_get_string (obj, "type"),
                     _relais_janus_object_get_bool (obj, "receiving", FALSE));
    }
  else if (g_str_equal (janus, "hangup"))
    {
      g_signal_emit (self, signals[SIGNAL_HANGUP], 0, sender, _relais_janus_object_get_string (obj, "reason"));
    }
  else if (g_str_equal (janus, "slowlink"))
    {
      gint64 lost = _relais_janus_object_get_int (obj, "lost", 0);

      g_signal_emit (self, signals[SIGNAL_SLOWLINK], 0, sender,
                     _relais_janus_object_get_bool (obj, "uplink", FALSE),
                     (guint) CLAMP (lost, 0, G_MAXUINT));
    }
  else if (g_str_equal (janus, "detached"))
    {
      g_signal_emit (self, signals[SIGNAL_DETACHED], 0, sender);
    }
  else if (g_str_equal (janus, "timeout"))
    {
      _relais_janus_lose_session (self, "session timed out");
    }
  else if (g_str_equal (janus, "error"))
    {
      gint64 code = 0;
      GError *error = _relais_janus_error_from_janus (obj, &code);

      /* Only the code matters here. */
      g_clear_error (&error);
      if (code == JANUS_ERROR_SESSION_NOT_FOUND)
        _relais_janus_lose_session (self, "long poll: session not found");
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
      _relais_janus_lose_session (self, "long poll failed");
      return;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        {
          _relais_janus_dispatch_event (self, json_array_get_element (array, i));
          /* A signal handler may have destroyed the session. */
          if (self->state != RELAIS_JANUS_STATE_CONNECTED || self->session_id != session_id)
            return;
        }
    }
  else
    {
      _relais_janus_dispatch_event (self, node);
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
      g_autofree char *transaction = _relais_janus_new_transaction (self);
      g_autofree char *url = _relais_janus_session_url (self, self->session_id, 0);
      g_autoptr(JsonNode) body = json_node_init_object (json_node_alloc (),
                                                        _relais_janus_new_request_object (self, "destroy",
                                                                            transaction));

      json_object_unref (json_node_get_object (body));
      relais_http_client_post_json_async (self->client, url, body, KEEPALIVE_TIMEOUT_MS,
                                          NULL, destroy_sent_cb, NULL);
    }

  self->session_id = 0;
  _relais_janus_stop_session_sources (self);
  if (self->reconnect_source != NULL)
    {
      g_source_destroy (self->reconnect_source);
      g_clear_pointer (&self->reconnect_source, g_source_unref);
    }
  if (self->queues != NULL)
    {
      error = _relais_janus_error_cancelled ();
      tasks = _relais_janus_steal_all_tasks (self);
      _relais_janus_fail_tasks (tasks, error);
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
  self->queues = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, _relais_janus_handle_queue_free);
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
      _relais_janus_request_return (task, NULL, NULL, _relais_janus_error_cancelled ());
      return;
    }

  g_clear_object (&self->session_cancellable);

  if (node == NULL)
    {
      failure = g_steal_pointer (&error);
    }
  else if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      failure = _relais_janus_error_unexpected_reply ();
    }
  else
    {
      JsonObject *reply = json_node_get_object (node);

      if (g_strcmp0 (_relais_janus_object_get_string (reply, "janus"), "error") == 0)
        failure = _relais_janus_error_from_janus (reply, NULL);
      else
        id = _relais_janus_reply_get_new_id (reply);
      if (failure == NULL && id <= 0)
        failure = _relais_janus_error_unexpected_reply ();
    }

  if (failure != NULL)
    {
      _relais_janus_set_state (self, RELAIS_JANUS_STATE_DISCONNECTED);
      _relais_janus_request_return (task, NULL, NULL, failure);
      return;
    }

  session_started (self, (guint64) id);
  _relais_janus_request_return (task, GINT_TO_POINTER (TRUE), NULL, NULL);
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

  task = _relais_janus_request_new (self, OP_CREATE, 0, cancellable, callback, user_data,
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
    JsonObject *body = _relais_janus_request_body_new (task, "create");

    req->body = json_node_init_object (json_node_alloc (), body);
    json_object_unref (body);
  }

  _relais_janus_set_state (self, RELAIS_JANUS_STATE_CONNECTING);
  g_clear_object (&self->session_cancellable);
  self->session_cancellable = g_cancellable_new ();
  _relais_janus_request_watch_cancellable (task);
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

  task = _relais_janus_request_new (self, OP_ATTACH, 0, cancellable, callback, user_data,
                      relais_janus_attach_async);
  body = _relais_janus_request_body_new (task, "attach");
  json_object_set_string_member (body, "plugin", plugin);
  _relais_janus_request_submit (self, task, body);
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

  task = _relais_janus_request_new (self, OP_MESSAGE, handle_id, cancellable, callback, user_data,
                      relais_janus_message_async);
  request = _relais_janus_request_body_new (task, "message");
  json_object_set_member (request, "body", json_node_copy (body));
  if (jsep != NULL)
    json_object_set_member (request, "jsep", json_node_copy (jsep));
  _relais_janus_request_submit (self, task, request);
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
  _relais_janus_message_result_free (res);
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
  task = _relais_janus_request_new (self, OP_TRICKLE, handle_id, cancellable, callback, user_data,
                      relais_janus_trickle_async);
  body = _relais_janus_request_body_new (task, "trickle");
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
  _relais_janus_request_submit (self, task, body);
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

  task = _relais_janus_request_new (self, OP_DETACH, handle_id, cancellable, callback, user_data,
                      relais_janus_detach_async);
  _relais_janus_request_submit (self, task, _relais_janus_request_body_new (task, "detach"));
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

  task = _relais_janus_request_new (self, OP_DESTROY, 0, cancellable, callback, user_data,
                      relais_janus_destroy_async);
  req = g_task_get_task_data (task);

  if (self->state != RELAIS_JANUS_STATE_CONNECTED)
    {
      /* Nothing to destroy on the gateway: stop reconnecting. */
      _relais_janus_session_torn_down (self);
      req->done = TRUE;
      g_task_return_pointer (task, GINT_TO_POINTER (TRUE), NULL);
      g_object_unref (task);
      return;
    }

  self->destroying = TRUE;
  _relais_janus_request_submit (self, task, _relais_janus_request_body_new (task, "destroy"));
}

gboolean
relais_janus_destroy_finish (RelaisJanus   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

static void
destroy_in_background_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!relais_janus_destroy_finish (RELAIS_JANUS (object), result, &error))
    g_debug ("Ending the gateway session failed: %s", error->message);
}

void
relais_janus_destroy_in_background (RelaisJanus *self)
{
  g_return_if_fail (RELAIS_IS_JANUS (self));

  relais_janus_destroy_async (self, NULL, destroy_in_background_cb, NULL);
}
