/* relais-http-client.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-http-client"

#include "config.h"

#include <curl/curl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "relais-error.h"
#include "relais-http-client.h"
#include "relais-json-guard.h"

#define RETRY_BASE_DELAY_MS 250
#define RETRY_MAX_DELAY_MS  8000
#define CONNECT_TIMEOUT_MS  5000

/* json-glib parses recursively: deeper replies are refused before they
 * reach it (Janus replies are 3 or 4 levels deep). Their size is already
 * bounded by the max-response-size property. */
#define MAX_JSON_DEPTH 32

struct _RelaisHttpClient
{
  GObject       parent_instance;

  GMainContext *context;
  CURLM        *multi;
  GHashTable   *sockets;            /* fd → SocketWatch */
  GSource      *timer_source;
  GPtrArray    *requests;           /* GTask, one reference each, until completed */

  char         *ca_file;
  char         *user_agent;
  guint         timeout_ms;
  guint         max_attempts;
  guint64       max_response_size;

  gboolean      disposed;
};

G_DEFINE_FINAL_TYPE (RelaisHttpClient, relais_http_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CA_FILE,
  PROP_USER_AGENT,
  PROP_TIMEOUT,
  PROP_MAX_ATTEMPTS,
  PROP_MAX_RESPONSE_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  GSource      *source;
  GIOCondition  condition;
} SocketWatch;

/* The task data of one request. The task owns it; the client owns the task
 * (in self->requests) from the start until request_complete(). */
typedef struct
{
  RelaisHttpClient  *self;          /* the task's source object */
  GTask             *task;          /* not owned */
  GMainContext      *context;
  char              *method;
  char              *log_url;       /* no user info, query or fragment */
  GBytes            *body;
  CURL              *easy;
  struct curl_slist *headers;
  char             **extra_headers; /* "Name: value", may hold secrets: never logged */
  GByteArray        *response;
  guint64            max_response_size;
  guint              max_attempts;
  guint              attempt;
  guint              status;
  gboolean           too_large;
  gboolean           in_multi;
  gboolean           completed;
  GSource           *backoff_source;
  gulong             cancelled_id;
  gint64             attempt_started_at;
  char               errbuf[CURL_ERROR_SIZE];
} Request;

static void request_start_attempt (Request *req);

static gpointer
init_curl_once (gpointer data)
{
  return GINT_TO_POINTER (curl_global_init (CURL_GLOBAL_DEFAULT));
}

static void
socket_watch_free (gpointer data)
{
  SocketWatch *watch = data;

  g_source_destroy (watch->source);
  g_source_unref (watch->source);
  g_free (watch);
}

static void
request_free (gpointer data)
{
  Request *req = data;

  g_assert (!req->in_multi);
  g_assert (req->backoff_source == NULL);
  g_assert (req->cancelled_id == 0);

  g_clear_pointer (&req->easy, curl_easy_cleanup);
  g_clear_pointer (&req->headers, curl_slist_free_all);
  g_clear_pointer (&req->extra_headers, g_strfreev);
  g_clear_pointer (&req->response, g_byte_array_unref);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_clear_pointer (&req->context, g_main_context_unref);
  g_free (req->method);
  g_free (req->log_url);
  g_free (req);
}

/* URLs may carry credentials or session tokens: log only what identifies
 * the endpoint. */
static char *
url_for_log (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL)
    return g_strdup ("(adresse invalide)");

  return g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT);
}

/* g_set_str() (GLib 2.76, newer than Debian 12): TRUE when @field changed. */
static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
method_is_idempotent (const char *method)
{
  static const char * const idempotent[] = { "GET", "HEAD", "PUT", "DELETE", "OPTIONS" };

  for (guint i = 0; i < G_N_ELEMENTS (idempotent); i++)
    if (g_str_equal (method, idempotent[i]))
      return TRUE;

  return FALSE;
}

static gboolean
method_is_valid (const char *method)
{
  if (method == NULL || *method == '\0')
    return FALSE;

  for (const char *p = method; *p; p++)
    if (!g_ascii_isupper (*p))
      return FALSE;

  return TRUE;
}

