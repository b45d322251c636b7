/* relais-http-client.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RELAIS_TYPE_HTTP_CLIENT (relais_http_client_get_type ())
G_DECLARE_FINAL_TYPE (RelaisHttpClient, relais_http_client, RELAIS, HTTP_CLIENT, GObject)

#define RELAIS_HTTP_CLIENT_DEFAULT_TIMEOUT_MS        15000
#define RELAIS_HTTP_CLIENT_DEFAULT_MAX_ATTEMPTS      3
#define RELAIS_HTTP_CLIENT_DEFAULT_MAX_RESPONSE_SIZE (8 * 1024 * 1024)

/* An HTTP/HTTPS client driven by libcurl's multi interface from the
 * thread-default GMainContext that was current when the client was created.
 * Use it from that context's thread only (cancelling a GCancellable from any
 * thread is fine).
 *
 * - TLS is always verified; #RelaisHttpClient:ca-file replaces the system CA
 *   bundle (e.g. a private CA for the Janus gateway).
 * - Only http:// and https:// URLs; redirects are never followed (a 3xx is
 *   handed back as is by relais_http_client_request_finish()).
 * - Responses larger than #RelaisHttpClient:max-response-size fail.
 * - Idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) are retried up to
 *   #RelaisHttpClient:max-attempts times in all, after 250 ms, 500 ms, 1 s…,
 *   on connection errors, time-outs and HTTP 502/503/504. POST and other
 *   methods are never retried. The time-out applies to each attempt.
 * - Every failure is a RELAIS_ERROR_NETWORK error whose message is a plain
 *   French sentence followed by curl's description, or G_IO_ERROR_CANCELLED.
 * - Each in-flight request holds a reference on the client (like every
 *   GTask); g_object_run_dispose() cancels them all: their callbacks get
 *   G_IO_ERROR_CANCELLED.
 *
 * Properties are read when a request starts; changing them does not
 * affect requests already in flight. */
RelaisHttpClient *relais_http_client_new                   (void);

const char       *relais_http_client_get_ca_file           (RelaisHttpClient     *self);
/* @ca_file: path of a PEM CA bundle, or NULL for the system bundle. */
void              relais_http_client_set_ca_file           (RelaisHttpClient     *self,
                                                            const char           *ca_file);
const char       *relais_http_client_get_user_agent        (RelaisHttpClient     *self);
void              relais_http_client_set_user_agent        (RelaisHttpClient     *self,
                                                            const char           *user_agent);
/* Time-out of one attempt, in milliseconds, when a request passes 0. */
guint             relais_http_client_get_timeout           (RelaisHttpClient     *self);
void              relais_http_client_set_timeout           (RelaisHttpClient     *self,
                                                            guint                 timeout_ms);
/* Attempts in all for a retryable request (1 = no retry). */
guint             relais_http_client_get_max_attempts      (RelaisHttpClient     *self);
void              relais_http_client_set_max_attempts      (RelaisHttpClient     *self,
                                                            guint                 max_attempts);
guint64           relais_http_client_get_max_response_size (RelaisHttpClient     *self);
void              relais_http_client_set_max_response_size (RelaisHttpClient     *self,
                                                            guint64               max_bytes);

/* @method: an upper-case HTTP method ("GET", "POST", "PUT", "DELETE"…).
 * @body: (nullable): request body, sent with @content_type (nullable).
 * @timeout_ms: time-out of each attempt, 0 for #RelaisHttpClient:timeout. */
void              relais_http_client_request_async         (RelaisHttpClient     *self,
                                                            const char           *method,
                                                            const char           *url,
                                                            GBytes               *body,
                                                            const char           *content_type,
                                                            guint                 timeout_ms,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
/* The same with extra request headers ("Name: value", no CR or LF), e.g.
 * an Authorization or Idempotency-Key header. Header values are never
 * logged. Finish with relais_http_client_request_finish(). */
void              relais_http_client_request_with_headers_async (RelaisHttpClient    *self,
                                                                 const char          *method,
                                                                 const char          *url,
                                                                 const char * const  *headers,
                                                                 GBytes              *body,
                                                                 const char          *content_type,
                                                                 guint                timeout_ms,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
/* Returns the response body (possibly empty) for any status below 400.
 * @status_out: (nullable): the HTTP status of the last attempt, also on an
 * HTTP error (>= 400); 0 when the transfer itself failed (connection
 * error, time-out, response too large, cancellation). */
GBytes           *relais_http_client_request_finish        (RelaisHttpClient     *self,
                                                            GAsyncResult         *result,
                                                            guint                *status_out,
                                                            GError              **error);

/* GET @url (Accept: application/json) and parse the response. A status
 * other than 2xx, or a body that is not JSON, is a RELAIS_ERROR_NETWORK.
 * @timeout_ms: as for relais_http_client_request_async() (a Janus long
 * poll needs more than its 30 s). */
void              relais_http_client_get_json_async        (RelaisHttpClient     *self,
                                                            const char           *url,
                                                            guint                 timeout_ms,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
JsonNode         *relais_http_client_get_json_finish       (RelaisHttpClient     *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* POST @body serialised as application/json (never retried) and parse the
 * response like relais_http_client_get_json_async(). */
void              relais_http_client_post_json_async       (RelaisHttpClient     *self,
                                                            const char           *url,
                                                            JsonNode             *body,
                                                            guint                 timeout_ms,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
JsonNode         *relais_http_client_post_json_finish      (RelaisHttpClient     *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

G_END_DECLS
