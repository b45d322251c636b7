/* test-janus.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RelaisJanus against a scripted fake Janus: an HTTP/1.1 server on
 * 127.0.0.1 (port 0) in its own thread, one worker thread per connection,
 * blocking I/O, every response closing its connection. It speaks enough of
 * the Janus HTTP API (create, attach, message, trickle, keepalive, detach,
 * destroy, long poll with maxev) to exercise the transaction plumbing; a
 * message's body.request chooses what the "plugin" does.
 */
#define G_LOG_DOMAIN "test-janus"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "relais-error.h"
#include "relais-http-client.h"
#include "relais-janus.h"

#include "../relais-test-utils.h"

#define LONG_POLL_HOLD_MS 1000

/* ---- fake Janus --------------------------------------------------------- */

typedef struct
{
  guint64  id;
  GQueue   events;              /* char *, serialised JSON objects */
} FakeSession;

typedef struct
{
  GThread      *accept_thread;
  GSocket      *listener;
  guint16       port;
  GCancellable *cancellable;

  GMutex        lock;
  GCond         cond;
  GHashTable   *sessions;       /* guint64 * → FakeSession */
  GPtrArray    *workers;        /* GThread */
  GPtrArray    *log;            /* char *: "kind handle detail", in arrival order */
  guint64       next_id;
  guint         keepalives;
  guint         destroys;
  guint         long_polls;
  gboolean      dead;
  char         *last_trickle;   /* the last trickle body */
} FakeJanus;

static void
fake_session_free (gpointer data)
{
  FakeSession *session = data;

  g_queue_clear_full (&session->events, g_free);
  g_free (session);
}

static void
send_json (GSocket    *socket,
           const char *body)
{
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                                           "Content-Type: application/json\r\n"
                                           "Content-Length: %zu\r\n"
                                           "Connection: close\r\n"
                                           "\r\n", strlen (body));

  relais_test_send_all (socket, head, strlen (head));
  relais_test_send_all (socket, body, strlen (body));
}

static gboolean
read_request (GSocket  *socket,
              char    **method,
              char    **path,
              char    **body)
{
  g_autoptr(GString) buffer = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) request_line = NULL;
  g_autofree char *head = NULL;
  gsize content_length = 0;
  gsize header_len;
  const char *end;
  char chunk[8192];

  while ((end = strstr (buffer->str, "\r\n\r\n")) == NULL)
    {
      gssize n = g_socket_receive (socket, chunk, sizeof chunk, NULL, NULL);

      if (n <= 0 || buffer->len > 65536)
        return FALSE;
      g_string_append_len (buffer, chunk, n);
    }
  header_len = (gsize) (end - buffer->str);
  head = g_strndup (buffer->str, header_len);
  lines = g_strsplit (head, "\r\n", -1);
  request_line = g_strsplit (lines[0], " ", 3);
  if (g_strv_length (request_line) != 3)
    return FALSE;
  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], "content-length:", 15) == 0)
      content_length = g_ascii_strtoull (lines[i] + 15, NULL, 10);

  g_string_erase (buffer, 0, header_len + 4);
  while (buffer->len < content_length)
    {
      gssize n = g_socket_receive (socket, chunk, sizeof chunk, NULL, NULL);

      if (n <= 0)
        return FALSE;
      g_string_append_len (buffer, chunk, n);
    }
  *method = g_strdup (request_line[0]);
  *path = g_strdup (request_line[1]);
  *body = g_strndup (buffer->str, content_length);
  return TRUE;
}

/* With the lock held. */
static void
fake_push_event (FakeJanus  *fake,
                 guint64     session_id,
                 const char *json)
{
  FakeSession *session = g_hash_table_lookup (fake->sessions, &session_id);

  if (session != NULL)
    g_queue_push_tail (&session->events, g_strdup (json));
  g_cond_broadcast (&fake->cond);
}

static char *
reply_error (const char *transaction,
             guint       code,
             const char *reason)
{
  return g_strdup_printf ("{\"janus\":\"error\",\"transaction\":\"%s\","
                          "\"error\":{\"code\":%u,\"reason\":\"%s\"}}",
                          transaction ? transaction : "", code, reason);
}