static gboolean
result_is_retryable (CURLcode result,
                     guint    status)
{
  switch (result)
    {
    case CURLE_OK:
      return status == 502 || status == 503 || status == 504;

    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
      return TRUE;

    default:
      return FALSE;
    }
}

static GError *
error_from_curl (Request  *req,
                 CURLcode  result)
{
  const char *sentence;

  if (req->too_large || result == CURLE_FILESIZE_EXCEEDED)
    {
      sentence = _("La réponse du serveur est trop volumineuse.");
    }
  else
    {
      switch (result)
        {
        case CURLE_OPERATION_TIMEDOUT:
          sentence = _("Le serveur ne répond pas : délai dépassé.");
          break;

        case CURLE_COULDNT_CONNECT:
          sentence = _("Impossible de se connecter au serveur.");
          break;

        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
          sentence = _("L'adresse du serveur est introuvable.");
          break;

        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_PARTIAL_FILE:
          sentence = _("La connexion avec le serveur a été interrompue.");
          break;

        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
          sentence = _("La connexion sécurisée avec le serveur n'a pas pu être établie.");
          break;

        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
          sentence = _("L'adresse du serveur n'est pas valide.");
          break;

        default:
          sentence = _("La communication avec le serveur a échoué.");
          break;
        }
    }

  /* Our sentence only: the message may reach the person's screen, and
   * libcurl's words are English (they go to the debug log, with the
   * request). */
  return g_error_new_literal (RELAIS_ERROR, RELAIS_ERROR_NETWORK, sentence);
}

static GError *
error_from_status (guint status)
{
  const char *sentence;

  if (status == 404)
    sentence = _("Le service demandé est introuvable sur le serveur.");
  else if (status >= 500)
    sentence = _("Le serveur rencontre un problème ; réessayez dans quelques instants.");
  else
    sentence = _("Le serveur a refusé la requête.");

  return g_error_new (RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                      "%s (HTTP %u)", sentence, status);
}

/* Ends the request for good: the client drops its task, which is returned.
 * Takes @bytes or @error. The caller must have taken the easy handle out of
 * the multi handle. May run the caller's callback, so neither @req nor
 * its client may be used afterwards. */
static void
request_complete (Request *req,
                  GBytes  *bytes,
                  GError  *error)
{
  RelaisHttpClient *self = req->self;
  g_autoptr(GTask) task = req->task;

  g_assert (!req->completed);
  g_assert (!req->in_multi);

  req->completed = TRUE;

  if (req->backoff_source != NULL)
    {
      g_source_destroy (req->backoff_source);
      g_clear_pointer (&req->backoff_source, g_source_unref);
    }

  /* Never reached from inside the ::cancelled handler (it only schedules an
   * idle), where disconnecting would deadlock. */
  if (req->cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), req->cancelled_id);
      req->cancelled_id = 0;
    }

  /* Frees the connection-specific state early; the connection itself stays
   * in the multi handle's cache. */
  g_clear_pointer (&req->easy, curl_easy_cleanup);

  if (!g_ptr_array_remove_fast (self->requests, task))
    g_assert_not_reached ();

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

static gboolean
request_backoff_done_cb (gpointer user_data)
{
  Request *req = user_data;

  /* The source is done (G_SOURCE_REMOVE below): drop our reference now,
   * while GLib still holds its own for the dispatch, and before the
   * attempt may complete (and free) the request. */
  g_source_unref (g_steal_pointer (&req->backoff_source));

  request_start_attempt (req);

  return G_SOURCE_REMOVE;
}

