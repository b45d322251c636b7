/* relais-application.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-application"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "relais-application.h"
#include "relais-session-dir.h"
#include "relais-camera-still.h"
#include "relais-document.h"
#include "relais-scanner.h"
#include "relais-transfer.h"
#include "relais-call.h"
#include "relais-error.h"
#include "relais-figures.h"
#include "relais-http-client.h"
#include "relais-printer.h"
#include "relais-outbox.h"
#include "relais-resources.h"
#include "relais-window.h"

#define IDLE_CHECK_SECONDS 5
/* How far back the estimated waits look. */
#define WAIT_FIGURES_DAYS 14


#define SURVEY_SECONDS 30

/* The figures of the person at the booth (see relais-figures.h): their
 * call's measures, gathered while it lasts, then one anonymous row when
 * their ticket ends. */
typedef struct
{
  gint64        ticket_id;        /* whose call is measured; 0: none */
  gint64        started_us;       /* entered the call (monotonic) */
  gint64        setup_from_us;    /* the set-up's start: entering the call,
                                   * or through the lobby the advisor's take */
  gint64        first_frame_us;   /* first CONNECTED: a remote picture */
  gint64        ended_us;
  gboolean      reconnected;
  double        fps_sum;
  guint         fps_samples;
  gint64        lost_base;        /* packets lost by calls replaced */
  gint64        lost_last;
  RelaisCall   *call;             /* weak: the call being watched */
  gboolean      watched;          /* a call was watched for this ticket */
  guint         sample_id;
  gboolean      wait_given_up;    /* the person stopped waiting in the lobby */
  char         *advisor_outcome;

  char         *survey_session_id; /* the row the survey completes */
  char         *last_session_id;   /* the last row written */
  guint         survey_id;
  guint         survey_remaining;
  RelaisSessionState last_state;

  RelaisHttpClient *upload_http;
  RelaisOutbox     *outbox;
} FiguresState;

/* The printing and documents work keep their state in structs of their
 * own, defined with their code below. */
typedef struct Printing Printing;
typedef struct Documents Documents;

struct _RelaisApplication
{
  GtkApplication   parent_instance;

  RelaisConfig    *config;
  RelaisContext   *context;
  RelaisSession   *session;
  RelaisWindow    *window;
  GCancellable    *cancellable;

  /* The person at the booth and their call (the context's), and that
   * call as booth:call last said (weak), which the dossier and figures
   * code follow. */
  RelaisBooth       *booth;
  RelaisCall        *call;

  FiguresState     figures;

  Printing        *printing;       /* what the advisor sent to print */
  Documents       *documents;      /* the scan page and the transfer */

  gint64           last_activity;  /* monotonic µs */
  guint            idle_id;
  int              exit_status;
};

G_DEFINE_FINAL_TYPE (RelaisApplication, relais_application, GTK_TYPE_APPLICATION)

/* Stops what *@cancellable guards (if anything) and lets it go. */
static void
cancel_and_clear (GCancellable **cancellable)
{
  g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
}

static const char *
page_for_state (RelaisSessionState state)
{
  switch (state)
    {
    case RELAIS_SESSION_ATTRACT: return "attract";
    case RELAIS_SESSION_UNLOCKING: return "unlock";
    case RELAIS_SESSION_DESK: return "desk";
    case RELAIS_SESSION_YOUR_TURN: return "your-turn";
    case RELAIS_SESSION_PRECALL: return "precall";
    case RELAIS_SESSION_IN_CALL: return "call";
    case RELAIS_SESSION_CALL_ENDED: return "call-ended";
    case RELAIS_SESSION_SURVEY: return "survey";
    default: g_assert_not_reached ();
    }
}

/* RELAIS_TEST_TRACE=1: what the screen says, one line on stderr each time
 * it changes (the page, the notices, the call's status line, the first
 * remote frame), for the integration tests and the benchmark. Never a
 * name, a note or a chat line: none of those go through here. */
static void
trace (const char *what,
       const char *text)
{
  static int enabled = -1;

  if (enabled < 0)
    enabled = g_strcmp0 (g_getenv ("RELAIS_TEST_TRACE"), "1") == 0;
  if (!enabled)
    return;
  fprintf (stderr, "relais-trace: %s: %s\n", what, text != NULL ? text : "");
  fflush (stderr);
}

static void
notice (RelaisApplication *self,
        const char        *message,
        gboolean           is_error)
{
  trace (is_error ? "notice-error" : "notice", message);
  if (self->window != NULL)
    relais_window_show_notice (self->window, message, is_error);
}

static void
notice_error (RelaisApplication *self,
              const GError      *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  notice (self, error->message, TRUE);
}

static void
set_action_enabled (RelaisApplication *self,
                    const char        *name,
                    gboolean           enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void documents_update_actions (RelaisApplication  *self,
                                      RelaisSessionState  state);
static void documents_open           (RelaisApplication  *self);
static void documents_session_over   (RelaisApplication  *self);
static void documents_connect_page   (RelaisApplication  *self);
static void figures_update_actions (RelaisApplication *self,
                                    RelaisSessionState  state);
static void presence_update_actions (RelaisApplication  *self,
                                     RelaisSessionState  state,
                                     gboolean            booth_free);

static void
update_actions (RelaisApplication *self)
{
  RelaisSessionState state = relais_session_get_state (self->session);
  gboolean desk = state == RELAIS_SESSION_DESK;
  gboolean has_current = relais_queue_get_current (relais_context_get_queue (self->context)) != NULL;
  static const char *desk_actions[] = {
    "new-ticket", "call-ticket", "mark-absent", "cancel-ticket", "move-ticket", "quit",
  };

  for (guint i = 0; i < G_N_ELEMENTS (desk_actions); i++)
    set_action_enabled (self, desk_actions[i], desk);

  set_action_enabled (self, "call-next", desk && !has_current);
  set_action_enabled (self, "agent",
                      relais_session_can_handle (self->session, RELAIS_SESSION_EVENT_AGENT_REQUEST));
  set_action_enabled (self, "lock",
                      relais_session_can_handle (self->session, RELAIS_SESSION_EVENT_LOCK));
  set_action_enabled (self, "start-session", state == RELAIS_SESSION_YOUR_TURN);
  set_action_enabled (self, "finish-session",
                      has_current && (desk
                                      || state == RELAIS_SESSION_PRECALL
                                      || state == RELAIS_SESSION_IN_CALL
                                      || state == RELAIS_SESSION_CALL_ENDED));
  set_action_enabled (self, "start-call",
                      state == RELAIS_SESSION_PRECALL && self->call != NULL
                      && relais_call_get_state (self->call) == RELAIS_CALL_PREVIEW);
  set_action_enabled (self, "hang-up", state == RELAIS_SESSION_IN_CALL);
  set_action_enabled (self, "toggle-mute", state == RELAIS_SESSION_IN_CALL && self->call != NULL);
  set_action_enabled (self, "toggle-camera", state == RELAIS_SESSION_IN_CALL && self->call != NULL);
  set_action_enabled (self, "send-chat", state == RELAIS_SESSION_IN_CALL && self->call != NULL);
  figures_update_actions (self, state);
  presence_update_actions (self, state, desk && !has_current);
  documents_update_actions (self, state);
}

/* The call
 *
 * RelaisBooth (relais_context_get_booth) owns the person's call and the
 * way to the advisor; the pages watch it. The application prepares and
 * drops it as the session moves, and turns what it says into session
 * events and notices. */

static gboolean handle (RelaisApplication *self, RelaisSessionEvent event);
static void     figures_ticket_ended (RelaisApplication *self, gint64 ticket_id);

static gboolean
person_in_call (RelaisApplication *self)
{
  RelaisTicket *current = relais_queue_get_current (relais_context_get_queue (self->context));

  return current != NULL && relais_ticket_get_state (current) == RELAIS_TICKET_IN_CALL;
}

/* booth:call, made for the pre-call check or replaced when the gateway
 * came back: the dossier and figures code follow self->call. */
static void
booth_call_cb (RelaisApplication *self)
{
  RelaisCall *call = relais_booth_get_call (self->booth);

  /* Everything of the application's own on a call it no longer follows
   * goes with it (the figures' watch too). */
  if (self->call != NULL && self->call != call)
    g_signal_handlers_disconnect_by_data (self->call, self);
  g_set_weak_pointer (&self->call, call);
  update_actions (self);
}

/* After the pages: what the call page's status line says now. */
static void
booth_status_cb (RelaisApplication *self)
{
  if (self->window != NULL && self->call != NULL)
    trace ("call-status", relais_call_page_get_status_text (relais_window_get_call_page (self->window)));
  update_actions (self);
}

static void
booth_check_cb (RelaisApplication *self)
{
  RelaisBoothCheck check = relais_booth_get_check (self->booth);

  if (check == RELAIS_BOOTH_CHECK_OK || check == RELAIS_BOOTH_CHECK_WARNING)
    trace ("precall-network", relais_booth_get_check_text (self->booth));
}

static void
booth_first_frame_cb (RelaisApplication *self,
                      gint64             since_join_us)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT " ms after the join request",
                                           since_join_us >= 0 ? since_join_us / 1000 : -1);

  trace ("first-remote-frame", text);
}

static void
booth_notice_cb (RelaisApplication *self,
                 const char        *message,
                 gboolean           is_error)
{
  notice (self, message, is_error);
}

static void
booth_mute_cb (RelaisApplication *self)
{
  GAction *mute = g_action_map_lookup_action (G_ACTION_MAP (self), "toggle-mute");
  GAction *camera = g_action_map_lookup_action (G_ACTION_MAP (self), "toggle-camera");

  g_simple_action_set_state (G_SIMPLE_ACTION (mute),
                             g_variant_new_boolean (relais_booth_get_muted (self->booth)));
  g_simple_action_set_state (G_SIMPLE_ACTION (camera),
                             g_variant_new_boolean (relais_booth_get_camera_off (self->booth)));
}

