/* relais-application.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-application"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relais-application.h"
#include "relais-session-dir.h"
#include "relais-camera-still.h"
#include "relais-document.h"
#include "relais-scanner.h"
#include "relais-transfer.h"
#include "relais-call.h"
#include "relais-error.h"
#include "relais-figures.h"
#include "relais-figures-store.h"
#include "relais-http-client.h"
#include "relais-printer.h"
#include "relais-outbox.h"
#include "relais-resources.h"
#include "relais-window.h"

#define IDLE_CHECK_SECONDS 5
/* How far back the estimated waits look. */
#define WAIT_FIGURES_DAYS 14


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


  gint64           last_activity;  /* monotonic µs */
  guint            idle_id;
  int              exit_status;
};

G_DEFINE_FINAL_TYPE (RelaisApplication, relais_application, GTK_TYPE_APPLICATION)

/* RELAIS_TEST_TRACE=1: what the screen says, one line on stderr each time
 * it changes (the notices, the call's status line, the first remote
 * frame; the window traces the page), for the integration tests and the
 * benchmark. Never a name, a note or a chat line: none of those go
 * through here. */
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

/* The window follows booth:waiting itself (the wait page); what can be
 * done changes with it. */
static void
booth_waiting_cb (RelaisApplication *self)
{
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

static void
session_state_cb (RelaisApplication *self)
{
  RelaisSessionState state = relais_session_get_state (self->session);

  self->last_activity = g_get_monotonic_time ();

  /* Back to the attract screen: nothing of the last person stays (scans,
   * documents, temporary files; issue 5, item 8). A session finished from
   * the desk gets here when the desk locks (2 minutes at most). */
  if (state == RELAIS_SESSION_ATTRACT)
    {
      documents_session_over (self);
      relais_session_dir_reset (NULL);
    }

  /* The window shows the new state's page (and traces it): what was
   * shown over the last one goes with it. */
  if (self->window != NULL)
    {
      relais_window_set_overlay (self->window, RELAIS_WINDOW_OVERLAY_NONE);
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
  relais_session_record_note_wait_given_up (relais_context_get_session_record (self->context));
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

  relais_session_record_ticket_ended (relais_context_get_session_record (self->context), ticket_id);
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

  relais_session_record_ticket_ended (relais_context_get_session_record (self->context), ticket_id);
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
  g_application_quit (G_APPLICATION (self));
}

/* ---- figures: the anonymous record of each session ---------------------
 *
 * RelaisSessionRecord (the context's) measures the call and writes the
 * row and its upload; the actions here tell it what only the application
 * knows, and show the figures page. */

static RelaisSessionRecord *
session_record (RelaisApplication *self)
{
  return relais_context_get_session_record (self->context);
}

gboolean
relais_application_record_outcome (RelaisApplication  *self,
                                   const char         *outcome,
                                   GError            **error)
{
  g_return_val_if_fail (RELAIS_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->context == NULL)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED, "No session to give an outcome to");
      return FALSE;
    }

  return relais_session_record_set_outcome (session_record (self), outcome, error);
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
  int answer = g_variant_get_int32 (parameter);
  g_autoptr(GError) error = NULL;

  if (relais_session_get_state (self->session) != RELAIS_SESSION_SURVEY)
    return;

  /* 0: "Ne pas répondre". */
  if (answer >= RELAIS_SURVEY_MIN && answer <= RELAIS_SURVEY_MAX
      && !relais_session_record_answer_survey (session_record (self), answer, &error))
    g_warning ("Survey answer not recorded: %s", error->message);

  notice (self, _("Merci ! À bientôt."), FALSE);
  handle (self, RELAIS_SESSION_EVENT_SURVEY_DONE);
}

static void
figures_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  RelaisFiguresPage *page;
  const RelaisFigures *figures;
  g_autoptr(GError) error = NULL;

  if (self->window == NULL || relais_session_get_state (self->session) != RELAIS_SESSION_DESK)
    return;

  page = relais_window_get_figures_page (self->window);
  if (!relais_figures_page_refresh (page, &error))
    {
      notice_error (self, error);
      return;
    }

  relais_window_set_overlay (self->window, RELAIS_WINDOW_OVERLAY_FIGURES);
  figures = relais_figures_page_get_figures (page);
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
    relais_window_set_overlay (self->window, RELAIS_WINDOW_OVERLAY_NONE);
}

typedef struct
{
  RelaisApplication *self;
  char              *path;
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
  guint n_rows = 0;

  if (!relais_figures_csv_write_finish (RELAIS_STORE (object), result, &n_rows, &error))
    {
      /* The store's errors say what they are; the file's need the way out. */
      if (error->domain != G_IO_ERROR || error->code == G_IO_ERROR_CANCELLED)
        {
          notice_error (data->self, error);
          return;
        }
      g_warning ("CSV export failed: %s", error->message);
      message = g_strdup_printf (_("Le fichier des chiffres n'a pas pu être écrit (%s). Vérifiez la place libre, puis réessayez."),
                                 error->message);
      notice (data->self, message, TRUE);
      return;
    }

  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Chiffres enregistrés (%u séance) dans %s",
                                          "Chiffres enregistrés (%u séances) dans %s",
                                          n_rows),
                             n_rows, data->path);
  notice (data->self, message, FALSE);
}