/* The easy handle is out of the multi handle: succeed, retry or fail. */
static void
request_attempt_done (Request  *req,
                      CURLcode  result)
{
  long status = 0;
  gint64 elapsed_ms;

  curl_easy_getinfo (req->easy, CURLINFO_RESPONSE_CODE, &status);
  req->status = result == CURLE_OK ? (guint) status : 0;
  elapsed_ms = (g_get_monotonic_time () - req->attempt_started_at) / 1000;

  /* Never the bodies: they may carry personal data. */
  g_debug ("%s %s -> HTTP %u, %s, %" G_GINT64_FORMAT " ms (attempt %u/%u)%s%s",
           req->method, req->log_url, req->status, curl_easy_strerror (result),
           elapsed_ms, req->attempt, req->max_attempts,
           req->errbuf[0] ? ": " : "", req->errbuf);

  if (result == CURLE_OK && req->status < 400)
    {
      GByteArray *response = g_steal_pointer (&req->response);

      request_complete (req, g_byte_array_free_to_bytes (response), NULL);
      return;
    }

  if (req->attempt < req->max_attempts &&
      !req->too_large &&
      method_is_idempotent (req->method) &&
      result_is_retryable (result, req->status))
    {
      guint delay_ms = RETRY_BASE_DELAY_MS << MIN (req->attempt - 1, 10);

      delay_ms = MIN (delay_ms, RETRY_MAX_DELAY_MS);
      g_debug ("%s %s: retrying in %u ms", req->method, req->log_url, delay_ms);

      req->backoff_source = g_timeout_source_new (delay_ms);
      g_source_set_static_name (req->backoff_source, "[relais] http retry back-off");
      g_source_set_callback (req->backoff_source, request_backoff_done_cb, req, NULL);
      g_source_attach (req->backoff_source, req->context);
      return;
    }

  if (result != CURLE_OK)
    request_complete (req, NULL, error_from_curl (req, result));
  else
    request_complete (req, NULL, error_from_status (req->status));
}

static void
request_start_attempt (Request *req)
{
  RelaisHttpClient *self = req->self;
  CURLMcode mc;

  req->attempt++;
  req->status = 0;
  req->too_large = FALSE;
  req->errbuf[0] = '\0';
  g_byte_array_set_size (req->response, 0);
  req->attempt_started_at = g_get_monotonic_time ();

  /* Adding the handle sets a 0 ms timer (timer_cb): the transfer starts
   * from the main loop, not from here. */
  mc = curl_multi_add_handle (self->multi, req->easy);
  if (mc != CURLM_OK)
    {
      request_complete (req, NULL,
                        g_error_new (RELAIS_ERROR, RELAIS_ERROR_NETWORK, "%s (%s)",
                                     _("La communication avec le serveur a échoué."),
                                     curl_multi_strerror (mc)));
      return;
    }

  req->in_multi = TRUE;
}

/* Takes @req out of the transfers and completes it as cancelled. */
static void
request_abort (Request *req)
{
  if (req->in_multi)
    {
      curl_multi_remove_handle (req->self->multi, req->easy);
      req->in_multi = FALSE;
    }

  req->status = 0;
  request_complete (req, NULL,
                    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         _("La requête a été annulée.")));
}

/* Runs in the client's context. */
static gboolean
request_cancel_idle_cb (gpointer user_data)
{
  GTask *task = user_data;
  Request *req = g_task_get_task_data (task);

  if (req->completed)
    return G_SOURCE_REMOVE;

  g_debug ("%s %s: cancelled", req->method, req->log_url);
  request_abort (req);

  return G_SOURCE_REMOVE;
}

/* ::cancelled runs in whichever thread called g_cancellable_cancel(), maybe
 * synchronously inside g_cancellable_connect(), and must not disconnect
 * itself. So it only schedules the work on the client's context, where
 * curl_multi_remove_handle() is safe. */
static void
request_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  Request *req = user_data;
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_static_name (source, "[relais] http cancel");
  g_source_set_callback (source, request_cancel_idle_cb,
                         g_object_ref (req->task), g_object_unref);
  g_source_attach (source, req->context);
}

static size_t
write_cb (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  Request *req = user_data;
  size_t len = size * nmemb;

  /* CURLOPT_MAXFILESIZE only checks a Content-Length; this covers chunked
   * and close-delimited bodies. Returning less than len aborts. */
  if ((guint64) req->response->len + len > req->max_response_size)
    {
      req->too_large = TRUE;
      return 0;
    }

  g_byte_array_append (req->response, (const guint8 *) data, (guint) len);

  return len;
}

