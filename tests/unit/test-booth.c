/* test-booth.c: RelaisBooth with the demo advisor link, headless: the
 * pre-call check, the call, chat both ways, a reconnection that replaces
 * the call (mute carried over), the advisor leaving, the end of the person.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gst/gst.h>

#include "relais-booth.h"
#include "relais-context.h"
#include "relais-call-private.h"
#include "relais-demo-link.h"
#include "../relais-test-utils.h"

#define CONNECT_TIMEOUT_MS 30000

typedef struct
{
  GMainContext  *main_context;
  char          *dir;
  RelaisContext *context;
  RelaisBooth   *booth;

  guint          call_notified;
  guint          chat_received;
  guint          chat_sent;
  guint          remote_left;
  guint          check_done;
  char          *last_chat;
} Fixture;

static void
call_notify_cb (RelaisBooth *booth,
                GParamSpec  *pspec,
                Fixture     *f)
{
  f->call_notified++;
}

static void
chat_received_cb (RelaisBooth *booth,
                  const char  *text,
                  Fixture     *f)
{
  f->chat_received++;
  g_free (f->last_chat);
  f->last_chat = g_strdup (text);
}

static void
chat_sent_cb (RelaisBooth *booth,
              const char  *text,
              Fixture     *f)
{
  f->chat_sent++;
}

static void
remote_left_cb (RelaisBooth *booth,
                Fixture     *f)
{
  f->remote_left++;
}

static void
check_cb (RelaisBooth *booth,
          GParamSpec  *pspec,
          Fixture     *f)
{
  if (relais_booth_get_check (booth) == RELAIS_BOOTH_CHECK_OK)
    f->check_done++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL;
  g_autofree char *conf = NULL;

  f->main_context = relais_test_context_push ();
  relais_test_store_dir ("relais-booth-XXXXXX", &f->dir, &store);
  conf = g_strdup_printf ("[kiosk]\nsite-name=Test\nstore-path=%s\n"
                          "[media]\ncamera=test\nmicrophone=test\n"
                          "width=320\nheight=240\nframerate=15\n", store);
  config = relais_config_new_from_data (conf, "/etc/relais/kiosk.conf", &error);
  g_assert_no_error (error);
  g_assert_true (relais_config_is_demo (config));
  f->context = relais_context_new (config, &error);
  g_assert_no_error (error);

  /* A booth of the test's own, from the context's parts, so that its end
   * can be checked. */
  f->booth = relais_booth_new (config,
                               relais_context_get_directory (f->context),
                               relais_context_get_queue (f->context),
                               relais_context_get_session (f->context),
                               relais_context_get_http_client (f->context));
  g_signal_connect (f->booth, "notify::call", G_CALLBACK (call_notify_cb), f);
  g_signal_connect (f->booth, "chat-received", G_CALLBACK (chat_received_cb), f);
  g_signal_connect (f->booth, "chat-sent", G_CALLBACK (chat_sent_cb), f);
  g_signal_connect (f->booth, "remote-left", G_CALLBACK (remote_left_cb), f);
  g_signal_connect (f->booth, "notify::check", G_CALLBACK (check_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  relais_booth_drop (f->booth);
  g_signal_handlers_disconnect_by_data (f->booth, f);
  relais_test_finalize_iterating (f->main_context, g_steal_pointer (&f->booth));
  relais_test_finalize_iterating (f->main_context, g_steal_pointer (&f->context));
  relais_test_context_pop (f->main_context);
  relais_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->last_chat);
}

/* A ticket at the booth: given, called, the person there. */
static void
person_at_booth (Fixture *f)
{
  RelaisQueue *queue = relais_context_get_queue (f->context);
  g_autoptr(GError) error = NULL;
  RelaisTicket *ticket;
  gint64 id;

  ticket = relais_queue_add (queue, 'F', "france-travail", "inscription", "Test", "", &error);
  g_assert_no_error (error);
  id = relais_ticket_get_id (ticket);
  g_object_unref (ticket);
  g_assert_true (relais_queue_call (queue, id, &error));
  g_assert_no_error (error);
  g_assert_true (relais_queue_start (queue, id, &error));
  g_assert_no_error (error);
}

static gboolean
booth_connected (gpointer data)
{
  Fixture *f = data;

  return relais_booth_get_call_state (f->booth) == RELAIS_CALL_CONNECTED;
}

