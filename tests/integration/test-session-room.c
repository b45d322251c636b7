/* test-session-room.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The person's session room (common/PROTOCOL.md, sections 2 and 4) against
 * the real gateway (Debian's /usr/bin/janus 1.1), inside the network
 * namespace of relais-netns-run: the kiosk's RelaisPresence creates the
 * room and arbitrates it, and a second gateway session plays the others —
 * an advisor, or someone who holds the lobby pin (every kiosk's
 * configuration has it) and wants to listen without being seen.
 *
 * Issue 12, items 2 and 11:
 * - a subscriber that never joined as a participant is refused by Janus
 *   (the room requires a participant's private id);
 * - a participant that is not the advisor holding the claim is kicked as
 *   it joins, and its private id no longer opens a subscription;
 * - an advisor holding the claim without ever publishing is kicked when
 *   the claim times out, and the next advisor may hold it.
 */
#define G_LOG_DOMAIN "test-session-room"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "relais-call.h"
#include "relais-error.h"
#include "relais-http-client.h"
#include "relais-janus.h"
#include "relais-presence-tag.h"
#include "relais-presence.h"
#include "relais-room-call.h"
#include "relais-test-janus.h"
#include "../relais-test-utils.h"

#define SESSION_TIMEOUT_S 30
/* The lobby pin of the test deployment (janus.plugin.videoroom.jcfg.in). */
#define LOBBY_PIN "relais-test-lobby"
#define CLAIM_TIMEOUT_MS 2000

typedef struct
{
  GMainContext     *context;
  RelaisTestJanus  *gateway;
  const char       *addr;
  RelaisHttpClient *client;
  GAsyncResult     *result;

  /* The kiosk. */
  RelaisJanus      *kiosk_janus;
  RelaisPresence   *presence;
  guint64           room;
  char             *pin;
  RelaisCall       *call;
  RelaisRoomCall   *room_call;
  guint64           kiosk_handle;   /* a participant without media */
} Fixture;

/* Someone else on the gateway, with the events of its handles. */
typedef struct
{
  RelaisJanus *janus;
  guint64      handle;
  guint64      id;
  guint64      private_id;
  GPtrArray   *events;      /* JsonNode */
} Peer;

static void
peer_event_cb (RelaisJanus *janus,
               guint64      handle_id,
               JsonNode    *data,
               JsonNode    *jsep,
               Peer        *peer)
{
  if (handle_id == peer->handle && data != NULL)
    g_ptr_array_add (peer->events, json_node_copy (data));
}

