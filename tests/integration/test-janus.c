/* test-janus.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RelaisJanus against the real gateway (Debian's /usr/bin/janus 1.1),
 * started by each test with the templates of tests/integration/janus/ in a
 * temporary directory, on RELAIS_TEST_ADDR inside the network namespace
 * that relais-netns-run made (the suite runs every test through it).
 */
#define G_LOG_DOMAIN "test-janus"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "relais-error.h"
#include "relais-http-client.h"
#include "relais-janus.h"
#include "relais-test-janus.h"
#include "../relais-test-utils.h"

#define SESSION_TIMEOUT_S 10

typedef struct
{
  GMainContext     *context;
  RelaisTestJanus  *gateway;
  const char       *base_url;    /* the gateway's */
  RelaisHttpClient *client;

  GAsyncResult     *result;
  guint             lost;
  gint64            lost_at;
  guint             reconnected;
  gint64            reconnected_at;
  GPtrArray        *events;        /* JsonNode, "event" data of any handle */
} Fixture;

/* ---- the gateway -------------------------------------------------------- */

static double
start_janus (Fixture *f)
{
  return relais_test_janus_start (f->gateway, f->client);
}

static void
kill_janus (Fixture *f)
{
  relais_test_janus_kill (f->gateway);
}

static gboolean
janus_running (Fixture *f)
{
  return f->gateway != NULL && relais_test_janus_is_running (f->gateway);
}

/* ---- fixture ------------------------------------------------------------ */

static void
lost_cb (RelaisJanus *janus,
         Fixture     *f)
{
  f->lost++;
  f->lost_at = g_get_monotonic_time ();
}

static void
reconnected_cb (RelaisJanus *janus,
                guint64      session_id,
                Fixture     *f)
{
  f->reconnected++;
  f->reconnected_at = g_get_monotonic_time ();
}

static void
event_cb (RelaisJanus *janus,
          guint64      handle_id,
          JsonNode    *data,
          JsonNode    *jsep,
          Fixture     *f)
{
  g_ptr_array_add (f->events, json_node_copy (data));
}

static RelaisJanus *
new_janus (Fixture *f)
{
  RelaisJanus *janus = relais_janus_new (f->client, f->base_url, NULL);

  g_signal_connect (janus, "lost", G_CALLBACK (lost_cb), f);
  g_signal_connect (janus, "reconnected", G_CALLBACK (reconnected_cb), f);
  g_signal_connect (janus, "event", G_CALLBACK (event_cb), f);
  return janus;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *addr;

  f->context = relais_test_context_push ();
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  f->client = relais_http_client_new ();

  /* Never a skip: a test that cannot run has failed. */
  addr = relais_test_janus_addr_or_fail ();
  if (addr == NULL)
    return;
  f->gateway = relais_test_janus_new (addr, SESSION_TIMEOUT_S);
  f->base_url = relais_test_janus_get_base_url (f->gateway);
  g_test_message ("Janus ready in %.0f ms", start_janus (f));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->gateway != NULL)
    kill_janus (f);
  g_clear_object (&f->result);
  relais_test_finalize_iterating (f->context, g_steal_pointer (&f->client));
  g_clear_pointer (&f->gateway, relais_test_janus_free);
  g_ptr_array_unref (f->events);
  relais_test_context_pop (f->context);
}

/* ---- steps -------------------------------------------------------------- */

