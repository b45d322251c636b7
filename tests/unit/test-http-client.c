/* test-http-client.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RelaisHttpClient against a loopback HTTP/1.1 server
 * (relais-test-http-server.c) that plays the behaviour scripted for each
 * request's path, below in serve().
 */
#define G_LOG_DOMAIN "test-http-client"

#include "config.h"

#include <string.h>

#include <curl/curl.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "relais-error.h"
#include "relais-http-client.h"
#include "relais-test-http-server.h"

#include "../relais-test-utils.h"

#define SAFETY_TIMEOUT_S   10
#define STALL_MAX_MS       10000
#define SLOW_MS            2000
#define HUGE_SIZE          (9 * 1024 * 1024)
#define JSON_BODY          "{\"janus\":\"success\",\"transaction\":\"t1\",\"id\":42}"

static void
serve (RelaisTestHttpServer        *server,
       GSocket                     *socket,
       const RelaisTestHttpRequest *request,
       guint                        hit,
       gpointer                     user_data)
{
  const char *path = request->path;

  if (g_str_equal (path, "/json"))
    {
      relais_test_http_send_response (socket, 200, "OK", "application/json", NULL, JSON_BODY, strlen (JSON_BODY));
    }
  else if (g_str_equal (path, "/echo"))
    {
      gsize len;
      const char *data = g_bytes_get_data (request->body, &len);

      relais_test_http_send_response (socket, 200, "OK",
                     request->content_type ? request->content_type : "application/octet-stream",
                     NULL, data, len);
    }
  else if (g_str_equal (path, "/slow"))
    {
      /* Longer than the client's time-out; stops early if it gives up. */
      if (!relais_test_http_wait_for_client_close (socket, SLOW_MS))
        relais_test_http_send_response (socket, 200, "OK", "application/json", NULL, JSON_BODY, strlen (JSON_BODY));
    }
  else if (g_str_equal (path, "/stall"))
    {
      relais_test_http_server_stall (server, socket, STALL_MAX_MS);
    }
  else if (g_str_equal (path, "/drop"))
    {
      /* Close before sending a single byte. */
    }
  else if (g_str_equal (path, "/drop-after-headers"))
    {
      const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         "Content-Length: 100\r\nConnection: close\r\n\r\n";
      relais_test_send_all (socket, head, strlen (head));
    }
  else if (g_str_equal (path, "/drop-mid-body"))
    {
      const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         "Content-Length: 100\r\nConnection: close\r\n\r\n{\"janus\":";
      relais_test_send_all (socket, head, strlen (head));
    }
  else if (g_str_equal (path, "/malformed"))
    {
      const char *body = "{\"janus\": \"success\", \"id\": ";
      relais_test_http_send_response (socket, 200, "OK", "application/json", NULL, body, strlen (body));
    }
  else if (g_str_equal (path, "/empty"))
    {
      relais_test_http_send_response (socket, 200, "OK", "application/json", NULL, "", 0);
    }
  else if (g_str_equal (path, "/flaky"))
    {
      /* 503 twice per method, then 200. */
      if (hit <= 2)
        relais_test_http_send_response (socket, 503, "Service Unavailable", "text/plain", NULL, "busy", 4);
      else
        relais_test_http_send_response (socket, 200, "OK", "application/json", NULL, JSON_BODY, strlen (JSON_BODY));
    }
  else if (g_str_equal (path, "/always-503"))
    {
      relais_test_http_send_response (socket, 503, "Service Unavailable", "text/plain", NULL, "busy", 4);
    }
  else if (g_str_equal (path, "/error500"))
    {
      relais_test_http_send_response (socket, 500, "Internal Server Error", "text/plain", NULL, "oops", 4);
    }
  else if (g_str_equal (path, "/huge") || g_str_equal (path, "/exact-limit"))
    {
      gsize size = g_str_equal (path, "/huge") ? HUGE_SIZE : RELAIS_HTTP_CLIENT_DEFAULT_MAX_RESPONSE_SIZE;
      g_autofree char *body = g_malloc (size);

      memset (body, 'x', size);
      relais_test_http_send_response (socket, 200, "OK", "application/octet-stream", NULL, body, size);
    }
  else if (g_str_equal (path, "/huge-no-length"))
    {
      /* Close-delimited: only the write callback can enforce the limit. */
      const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                         "Connection: close\r\n\r\n";
      g_autofree char *body = g_malloc (HUGE_SIZE);

      memset (body, 'x', HUGE_SIZE);
      relais_test_send_all (socket, head, strlen (head));
      relais_test_send_all (socket, body, HUGE_SIZE);
    }
  else if (g_str_equal (path, "/redirect"))
    {
      g_autofree char *location = g_strdup_printf ("Location: http://127.0.0.1:%u/json\r\n",
                                                   server->port);
      relais_test_http_send_response (socket, 302, "Found", "text/plain", location, "", 0);
    }
  else
    {
      relais_test_http_send_response (socket, 404, "Not Found", "text/plain", NULL, "not found", 9);
    }
}