static void
wait_connected (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + CONNECT_TIMEOUT_MS * 1000;

  while (!booth_connected (f) && g_get_monotonic_time () < deadline)
    relais_test_iterate_for (f->main_context, 20);
  if (!booth_connected (f))
    g_error ("The demo call did not connect in %d ms (state %d: %s)", CONNECT_TIMEOUT_MS,
             relais_booth_get_call_state (f->booth),
             relais_booth_get_status_text (f->booth));
}

static void
start_call (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  const RelaisVisit *visit;

  person_at_booth (f);
  relais_booth_prepare (f->booth);
  g_assert_null (relais_booth_get_media_error (f->booth));
  g_assert_nonnull (relais_booth_get_call (f->booth));
  g_assert_cmpuint (f->call_notified, ==, 1);
  g_assert_cmpint (relais_call_get_state (relais_booth_get_call (f->booth)), ==, RELAIS_CALL_PREVIEW);

  /* The visit, taken once from the queue. */
  visit = relais_booth_get_visit (f->booth);
  g_assert_nonnull (visit);
  g_assert_cmpstr (visit->service_id, ==, "france-travail");
  g_assert_cmpstr (visit->subservice_id, ==, "inscription");
  g_assert_nonnull (visit->service_name);
  g_assert_cmpstr (visit->site_name, ==, "Test");

  /* The demo's check answers at once. */
  g_assert_true (relais_test_wait_counter (f->main_context, &f->check_done, 5000));
  g_assert_cmpstr (relais_booth_get_check_text (f->booth), ==,
                   "Mode démonstration : pas de serveur à joindre.");

  g_assert_true (relais_booth_start_call (f->booth, &error));
  g_assert_no_error (error);
  wait_connected (f);
  /* The demo advisor takes the call at once: no lobby to wait in. */
  g_assert_false (relais_booth_get_waiting (f->booth));
  g_assert_false (relais_booth_cancel_wait (f->booth));
  g_assert_cmpint (relais_advisor_link_get_state (relais_booth_get_link (f->booth)), ==,
                   RELAIS_ADVISOR_LINK_CONNECTED);
}

static void
test_call_and_chat (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint received;

  start_call (f);

  /* The demo advisor greets, then answers each line. */
  g_assert_true (relais_test_wait_counter (f->main_context, &f->chat_received, 10000));
  received = f->chat_received;
  g_assert_true (relais_booth_send_chat (f->booth, "Bonjour", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->chat_sent, ==, 1);
  while (f->chat_received == received)
    relais_test_iterate_for (f->main_context, 20);
  g_assert_nonnull (f->last_chat);

  /* The person goes: the call goes with them. */
  relais_booth_drop (f->booth);
  g_assert_null (relais_booth_get_call (f->booth));
  g_assert_null (relais_booth_get_visit (f->booth));
  g_assert_cmpuint (f->call_notified, ==, 2);
  g_assert_cmpint (relais_booth_get_call_state (f->booth), ==, RELAIS_CALL_IDLE);
}

/* Issue 10, item 2: the rate controller cuts the picture on a weak link:
 * the person is told in plain words, and so is the advisor, over the data
 * channel ("link", PROTOCOL.md section 5); and again when it comes back. */
typedef struct
{
  GPtrArray *notices;
  GPtrArray *to_advisor;
} LinkSeen;

static void
link_notice_cb (RelaisBooth *booth,
                const char  *text,
                gboolean     is_error,
                LinkSeen    *seen)
{
  g_ptr_array_add (seen->notices, g_strdup (text));
}

static void
advisor_message_cb (RelaisDemoAdvisor *advisor,
                    const char        *text,
                    LinkSeen          *seen)
{
  if (strstr (text, "\"type\":\"link\"") != NULL)
    g_ptr_array_add (seen->to_advisor, g_strdup (text));
}

static void
test_audio_only_said (Fixture       *f,
                      gconstpointer  data)
{
  LinkSeen seen = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free) };
  RelaisDemoAdvisor *advisor;
  RelaisCall *call;
  guint received;

  start_call (f);
  call = relais_booth_get_call (f->booth);
  advisor = relais_demo_link_get_advisor (RELAIS_DEMO_LINK (relais_booth_get_link (f->booth)));
  g_assert_nonnull (advisor);
  /* The data channel is up once the advisor's greeting came. */
  g_assert_true (relais_test_wait_counter (f->main_context, &f->chat_received, 10000));
  received = f->chat_received;
  g_signal_connect (f->booth, "notice", G_CALLBACK (link_notice_cb), &seen);
  g_signal_connect (advisor, "message-received", G_CALLBACK (advisor_message_cb), &seen);

  _relais_call_set_link_step (call, RELAIS_CALL_LINK_LOW);
  relais_test_iterate_for (f->main_context, 300);
  g_assert_cmpuint (seen.notices->len, ==, 0);

  /* Forced to sound only; the controller's next tick on this good link
   * gives the picture back by itself (else the test does). */
  _relais_call_set_link_step (call, RELAIS_CALL_LINK_AUDIO_ONLY);
  while (seen.to_advisor->len < 1)
    relais_test_iterate_for (f->main_context, 50);
  if (seen.notices->len < 2)
    _relais_call_set_link_step (call, RELAIS_CALL_LINK_LOW);
  while (seen.to_advisor->len < 2)
    relais_test_iterate_for (f->main_context, 50);
  g_assert_cmpuint (seen.notices->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen.notices, 0), ==,
                   "La connexion est faible : l’image est coupée, le son continue.");
  g_assert_cmpstr (g_ptr_array_index (seen.to_advisor, 0), ==, "{\"relais\":1,\"type\":\"link\",\"video\":false}");
  g_assert_cmpstr (g_ptr_array_index (seen.notices, 1), ==, "La connexion va mieux : l’image revient.");
  g_assert_cmpstr (g_ptr_array_index (seen.to_advisor, 1), ==, "{\"relais\":1,\"type\":\"link\",\"video\":true}");

  /* An envelope is no chat line: the demo advisor does not answer it. */
  relais_test_iterate_for (f->main_context, 500);
  g_assert_cmpuint (f->chat_received, ==, received);

  g_signal_handlers_disconnect_by_data (f->booth, &seen);
  g_signal_handlers_disconnect_by_data (advisor, &seen);
  relais_booth_drop (f->booth);
  g_ptr_array_unref (seen.notices);
  g_ptr_array_unref (seen.to_advisor);
}