static char *
fake_handle_message (FakeJanus  *fake,
                     guint64     session_id,
                     guint64     handle_id,
                     const char *transaction,
                     JsonObject *request,
                     guint      *delay_ms_out)
{
  JsonObject *body = json_object_get_object_member (request, "body");
  const char *what = json_object_get_string_member_with_default (body, "request", "");
  g_autofree char *event = NULL;

  g_ptr_array_add (fake->log, g_strdup_printf ("message %" G_GUINT64_FORMAT " %s", handle_id, what));

  if (g_str_equal (what, "sync"))
    return g_strdup_printf ("{\"janus\":\"success\",\"session_id\":%" G_GUINT64_FORMAT ","
                            "\"transaction\":\"%s\",\"sender\":%" G_GUINT64_FORMAT ","
                            "\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\","
                            "\"data\":{\"videoroom\":\"success\",\"answer\":42}}}",
                            session_id, transaction, handle_id);

  if (g_str_equal (what, "async") || g_str_equal (what, "early") || g_str_equal (what, "slow"))
    event = g_strdup_printf ("{\"janus\":\"event\",\"session_id\":%" G_GUINT64_FORMAT ","
                             "\"transaction\":\"%s\",\"sender\":%" G_GUINT64_FORMAT ","
                             "\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\","
                             "\"data\":{\"videoroom\":\"joined\",\"id\":7,\"publishers\":["
                             "{\"id\":11,\"display\":\"A\",\"streams\":[{\"type\":\"video\",\"mid\":\"1\"}]},"
                             "{\"id\":12}]}},"
                             "\"jsep\":{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}}",
                             session_id, transaction, handle_id);
  else if (g_str_equal (what, "noroom"))
    event = g_strdup_printf ("{\"janus\":\"event\",\"transaction\":\"%s\",\"sender\":%" G_GUINT64_FORMAT ","
                             "\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\","
                             "\"data\":{\"videoroom\":\"event\",\"error_code\":426,"
                             "\"error\":\"No such room (999)\"}}}",
                             transaction, handle_id);
  else if (g_str_equal (what, "hostile"))
    /* A gateway (or something posing as one) that writes to the person. */
    event = g_strdup_printf ("{\"janus\":\"event\",\"transaction\":\"%s\",\"sender\":%" G_GUINT64_FORMAT ","
                             "\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\","
                             "\"data\":{\"videoroom\":\"event\",\"error_code\":499,"
                             "\"error\":\"Votre dossier est refus\u00e9 : appelez le 08 99 00 00 00\"}}}",
                             transaction, handle_id);
  else if (g_str_equal (what, "notify"))
    {
      /* Unsolicited events, as after a PeerConnection comes up. */
      const char *kinds[] = {
        "{\"janus\":\"webrtcup\",\"sender\":%" G_GUINT64_FORMAT "}",
        "{\"janus\":\"media\",\"sender\":%" G_GUINT64_FORMAT ",\"mid\":\"0\",\"type\":\"audio\",\"receiving\":true}",
        "{\"janus\":\"slowlink\",\"sender\":%" G_GUINT64_FORMAT ",\"uplink\":true,\"media\":\"video\",\"lost\":17}",
        "{\"janus\":\"hangup\",\"sender\":%" G_GUINT64_FORMAT ",\"reason\":\"DTLS alert\"}",
        "{\"janus\":\"event\",\"sender\":%" G_GUINT64_FORMAT ",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":{\"videoroom\":\"event\",\"unpublished\":11}}}",
        "{\"janus\":\"detached\",\"sender\":%" G_GUINT64_FORMAT "}",
      };

      for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
        {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
          g_autofree char *json = g_strdup_printf (kinds[i], handle_id);
#pragma GCC diagnostic pop

          fake_push_event (fake, session_id, json);
        }
      return g_strdup_printf ("{\"janus\":\"success\",\"transaction\":\"%s\","
                              "\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\","
                              "\"data\":{\"videoroom\":\"success\"}}}", transaction);
    }
  /* "never": acknowledged, and the plugin never answers. */

  if (event != NULL)
    {
      fake_push_event (fake, session_id, event);
      if (g_str_equal (what, "early"))
        {
          /* The event goes out on the long poll before the ack. */
          *delay_ms_out = 300;
        }
    }
  if (g_str_equal (what, "slow"))
    *delay_ms_out = 300;
  if (g_str_equal (what, "stall"))
    *delay_ms_out = 1500;

  return g_strdup_printf ("{\"janus\":\"ack\",\"session_id\":%" G_GUINT64_FORMAT ",\"transaction\":\"%s\"}",
                          session_id, transaction);
}

static void
fake_serve (FakeJanus *fake,
            GSocket   *socket)
{
  g_autofree char *method = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) parts = NULL;
  JsonObject *request = NULL;
  const char *transaction = NULL;
  const char *janus = NULL;
  guint64 session_id = 0;
  guint64 handle_id = 0;
  guint n_parts;
  guint delay_ms = 0;

  if (!read_request (socket, &method, &path, &body))
    return;

  /* /janus[/session[/handle]][?query] */
  path[strcspn (path, "?")] = '\0';
  parts = g_strsplit (path + 1, "/", -1);
  n_parts = g_strv_length (parts);
  if (n_parts >= 2)
    session_id = g_ascii_strtoull (parts[1], NULL, 10);
  if (n_parts >= 3)
    handle_id = g_ascii_strtoull (parts[2], NULL, 10);

  if (g_str_equal (method, "POST"))
    {
      if (!json_parser_load_from_data (parser, body, -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        return;
      request = json_node_get_object (json_parser_get_root (parser));
      janus = json_object_get_string_member_with_default (request, "janus", "");
      transaction = json_object_get_string_member_with_default (request, "transaction", "");
    }

  g_mutex_lock (&fake->lock);

  if (fake->dead)
    {
      g_mutex_unlock (&fake->lock);
      return;
    }

  if (g_str_equal (method, "GET") && session_id != 0)
    {
      gint64 deadline = g_get_monotonic_time () + LONG_POLL_HOLD_MS * 1000;
      FakeSession *session;
      GString *array;

      fake->long_polls++;
      for (;;)
        {
          session = g_hash_table_lookup (fake->sessions, &session_id);
          if (session == NULL || fake->dead || !g_queue_is_empty (&session->events))
            break;
          if (!g_cond_wait_until (&fake->cond, &fake->lock, deadline))
            break;
        }
      if (fake->dead)
        {
          /* Dies with the connection open: the client sees it reset. */
          g_mutex_unlock (&fake->lock);
          return;
        }
      if (session == NULL)
        {
          reply = reply_error (NULL, 458, "No such session");
        }
      else
        {
          array = g_string_new ("[");
          for (guint i = 0; i < 10 && !g_queue_is_empty (&session->events); i++)
            {
              g_autofree char *event = g_queue_pop_head (&session->events);

              if (i > 0)
                g_string_append_c (array, ',');
              g_string_append (array, event);
            }
          if (array->len == 1)
            g_string_append (array, "{\"janus\":\"keepalive\"}");
          g_string_append_c (array, ']');
          reply = g_string_free (array, FALSE);
        }
    }
  else if (request != NULL && n_parts == 1 && g_str_equal (janus, "create"))
    {
      FakeSession *session = g_new0 (FakeSession, 1);

      session->id = ++fake->next_id + 1000;
      g_queue_init (&session->events);
      g_hash_table_insert (fake->sessions, g_memdup2 (&session->id, sizeof (guint64)), session);
      reply = g_strdup_printf ("{\"janus\":\"success\",\"transaction\":\"%s\",\"data\":{\"id\":%" G_GUINT64_FORMAT "}}",
                               transaction, session->id);
    }
  else if (request != NULL && g_hash_table_lookup (fake->sessions, &session_id) == NULL)
    {
      reply = reply_error (transaction, 458, "No such session");
    }
  else if (request != NULL && g_str_equal (janus, "keepalive"))
    {
      fake->keepalives++;
      reply = g_strdup_printf ("{\"janus\":\"ack\",\"session_id\":%" G_GUINT64_FORMAT ",\"transaction\":\"%s\"}",
                               session_id, transaction);
    }
  else if (request != NULL && g_str_equal (janus, "attach"))
    {
      const char *plugin = json_object_get_string_member_with_default (request, "plugin", "");

      if (!g_str_equal (plugin, "janus.plugin.videoroom"))
        reply = reply_error (transaction, 460, "No such plugin");
      else
        reply = g_strdup_printf ("{\"janus\":\"success\",\"transaction\":\"%s\",\"data\":{\"id\":%" G_GUINT64_FORMAT "}}",
                                 transaction, ++fake->next_id + 5000);
    }
  else if (request != NULL && g_str_equal (janus, "message") && handle_id != 0)
    {
      reply = fake_handle_message (fake, session_id, handle_id, transaction, request,
                                   &delay_ms);
    }
  else if (request != NULL && g_str_equal (janus, "trickle") && handle_id != 0)
    {
      g_ptr_array_add (fake->log, g_strdup_printf ("trickle %" G_GUINT64_FORMAT, handle_id));
      g_free (fake->last_trickle);
      fake->last_trickle = g_strdup (body);
      reply = g_strdup_printf ("{\"janus\":\"ack\",\"session_id\":%" G_GUINT64_FORMAT ",\"transaction\":\"%s\"}",
                               session_id, transaction);
    }
  else if (request != NULL && g_str_equal (janus, "detach") && handle_id != 0)
    {
      g_ptr_array_add (fake->log, g_strdup_printf ("detach %" G_GUINT64_FORMAT, handle_id));
      reply = g_strdup_printf ("{\"janus\":\"success\",\"transaction\":\"%s\"}", transaction);
    }
  else if (request != NULL && g_str_equal (janus, "destroy"))
    {
      fake->destroys++;
      g_hash_table_remove (fake->sessions, &session_id);
      g_cond_broadcast (&fake->cond);
      reply = g_strdup_printf ("{\"janus\":\"success\",\"transaction\":\"%s\"}", transaction);
    }
  else
    {
      reply = reply_error (transaction, 457, "Unknown request");
    }

  g_mutex_unlock (&fake->lock);

  if (delay_ms > 0)
    g_usleep (delay_ms * 1000);
  send_json (socket, reply);
}

static gpointer
fake_worker (gpointer data)
{
  gpointer *args = data;
  FakeJanus *fake = args[0];
  g_autoptr(GSocket) socket = args[1];

  g_free (args);
  fake_serve (fake, socket);
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  g_socket_close (socket, NULL);
  return NULL;
}

static gpointer
fake_accept_thread (gpointer data)
{
  FakeJanus *fake = data;

  for (;;)
    {
      GSocket *socket = g_socket_accept (fake->listener, fake->cancellable, NULL);
      gpointer *args;

      if (socket == NULL)
        break;
      g_socket_set_blocking (socket, TRUE);
      args = g_new0 (gpointer, 2);
      args[0] = fake;
      args[1] = socket;
      g_mutex_lock (&fake->lock);
      g_ptr_array_add (fake->workers, g_thread_new ("fake-janus-worker", fake_worker, args));
      g_mutex_unlock (&fake->lock);
    }
  return NULL;
}

static FakeJanus *
fake_janus_new (void)
{
  FakeJanus *fake = g_new0 (FakeJanus, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&fake->lock);
  g_cond_init (&fake->cond);
  fake->sessions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, fake_session_free);
  fake->workers = g_ptr_array_new ();
  fake->log = g_ptr_array_new_with_free_func (g_free);
  fake->cancellable = g_cancellable_new ();

  fake->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (fake->listener, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (fake->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (fake->listener, &error);
  g_assert_no_error (error);
  fake->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  fake->accept_thread = g_thread_new ("fake-janus", fake_accept_thread, fake);
  return fake;
}

/* The gateway dies: no more connections, open ones are dropped. */
static void
fake_janus_kill (FakeJanus *fake)
{
  g_mutex_lock (&fake->lock);
  fake->dead = TRUE;
  g_cond_broadcast (&fake->cond);
  g_mutex_unlock (&fake->lock);
  g_cancellable_cancel (fake->cancellable);
  g_thread_join (g_steal_pointer (&fake->accept_thread));
  g_socket_close (fake->listener, NULL);
}

static void
fake_janus_free (FakeJanus *fake)
{
  if (fake->accept_thread != NULL)
    fake_janus_kill (fake);
  for (guint i = 0; i < fake->workers->len; i++)
    g_thread_join (g_ptr_array_index (fake->workers, i));
  g_ptr_array_unref (fake->workers);
  g_ptr_array_unref (fake->log);
  g_hash_table_unref (fake->sessions);
  g_clear_object (&fake->listener);
  g_clear_object (&fake->cancellable);
  g_free (fake->last_trickle);
  g_mutex_clear (&fake->lock);
  g_cond_clear (&fake->cond);
  g_free (fake);
}

/* Every session forgotten, as after a gateway restart. */
static void
fake_janus_forget_sessions (FakeJanus *fake)
{
  g_mutex_lock (&fake->lock);
  g_hash_table_remove_all (fake->sessions);
  g_cond_broadcast (&fake->cond);
  g_mutex_unlock (&fake->lock);
}

static char *
fake_janus_log (FakeJanus *fake)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_mutex_lock (&fake->lock);
  for (guint i = 0; i < fake->log->len; i++)
    g_string_append_printf (out, "%s%s", i ? "; " : "", (char *) g_ptr_array_index (fake->log, i));
  g_mutex_unlock (&fake->lock);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- fixture ------------------------------------------------------------ */

typedef struct
{
  GMainContext     *context;
  FakeJanus        *fake;
  RelaisHttpClient *client;
  RelaisJanus      *janus;

  GAsyncResult     *result;
  guint             lost;
  guint             reconnected;
  guint64           reconnected_id;
  gint64            lost_at;
  GPtrArray        *signals;    /* char * */
} Fixture;

static void
lost_cb (RelaisJanus *janus,
         Fixture     *f)
{
  f->lost++;
  f->lost_at = g_get_monotonic_time ();
  g_assert_cmpint (relais_janus_get_state (janus), ==, RELAIS_JANUS_STATE_RECONNECTING);
}

static void
reconnected_cb (RelaisJanus *janus,
                guint64      session_id,
                Fixture     *f)
{
  f->reconnected++;
  f->reconnected_id = session_id;
  g_assert_cmpint (relais_janus_get_state (janus), ==, RELAIS_JANUS_STATE_CONNECTED);
}

static void
event_cb (RelaisJanus *janus,
          guint64      handle_id,
          JsonNode    *data,
          JsonNode    *jsep,
          Fixture     *f)
{
  g_ptr_array_add (f->signals, g_strdup_printf ("event %" G_GUINT64_FORMAT " gone=%" G_GUINT64_FORMAT " jsep=%d",
                                                handle_id, relais_janus_videoroom_parse_gone (data),
                                                jsep != NULL));
}

static void
webrtcup_cb (RelaisJanus *janus,
             guint64      handle_id,
             Fixture     *f)
{
  g_ptr_array_add (f->signals, g_strdup_printf ("webrtcup %" G_GUINT64_FORMAT, handle_id));
}

static void
media_cb (RelaisJanus *janus,
          guint64      handle_id,
          const char  *mid,
          const char  *type,
          gboolean     receiving,
          Fixture     *f)
{
  g_ptr_array_add (f->signals, g_strdup_printf ("media %" G_GUINT64_FORMAT " %s %s %d",
                                                handle_id, mid, type, receiving));
}

static void
slowlink_cb (RelaisJanus *janus,
             guint64      handle_id,
             gboolean     uplink,
             guint        lost,
             Fixture     *f)
{
  g_ptr_array_add (f->signals, g_strdup_printf ("slowlink %" G_GUINT64_FORMAT " %d %u",
                                                handle_id, uplink, lost));
}

static void
hangup_cb (RelaisJanus *janus,
           guint64      handle_id,
           const char  *reason,
           Fixture     *f)
{
  g_ptr_array_add (f->signals, g_strdup_printf ("hangup %" G_GUINT64_FORMAT " %s", handle_id, reason));
}

static void
detached_cb (RelaisJanus *janus,
             guint64      handle_id,
             Fixture     *f)
{
  g_ptr_array_add (f->signals, g_strdup_printf ("detached %" G_GUINT64_FORMAT, handle_id));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *url = NULL;

  f->context = relais_test_context_push ();
  f->fake = fake_janus_new ();
  f->client = relais_http_client_new ();
  url = g_strdup_printf ("http://127.0.0.1:%u/janus/", f->fake->port);
  f->janus = relais_janus_new (f->client, url, NULL);
  f->signals = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->janus, "lost", G_CALLBACK (lost_cb), f);
  g_signal_connect (f->janus, "reconnected", G_CALLBACK (reconnected_cb), f);
  g_signal_connect (f->janus, "event", G_CALLBACK (event_cb), f);
  g_signal_connect (f->janus, "webrtcup", G_CALLBACK (webrtcup_cb), f);
  g_signal_connect (f->janus, "media", G_CALLBACK (media_cb), f);
  g_signal_connect (f->janus, "slowlink", G_CALLBACK (slowlink_cb), f);
  g_signal_connect (f->janus, "hangup", G_CALLBACK (hangup_cb), f);
  g_signal_connect (f->janus, "detached", G_CALLBACK (detached_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->result);
  /* Disposing sends a best-effort destroy, which holds the client until
   * it is answered. */
  g_assert_finalize_object (g_steal_pointer (&f->janus));
  relais_test_finalize_iterating (f->context, g_steal_pointer (&f->client));
  fake_janus_free (f->fake);
  g_ptr_array_unref (f->signals);
  relais_test_context_pop (f->context);
}

static void
connect_janus (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  relais_janus_connect_async (f->janus, NULL, relais_test_result_cb, &f->result);
  g_assert_cmpint (relais_janus_get_state (f->janus), ==, RELAIS_JANUS_STATE_CONNECTING);
  g_assert_true (relais_janus_connect_finish (f->janus, relais_test_wait_result (f->context, &f->result), &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);
  g_assert_cmpint (relais_janus_get_state (f->janus), ==, RELAIS_JANUS_STATE_CONNECTED);
  g_assert_cmpuint (relais_janus_get_session_id (f->janus), >, 0);
}

static guint64
attach (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  guint64 handle;

  relais_janus_attach_async (f->janus, "janus.plugin.videoroom", NULL, relais_test_result_cb, &f->result);
  handle = relais_janus_attach_finish (f->janus, relais_test_wait_result (f->context, &f->result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (handle, >, 0);
  g_clear_object (&f->result);
  return handle;
}

static JsonNode *
request_body (const char *request)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node;

  json_object_set_string_member (obj, "request", request);
  node = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj);
  return node;
}

static void
send_message (Fixture    *f,
              guint64     handle,
              const char *request)
{
  g_autoptr(JsonNode) body = request_body (request);

  relais_janus_message_async (f->janus, handle, body, NULL, NULL, relais_test_result_cb, &f->result);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_sync_message (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) jsep = NULL;
  g_autoptr(GError) error = NULL;
  guint64 handle;

  connect_janus (f);
  handle = attach (f);

  send_message (f, handle, "sync");
  reply = relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), &jsep, &error);
  g_assert_no_error (error);
  g_assert_null (jsep);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply), "answer"), ==, 42);
}