static void
booth_remote_left_cb (RelaisApplication *self)
{
  /* The other side hung up. In the call, say so; with the agent at the
   * desk, drop an ended call: locking returns to the call page, which
   * finds no call and moves on to "the call is over". */
  if (relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
  else if (self->call != NULL && relais_call_get_state (self->call) == RELAIS_CALL_ENDED)
    relais_booth_drop (self->booth);
}

static void session_record_outcome (RelaisApplication *self,
                                    const char        *outcome);

static void
booth_outcome_cb (RelaisApplication *self,
                  const char        *outcome)
{
  session_record_outcome (self, outcome);
  if (relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
}

static void
booth_document_asked_cb (RelaisApplication *self)
{
  if (relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    {
      documents_open (self);
      notice (self, _("Votre conseiller vous demande un document."), FALSE);
    }
}

static void presence_sync_page (RelaisApplication *self);

static void
booth_waiting_cb (RelaisApplication *self)
{
  /* Taken by an advisor (or the wait failed): the call page. */
  if (self->window != NULL && !relais_booth_get_waiting (self->booth)
      && relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    relais_window_set_page (self->window, "call");
  presence_sync_page (self);
  update_actions (self);
}

static void
booth_connect (RelaisApplication *self)
{
  static const struct {
    const char *signal;
    GCallback   callback;
    GConnectFlags flags;
  } handlers[] = {
    { "notify::call", G_CALLBACK (booth_call_cb), 0 },
    { "notify::call-state", G_CALLBACK (booth_status_cb), G_CONNECT_AFTER },
    { "notify::status-text", G_CALLBACK (booth_status_cb), G_CONNECT_AFTER },
    { "notify::check", G_CALLBACK (booth_check_cb), 0 },
    { "notify::muted", G_CALLBACK (booth_mute_cb), 0 },
    { "notify::camera-off", G_CALLBACK (booth_mute_cb), 0 },
    { "notify::waiting", G_CALLBACK (booth_waiting_cb), 0 },
    { "first-remote-frame", G_CALLBACK (booth_first_frame_cb), 0 },
    { "notice", G_CALLBACK (booth_notice_cb), 0 },
    { "remote-left", G_CALLBACK (booth_remote_left_cb), 0 },
    { "outcome", G_CALLBACK (booth_outcome_cb), 0 },
    { "document-asked", G_CALLBACK (booth_document_asked_cb), 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    g_signal_connect_object (self->booth, handlers[i].signal, handlers[i].callback, self,
                             handlers[i].flags | G_CONNECT_SWAPPED);
}

/* Makes the media match the screen: the call exists while a person is at
 * the booth before or during their call (the pages show its pictures). */
static void
sync_call (RelaisApplication *self)
{
  RelaisSessionState state = relais_session_get_state (self->session);

  if (self->window == NULL)
    return;

  if (!person_in_call (self))
    {
      relais_booth_drop (self->booth);
      return;
    }

  switch (state)
    {
    case RELAIS_SESSION_PRECALL:
      relais_booth_prepare (self->booth);
      break;

    case RELAIS_SESSION_IN_CALL:
      if (self->call == NULL || relais_call_get_state (self->call) == RELAIS_CALL_ENDED)
        {
          /* After the agent's visit the call is gone: it is over. */
          handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
          return;
        }
      break;

    case RELAIS_SESSION_CALL_ENDED:
      relais_booth_drop (self->booth);
      break;

    default:
      /* The agent at the desk: the call goes on behind. */
      break;
    }
}

/* ---- how long the others wait ------------------------------------------ */

/* The attract screen's estimated waits come from the booth times of the
 * last 14 days; the page itself never reads the store. */
static void
update_wait_figures (RelaisApplication *self)
{
  RelaisStore *store = relais_context_get_store (self->context);
  gint64 since = g_get_real_time () / G_USEC_PER_SEC - WAIT_FIGURES_DAYS * 24 * 3600;
  g_autoptr(GArray) durations = NULL;
  g_autoptr(GError) error = NULL;
  gint64 per_person = RELAIS_TURN_DEFAULT_SECONDS_PER_PERSON;

  if (self->window == NULL)
    return;

  if ((durations = relais_store_list_recent_durations (store, since, &error)) != NULL)
    per_person = relais_turn_seconds_per_person ((const gint64 *)(gpointer)durations->data,
                                                 durations->len);
  else
    g_warning ("No recent figures for the estimated waits: %s", error->message);

  relais_attract_page_set_seconds_per_person (relais_window_get_attract_page (self->window),
                                              per_person);
}
static void presence_sync_page (RelaisApplication *self);

static void
session_state_cb (RelaisApplication *self)
{
  RelaisSessionState state = relais_session_get_state (self->session);

  self->last_activity = g_get_monotonic_time ();
  trace ("page", page_for_state (state));

  /* Back to the attract screen: nothing of the last person stays (scans,
   * documents, temporary files; issue 5, item 8). A session finished from
   * the desk gets here when the desk locks (2 minutes at most). */
  if (state == RELAIS_SESSION_ATTRACT)
    {
      documents_session_over (self);
      relais_session_dir_reset (NULL);
    }

  if (self->window != NULL)
    {
      relais_window_set_page (self->window, page_for_state (state));
      relais_window_set_can_close (self->window, state == RELAIS_SESSION_DESK);
      presence_sync_page (self);
    }

  if (state == RELAIS_SESSION_ATTRACT)
    update_wait_figures (self);

  update_actions (self);
  sync_call (self);
  /* sync_call may have moved the session on (and updated them); if not,
   * the call it made changes what can be done. */
  if (relais_session_get_state (self->session) == state)
    update_actions (self);
}

static gboolean
handle (RelaisApplication  *self,
        RelaisSessionEvent  event)
{
  g_autoptr(GError) error = NULL;

  if (!relais_session_handle (self->session, event, &error))
    {
      /* The actions are disabled where the table has no transition, so
       * this is a programming error, not the user's. */
      g_warning ("%s", error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
idle_check_cb (gpointer user_data)
{
  RelaisApplication *self = user_data;
  RelaisSessionState state = relais_session_get_state (self->session);
  guint limit = relais_config_get_idle_lock_seconds (self->config);
  gint64 idle = g_get_monotonic_time () - self->last_activity;

  if ((state == RELAIS_SESSION_DESK || state == RELAIS_SESSION_UNLOCKING)
      && idle >= (gint64) limit * G_USEC_PER_SEC)
    {
      g_debug ("Desk idle for %u s: locking", limit);
      handle (self, RELAIS_SESSION_EVENT_LOCK);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
activity_cb (GtkEventControllerLegacy *controller,
             GdkEvent                 *event,
             RelaisApplication        *self)
{
  switch (gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
    case GDK_KEY_PRESS:
    case GDK_TOUCH_BEGIN:
    case GDK_SCROLL:
      self->last_activity = g_get_monotonic_time ();
      break;

    default:
      break;
    }

  return GDK_EVENT_PROPAGATE;
}

/* ---- the presence work (common/PROTOCOL.md) ------------------------------
 * The desk shows which services have an advisor ready
 * (RelaisAdvisorPresence); "call now" takes a waiting ticket straight to
 * the pre-call check; with a lobby pin, starting the call means waiting in
 * the service's lobby until an advisor takes the person (the booth's
 * lobby link), with the camera already published in the person's own
 * session room. */

/* The advisor's console ended the call with an outcome ("resolved",
 * "follow-up", "redirected", "technical-failure"): it goes into the
 * person's anonymous session record (relais_application_record_outcome). */
static void
session_record_outcome (RelaisApplication *self,
                        const char        *outcome)
{
  g_autoptr(GError) error = NULL;

  /* Logged once known to be one of the four (never the network's text). */
  if (relais_application_record_outcome (self, outcome, &error))
    g_debug ("Call outcome: %s", outcome);
  else
    g_warning ("The call's outcome was not recorded: %s", error->message);
}

static void
presence_update_actions (RelaisApplication  *self,
                         RelaisSessionState  state,
                         gboolean            booth_free)
{
  set_action_enabled (self, "call-now", booth_free);
  set_action_enabled (self, "cancel-wait", state == RELAIS_SESSION_IN_CALL
                                           && relais_booth_get_waiting (self->booth));
}

static void
presence_sync_page (RelaisApplication *self)
{
  if (self->window != NULL && relais_booth_get_waiting (self->booth) &&
      relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    relais_window_set_page (self->window, "wait");
}

static void
presence_changed_cb (RelaisApplication *self)
{
  /* Advisors coming or going change who goes next (relais-turn.h): the
   * board's order and waits follow at once. */
  if (self->window != NULL)
    relais_attract_page_refresh (relais_window_get_attract_page (self->window));
}

static void after_call (RelaisApplication *self);

static void
call_now_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  RelaisQueue *queue = relais_context_get_queue (self->context);
  gint64 ticket_id = g_variant_get_int64 (parameter);
  g_autoptr(GError) error = NULL;

  /* The person is at the desk with the agent: called and at the booth in
   * one go, straight to the pre-call check. */
  if (!relais_queue_call (queue, ticket_id, &error))
    {
      notice_error (self, error);
      return;
    }
  relais_booth_mark_call_now (self->booth);
  after_call (self);
  if (!relais_queue_start (queue, ticket_id, &error))
    {
      notice_error (self, error);
      return;
    }
  handle (self, RELAIS_SESSION_EVENT_PERSON_PRESENT);
}

static void
cancel_wait_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  if (!relais_booth_get_waiting (self->booth))
    return;
  g_debug ("Waiting cancelled");
  self->figures.wait_given_up = TRUE;
  notice (self, _("L'attente est arrêtée."), FALSE);
  /* Entering CALL_ENDED drops the call, and the wait with it. */
  handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
}

/* Actions */

static void
agent_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  handle (RELAIS_APPLICATION (user_data), RELAIS_SESSION_EVENT_AGENT_REQUEST);
}

static void
verify_pin_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RelaisApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!relais_agent_lock_verify_finish (RELAIS_AGENT_LOCK (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_debug ("PIN refused");
      if (self->window != NULL)
        relais_window_set_unlock_feedback (self->window, error->message, FALSE);
      return;
    }

  if (self->window != NULL)
    relais_window_set_unlock_feedback (self->window, NULL, FALSE);

  if (relais_session_get_state (self->session) == RELAIS_SESSION_UNLOCKING)
    handle (self, RELAIS_SESSION_EVENT_UNLOCKED);
}

static void
unlock_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  RelaisAgentLock *lock = relais_context_get_agent_lock (self->context);
  const char *pin = g_variant_get_string (parameter, NULL);

  /* `gapplication action … unlock` may come while the attract screen is
   * shown: go through the PIN page as a tap on "agent space" would. */
  if (relais_session_get_state (self->session) != RELAIS_SESSION_UNLOCKING
      && !relais_session_can_handle (self->session, RELAIS_SESSION_EVENT_AGENT_REQUEST))
    return;
  if (relais_session_get_state (self->session) != RELAIS_SESSION_UNLOCKING)
    handle (self, RELAIS_SESSION_EVENT_AGENT_REQUEST);

  if (self->window != NULL)
    relais_window_set_unlock_feedback (self->window, _("Vérification du code…"), TRUE);

  relais_agent_lock_verify_async (lock, pin, self->cancellable,
                                  verify_pin_cb, g_object_ref (self));
}

static void
lock_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  handle (RELAIS_APPLICATION (user_data), RELAIS_SESSION_EVENT_LOCK);
}

static void
new_ticket_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  RelaisDirectory *directory = relais_context_get_directory (self->context);
  const RelaisSubservice *sub;
  const char *service_id;
  const char *subservice_id;
  const char *name;
  const char *note;
  g_autoptr(RelaisTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_variant_get (parameter, "(&s&s&s&s)", &service_id, &subservice_id, &name, &note);

  sub = relais_directory_find_subservice (directory, service_id, subservice_id);
  if (sub == NULL)
    {
      notice (self, _("Ce service n'existe pas dans l'annuaire."), TRUE);
      return;
    }

  if (!(sub->channels & RELAIS_CHANNEL_VISIO))
    {
      notice (self, _("Ce service ne se fait pas en visio : donnez plutôt ses coordonnées."), TRUE);
      return;
    }

  ticket = relais_queue_add (relais_context_get_queue (self->context),
                             sub->service->letter, service_id, subservice_id,
                             name, note, &error);
  if (ticket == NULL)
    {
      notice_error (self, error);
      return;
    }

  /* The ticket is committed to disk at this point: only now say so. */
  message = g_strdup_printf (_("Ticket %s donné pour %s."),
                             relais_ticket_get_code (ticket), sub->service->name);
  notice (self, message, FALSE);

  if (self->window != NULL)
    relais_desk_page_reset_walk_in (relais_window_get_desk_page (self->window));

  update_actions (self);
}

static void
after_call (RelaisApplication *self)
{
  RelaisTicket *current = relais_queue_get_current (relais_context_get_queue (self->context));
  g_autofree char *message = NULL;

  message = g_strdup_printf (_("Ticket %s appelé."), relais_ticket_get_code (current));
  notice (self, message, FALSE);
  handle (self, RELAIS_SESSION_EVENT_TICKET_CALLED);
}

static void
call_next_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;

  if (relais_queue_call_next (relais_context_get_queue (self->context), &error) == NULL)
    {
      notice_error (self, error);
      return;
    }

  after_call (self);
}

static void
call_ticket_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;

  if (!relais_queue_call (relais_context_get_queue (self->context),
                          g_variant_get_int64 (parameter), &error))
    {
      notice_error (self, error);
      return;
    }

  after_call (self);
}

/* Moves the ticket in the booth on with @step (relais_queue_start,
 * relais_queue_finish). Returns that ticket's id, or 0 when there is none
 * or the step failed (the notice says so). Not the ticket: a final state
 * takes it out of the queue's model, which may have held the last
 * reference. */
static gint64
step_current_ticket (RelaisApplication *self,
                     gboolean         (*step) (RelaisQueue *, gint64, GError **))
{
  RelaisQueue *queue = relais_context_get_queue (self->context);
  RelaisTicket *current = relais_queue_get_current (queue);
  g_autoptr(GError) error = NULL;
  gint64 ticket_id;

  if (current == NULL)
    return 0;

  ticket_id = relais_ticket_get_id (current);
  if (!step (queue, ticket_id, &error))
    {
      notice_error (self, error);
      return 0;
    }

  return ticket_id;
}

static void
start_session_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  if (step_current_ticket (self, relais_queue_start) == 0)
    return;

  handle (self, RELAIS_SESSION_EVENT_PERSON_PRESENT);
}

static void
finish_session_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  gint64 ticket_id;

  /* Finishing erases the person's name and note in the same transaction. */
  ticket_id = step_current_ticket (self, relais_queue_finish);
  if (ticket_id == 0)
    return;

  figures_ticket_ended (self, ticket_id);
  documents_session_over (self);
  notice (self, _("Rendez-vous terminé. Merci et à bientôt !"), FALSE);
  handle (self, RELAIS_SESSION_EVENT_SESSION_ENDED);
  /* From the desk the state does not change: drop the call here. */
  sync_call (self);
  update_actions (self);
}

static void
start_call_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;

  if (self->call == NULL)
    return;

  if (!relais_booth_start_call (self->booth, &error))
    {
      notice_error (self, error);
      return;
    }

  handle (self, RELAIS_SESSION_EVENT_START_CALL);
}

static void
hang_up_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  /* Entering CALL_ENDED hangs up and drops the call. */
  handle (RELAIS_APPLICATION (user_data), RELAIS_SESSION_EVENT_CALL_OVER);
}

/* The booth keeps mute and camera off (the call page and the actions'
 * states follow it, booth_mute_cb). */
static void
toggle_mute_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  if (self->call != NULL)
    relais_booth_set_muted (self->booth, !relais_booth_get_muted (self->booth));
}

