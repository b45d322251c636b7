/* test-session-record.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RelaisSessionRecord without a display or a call: a store on :memory:,
 * the session driven through a ticket's journey (the call NULL, as when
 * the camera never started), the row and its outbox entry, the survey's
 * countdown, the advisor's outcome, and the given-up wait.
 */
#define G_LOG_DOMAIN "test-session-record"

#include "relais-context.h"
#include "relais-error.h"
#include "relais-session-record.h"
#include "../relais-test-call-pair.h"

#include "../relais-test-utils.h"

/* Nothing listens there (port 9, refused): records wait in the outbox. */
#define UPLOAD_CONFIG "[kiosk]\nsite-name=Mairie de Test\n" \
                      "[figures]\nupload-url=https://127.0.0.1:9/relais/sessions\n"

typedef struct
{
  RelaisConfig        *config;
  RelaisStore         *store;
  RelaisQueue         *queue;
  RelaisSession       *session;
  RelaisSessionRecord *record;
  GArray              *remaining;   /* guint: each "survey-remaining" notified */
  guint                attempts;    /* outbox POSTs finished */
} Fixture;

static void
remaining_cb (RelaisSessionRecord *record,
              GParamSpec          *pspec,
              Fixture             *f)
{
  guint seconds = relais_session_record_get_survey_remaining (record);

  g_array_append_val (f->remaining, seconds);
}

static void
attempt_cb (RelaisOutbox *outbox,
            guint         status,
            Fixture      *f)
{
  f->attempts++;
}

static gboolean
counter_nonzero (gpointer data)
{
  return *(guint *) data != 0;
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  const char *config_data = data != NULL ? data : "[kiosk]\nsite-name=Mairie de Test\n";
  g_autoptr(GError) error = NULL;

  f->config = relais_config_new_from_data (config_data, "/etc/relais/kiosk.conf", &error);
  g_assert_no_error (error);
  f->store = relais_store_new (":memory:", &error);
  g_assert_no_error (error);
  f->queue = relais_queue_new (f->store, &error);
  g_assert_no_error (error);
  f->session = relais_session_new (f->queue);
  f->record = relais_session_record_new (f->config, f->store, f->queue, f->session);
  f->remaining = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (f->record, "notify::survey-remaining", G_CALLBACK (remaining_cb), f);
  if (relais_session_record_get_outbox (f->record) != NULL)
    g_signal_connect (relais_session_record_get_outbox (f->record), "attempt-finished",
                      G_CALLBACK (attempt_cb), f);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&f->record));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (g_steal_pointer (&f->session));
  g_assert_finalize_object (g_steal_pointer (&f->queue));
  g_assert_finalize_object (g_steal_pointer (&f->store));
  g_assert_finalize_object (g_steal_pointer (&f->config));
  g_array_unref (f->remaining);
}

static void
handle (Fixture            *f,
        RelaisSessionEvent  event,
        RelaisSessionState  expected)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_session_handle (f->session, event, &error));
  g_assert_no_error (error);
  g_assert_cmpint (relais_session_get_state (f->session), ==, expected);
}

/* A walk-in for @subservice_id of the CAF, called by the agent: the
 * session at "your turn". Returns the ticket's id. */