static void
test_async_event (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) jsep = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) publishers = NULL;
  RelaisJanusPublisher *pub;
  guint64 handle;

  connect_janus (f);
  handle = attach (f);

  send_message (f, handle, "async");
  reply = relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), &jsep, &error);
  g_assert_no_error (error);
  g_assert_nonnull (jsep);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (jsep), "type"), ==, "answer");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reply), "videoroom"), ==, "joined");
  /* The event went to the caller, not to the "event" signal. */
  g_assert_cmpuint (f->signals->len, ==, 0);

  publishers = relais_janus_videoroom_parse_publishers (reply);
  g_assert_cmpuint (publishers->len, ==, 2);
  pub = g_ptr_array_index (publishers, 0);
  g_assert_cmpuint (pub->id, ==, 11);
  g_assert_cmpstr (pub->display, ==, "A");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (pub->streams));
  pub = g_ptr_array_index (publishers, 1);
  g_assert_cmpuint (pub->id, ==, 12);
  g_assert_null (pub->display);
}

static void
test_early_event (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint64 handle;

  connect_janus (f);
  handle = attach (f);

  /* The fake sends the event on the long poll 300 ms before the ack. */
  send_message (f, handle, "early");
  reply = relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reply), "videoroom"), ==, "joined");
  g_assert_cmpuint (f->signals->len, ==, 0);
}