static void
toggle_camera_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  if (self->call != NULL)
    relais_booth_set_camera_off (self->booth, !relais_booth_get_camera_off (self->booth));
}

static void
send_chat_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  const char *text = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;

  if (self->call == NULL || *text == '\0')
    return;

  /* Once it left, the call page shows it (booth::chat-sent). */
  if (!relais_booth_send_chat (self->booth, text, &error))
    {
      g_debug ("Message not sent: %s", error->message);
      notice (self, _("Le message n'est pas parti. Attendez un instant, puis réessayez."), TRUE);
    }
}

static void
release_ticket (RelaisApplication *self,
                gint64             ticket_id,
                gboolean           absent)
{
  RelaisQueue *queue = relais_context_get_queue (self->context);
  RelaisTicket *current = relais_queue_get_current (queue);
  gboolean was_current = current != NULL && relais_ticket_get_id (current) == ticket_id;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  RelaisTicket *ticket = relais_queue_find (queue, ticket_id);

  if (ticket == NULL)
    {
      notice (self, _("Ce ticket n'est plus dans la file."), TRUE);
      return;
    }

  code = g_strdup (relais_ticket_get_code (ticket));

  if (absent ? !relais_queue_mark_absent (queue, ticket_id, &error)
             : !relais_queue_cancel (queue, ticket_id, &error))
    {
      notice_error (self, error);
      return;
    }

  figures_ticket_ended (self, ticket_id);
  message = g_strdup_printf (absent ? _("Ticket %s marqué absent.") : _("Ticket %s annulé."), code);
  notice (self, message, FALSE);

  if (was_current)
    handle (self, RELAIS_SESSION_EVENT_TICKET_RELEASED);
  sync_call (self);
  update_actions (self);
}

static void
mark_absent_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  release_ticket (RELAIS_APPLICATION (user_data), g_variant_get_int64 (parameter), TRUE);
}

static void
cancel_ticket_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  release_ticket (RELAIS_APPLICATION (user_data), g_variant_get_int64 (parameter), FALSE);
}

static void
move_ticket_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;
  gint64 ticket_id;
  gint32 delta;

  g_variant_get (parameter, "(xi)", &ticket_id, &delta);

  if (!relais_queue_move (relais_context_get_queue (self->context), ticket_id, delta, &error))
    notice_error (self, error);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  g_debug ("Quit requested from the unlocked desk");
  if (self->window != NULL)
    relais_window_set_can_close (self->window, TRUE);
  g_application_quit (G_APPLICATION (self));
}

/* ---- figures: the anonymous record of each session ---------------------
 *
 * What is measured (see relais-figures.h for the row):
 * - wait: ticket given → called (the store's times);
 * - set-up: entering the call (through the lobby: the advisor taking
 *   the person) → the call's first CONNECTED, which RelaisCall reaches
 *   only once a remote picture is decoded;
 * - quality: mean received frame rate while connected (sampled each
 *   second), packets lost, whether the link dropped and came back (the
 *   call reconnecting, the gateway lost, or the call replaced);
 * - outcome: the advisor's (relais_application_record_outcome()), else
 *   the kiosk's own only when no call happened (absent, cancelled,
 *   no-call: also a wait in the lobby the person gave up before an
 *   advisor came), else unknown;
 * - survey: the face tapped after the call, or none.
 * The row is written when the ticket ends; the survey completes it; then
 * it is queued for upload when [figures] upload-url is set. */

