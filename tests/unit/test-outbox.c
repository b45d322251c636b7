/* test-outbox.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The upload outbox against a loopback HTTPS server running in a thread.
 * TLS is real: the server holds a certificate for 127.0.0.1 signed by a
 * test CA (tests/unit/data/tls), which the client is given as its CA
 * file, exactly as a deployment with a private CA would.
 */
#define G_LOG_DOMAIN "test-outbox"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/socket.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "relais-error.h"
#include "relais-http-client.h"
#include "relais-outbox.h"
#include "relais-store.h"

#define TOKEN "s3cret-jeton"

typedef struct
{
  char *key;           /* Idempotency-Key */
  char *authorization;
  char *content_type;
  char *body;
} Received;

static void
received_free (Received *received)
{
  g_free (received->key);
  g_free (received->authorization);
  g_free (received->content_type);
  g_free (received->body);
  g_free (received);
}

typedef struct
{
  GTlsCertificate *certificate;
  guint16          port;
  GSocket         *socket;      /* NULL while down */
  GCancellable    *cancellable;
  GThread         *thread;

  GMutex           lock;
  guint            status;      /* answered to every request */
  GPtrArray       *received;    /* Received */
} TlsServer;

/* The value of header @name in @head (case-insensitive), or NULL. */
static char *
header_value (const char *head,
              const char *name)
{
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);
  gsize len = strlen (name);

  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, len) == 0 && lines[i][len] == ':')
      return g_strstrip (g_strdup (lines[i] + len + 1));

  return NULL;
}

static void
serve_one (TlsServer *server,
           GSocket   *client)
{
  g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection (client);
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) request = g_string_new (NULL);
  g_autofree char *response = NULL;
  g_autofree char *length_text = NULL;
  GInputStream *in;
  GOutputStream *out;
  const char *end;
  gsize body_length;
  Received *received;
  char buffer[4096];
  guint status;

  tls = g_tls_server_connection_new (G_IO_STREAM (connection), server->certificate, &error);
  g_assert_no_error (error);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), server->cancellable, &error))
    {
      g_test_message ("server: handshake failed: %s", error->message);
      return;
    }

  in = g_io_stream_get_input_stream (tls);
  out = g_io_stream_get_output_stream (tls);

  while ((end = strstr (request->str, "\r\n\r\n")) == NULL)
    {
      gssize n = g_input_stream_read (in, buffer, sizeof buffer, server->cancellable, NULL);
      if (n <= 0)
        return;
      g_string_append_len (request, buffer, n);
    }

  length_text = header_value (request->str, "Content-Length");
  body_length = length_text != NULL ? g_ascii_strtoull (length_text, NULL, 10) : 0;
  while (request->len < (gsize) (end - request->str) + 4 + body_length)
    {
      gssize n = g_input_stream_read (in, buffer, sizeof buffer, server->cancellable, NULL);
      if (n <= 0)
        return;
      g_string_append_len (request, buffer, n);
      end = strstr (request->str, "\r\n\r\n");
    }

  received = g_new0 (Received, 1);
  received->key = header_value (request->str, "Idempotency-Key");
  received->authorization = header_value (request->str, "Authorization");
  received->content_type = header_value (request->str, "Content-Type");
  received->body = g_strndup (end + 4, body_length);

  g_mutex_lock (&server->lock);
  g_ptr_array_add (server->received, received);
  status = server->status;
  g_mutex_unlock (&server->lock);

  response = g_strdup_printf ("HTTP/1.1 %u Test\r\nContent-Type: application/json\r\n"
                              "Content-Length: 2\r\nConnection: close\r\n\r\n{}", status);
  g_output_stream_write_all (out, response, strlen (response), NULL, server->cancellable, NULL);
  g_io_stream_close (tls, NULL, NULL);
}

static gpointer
server_thread (gpointer data)
{
  TlsServer *server = data;

  for (;;)
    {
      g_autoptr(GSocket) client = g_socket_accept (server->socket, server->cancellable, NULL);

      if (client == NULL)
        break;
      serve_one (server, client);
    }

  return NULL;
}