static gint64
call_walk_in (Fixture    *f,
              const char *subservice_id)
{
  g_autoptr(RelaisTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  ticket = relais_queue_add (f->queue, 'C', "caf", subservice_id, "Jeanne", "RSA", &error);
  g_assert_no_error (error);
  id = relais_ticket_get_id (ticket);

  handle (f, RELAIS_SESSION_EVENT_AGENT_REQUEST, RELAIS_SESSION_UNLOCKING);
  handle (f, RELAIS_SESSION_EVENT_UNLOCKED, RELAIS_SESSION_DESK);
  g_assert_true (relais_queue_call (f->queue, id, &error));
  g_assert_no_error (error);
  handle (f, RELAIS_SESSION_EVENT_TICKET_CALLED, RELAIS_SESSION_YOUR_TURN);
  return id;
}

/* The walk-in at the booth, then in the call. */
static gint64
start_call (Fixture    *f,
            const char *subservice_id)
{
  g_autoptr(GError) error = NULL;
  gint64 id = call_walk_in (f, subservice_id);

  g_assert_true (relais_queue_start (f->queue, id, &error));
  g_assert_no_error (error);
  handle (f, RELAIS_SESSION_EVENT_PERSON_PRESENT, RELAIS_SESSION_PRECALL);
  handle (f, RELAIS_SESSION_EVENT_START_CALL, RELAIS_SESSION_IN_CALL);
  return id;
}

/* Hung up, then "Terminer": the ticket finished, its row written, the
 * survey shown. */
static void
finish_call (Fixture *f,
             gint64   id)
{
  g_autoptr(GError) error = NULL;

  handle (f, RELAIS_SESSION_EVENT_CALL_OVER, RELAIS_SESSION_CALL_ENDED);
  g_assert_true (relais_queue_finish (f->queue, id, &error));
  g_assert_no_error (error);
  relais_session_record_ticket_ended (f->record, id);
  handle (f, RELAIS_SESSION_EVENT_SESSION_ENDED, RELAIS_SESSION_SURVEY);
}

static RelaisSessionFacts *
last_row (Fixture *f)
{
  const char *session_id = relais_session_record_get_last_session_id (f->record);
  g_autoptr(GError) error = NULL;
  RelaisSessionFacts *facts;

  g_assert_nonnull (session_id);
  facts = relais_store_get_session_facts (f->store, session_id, &error);
  g_assert_no_error (error);
  return facts;
}

static gint64
count_uploads (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  gint64 n = relais_store_count_uploads (f->store, &error);

  g_assert_no_error (error);
  return n;
}

/* A call to the end: the advisor's outcome, the face tapped, one row,
 * queued for upload once the survey is over and not before. */
static void
test_row_and_outbox (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RelaisSessionFacts) facts = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  g_assert_nonnull (relais_session_record_get_outbox (f->record));
  g_assert_null (relais_session_record_get_call (f->record));
  g_assert_null (relais_session_record_get_last_session_id (f->record));

  id = start_call (f, "prime-activite");
  relais_session_record_note_advisor_taken (f->record);
  relais_session_record_note_link_lost (f->record);
  g_assert_true (relais_session_record_set_outcome (f->record, "follow-up", &error));
  g_assert_no_error (error);
  g_assert_false (relais_session_record_set_outcome (f->record, "Jeanne", &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
  g_clear_error (&error);

  finish_call (f, id);
  /* The row is there; its upload waits for the survey. */
  facts = last_row (f);
  g_assert_cmpint (count_uploads (f), ==, 0);
  g_assert_cmpstr (facts->service_id, ==, "caf");
  g_assert_cmpstr (facts->subservice_id, ==, "prime-activite");
  g_assert_cmpstr (facts->outcome, ==, "follow-up");
  g_assert_true (facts->call_attempted);
  g_assert_false (facts->media_flowed);
  g_assert_true (facts->reconnected);
  g_assert_cmpint (facts->setup_ms, ==, -1);
  g_assert_cmpint (facts->call_seconds, ==, -1);
  g_assert_cmpint (facts->wait_seconds, >=, 0);
  g_assert_cmpint (facts->survey, ==, 0);
  g_assert_cmpint (facts->ended_at, >=, facts->created_at);

  /* The survey starts at 30 s. */
  g_assert_cmpuint (relais_session_record_get_survey_remaining (f->record), ==,
                    RELAIS_SESSION_RECORD_SURVEY_SECONDS);
  g_assert_true (relais_session_record_answer_survey (f->record, 4, &error));
  g_assert_no_error (error);
  handle (f, RELAIS_SESSION_EVENT_SURVEY_DONE, RELAIS_SESSION_ATTRACT);
  g_assert_cmpint (count_uploads (f), ==, 1);
  g_clear_pointer (&facts, relais_session_facts_free);
  facts = last_row (f);
  g_assert_cmpint (facts->survey, ==, 4);

  /* The advisor's word after the row was written goes into it. */
  g_assert_true (relais_session_record_set_outcome (f->record, "resolved", &error));
  g_assert_no_error (error);
  g_clear_pointer (&facts, relais_session_facts_free);
  facts = last_row (f);
  g_assert_cmpstr (facts->outcome, ==, "resolved");

  /* The POST to nobody fails; the record stays in the outbox. */
  g_assert_true (relais_test_wait_for (counter_nonzero, &f->attempts, 20000));
  g_assert_cmpint (count_uploads (f), ==, 1);
}

/* Nobody taps a face: the record counts the seconds down and ends the
 * survey itself. */
static void
test_survey_countdown (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RelaisSessionFacts) facts = NULL;
  gint64 started;
  gint64 id;

  relais_session_record_set_survey_seconds (f->record, 2);
  id = start_call (f, "rsa");
  finish_call (f, id);
  started = g_get_monotonic_time ();
  g_assert_cmpuint (relais_session_record_get_survey_remaining (f->record), ==, 2);

  while (relais_session_get_state (f->session) == RELAIS_SESSION_SURVEY)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (relais_session_get_state (f->session), ==, RELAIS_SESSION_ATTRACT);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 1 * G_USEC_PER_SEC);
  /* From 30 to 2, then 1, 0. */
  g_assert_cmpuint (f->remaining->len, ==, 3);
  g_assert_cmpuint (g_array_index (f->remaining, guint, 0), ==, 2);
  g_assert_cmpuint (g_array_index (f->remaining, guint, 1), ==, 1);
  g_assert_cmpuint (g_array_index (f->remaining, guint, 2), ==, 0);

  facts = last_row (f);
  g_assert_cmpint (facts->survey, ==, 0);
  g_assert_null (facts->outcome);
  g_assert_true (facts->call_attempted);

  /* Nothing to answer any more. */
  g_assert_true (relais_session_record_answer_survey (f->record, 5, NULL));
  g_clear_pointer (&facts, relais_session_facts_free);
  facts = last_row (f);
  g_assert_cmpint (facts->survey, ==, 0);
}