static void
test_unsolicited_events (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GString) got = g_string_new (NULL);
  guint64 handle;

  connect_janus (f);
  handle = attach (f);

  send_message (f, handle, "notify");
  reply = relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->result);

  while (f->signals->len < 6)
    g_main_context_iteration (f->context, TRUE);
  for (guint i = 0; i < f->signals->len; i++)
    g_string_append_printf (got, "%s%s", i ? "; " : "", (char *) g_ptr_array_index (f->signals, i));
  expected = g_strdup_printf ("webrtcup %1$" G_GUINT64_FORMAT "; "
                              "media %1$" G_GUINT64_FORMAT " 0 audio 1; "
                              "slowlink %1$" G_GUINT64_FORMAT " 1 17; "
                              "hangup %1$" G_GUINT64_FORMAT " DTLS alert; "
                              "event %1$" G_GUINT64_FORMAT " gone=11 jsep=0; "
                              "detached %1$" G_GUINT64_FORMAT,
                              handle);
  g_assert_cmpstr (got->str, ==, expected);
}

static void
test_order_per_handle (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = request_body ("slow");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *log = NULL;
  g_autofree char *expected = NULL;
  JsonObject *candidate;
  guint done = 0;
  guint64 handle;

  connect_janus (f);
  handle = attach (f);

  /* The fake holds the answer to "slow" 300 ms: trickles sent at once on
   * other connections would reach it first. */
  relais_janus_message_async (f->janus, handle, body, NULL, NULL, relais_test_result_cb, &f->result);
  for (guint i = 0; i < 3; i++)
    relais_janus_trickle_async (f->janus, handle, i,
                                "candidate:1 1 udp 2122260223 10.77.0.1 40000 typ host",
                                NULL, (GAsyncReadyCallback) NULL, NULL);
  relais_janus_trickle_async (f->janus, handle, 0, NULL, NULL, NULL, NULL);
  reply = relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), NULL, &error);
  g_assert_no_error (error);

  while (done == 0)
    {
      g_mutex_lock (&f->fake->lock);
      done = f->fake->log->len >= 5;
      g_mutex_unlock (&f->fake->lock);
      g_main_context_iteration (f->context, FALSE);
      g_usleep (1000);
    }
  relais_test_iterate_for (f->context, 100);

  log = fake_janus_log (f->fake);
  expected = g_strdup_printf ("message %1$" G_GUINT64_FORMAT " slow; trickle %1$" G_GUINT64_FORMAT
                              "; trickle %1$" G_GUINT64_FORMAT "; trickle %1$" G_GUINT64_FORMAT
                              "; trickle %1$" G_GUINT64_FORMAT, handle);
  g_assert_cmpstr (log, ==, expected);

  /* The last one: end of candidates. Earlier: m-line 0, no mid. */
  g_assert_true (json_parser_load_from_data (parser, f->fake->last_trickle, -1, NULL));
  candidate = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                             "candidate");
  g_assert_true (json_object_get_boolean_member (candidate, "completed"));
}