/* ---- client side ------------------------------------------------------- */

typedef struct
{
  GMainContext         *context;
  RelaisTestHttpServer *server;
  RelaisHttpClient     *client;
} Fixture;

typedef struct
{
  gboolean  done;
  GBytes   *bytes;
  JsonNode *node;
  guint     status;
  GError   *error;
  gint64    started_at;
  gint64    finished_at;
} Result;

typedef gboolean (*Predicate) (gpointer data);

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->bytes, g_bytes_unref);
  g_clear_pointer (&result->node, json_node_unref);
  g_clear_error (&result->error);
  memset (result, 0, sizeof *result);
}

static gint64
result_elapsed_ms (const Result *result)
{
  return (result->finished_at - result->started_at) / 1000;
}

static gboolean
result_is_done (gpointer data)
{
  return ((Result *) data)->done;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->context = relais_test_context_push ();
  f->server = relais_test_http_server_start (serve, NULL);
  f->client = relais_http_client_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  while (g_main_context_iteration (f->context, FALSE))
    ;
  g_assert_finalize_object (f->client);

  relais_test_http_server_stop (f->server);

  relais_test_context_pop (f->context);
}

static gboolean
safety_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

#define iterate_until(f, predicate, data) iterate_until_full (f, predicate, data, #predicate)

static void
iterate_until_full (Fixture    *f,
                    Predicate   predicate,
                    gpointer    data,
                    const char *name)
{
  g_autoptr(GSource) safety = g_timeout_source_new_seconds (SAFETY_TIMEOUT_S);
  g_autoptr(GSource) tick = g_timeout_source_new (10);
  gboolean timed_out = FALSE;

  g_source_set_callback (safety, safety_timeout_cb, &timed_out, NULL);
  g_source_attach (safety, f->context);
  /* Some predicates read what the server thread counts, which does not
   * wake this context up. */
  g_source_set_callback (tick, tick_cb, NULL, NULL);
  g_source_attach (tick, f->context);

  while (!predicate (data) && !timed_out)
    g_main_context_iteration (f->context, TRUE);

  g_source_destroy (tick);
  g_source_destroy (safety);
  if (timed_out)
    g_error ("Timed out after %d s waiting for %s", SAFETY_TIMEOUT_S, name);
}

static void
request_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Result *r = user_data;

  g_assert_false (r->done);
  r->bytes = relais_http_client_request_finish (RELAIS_HTTP_CLIENT (object), result,
                                                &r->status, &r->error);
  g_assert_true ((r->bytes == NULL) != (r->error == NULL));
  r->finished_at = g_get_monotonic_time ();
  r->done = TRUE;
}

static void
get_json_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Result *r = user_data;

  g_assert_false (r->done);
  r->node = relais_http_client_get_json_finish (RELAIS_HTTP_CLIENT (object), result, &r->error);
  g_assert_true ((r->node == NULL) != (r->error == NULL));
  r->finished_at = g_get_monotonic_time ();
  r->done = TRUE;
}

static void
post_json_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Result *r = user_data;

  g_assert_false (r->done);
  r->node = relais_http_client_post_json_finish (RELAIS_HTTP_CLIENT (object), result, &r->error);
  g_assert_true ((r->node == NULL) != (r->error == NULL));
  r->finished_at = g_get_monotonic_time ();
  r->done = TRUE;
}

static void
start_request (Fixture      *f,
               const char   *method,
               const char   *path,
               GBytes       *body,
               const char   *content_type,
               guint         timeout_ms,
               GCancellable *cancellable,
               Result       *r)
{
  g_autofree char *url = relais_test_http_server_url (f->server, path);

  r->started_at = g_get_monotonic_time ();
  relais_http_client_request_async (f->client, method, url, body, content_type, timeout_ms,
                                    cancellable, request_done_cb, r);
}

static void
run_request (Fixture    *f,
             const char *method,
             const char *path,
             GBytes     *body,
             const char *content_type,
             guint       timeout_ms,
             Result     *r)
{
  start_request (f, method, path, body, content_type, timeout_ms, NULL, r);
  iterate_until (f, result_is_done, r);
}

