/* relais-test-http-server.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "relais-test-http-server.h"
#include "../relais-test-utils.h"

typedef struct
{
  RelaisTestHttpServer *server;
  GSocketConnection    *connection;
} RelaisTestHttpConnection;

static void
relais_test_http_request_clear (RelaisTestHttpRequest *request)
{
  g_clear_pointer (&request->method, g_free);
  g_clear_pointer (&request->path, g_free);
  g_clear_pointer (&request->content_type, g_free);
  g_clear_pointer (&request->user_agent, g_free);
  g_clear_pointer (&request->body, g_bytes_unref);
}

void
relais_test_http_send_response (GSocket    *socket,
               guint       status,
               const char *reason,
               const char *content_type,
               const char *extra_headers,
               const char *body,
               gsize       len)
{
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                                           "Content-Type: %s\r\n"
                                           "Content-Length: %zu\r\n"
                                           "%s"
                                           "Connection: close\r\n"
                                           "\r\n",
                                           status, reason, content_type, len,
                                           extra_headers ? extra_headers : "");

  relais_test_send_all (socket, head, strlen (head));
  relais_test_send_all (socket, body, len);
}

/* Waits at most @timeout_ms for the client to close the connection;
 * returns TRUE if it did. */
gboolean
relais_test_http_wait_for_client_close (GSocket *socket,
                       guint    timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      gint64 remaining = deadline - g_get_monotonic_time ();
      char byte;

      if (remaining <= 0 ||
          !g_socket_condition_timed_wait (socket, G_IO_IN, remaining, NULL, NULL))
        return FALSE;

      if (g_socket_receive (socket, &byte, 1, NULL, NULL) <= 0)
        return TRUE;
    }
}

static gboolean
read_request (GSocket               *socket,
              RelaisTestHttpRequest *request)
{
  g_autoptr(GString) buffer = g_string_new (NULL);
  g_autofree char *head = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) request_line = NULL;
  const char *end;
  gsize header_len;
  gsize content_length = 0;
  char chunk[16384];

  while ((end = strstr (buffer->str, "\r\n\r\n")) == NULL)
    {
      gssize n = g_socket_receive (socket, chunk, sizeof chunk, NULL, NULL);

      if (n <= 0 || buffer->len > 65536)
        return FALSE;
      g_string_append_len (buffer, chunk, n);

      /* Not HTTP (a TLS ClientHello): hang up, as a real server would
       * after a 400. */
      if (!g_ascii_isupper (buffer->str[0]))
        return FALSE;
    }

  header_len = (gsize) (end - buffer->str);
  head = g_strndup (buffer->str, header_len);
  lines = g_strsplit (head, "\r\n", -1);

  request_line = g_strsplit (lines[0], " ", 3);
  if (g_strv_length (request_line) != 3)
    return FALSE;

  request->method = g_strdup (request_line[0]);
  request->path = g_strndup (request_line[1], strcspn (request_line[1], "?"));

  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL)
        continue;

      name = g_ascii_strdown (lines[i], colon - lines[i]);
      value = g_strstrip (g_strdup (colon + 1));

      if (g_str_equal (name, "content-length"))
        content_length = g_ascii_strtoull (value, NULL, 10);
      else if (g_str_equal (name, "content-type"))
        {
          g_free (request->content_type);
          request->content_type = g_strdup (value);
        }
      else if (g_str_equal (name, "user-agent"))
        {
          g_free (request->user_agent);
          request->user_agent = g_strdup (value);
        }
    }

  g_string_erase (buffer, 0, header_len + 4);
  while (buffer->len < content_length)
    {
      gssize n = g_socket_receive (socket, chunk, sizeof chunk, NULL, NULL);

      if (n <= 0)
        return FALSE;
      g_string_append_len (buffer, chunk, n);
    }
  request->body = g_bytes_new (buffer->str, content_length);

  return TRUE;
}

static guint
server_count_hit (RelaisTestHttpServer        *server,
                  const RelaisTestHttpRequest *request)
{
  g_autofree char *key = g_strdup_printf ("%s %s", request->method, request->path);
  guint count;

  g_mutex_lock (&server->lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (server->hits, key)) + 1;
  g_hash_table_insert (server->hits, g_steal_pointer (&key), GUINT_TO_POINTER (count));
  g_free (server->last_content_type);
  server->last_content_type = g_strdup (request->content_type);
  g_free (server->last_user_agent);
  server->last_user_agent = g_strdup (request->user_agent);
  g_mutex_unlock (&server->lock);

  return count;
}