static gint64
now_unix (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
figures_call_state_cb (RelaisCall        *call,
                       GParamSpec        *pspec,
                       RelaisApplication *self)
{
  FiguresState *fs = &self->figures;

  switch (relais_call_get_state (call))
    {
    case RELAIS_CALL_CONNECTED:
      if (fs->first_frame_us == 0)
        {
          fs->first_frame_us = g_get_monotonic_time ();
          /* Waiting in the lobby for an advisor is no set-up: through the
           * lobby the set-up starts when an advisor takes the person. */
          fs->setup_from_us = MAX (relais_booth_get_taken_at (self->booth), fs->started_us);
          g_debug ("Call set up in %" G_GINT64_FORMAT " ms",
                   (fs->first_frame_us - fs->setup_from_us) / 1000);
        }
      break;
    case RELAIS_CALL_RECONNECTING:
      fs->reconnected = TRUE;
      break;
    default:
      break;
    }
}

/* Follows self->call, which a gateway reconnection replaces. */
static void
figures_watch_call (RelaisApplication *self)
{
  FiguresState *fs = &self->figures;

  if (self->call == fs->call)
    return;

  /* fs->call is a weak pointer: a replaced call is gone already, so
   * "watched" remembers there was one. */
  if (fs->watched && self->call != NULL)
    {
      /* A fresh call after the gateway came back: the link dropped. */
      fs->reconnected = TRUE;
      fs->lost_base += fs->lost_last;
      fs->lost_last = 0;
    }

  g_set_weak_pointer (&fs->call, self->call);
  /* The application disconnects everything of its own from a call it
   * drops (g_signal_handlers_disconnect_by_data), this handler too. */
  if (self->call != NULL)
    {
      fs->watched = TRUE;
      g_signal_connect (self->call, "notify::state", G_CALLBACK (figures_call_state_cb), self);
    }
}

static gboolean
figures_sample_cb (gpointer user_data)
{
  RelaisApplication *self = user_data;
  FiguresState *fs = &self->figures;
  RelaisCallStats stats;

  figures_watch_call (self);

  if (relais_booth_is_link_lost (self->booth))
    fs->reconnected = TRUE;

  /* The call's statistics cover the second before they were taken: the
   * first one after the picture came would count the set-up as 0 fps. */
  if (self->call != NULL && relais_call_get_state (self->call) == RELAIS_CALL_CONNECTED
      && fs->first_frame_us != 0 && g_get_monotonic_time () - fs->first_frame_us >= 1500000)
    {
      relais_call_get_stats (self->call, &stats);
      fs->fps_sum += stats.fps_in;
      fs->fps_samples++;
      fs->lost_last = MAX (stats.packets_lost, 0);
    }

  return G_SOURCE_CONTINUE;
}

static void
figures_reset_call (RelaisApplication *self)
{
  FiguresState *fs = &self->figures;

  g_clear_handle_id (&fs->sample_id, g_source_remove);
  if (fs->call != NULL)
    g_signal_handlers_disconnect_by_func (fs->call, figures_call_state_cb, self);
  g_clear_weak_pointer (&fs->call);
  g_clear_pointer (&fs->advisor_outcome, g_free);
  fs->ticket_id = 0;
  fs->started_us = fs->setup_from_us = fs->first_frame_us = fs->ended_us = 0;
  fs->reconnected = FALSE;
  fs->wait_given_up = FALSE;
  fs->watched = FALSE;
  fs->fps_sum = 0;
  fs->fps_samples = 0;
  fs->lost_base = fs->lost_last = 0;
}

static void
figures_call_started (RelaisApplication *self)
{
  FiguresState *fs = &self->figures;
  RelaisTicket *current = relais_queue_get_current (relais_context_get_queue (self->context));

  if (current == NULL || fs->ticket_id == relais_ticket_get_id (current))
    return;

  figures_reset_call (self);
  fs->ticket_id = relais_ticket_get_id (current);
  fs->started_us = g_get_monotonic_time ();
  figures_watch_call (self);
  fs->sample_id = g_timeout_add_seconds (1, figures_sample_cb, self);
}

static void
figures_call_finished (RelaisApplication *self)
{
  FiguresState *fs = &self->figures;

  if (fs->ticket_id == 0 || fs->ended_us != 0)
    return;

  figures_sample_cb (self);
  fs->ended_us = g_get_monotonic_time ();
  g_clear_handle_id (&fs->sample_id, g_source_remove);
}

static void
figures_upload (RelaisApplication *self,
                const char        *session_id)
{
  FiguresState *fs = &self->figures;
  RelaisStore *store = relais_context_get_store (self->context);
  g_autoptr(RelaisSessionFacts) facts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  if (fs->outbox == NULL || session_id == NULL)
    return;

  facts = relais_store_get_session_facts (store, session_id, &error);
  if (facts == NULL)
    {
      g_warning ("Session record not found for upload: %s", error->message);
      return;
    }

  json = relais_session_facts_to_json (facts, relais_config_get_site_name (self->config));
  if (!relais_outbox_queue (fs->outbox, facts->session_id, json, &error))
    g_warning ("Session record not queued for upload: %s", error->message);
}

static void
figures_ticket_ended (RelaisApplication *self,
                      gint64             ticket_id)
{
  FiguresState *fs = &self->figures;
  RelaisStore *store = relais_context_get_store (self->context);
  g_autoptr(RelaisTicket) ticket = NULL;
  g_autoptr(RelaisSessionFacts) facts = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now_us = g_get_monotonic_time ();

  /* The ended ticket keeps its service and times, never a name. */
  ticket = relais_store_get_ticket (store, ticket_id, &error);
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

  if (fs->ticket_id == ticket_id)
    {
      gint64 end_us = fs->ended_us != 0 ? fs->ended_us : now_us;

      if (fs->ended_us == 0)
        figures_sample_cb (self);
      /* Waiting in the lobby and giving up before an advisor came is no
       * call: it counts as "no-call", not as a call that failed. */
      facts->call_attempted = !fs->wait_given_up || fs->first_frame_us != 0;
      facts->media_flowed = fs->first_frame_us != 0;
      facts->reconnected = fs->reconnected;
      if (fs->first_frame_us != 0)
        {
          facts->setup_ms = (fs->first_frame_us - fs->setup_from_us) / 1000;
          facts->call_seconds = (end_us - fs->first_frame_us) / G_USEC_PER_SEC;
          facts->packets_lost = fs->lost_base + fs->lost_last;
        }
      if (fs->fps_samples > 0)
        facts->fps_in = fs->fps_sum / fs->fps_samples;
    }

  facts->outcome = g_strdup (relais_session_outcome (relais_ticket_state_to_string (relais_ticket_get_state (ticket)),
                                                     facts->call_attempted,
                                                     fs->ticket_id == ticket_id ? fs->advisor_outcome : NULL));
  if (fs->ticket_id == ticket_id)
    figures_reset_call (self);

  if (!relais_store_add_session_facts (store, facts, &error))
    {
      g_warning ("Session figures not recorded: %s", error->message);
      return;
    }
  g_debug ("Session recorded (%s)", facts->outcome != NULL ? facts->outcome : "no outcome given");

  g_free (fs->last_session_id);
  fs->last_session_id = g_strdup (facts->session_id);

  /* After a call the person is asked the survey: the upload waits for
   * their answer (or its time-out). */
  if (relais_session_get_state (self->session) == RELAIS_SESSION_CALL_ENDED)
    {
      g_free (fs->survey_session_id);
      fs->survey_session_id = g_strdup (facts->session_id);
    }
  else
    figures_upload (self, facts->session_id);
}

gboolean
relais_application_record_outcome (RelaisApplication  *self,
                                   const char         *outcome,
                                   GError            **error)
{
  FiguresState *fs;
  RelaisTicket *current;

  g_return_val_if_fail (RELAIS_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fs = &self->figures;
  if (!relais_outcome_is_advisor (outcome))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   "Unknown outcome (expected resolved, follow-up, redirected or technical-failure)");
      return FALSE;
    }

  /* During the call: kept until the ticket ends. */
  current = self->context != NULL ? relais_queue_get_current (relais_context_get_queue (self->context)) : NULL;
  if (current != NULL && fs->ticket_id == relais_ticket_get_id (current))
    {
      g_free (fs->advisor_outcome);
      fs->advisor_outcome = g_strdup (outcome);
      return TRUE;
    }

  /* Just after: the row is written already (the person touched
   * "Terminer" before the advisor chose). */
  if (fs->last_session_id != NULL)
    return relais_store_set_session_outcome (relais_context_get_store (self->context),
                                             fs->last_session_id, outcome, error);

  g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED, "No session to give an outcome to");
  return FALSE;
}

static gboolean
figures_survey_tick_cb (gpointer user_data)
{
  RelaisApplication *self = user_data;
  FiguresState *fs = &self->figures;

  if (fs->survey_remaining > 0)
    fs->survey_remaining--;
  if (self->window != NULL)
    relais_survey_page_set_remaining (relais_window_get_survey_page (self->window), fs->survey_remaining);

  if (fs->survey_remaining > 0)
    return G_SOURCE_CONTINUE;

  g_debug ("Survey unanswered");
  fs->survey_id = 0;
  handle (self, RELAIS_SESSION_EVENT_SURVEY_DONE);
  return G_SOURCE_REMOVE;
}

/* Follows the session's state: the call's start and end, and the
 * survey's 30 seconds. */
static void
figures_session_state_cb (RelaisApplication *self)
{
  FiguresState *fs = &self->figures;
  RelaisSessionState state = relais_session_get_state (self->session);
  RelaisSessionState previous = fs->last_state;

  fs->last_state = state;

  if (state == RELAIS_SESSION_IN_CALL)
    figures_call_started (self);
  else if (previous == RELAIS_SESSION_IN_CALL
           && (state == RELAIS_SESSION_CALL_ENDED || state == RELAIS_SESSION_ATTRACT))
    figures_call_finished (self);

  if (state == RELAIS_SESSION_SURVEY && previous != RELAIS_SESSION_SURVEY)
    {
      fs->survey_remaining = SURVEY_SECONDS;
      if (self->window != NULL)
        relais_survey_page_set_remaining (relais_window_get_survey_page (self->window), SURVEY_SECONDS);
      g_clear_handle_id (&fs->survey_id, g_source_remove);
      fs->survey_id = g_timeout_add_seconds (1, figures_survey_tick_cb, self);
    }
  else if (previous == RELAIS_SESSION_SURVEY && state != RELAIS_SESSION_SURVEY)
    {
      g_autofree char *session_id = g_steal_pointer (&fs->survey_session_id);

      g_clear_handle_id (&fs->survey_id, g_source_remove);
      figures_upload (self, session_id);
    }
}

static void
figures_update_actions (RelaisApplication  *self,
                        RelaisSessionState  state)
{
  set_action_enabled (self, "survey", state == RELAIS_SESSION_SURVEY);
  set_action_enabled (self, "figures", state == RELAIS_SESSION_DESK);
  set_action_enabled (self, "close-figures", state == RELAIS_SESSION_DESK);
  set_action_enabled (self, "export-figures", state == RELAIS_SESSION_DESK);
}

static void
survey_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  FiguresState *fs = &self->figures;
  int answer = g_variant_get_int32 (parameter);
  g_autoptr(GError) error = NULL;

  if (relais_session_get_state (self->session) != RELAIS_SESSION_SURVEY)
    return;

  /* 0: "Ne pas répondre". */
  if (answer >= RELAIS_SURVEY_MIN && answer <= RELAIS_SURVEY_MAX && fs->survey_session_id != NULL)
    {
      if (relais_store_set_session_survey (relais_context_get_store (self->context),
                                           fs->survey_session_id, answer, &error))
        g_debug ("Survey answered: %d", answer);
      else
        g_warning ("Survey answer not recorded: %s", error->message);
    }

  notice (self, _("Merci ! À bientôt."), FALSE);
  handle (self, RELAIS_SESSION_EVENT_SURVEY_DONE);
}