/* Issue 10, item 4: "media flowed" is what the far end says it got, not
 * what the kiosk sent or shows. Two loopback calls, the kiosk's (a) and the
 * advisor's (b); with @silent the kiosk's sound is dropped from the start
 * as it leaves its payloader: the advisor gets the picture, never the
 * person's voice, while the kiosk shows the advisor (connected). */
static GstPadProbeReturn
drop_cb (GstPad          *pad,
         GstPadProbeInfo *info,
         gpointer         user_data)
{
  return GST_PAD_PROBE_DROP;
}

static void
drop_sent_sound (RelaisCall *a,
                 RelaisCall *b,
                 gpointer    user_data)
{
  GstElement *top = relais_call_get_local_video_sink (a);
  g_autoptr(GstIterator) it = NULL;
  GValue item = G_VALUE_INIT;
  guint payloaders = 0;

  while (GST_OBJECT_PARENT (top) != NULL)
    top = GST_ELEMENT (GST_OBJECT_PARENT (top));
  it = gst_bin_iterate_recurse (GST_BIN (top));
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK)
    {
      GstElement *element = g_value_get_object (&item);
      GstElementFactory *factory = gst_element_get_factory (element);

      if (factory != NULL && g_str_equal (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)), "rtpopuspay"))
        {
          g_autoptr(GstPad) src = gst_element_get_static_pad (element, "src");

          gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                             drop_cb, NULL, NULL);
          payloaders++;
        }
      g_value_reset (&item);
    }
  g_value_unset (&item);
  g_assert_cmpuint (payloaders, ==, 1);
}

static gboolean
far_end_got_media (RelaisCall *call,
                   gboolean    say)
{
  RelaisCallStats stats;

  relais_call_get_stats (call, &stats);
  if (say)
    g_test_message ("the far end reports audio %" G_GUINT64_FORMAT " got / %" G_GINT64_FORMAT " lost, "
                    "video %" G_GUINT64_FORMAT " got / %" G_GINT64_FORMAT " lost (sent %" G_GUINT64_FORMAT
                    " / %" G_GUINT64_FORMAT "), step %d",
                    stats.far_audio_packets, stats.far_audio_lost, stats.far_video_packets, stats.far_video_lost,
                    stats.audio_packets_sent, stats.video_packets_sent, stats.link_step);
  return relais_call_stats_media_delivered (&stats);
}

/* The row says what the far end said: with the sound dropped, that
 * nothing came (the old rule, "the kiosk shows the advisor", wrote 1);
 * with everything sent, what it reports (delivered within seconds here;
 * test-figures-ui and advisor-console check the whole way with a 1). */
static void
far_end (Fixture  *f,
         gboolean  silent)
{
  g_autoptr(RelaisSessionFacts) facts = NULL;
  RelaisTestCallPair *pair = relais_test_call_pair_new_full (silent ? drop_sent_sound : NULL, NULL);
  RelaisCall *kiosk = relais_test_call_pair_get_a (pair);
  gboolean delivered;
  gint64 deadline;
  gint64 id;

  id = start_call (f, "prime-activite");
  relais_session_record_set_call (f->record, kiosk);

  /* The far end reports every few seconds, the record samples every
   * second; silent, wait longer than a call with sound needed (3-9 s in
   * the plain build). */
  deadline = g_get_monotonic_time () + (silent ? 10 : 30) * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline && (silent || !far_end_got_media (kiosk, FALSE)))
    relais_test_iterate_for (NULL, 100);
  relais_test_iterate_for (NULL, 1500);
  g_assert_cmpint (relais_call_get_state (kiosk), ==, RELAIS_CALL_CONNECTED);
  delivered = far_end_got_media (kiosk, TRUE);
  if (silent)
    g_assert_false (delivered);

  finish_call (f, id);
  facts = last_row (f);
  g_assert_cmpint (facts->media_flowed, ==, delivered);

  relais_session_record_set_call (f->record, NULL);
  relais_test_call_pair_free (pair);
}

static void
test_far_end_got_media (Fixture       *f,
                        gconstpointer  data)
{
  far_end (f, FALSE);
}