static void
connect_janus (Fixture     *f,
               RelaisJanus *janus)
{
  g_autoptr(GError) error = NULL;

  relais_janus_connect_async (janus, NULL, relais_test_result_cb, &f->result);
  g_assert_true (relais_janus_connect_finish (janus, relais_test_wait_result (f->context, &f->result), &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);
}

static guint64
attach_videoroom (Fixture     *f,
                  RelaisJanus *janus)
{
  g_autoptr(GError) error = NULL;
  guint64 handle;

  relais_janus_attach_async (janus, "janus.plugin.videoroom", NULL, relais_test_result_cb, &f->result);
  handle = relais_janus_attach_finish (janus, relais_test_wait_result (f->context, &f->result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (handle, >, 0);
  g_clear_object (&f->result);
  return handle;
}

static guint64
create_room (Fixture     *f,
             RelaisJanus *janus,
             guint64      handle)
{
  g_autoptr(GError) error = NULL;
  guint64 room = 100000 + g_random_int_range (0, 800000);

  relais_janus_videoroom_create_room_async (janus, handle, room, "Relais test", 4, 256000,
                                            NULL, NULL, NULL, relais_test_result_cb, &f->result);
  g_assert_true (relais_janus_videoroom_create_room_finish (janus, relais_test_wait_result (f->context, &f->result), &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);
  return room;
}

static void
destroy_janus (Fixture     *f,
               RelaisJanus *janus)
{
  g_autoptr(GError) error = NULL;

  relais_janus_destroy_async (janus, NULL, relais_test_result_cb, &f->result);
  g_assert_true (relais_janus_destroy_finish (janus, relais_test_wait_result (f->context, &f->result), &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);
  g_assert_cmpint (relais_janus_get_state (janus), ==, RELAIS_JANUS_STATE_DISCONNECTED);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_videoroom (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(RelaisJanus) first = NULL;
  g_autoptr(RelaisJanus) second = NULL;
  g_autoptr(GPtrArray) publishers = NULL;
  g_autoptr(GError) error = NULL;
  guint64 handle1, handle2, room, id1, id2;
  gboolean saw_joining = FALSE;

  if (g_test_failed () || !janus_running (f))
    return;

  first = new_janus (f);
  connect_janus (f, first);
  handle1 = attach_videoroom (f, first);
  room = create_room (f, first, handle1);

  /* The same room again: the plugin's error, in French. */
  relais_janus_videoroom_create_room_async (first, handle1, room, NULL, 0, 0, NULL, NULL,
                                            NULL, relais_test_result_cb, &f->result);
  g_assert_false (relais_janus_videoroom_create_room_finish (first, relais_test_wait_result (f->context, &f->result), &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_assert_true (g_str_has_prefix (error->message, "La salle de visio existe déjà sur le serveur."));
  g_clear_error (&error);
  g_clear_object (&f->result);

  /* A room that does not exist. */
  relais_janus_videoroom_join_publisher_async (first, handle1, 999999999, "Guichet", NULL,
                                               NULL, relais_test_result_cb, &f->result);
  g_assert_cmpuint (relais_janus_videoroom_join_publisher_finish (first, relais_test_wait_result (f->context, &f->result),
                                                                  NULL, &error), ==, 0);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
  g_test_message ("Unknown room: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "La salle de visio n'existe pas sur le serveur."));
  g_clear_error (&error);
  g_clear_object (&f->result);

  /* Joining needs no SDP. */
  relais_janus_videoroom_join_publisher_async (first, handle1, room, "Guichet", NULL,
                                               NULL, relais_test_result_cb, &f->result);
  id1 = relais_janus_videoroom_join_publisher_finish (first, relais_test_wait_result (f->context, &f->result), &publishers, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (id1, >, 0);
  g_assert_cmpuint (publishers->len, ==, 0);
  g_clear_pointer (&publishers, g_ptr_array_unref);
  g_clear_object (&f->result);

  /* A second session joins: it sees no publisher (nobody publishes media
   * yet), and the first hears it joining (notify_joining). */
  second = new_janus (f);
  connect_janus (f, second);
  g_assert_cmpuint (relais_janus_get_session_id (second), !=, relais_janus_get_session_id (first));
  handle2 = attach_videoroom (f, second);
  relais_janus_videoroom_join_publisher_async (second, handle2, room, "Conseiller", NULL,
                                               NULL, relais_test_result_cb, &f->result);
  id2 = relais_janus_videoroom_join_publisher_finish (second, relais_test_wait_result (f->context, &f->result), &publishers, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (id2, >, 0);
  g_assert_cmpuint (id2, !=, id1);
  g_assert_cmpuint (publishers->len, ==, 0);
  g_clear_object (&f->result);

  for (guint tries = 0; tries < 50 && !saw_joining; tries++)
    {
      for (guint i = 0; i < f->events->len; i++)
        {
          JsonObject *obj = json_node_get_object (g_ptr_array_index (f->events, i));
          JsonNode *joining = json_object_get_member (obj, "joining");

          if (joining != NULL && JSON_NODE_HOLDS_OBJECT (joining) &&
              json_object_get_int_member (json_node_get_object (joining), "id") == (gint64) id2)
            saw_joining = TRUE;
        }
      if (!saw_joining)
        relais_test_iterate_for (f->context, 100);
    }
  g_assert_true (saw_joining);

  /* Leave; the room and the sessions go away cleanly. */
  relais_janus_videoroom_leave_async (second, handle2, NULL, relais_test_result_cb, &f->result);
  g_assert_true (relais_janus_videoroom_leave_finish (second, relais_test_wait_result (f->context, &f->result), &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);

  relais_janus_detach_async (second, handle2, NULL, relais_test_result_cb, &f->result);
  g_assert_true (relais_janus_detach_finish (second, relais_test_wait_result (f->context, &f->result), &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);

  destroy_janus (f, second);
  destroy_janus (f, first);
  g_assert_cmpuint (f->lost, ==, 0);
}

static void
test_keepalive (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(RelaisJanus) janus = NULL;
  guint64 session;

  if (!janus_running (f))
    return;

  janus = new_janus (f);
  relais_janus_set_keepalive_interval (janus, 3000);
  connect_janus (f, janus);
  session = relais_janus_get_session_id (janus);
  (void) attach_videoroom (f, janus);

  /* The gateway's session_timeout is 10 s; the long poll alone does not
   * keep a session (measured: Janus 1.1.2 sends "timeout" after ~12 s). */
  relais_test_iterate_for (f->context, (SESSION_TIMEOUT_S + 5) * 1000);
  g_assert_cmpuint (f->lost, ==, 0);
  g_assert_cmpint (relais_janus_get_state (janus), ==, RELAIS_JANUS_STATE_CONNECTED);
  g_assert_cmpuint (relais_janus_get_session_id (janus), ==, session);
  (void) attach_videoroom (f, janus);
  destroy_janus (f, janus);
}

static void
test_gateway_killed (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RelaisJanus) janus = NULL;
  guint64 old_session;
  guint64 handle;
  gint64 killed_at;
  gint64 restarted_at;
  double ready_ms;

  if (!janus_running (f))
    return;

  janus = new_janus (f);
  connect_janus (f, janus);
  old_session = relais_janus_get_session_id (janus);
  handle = attach_videoroom (f, janus);
  (void) create_room (f, janus, handle);
  relais_test_iterate_for (f->context, 200);

  killed_at = g_get_monotonic_time ();
  kill_janus (f);
  g_assert_true (relais_test_wait_counter (f->context, &f->lost, 10000));
  g_test_message ("MEASURE gateway SIGKILLed → \"lost\" in %.0f ms",
                  (f->lost_at - killed_at) / 1000.0);
  g_assert_cmpint (f->lost_at - killed_at, <=, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (relais_janus_get_state (janus), ==, RELAIS_JANUS_STATE_RECONNECTING);
  g_assert_cmpuint (relais_janus_get_session_id (janus), ==, 0);

  /* Restart: the client finds the gateway again by itself. */
  ready_ms = start_janus (f);
  restarted_at = g_get_monotonic_time ();
  g_assert_true (relais_test_wait_counter (f->context, &f->reconnected, 15000));
  g_test_message ("MEASURE gateway restart took %.0f ms; ready → \"reconnected\" in %.0f ms; "
                  "\"lost\" → \"reconnected\" in %.0f ms",
                  ready_ms, MAX (0, f->reconnected_at - restarted_at) / 1000.0,
                  (f->reconnected_at - f->lost_at) / 1000.0);
  g_assert_cmpint (relais_janus_get_state (janus), ==, RELAIS_JANUS_STATE_CONNECTED);
  g_assert_cmpuint (relais_janus_get_session_id (janus), !=, 0);
  g_assert_cmpuint (relais_janus_get_session_id (janus), !=, old_session);

  /* The new session works (handles are the owner's to re-attach). */
  handle = attach_videoroom (f, janus);
  (void) create_room (f, janus, handle);
  destroy_janus (f, janus);
  g_assert_cmpuint (f->lost, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/janus/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("videoroom", test_videoroom);
  ADD ("gateway-killed", test_gateway_killed);
  ADD ("keepalive", test_keepalive);

  return g_test_run ();
}