static RelaisFigures *
figures_compute (RelaisApplication  *self,
                 GError            **error)
{
  gint64 now = now_unix ();
  gint64 since = relais_figures_week_start (now) - (RELAIS_FIGURES_WEEKS - 1) * 7 * 24 * 3600;
  g_autoptr(GPtrArray) sessions = NULL;

  sessions = relais_store_list_session_facts (relais_context_get_store (self->context), since, error);
  if (sessions == NULL)
    return NULL;

  return relais_figures_compute (sessions, now);
}

static void
figures_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  g_autoptr(RelaisFigures) figures = NULL;
  g_autoptr(GError) error = NULL;

  if (self->window == NULL || relais_session_get_state (self->session) != RELAIS_SESSION_DESK)
    return;

  figures = figures_compute (self, &error);
  if (figures == NULL)
    {
      notice_error (self, error);
      return;
    }

  relais_figures_page_set_figures (relais_window_get_figures_page (self->window), figures);
  relais_window_set_page (self->window, "figures");
  if (g_strcmp0 (g_getenv ("RELAIS_TEST_TRACE"), "1") == 0)
    {
      g_autofree char *text = NULL;

      /* What the page's charts are made of, counts only. */
      text = g_strdup_printf ("sessions=%u calls=%u connected=%u survey=%u,%u,%u,%u,%u",
                              figures->n_sessions, figures->calls_attempted, figures->calls_connected,
                              figures->survey[0], figures->survey[1], figures->survey[2],
                              figures->survey[3], figures->survey[4]);
      trace ("figures", text);
    }
}

static void
close_figures_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  if (self->window != NULL && relais_session_get_state (self->session) == RELAIS_SESSION_DESK)
    relais_window_set_page (self->window, "desk");
}

/* Returns: (transfer full) the CSV of every recorded session and how many
 * rows it holds, or NULL. */
static char *
figures_csv (RelaisStore  *store,
             guint        *n_rows,
             GError      **error)
{
  g_autoptr(GPtrArray) sessions = relais_store_list_session_facts (store, G_MININT64, error);

  if (sessions == NULL)
    return NULL;

  *n_rows = sessions->len;
  return relais_figures_to_csv (sessions);
}

typedef struct
{
  RelaisApplication *self;
  char              *path;
  guint              n_rows;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_object_unref (data->self);
  g_free (data->path);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportData, export_data_free)

static void
export_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ExportData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      g_warning ("CSV export failed: %s", error->message);
      message = g_strdup_printf (_("Le fichier des chiffres n'a pas pu être écrit (%s). Vérifiez la place libre, puis réessayez."),
                                 error->message);
      notice (data->self, message, TRUE);
      return;
    }

  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Chiffres enregistrés (%u séance) dans %s",
                                          "Chiffres enregistrés (%u séances) dans %s",
                                          data->n_rows),
                             data->n_rows, data->path);
  notice (data->self, message, FALSE);
}

static char *
export_default_path (void)
{
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();
  g_autofree char *day = g_date_time_format (today, "%Y-%m-%d");
  g_autofree char *name = g_strdup_printf ("relais-chiffres-%s.csv", day);

  /* xdg-user-dirs may name a folder that was never made: then $HOME. */
  if (documents == NULL || !g_file_test (documents, G_FILE_TEST_IS_DIR))
    documents = g_get_home_dir ();

  return g_build_filename (documents, name, NULL);
}

static void
export_figures_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  ExportData *data;
  char *csv;
  guint n_rows = 0;

  csv = figures_csv (relais_context_get_store (self->context), &n_rows, &error);
  if (csv == NULL)
    {
      notice_error (self, error);
      return;
    }

  data = g_new0 (ExportData, 1);
  data->self = g_object_ref (self);
  data->path = export_default_path ();
  data->n_rows = n_rows;
  file = g_file_new_for_path (data->path);
  bytes = g_bytes_new_take (csv, strlen (csv));

  g_debug ("Exporting %u sessions as CSV", n_rows);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable, export_written_cb, data);
}

static void
figures_init (RelaisApplication *self)
{
  FiguresState *fs = &self->figures;
  const char *url = relais_config_get_upload_url (self->config);

  fs->last_state = relais_session_get_state (self->session);
  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (figures_session_state_cb), self, G_CONNECT_SWAPPED);

  if (url == NULL)
    return;

  /* Its own client with the system's CAs: the [gateway] ca-file is the
   * gateway's, not the department's figures server's. */
  fs->upload_http = relais_http_client_new ();
  fs->outbox = relais_outbox_new (relais_context_get_store (self->context), fs->upload_http,
                                  url, relais_config_get_upload_token (self->config));
  /* Whatever waited through a restart or an offline spell. */
  relais_outbox_flush (fs->outbox);
}

static void
figures_clear (RelaisApplication *self)
{
  FiguresState *fs = &self->figures;

  figures_reset_call (self);
  g_clear_handle_id (&fs->survey_id, g_source_remove);
  g_clear_pointer (&fs->survey_session_id, g_free);
  g_clear_pointer (&fs->last_session_id, g_free);
  if (fs->outbox != NULL)
    g_object_run_dispose (G_OBJECT (fs->outbox));
  g_clear_object (&fs->outbox);
  g_clear_object (&fs->upload_http);
}

/* Printing what the advisor sent. The state lives in self->printing,
 * made with the application and freed when it is finalized. */

struct Printing
{
  RelaisPrinter *printer;
  gulong         state_id;
  GCancellable  *cancellable;   /* of the job running, if any */
  char          *document;      /* shown on the print page */
};

static void
printing_free (Printing *printing)
{
  cancel_and_clear (&printing->cancellable);
  if (printing->printer != NULL)
    g_clear_signal_handler (&printing->state_id, printing->printer);
  g_clear_object (&printing->printer);
  g_free (printing->document);
  g_free (printing);
}

/* Where the person's files live during their session (a tmpfs under
 * XDG_RUNTIME_DIR). */
static char *
print_session_dir (void)
{
  return relais_session_dir_get_default ();
}

/* The real path of @path if it is a regular file inside the session
 * directory (after resolving links and "..": a name sent by the advisor
 * must not lead elsewhere), else NULL. */
static char *
print_resolve_document (const char *path)
{
  g_autofree char *dir = print_session_dir ();
  g_autofree char *real_dir = NULL;
  g_autofree char *real_path = NULL;
  g_autofree char *prefix = NULL;

  if (path == NULL || !g_path_is_absolute (path))
    return NULL;
  real_dir = realpath (dir, NULL);
  real_path = realpath (path, NULL);
  if (real_dir == NULL || real_path == NULL)
    return NULL;
  prefix = g_strconcat (real_dir, G_DIR_SEPARATOR_S, NULL);
  if (!g_str_has_prefix (real_path, prefix) ||
      !g_file_test (real_path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_steal_pointer (&real_path);
}

static void
print_state_cb (RelaisPrinter     *printer,
                GParamSpec        *pspec,
                RelaisApplication *self)
{
  RelaisPrintState state = relais_printer_get_state (printer);

  /* The end (done, failed, cancelled) is shown by print_done_cb, which
   * has the error. */
  if (self->window != NULL &&
      (state == RELAIS_PRINT_STATE_SENDING || state == RELAIS_PRINT_STATE_QUEUED ||
       state == RELAIS_PRINT_STATE_PRINTING))
    relais_print_page_set_state (relais_window_get_print_page (self->window), state, NULL);
}

static void
print_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RelaisApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  Printing *printing = self->printing;
  RelaisPrintPage *page = self->window != NULL ? relais_window_get_print_page (self->window) : NULL;
  gboolean ok;

  ok = relais_printer_print_finish (RELAIS_PRINTER (source), result, &error);
  g_clear_object (&printing->cancellable);
  if (page == NULL)
    return;

  if (ok)
    relais_print_page_set_state (page, RELAIS_PRINT_STATE_DONE, NULL);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    relais_print_page_set_state (page, RELAIS_PRINT_STATE_IDLE, NULL);
  else
    relais_print_page_set_state (page, RELAIS_PRINT_STATE_FAILED, error->message);
}

static void
show_document_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  Printing *printing = self->printing;
  g_autofree char *path = print_resolve_document (g_variant_get_string (parameter, NULL));

  if (self->window == NULL)
    return;

  if (path == NULL)
    {
      /* The path is not logged: it may hold the document's name. */
      g_warning ("Refusing to show a document from outside the session directory");
      notice (self, _("Ce document ne peut pas être ouvert. Demandez à votre conseiller de vous le renvoyer."), TRUE);
      return;
    }

  g_cancellable_cancel (printing->cancellable);
  g_free (printing->document);
  printing->document = g_steal_pointer (&path);
  relais_print_page_set_document (relais_window_get_print_page (self->window), printing->document);
  relais_window_hide_notice (self->window);
  relais_window_set_page (self->window, "print");
}

static void
print_document_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  Printing *printing = self->printing;

  if (printing->document == NULL || printing->cancellable != NULL)
    return;

  if (printing->printer == NULL)
    {
      printing->printer = relais_printer_new_from_config (self->config);
      printing->state_id = g_signal_connect (printing->printer, "notify::state",
                                             G_CALLBACK (print_state_cb), self);
    }

  printing->cancellable = g_cancellable_new ();
  relais_printer_print_async (printing->printer, printing->document, printing->cancellable,
                              print_done_cb, g_object_ref (self));
}

static void
cancel_print_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  Printing *printing = RELAIS_APPLICATION (user_data)->printing;

  g_cancellable_cancel (printing->cancellable);
}

static void
close_document_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  Printing *printing = self->printing;

  g_cancellable_cancel (printing->cancellable);
  g_clear_pointer (&printing->document, g_free);
  if (self->window == NULL)
    return;
  relais_print_page_set_document (relais_window_get_print_page (self->window), NULL);
  /* Back to where the session is (the call, usually). */
  relais_window_set_page (self->window, page_for_state (relais_session_get_state (self->session)));
}

/* ---- documents: the scan page in the call, and the transfer ------------- */

