/* relais-session-record.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-session-record"

#include "config.h"

#include "relais-session-record.h"
#include "relais-error.h"
#include "relais-figures.h"
#include "relais-http-client.h"

struct _RelaisSessionRecord
{
  GObject             parent_instance;

  RelaisConfig       *config;
  RelaisStore        *store;
  RelaisQueue        *queue;
  RelaisSession      *session;
  RelaisSessionState  last_state;

  /* The call of the person at the booth, and its measures while it
   * lasts. */
  RelaisCall         *call;
  gint64              ticket_id;        /* whose call is measured; 0: none */
  gint64              started_us;       /* entered the call (monotonic) */
  gint64              taken_us;         /* through the lobby: an advisor took the person */
  gint64              setup_from_us;    /* the set-up's start: entering the call,
                                         * or through the lobby the advisor's take */
  gint64              first_frame_us;   /* first CONNECTED: a remote picture */
  gint64              ended_us;
  gboolean            reconnected;
  /* The far end said it got the person's sound and picture (RTCP), in
   * this call or a call before a reconnection. */
  gboolean            delivered;
  double              fps_sum;
  guint               fps_samples;
  gint64              lost_base;        /* packets lost by calls replaced */
  gint64              lost_last;
  gboolean            watched;          /* a call was watched for this ticket */
  guint               sample_id;
  gboolean            wait_given_up;    /* the person stopped waiting in the lobby */
  char               *advisor_outcome;

  char               *survey_session_id; /* the row the survey completes */
  char               *last_session_id;   /* the last row written */
  guint               survey_id;
  guint               survey_seconds;
  guint               survey_remaining;

  RelaisHttpClient   *upload_http;
  RelaisOutbox       *outbox;
};

G_DEFINE_FINAL_TYPE (RelaisSessionRecord, relais_session_record, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CALL,
  PROP_SURVEY_REMAINING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gint64
now_unix (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
set_survey_remaining (RelaisSessionRecord *self,
                      guint                seconds)
{
  if (self->survey_remaining == seconds)
    return;

  self->survey_remaining = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SURVEY_REMAINING]);
}

static void
call_state_cb (RelaisCall          *call,
               GParamSpec          *pspec,
               RelaisSessionRecord *self)
{
  switch (relais_call_get_state (call))
    {
    case RELAIS_CALL_CONNECTED:
      if (self->first_frame_us == 0)
        {
          self->first_frame_us = g_get_monotonic_time ();
          /* Waiting in the lobby for an advisor is no set-up: through the
           * lobby the set-up starts when an advisor takes the person. */
          self->setup_from_us = self->taken_us > self->started_us ? self->taken_us : self->started_us;
          g_debug ("Call set up in %" G_GINT64_FORMAT " ms",
                   (self->first_frame_us - self->setup_from_us) / 1000);
        }
      break;
    case RELAIS_CALL_RECONNECTING:
      self->reconnected = TRUE;
      break;
    default:
      break;
    }
}

static gboolean
measuring (RelaisSessionRecord *self)
{
  return self->ticket_id != 0 && self->ended_us == 0;
}

static void
watch_call (RelaisSessionRecord *self)
{
  if (self->call == NULL)
    return;

  self->watched = TRUE;
  g_signal_connect (self->call, "notify::state", G_CALLBACK (call_state_cb), self);
  /* A call handed over connected already is connected. */
  if (measuring (self) && relais_call_get_state (self->call) == RELAIS_CALL_CONNECTED)
    call_state_cb (self->call, NULL, self);
}

static void
unwatch_call (RelaisSessionRecord *self)
{
  if (self->call != NULL)
    g_signal_handlers_disconnect_by_func (self->call, call_state_cb, self);
}