static Peer *
peer_new (Fixture *f)
{
  Peer *peer = g_new0 (Peer, 1);
  g_autoptr(GError) error = NULL;

  peer->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  peer->janus = relais_janus_new (f->client, relais_test_janus_get_base_url (f->gateway), NULL);
  g_signal_connect (peer->janus, "event", G_CALLBACK (peer_event_cb), peer);
  relais_janus_connect_async (peer->janus, NULL, relais_test_result_cb, &f->result);
  g_assert_true (relais_janus_connect_finish (peer->janus, relais_test_wait_result (f->context, &f->result), &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);
  relais_janus_attach_async (peer->janus, "janus.plugin.videoroom", NULL, relais_test_result_cb, &f->result);
  peer->handle = relais_janus_attach_finish (peer->janus, relais_test_wait_result (f->context, &f->result), &error);
  g_assert_no_error (error);
  g_clear_object (&f->result);
  return peer;
}

static void
peer_free (Fixture *f,
           Peer    *peer)
{
  g_signal_handlers_disconnect_by_data (peer->janus, peer);
  relais_janus_destroy_async (peer->janus, NULL, relais_test_result_cb, &f->result);
  relais_janus_destroy_finish (peer->janus, relais_test_wait_result (f->context, &f->result), NULL);
  g_clear_object (&f->result);
  relais_test_finalize_iterating (f->context, g_steal_pointer (&peer->janus));
  g_ptr_array_unref (peer->events);
  g_free (peer);
}

/* Joins the session room as a participant (no media), as an advisor's
 * console does before it publishes. */
static void
peer_join (Fixture    *f,
           Peer       *peer,
           const char *display)
{
  g_autoptr(GError) error = NULL;

  relais_janus_videoroom_join_publisher_async (peer->janus, peer->handle, f->room, display, f->pin,
                                               NULL, relais_test_result_cb, &f->result);
  peer->id = relais_janus_videoroom_join_publisher_finish_full (peer->janus,
                                                                relais_test_wait_result (f->context, &f->result),
                                                                NULL, &peer->private_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (peer->id, >, 0);
  g_clear_object (&f->result);
}

static gboolean
peer_kicked (Peer *peer)
{
  for (guint i = 0; i < peer->events->len; i++)
    {
      JsonObject *obj = json_node_get_object (g_ptr_array_index (peer->events, i));

      if (g_strcmp0 (json_object_get_string_member_with_default (obj, "leaving", ""), "ok") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (obj, "reason", ""), "kicked") == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
wait_kicked (Fixture *f,
             Peer    *peer,
             guint    timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_GINT64_CONSTANT (1000);

  while (!peer_kicked (peer) && g_get_monotonic_time () < deadline)
    relais_test_iterate_for (f->context, 50);
  return peer_kicked (peer);
}

/* A subscription to @feed on a handle of its own, with @private_id (0:
 * none). Returns the error, or NULL when Janus offered the media. */
static GError *
subscribe (Fixture *f,
           Peer    *peer,
           guint64  feed,
           guint64  private_id)
{
  g_autoptr(JsonNode) offer = NULL;
  GError *error = NULL;
  guint64 handle;

  relais_janus_attach_async (peer->janus, "janus.plugin.videoroom", NULL, relais_test_result_cb, &f->result);
  handle = relais_janus_attach_finish (peer->janus, relais_test_wait_result (f->context, &f->result), &error);
  g_assert_no_error (error);
  g_clear_object (&f->result);

  relais_janus_videoroom_subscribe_async (peer->janus, handle, f->room, &feed, 1, f->pin, private_id,
                                          NULL, relais_test_result_cb, &f->result);
  offer = relais_janus_videoroom_subscribe_finish (peer->janus, relais_test_wait_result (f->context, &f->result),
                                                   &error);
  g_clear_object (&f->result);
  if (offer != NULL)
    g_test_message ("Janus offered a subscription to the kiosk's feed");
  return error;
}

/* ---- the kiosk ---------------------------------------------------------- */

static void
kiosk_create_room (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->kiosk_janus = relais_janus_new (f->client, relais_test_janus_get_base_url (f->gateway), NULL);
  f->presence = relais_presence_new (f->kiosk_janus, LOBBY_PIN);
  relais_presence_set_claim_timeout (f->presence, CLAIM_TIMEOUT_MS);
  relais_presence_create_session_room_async (f->presence, NULL, relais_test_result_cb, &f->result);
  f->room = relais_presence_create_session_room_finish (f->presence,
                                                        relais_test_wait_result (f->context, &f->result),
                                                        &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->room, >, 0);
  g_clear_object (&f->result);
  /* What anyone holding the lobby pin derives from the kiosk's public tag. */
  f->pin = relais_presence_session_pin (LOBBY_PIN, f->room);
  g_assert_cmpstr (f->pin, ==, relais_presence_get_session_pin (f->presence));
}

/* The kiosk in its room without media: enough to hear who joins. */
static void
kiosk_join (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *display = relais_presence_tag_format_kiosk ("C12", "etat-civil", "Test", 1, f->room, 0);

  relais_janus_attach_async (f->kiosk_janus, "janus.plugin.videoroom", NULL, relais_test_result_cb, &f->result);
  f->kiosk_handle = relais_janus_attach_finish (f->kiosk_janus, relais_test_wait_result (f->context, &f->result),
                                                &error);
  g_assert_no_error (error);
  g_clear_object (&f->result);
  relais_janus_videoroom_join_publisher_async (f->kiosk_janus, f->kiosk_handle, f->room, display, f->pin,
                                               NULL, relais_test_result_cb, &f->result);
  g_assert_cmpuint (relais_janus_videoroom_join_publisher_finish (f->kiosk_janus,
                                                                  relais_test_wait_result (f->context, &f->result),
                                                                  NULL, &error), >, 0);
  g_assert_no_error (error);
  g_clear_object (&f->result);
}

/* The kiosk publishing its (test) camera and microphone in its room, as
 * while the person waits. Returns its feed once Janus lists it as
 * publishing, read as anyone can (listparticipants needs no pin). */
/* The test camera and microphone, previewing, as the booth makes them. */
static RelaisCall *
kiosk_call_new (Fixture *f)
{
  RelaisCallOptions options;
  g_autoptr(GError) error = NULL;
  const char *addresses[] = { f->addr, NULL };
  RelaisCall *call;

  relais_call_options_init (&options);
  options.video_device = g_strdup ("test");
  options.audio_device = g_strdup ("test");
  options.width = 320;
  options.height = 240;
  call = relais_call_new (&options, &error);
  relais_call_options_clear (&options);
  g_assert_no_error (error);
  relais_call_set_local_addresses (call, addresses);
  relais_call_set_video_output (call, FALSE);
  g_assert_true (relais_call_start_preview (call, &error));
  g_assert_no_error (error);
  return call;
}

/* Janus's answer to a @request about @room that anyone may make (no pin:
 * "listparticipants", "exists"). */
static JsonNode *
room_request (Fixture    *f,
              Peer       *spy,
              const char *request,
              guint64     room)
{
  g_autoptr(JsonNode) body = json_from_string ("{}", NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *data;

  json_object_set_string_member (json_node_get_object (body), "request", request);
  json_object_set_int_member (json_node_get_object (body), "room", (gint64) room);
  relais_janus_message_async (spy->janus, spy->handle, body, NULL, NULL, relais_test_result_cb, &f->result);
  data = relais_janus_message_finish (spy->janus, relais_test_wait_result (f->context, &f->result), NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->result);
  return data;
}

/* The first publisher Janus lists in @room (0: none). */
static guint64
room_publisher (Fixture *f,
                Peer    *spy,
                guint64  room)
{
  g_autoptr(JsonNode) data = room_request (f, spy, "listparticipants", room);
  JsonArray *participants = json_object_get_array_member (json_node_get_object (data), "participants");

  for (guint i = 0; i < json_array_get_length (participants); i++)
    {
      JsonObject *p = json_array_get_object_element (participants, i);

      if (json_object_get_boolean_member_with_default (p, "publisher", FALSE))
        return (guint64) json_object_get_int_member (p, "id");
    }
  return 0;
}

static guint64
kiosk_publish (Fixture *f,
               Peer    *spy)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *display = relais_presence_tag_format_kiosk ("C12", "etat-civil", "Test", 1, f->room, 0);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  f->call = kiosk_call_new (f);
  f->room_call = relais_room_call_new (f->kiosk_janus, f->call, f->room, display, f->pin);
  relais_room_call_start_async (f->room_call, NULL, relais_test_result_cb, &f->result);
  g_assert_true (relais_room_call_start_finish (f->room_call, relais_test_wait_result (f->context, &f->result),
                                                &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);

  while (g_get_monotonic_time () < deadline)
    {
      guint64 feed = room_publisher (f, spy, f->room);

      if (feed != 0)
        return feed;
      relais_test_iterate_for (f->context, 200);
    }
  g_assert_not_reached ();
  return 0;
}

/* ---- fixture ------------------------------------------------------------ */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->context = relais_test_context_push ();
  f->client = relais_http_client_new ();

  /* Never a skip: a test that cannot run has failed. */
  f->addr = relais_test_janus_addr_or_fail ();
  if (f->addr == NULL)
    return;
  f->gateway = relais_test_janus_new (f->addr, SESSION_TIMEOUT_S);
  g_test_message ("Janus ready in %.0f ms", relais_test_janus_start (f->gateway, f->client));
}

static void
stop_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  guint *done = user_data;

  relais_room_call_stop_finish (RELAIS_ROOM_CALL (object), result, NULL);
  *done = 1;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->room_call != NULL)
    {
      guint done = 0;

      relais_room_call_stop_async (f->room_call, NULL, stop_cb, &done);
      relais_test_wait_counter (f->context, &done, 10000);
    }
  g_clear_object (&f->room_call);
  if (f->call != NULL)
    relais_call_hang_up (f->call);
  g_clear_object (&f->call);
  if (f->presence != NULL)
    relais_presence_stop (f->presence);
  g_clear_object (&f->presence);
  if (f->kiosk_janus != NULL)
    relais_janus_destroy_in_background (f->kiosk_janus);
  relais_test_iterate_for (f->context, 300);
  g_clear_object (&f->kiosk_janus);
  if (f->gateway != NULL)
    relais_test_janus_kill (f->gateway);
  g_clear_object (&f->result);
  relais_test_finalize_iterating (f->context, g_steal_pointer (&f->client));
  g_clear_pointer (&f->gateway, relais_test_janus_free);
  g_free (f->pin);
  relais_test_context_pop (f->context);
}

/* ---- tests -------------------------------------------------------------- */

/* Someone with the lobby pin derives the session room's pin from the
 * kiosk's tag and subscribes to the person without ever joining: Janus
 * refuses (no participant's private id), and no media is offered. */
static void
test_silent_subscriber (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Peer *listener;
  guint64 feed;

  if (f->gateway == NULL)
    return;

  kiosk_create_room (f);
  listener = peer_new (f);
  feed = kiosk_publish (f, listener);
  g_test_message ("The kiosk publishes as feed %" G_GUINT64_FORMAT, feed);

  error = subscribe (f, listener, feed, 0);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_assert_cmpstr (error->message, ==, "L'accès à la salle de visio a été refusé (code d'accès incorrect).");

  peer_free (f, listener);
}

/* The listener joins as a participant to get a private id, while an
 * advisor holds the claim: the kiosk kicks it as it joins, and its
 * private id then opens no subscription. */
static void
test_listener_kicked (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *advisor_tag = relais_presence_tag_format_advisor (FALSE, "Mme Martin");
  Peer *advisor;
  Peer *listener;
  guint64 feed;

  if (f->gateway == NULL)
    return;

  kiosk_create_room (f);
  advisor = peer_new (f);
  listener = peer_new (f);
  feed = kiosk_publish (f, listener);

  peer_join (f, advisor, advisor_tag);
  relais_test_iterate_for (f->context, 300);
  peer_join (f, listener, "relais1 advisor busy Personne");
  g_assert_cmpuint (listener->private_id, >, 0);
  g_assert_true (wait_kicked (f, listener, 5000));
  g_assert_false (peer_kicked (advisor));

  error = subscribe (f, listener, feed, listener->private_id);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_assert_cmpstr (error->message, ==, "L'accès à la salle de visio a été refusé (code d'accès incorrect).");

  peer_free (f, listener);
  peer_free (f, advisor);
}

/* An advisor that joins first and never publishes holds the person only
 * for the claim's time: then it is kicked, and the next advisor to join
 * holds the claim (it is not kicked as a latecomer). */
static void
test_claim_expires (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *silent_tag = relais_presence_tag_format_advisor (FALSE, "Silencieux");
  g_autofree char *next_tag = relais_presence_tag_format_advisor (FALSE, "Mme Martin");
  Peer *silent;
  Peer *next;
  gint64 joined_at;

  if (f->gateway == NULL)
    return;

  kiosk_create_room (f);
  kiosk_join (f);
  silent = peer_new (f);
  next = peer_new (f);

  peer_join (f, silent, silent_tag);
  joined_at = g_get_monotonic_time ();
  g_assert_true (wait_kicked (f, silent, CLAIM_TIMEOUT_MS + 5000));
  g_test_message ("MEASURE silent claim kicked after %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - joined_at) / 1000);
  g_assert_cmpint (g_get_monotonic_time () - joined_at, >=, (CLAIM_TIMEOUT_MS - 100) * 1000);

  peer_join (f, next, next_tag);
  /* A latecomer is kicked within a few hundred ms; the new holder stays
   * (until its own claim expires). */
  g_assert_false (wait_kicked (f, next, CLAIM_TIMEOUT_MS / 2));

  peer_free (f, next);
  peer_free (f, silent);
}

/* The way it should go: an advisor joins, publishes and takes the person;
 * both sides subscribe with their private ids (the room requires them)
 * and pictures flow both ways. */
typedef struct
{
  GMainContext *context;
  char         *advisor;
  GError       *error;
  gboolean      done;
  guint         frames;
} Take;

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Take *take = user_data;

  take->advisor = relais_presence_wait_finish (RELAIS_PRESENCE (object), result, &take->error);
  take->done = TRUE;
}

static void
first_frame_cb (RelaisRoomCall *room_call,
                gint64          at,
                Take           *take)
{
  take->frames++;
}

static void
test_advisor_takes (Fixture       *f,
                    gconstpointer  data)
{
  RelaisCallOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisJanus) advisor_janus = NULL;
  g_autoptr(RelaisCall) advisor_call = NULL;
  g_autoptr(RelaisRoomCall) advisor_room = NULL;
  g_autofree char *advisor_tag = relais_presence_tag_format_advisor (FALSE, "Mme Martin");
  const char *addresses[] = { NULL, NULL };
  gint64 deadline;
  Take take = { 0 };
  Peer *spy;
  guint done = 0;

  if (f->gateway == NULL)
    return;

  kiosk_create_room (f);
  /* The deployment's time to publish: a sanitized build's advisor needs
   * more than the other tests' 2 s. */
  relais_presence_set_claim_timeout (f->presence, RELAIS_PRESENCE_CLAIM_TIMEOUT_MS);
  spy = peer_new (f);
  kiosk_publish (f, spy);
  g_signal_connect (f->room_call, "first-remote-frame", G_CALLBACK (first_frame_cb), &take);
  /* The sample directory's lobby 5001, as the test deployment declares it. */
  relais_presence_wait_async (f->presence, 5001, "C12", "etat-civil", "Test", NULL, wait_done_cb, &take);

  relais_call_options_init (&options);
  options.video_device = g_strdup ("test");
  options.audio_device = g_strdup ("test");
  options.width = 320;
  options.height = 240;
  advisor_call = relais_call_new (&options, &error);
  relais_call_options_clear (&options);
  g_assert_no_error (error);
  addresses[0] = f->addr;
  relais_call_set_local_addresses (advisor_call, addresses);
  relais_call_set_video_output (advisor_call, FALSE);
  g_assert_true (relais_call_start_preview (advisor_call, &error));
  g_assert_no_error (error);
  advisor_janus = relais_janus_new (f->client, relais_test_janus_get_base_url (f->gateway), NULL);
  advisor_room = relais_room_call_new (advisor_janus, advisor_call, f->room, advisor_tag, f->pin);
  g_signal_connect (advisor_room, "first-remote-frame", G_CALLBACK (first_frame_cb), &take);
  relais_room_call_start_async (advisor_room, NULL, relais_test_result_cb, &f->result);
  g_assert_true (relais_room_call_start_finish (advisor_room, relais_test_wait_result (f->context, &f->result),
                                                &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);

  /* The take, then a decoded picture on each side. */
  deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  while ((!take.done || take.frames < 2) && g_get_monotonic_time () < deadline)
    relais_test_iterate_for (f->context, 100);
  g_assert_true (take.done);
  g_assert_no_error (take.error);
  g_assert_cmpstr (take.advisor, ==, "Mme Martin");
  g_test_message ("first remote frames: %u of 2", take.frames);
  g_assert_cmpuint (take.frames, ==, 2);
  g_assert_cmpuint (relais_room_call_get_remote_publishers (f->room_call), ==, 1);
  g_assert_cmpuint (relais_room_call_get_remote_publishers (advisor_room), ==, 1);

  relais_room_call_stop_async (advisor_room, NULL, stop_cb, &done);
  relais_test_wait_counter (f->context, &done, 10000);
  relais_call_hang_up (advisor_call);
  relais_janus_destroy_in_background (advisor_janus);
  g_signal_handlers_disconnect_by_data (f->room_call, &take);
  g_free (take.advisor);
  peer_free (f, spy);
}

/* The session room of the kiosk's tag in the lobby @lobby (0: no kiosk
 * there), as every console reads it. */
static guint64
lobby_session_room (Fixture *f,
                    Peer    *spy,
                    guint64  lobby)
{
  g_autoptr(JsonNode) data = room_request (f, spy, "listparticipants", lobby);
  JsonArray *participants = json_object_get_array_member (json_node_get_object (data), "participants");
  guint64 room = 0;

  for (guint i = 0; participants != NULL && i < json_array_get_length (participants); i++)
    {
      JsonObject *p = json_array_get_object_element (participants, i);
      RelaisPresenceTag tag;

      if (relais_presence_tag_parse (json_object_get_string_member_with_default (p, "display", ""), &tag) &&
          tag.kind == RELAIS_PRESENCE_TAG_KIOSK)
        room = tag.session_room;
      relais_presence_tag_clear (&tag);
    }
  return room;
}

static gboolean
room_exists (Fixture *f,
             Peer    *spy,
             guint64  room)
{
  g_autoptr(JsonNode) data = room_request (f, spy, "exists", room);

  return json_object_get_boolean_member_with_default (json_node_get_object (data), "exists", TRUE);
}

/* What the lobby link does when the presence moves the person. */
static void
moved_cb (RelaisPresence *presence,
          guint64         room,
          Fixture        *f)
{
  g_autofree char *display = relais_presence_tag_format_kiosk ("C12", "etat-civil", "Test", 1, room, 0);

  relais_room_call_move (f->room_call, room, display, relais_presence_get_session_pin (presence));
}

/* What the booth does on "reconnected": a fresh call. */
static void
fresh_call_cb (RelaisRoomCall *room_call,
               Fixture        *f)
{
  g_autoptr(RelaisCall) old = g_steal_pointer (&f->call);

  relais_call_hang_up (old);
  f->call = kiosk_call_new (f);
  relais_room_call_set_call (room_call, f->call);
}

/* Someone with the lobby pin joins first (so holds the claim), subscribes
 * to the person with its private id and leaves before publishing: Janus
 * keeps such a subscription (only a kick or the room's end stops it), so
 * the kiosk moves the person to a fresh room, says so in the lobby, and
 * the old room, with the subscription, is gone. */
static void
test_listener_leaves_first (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) leave = json_from_string ("{\"request\":\"leave\"}", NULL);
  g_autoptr(JsonNode) left = NULL;
  Peer *listener;
  Peer *spy;
  guint64 feed;
  guint64 old_room;
  guint64 new_room = 0;
  guint64 new_feed = 0;
  gint64 left_at;
  gint64 deadline;
  Take take = { 0 };

  if (f->gateway == NULL)
    return;

  kiosk_create_room (f);
  spy = peer_new (f);
  listener = peer_new (f);
  feed = kiosk_publish (f, spy);
  old_room = f->room;
  g_signal_connect (f->presence, "session-room-moved", G_CALLBACK (moved_cb), f);
  g_signal_connect (f->room_call, "reconnected", G_CALLBACK (fresh_call_cb), f);
  relais_presence_wait_async (f->presence, 5001, "C12", "etat-civil", "Test", NULL, wait_done_cb, &take);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (lobby_session_room (f, spy, 5001) != old_room && g_get_monotonic_time () < deadline)
    relais_test_iterate_for (f->context, 100);
  g_assert_cmpuint (lobby_session_room (f, spy, 5001), ==, old_room);

  peer_join (f, listener, "relais1 advisor busy Personne");
  g_assert_null (subscribe (f, listener, feed, listener->private_id));
  relais_janus_message_async (listener->janus, listener->handle, leave, NULL, NULL,
                              relais_test_result_cb, &f->result);
  left = relais_janus_message_finish (listener->janus, relais_test_wait_result (f->context, &f->result), NULL,
                                      &error);
  g_assert_no_error (error);
  g_clear_object (&f->result);
  left_at = g_get_monotonic_time ();

  /* The old room ends; the kiosk publishes in the new one, which the
   * lobby shows. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      new_room = relais_presence_get_session_room (f->presence);
      if (new_room != old_room && !room_exists (f, spy, old_room))
        break;
      relais_test_iterate_for (f->context, 100);
    }
  g_test_message ("MEASURE old room gone %" G_GINT64_FORMAT " ms after the listener left",
                  (g_get_monotonic_time () - left_at) / 1000);
  g_assert_cmpuint (new_room, !=, old_room);
  g_assert_false (room_exists (f, spy, old_room));
  /* Its id no longer opens the old room: the listener's way back is shut. */
  g_assert_nonnull ((error = subscribe (f, listener, feed, listener->private_id)));
  g_clear_error (&error);

  while (g_get_monotonic_time () < deadline &&
         ((new_feed = room_publisher (f, spy, new_room)) == 0 ||
          lobby_session_room (f, spy, 5001) != new_room))
    relais_test_iterate_for (f->context, 200);
  g_test_message ("MEASURE kiosk publishing in the fresh room %" G_GINT64_FORMAT " ms after the listener left",
                  (g_get_monotonic_time () - left_at) / 1000);
  g_assert_cmpuint (new_feed, >, 0);
  g_assert_cmpuint (lobby_session_room (f, spy, 5001), ==, new_room);
  g_assert_false (take.done);

  relais_presence_stop (f->presence);
  while (!take.done)
    relais_test_iterate_for (f->context, 50);
  g_clear_error (&take.error);
  g_signal_handlers_disconnect_by_data (f->room_call, f);
  g_signal_handlers_disconnect_by_data (f->presence, f);
  peer_free (f, listener);
  peer_free (f, spy);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/session-room/silent-subscriber", Fixture, NULL, fixture_setup, test_silent_subscriber, fixture_teardown);
  g_test_add ("/session-room/listener-kicked", Fixture, NULL, fixture_setup, test_listener_kicked, fixture_teardown);
  g_test_add ("/session-room/claim-expires", Fixture, NULL, fixture_setup, test_claim_expires, fixture_teardown);
  g_test_add ("/session-room/advisor-takes", Fixture, NULL, fixture_setup, test_advisor_takes, fixture_teardown);
  g_test_add ("/session-room/listener-leaves-first", Fixture, NULL, fixture_setup, test_listener_leaves_first,
              fixture_teardown);

  return g_test_run ();
}