/* Drains finished transfers after each curl_multi_socket_action(). */
static void
check_multi_info (RelaisHttpClient *self)
{
  CURLMsg *msg;
  int pending;

  /* Completing a request may run user code that disposes the client. */
  while (self->multi != NULL &&
         (msg = curl_multi_info_read (self->multi, &pending)) != NULL)
    {
      CURL *easy;
      CURLcode result;
      void *priv = NULL;
      Request *req;

      if (msg->msg != CURLMSG_DONE)
        continue;

      /* msg is invalid once the handle is removed. */
      easy = msg->easy_handle;
      result = msg->data.result;

      curl_easy_getinfo (easy, CURLINFO_PRIVATE, &priv);
      req = priv;
      g_assert (req != NULL && req->easy == easy);

      curl_multi_remove_handle (self->multi, easy);
      req->in_multi = FALSE;

      request_attempt_done (req, result);
    }
}

static gboolean
socket_ready_cb (int          fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  g_autoptr(RelaisHttpClient) self = g_object_ref (user_data);
  int action = 0;
  int running = 0;

  if (condition & (G_IO_IN | G_IO_HUP))
    action |= CURL_CSELECT_IN;
  if (condition & G_IO_OUT)
    action |= CURL_CSELECT_OUT;
  if (condition & (G_IO_ERR | G_IO_NVAL))
    action |= CURL_CSELECT_ERR;

  curl_multi_socket_action (self->multi, fd, action, &running);
  check_multi_info (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
timer_fired_cb (gpointer user_data)
{
  g_autoptr(RelaisHttpClient) self = g_object_ref (user_data);
  int running = 0;

  /* Dropped first: socket_action may set a new timer through timer_cb,
   * which must not destroy this one. GLib holds its own reference on
   * the source while dispatching it. */
  g_source_unref (g_steal_pointer (&self->timer_source));

  curl_multi_socket_action (self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  check_multi_info (self);

  return G_SOURCE_REMOVE;
}

/* CURLMOPT_SOCKETFUNCTION: one fd source per socket, in the client's
 * context (g_unix_fd_add_full() would attach to the global default one). */
static int
socket_cb (CURL          *easy,
           curl_socket_t  fd,
           int            what,
           void          *user_data,
           void          *socket_data)
{
  RelaisHttpClient *self = user_data;
  GIOCondition condition = 0;
  SocketWatch *watch;

  if (what == CURL_POLL_REMOVE || self->disposed)
    {
      g_hash_table_remove (self->sockets, GINT_TO_POINTER (fd));
      return 0;
    }

  if (what & CURL_POLL_IN)
    condition |= G_IO_IN;
  if (what & CURL_POLL_OUT)
    condition |= G_IO_OUT;

  watch = g_hash_table_lookup (self->sockets, GINT_TO_POINTER (fd));
  if (watch != NULL && watch->condition == condition)
    return 0;

  watch = g_new0 (SocketWatch, 1);
  watch->condition = condition;
  watch->source = g_unix_fd_source_new (fd, condition);
  g_source_set_static_name (watch->source, "[relais] curl socket");
  g_source_set_callback (watch->source, G_SOURCE_FUNC (socket_ready_cb), self, NULL);
  g_source_attach (watch->source, self->context);

  /* Replaces (and destroys) the previous watch of this fd, if any. */
  g_hash_table_insert (self->sockets, GINT_TO_POINTER (fd), watch);

  return 0;
}

/* CURLMOPT_TIMERFUNCTION: a single timeout source. libcurl must not be
 * called from here, so a 0 ms timeout is a source too. */
static int
timer_cb (CURLM    *multi,
          long      timeout_ms,
          void     *user_data)
{
  RelaisHttpClient *self = user_data;

  if (self->timer_source != NULL)
    {
      g_source_destroy (self->timer_source);
      g_clear_pointer (&self->timer_source, g_source_unref);
    }

  if (timeout_ms < 0 || self->disposed)
    return 0;

  self->timer_source = g_timeout_source_new ((guint) MIN (timeout_ms, (long) G_MAXINT));
  g_source_set_static_name (self->timer_source, "[relais] curl timer");
  g_source_set_callback (self->timer_source, timer_fired_cb, self, NULL);
  g_source_attach (self->timer_source, self->context);

  return 0;
}

static CURL *
request_new_easy (Request      *req,
                  const char   *url,
                  const char   *content_type,
                  const char   *accept,
                  guint         timeout_ms,
                  GError      **error)
{
  RelaisHttpClient *self = req->self;
  CURL *easy;
  CURLcode rc;

  easy = curl_easy_init ();
  if (easy == NULL)
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                           _("La communication avec le serveur a échoué."));
      return NULL;
    }

  curl_easy_setopt (easy, CURLOPT_PRIVATE, req);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, req->errbuf);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, req);
  /* Time-outs would otherwise use SIGALRM, which is not thread-safe. */
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) timeout_ms);
  curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, (long) MIN (timeout_ms, CONNECT_TIMEOUT_MS));
  curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) req->max_response_size);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (self->user_agent != NULL)
    curl_easy_setopt (easy, CURLOPT_USERAGENT, self->user_agent);

  rc = curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
  if (rc == CURLE_OK)
    rc = curl_easy_setopt (easy, CURLOPT_URL, url);
  if (rc == CURLE_OK && self->ca_file != NULL)
    rc = curl_easy_setopt (easy, CURLOPT_CAINFO, self->ca_file);

  if (g_str_equal (req->method, "GET"))
    {
      curl_easy_setopt (easy, CURLOPT_HTTPGET, 1L);
    }
  else if (g_str_equal (req->method, "HEAD"))
    {
      curl_easy_setopt (easy, CURLOPT_NOBODY, 1L);
    }
  else
    {
      if (req->body != NULL ||
          g_str_equal (req->method, "POST") ||
          g_str_equal (req->method, "PUT") ||
          g_str_equal (req->method, "PATCH"))
        {
          gsize size = 0;
          const char *data = req->body ? g_bytes_get_data (req->body, &size) : NULL;

          curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) size);
          curl_easy_setopt (easy, CURLOPT_POSTFIELDS, data ? data : "");
        }
      if (!g_str_equal (req->method, "POST"))
        curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, req->method);
    }

  /* An empty "Expect:" turns off 100-continue, which would stall bodies
   * above 1 KiB by up to a second. */
  req->headers = curl_slist_append (req->headers, "Expect:");
  if (content_type != NULL)
    {
      g_autofree char *header = g_strdup_printf ("Content-Type: %s", content_type);
      req->headers = curl_slist_append (req->headers, header);
    }
  if (accept != NULL)
    {
      g_autofree char *header = g_strdup_printf ("Accept: %s", accept);
      req->headers = curl_slist_append (req->headers, header);
    }
  for (guint i = 0; req->extra_headers != NULL && req->extra_headers[i] != NULL; i++)
    req->headers = curl_slist_append (req->headers, req->extra_headers[i]);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, req->headers);

  if (rc != CURLE_OK)
    {
      g_debug ("curl_easy_setopt: %s", curl_easy_strerror (rc));
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                           _("La communication avec le serveur a échoué."));
      curl_easy_cleanup (easy);
      return NULL;
    }

  return easy;
}