static void
run_request_url (Fixture    *f,
                 const char *method,
                 const char *url,
                 Result     *r)
{
  r->started_at = g_get_monotonic_time ();
  relais_http_client_request_async (f->client, method, url, NULL, NULL, 0,
                                    NULL, request_done_cb, r);
  iterate_until (f, result_is_done, r);
}

static void
run_get_json (Fixture    *f,
              const char *path,
              Result     *r)
{
  g_autofree char *url = relais_test_http_server_url (f->server, path);

  r->started_at = g_get_monotonic_time ();
  relais_http_client_get_json_async (f->client, url, 0, NULL, get_json_done_cb, r);
  iterate_until (f, result_is_done, r);
}

static void
assert_network_error (Result     *r,
                      const char *fragment)
{
  g_assert_error (r->error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  if (fragment != NULL && strstr (r->error->message, fragment) == NULL)
    g_error ("“%s” not in error message “%s”", fragment, r->error->message);
  /* The message may reach the person's screen: our French sentence, one
   * line, nothing of libcurl's English (issue 12, item 14). */
  g_assert_null (strchr (r->error->message, '\n'));
  for (int code = CURLE_OK + 1; code < CURL_LAST; code++)
    if (strstr (r->error->message, curl_easy_strerror ((CURLcode) code)) != NULL)
      g_error ("libcurl's words in the message “%s”", r->error->message);
}

/* ---- log capture ------------------------------------------------------- */

/* Everything the client logs, to check that no body ever reaches a log. */
static GMutex   log_lock;
static GString *client_log;

static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if (g_strcmp0 (domain, "relais-http-client") == 0 && message != NULL)
    {
      g_mutex_lock (&log_lock);
      g_string_append_printf (client_log, "%s\n", message);
      g_mutex_unlock (&log_lock);
    }

  /* test_logs_no_body() turns debug output on; keep it out of the TAP
   * stream unless asked for. */
  if ((log_level & G_LOG_LEVEL_DEBUG) && g_getenv ("G_MESSAGES_DEBUG") == NULL)
    return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static char *
client_log_take (void)
{
  char *text;

  g_mutex_lock (&log_lock);
  text = g_strdup (client_log->str);
  g_string_truncate (client_log, 0);
  g_mutex_unlock (&log_lock);

  return text;
}

/* ---- tests ------------------------------------------------------------- */

static void
test_get_ok (Fixture       *f,
             gconstpointer  data)
{
  Result r = { 0 };

  run_request (f, "GET", "/json", NULL, NULL, 0, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (r.bytes, NULL), g_bytes_get_size (r.bytes),
                   JSON_BODY, strlen (JSON_BODY));
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /json"), ==, 1);
  g_mutex_lock (&f->server->lock);
  g_assert_cmpstr (f->server->last_user_agent, ==, "Relais/" PACKAGE_VERSION);
  g_mutex_unlock (&f->server->lock);
  result_clear (&r);

  /* The user agent is configurable. */
  relais_http_client_set_user_agent (f->client, "Relais-Test/1");
  run_request (f, "GET", "/json", NULL, NULL, 0, &r);
  g_assert_no_error (r.error);
  g_mutex_lock (&f->server->lock);
  g_assert_cmpstr (f->server->last_user_agent, ==, "Relais-Test/1");
  g_mutex_unlock (&f->server->lock);
  result_clear (&r);
}

static void
test_get_json (Fixture       *f,
               gconstpointer  data)
{
  Result r = { 0 };
  JsonObject *object;

  run_get_json (f, "/json", &r);
  g_assert_no_error (r.error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r.node));
  object = json_node_get_object (r.node);
  g_assert_cmpstr (json_object_get_string_member (object, "janus"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, 42);
  result_clear (&r);
}

static void
test_post_echo (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) text = g_bytes_new_static ("bonjour", 7);
  g_autoptr(GBytes) binary = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *url = relais_test_http_server_url (f->server, "/echo");
  g_autofree guint8 *blob = g_malloc (64 * 1024);
  Result r = { 0 };

  run_request (f, "POST", "/echo", text, "text/plain", 0, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_true (g_bytes_equal (r.bytes, text));
  g_mutex_lock (&f->server->lock);
  g_assert_cmpstr (f->server->last_content_type, ==, "text/plain");
  g_mutex_unlock (&f->server->lock);
  result_clear (&r);

  /* 64 KiB with NUL bytes: no 100-continue stall, nothing cut at a NUL. */
  for (guint i = 0; i < 64 * 1024; i++)
    blob[i] = (guint8) (i * 7);
  binary = g_bytes_new (blob, 64 * 1024);
  run_request (f, "POST", "/echo", binary, "application/octet-stream", 0, &r);
  g_assert_no_error (r.error);
  g_assert_true (g_bytes_equal (r.bytes, binary));
  g_assert_cmpint (result_elapsed_ms (&r), <, 900);
  result_clear (&r);

  /* PUT carries its body too. */
  run_request (f, "PUT", "/echo", text, "text/plain", 0, &r);
  g_assert_no_error (r.error);
  g_assert_true (g_bytes_equal (r.bytes, text));
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "PUT /echo"), ==, 1);
  result_clear (&r);

  body = json_from_string ("{\"janus\":\"create\",\"transaction\":\"t2\",\"n\":[1,2,3]}", NULL);
  g_assert_nonnull (body);
  r.started_at = g_get_monotonic_time ();
  relais_http_client_post_json_async (f->client, url, body, 0, NULL, post_json_done_cb, &r);
  iterate_until (f, result_is_done, &r);
  g_assert_no_error (r.error);
  g_assert_true (json_node_equal (r.node, body));
  g_mutex_lock (&f->server->lock);
  g_assert_cmpstr (f->server->last_content_type, ==, "application/json");
  g_mutex_unlock (&f->server->lock);
  result_clear (&r);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  Result r = { 0 };

  /* POST: one attempt only. */
  run_request (f, "POST", "/slow", NULL, NULL, 200, &r);
  assert_network_error (&r, "délai dépassé");
  g_assert_cmpuint (r.status, ==, 0);
  g_assert_cmpint (result_elapsed_ms (&r), >=, 150);
  g_assert_cmpint (result_elapsed_ms (&r), <, 1500);
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "POST /slow"), ==, 1);
  result_clear (&r);

  /* GET: a time-out is retried, then reported. */
  relais_http_client_set_max_attempts (f->client, 2);
  run_request (f, "GET", "/slow", NULL, NULL, 200, &r);
  assert_network_error (&r, "délai dépassé");
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /slow"), ==, 2);
  g_assert_cmpint (result_elapsed_ms (&r), >=, 200 + 250 + 200 - 50);
  g_assert_cmpint (result_elapsed_ms (&r), <, 2500);
  result_clear (&r);

  /* The client-wide default applies when the request passes 0. */
  relais_http_client_set_max_attempts (f->client, 1);
  relais_http_client_set_timeout (f->client, 300);
  run_request (f, "GET", "/slow", NULL, NULL, 0, &r);
  assert_network_error (&r, "délai dépassé");
  g_assert_cmpint (result_elapsed_ms (&r), >=, 250);
  g_assert_cmpint (result_elapsed_ms (&r), <, 1500);
  result_clear (&r);
}

