/* relais-outbox.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-outbox"

#include "config.h"

#include <string.h>

#include "relais-error.h"
#include "relais-outbox.h"

struct _RelaisOutbox
{
  GObject           parent_instance;

  RelaisStore      *store;
  RelaisHttpClient *http;
  char             *url;
  char             *token;        /* secret: never logged */

  guint             first_retry_ms;
  guint             max_retry_ms;

  GCancellable     *cancellable;
  guint             timer_id;
  gboolean          sending;
  guint             delivered;
};

G_DEFINE_FINAL_TYPE (RelaisOutbox, relais_outbox, G_TYPE_OBJECT)

enum {
  SIGNAL_ATTEMPT_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  RelaisOutbox *self;
  gint64        upload_id;
  guint         attempts;
} Attempt;

static void send_next (RelaisOutbox *self);

/* Outbox times are Unix milliseconds: back-offs in tests are short. */
static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static gboolean
timer_cb (gpointer user_data)
{
  RelaisOutbox *self = user_data;

  self->timer_id = 0;
  send_next (self);

  return G_SOURCE_REMOVE;
}

static void
schedule (RelaisOutbox *self)
{
  g_autoptr(GError) error = NULL;
  gint64 due = relais_store_next_upload_time (self->store, &error);
  gint64 delay;

  g_clear_handle_id (&self->timer_id, g_source_remove);

  if (due == -2)
    {
      g_warning ("Could not read the upload outbox: %s", error->message);
      due = now_ms () + self->max_retry_ms;
    }
  if (due < 0)
    return;

  delay = CLAMP (due - now_ms (), 0, (gint64) self->max_retry_ms);
  self->timer_id = g_timeout_add_full (G_PRIORITY_LOW, (guint) delay, timer_cb, self, NULL);
}

static gboolean
status_is_transient (guint status)
{
  return status == 0 || status == 408 || status == 429 || status >= 500;
}

static void
post_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autofree Attempt *attempt = user_data;
  g_autoptr(RelaisOutbox) self = attempt->self;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  gboolean stored = TRUE;
  guint status = 0;

  response = relais_http_client_request_finish (RELAIS_HTTP_CLIENT (object), result, &status, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->sending = FALSE;

  if (response != NULL && status >= 200 && status < 300)
    {
      g_autoptr(GError) store_error = NULL;

      g_debug ("Upload %" G_GINT64_FORMAT " delivered (%u)", attempt->upload_id, status);
      if ((stored = relais_store_forget_upload (self->store, attempt->upload_id, &store_error)))
        self->delivered++;
      else
        g_warning ("Delivered upload still in the outbox: %s", store_error->message);
    }
  else
    {
      g_autoptr(GError) store_error = NULL;
      guint attempts = attempt->attempts + 1;
      guint delay = status_is_transient (status)
                    ? relais_outbox_backoff_ms (self, attempts)
                    : self->max_retry_ms;

      /* The message names the URL without user info or query (the HTTP
       * client's own errors are written so); never the token. */
      if (status_is_transient (status))
        g_debug ("Upload %" G_GINT64_FORMAT " not delivered (%u, attempt %u): again in %u ms",
                 attempt->upload_id, status, attempts, delay);
      else
        g_warning ("The figures server refused a record (HTTP %u): it stays in the outbox, "
                   "tried again in %u s", status, delay / 1000);

      if (!(stored = relais_store_postpone_upload (self->store, attempt->upload_id,
                                                   now_ms () + delay, &store_error)))
        g_warning ("Could not postpone an upload: %s", store_error->message);
    }

  g_signal_emit (self, signals[SIGNAL_ATTEMPT_FINISHED], 0, status);

  /* The store did not take the change: the same row is still due, and
   * sending it again at once would loop. Wait, then look again. */
  if (!stored)
    {
      g_clear_handle_id (&self->timer_id, g_source_remove);
      self->timer_id = g_timeout_add_full (G_PRIORITY_LOW, self->first_retry_ms, timer_cb, self, NULL);
      return;
    }

  send_next (self);
}