static void
test_trickle_mline_zero (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *candidate;
  guint64 handle;

  connect_janus (f);
  handle = attach (f);

  relais_janus_trickle_async (f->janus, handle, 2,
                              "candidate:1 1 udp 2122260223 10.77.0.1 40000 typ host",
                              NULL, relais_test_result_cb, &f->result);
  g_assert_true (relais_janus_trickle_finish (f->janus, relais_test_wait_result (f->context, &f->result), &error));
  g_assert_no_error (error);

  g_assert_true (json_parser_load_from_data (parser, f->fake->last_trickle, -1, NULL));
  candidate = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                             "candidate");
  g_assert_cmpint (json_object_get_int_member (candidate, "sdpMLineIndex"), ==, 0);
  g_assert_false (json_object_has_member (candidate, "sdpMid"));
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;
  guint64 handle;

  /* Not connected yet. */
  relais_janus_attach_async (f->janus, "janus.plugin.videoroom", NULL, relais_test_result_cb, &f->result);
  g_assert_cmpuint (relais_janus_attach_finish (f->janus, relais_test_wait_result (f->context, &f->result), &error), ==, 0);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_clear_error (&error);
  g_clear_object (&f->result);

  connect_janus (f);

  /* A Janus error reply. */
  relais_janus_attach_async (f->janus, "janus.plugin.nothing", NULL, relais_test_result_cb, &f->result);
  g_assert_cmpuint (relais_janus_attach_finish (f->janus, relais_test_wait_result (f->context, &f->result), &error), ==, 0);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  /* Only our sentence reaches the screen, never the gateway's words
   * (issue 12, item 14). */
  g_assert_cmpstr (error->message, ==,
                   "Le service de visio demandé n'est pas disponible sur le serveur.");
  g_assert_null (strstr (error->message, "No such plugin"));
  g_clear_error (&error);
  g_clear_object (&f->result);

  /* A plugin error, in the event. */
  handle = attach (f);
  send_message (f, handle, "noroom");
  reply = relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_assert_cmpstr (error->message, ==, "La salle de visio n'existe pas sur le serveur.");
  g_clear_error (&error);
  g_clear_object (&f->result);

  /* An unknown code with a reason written for the person: our sentence. */
  send_message (f, handle, "hostile");
  reply = relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_assert_cmpstr (error->message, ==, "Le serveur de visio a refusé la demande.");
  g_clear_error (&error);
  g_clear_object (&f->result);

  /* The session survives errors. */
  g_assert_cmpint (relais_janus_get_state (f->janus), ==, RELAIS_JANUS_STATE_CONNECTED);
  g_assert_cmpuint (f->lost, ==, 0);
}