static void
request_async_internal (RelaisHttpClient    *self,
                        const char          *method,
                        const char          *url,
                        GBytes              *body,
                        const char          *content_type,
                        const char          *accept,
                        const char * const  *extra_headers,
                        guint                timeout_ms,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Request *req;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_http_client_request_async);

  req = g_new0 (Request, 1);
  req->self = self;
  req->task = task;
  req->context = g_main_context_ref (self->context);
  req->method = g_strdup (method);
  req->log_url = url_for_log (url);
  req->body = body ? g_bytes_ref (body) : NULL;
  req->response = g_byte_array_new ();
  req->max_response_size = self->max_response_size;
  req->max_attempts = MAX (self->max_attempts, 1);
  req->extra_headers = g_strdupv ((char **) extra_headers);
  g_task_set_task_data (task, req, request_free);

  if (self->disposed || self->multi == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("La requête a été annulée."));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  req->easy = request_new_easy (req, url, content_type, accept,
                                timeout_ms > 0 ? timeout_ms : self->timeout_ms,
                                &error);
  if (req->easy == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_ptr_array_add (self->requests, g_object_ref (task));

  if (cancellable != NULL)
    req->cancelled_id = g_cancellable_connect (cancellable,
                                               G_CALLBACK (request_cancelled_cb),
                                               req, NULL);

  request_start_attempt (req);
}