/* The person's document for the advisor (issue 5): the scan page opens
 * inside the call (the call keeps running), the scanner or the camera
 * still makes the pages, RelaisDocument the PDF (in the session
 * directory), RelaisTransfer sends it over the call; a PDF the advisor
 * sends arrives in the session directory and opens the print page. */
struct Documents
{
  RelaisApplication *app;           /* the owner (not a ref) */
  RelaisScanner  *scanner;
  gboolean        camera;           /* no scanner: the camera's still */
  gboolean        probed;           /* camera decided for this session */
  GCancellable   *scan_cancellable;
  GCancellable   *send_cancellable;
  RelaisTransfer *transfer;
  RelaisCall     *transfer_call;    /* the call the transfer rides (not a ref) */
  gint64          send_started;     /* monotonic µs of "send" */
  guint           send_pages;
  GBytes         *pdf;              /* being written, then sent */
};

/* Nothing more is scanned or sent (the call or the session is over). */
static void
documents_cancel (Documents *docs)
{
  g_cancellable_cancel (docs->scan_cancellable);
  g_cancellable_cancel (docs->send_cancellable);
}

static void
documents_free (Documents *docs)
{
  cancel_and_clear (&docs->scan_cancellable);
  cancel_and_clear (&docs->send_cancellable);
  if (docs->transfer != NULL)
    {
      g_signal_handlers_disconnect_by_data (docs->transfer, docs->app);
      relais_transfer_set_call (docs->transfer, NULL);
    }
  g_clear_object (&docs->transfer);
  g_clear_object (&docs->scanner);
  g_clear_pointer (&docs->pdf, g_bytes_unref);
  g_free (docs);
}

static RelaisScanPage *
documents_page (RelaisApplication *self)
{
  return self->window != NULL ? relais_window_get_scan_page (self->window) : NULL;
}

static void
transfer_received_cb (RelaisTransfer    *transfer,
                      guint64            id,
                      const char        *path,
                      guint64            size,
                      const char        *sha256,
                      RelaisApplication *self)
{
  /* Ids and sizes only: the name and the contents are the person's. */
  g_debug ("Document received: transfer %016" G_GINT64_MODIFIER "x, %" G_GUINT64_FORMAT " bytes",
           id, size);
  g_action_group_activate_action (G_ACTION_GROUP (self), "show-document", g_variant_new_string (path));
}

static void
transfer_receive_failed_cb (RelaisTransfer    *transfer,
                            guint64            id,
                            const char        *message,
                            RelaisApplication *self)
{
  g_debug ("Document not received: transfer %016" G_GINT64_MODIFIER "x", id);
  notice (self, message, TRUE);
}

static void
transfer_send_progress_cb (RelaisTransfer    *transfer,
                           guint64            id,
                           guint64            queued,
                           guint64            total,
                           RelaisApplication *self)
{
  RelaisScanPage *page = documents_page (self);

  if (page != NULL && total > 0)
    /* Queued is not yet delivered: the last tenth waits for the ack. */
    relais_scan_page_set_send_progress (page, 0.1 + 0.8 * (double) queued / (double) total);
}

/* Keeps the transfer on the current call: created with the call (so the
 * advisor's documents are received), moved to a replacement call (a
 * reconnection resumes), let go with the call. */
static void
documents_sync_call (RelaisApplication *self)
{
  Documents *docs = self->documents;

  if (self->call == docs->transfer_call)
    return;
  docs->transfer_call = self->call;

  if (self->call == NULL)
    {
      if (docs->transfer != NULL)
        relais_transfer_set_call (docs->transfer, NULL);
      return;
    }

  if (docs->transfer == NULL)
    {
      g_autofree char *dir = relais_session_dir_get_default ();
      g_autoptr(GError) error = NULL;

      if (!relais_session_dir_ensure (dir, &error))
        g_warning ("No session directory for documents: %s", error->message);
      docs->transfer = relais_transfer_new (self->call);
      relais_transfer_set_receive_dir (docs->transfer, dir);
      g_signal_connect (docs->transfer, "received", G_CALLBACK (transfer_received_cb), self);
      g_signal_connect (docs->transfer, "receive-failed", G_CALLBACK (transfer_receive_failed_cb), self);
      g_signal_connect (docs->transfer, "send-progress", G_CALLBACK (transfer_send_progress_cb), self);
    }
  else
    relais_transfer_set_call (docs->transfer, self->call);
}

static void
scanner_progress_cb (RelaisScanner     *scanner,
                     guint              page_index,
                     double             fraction,
                     RelaisApplication *self)
{
  RelaisScanPage *page = documents_page (self);

  if (page != NULL)
    relais_scan_page_set_scan_progress (page, page_index, fraction);
}

static RelaisScanner *
documents_scanner (RelaisApplication *self)
{
  Documents *docs = self->documents;

  if (docs->scanner == NULL)
    {
      RelaisScannerOptions options;

      relais_scanner_options_init (&options);
      g_free (options.device);
      options.device = g_strdup (relais_config_get_scanner_device (self->config));
      options.resolution_dpi = relais_config_get_scanner_resolution (self->config);
      options.colour = relais_config_get_scanner_colour (self->config);
      options.source = relais_config_get_scanner_feeder (self->config)
                       ? RELAIS_SCANNER_SOURCE_FEEDER : RELAIS_SCANNER_SOURCE_FLATBED;
      docs->scanner = relais_scanner_new (&options);
      relais_scanner_options_clear (&options);
      g_signal_connect (docs->scanner, "progress", G_CALLBACK (scanner_progress_cb), self);
    }
  return docs->scanner;
}

static void
documents_set_camera (RelaisApplication *self,
                      gboolean           camera)
{
  Documents *docs = self->documents;
  RelaisScanPage *page = documents_page (self);

  docs->camera = camera;
  docs->probed = TRUE;
  g_debug ("Documents by %s", camera ? "the camera" : "the scanner");
  if (page != NULL)
    relais_scan_page_set_camera_mode (page, camera);
  if (camera && self->call != NULL)
    relais_camera_still_prepare (relais_call_get_local_video_sink (self->call));
}

static void
documents_devices_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(RelaisApplication) self = user_data;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;

  devices = relais_scanner_list_devices_finish (RELAIS_SCANNER (source), result, &error);
  if (devices == NULL)
    g_debug ("No scanner list: %s", error->message);
  documents_set_camera (self, devices == NULL || devices->len == 0);
}

/* Opens the scan page over the call. */
static void
documents_open (RelaisApplication *self)
{
  Documents *docs = self->documents;
  RelaisScanPage *page = documents_page (self);
  RelaisTicket *current = relais_queue_get_current (relais_context_get_queue (self->context));
  const RelaisService *service = NULL;

  if (page == NULL || relais_session_get_state (self->session) != RELAIS_SESSION_IN_CALL)
    return;

  if (current != NULL)
    service = relais_directory_find_service (relais_context_get_directory (self->context),
                                             relais_ticket_get_service_id (current));
  relais_scan_page_set_service_name (page, service != NULL ? service->name : _("votre service"));

  if (!docs->probed)
    {
      /* A configured scanner is used as is; "auto" asks SANE for one. */
      if (g_strcmp0 (relais_config_get_scanner_device (self->config), "auto") != 0)
        documents_set_camera (self, FALSE);
      else
        relais_scanner_list_devices_async (documents_scanner (self), NULL,
                                           documents_devices_cb, g_object_ref (self));
    }
  else if (docs->camera && self->call != NULL)
    relais_camera_still_prepare (relais_call_get_local_video_sink (self->call));

  relais_window_hide_notice (self->window);
  relais_window_set_page (self->window, "scan");
  g_debug ("Scan page open");
}

static void
documents_scan_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(RelaisApplication) self = user_data;
  Documents *docs = self->documents;
  RelaisScanPage *page = documents_page (self);
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GError) error = NULL;

  pages = relais_scanner_scan_finish (RELAIS_SCANNER (source), result, &error);
  g_clear_object (&docs->scan_cancellable);
  if (page == NULL)
    return;
  if (pages != NULL)
    {
      g_debug ("Scanned %u page(s)", pages->len);
      relais_scan_page_scan_done (page, pages);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    relais_scan_page_scan_failed (page, NULL);
  else
    {
      g_debug ("Scan failed");
      relais_scan_page_scan_failed (page, error->message);
    }
}

static void
documents_scan (RelaisApplication *self)
{
  Documents *docs = self->documents;
  RelaisScanPage *page = documents_page (self);

  if (page == NULL || docs->scan_cancellable != NULL || docs->send_cancellable != NULL)
    return;
  /* The banner ("your advisor asks…") would cover the pages. */
  relais_window_hide_notice (self->window);

  if (docs->camera)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RelaisPage) still = NULL;
      g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_page_unref);

      /* An A4 sheet filling a 640x480 picture is about 75 dpi. */
      if (self->call != NULL)
        still = relais_camera_still_take (relais_call_get_local_video_sink (self->call), 75.0, &error);
      if (still == NULL)
        {
          relais_scan_page_scan_failed (page, error != NULL ? error->message
                                        : _("La caméra ne donne pas d'image. Prévenez l'agent d'accueil."));
          return;
        }
      g_ptr_array_add (pages, g_steal_pointer (&still));
      relais_scan_page_scan_done (page, pages);
      return;
    }

  docs->scan_cancellable = g_cancellable_new ();
  relais_scan_page_set_scan_progress (page, 0, 0.0);
  relais_scanner_scan_async (documents_scanner (self), docs->scan_cancellable,
                             documents_scan_cb, g_object_ref (self));
}

static void
documents_sent_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(RelaisApplication) self = user_data;
  Documents *docs = self->documents;
  RelaisScanPage *page = documents_page (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;

  sha256 = relais_transfer_send_finish (RELAIS_TRANSFER (source), result, &error);
  g_clear_object (&docs->send_cancellable);
  if (sha256 != NULL)
    {
      g_debug ("Document delivered: %u page(s), %" G_GINT64_FORMAT " ms after send",
               docs->send_pages, (g_get_monotonic_time () - docs->send_started) / 1000);
      if (page != NULL)
        relais_scan_page_send_done (page);
    }
  else if (page != NULL)
    {
      g_debug ("Document not delivered");
      relais_scan_page_send_failed (page, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                    ? _("L'envoi a été arrêté.") : error->message);
    }
}