static void
test_drop_mid_response (Fixture       *f,
                        gconstpointer  data)
{
  Result r = { 0 };

  relais_http_client_set_max_attempts (f->client, 1);

  run_request (f, "GET", "/drop-after-headers", NULL, NULL, 0, &r);
  assert_network_error (&r, "interrompue");
  g_assert_cmpuint (r.status, ==, 0);
  result_clear (&r);

  run_request (f, "GET", "/drop-mid-body", NULL, NULL, 0, &r);
  assert_network_error (&r, "interrompue");
  g_assert_cmpuint (r.status, ==, 0);
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /drop-mid-body"), ==, 1);
  result_clear (&r);

  /* With retries, an idempotent request tries again. */
  relais_http_client_set_max_attempts (f->client, 2);
  run_request (f, "GET", "/drop-mid-body", NULL, NULL, 0, &r);
  assert_network_error (&r, "interrompue");
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /drop-mid-body"), ==, 3);
  result_clear (&r);
}

static void
test_drop_before_any_byte (Fixture       *f,
                           gconstpointer  data)
{
  Result r = { 0 };

  /* Default: 3 attempts, 250 + 500 ms apart. */
  run_request (f, "GET", "/drop", NULL, NULL, 0, &r);
  assert_network_error (&r, "interrompue");
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /drop"), ==, 3);
  g_assert_cmpint (result_elapsed_ms (&r), >=, 700);
  g_assert_cmpint (result_elapsed_ms (&r), <, 3000);
  result_clear (&r);

  run_request (f, "POST", "/drop", NULL, NULL, 0, &r);
  assert_network_error (&r, "interrompue");
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "POST /drop"), ==, 1);
  result_clear (&r);
}