/* Listens on @server->port (0: any, remembered for a restart). */
static void
server_up (TlsServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, server->port);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_null (server->socket);
  server->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  /* The same port again after server_down(), past TIME_WAIT. */
  g_socket_set_option (server->socket, SOL_SOCKET, SO_REUSEADDR, 1, NULL);
  g_assert_true (g_socket_bind (server->socket, address, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_socket_listen (server->socket, &error));
  g_assert_no_error (error);

  bound = g_socket_get_local_address (server->socket, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  server->cancellable = g_cancellable_new ();
  server->thread = g_thread_new ("tls-server", server_thread, server);
}

static void
server_down (TlsServer *server)
{
  g_cancellable_cancel (server->cancellable);
  g_thread_join (g_steal_pointer (&server->thread));
  g_socket_close (server->socket, NULL);
  g_clear_object (&server->socket);
  g_clear_object (&server->cancellable);
}

static TlsServer *
server_new (void)
{
  g_autoptr(GError) error = NULL;
  TlsServer *server = g_new0 (TlsServer, 1);
  const char *pem = g_test_get_filename (G_TEST_DIST, "unit", "data", "tls", "server-with-key.pem", NULL);
  GTlsBackend *backend = g_tls_backend_get_default ();

  if (!g_tls_backend_supports_tls (backend))
    g_error ("GIO has no TLS backend: install glib-networking (packaging/relais-dev.sh test_packages)");

  server->certificate = g_tls_certificate_new_from_file (pem, &error);
  g_assert_no_error (error);
  g_mutex_init (&server->lock);
  server->status = 200;
  server->received = g_ptr_array_new_with_free_func ((GDestroyNotify) received_free);

  return server;
}

static void
server_free (TlsServer *server)
{
  if (server->thread != NULL)
    server_down (server);
  g_clear_object (&server->certificate);
  g_ptr_array_unref (server->received);
  g_mutex_clear (&server->lock);
  g_free (server);
}

static void
server_set_status (TlsServer *server,
                   guint      status)
{
  g_mutex_lock (&server->lock);
  server->status = status;
  g_mutex_unlock (&server->lock);
}

static guint
server_count (TlsServer *server)
{
  guint n;

  g_mutex_lock (&server->lock);
  n = server->received->len;
  g_mutex_unlock (&server->lock);

  return n;
}

typedef struct
{
  TlsServer        *server;
  char             *dir;
  char             *db_path;
  RelaisStore      *store;
  RelaisHttpClient *http;
  RelaisOutbox     *outbox;
  GArray           *statuses;  /* of "attempt-finished" */
} Fixture;

static void
attempt_finished_cb (RelaisOutbox *outbox,
                     guint         status,
                     Fixture      *f)
{
  g_array_append_val (f->statuses, status);
}

static char *
url_for (Fixture *f)
{
  return g_strdup_printf ("https://127.0.0.1:%u/relais/sessions", f->server->port);
}

static void
outbox_open (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = url_for (f);

  f->store = relais_store_new (f->db_path, &error);
  g_assert_no_error (error);
  f->http = relais_http_client_new ();
  relais_http_client_set_ca_file (f->http, g_test_get_filename (G_TEST_DIST, "unit", "data", "tls", "ca.pem", NULL));
  f->outbox = relais_outbox_new (f->store, f->http, url, TOKEN);
  relais_outbox_set_backoff (f->outbox, 200, 1000);
  g_signal_connect (f->outbox, "attempt-finished", G_CALLBACK (attempt_finished_cb), f);
}

static void
outbox_close (Fixture *f)
{
  g_object_run_dispose (G_OBJECT (f->outbox));
  g_object_run_dispose (G_OBJECT (f->http));
  /* Let the cancelled requests' callbacks drop their references. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (g_steal_pointer (&f->outbox));
  g_assert_finalize_object (g_steal_pointer (&f->http));
  g_assert_finalize_object (g_steal_pointer (&f->store));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("relais-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "relais.db", NULL);
  f->statuses = g_array_new (FALSE, FALSE, sizeof (guint));
  f->server = server_new ();
  server_up (f->server);
  outbox_open (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  outbox_close (f);
  server_free (f->server);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (f->db_path, suffixes[i], NULL);
      g_remove (path);
    }
  g_rmdir (f->dir);
  g_free (f->db_path);
  g_free (f->dir);
  g_array_unref (f->statuses);
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("test-outbox: timed out waiting for the outbox");
  return G_SOURCE_REMOVE;
}

/* Iterates until @n attempts have finished in all. */
static void
wait_attempts (Fixture *f,
               guint    n)
{
  guint id = g_timeout_add_seconds (20, timeout_cb, NULL);

  while (f->statuses->len < n)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static guint
status_at (Fixture *f,
           guint    i)
{
  return g_array_index (f->statuses, guint, i);
}

static void
queue (Fixture    *f,
       const char *key,
       const char *json)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_outbox_queue (f->outbox, key, json, &error));
  g_assert_no_error (error);
}

static Received *
received_at (Fixture *f,
             guint    i)
{
  Received *received;

  g_mutex_lock (&f->server->lock);
  received = g_ptr_array_index (f->server->received, i);
  g_mutex_unlock (&f->server->lock);

  return received;
}

static void
test_delivered (Fixture       *f,
                gconstpointer  data)
{
  queue (f, "aaaa", "{\"session\":\"aaaa\",\"survey\":5}");
  queue (f, "bbbb", "{\"session\":\"bbbb\",\"survey\":null}");
  g_assert_cmpint (relais_outbox_count_pending (f->outbox), ==, 2);

  wait_attempts (f, 2);
  g_assert_cmpuint (status_at (f, 0), ==, 200);
  g_assert_cmpuint (status_at (f, 1), ==, 200);
  g_assert_cmpint (relais_outbox_count_pending (f->outbox), ==, 0);
  g_assert_cmpuint (relais_outbox_get_delivered (f->outbox), ==, 2);

  g_assert_cmpuint (server_count (f->server), ==, 2);
  g_assert_cmpstr (received_at (f, 0)->key, ==, "aaaa");
  g_assert_cmpstr (received_at (f, 0)->authorization, ==, "Bearer " TOKEN);
  g_assert_cmpstr (received_at (f, 0)->content_type, ==, "application/json");
  g_assert_cmpstr (received_at (f, 0)->body, ==, "{\"session\":\"aaaa\",\"survey\":5}");
  g_assert_cmpstr (received_at (f, 1)->key, ==, "bbbb");
  g_assert_cmpstr (received_at (f, 1)->body, ==, "{\"session\":\"bbbb\",\"survey\":null}");
}

static void
test_down_then_up (Fixture       *f,
                   gconstpointer  data)
{
  gint64 started = g_get_monotonic_time ();

  server_down (f->server);
  queue (f, "cccc", "{\"session\":\"cccc\"}");
  wait_attempts (f, 2);
  /* Refused connections: no status, the record waits. */
  g_assert_cmpuint (status_at (f, 0), ==, 0);
  g_assert_cmpuint (status_at (f, 1), ==, 0);
  g_assert_cmpint (relais_outbox_count_pending (f->outbox), ==, 1);
  /* Back-off: 200 ms after the first failure, then 400 ms. */
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 200 * 1000);

  server_up (f->server);
  wait_attempts (f, 3);
  /* The next attempt (400 ms, then 800 ms…) finds the server back. */
  while (status_at (f, f->statuses->len - 1) != 200)
    wait_attempts (f, f->statuses->len + 1);
  g_assert_cmpint (relais_outbox_count_pending (f->outbox), ==, 0);
  g_assert_cmpuint (server_count (f->server), ==, 1);
  g_assert_cmpstr (received_at (f, 0)->key, ==, "cccc");
}