/* The PDF is in the session directory: off it goes. */
static void
documents_kept_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(RelaisApplication) self = user_data;
  Documents *docs = self->documents;
  RelaisScanPage *page = documents_page (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = g_steal_pointer (&docs->pdf);

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The PDF was not kept in the session directory: %s", error->message);

  if (pdf == NULL || docs->send_cancellable == NULL ||
      g_cancellable_is_cancelled (docs->send_cancellable))
    {
      g_clear_object (&docs->send_cancellable);
      if (page != NULL)
        relais_scan_page_send_failed (page, _("L'envoi a été arrêté."));
      return;
    }
  if (docs->transfer == NULL || self->call == NULL)
    {
      g_clear_object (&docs->send_cancellable);
      if (page != NULL)
        relais_scan_page_send_failed (page, _("L'appel est coupé : le document n'est pas parti."));
      return;
    }
  if (page != NULL)
    relais_scan_page_set_send_progress (page, 0.1);
  g_debug ("Sending the document: %u page(s), %" G_GSIZE_FORMAT " bytes",
           docs->send_pages, g_bytes_get_size (pdf));
  relais_transfer_send_async (docs->transfer, pdf, "dossier.pdf", "application/pdf",
                              docs->send_cancellable, documents_sent_cb, g_object_ref (self));
}

static void
documents_pdf_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RelaisApplication) self = user_data;
  Documents *docs = self->documents;
  RelaisScanPage *page = documents_page (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *dir = relais_session_dir_get_default ();
  g_autofree char *path = g_build_filename (dir, "dossier.pdf", NULL);
  g_autoptr(GFile) file = NULL;

  pdf = relais_document_write_pdf_finish (RELAIS_DOCUMENT (source), result, &error);
  if (pdf == NULL || docs->send_cancellable == NULL ||
      g_cancellable_is_cancelled (docs->send_cancellable))
    {
      g_clear_object (&docs->send_cancellable);
      if (page != NULL)
        relais_scan_page_send_failed (page, error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                      ? _("Le document n'a pas pu être préparé. Réessayez, ou prévenez l'agent d'accueil.")
                                      : _("L'envoi a été arrêté."));
      return;
    }

  /* The PDF stays in the session directory (a tmpfs, mode 0600), wiped
   * with the rest at the end of the session; written by GIO's worker. */
  if (!relais_session_dir_ensure (dir, &error))
    g_warning ("No session directory for the PDF: %s", error->message);
  g_clear_pointer (&docs->pdf, g_bytes_unref);
  docs->pdf = g_bytes_ref (pdf);
  file = g_file_new_for_path (path);
  g_file_replace_contents_bytes_async (file, pdf, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       docs->send_cancellable, documents_kept_cb, g_object_ref (self));
}

static void
documents_send (RelaisApplication *self)
{
  Documents *docs = self->documents;
  RelaisScanPage *page = documents_page (self);
  RelaisDocument *document;

  if (page == NULL || docs->send_cancellable != NULL || docs->scan_cancellable != NULL)
    return;
  document = relais_scan_page_get_document (page);
  if (relais_document_get_n_pages (document) == 0)
    return;

  docs->send_cancellable = g_cancellable_new ();
  docs->send_started = g_get_monotonic_time ();
  docs->send_pages = relais_document_get_n_pages (document);
  relais_scan_page_set_send_progress (page, 0.0);
  relais_document_set_colour (document, relais_config_get_scanner_colour (self->config));
  relais_document_write_pdf_async (document, docs->send_cancellable, documents_pdf_cb, g_object_ref (self));
}

/* Back to the call page; the pages are dropped (nothing of them stays). */
static void
documents_close (RelaisApplication *self)
{
  Documents *docs = self->documents;
  RelaisScanPage *page = documents_page (self);

  documents_cancel (docs);
  if (page == NULL)
    return;
  relais_scan_page_reset (page);
  if (g_strcmp0 (relais_window_get_page (self->window), "scan") == 0)
    {
      relais_window_hide_notice (self->window);
      relais_window_set_page (self->window, page_for_state (relais_session_get_state (self->session)));
    }
}

static void
scan_page_scan_requested_cb (RelaisApplication *self)
{
  documents_scan (self);
}

static void
scan_page_cancel_requested_cb (RelaisApplication *self)
{
  Documents *docs = self->documents;

  documents_cancel (docs);
}

static void
scan_page_send_requested_cb (RelaisApplication *self)
{
  documents_send (self);
}

static void
scan_page_closed_cb (RelaisApplication *self)
{
  documents_close (self);
}

static void
documents_connect_page (RelaisApplication *self)
{
  RelaisScanPage *page = documents_page (self);

  if (page == NULL)
    return;
  g_signal_connect_swapped (page, "scan-requested", G_CALLBACK (scan_page_scan_requested_cb), self);
  g_signal_connect_swapped (page, "cancel-requested", G_CALLBACK (scan_page_cancel_requested_cb), self);
  g_signal_connect_swapped (page, "send-requested", G_CALLBACK (scan_page_send_requested_cb), self);
  g_signal_connect_swapped (page, "closed", G_CALLBACK (scan_page_closed_cb), self);
}

/* The session is over: no scan, no sending, no document, no transfer. */
static void
documents_session_over (RelaisApplication *self)
{
  Documents *docs = self->documents;
  Printing *printing = self->printing;

  documents_close (self);
  docs->probed = FALSE;
  if (docs->transfer != NULL)
    {
      g_signal_handlers_disconnect_by_data (docs->transfer, self);
      relais_transfer_set_call (docs->transfer, NULL);
      g_clear_object (&docs->transfer);
    }
  docs->transfer_call = NULL;

  g_cancellable_cancel (printing->cancellable);
  g_clear_pointer (&printing->document, g_free);
  if (self->window != NULL)
    relais_print_page_set_document (relais_window_get_print_page (self->window), NULL);

  /* The person's files go now, not after the survey: the scans' PDF and
   * what the advisor sent (a few files on a tmpfs). */
  relais_session_dir_reset (NULL);
}

static void
documents_update_actions (RelaisApplication  *self,
                          RelaisSessionState  state)
{
  gboolean in_call = state == RELAIS_SESSION_IN_CALL && self->call != NULL;
  Documents *docs = self->documents;

  documents_sync_call (self);
  if (!in_call)
    documents_cancel (docs);
  set_action_enabled (self, "scan-document", in_call);
  set_action_enabled (self, "scan-page", in_call);
  set_action_enabled (self, "send-document", in_call);
  set_action_enabled (self, "close-scan", in_call);
}

static void
scan_document_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  documents_open (RELAIS_APPLICATION (user_data));
}

static void
scan_page_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  documents_scan (RELAIS_APPLICATION (user_data));
}

static void
send_document_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  documents_send (RELAIS_APPLICATION (user_data));
}

static void
close_scan_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  documents_close (RELAIS_APPLICATION (user_data));
}

static const GActionEntry actions[] = {
  { "agent", agent_action, NULL, NULL, NULL },
  { "unlock", unlock_action, "s", NULL, NULL },
  { "lock", lock_action, NULL, NULL, NULL },
  { "new-ticket", new_ticket_action, "(ssss)", NULL, NULL },
  { "call-next", call_next_action, NULL, NULL, NULL },
  { "call-ticket", call_ticket_action, "x", NULL, NULL },
  { "start-session", start_session_action, NULL, NULL, NULL },
  { "finish-session", finish_session_action, NULL, NULL, NULL },
  { "mark-absent", mark_absent_action, "x", NULL, NULL },
  { "cancel-ticket", cancel_ticket_action, "x", NULL, NULL },
  { "move-ticket", move_ticket_action, "(xi)", NULL, NULL },
  { "quit", quit_action, NULL, NULL, NULL },
  { "start-call", start_call_action, NULL, NULL, NULL },
  { "hang-up", hang_up_action, NULL, NULL, NULL },
  { "toggle-mute", toggle_mute_action, NULL, "false", NULL },
  { "toggle-camera", toggle_camera_action, NULL, "false", NULL },
  { "send-chat", send_chat_action, "s", NULL, NULL },
  { "show-document", show_document_action, "s", NULL, NULL },
  { "print-document", print_document_action, NULL, NULL, NULL },
  { "cancel-print", cancel_print_action, NULL, NULL, NULL },
  { "close-document", close_document_action, NULL, NULL, NULL },
  /* The documents work */
  { "scan-document", scan_document_action, NULL, NULL, NULL },
  { "scan-page", scan_page_action, NULL, NULL, NULL },
  { "send-document", send_document_action, NULL, NULL, NULL },
  { "close-scan", close_scan_action, NULL, NULL, NULL },
  { "survey", survey_action, "i", NULL, NULL },
  { "figures", figures_action, NULL, NULL, NULL },
  { "close-figures", close_figures_action, NULL, NULL, NULL },
  { "export-figures", export_figures_action, NULL, NULL, NULL },
  /* The presence work */
  { "call-now", call_now_action, "x", NULL, NULL },
  { "cancel-wait", cancel_wait_action, NULL, NULL, NULL },
};

/* Command line */

static char *
read_pin_from_stdin (void)
{
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  char buffer[128] = { 0 };
  char *result = NULL;

  if (tty)
    {
      g_printerr ("%s", _("Code (4 à 12 chiffres) : "));
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~ECHO;
      tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
    }

  if (fgets (buffer, sizeof buffer, stdin) != NULL)
    {
      buffer[strcspn (buffer, "\r\n")] = '\0';
      result = g_strdup (buffer);
    }

  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &saved);
      g_printerr ("\n");
    }

  memset (buffer, 0, sizeof buffer);

  return result;
}