static void
test_malformed_json (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *log = NULL;
  Result r = { 0 };

  run_get_json (f, "/malformed", &r);
  assert_network_error (&r, "illisible");
  g_assert_null (strstr (r.error->message, "success"));
  result_clear (&r);

  run_get_json (f, "/empty", &r);
  assert_network_error (&r, "illisible");
  result_clear (&r);

  /* A redirect is not JSON either, and is not followed. */
  run_get_json (f, "/redirect", &r);
  assert_network_error (&r, "302");
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /json"), ==, 0);
  result_clear (&r);

  run_get_json (f, "/error500", &r);
  assert_network_error (&r, "HTTP 500");
  result_clear (&r);

  log = client_log_take ();
  g_assert_null (strstr (log, "success"));
}

static void
test_retry_get (Fixture       *f,
                gconstpointer  data)
{
  Result r = { 0 };

  run_request (f, "GET", "/flaky", NULL, NULL, 0, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /flaky"), ==, 3);
  g_assert_cmpint (result_elapsed_ms (&r), >=, 250 + 500 - 50);
  g_assert_cmpint (result_elapsed_ms (&r), <, 3000);
  result_clear (&r);
}

static void
test_no_retry_post (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  Result r = { 0 };

  run_request (f, "POST", "/flaky", body, "application/json", 0, &r);
  assert_network_error (&r, "HTTP 503");
  g_assert_cmpuint (r.status, ==, 503);
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "POST /flaky"), ==, 1);
  result_clear (&r);

  /* Retries stop at max-attempts. */
  relais_http_client_set_max_attempts (f->client, 2);
  run_request (f, "GET", "/always-503", NULL, NULL, 0, &r);
  assert_network_error (&r, "HTTP 503");
  g_assert_cmpuint (r.status, ==, 503);
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /always-503"), ==, 2);
  result_clear (&r);
}

static void
test_http_errors (Fixture       *f,
                  gconstpointer  data)
{
  Result r = { 0 };

  run_request (f, "GET", "/error500", NULL, NULL, 0, &r);
  assert_network_error (&r, "HTTP 500");
  g_assert_cmpuint (r.status, ==, 500);
  /* 500 is not a transient status: no retry. */
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /error500"), ==, 1);
  result_clear (&r);

  run_request (f, "DELETE", "/missing", NULL, NULL, 0, &r);
  assert_network_error (&r, "HTTP 404");
  g_assert_cmpuint (r.status, ==, 404);
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "DELETE /missing"), ==, 1);
  result_clear (&r);

  /* A redirect is handed back, not followed. */
  run_request (f, "GET", "/redirect", NULL, NULL, 0, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.status, ==, 302);
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /json"), ==, 0);
  result_clear (&r);
}

static void
test_response_limit (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *blob = g_malloc0 (2048);
  Result r = { 0 };

  relais_http_client_set_max_attempts (f->client, 1);

  run_request (f, "GET", "/huge", NULL, NULL, 0, &r);
  assert_network_error (&r, "volumineuse");
  result_clear (&r);

  run_request (f, "GET", "/huge-no-length", NULL, NULL, 0, &r);
  assert_network_error (&r, "volumineuse");
  result_clear (&r);

  run_request (f, "GET", "/exact-limit", NULL, NULL, 0, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (g_bytes_get_size (r.bytes), ==, RELAIS_HTTP_CLIENT_DEFAULT_MAX_RESPONSE_SIZE);
  result_clear (&r);

  /* The limit is a property, and a too large response is never retried. */
  relais_http_client_set_max_attempts (f->client, 3);
  relais_http_client_set_max_response_size (f->client, 1024);
  body = g_bytes_new (blob, 2048);
  run_request (f, "PUT", "/echo", body, "application/octet-stream", 0, &r);
  assert_network_error (&r, "volumineuse");
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "PUT /echo"), ==, 1);
  result_clear (&r);
}

typedef struct
{
  GCancellable *cancellable;
  gint64        cancelled_at;
} Canceller;

static gboolean
cancel_cb (gpointer data)
{
  Canceller *canceller = data;

  canceller->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (canceller->cancellable);

  return G_SOURCE_REMOVE;
}

static gboolean
server_saw_close (gpointer data)
{
  Fixture *f = data;

  return relais_test_http_server_get_uint (f->server, &f->server->client_closed) > 0;
}

typedef struct
{
  Fixture    *f;
  const char *key;
  guint       count;
} HitWait;

static gboolean
enough_hits (gpointer data)
{
  HitWait *w = data;

  return relais_test_http_server_hits (w->f->server, w->key) >= w->count;
}