static void
send_next (RelaisOutbox *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *body = NULL;
  g_autofree char *key_header = NULL;
  g_autofree char *auth_header = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *headers[3] = { NULL, };
  Attempt *attempt;
  gint64 upload_id = 0;
  guint attempts = 0;

  if (self->sending || g_cancellable_is_cancelled (self->cancellable))
    return;

  if (!relais_store_next_upload (self->store, now_ms (), &upload_id, &key, &body, &attempts, &error))
    {
      g_warning ("Could not read the upload outbox: %s", error->message);
      return;
    }

  if (upload_id == 0)
    {
      schedule (self);
      return;
    }

  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->sending = TRUE;

  key_header = g_strdup_printf ("Idempotency-Key: %s", key);
  headers[0] = key_header;
  if (self->token != NULL)
    {
      auth_header = g_strdup_printf ("Authorization: Bearer %s", self->token);
      headers[1] = auth_header;
    }

  attempt = g_new0 (Attempt, 1);
  attempt->self = g_object_ref (self);
  attempt->upload_id = upload_id;
  attempt->attempts = attempts;

  {
    gsize length = strlen (body);

    bytes = g_bytes_new_take (g_steal_pointer (&body), length);
  }
  relais_http_client_request_with_headers_async (self->http, "POST", self->url, headers, bytes,
                                                 "application/json", RELAIS_OUTBOX_TIMEOUT_MS,
                                                 self->cancellable, post_cb, attempt);
}

static void
relais_outbox_dispose (GObject *object)
{
  RelaisOutbox *self = (RelaisOutbox *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_object (&self->store);
  g_clear_object (&self->http);

  G_OBJECT_CLASS (relais_outbox_parent_class)->dispose (object);
}

static void
relais_outbox_finalize (GObject *object)
{
  RelaisOutbox *self = (RelaisOutbox *) object;

  g_free (self->url);
  g_free (self->token);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (relais_outbox_parent_class)->finalize (object);
}

static void
relais_outbox_class_init (RelaisOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_outbox_dispose;
  object_class->finalize = relais_outbox_finalize;

  signals[SIGNAL_ATTEMPT_FINISHED] =
    g_signal_new ("attempt-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
relais_outbox_init (RelaisOutbox *self)
{
  self->cancellable = g_cancellable_new ();
  self->first_retry_ms = RELAIS_OUTBOX_FIRST_RETRY_MS;
  self->max_retry_ms = RELAIS_OUTBOX_MAX_RETRY_MS;
}

RelaisOutbox *
relais_outbox_new (RelaisStore      *store,
                   RelaisHttpClient *http,
                   const char       *url,
                   const char       *token)
{
  RelaisOutbox *self;

  g_return_val_if_fail (RELAIS_IS_STORE (store), NULL);
  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (http), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (RELAIS_TYPE_OUTBOX, NULL);
  self->store = g_object_ref (store);
  self->http = g_object_ref (http);
  self->url = g_strdup (url);
  self->token = g_strdup (token);

  return self;
}

void
relais_outbox_set_backoff (RelaisOutbox *self,
                           guint         first_retry_ms,
                           guint         max_retry_ms)
{
  g_return_if_fail (RELAIS_IS_OUTBOX (self));
  g_return_if_fail (first_retry_ms > 0 && first_retry_ms <= max_retry_ms);

  self->first_retry_ms = first_retry_ms;
  self->max_retry_ms = max_retry_ms;
}

guint
relais_outbox_backoff_ms (RelaisOutbox *self,
                          guint         attempts)
{
  guint64 delay;

  g_return_val_if_fail (RELAIS_IS_OUTBOX (self), 0);

  if (attempts == 0)
    return 0;

  delay = self->first_retry_ms;
  for (guint i = 1; i < attempts && delay < self->max_retry_ms; i++)
    delay *= 2;

  return (guint) MIN (delay, (guint64) self->max_retry_ms);
}

gboolean
relais_outbox_queue (RelaisOutbox  *self,
                     const char    *key,
                     const char    *json,
                     GError       **error)
{
  g_return_val_if_fail (RELAIS_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (key != NULL && json != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!relais_store_queue_upload (self->store, key, json, now_ms (), error))
    return FALSE;

  send_next (self);
  return TRUE;
}

void
relais_outbox_flush (RelaisOutbox *self)
{
  g_return_if_fail (RELAIS_IS_OUTBOX (self));

  send_next (self);
}

gint64
relais_outbox_count_pending (RelaisOutbox *self)
{
  g_return_val_if_fail (RELAIS_IS_OUTBOX (self), -1);

  return relais_store_count_uploads (self->store, NULL);
}

guint
relais_outbox_get_delivered (RelaisOutbox *self)
{
  g_return_val_if_fail (RELAIS_IS_OUTBOX (self), 0);

  return self->delivered;
}