static void
export_figures_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  ExportData *data;

  data = g_new0 (ExportData, 1);
  data->self = g_object_ref (self);
  data->path = relais_figures_csv_default_path ();
  relais_figures_csv_write_async (relais_context_get_store (self->context), data->path,
                                  self->cancellable, export_written_cb, data);
}

/* The person's papers (common/booth/relais-dossier.h): the scan page in
 * the call, the sending, the advisor's document and its printing. The
 * dossier does the work and the scan and print pages watch it; here the
 * actions reach it and the window shows the page. */

static RelaisDossier *
dossier_of (RelaisApplication *self)
{
  return self->context != NULL ? relais_context_get_dossier (self->context) : NULL;
}

static void
dossier_document_cb (RelaisDossier     *dossier,
                     GParamSpec        *pspec,
                     RelaisApplication *self)
{
  if (self->window == NULL || relais_dossier_get_document_path (dossier) == NULL)
    return;
  relais_window_hide_notice (self->window);
  relais_window_set_overlay (self->window, RELAIS_WINDOW_OVERLAY_PRINT);
}

static void
dossier_receive_failed_cb (RelaisDossier     *dossier,
                           const char        *message,
                           RelaisApplication *self)
{
  notice (self, message, TRUE);
}

static void
show_document_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  if (self->window == NULL)
    return;
  if (!relais_dossier_show_document (dossier_of (self), g_variant_get_string (parameter, NULL)))
    notice (self, _("Ce document ne peut pas être ouvert. Demandez à votre conseiller de vous le renvoyer."), TRUE);
}

static void
print_document_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  relais_dossier_print (dossier_of (RELAIS_APPLICATION (user_data)));
}

static void
cancel_print_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  relais_dossier_cancel_print (dossier_of (RELAIS_APPLICATION (user_data)));
}

static void
close_document_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  relais_dossier_close_document (dossier_of (self));
  if (self->window == NULL)
    return;
  /* Back to where the session is (the call, usually). */
  relais_window_set_overlay (self->window, RELAIS_WINDOW_OVERLAY_NONE);
}

/* Opens the scan page over the call (the call keeps running). */
static void
documents_open (RelaisApplication *self)
{
  if (self->window == NULL || relais_session_get_state (self->session) != RELAIS_SESSION_IN_CALL)
    return;

  relais_dossier_prepare (dossier_of (self));
  relais_window_hide_notice (self->window);
  relais_window_set_overlay (self->window, RELAIS_WINDOW_OVERLAY_SCAN);
  g_debug ("Scan page open");
}

/* Back to the call page; the pages are dropped (nothing of them stays). */
static void
documents_close (RelaisApplication *self)
{
  relais_dossier_clear_pages (dossier_of (self));
  if (self->window != NULL && g_strcmp0 (relais_window_get_page (self->window), "scan") == 0)
    {
      relais_window_hide_notice (self->window);
      relais_window_set_overlay (self->window, RELAIS_WINDOW_OVERLAY_NONE);
    }
}

static void
documents_connect_page (RelaisApplication *self)
{
  RelaisDossier *dossier = dossier_of (self);

  g_signal_connect_object (dossier, "notify::document", G_CALLBACK (dossier_document_cb), self, 0);
  g_signal_connect_object (dossier, "receive-failed", G_CALLBACK (dossier_receive_failed_cb), self, 0);
}

/* The session is over: no scan, no sending, no document, no transfer,
 * and the session directory wiped. */
static void
documents_session_over (RelaisApplication *self)
{
  documents_close (self);
  relais_dossier_reset (dossier_of (self));
}

static void
documents_update_actions (RelaisApplication  *self,
                          RelaisSessionState  state)
{
  gboolean in_call = state == RELAIS_SESSION_IN_CALL && self->call != NULL;
  RelaisDossier *dossier = dossier_of (self);

  if (!in_call)
    relais_dossier_cancel (dossier);
  set_action_enabled (self, "scan-document", in_call);
  set_action_enabled (self, "scan-page", in_call);
  set_action_enabled (self, "cancel-scan", in_call);
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
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  /* The banner ("your advisor asks…") would cover the pages. */
  if (self->window != NULL)
    relais_window_hide_notice (self->window);
  relais_dossier_scan_async (dossier_of (self), NULL, NULL, NULL);
}

static void
cancel_scan_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  relais_dossier_cancel (dossier_of (RELAIS_APPLICATION (user_data)));
}

static void
send_document_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  relais_dossier_send_async (dossier_of (RELAIS_APPLICATION (user_data)), NULL, NULL, NULL);
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
  { "cancel-scan", cancel_scan_action, NULL, NULL, NULL },
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
    gtk_window_destroy (GTK_WINDOW (self->window));

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
  g_clear_object (&self->booth);
  g_clear_object (&self->session);
  g_clear_object (&self->context);
  g_clear_object (&self->config);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (relais_application_parent_class)->dispose (object);
}

static void
relais_application_class_init (RelaisApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = relais_application_dispose;

  app_class->startup = relais_application_startup;
  app_class->activate = relais_application_activate;
  app_class->shutdown = relais_application_shutdown;
}

static void
relais_application_init (RelaisApplication *self)
{
  self->cancellable = g_cancellable_new ();
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