static void
test_reconnect_replaces_call (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(RelaisCall) first = NULL;
  RelaisDemoLink *link;

  start_call (f);
  first = g_object_ref (relais_booth_get_call (f->booth));
  relais_booth_set_muted (f->booth, TRUE);
  relais_booth_set_camera_off (f->booth, TRUE);

  link = RELAIS_DEMO_LINK (relais_booth_get_link (f->booth));
  f->chat_received = 0;
  relais_demo_link_reconnect (link);

  /* A fresh call, the followers told, the choices kept. */
  g_assert_cmpuint (f->call_notified, ==, 2);
  g_assert_nonnull (relais_booth_get_call (f->booth));
  g_assert_true (relais_booth_get_call (f->booth) != first);
  g_assert_cmpint (relais_call_get_state (first), ==, RELAIS_CALL_ENDED);
  g_assert_true (relais_booth_get_muted (f->booth));
  g_assert_true (relais_booth_get_camera_off (f->booth));
  g_assert_false (relais_booth_is_link_lost (f->booth));
  wait_connected (f);

  /* The advisor of the fresh call greets too. */
  g_assert_true (relais_test_wait_counter (f->main_context, &f->chat_received, 10000));

  relais_booth_drop (f->booth);
  g_assert_false (relais_booth_get_muted (f->booth));
  g_assert_false (relais_booth_get_camera_off (f->booth));
}

static void
test_remote_left (Fixture       *f,
                  gconstpointer  data)
{
  start_call (f);

  /* The advisor hangs up. */
  relais_demo_link_leave (RELAIS_DEMO_LINK (relais_booth_get_link (f->booth)));
  g_assert_cmpuint (f->remote_left, ==, 1);

  /* The call itself ending says so too, once, from an idle. */
  relais_call_hang_up (relais_booth_get_call (f->booth));
  g_assert_cmpuint (f->remote_left, ==, 1);
  relais_test_iterate_for (f->main_context, 200);
  g_assert_cmpuint (f->remote_left, ==, 2);
  g_assert_cmpint (relais_booth_get_call_state (f->booth), ==, RELAIS_CALL_ENDED);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/booth/call-and-chat", Fixture, NULL,
              fixture_setup, test_call_and_chat, fixture_teardown);
  g_test_add ("/booth/audio-only-said", Fixture, NULL,
              fixture_setup, test_audio_only_said, fixture_teardown);
  g_test_add ("/booth/reconnect-replaces-call", Fixture, NULL,
              fixture_setup, test_reconnect_replaces_call, fixture_teardown);
  g_test_add ("/booth/remote-left", Fixture, NULL,
              fixture_setup, test_remote_left, fixture_teardown);

  return g_test_run ();
}