static void
json_request_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  RelaisHttpClient *self = RELAIS_HTTP_CLIENT (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize size = 0;
  guint status = 0;

  bytes = relais_http_client_request_finish (self, result, &status, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (status < 200 || status >= 300)
    {
      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                               _("Réponse inattendue du serveur (HTTP %u)."), status);
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  if (!relais_json_guard_check (data, size, 0, MAX_JSON_DEPTH, &error))
    {
      /* The guard's message only gives a position, never the body. */
      g_debug ("Response refused before parsing (%zu bytes): %s", size, error->message);
      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_NETWORK, "%s",
                               _("La réponse du serveur est illisible (JSON trop imbriqué)."));
      return;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data ? data : "", (gssize) size, &error) ||
      json_parser_get_root (parser) == NULL)
    {
      /* The parser's message quotes the body: keep it out of the logs. */
      g_debug ("Response is not JSON (%zu bytes)", size);
      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_NETWORK, "%s",
                               _("La réponse du serveur est illisible (JSON invalide)."));
      return;
    }

  g_task_return_pointer (task, json_parser_steal_root (parser), (GDestroyNotify) json_node_unref);
}

static void
relais_http_client_dispose (GObject *object)
{
  RelaisHttpClient *self = (RelaisHttpClient *) object;

  self->disposed = TRUE;

  /* Completing runs callbacks, which may start requests: those fail at
   * once since self->disposed is set, so this loop ends. */
  while (self->requests->len > 0)
    {
      GTask *task = g_ptr_array_index (self->requests, self->requests->len - 1);

      request_abort (g_task_get_task_data (task));
    }

  if (self->multi != NULL)
    {
      CURLM *multi = g_steal_pointer (&self->multi);

      /* May still call socket_cb (CURL_POLL_REMOVE) for cached connections. */
      curl_multi_cleanup (multi);
    }

  g_hash_table_remove_all (self->sockets);

  if (self->timer_source != NULL)
    {
      g_source_destroy (self->timer_source);
      g_clear_pointer (&self->timer_source, g_source_unref);
    }

  G_OBJECT_CLASS (relais_http_client_parent_class)->dispose (object);
}

static void
relais_http_client_finalize (GObject *object)
{
  RelaisHttpClient *self = (RelaisHttpClient *) object;

  g_assert (self->requests->len == 0);
  g_assert (self->multi == NULL);

  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->sockets, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->user_agent, g_free);

  G_OBJECT_CLASS (relais_http_client_parent_class)->finalize (object);
}