static void
test_restart_pending (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  server_down (f->server);
  queue (f, "dddd", "{\"session\":\"dddd\"}");
  queue (f, "eeee", "{\"session\":\"eeee\"}");
  wait_attempts (f, 1);
  g_assert_cmpuint (status_at (f, 0), ==, 0);

  /* The kiosk stops (or loses power) with two records waiting. */
  outbox_close (f);
  g_array_set_size (f->statuses, 0);

  server_up (f->server);
  outbox_open (f);
  g_assert_cmpint (relais_outbox_count_pending (f->outbox), ==, 2);
  /* The one that failed waits its back-off; the other is due now. */
  relais_outbox_flush (f->outbox);
  wait_attempts (f, 2);
  g_assert_cmpuint (status_at (f, 0), ==, 200);
  g_assert_cmpuint (status_at (f, 1), ==, 200);
  g_assert_cmpint (relais_outbox_count_pending (f->outbox), ==, 0);
  g_assert_cmpuint (server_count (f->server), ==, 2);
  g_assert_true ((g_str_equal (received_at (f, 0)->key, "eeee") && g_str_equal (received_at (f, 1)->key, "dddd")) ||
                 (g_str_equal (received_at (f, 0)->key, "dddd") && g_str_equal (received_at (f, 1)->key, "eeee")));
  g_assert_no_error (error);
}