static void
sample (RelaisSessionRecord *self)
{
  RelaisCallStats stats;

  if (self->call == NULL)
    return;
  relais_call_get_stats (self->call, &stats);
  /* What the advisor got, whatever the kiosk shows of them, and whatever
   * the call's state: the last report counts even as the call ends (an
   * ASan fresh root hung up between two samples once). */
  if (relais_call_stats_media_delivered (&stats))
    self->delivered = TRUE;
  if (relais_call_get_state (self->call) != RELAIS_CALL_CONNECTED)
    return;
  /* The call's statistics cover the second before they were taken: the
   * first one after the picture came would count the set-up as 0 fps. */
  if (self->first_frame_us != 0 && g_get_monotonic_time () - self->first_frame_us >= 1500000)
    {
      self->fps_sum += stats.fps_in;
      self->fps_samples++;
      self->lost_last = MAX (stats.packets_lost, 0);
    }
}

static gboolean
sample_cb (gpointer user_data)
{
  sample (user_data);
  return G_SOURCE_CONTINUE;
}

static void
reset_call (RelaisSessionRecord *self)
{
  g_clear_handle_id (&self->sample_id, g_source_remove);
  unwatch_call (self);
  g_clear_pointer (&self->advisor_outcome, g_free);
  self->ticket_id = 0;
  self->started_us = self->taken_us = self->setup_from_us = self->first_frame_us = self->ended_us = 0;
  self->reconnected = FALSE;
  self->delivered = FALSE;
  self->wait_given_up = FALSE;
  self->watched = FALSE;
  self->fps_sum = 0;
  self->fps_samples = 0;
  self->lost_base = self->lost_last = 0;
}

static void
call_started (RelaisSessionRecord *self)
{
  RelaisTicket *current = relais_queue_get_current (self->queue);

  if (current == NULL || self->ticket_id == relais_ticket_get_id (current))
    return;

  reset_call (self);
  self->ticket_id = relais_ticket_get_id (current);
  self->started_us = g_get_monotonic_time ();
  watch_call (self);
  self->sample_id = g_timeout_add_seconds (1, sample_cb, self);
}

static void
call_finished (RelaisSessionRecord *self)
{
  if (!measuring (self))
    return;

  sample (self);
  self->ended_us = g_get_monotonic_time ();
  g_clear_handle_id (&self->sample_id, g_source_remove);
}

static void
upload (RelaisSessionRecord *self,
        const char          *session_id)
{
  g_autoptr(RelaisSessionFacts) facts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  if (self->outbox == NULL || session_id == NULL)
    return;

  facts = relais_store_get_session_facts (self->store, session_id, &error);
  if (facts == NULL)
    {
      g_warning ("Session record not found for upload: %s", error->message);
      return;
    }

  json = relais_session_facts_to_json (facts, relais_config_get_site_name (self->config));
  if (!relais_outbox_queue (self->outbox, facts->session_id, json, &error))
    g_warning ("Session record not queued for upload: %s", error->message);
}

static gboolean
survey_tick_cb (gpointer user_data)
{
  RelaisSessionRecord *self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->survey_remaining > 0)
    set_survey_remaining (self, self->survey_remaining - 1);

  if (self->survey_remaining > 0)
    return G_SOURCE_CONTINUE;

  g_debug ("Survey unanswered");
  self->survey_id = 0;
  if (!relais_session_handle (self->session, RELAIS_SESSION_EVENT_SURVEY_DONE, &error))
    g_warning ("%s", error->message);
  return G_SOURCE_REMOVE;
}

/* Follows the session's state: the call's start and end, and the
 * survey's seconds. */
static void
session_state_cb (RelaisSessionRecord *self)
{
  RelaisSessionState state = relais_session_get_state (self->session);
  RelaisSessionState previous = self->last_state;

  self->last_state = state;

  if (state == RELAIS_SESSION_IN_CALL)
    call_started (self);
  else if (previous == RELAIS_SESSION_IN_CALL
           && (state == RELAIS_SESSION_CALL_ENDED || state == RELAIS_SESSION_ATTRACT))
    call_finished (self);

  if (state == RELAIS_SESSION_SURVEY && previous != RELAIS_SESSION_SURVEY)
    {
      set_survey_remaining (self, self->survey_seconds);
      g_clear_handle_id (&self->survey_id, g_source_remove);
      self->survey_id = g_timeout_add_seconds (1, survey_tick_cb, self);
    }
  else if (previous == RELAIS_SESSION_SURVEY && state != RELAIS_SESSION_SURVEY)
    {
      g_autofree char *session_id = g_steal_pointer (&self->survey_session_id);

      g_clear_handle_id (&self->survey_id, g_source_remove);
      upload (self, session_id);
    }
}