static void
relais_http_client_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  RelaisHttpClient *self = RELAIS_HTTP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;

    case PROP_USER_AGENT:
      g_value_set_string (value, self->user_agent);
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout_ms);
      break;

    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;

    case PROP_MAX_RESPONSE_SIZE:
      g_value_set_uint64 (value, self->max_response_size);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_http_client_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  RelaisHttpClient *self = RELAIS_HTTP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CA_FILE:
      relais_http_client_set_ca_file (self, g_value_get_string (value));
      break;

    case PROP_USER_AGENT:
      relais_http_client_set_user_agent (self, g_value_get_string (value));
      break;

    case PROP_TIMEOUT:
      relais_http_client_set_timeout (self, g_value_get_uint (value));
      break;

    case PROP_MAX_ATTEMPTS:
      relais_http_client_set_max_attempts (self, g_value_get_uint (value));
      break;

    case PROP_MAX_RESPONSE_SIZE:
      relais_http_client_set_max_response_size (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_http_client_class_init (RelaisHttpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_http_client_dispose;
  object_class->finalize = relais_http_client_finalize;
  object_class->get_property = relais_http_client_get_property;
  object_class->set_property = relais_http_client_set_property;

  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_USER_AGENT] =
    g_param_spec_string ("user-agent", NULL, NULL,
                         "Relais/" PACKAGE_VERSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       1, G_MAXINT, RELAIS_HTTP_CLIENT_DEFAULT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL,
                       1, 10, RELAIS_HTTP_CLIENT_DEFAULT_MAX_ATTEMPTS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_MAX_RESPONSE_SIZE] =
    g_param_spec_uint64 ("max-response-size", NULL, NULL,
                         1, G_MAXUINT, RELAIS_HTTP_CLIENT_DEFAULT_MAX_RESPONSE_SIZE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
relais_http_client_init (RelaisHttpClient *self)
{
  static GOnce curl_once = G_ONCE_INIT;
  CURLcode rc;

  rc = GPOINTER_TO_INT (g_once (&curl_once, init_curl_once, NULL));
  if (rc != CURLE_OK)
    g_critical ("curl_global_init failed: %s", curl_easy_strerror (rc));

  self->context = g_main_context_ref_thread_default ();
  self->sockets = g_hash_table_new_full (NULL, NULL, NULL, socket_watch_free);
  self->requests = g_ptr_array_new ();
  self->user_agent = g_strdup ("Relais/" PACKAGE_VERSION);
  self->timeout_ms = RELAIS_HTTP_CLIENT_DEFAULT_TIMEOUT_MS;
  self->max_attempts = RELAIS_HTTP_CLIENT_DEFAULT_MAX_ATTEMPTS;
  self->max_response_size = RELAIS_HTTP_CLIENT_DEFAULT_MAX_RESPONSE_SIZE;

  self->multi = curl_multi_init ();
  g_assert (self->multi != NULL);
  curl_multi_setopt (self->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  curl_multi_setopt (self->multi, CURLMOPT_SOCKETDATA, self);
  curl_multi_setopt (self->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  curl_multi_setopt (self->multi, CURLMOPT_TIMERDATA, self);
}

RelaisHttpClient *
relais_http_client_new (void)
{
  return g_object_new (RELAIS_TYPE_HTTP_CLIENT, NULL);
}

const char *
relais_http_client_get_ca_file (RelaisHttpClient *self)
{
  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (self), NULL);

  return self->ca_file;
}

void
relais_http_client_set_ca_file (RelaisHttpClient *self,
                                const char       *ca_file)
{
  g_return_if_fail (RELAIS_IS_HTTP_CLIENT (self));

  if (set_string (&self->ca_file, ca_file))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CA_FILE]);
}

const char *
relais_http_client_get_user_agent (RelaisHttpClient *self)
{
  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (self), NULL);

  return self->user_agent;
}

void
relais_http_client_set_user_agent (RelaisHttpClient *self,
                                   const char       *user_agent)
{
  g_return_if_fail (RELAIS_IS_HTTP_CLIENT (self));

  if (set_string (&self->user_agent, user_agent))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_AGENT]);
}

guint
relais_http_client_get_timeout (RelaisHttpClient *self)
{
  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (self), 0);

  return self->timeout_ms;
}

void
relais_http_client_set_timeout (RelaisHttpClient *self,
                                guint             timeout_ms)
{
  g_return_if_fail (RELAIS_IS_HTTP_CLIENT (self));
  g_return_if_fail (timeout_ms > 0 && timeout_ms <= G_MAXINT);

  if (self->timeout_ms == timeout_ms)
    return;

  self->timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

guint
relais_http_client_get_max_attempts (RelaisHttpClient *self)
{
  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (self), 0);

  return self->max_attempts;
}

