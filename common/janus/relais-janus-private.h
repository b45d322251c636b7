/* relais-janus-private.h
 *
 * What the files of RelaisJanus share, and nothing else includes:
 * relais-janus.c (the object and its session), relais-janus-request.c
 * (the requests) and relais-janus-videoroom.c (the VideoRoom plugin).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "relais-janus.h"

G_BEGIN_DECLS

/* Janus core error codes (janus/apierror.h). */
#define JANUS_ERROR_UNAUTHORIZED            403
#define JANUS_ERROR_UNAUTHORIZED_PLUGIN     405
#define JANUS_ERROR_SESSION_NOT_FOUND       458
#define JANUS_ERROR_HANDLE_NOT_FOUND        459
#define JANUS_ERROR_PLUGIN_NOT_FOUND        460
#define JANUS_ERROR_PLUGIN_ATTACH           461
#define JANUS_ERROR_JSEP_INVALID_SDP        465

struct _RelaisJanus
{
  GObject            parent_instance;

  RelaisHttpClient  *client;
  GMainContext      *context;
  char              *base_url;              /* no trailing slash */
  char              *secret;

  RelaisJanusState   state;
  guint64            session_id;
  guint              keepalive_ms;
  guint              event_timeout_ms;

  /* Cancels the long poll, keep-alives and POSTs of the current session
   * (or of the connection attempt). */
  GCancellable      *session_cancellable;
  GHashTable        *queues;                /* handle id (guint64 *) → HandleQueue */
  GHashTable        *transactions;          /* transaction → GTask, awaiting an event */
  GSource           *keepalive_source;
  gboolean           keepalive_in_flight;
  GSource           *reconnect_source;
  guint              reconnect_attempt;
  gint64             lost_at;               /* monotonic µs, for the logs */
  guint64            transaction_counter;
  gboolean           destroying;            /* "destroy" queued or sent */
  gboolean           disposed;
};

typedef enum
{
  OP_CREATE,
  OP_ATTACH,
  OP_MESSAGE,
  OP_TRICKLE,
  OP_DETACH,
  OP_DESTROY,
} Op;

/* The task data of one request. */
typedef struct
{
  Op            op;
  guint64       handle_id;              /* 0 for the session itself */
  char         *transaction;
  JsonNode     *body;                   /* the whole Janus request */
  JsonNode     *early_event;            /* the event, when it beat the "ack" */
  gboolean      acked;
  gboolean      done;
  GCancellable *cancellable;            /* the caller's */
  gulong        cancelled_id;
  GSource      *timeout_source;
} Request;

/* One queue per handle: a request is POSTed once the previous one of the
 * same handle has been answered. Holds a reference on each task. */
typedef struct
{
  guint64  handle_id;
  GQueue   pending;                     /* GTask */
  GTask   *current;                     /* POSTed, not answered yet */
} HandleQueue;

typedef struct
{
  JsonNode *data;
  JsonNode *jsep;
} MessageResult;

/* Callbacks of the long poll, keep-alives and reconnection hold no strong
 * reference (they would keep the object alive forever): a weak one, and
 * the session they belong to. */
typedef struct
{
  GWeakRef self;
  guint64  session_id;
} LoopRef;

/* relais-janus.c */
void
_relais_janus_set_state (RelaisJanus      *self,
                         RelaisJanusState  state);
void
_relais_janus_stop_session_sources (RelaisJanus *self);
void
_relais_janus_session_torn_down (RelaisJanus *self);
void
_relais_janus_lose_session (RelaisJanus *self,
                            const char  *why);
void
_relais_janus_dispatch_event (RelaisJanus *self,
                              JsonNode    *node);

/* relais-janus-videoroom.c */
guint64
_relais_janus_videoroom_parse_joined (JsonObject *data,
                                      guint64    *private_id_out);

/* relais-janus-request.c */
void
_relais_janus_message_result_free (gpointer data);
void
_relais_janus_handle_queue_free (gpointer data);
char *
_relais_janus_new_transaction (RelaisJanus *self);
JsonObject *
_relais_janus_new_request_object (RelaisJanus *self,
                                  const char  *janus,
                                  const char  *transaction);
char *
_relais_janus_session_url (RelaisJanus *self,
                           guint64      session_id,
                           guint64      handle_id);
const char *
_relais_janus_object_get_string (JsonObject *obj,
                                 const char *member);
gint64
_relais_janus_object_get_int (JsonObject *obj,
                              const char *member,
                              gint64      fallback);
gboolean
_relais_janus_object_get_bool (JsonObject *obj,
                               const char *member,
                               gboolean    fallback);
JsonObject *
_relais_janus_object_get_object (JsonObject *obj,
                                 const char *member);
JsonNode *
_relais_janus_object_dup_member (JsonObject *obj,
                                 const char *member);
gint64
_relais_janus_reply_get_new_id (JsonObject *reply);
GError *
_relais_janus_new_error (const char *sentence,
                         const char *reason);
GError *
_relais_janus_error_lost (void);
GError *
_relais_janus_error_not_connected (void);
GError *
_relais_janus_error_unexpected_reply (void);
GError *
_relais_janus_error_cancelled (void);
GError *
_relais_janus_error_from_janus (JsonObject *reply,
                                gint64     *code_out);
void
_relais_janus_request_return (GTask          *task,
                              gpointer        result,
                              GDestroyNotify  result_free,
                              GError         *error);
GTask *
_relais_janus_request_new (RelaisJanus         *self,
                           Op                   op,
                           guint64              handle_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data,
                           gpointer             source_tag);
JsonObject *
_relais_janus_request_body_new (GTask      *task,
                                const char *janus);
void
_relais_janus_request_watch_cancellable (GTask *task);
void
_relais_janus_request_complete_with (GTask      *task,
                                     JsonObject *reply);
void
_relais_janus_queue_pump (RelaisJanus *self,
                          guint64      handle_id);
void
_relais_janus_request_submit (RelaisJanus *self,
                              GTask       *task,
                              JsonObject  *body);
GPtrArray *
_relais_janus_steal_all_tasks (RelaisJanus *self);
void
_relais_janus_fail_tasks (GPtrArray *tasks,
                          GError    *error);

/* relais-janus-videoroom.c */
GError *
_relais_janus_error_from_plugin (const char *plugin,
                                 JsonObject *data);

G_END_DECLS
