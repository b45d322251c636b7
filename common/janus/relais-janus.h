/* relais-janus.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "relais-http-client.h"

#include "relais-janus-enums.h"

G_BEGIN_DECLS

typedef enum
{
  RELAIS_JANUS_STATE_DISCONNECTED,
  RELAIS_JANUS_STATE_CONNECTING,
  RELAIS_JANUS_STATE_CONNECTED,
  RELAIS_JANUS_STATE_RECONNECTING,
} RelaisJanusState;

#define RELAIS_TYPE_JANUS (relais_janus_get_type ())
G_DECLARE_FINAL_TYPE (RelaisJanus, relais_janus, RELAIS, JANUS, GObject)

#define RELAIS_JANUS_DEFAULT_KEEPALIVE_MS 10000

/* A client of the Janus gateway's HTTP API (Janus 1.1), driven by a
 * #RelaisHttpClient from the thread-default GMainContext current at
 * creation. Use it from that context's thread only.
 *
 * Session: relais_janus_connect_async() creates a session; while it lives a
 * long poll (GET /janus/<session>?maxev=10) receives events and a keep-alive
 * is POSTed every #RelaisJanus:keepalive-interval ms.
 *
 * Requests: attach, message, trickle, detach and destroy go through one
 * queue per handle (and one for the session): a request is POSTed only
 * when the previous request of the same handle has been answered, so a
 * trickle never overtakes its offer (Janus runs requests in a thread pool).
 * relais_janus_message_async() completes with the plugin's synchronous
 * answer, or, when Janus acknowledges first ("ack"), with the event that
 * carries the same transaction, whichever of the reply and the event
 * arrives first.
 *
 * Events without a pending transaction are emitted as signals, on the
 * main context:
 * - "event" (guint64 handle_id, JsonNode *plugin_data, JsonNode *jsep or NULL)
 * - "webrtcup" (guint64 handle_id)
 * - "media" (guint64 handle_id, const char *mid or NULL, const char *type,
 *   gboolean receiving)
 * - "hangup" (guint64 handle_id, const char *reason or NULL)
 * - "slowlink" (guint64 handle_id, gboolean uplink, guint lost)
 * - "detached" (guint64 handle_id)
 *
 * Losing the session: when the long poll or a keep-alive fails (gateway
 * down, connection refused or reset, time-out), or Janus says the session
 * is unknown (error 458) or timed out, "lost" is emitted, every pending
 * request fails with RELAIS_ERROR_NETWORK, the state becomes
 * %RELAIS_JANUS_STATE_RECONNECTING and a new session is created with a
 * back-off of 1, 2, 4, 8 then 10 s between attempts. On success
 * "reconnected" (guint64 new_session_id) is emitted. Handles belong to the
 * lost session: the owner must attach its plugins again (and re-join its
 * rooms) from the "reconnected" handler. relais_janus_destroy_async() or
 * disposing stops reconnecting.
 *
 * Errors are RELAIS_ERROR_NETWORK with a plain French sentence followed by
 * Janus's reason in parentheses, or G_IO_ERROR_CANCELLED. Nothing personal
 * (display names, SDP, candidates) is logged.
 *
 * Disposing cancels everything and sends a best-effort destroy of the
 * session. */
RelaisJanus      *relais_janus_new                    (RelaisHttpClient     *client,
                                                       const char           *base_url,
                                                       const char           *secret);

RelaisJanusState  relais_janus_get_state              (RelaisJanus          *self);
/* 0 when there is no session. */
guint64           relais_janus_get_session_id         (RelaisJanus          *self);
guint             relais_janus_get_keepalive_interval (RelaisJanus          *self);
/* In ms; must stay below the gateway's session_timeout (60 s by default).
 * Takes effect at the next keep-alive. */
void              relais_janus_set_keepalive_interval (RelaisJanus          *self,
                                                       guint                 interval_ms);