void
relais_test_http_server_stall (RelaisTestHttpServer *server,
              GSocket    *socket,
              guint       timeout_ms)
{
  if (relais_test_http_wait_for_client_close (socket, timeout_ms))
    {
      g_mutex_lock (&server->lock);
      server->client_closed++;
      g_mutex_unlock (&server->lock);
    }
}

static gpointer
connection_thread_func (gpointer data)
{
  RelaisTestHttpConnection *conn = data;
  GSocket *socket = g_socket_connection_get_socket (conn->connection);
  RelaisTestHttpRequest request = { 0 };

  if (read_request (socket, &request))
    {
      guint hit = server_count_hit (conn->server, &request);

      conn->server->handler (conn->server, socket, &request, hit, conn->server->handler_data);
    }

  relais_test_http_request_clear (&request);
  g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
  g_object_unref (conn->connection);
  g_free (conn);

  return NULL;
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  RelaisTestHttpServer *server = user_data;
  RelaisTestHttpConnection *conn = g_new0 (RelaisTestHttpConnection, 1);
  GThread *thread;

  conn->server = server;
  conn->connection = g_object_ref (connection);
  thread = g_thread_new ("test-http-connection", connection_thread_func, conn);

  g_mutex_lock (&server->lock);
  g_ptr_array_add (server->workers, thread);
  server->connections++;
  g_mutex_unlock (&server->lock);

  return TRUE;
}

static gboolean
server_ready_cb (gpointer data)
{
  RelaisTestHttpServer *server = data;

  g_mutex_lock (&server->lock);
  server->ready = TRUE;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);

  return G_SOURCE_REMOVE;
}

static gpointer
server_thread_func (gpointer data)
{
  RelaisTestHttpServer *server = data;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSource) idle = NULL;

  g_main_context_push_thread_default (server->context);

  /* The service accepts in the thread-default context of the thread that
   * adds the address: this one. */
  server->service = g_socket_service_new ();
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (server->service), 128);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  g_signal_connect (server->service, "incoming", G_CALLBACK (incoming_cb), server);
  g_socket_service_start (server->service);

  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  /* Announce readiness from inside the loop: a g_main_loop_quit() that
   * came before g_main_loop_run() would be lost. */
  idle = g_idle_source_new ();
  g_source_set_callback (idle, server_ready_cb, server, NULL);
  g_source_attach (idle, server->context);

  g_main_loop_run (server->loop);

  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_clear_object (&server->service);

  g_main_context_pop_thread_default (server->context);

  return NULL;
}

RelaisTestHttpServer *
relais_test_http_server_start (RelaisTestHttpHandler handler,
                               gpointer              handler_data)
{
  RelaisTestHttpServer *server = g_new0 (RelaisTestHttpServer, 1);

  server->handler = handler;
  server->handler_data = handler_data;

  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);
  server->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->workers = g_ptr_array_new ();
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->thread = g_thread_new ("test-http-server", server_thread_func, server);

  g_mutex_lock (&server->lock);
  while (!server->ready)
    g_cond_wait (&server->cond, &server->lock);
  g_mutex_unlock (&server->lock);

  return server;
}

void
relais_test_http_server_stop (RelaisTestHttpServer *server)
{
  g_main_loop_quit (server->loop);
  g_thread_join (server->thread);

  /* No new workers once the server thread is gone; every worker ends when
   * its client has gone (at worst after the handler's own time-out). */
  for (guint i = 0; i < server->workers->len; i++)
    g_thread_join (g_ptr_array_index (server->workers, i));

  g_ptr_array_unref (server->workers);
  g_hash_table_unref (server->hits);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_free (server->last_content_type);
  g_free (server->last_user_agent);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server);
}

guint
relais_test_http_server_hits (RelaisTestHttpServer *server,
                  const char *key)
{
  guint count;

  g_mutex_lock (&server->lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (server->hits, key));
  g_mutex_unlock (&server->lock);

  return count;
}

guint
relais_test_http_server_get_uint (RelaisTestHttpServer *server,
                      guint      *field)
{
  guint value;

  g_mutex_lock (&server->lock);
  value = *field;
  g_mutex_unlock (&server->lock);

  return value;
}

char *
relais_test_http_server_url (RelaisTestHttpServer *server,
                 const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", server->port, path);
}