void
relais_http_client_set_max_attempts (RelaisHttpClient *self,
                                     guint             max_attempts)
{
  g_return_if_fail (RELAIS_IS_HTTP_CLIENT (self));
  g_return_if_fail (max_attempts >= 1 && max_attempts <= 10);

  if (self->max_attempts == max_attempts)
    return;

  self->max_attempts = max_attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ATTEMPTS]);
}

guint64
relais_http_client_get_max_response_size (RelaisHttpClient *self)
{
  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (self), 0);

  return self->max_response_size;
}

void
relais_http_client_set_max_response_size (RelaisHttpClient *self,
                                          guint64           max_bytes)
{
  g_return_if_fail (RELAIS_IS_HTTP_CLIENT (self));
  g_return_if_fail (max_bytes >= 1 && max_bytes <= G_MAXUINT);

  if (self->max_response_size == max_bytes)
    return;

  self->max_response_size = max_bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RESPONSE_SIZE]);
}

void
relais_http_client_request_async (RelaisHttpClient    *self,
                                  const char          *method,
                                  const char          *url,
                                  GBytes              *body,
                                  const char          *content_type,
                                  guint                timeout_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (RELAIS_IS_HTTP_CLIENT (self));
  g_return_if_fail (method_is_valid (method));
  g_return_if_fail (url != NULL);
  g_return_if_fail (timeout_ms <= G_MAXINT);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  request_async_internal (self, method, url, body, content_type, NULL, NULL, timeout_ms,
                          cancellable, callback, user_data);
}

static gboolean
header_is_valid (const char *header)
{
  const char *colon = strchr (header, ':');

  /* A CR or LF would let a value smuggle another header or a body. */
  return colon != NULL && colon != header && strpbrk (header, "\r\n") == NULL;
}

void
relais_http_client_request_with_headers_async (RelaisHttpClient    *self,
                                               const char          *method,
                                               const char          *url,
                                               const char * const  *headers,
                                               GBytes              *body,
                                               const char          *content_type,
                                               guint                timeout_ms,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  g_return_if_fail (RELAIS_IS_HTTP_CLIENT (self));
  g_return_if_fail (method_is_valid (method));
  g_return_if_fail (url != NULL);
  g_return_if_fail (timeout_ms <= G_MAXINT);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    g_return_if_fail (header_is_valid (headers[i]));

  request_async_internal (self, method, url, body, content_type, NULL, headers, timeout_ms,
                          cancellable, callback, user_data);
}

GBytes *
relais_http_client_request_finish (RelaisHttpClient  *self,
                                   GAsyncResult      *result,
                                   guint             *status_out,
                                   GError           **error)
{
  Request *req;

  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == relais_http_client_request_async, NULL);

  req = g_task_get_task_data (G_TASK (result));
  if (status_out != NULL)
    *status_out = req->status;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
relais_http_client_get_json_async (RelaisHttpClient    *self,
                                   const char          *url,
                                   guint                timeout_ms,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RELAIS_IS_HTTP_CLIENT (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (timeout_ms <= G_MAXINT);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_http_client_get_json_async);

  request_async_internal (self, "GET", url, NULL, NULL, "application/json", NULL, timeout_ms,
                          cancellable, json_request_done_cb, g_steal_pointer (&task));
}

JsonNode *
relais_http_client_get_json_finish (RelaisHttpClient  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == relais_http_client_get_json_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
relais_http_client_post_json_async (RelaisHttpClient    *self,
                                    const char          *url,
                                    JsonNode            *body,
                                    guint                timeout_ms,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  g_return_if_fail (RELAIS_IS_HTTP_CLIENT (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (body != NULL);
  g_return_if_fail (timeout_ms <= G_MAXINT);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_http_client_post_json_async);

  text = json_to_string (body, FALSE);
  bytes = g_bytes_new_take (text, strlen (text));

  request_async_internal (self, "POST", url, bytes, "application/json", "application/json", NULL,
                          timeout_ms, cancellable, json_request_done_cb, g_steal_pointer (&task));
}

JsonNode *
relais_http_client_post_json_finish (RelaisHttpClient  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == relais_http_client_post_json_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