static void
test_event_timeout_and_cancel (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonNode) body = request_body ("never");
  gint64 start;
  guint64 handle;

  connect_janus (f);
  handle = attach (f);

  relais_janus_set_event_timeout (f->janus, 300);
  send_message (f, handle, "never");
  g_assert_null (relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), NULL, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_clear_error (&error);
  g_clear_object (&f->result);

  relais_janus_set_event_timeout (f->janus, 10000);
  relais_janus_message_async (f->janus, handle, body, NULL, cancellable, relais_test_result_cb, &f->result);
  relais_test_iterate_for (f->context, 100);
  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_assert_null (relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 500 * 1000);
  g_clear_object (&f->result);

  /* The handle's queue goes on. */
  send_message (f, handle, "sync");
  g_assert_nonnull (relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), NULL, NULL));
}

static void
test_keepalive (Fixture       *f,
                gconstpointer  data)
{
  guint keepalives;

  relais_janus_set_keepalive_interval (f->janus, 200);
  connect_janus (f);
  relais_test_iterate_for (f->context, 1100);
  g_mutex_lock (&f->fake->lock);
  keepalives = f->fake->keepalives;
  g_mutex_unlock (&f->fake->lock);
  g_assert_cmpuint (keepalives, >=, 3);
  g_assert_cmpuint (keepalives, <=, 6);
}