static void
relais_session_record_dispose (GObject *object)
{
  RelaisSessionRecord *self = (RelaisSessionRecord *)object;

  reset_call (self);
  g_clear_object (&self->call);
  g_clear_handle_id (&self->survey_id, g_source_remove);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  /* Its request in flight holds it: stop it now. */
  if (self->outbox != NULL)
    g_object_run_dispose (G_OBJECT (self->outbox));
  g_clear_object (&self->outbox);
  g_clear_object (&self->upload_http);
  g_clear_object (&self->session);
  g_clear_object (&self->queue);
  g_clear_object (&self->store);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (relais_session_record_parent_class)->dispose (object);
}

static void
relais_session_record_finalize (GObject *object)
{
  RelaisSessionRecord *self = (RelaisSessionRecord *)object;

  g_free (self->advisor_outcome);
  g_free (self->survey_session_id);
  g_free (self->last_session_id);

  G_OBJECT_CLASS (relais_session_record_parent_class)->finalize (object);
}

static void
relais_session_record_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  RelaisSessionRecord *self = RELAIS_SESSION_RECORD (object);

  switch (prop_id)
    {
    case PROP_CALL:
      g_value_set_object (value, self->call);
      break;

    case PROP_SURVEY_REMAINING:
      g_value_set_uint (value, self->survey_remaining);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_session_record_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  RelaisSessionRecord *self = RELAIS_SESSION_RECORD (object);

  switch (prop_id)
    {
    case PROP_CALL:
      relais_session_record_set_call (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_session_record_class_init (RelaisSessionRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_session_record_dispose;
  object_class->finalize = relais_session_record_finalize;
  object_class->get_property = relais_session_record_get_property;
  object_class->set_property = relais_session_record_set_property;

  properties[PROP_CALL] =
    g_param_spec_object ("call", NULL, NULL,
                         RELAIS_TYPE_CALL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SURVEY_REMAINING] =
    g_param_spec_uint ("survey-remaining", NULL, NULL,
                       0, G_MAXUINT, RELAIS_SESSION_RECORD_SURVEY_SECONDS,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
relais_session_record_init (RelaisSessionRecord *self)
{
  self->survey_seconds = RELAIS_SESSION_RECORD_SURVEY_SECONDS;
  self->survey_remaining = RELAIS_SESSION_RECORD_SURVEY_SECONDS;
}

RelaisSessionRecord *
relais_session_record_new (RelaisConfig  *config,
                           RelaisStore   *store,
                           RelaisQueue   *queue,
                           RelaisSession *session)
{
  RelaisSessionRecord *self;
  const char *url;

  g_return_val_if_fail (RELAIS_IS_CONFIG (config), NULL);
  g_return_val_if_fail (RELAIS_IS_STORE (store), NULL);
  g_return_val_if_fail (RELAIS_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (RELAIS_IS_SESSION (session), NULL);

  self = g_object_new (RELAIS_TYPE_SESSION_RECORD, NULL);
  self->config = g_object_ref (config);
  self->store = g_object_ref (store);
  self->queue = g_object_ref (queue);
  self->session = g_object_ref (session);
  self->last_state = relais_session_get_state (session);
  g_signal_connect_swapped (session, "notify::state", G_CALLBACK (session_state_cb), self);

  url = relais_config_get_upload_url (config);
  if (url != NULL)
    {
      /* Its own client with the system's CAs: the [gateway] ca-file is the
       * gateway's, not the department's figures server's. */
      self->upload_http = relais_http_client_new ();
      self->outbox = relais_outbox_new (store, self->upload_http, url,
                                        relais_config_get_upload_token (config));
      /* Whatever waited through a restart or an offline spell. */
      relais_outbox_flush (self->outbox);
    }

  return self;
}

RelaisCall *
relais_session_record_get_call (RelaisSessionRecord *self)
{
  g_return_val_if_fail (RELAIS_IS_SESSION_RECORD (self), NULL);

  return self->call;
}

void
relais_session_record_set_call (RelaisSessionRecord *self,
                                RelaisCall          *call)
{
  g_return_if_fail (RELAIS_IS_SESSION_RECORD (self));
  g_return_if_fail (call == NULL || RELAIS_IS_CALL (call));

  if (self->call == call)
    return;

  /* The call going away: what its far end reported last still counts. */
  if (measuring (self))
    sample (self);
  unwatch_call (self);
  if (measuring (self))
    {
      if (self->watched && call != NULL)
        {
          /* A fresh call in a call taken: the gateway came back, the link
           * dropped. Before the take it may also be the person moved to a
           * fresh room (a possible listener left the old one): no drop;
           * a gateway lost while waiting says so by "link-lost". */
          if (self->taken_us != 0)
            self->reconnected = TRUE;
          self->lost_base += self->lost_last;
          self->lost_last = 0;
        }
    }

  g_set_object (&self->call, call);
  if (measuring (self))
    watch_call (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL]);
}

guint
relais_session_record_get_survey_remaining (RelaisSessionRecord *self)
{
  g_return_val_if_fail (RELAIS_IS_SESSION_RECORD (self), 0);

  return self->survey_remaining;
}

void
relais_session_record_set_survey_seconds (RelaisSessionRecord *self,
                                          guint                seconds)
{
  g_return_if_fail (RELAIS_IS_SESSION_RECORD (self));
  g_return_if_fail (seconds > 0);

  self->survey_seconds = seconds;
}

void
relais_session_record_note_advisor_taken (RelaisSessionRecord *self)
{
  g_return_if_fail (RELAIS_IS_SESSION_RECORD (self));

  if (measuring (self))
    self->taken_us = g_get_monotonic_time ();
}

void
relais_session_record_note_link_lost (RelaisSessionRecord *self)
{
  g_return_if_fail (RELAIS_IS_SESSION_RECORD (self));

  if (measuring (self))
    self->reconnected = TRUE;
}

void
relais_session_record_note_wait_given_up (RelaisSessionRecord *self)
{
  g_return_if_fail (RELAIS_IS_SESSION_RECORD (self));

  self->wait_given_up = TRUE;
}

gboolean
relais_session_record_set_outcome (RelaisSessionRecord  *self,
                                   const char           *outcome,
                                   GError              **error)
{
  RelaisTicket *current;

  g_return_val_if_fail (RELAIS_IS_SESSION_RECORD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!relais_outcome_is_advisor (outcome))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   "Unknown outcome (expected resolved, follow-up, redirected or technical-failure)");
      return FALSE;
    }

  /* During the call: kept until the ticket ends. */
  current = relais_queue_get_current (self->queue);
  if (current != NULL && self->ticket_id == relais_ticket_get_id (current))
    {
      g_free (self->advisor_outcome);
      self->advisor_outcome = g_strdup (outcome);
      return TRUE;
    }

  /* Just after: the row is written already (the person touched
   * "Terminer" before the advisor chose). */
  if (self->last_session_id != NULL)
    return relais_store_set_session_outcome (self->store, self->last_session_id, outcome, error);

  g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED, "No session to give an outcome to");
  return FALSE;
}

void
relais_session_record_ticket_ended (RelaisSessionRecord *self,
                                    gint64               ticket_id)
{
  g_autoptr(RelaisTicket) ticket = NULL;
  g_autoptr(RelaisSessionFacts) facts = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now_us = g_get_monotonic_time ();
  gboolean measured;

  g_return_if_fail (RELAIS_IS_SESSION_RECORD (self));

  /* The ended ticket keeps its service and times, never a name. */
  ticket = relais_store_get_ticket (self->store, ticket_id, &error);
  if (ticket == NULL)
    {
      g_warning ("No figures for ticket %" G_GINT64_FORMAT ": %s", ticket_id, error->message);
      return;
    }

  facts = relais_session_facts_new ();
  facts->session_id = relais_session_facts_new_id ();
  facts->service_id = g_strdup (relais_ticket_get_service_id (ticket));
  facts->subservice_id = g_strdup (relais_ticket_get_subservice_id (ticket));
  facts->created_at = relais_ticket_get_created_at (ticket);
  facts->ended_at = now_unix ();
  if (relais_ticket_get_called_at (ticket) > 0)
    facts->wait_seconds = MAX (relais_ticket_get_called_at (ticket) - facts->created_at, 0);

  measured = self->ticket_id == ticket_id;
  if (measured)
    {
      gint64 end_us = self->ended_us != 0 ? self->ended_us : now_us;

      if (self->ended_us == 0)
        sample (self);
      /* Waiting in the lobby and giving up before an advisor came is no
       * call: it counts as "no-call", not as a call that failed. */
      facts->call_attempted = !self->wait_given_up || self->first_frame_us != 0;
      /* The advisor saw and heard the person: what the far end reported,
       * not what the kiosk sent or showed (issue 10, item 4). */
      facts->media_flowed = self->delivered;
      facts->reconnected = self->reconnected;
      if (self->first_frame_us != 0)
        {
          facts->setup_ms = (self->first_frame_us - self->setup_from_us) / 1000;
          facts->call_seconds = (end_us - self->first_frame_us) / G_USEC_PER_SEC;
          facts->packets_lost = self->lost_base + self->lost_last;
        }
      if (self->fps_samples > 0)
        facts->fps_in = self->fps_sum / self->fps_samples;
    }

  facts->outcome = g_strdup (relais_session_outcome (relais_ticket_state_to_string (relais_ticket_get_state (ticket)),
                                                     facts->call_attempted,
                                                     measured ? self->advisor_outcome : NULL));
  if (measured)
    reset_call (self);

  if (!relais_store_add_session_facts (self->store, facts, &error))
    {
      g_warning ("Session figures not recorded: %s", error->message);
      return;
    }
  g_debug ("Session recorded (%s)", facts->outcome != NULL ? facts->outcome : "no outcome given");

  g_free (self->last_session_id);
  self->last_session_id = g_strdup (facts->session_id);

  /* After a call the person is asked the survey: the upload waits for
   * their answer (or its time-out). */
  if (relais_session_get_state (self->session) == RELAIS_SESSION_CALL_ENDED)
    {
      g_free (self->survey_session_id);
      self->survey_session_id = g_strdup (facts->session_id);
    }
  else
    upload (self, facts->session_id);
}

gboolean
relais_session_record_answer_survey (RelaisSessionRecord  *self,
                                     int                   answer,
                                     GError              **error)
{
  g_return_val_if_fail (RELAIS_IS_SESSION_RECORD (self), FALSE);
  g_return_val_if_fail (answer >= RELAIS_SURVEY_MIN && answer <= RELAIS_SURVEY_MAX, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->survey_session_id == NULL)
    return TRUE;

  if (!relais_store_set_session_survey (self->store, self->survey_session_id, answer, error))
    return FALSE;

  g_debug ("Survey answered: %d", answer);
  return TRUE;
}

const char *
relais_session_record_get_last_session_id (RelaisSessionRecord *self)
{
  g_return_val_if_fail (RELAIS_IS_SESSION_RECORD (self), NULL);

  return self->last_session_id;
}

RelaisOutbox *
relais_session_record_get_outbox (RelaisSessionRecord *self)
{
  g_return_val_if_fail (RELAIS_IS_SESSION_RECORD (self), NULL);

  return self->outbox;
}
