/* relais-test-http-server.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A loopback HTTP/1.1 server for tests. It runs in its own thread with its
 * own GMainContext (a GSocketService accepting on 127.0.0.1, port 0) and
 * hands each connection to a worker thread, which reads one request and
 * calls the test's handler with blocking I/O. Every response closes its
 * connection. The counters are written by the server's threads: read them
 * with relais_test_http_server_hits()/_get_uint(), or under @lock.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _RelaisTestHttpServer RelaisTestHttpServer;

typedef struct
{
  char   *method;
  char   *path;
  char   *content_type;
  char   *user_agent;
  GBytes *body;
} RelaisTestHttpRequest;

/* Called in a worker thread for each request; @hit counts the requests
 * with this method and path so far, this one included. */
typedef void (*RelaisTestHttpHandler) (RelaisTestHttpServer        *server,
                                       GSocket                     *socket,
                                       const RelaisTestHttpRequest *request,
                                       guint                        hit,
                                       gpointer                     user_data);

struct _RelaisTestHttpServer
{
  GThread        *thread;
  GMainContext   *context;
  GMainLoop      *loop;
  GSocketService *service;
  guint16         port;

  RelaisTestHttpHandler handler;
  gpointer        handler_data;      /* the handler's user_data */

  GMutex          lock;
  GCond           cond;
  gboolean        ready;
  GHashTable     *hits;              /* "METHOD /path" → count */
  GPtrArray      *workers;           /* GThread */
  guint           connections;
  guint           client_closed;     /* stalls that ended with the client closing */
  char           *last_content_type;
  char           *last_user_agent;
};

RelaisTestHttpServer *relais_test_http_server_start    (RelaisTestHttpHandler handler,
                                                        gpointer              handler_data);
void                  relais_test_http_server_stop     (RelaisTestHttpServer *server);
guint                 relais_test_http_server_hits     (RelaisTestHttpServer *server,
                                                        const char           *key);
guint                 relais_test_http_server_get_uint (RelaisTestHttpServer *server,
                                                        guint                *field);
char                 *relais_test_http_server_url      (RelaisTestHttpServer *server,
                                                        const char           *path);
void                  relais_test_http_server_stall    (RelaisTestHttpServer *server,
                                                        GSocket              *socket,
                                                        guint                 timeout_ms);

void                  relais_test_http_send_response   (GSocket    *socket,
                                                        guint       status,
                                                        const char *reason,
                                                        const char *content_type,
                                                        const char *extra_headers,
                                                        const char *body,
                                                        gsize       len);
gboolean              relais_test_http_wait_for_client_close (GSocket *socket,
                                                              guint    timeout_ms);

G_END_DECLS