static void
stall_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError **error = user_data;

  g_assert_null (relais_janus_message_finish (RELAIS_JANUS (object), result, NULL, error));
  g_assert_nonnull (*error);
}

static void
test_lost_458_and_reconnect (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) stall_error = NULL;
  g_autoptr(JsonNode) stall = request_body ("stall");
  guint64 old_session;
  guint64 handle;
  guint64 other_handle;
  gint64 start;

  connect_janus (f);
  old_session = relais_janus_get_session_id (f->janus);
  handle = attach (f);
  other_handle = attach (f);

  /* A request waiting for its event, and one whose POST is still in
   * flight, fail with the loss of the session. */
  send_message (f, handle, "never");
  relais_test_iterate_for (f->context, 100);
  relais_janus_message_async (f->janus, other_handle, stall, NULL, NULL, stall_cb, &stall_error);
  relais_test_iterate_for (f->context, 100);

  start = g_get_monotonic_time ();
  fake_janus_forget_sessions (f->fake);
  g_assert_null (relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), NULL, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_assert_cmpstr (error->message, ==, "La connexion avec le serveur de visio a été perdue.");
  g_clear_error (&error);
  g_clear_object (&f->result);
  while (stall_error == NULL)
    g_main_context_iteration (f->context, TRUE);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1000 * 1000);
  g_assert_error (stall_error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_assert_cmpstr (stall_error->message, ==, "La connexion avec le serveur de visio a été perdue.");
  g_assert_cmpuint (f->lost, ==, 1);
  g_test_message ("458 → lost in %.0f ms", (f->lost_at - start) / 1000.0);
  g_assert_cmpint (f->lost_at - start, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (relais_janus_get_state (f->janus), ==, RELAIS_JANUS_STATE_RECONNECTING);

  /* Requests fail at once while reconnecting. */
  send_message (f, handle, "sync");
  g_assert_null (relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), NULL, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_clear_error (&error);
  g_clear_object (&f->result);

  while (f->reconnected == 0)
    g_main_context_iteration (f->context, TRUE);
  g_test_message ("reconnected after %.0f ms", (g_get_monotonic_time () - f->lost_at) / 1000.0);
  g_assert_cmpuint (f->reconnected_id, !=, old_session);
  g_assert_cmpuint (relais_janus_get_session_id (f->janus), ==, f->reconnected_id);

  /* The new session works; handles must be attached again. */
  handle = attach (f);
  send_message (f, handle, "sync");
  g_assert_nonnull (relais_janus_message_finish (f->janus, relais_test_wait_result (f->context, &f->result), NULL, NULL));
}

static void
test_lost_gateway_down (Fixture       *f,
                        gconstpointer  data)
{
  gint64 start;

  connect_janus (f);
  relais_test_iterate_for (f->context, 100);

  start = g_get_monotonic_time ();
  fake_janus_kill (f->fake);
  while (f->lost == 0)
    g_main_context_iteration (f->context, TRUE);
  g_test_message ("gateway down → lost in %.0f ms", (f->lost_at - start) / 1000.0);
  g_assert_cmpint (f->lost_at - start, <, 3 * G_USEC_PER_SEC);

  /* Reconnection attempts fail (refused) and go on. */
  relais_test_iterate_for (f->context, 1500);
  g_assert_cmpint (relais_janus_get_state (f->janus), ==, RELAIS_JANUS_STATE_RECONNECTING);
  g_assert_cmpuint (f->reconnected, ==, 0);
}

static void
test_destroy (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint destroys;

  connect_janus (f);
  (void) attach (f);

  relais_janus_destroy_async (f->janus, NULL, relais_test_result_cb, &f->result);
  g_assert_true (relais_janus_destroy_finish (f->janus, relais_test_wait_result (f->context, &f->result), &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);
  g_assert_cmpint (relais_janus_get_state (f->janus), ==, RELAIS_JANUS_STATE_DISCONNECTED);
  g_assert_cmpuint (relais_janus_get_session_id (f->janus), ==, 0);
  g_mutex_lock (&f->fake->lock);
  destroys = f->fake->destroys;
  g_mutex_unlock (&f->fake->lock);
  g_assert_cmpuint (destroys, ==, 1);

  /* No "lost" for a session we ended, and it can connect again. */
  relais_test_iterate_for (f->context, 200);
  g_assert_cmpuint (f->lost, ==, 0);
  connect_janus (f);
}

static void
test_dispose_destroys (Fixture       *f,
                       gconstpointer  data)
{
  guint destroys;

  connect_janus (f);
  g_assert_finalize_object (g_steal_pointer (&f->janus));
  while (G_OBJECT (f->client)->ref_count > 1)
    g_main_context_iteration (f->context, TRUE);
  g_mutex_lock (&f->fake->lock);
  destroys = f->fake->destroys;
  g_mutex_unlock (&f->fake->lock);
  g_assert_cmpuint (destroys, ==, 1);

  /* Teardown expects an object. */
  f->janus = relais_janus_new (f->client, "http://127.0.0.1:1/janus", NULL);
}

static void
test_connect_refused (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fake_janus_kill (f->fake);
  relais_janus_connect_async (f->janus, NULL, relais_test_result_cb, &f->result);
  g_assert_false (relais_janus_connect_finish (f->janus, relais_test_wait_result (f->context, &f->result), &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_assert_cmpint (relais_janus_get_state (f->janus), ==, RELAIS_JANUS_STATE_DISCONNECTED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/janus/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("sync-message", test_sync_message);
  ADD ("async-event", test_async_event);
  ADD ("early-event", test_early_event);
  ADD ("unsolicited-events", test_unsolicited_events);
  ADD ("order-per-handle", test_order_per_handle);
  ADD ("trickle-mline-zero", test_trickle_mline_zero);
  ADD ("errors", test_errors);
  ADD ("event-timeout-and-cancel", test_event_timeout_and_cancel);
  ADD ("keepalive", test_keepalive);
  ADD ("lost-458-and-reconnect", test_lost_458_and_reconnect);
  ADD ("lost-gateway-down", test_lost_gateway_down);
  ADD ("destroy", test_destroy);
  ADD ("dispose-destroys", test_dispose_destroys);
  ADD ("connect-refused", test_connect_refused);

  return g_test_run ();
}