static void
test_cancel_in_flight (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new (50);
  Canceller canceller = { cancellable, 0 };
  HitWait wait = { f, "GET /stall", 1 };
  Result r = { 0 };

  start_request (f, "GET", "/stall", NULL, NULL, 0, cancellable, &r);
  /* The server stalls with the request read. */
  iterate_until (f, enough_hits, &wait);

  g_source_set_callback (timeout, cancel_cb, &canceller, NULL);
  g_source_attach (timeout, f->context);

  iterate_until (f, result_is_done, &r);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (r.status, ==, 0);
  g_assert_cmpint (canceller.cancelled_at, >, 0);
  g_assert_cmpint ((r.finished_at - canceller.cancelled_at) / 1000, <, 100);
  result_clear (&r);

  /* The connection was really closed. */
  iterate_until (f, server_saw_close, f);
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /stall"), ==, 1);
}

static gpointer
cancel_thread_func (gpointer data)
{
  Canceller *canceller = data;

  canceller->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (canceller->cancellable);

  return NULL;
}

static void
test_cancel_from_thread (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Canceller canceller = { cancellable, 0 };
  HitWait wait = { f, "GET /stall", 1 };
  GThread *thread;
  Result r = { 0 };

  start_request (f, "GET", "/stall", NULL, NULL, 0, cancellable, &r);
  iterate_until (f, enough_hits, &wait);

  thread = g_thread_new ("test-cancel", cancel_thread_func, &canceller);
  iterate_until (f, result_is_done, &r);
  g_thread_join (thread);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint ((r.finished_at - canceller.cancelled_at) / 1000, <, 100);
  result_clear (&r);
  iterate_until (f, server_saw_close, f);
}

static void
test_cancel_before_start (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonNode) body = json_from_string ("{}", NULL);
  g_autofree char *url = relais_test_http_server_url (f->server, "/echo");
  Result r = { 0 };

  g_cancellable_cancel (cancellable);

  start_request (f, "GET", "/json", NULL, NULL, 0, cancellable, &r);
  iterate_until (f, result_is_done, &r);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&r);

  relais_http_client_post_json_async (f->client, url, body, 0, cancellable, post_json_done_cb, &r);
  iterate_until (f, result_is_done, &r);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&r);

  g_assert_cmpuint (relais_test_http_server_get_uint (f->server, &f->server->connections), ==, 0);
}

static void
test_cancel_during_backoff (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new (100);
  Canceller canceller = { cancellable, 0 };
  Result r = { 0 };

  g_source_set_callback (timeout, cancel_cb, &canceller, NULL);
  g_source_attach (timeout, f->context);

  /* The 503 comes at once; the cancel falls in the 250 ms back-off. */
  start_request (f, "GET", "/always-503", NULL, NULL, 0, cancellable, &r);
  iterate_until (f, result_is_done, &r);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (r.status, ==, 0);
  g_assert_cmpint (result_elapsed_ms (&r), <, 240);
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /always-503"), ==, 1);
  result_clear (&r);
}

#define N_CONCURRENT 50

typedef struct
{
  Result   results[N_CONCURRENT];
  GBytes  *bodies[N_CONCURRENT];
} Concurrent;

static gboolean
all_done (gpointer data)
{
  Concurrent *c = data;

  for (guint i = 0; i < N_CONCURRENT; i++)
    if (!c->results[i].done)
      return FALSE;

  return TRUE;
}

static void
test_concurrent (Fixture       *f,
                 gconstpointer  data)
{
  Concurrent *c = g_new0 (Concurrent, 1);
  gint64 started_at = g_get_monotonic_time ();

  for (guint i = 0; i < N_CONCURRENT; i++)
    {
      if (i % 2 == 0)
        {
          start_request (f, "GET", "/json", NULL, NULL, 0, NULL, &c->results[i]);
        }
      else
        {
          char *text = g_strdup_printf ("request %u", i);

          c->bodies[i] = g_bytes_new_take (text, strlen (text));
          start_request (f, "POST", "/echo", c->bodies[i], "text/plain", 0, NULL, &c->results[i]);
        }
    }

  iterate_until (f, all_done, c);
  g_assert_cmpint ((g_get_monotonic_time () - started_at) / 1000, <, 5000);

  for (guint i = 0; i < N_CONCURRENT; i++)
    {
      Result *r = &c->results[i];

      g_assert_no_error (r->error);
      g_assert_cmpuint (r->status, ==, 200);
      if (i % 2 == 0)
        g_assert_cmpuint (g_bytes_get_size (r->bytes), ==, strlen (JSON_BODY));
      else
        g_assert_true (g_bytes_equal (r->bytes, c->bodies[i]));

      result_clear (r);
      g_clear_pointer (&c->bodies[i], g_bytes_unref);
    }

  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /json"), ==, N_CONCURRENT / 2);
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "POST /echo"), ==, N_CONCURRENT / 2);
  g_free (c);
}