/* Time-out of a plugin's asynchronous answer after its "ack", in ms. */
guint             relais_janus_get_event_timeout      (RelaisJanus          *self);
void              relais_janus_set_event_timeout      (RelaisJanus          *self,
                                                       guint                 timeout_ms);

/* Creates a session (state CONNECTING, then CONNECTED). */
void              relais_janus_connect_async          (RelaisJanus          *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          relais_janus_connect_finish         (RelaisJanus          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* @plugin: e.g. "janus.plugin.videoroom". Finishes with the handle id, 0 on
 * error. */
void              relais_janus_attach_async           (RelaisJanus          *self,
                                                       const char           *plugin,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
guint64           relais_janus_attach_finish          (RelaisJanus          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Sends @body (a JSON object, the plugin request) with @jsep (nullable,
 * {"type","sdp"}) to the plugin behind @handle_id. Finishes with the
 * plugin's data object ("plugindata"."data") and, in @jsep_out
 * (nullable), the JSEP that came with it or NULL. A plugin error
 * ("error_code") is a RELAIS_ERROR_NETWORK error. */
void              relais_janus_message_async          (RelaisJanus          *self,
                                                       guint64               handle_id,
                                                       JsonNode             *body,
                                                       JsonNode             *jsep,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
JsonNode         *relais_janus_message_finish         (RelaisJanus          *self,
                                                       GAsyncResult         *result,
                                                       JsonNode            **jsep_out,
                                                       GError              **error);

/* Trickles one local candidate ("candidate:…" as webrtcbin gives it), or,
 * with @candidate NULL, the end of candidates. @mline is the m-line
 * webrtcbin reported; it is not sent: with max-bundle Janus ignores
 * candidates whose sdpMLineIndex is above 0, so every candidate is sent on
 * m-line 0 (the bundle transport). */
void              relais_janus_trickle_async          (RelaisJanus          *self,
                                                       guint64               handle_id,
                                                       guint                 mline,
                                                       const char           *candidate,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          relais_janus_trickle_finish         (RelaisJanus          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

void              relais_janus_detach_async           (RelaisJanus          *self,
                                                       guint64               handle_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          relais_janus_detach_finish          (RelaisJanus          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Destroys the session (or stops reconnecting); the state becomes
 * DISCONNECTED whatever the gateway answers. */
void              relais_janus_destroy_async          (RelaisJanus          *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          relais_janus_destroy_finish         (RelaisJanus          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* The same without waiting for the answer, as one leaves: a failure is
 * only logged (g_debug). */
void              relais_janus_destroy_in_background  (RelaisJanus          *self);

/* VideoRoom helpers (janus.plugin.videoroom, multistream API of Janus 1.x),
 * plain functions over relais_janus_message_async() on a handle attached
 * to the VideoRoom plugin. */

typedef struct
{
  guint64   id;
  char     *display;   /* nullable */
  JsonNode *streams;   /* nullable: the "streams" array as Janus sent it */
} RelaisJanusPublisher;

void                  relais_janus_publisher_free       (RelaisJanusPublisher *publisher);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaisJanusPublisher, relais_janus_publisher_free)

/* Reads the publishers of a VideoRoom event or answer: the "publishers"
 * array of "joined" and of "event" messages. Returns a new array of
 * RelaisJanusPublisher (maybe empty), never NULL. */
GPtrArray            *relais_janus_videoroom_parse_publishers (JsonNode *data);
/* The id of a publisher that went away in a VideoRoom event
 * ("unpublished": id, "leaving": id or "kicked": id), or 0. */
guint64               relais_janus_videoroom_parse_gone       (JsonNode *data);

/* Creates a (non-permanent) room: Opus, VP8, data channels allowed,
 * notify_joining on. @pin and @secret nullable. */
void      relais_janus_videoroom_create_room_async    (RelaisJanus          *janus,
                                                       guint64               handle_id,
                                                       guint64               room,
                                                       const char           *description,
                                                       guint                 max_publishers,
                                                       guint                 bitrate,
                                                       const char           *pin,
                                                       const char           *secret,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean  relais_janus_videoroom_create_room_finish   (RelaisJanus          *janus,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Joins @room as a publisher (no media yet). Finishes with our participant
 * id and the publishers already there (RelaisJanusPublisher). */
void      relais_janus_videoroom_join_publisher_async (RelaisJanus          *janus,
                                                       guint64               handle_id,
                                                       guint64               room,
                                                       const char           *display,
                                                       const char           *pin,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
guint64   relais_janus_videoroom_join_publisher_finish (RelaisJanus         *janus,
                                                        GAsyncResult        *result,
                                                        GPtrArray          **publishers_out,
                                                        GError             **error);
/* The same, with our private id in the room (0 if Janus gave none): what
 * our subscriptions there must show when the room has require_pvtid. */
guint64   relais_janus_videoroom_join_publisher_finish_full (RelaisJanus    *janus,
                                                             GAsyncResult   *result,
                                                             GPtrArray     **publishers_out,
                                                             guint64        *private_id_out,
                                                             GError        **error);

/* Publishes with @offer (JSEP {"type":"offer","sdp"}); finishes with
 * Janus's answer JSEP. @audio/@video/@data: what to send (Janus 1.1
 * still reads these deprecated flags; the offer's m-lines decide what
 * exists). */
void      relais_janus_videoroom_publish_async        (RelaisJanus          *janus,
                                                       guint64               handle_id,
                                                       JsonNode             *offer,
                                                       gboolean              audio,
                                                       gboolean              video,
                                                       gboolean              data,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
JsonNode *relais_janus_videoroom_publish_finish       (RelaisJanus          *janus,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Joins @room as a multistream subscriber to the feeds @feeds (guint64
 * publisher ids), on a handle of its own, showing @private_id (ours as a
 * publisher in that room; 0: none, refused by rooms with require_pvtid).
 * Finishes with Janus's offer JSEP, to answer with
 * relais_janus_videoroom_start_async(). */
void      relais_janus_videoroom_subscribe_async      (RelaisJanus          *janus,
                                                       guint64               handle_id,
                                                       guint64               room,
                                                       const guint64        *feeds,
                                                       guint                 n_feeds,
                                                       const char           *pin,
                                                       guint64               private_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
JsonNode *relais_janus_videoroom_subscribe_finish     (RelaisJanus          *janus,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Sends our answer to the subscriber offer ("start"). */
void      relais_janus_videoroom_start_async          (RelaisJanus          *janus,
                                                       guint64               handle_id,
                                                       JsonNode             *answer,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean  relais_janus_videoroom_start_finish         (RelaisJanus          *janus,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Adds and removes feeds of a subscriber handle ("update"), e.g. on
 * "publishers" / "unpublished" / "leaving" events. Finishes with the new
 * offer JSEP to answer with relais_janus_videoroom_start_async(), or NULL
 * when nothing needs renegotiating. */
void      relais_janus_videoroom_update_async         (RelaisJanus          *janus,
                                                       guint64               handle_id,
                                                       const guint64        *add,
                                                       guint                 n_add,
                                                       const guint64        *remove,
                                                       guint                 n_remove,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
JsonNode *relais_janus_videoroom_update_finish        (RelaisJanus          *janus,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Leaves the room (publisher or subscriber handle). */
void      relais_janus_videoroom_leave_async          (RelaisJanus          *janus,
                                                       guint64               handle_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean  relais_janus_videoroom_leave_finish         (RelaisJanus          *janus,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* A subscriber asks for one simulcast layer (0 the smallest) of the video
 * streams @mids (NULL-terminated) of its subscription. */
void      relais_janus_videoroom_configure_substream_async  (RelaisJanus          *janus,
                                                             guint64               handle_id,
                                                             const char * const   *mids,
                                                             int                   substream,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean  relais_janus_videoroom_configure_substream_finish (RelaisJanus          *janus,
                                                             GAsyncResult         *result,
                                                             GError              **error);

G_END_DECLS