static void
test_far_end_heard_nothing (Fixture       *f,
                          gconstpointer  data)
{
  far_end (f, TRUE);
}

/* The person stops waiting in the lobby before an advisor came: no call,
 * not a failed one. */
static void
test_wait_given_up (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RelaisSessionFacts) facts = NULL;
  gint64 id;

  id = start_call (f, "aides-logement");
  relais_session_record_note_wait_given_up (f->record);
  finish_call (f, id);
  facts = last_row (f);
  g_assert_cmpstr (facts->outcome, ==, RELAIS_OUTCOME_NO_CALL);
  g_assert_false (facts->call_attempted);
  g_assert_false (facts->media_flowed);
  g_assert_false (facts->reconnected);
  handle (f, RELAIS_SESSION_EVENT_SURVEY_DONE, RELAIS_SESSION_ATTRACT);
}

/* Absent and cancelled tickets: a row each, at once, no call; an outcome
 * given with nobody at the booth fails. */
static void
test_released (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RelaisSessionFacts) facts = NULL;
  g_autoptr(RelaisTicket) waiting = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  g_assert_false (relais_session_record_set_outcome (f->record, "resolved", &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
  g_clear_error (&error);

  /* Called, then marked absent from the desk. */
  id = call_walk_in (f, "rsa");
  handle (f, RELAIS_SESSION_EVENT_AGENT_REQUEST, RELAIS_SESSION_UNLOCKING);
  handle (f, RELAIS_SESSION_EVENT_UNLOCKED, RELAIS_SESSION_DESK);
  g_assert_true (relais_queue_mark_absent (f->queue, id, &error));
  g_assert_no_error (error);
  relais_session_record_ticket_ended (f->record, id);
  handle (f, RELAIS_SESSION_EVENT_TICKET_RELEASED, RELAIS_SESSION_DESK);
  facts = last_row (f);
  g_assert_cmpstr (facts->outcome, ==, RELAIS_OUTCOME_ABSENT);
  g_assert_false (facts->call_attempted);
  g_assert_cmpint (facts->wait_seconds, >=, 0);

  waiting = relais_queue_add (f->queue, 'C', "caf", "aides-logement", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (relais_queue_cancel (f->queue, relais_ticket_get_id (waiting), &error));
  g_assert_no_error (error);
  relais_session_record_ticket_ended (f->record, relais_ticket_get_id (waiting));
  g_clear_pointer (&facts, relais_session_facts_free);
  facts = last_row (f);
  g_assert_cmpstr (facts->outcome, ==, RELAIS_OUTCOME_CANCELLED);
  g_assert_cmpint (facts->wait_seconds, ==, -1);
  g_assert_cmpstr (facts->subservice_id, ==, "aides-logement");
  /* No upload-url: nothing queued. */
  g_assert_null (relais_session_record_get_outbox (f->record));
  g_assert_cmpint (count_uploads (f), ==, 0);
}

/* The context makes the record of its session, and drops it with it. */
static void
test_context (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  RelaisContext *context;
  RelaisSessionRecord *record;

  relais_test_store_dir ("relais-session-record-XXXXXX", &dir, &store_path);
  data = g_strdup_printf ("[kiosk]\nstore-path=%s\n", store_path);
  config = relais_config_new_from_data (data, "/etc/relais/kiosk.conf", &error);
  g_assert_no_error (error);
  context = relais_context_new (config, &error);
  g_assert_no_error (error);

  record = relais_context_get_session_record (context);
  g_assert_true (RELAIS_IS_SESSION_RECORD (record));
  g_assert_null (relais_session_record_get_outbox (record));
  g_assert_cmpuint (relais_session_record_get_survey_remaining (record), ==,
                    RELAIS_SESSION_RECORD_SURVEY_SECONDS);
  g_object_add_weak_pointer (G_OBJECT (record), (gpointer *) &record);

  g_assert_finalize_object (context);
  g_assert_null (record);
  relais_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/session-record/row-and-outbox", Fixture, UPLOAD_CONFIG,
              setup, test_row_and_outbox, teardown);
  g_test_add ("/session-record/survey-countdown", Fixture, NULL,
              setup, test_survey_countdown, teardown);
  g_test_add ("/session-record/far-end-got-media", Fixture, NULL,
              setup, test_far_end_got_media, teardown);
  g_test_add ("/session-record/far-end-heard-nothing", Fixture, NULL,
              setup, test_far_end_heard_nothing, teardown);
  g_test_add ("/session-record/wait-given-up", Fixture, NULL,
              setup, test_wait_given_up, teardown);
  g_test_add ("/session-record/released", Fixture, NULL,
              setup, test_released, teardown);
  g_test_add_func ("/session-record/context", test_context);

  return g_test_run ();
}