static void
test_http_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 due;
  gint64 now;

  /* 5xx: back-off from the first retry. The server may have kept the
   * record before failing: the retry carries the same key. */
  server_set_status (f->server, 503);
  queue (f, "ffff", "{\"session\":\"ffff\"}");
  wait_attempts (f, 1);
  g_assert_cmpuint (status_at (f, 0), ==, 503);
  g_assert_cmpint (relais_outbox_count_pending (f->outbox), ==, 1);
  now = g_get_real_time () / 1000;
  due = relais_store_next_upload_time (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (due - now, <=, 200);
  g_assert_cmpint (due - now, >, 100);

  /* 4xx: the server refuses the record as it is; it stays, and is tried
   * again only at the cap (1 s here, 1 h in a kiosk). */
  server_set_status (f->server, 422);
  g_test_expect_message ("relais-outbox", G_LOG_LEVEL_WARNING, "*refused a record (HTTP 422)*");
  wait_attempts (f, 2);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (status_at (f, 1), ==, 422);
  g_assert_cmpint (relais_outbox_count_pending (f->outbox), ==, 1);
  now = g_get_real_time () / 1000;
  due = relais_store_next_upload_time (f->store, &error);
  g_assert_cmpint (due - now, >, 800);
  g_assert_cmpint (due - now, <=, 1000);

  /* Then the server takes it. */
  server_set_status (f->server, 200);
  wait_attempts (f, 3);
  g_assert_cmpuint (status_at (f, 2), ==, 200);
  g_assert_cmpint (relais_outbox_count_pending (f->outbox), ==, 0);

  g_assert_cmpuint (server_count (f->server), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (received_at (f, i)->key, ==, "ffff");
      g_assert_cmpstr (received_at (f, i)->body, ==, "{\"session\":\"ffff\"}");
    }
}

static void
test_backoff (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(RelaisOutbox) outbox = relais_outbox_new (f->store, f->http, "https://127.0.0.1/", NULL);

  /* The kiosk's own: 30 s, doubling, capped at 1 h. */
  g_assert_cmpuint (relais_outbox_backoff_ms (outbox, 0), ==, 0);
  g_assert_cmpuint (relais_outbox_backoff_ms (outbox, 1), ==, 30000);
  g_assert_cmpuint (relais_outbox_backoff_ms (outbox, 2), ==, 60000);
  g_assert_cmpuint (relais_outbox_backoff_ms (outbox, 4), ==, 240000);
  g_assert_cmpuint (relais_outbox_backoff_ms (outbox, 7), ==, 1920000);
  g_assert_cmpuint (relais_outbox_backoff_ms (outbox, 8), ==, 3600000);
  g_assert_cmpuint (relais_outbox_backoff_ms (outbox, 1000), ==, 3600000);
}

/* A wrong CA: TLS fails, nothing is sent in clear, the record waits. */
static void
test_untrusted (Fixture       *f,
                gconstpointer  data)
{
  relais_http_client_set_ca_file (f->http, "/etc/ssl/certs/ca-certificates.crt");
  g_assert_true (g_file_test ("/etc/ssl/certs/ca-certificates.crt", G_FILE_TEST_IS_REGULAR));
  queue (f, "gggg", "{\"session\":\"gggg\"}");
  wait_attempts (f, 1);
  g_assert_cmpuint (status_at (f, 0), ==, 0);
  g_assert_cmpuint (server_count (f->server), ==, 0);
  g_assert_cmpint (relais_outbox_count_pending (f->outbox), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/outbox/backoff", test_backoff);
  ADD ("/outbox/delivered", test_delivered);
  ADD ("/outbox/down-then-up", test_down_then_up);
  ADD ("/outbox/restart-pending", test_restart_pending);
  ADD ("/outbox/http-errors", test_http_errors);
  ADD ("/outbox/untrusted-server", test_untrusted);

  return g_test_run ();
}