static int
hash_pin (void)
{
  g_autofree char *pin = read_pin_from_stdin ();
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;

  if (pin == NULL)
    {
      g_printerr ("%s\n", _("Aucun code lu sur l'entrée standard."));
      return 1;
    }

  for (const char *p = pin; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        {
          g_printerr ("%s\n", _("Le code ne doit contenir que des chiffres."));
          return 1;
        }
    }

  hash = relais_agent_lock_hash_pin (pin, &error);
  memset (pin, 0, strlen (pin));
  if (hash == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("pin-hash=%s\n", hash);
  return 0;
}

static RelaisConfig *
load_config (const char  *explicit_path,
             GError     **error)
{
  g_autofree char *path = relais_config_find_file (explicit_path);

  if (path == NULL)
    return relais_config_new_default ();

  return relais_config_new_from_file (path, error);
}

static int
check_config (const char *path)
{
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(RelaisDirectory) directory = NULL;
  g_autoptr(GError) error = NULL;

  config = relais_config_new_from_file (path, &error);
  if (config == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  directory = relais_directory_new_from_file (relais_config_get_directory_file (config), &error);
  if (directory == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print (_("%s : configuration valide (%s, %u services dans l'annuaire).\n"),
           path,
           relais_config_is_demo (config) ? _("mode démonstration") : relais_config_get_janus_url (config),
           relais_directory_get_n_services (directory));
  return 0;
}

/* `--export-csv FILE`: every recorded session, anonymous columns only,
 * from the kiosk's store (it may be running: the store is WAL). */
static int
export_csv (const char *config_path,
            const char *path)
{
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(RelaisStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  guint n_rows = 0;

  config = load_config (config_path, &error);
  if (config == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  store = relais_store_new (relais_config_get_store_path (config), &error);
  if (store == NULL || (csv = figures_csv (store, &n_rows, &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (!g_file_set_contents (path, csv, -1, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "%s : %u séance écrite (CSV).\n",
                        "%s : %u séances écrites (CSV).\n",
                        n_rows),
           path, n_rows);
  return 0;
}

static void
apply_language (RelaisConfig *config)
{
  /* An explicit LANGUAGE (a technician testing, say) wins over the
   * configuration. */
  if (g_getenv ("LANGUAGE") != NULL)
    return;

  g_setenv ("LANGUAGE", relais_config_get_language (config), TRUE);
  /* Makes gettext drop what it cached under the previous language. */
  setlocale (LC_MESSAGES, "");
}

static void
relais_application_startup (GApplication *application)
{
  RelaisApplication *self = RELAIS_APPLICATION (application);
  g_autoptr(GtkCssProvider) css = NULL;
  g_autoptr(GError) error = NULL;
  gint64 leftovers;

  G_APPLICATION_CLASS (relais_application_parent_class)->startup (application);

  relais_register_resource ();

  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/org/relais/Kiosk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  self->context = relais_context_new (self->config, &error);
  if (self->context == NULL)
    {
      g_printerr ("%s\n", error->message);
      self->exit_status = 1;
      return;
    }

  /* What a crash left of the last session's files goes first. */
  relais_session_dir_reset (NULL);

  leftovers = relais_store_count_personal_leftovers (relais_context_get_store (self->context), NULL);
  if (leftovers > 0)
    g_warning ("%" G_GINT64_FORMAT " ended tickets still carry personal fields", leftovers);

  relais_queue_set_turn_rule (relais_context_get_queue (self->context),
                              relais_advisor_presence_turn_ready,
                              relais_context_get_advisor_presence (self->context), NULL);
  g_signal_connect_object (relais_context_get_advisor_presence (self->context), "changed",
                           G_CALLBACK (presence_changed_cb), self, G_CONNECT_SWAPPED);
  self->booth = g_object_ref (relais_context_get_booth (self->context));
  booth_connect (self);

  self->session = g_object_ref (relais_context_get_session (self->context));
  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (session_state_cb), self, G_CONNECT_SWAPPED);
  figures_init (self);

  self->last_activity = g_get_monotonic_time ();
  self->idle_id = g_timeout_add_seconds (IDLE_CHECK_SECONDS, idle_check_cb, self);

  update_actions (self);
}

static void
relais_application_activate (GApplication *application)
{
  RelaisApplication *self = RELAIS_APPLICATION (application);
  GtkEventController *activity;

  if (self->context == NULL)
    {
      /* start-up failed and said why on stderr */
      g_application_quit (application);
      return;
    }

  if (self->window == NULL)
    {
      self->window = relais_window_new (GTK_APPLICATION (self), self->context);
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *)&self->window);
      documents_connect_page (self);

      activity = gtk_event_controller_legacy_new ();
      gtk_event_controller_set_propagation_phase (activity, GTK_PHASE_CAPTURE);
      g_signal_connect (activity, "event", G_CALLBACK (activity_cb), self);
      gtk_widget_add_controller (GTK_WIDGET (self->window), activity);

      session_state_cb (self);
      relais_advisor_presence_start (relais_context_get_advisor_presence (self->context));
    }

  gtk_window_present (GTK_WINDOW (self->window));
}

static void
relais_application_shutdown (GApplication *application)
{
  RelaisApplication *self = RELAIS_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->booth != NULL)
    relais_booth_drop (self->booth);

  if (self->window != NULL)
    {
      relais_window_set_can_close (self->window, TRUE);
      gtk_window_destroy (GTK_WINDOW (self->window));
    }

  G_APPLICATION_CLASS (relais_application_parent_class)->shutdown (application);
}

static void
relais_application_dispose (GObject *object)
{
  RelaisApplication *self = (RelaisApplication *)object;

  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->call != NULL)
    g_signal_handlers_disconnect_by_data (self->call, self);
  g_clear_weak_pointer (&self->call);
  if (self->booth != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->booth, self);
      relais_booth_drop (self->booth);
    }
  if (self->context != NULL)
    relais_advisor_presence_stop (relais_context_get_advisor_presence (self->context));
  figures_clear (self);
  g_clear_object (&self->booth);
  g_clear_object (&self->session);
  g_clear_object (&self->context);
  g_clear_object (&self->config);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (relais_application_parent_class)->dispose (object);
}

static void
relais_application_finalize (GObject *object)
{
  RelaisApplication *self = (RelaisApplication *)object;

  g_clear_pointer (&self->documents, documents_free);
  g_clear_pointer (&self->printing, printing_free);

  G_OBJECT_CLASS (relais_application_parent_class)->finalize (object);
}

static void
relais_application_class_init (RelaisApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = relais_application_dispose;
  object_class->finalize = relais_application_finalize;

  app_class->startup = relais_application_startup;
  app_class->activate = relais_application_activate;
  app_class->shutdown = relais_application_shutdown;
}

static void
relais_application_init (RelaisApplication *self)
{
  self->cancellable = g_cancellable_new ();
  self->printing = g_new0 (Printing, 1);
  self->documents = g_new0 (Documents, 1);
  self->documents->app = self;
}

RelaisApplication *
relais_application_new (RelaisConfig *config)
{
  RelaisApplication *self;

  g_return_val_if_fail (config == NULL || RELAIS_IS_CONFIG (config), NULL);

  self = g_object_new (RELAIS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
  self->config = config ? g_object_ref (config) : relais_config_new_default ();

  return self;
}

RelaisContext *
relais_application_get_context (RelaisApplication *self)
{
  g_return_val_if_fail (RELAIS_IS_APPLICATION (self), NULL);
  return self->context;
}

RelaisSession *
relais_application_get_session (RelaisApplication *self)
{
  g_return_val_if_fail (RELAIS_IS_APPLICATION (self), NULL);
  return self->session;
}

GtkWindow *
relais_application_get_main_window (RelaisApplication *self)
{
  g_return_val_if_fail (RELAIS_IS_APPLICATION (self), NULL);
  return GTK_WINDOW (self->window);
}

int
relais_application_get_exit_status (RelaisApplication *self)
{
  g_return_val_if_fail (RELAIS_IS_APPLICATION (self), 1);
  return self->exit_status;
}

void
relais_application_init_i18n (void)
{
  const char *localedir = g_getenv ("RELAIS_LOCALEDIR");
  const char *locale = setlocale (LC_ALL, "");

  /* glibc ignores LANGUAGE under the plain "C" locale, which is what a
   * bare kiosk session or CI gets: C.UTF-8 behaves the same otherwise. */
  if (locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");

  if (localedir == NULL)
    {
      g_autofree char *installed = g_build_filename (LOCALEDIR, "en", "LC_MESSAGES",
                                                     GETTEXT_PACKAGE ".mo", NULL);

      localedir = g_file_test (installed, G_FILE_TEST_EXISTS) ? LOCALEDIR : BUILD_LOCALEDIR;
    }

  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

int
relais_kiosk_main (int                argc,
                   char             **argv,
                   RelaisKioskHook    hook,
                   gpointer           hook_data)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelaisApplication) app = NULL;
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *check_path = NULL;
  g_autofree char *export_path = NULL;
  gboolean want_hash_pin = FALSE;
  gboolean want_version = FALSE;
  char *app_argv[] = { argv[0], NULL };
  int status;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      N_("Fichier de configuration à utiliser"), N_("FICHIER") },
    { "check-config", 0, 0, G_OPTION_ARG_FILENAME, &check_path,
      N_("Vérifier un fichier de configuration et quitter"), N_("FICHIER") },
    { "export-csv", 0, 0, G_OPTION_ARG_FILENAME, &export_path,
      N_("Écrire les chiffres anonymes de toutes les séances dans un fichier CSV et quitter"), N_("FICHIER") },
    { "hash-pin", 0, 0, G_OPTION_ARG_NONE, &want_hash_pin,
      N_("Lire un code agent sur l'entrée standard et afficher sa ligne pin-hash"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &want_version,
      N_("Afficher la version et quitter"), NULL },
    { NULL }
  };

  /* Parsed here rather than by GApplication: --check-config and
   * --hash-pin run on a technician's terminal with no display, and
   * GtkApplication wants one before it hands over its options. */
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Borne Relais : rendez-vous en visio avec les services publics."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (want_version)
    {
      g_print ("relais-kiosk %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (want_hash_pin)
    return hash_pin ();

  if (check_path != NULL)
    return check_config (check_path);

  if (export_path != NULL)
    return export_csv (config_path, export_path);

  /* A kiosk never starts half-configured: a bad file stops it here, with
   * every problem listed, before any window shows. */
  config = load_config (config_path, &error);
  if (config == NULL)
    {
      g_printerr ("%s\n", error->message);
      g_printerr ("%s\n", _("Le kiosque ne démarre pas tant que la configuration est fausse."));
      return 1;
    }

  apply_language (config);

  app = relais_application_new (config);
  if (hook != NULL)
    hook (app, hook_data);

  status = g_application_run (G_APPLICATION (app), 1, app_argv);
  if (status == 0)
    status = app->exit_status;

  return status;
}