#define N_DISPOSED 6

static gboolean
first_n_done (gpointer data)
{
  Concurrent *c = data;

  for (guint i = 0; i < N_DISPOSED; i++)
    if (!c->results[i].done)
      return FALSE;

  return TRUE;
}

static gboolean
all_stalls_closed (gpointer data)
{
  Fixture *f = data;

  return relais_test_http_server_get_uint (f->server, &f->server->client_closed) >= N_DISPOSED;
}

static void
test_dispose_in_flight (Fixture       *f,
                        gconstpointer  data)
{
  Concurrent *c = g_new0 (Concurrent, 1);
  g_autofree char *url = relais_test_http_server_url (f->server, "/stall");
  HitWait wait = { f, "GET /stall", N_DISPOSED };
  Result after = { 0 };

  for (guint i = 0; i < N_DISPOSED - 1; i++)
    start_request (f, "GET", "/stall", NULL, NULL, 0, NULL, &c->results[i]);
  c->results[N_DISPOSED - 1].started_at = g_get_monotonic_time ();
  relais_http_client_get_json_async (f->client, url, 0, NULL, get_json_done_cb,
                                     &c->results[N_DISPOSED - 1]);

  /* Make sure the server has read every request: a connection closed
   * before that would not count as a stall that the client ended. */
  iterate_until (f, enough_hits, &wait);

  g_object_run_dispose (G_OBJECT (f->client));

  iterate_until (f, first_n_done, c);
  for (guint i = 0; i < N_DISPOSED; i++)
    {
      g_assert_error (c->results[i].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      result_clear (&c->results[i]);
    }

  /* A disposed client refuses new work without crashing. */
  start_request (f, "GET", "/json", NULL, NULL, 0, NULL, &after);
  iterate_until (f, result_is_done, &after);
  g_assert_error (after.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&after);

  /* curl_multi_cleanup() closed every connection. */
  iterate_until (f, all_stalls_closed, f);
  g_assert_cmpuint (relais_test_http_server_get_uint (f->server, &f->server->connections), ==, N_DISPOSED);
  g_free (c);
}

static void
test_https_bad_ca (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u/json", f->server->port);
  Result r = { 0 };

  relais_http_client_set_ca_file (f->client, "/nonexistent/relais-test-ca.pem");
  run_request_url (f, "GET", url, &r);
  assert_network_error (&r, "sécurisée");
  g_assert_cmpuint (r.status, ==, 0);
  g_assert_cmpint (result_elapsed_ms (&r), <, 2000);
  /* A TLS failure is not retried. */
  g_assert_cmpuint (relais_test_http_server_get_uint (f->server, &f->server->connections), <=, 1);
  result_clear (&r);

  /* With the system CAs, talking TLS to a plain HTTP server fails too. */
  relais_http_client_set_ca_file (f->client, NULL);
  run_request_url (f, "GET", url, &r);
  assert_network_error (&r, "sécurisée");
  g_assert_cmpuint (relais_test_http_server_hits (f->server, "GET /json"), ==, 0);
  result_clear (&r);
}

static void
test_closed_port (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  Result r = { 0 };

  /* Borrow a free port, then close it. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u/json",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  relais_http_client_set_max_attempts (f->client, 1);
  run_request_url (f, "GET", url, &r);
  assert_network_error (&r, "Impossible de se connecter");
  g_assert_cmpint (result_elapsed_ms (&r), <, 500);
  result_clear (&r);

  /* Retried (connection error), still quick. */
  relais_http_client_set_max_attempts (f->client, 3);
  run_request_url (f, "GET", url, &r);
  assert_network_error (&r, "Impossible de se connecter");
  g_assert_cmpint (result_elapsed_ms (&r), >=, 700);
  g_assert_cmpint (result_elapsed_ms (&r), <, 2000);
  result_clear (&r);
}

static void
test_protocols (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *ftp = g_strdup_printf ("ftp://127.0.0.1:%u/json", f->server->port);
  g_autofree char *gopher = g_strdup_printf ("gopher://127.0.0.1:%u/json", f->server->port);
  Result r = { 0 };

  run_request_url (f, "GET", "file:///etc/hostname", &r);
  assert_network_error (&r, "pas valide");
  result_clear (&r);

  run_request_url (f, "GET", ftp, &r);
  assert_network_error (&r, "pas valide");
  result_clear (&r);

  run_request_url (f, "GET", gopher, &r);
  assert_network_error (&r, "pas valide");
  result_clear (&r);

  run_request_url (f, "GET", "not a url", &r);
  assert_network_error (&r, NULL);
  result_clear (&r);

  g_assert_cmpuint (relais_test_http_server_get_uint (f->server, &f->server->connections), ==, 0);
}

static void
test_logs_no_body (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("SECRET-BODY-MARKER", 18);
  g_autofree char *url = relais_test_http_server_url (f->server, "/echo?token=SECRET-QUERY&x=1");
  g_autofree char *log = NULL;
  Result r = { 0 };

  /* Let g_debug() reach the writer. */
  g_log_set_debug_enabled (TRUE);
  g_free (client_log_take ());

  r.started_at = g_get_monotonic_time ();
  relais_http_client_request_async (f->client, "POST", url, body, "text/plain", 0, NULL,
                                    request_done_cb, &r);
  iterate_until (f, result_is_done, &r);
  g_assert_no_error (r.error);
  g_assert_true (g_bytes_equal (r.bytes, body));
  result_clear (&r);
  g_log_set_debug_enabled (g_getenv ("G_MESSAGES_DEBUG") != NULL);

  log = client_log_take ();
  g_assert_nonnull (strstr (log, "POST"));
  g_assert_nonnull (strstr (log, "/echo"));
  g_assert_nonnull (strstr (log, "HTTP 200"));
  g_assert_null (strstr (log, "SECRET"));
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *ca_file = NULL;
  guint notified = 0;

  g_assert_null (relais_http_client_get_ca_file (f->client));
  g_assert_cmpstr (relais_http_client_get_user_agent (f->client), ==, "Relais/" PACKAGE_VERSION);
  g_assert_cmpuint (relais_http_client_get_timeout (f->client), ==, RELAIS_HTTP_CLIENT_DEFAULT_TIMEOUT_MS);
  g_assert_cmpuint (relais_http_client_get_max_attempts (f->client), ==, 3);
  g_assert_cmpuint (relais_http_client_get_max_response_size (f->client), ==, 8 * 1024 * 1024);

  g_signal_connect (f->client, "notify", G_CALLBACK (notify_cb), &notified);

  relais_http_client_set_ca_file (f->client, "/etc/relais/ca.pem");
  relais_http_client_set_ca_file (f->client, "/etc/relais/ca.pem");
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (f->client, "ca-file", &ca_file, NULL);
  g_assert_cmpstr (ca_file, ==, "/etc/relais/ca.pem");

  g_object_set (f->client, "timeout", 2000, "max-attempts", 5, NULL);
  g_object_set (f->client, "timeout", 2000, NULL);
  g_assert_cmpuint (notified, ==, 3);
  g_assert_cmpuint (relais_http_client_get_timeout (f->client), ==, 2000);
  g_assert_cmpuint (relais_http_client_get_max_attempts (f->client), ==, 5);

  relais_http_client_set_max_response_size (f->client, 1024);
  relais_http_client_set_user_agent (f->client, "X");
  relais_http_client_set_user_agent (f->client, "X");
  g_assert_cmpuint (notified, ==, 5);

  g_signal_handlers_disconnect_by_func (f->client, notify_cb, &notified);
}

int
main (int   argc,
      char *argv[])
{
  /* Nothing may go through a proxy from the environment. */
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");
  g_setenv ("no_proxy", "*", TRUE);

  client_log = g_string_new (NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/http-client/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("properties", test_properties);
  ADD ("get", test_get_ok);
  ADD ("get-json", test_get_json);
  ADD ("post-echo", test_post_echo);
  ADD ("timeout", test_timeout);
  ADD ("drop-mid-response", test_drop_mid_response);
  ADD ("drop-before-any-byte", test_drop_before_any_byte);
  ADD ("malformed-json", test_malformed_json);
  ADD ("retry-get", test_retry_get);
  ADD ("no-retry-post", test_no_retry_post);
  ADD ("http-errors", test_http_errors);
  ADD ("response-limit", test_response_limit);
  ADD ("cancel-in-flight", test_cancel_in_flight);
  ADD ("cancel-from-thread", test_cancel_from_thread);
  ADD ("cancel-before-start", test_cancel_before_start);
  ADD ("cancel-during-backoff", test_cancel_during_backoff);
  ADD ("concurrent", test_concurrent);
  ADD ("dispose-in-flight", test_dispose_in_flight);
  ADD ("https-bad-ca", test_https_bad_ca);
  ADD ("closed-port", test_closed_port);
  ADD ("protocols", test_protocols);
  ADD ("logs-no-body", test_logs_no_body);

#undef ADD

  return g_test_run ();
}
