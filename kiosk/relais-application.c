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
#include "relais-demo-advisor.h"
#include "relais-error.h"
#include "relais-figures.h"
#include "relais-figures-store.h"
#include "relais-http-client.h"
#include "relais-janus.h"
#include "relais-printer.h"
#include "relais-outbox.h"
#include "relais-presence.h"
#include "relais-resources.h"
#include "relais-room-call.h"
#include "relais-window.h"

#define IDLE_CHECK_SECONDS 5
/* How long the gateway may stay unreachable during a call before we stop
 * pretending it will come back and show the way out. */
#define GATEWAY_DOWN_SECONDS 30
#define GATEWAY_PROBE_TIMEOUT_MS 5000
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

  /* The call of the person at the booth: one per person, made for the
   * pre-call check, dropped when their call or session ends. Its chat
   * lines live in the call page only and go with it. */
  RelaisCall        *call;
  RelaisDemoAdvisor *advisor;
  guint              reconcile_id;

  /* With a gateway: one HTTP client for the kiosk's life, one Janus
   * session and one room call per call. */
  RelaisHttpClient  *http;
  RelaisJanus       *janus;
  RelaisRoomCall    *room_call;
  GCancellable      *probe_cancellable;
  gboolean           gateway_lost;
  char              *gateway_failure;  /* shown instead of the call's state */
  guint              gateway_down_id;

  /* The presence work (common/PROTOCOL.md): the desk's view of the
   * services' lobbies (a gateway session of its own), and the person
   * waiting for an advisor to take them (on the call's session). */
  RelaisJanus       *presence_janus;
  RelaisPresence    *presence;
  RelaisPresence    *waiting;
  GCancellable      *wait_cancellable;
  gboolean           call_waiting;
  gint64             call_now_at;     /* monotonic µs of call-now, 0: none */
  gint64             taken_at;

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

/* The call */

static gboolean handle (RelaisApplication *self, RelaisSessionEvent event);

static gboolean
person_in_call (RelaisApplication *self)
{
  RelaisTicket *current = relais_queue_get_current (relais_context_get_queue (self->context));

  return current != NULL && relais_ticket_get_state (current) == RELAIS_TICKET_IN_CALL;
}

static void
reset_toggle (RelaisApplication *self,
              const char        *name)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (FALSE));
}

/* ---- calls through the gateway ------------------------------------------ */

static void
show_call_state (RelaisApplication *self)
{
  RelaisCallPage *page;

  if (self->window == NULL || self->call == NULL)
    return;

  page = relais_window_get_call_page (self->window);
  if (self->gateway_failure != NULL)
    relais_call_page_set_state (page, RELAIS_CALL_FAILED, self->gateway_failure);
  else if (self->gateway_lost)
    relais_call_page_set_state (page, RELAIS_CALL_RECONNECTING,
                                _("La connexion au serveur de visio est coupée. Nous essayons de la rétablir : restez devant l'écran."));
  else
    relais_call_page_set_state (page, relais_call_get_state (self->call),
                                relais_call_get_failure (self->call));
  trace ("call-status", relais_call_page_get_status_text (page));
}

static void
gateway_fail (RelaisApplication *self,
              const char        *message)
{
  g_clear_handle_id (&self->gateway_down_id, g_source_remove);
  g_free (self->gateway_failure);
  self->gateway_failure = g_strdup_printf ("%s %s", message,
                                           _("Prévenez l'agent d'accueil."));
  show_call_state (self);
  update_actions (self);
}

static RelaisHttpClient *
ensure_http (RelaisApplication *self)
{
  if (self->http == NULL)
    {
      const char *ca_file = relais_config_get_ca_file (self->config);

      self->http = relais_http_client_new ();
      if (ca_file != NULL)
        relais_http_client_set_ca_file (self->http, ca_file);
    }
  return self->http;
}

static void
janus_destroy_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!relais_janus_destroy_finish (RELAIS_JANUS (object), result, &error))
    g_debug ("Ending the gateway session failed: %s", error->message);
}

static void
room_stop_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RelaisJanus) janus = user_data;

  relais_room_call_stop_finish (RELAIS_ROOM_CALL (object), result, NULL);
  /* Ending the session also stops any reconnecting. */
  relais_janus_destroy_async (janus, NULL, janus_destroy_cb, NULL);
}

/* Leaves the room, then ends the gateway session, in the background. */
static void presence_wait_drop (RelaisApplication *self);

static void
room_call_drop (RelaisApplication *self)
{
  presence_wait_drop (self);
  g_clear_handle_id (&self->gateway_down_id, g_source_remove);
  g_clear_pointer (&self->gateway_failure, g_free);
  self->gateway_lost = FALSE;
  cancel_and_clear (&self->probe_cancellable);

  if (self->room_call != NULL)
    {
      g_debug ("Leaving the room");
      g_signal_handlers_disconnect_by_data (self->room_call, self);
      relais_room_call_stop_async (self->room_call, NULL, room_stop_cb, g_object_ref (self->janus));
      g_clear_object (&self->room_call);
    }
  else if (self->janus != NULL)
    relais_janus_destroy_async (self->janus, NULL, janus_destroy_cb, NULL);
  g_clear_object (&self->janus);
}

typedef struct
{
  RelaisApplication *self;
  gint64             started_at;
} GatewayProbe;

static void
gateway_probe_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autofree GatewayProbe *probe = user_data;
  g_autoptr(RelaisApplication) self = probe->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) info = NULL;
  g_autofree char *text = NULL;
  RelaisPrecallPage *precall;
  int ms;

  info = relais_http_client_get_json_finish (RELAIS_HTTP_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->window == NULL)
    return;

  precall = relais_window_get_precall_page (self->window);
  if (info == NULL)
    {
      g_debug ("Gateway probe failed: %s", error->message);
      text = g_strdup_printf ("%s %s", error->message,
                              _("Vous pouvez tout de même commencer l'appel ; s'il ne démarre pas, prévenez l'agent d'accueil."));
      relais_precall_page_set_network_status (precall, FALSE, text);
      trace ("precall-network", text);
      return;
    }

  ms = (int) ((g_get_monotonic_time () - probe->started_at) / 1000);
  g_debug ("Gateway probe: answered in %d ms", ms);
  text = g_strdup_printf (_("Serveur de visio joignable : réponse en %d ms."), ms);
  relais_precall_page_set_network_status (precall, TRUE, text);
  trace ("precall-network", text);
}

/* A GET of the gateway's /info, timed: it tells whether the call can
 * start before the person tries, and blocks nothing. */
static void
gateway_probe (RelaisApplication *self)
{
  RelaisPrecallPage *precall = relais_window_get_precall_page (self->window);
  const char *base = relais_config_get_janus_url (self->config);
  g_autofree char *trimmed = g_strdup (base);
  g_autofree char *url = NULL;
  GatewayProbe *probe;

  cancel_and_clear (&self->probe_cancellable);
  self->probe_cancellable = g_cancellable_new ();

  while (trimmed[0] != '\0' && g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';
  url = g_strconcat (trimmed, "/info", NULL);

  relais_precall_page_set_network_checking (precall, _("Vérification de la connexion au serveur de visio…"));
  probe = g_new (GatewayProbe, 1);
  probe->self = g_object_ref (self);
  probe->started_at = g_get_monotonic_time ();
  relais_http_client_get_json_async (ensure_http (self), url, GATEWAY_PROBE_TIMEOUT_MS,
                                     self->probe_cancellable, gateway_probe_cb, probe);
}

static gboolean
gateway_down_cb (gpointer user_data)
{
  RelaisApplication *self = user_data;

  self->gateway_down_id = 0;
  g_debug ("The gateway stayed out of reach for %d s: giving up the call", GATEWAY_DOWN_SECONDS);
  /* No coming back into this call: stop reconnecting, and say what to do.
   * The next call starts afresh, with the gateway back or not. */
  room_call_drop (self);
  gateway_fail (self, _("Le service de visio est injoignable : l'appel ne peut pas continuer."));
  return G_SOURCE_REMOVE;
}

static void
room_lost_cb (RelaisRoomCall    *room_call,
              RelaisApplication *self)
{
  g_debug ("Gateway lost");
  self->gateway_lost = TRUE;
  relais_session_record_note_link_lost (relais_context_get_session_record (self->context));
  notice (self, _("La connexion au serveur de visio est perdue : nouvelle tentative en cours…"), TRUE);
  if (self->gateway_down_id == 0 && self->gateway_failure == NULL)
    self->gateway_down_id = g_timeout_add_seconds (GATEWAY_DOWN_SECONDS, gateway_down_cb, self);
  show_call_state (self);
}

static void call_state_cb       (RelaisApplication *self);
static void mic_level_cb        (RelaisApplication *self);
static void message_received_cb (RelaisApplication *self,
                                 const char        *text);

static gboolean
toggle_state (RelaisApplication *self,
              const char        *name)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (self), name);

  return state != NULL && g_variant_get_boolean (state);
}

/* The call's peers died with the gateway session: a fresh call (same
 * devices, same mute and camera choices) publishes in the new one. */
static gboolean
call_replace (RelaisApplication  *self,
              GError            **error)
{
  RelaisCallOptions options;
  g_autoptr(RelaisCall) call = NULL;
  g_autoptr(RelaisCall) old = NULL;

  relais_call_options_init_from_config (&options, self->config);
  call = relais_call_new (&options, error);
  relais_call_options_clear (&options);
  if (call == NULL)
    return FALSE;
  if (!relais_call_start_preview (call, error))
    {
      relais_call_hang_up (call);
      return FALSE;
    }

  old = g_steal_pointer (&self->call);
  if (old != NULL)
    {
      g_signal_handlers_disconnect_by_data (old, self);
      relais_call_hang_up (old);
    }
  self->call = g_steal_pointer (&call);
  relais_session_record_set_call (relais_context_get_session_record (self->context), self->call);
  g_signal_connect_swapped (self->call, "notify::state", G_CALLBACK (call_state_cb), self);
  g_signal_connect_swapped (self->call, "notify::mic-level", G_CALLBACK (mic_level_cb), self);
  g_signal_connect_swapped (self->call, "message-received", G_CALLBACK (message_received_cb), self);
  relais_call_set_muted (self->call, toggle_state (self, "toggle-mute"));
  relais_call_set_camera_off (self->call, toggle_state (self, "toggle-camera"));

  if (self->window != NULL && relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    {
      RelaisCallPage *call_page = relais_window_get_call_page (self->window);

      relais_call_page_set_local_sink (call_page, relais_call_get_local_video_sink (self->call));
      relais_call_page_set_remote_sink (call_page, relais_call_get_remote_video_sink (self->call));
    }
  return TRUE;
}

static void
room_reconnected_cb (RelaisRoomCall    *room_call,
                     RelaisApplication *self)
{
  g_autoptr(GError) error = NULL;

  g_debug ("Gateway back");
  self->gateway_lost = FALSE;
  g_clear_handle_id (&self->gateway_down_id, g_source_remove);
  g_clear_pointer (&self->gateway_failure, g_free);

  if (!call_replace (self, &error))
    {
      g_warning ("The call could not start again: %s", error->message);
      relais_room_call_set_call (room_call, NULL);
      gateway_fail (self, _("La caméra et le micro ne redémarrent pas : l'appel ne peut pas continuer."));
      return;
    }
  relais_room_call_set_call (room_call, self->call);
  notice (self, _("La connexion au serveur de visio est rétablie : l'appel reprend."), FALSE);
  show_call_state (self);
  update_actions (self);
}

static void
room_first_frame_cb (RelaisRoomCall    *room_call,
                     gint64             at,
                     RelaisApplication *self)
{
  g_autofree char *text = NULL;
  gint64 joined = relais_room_call_get_join_requested_at (room_call);

  text = g_strdup_printf ("%" G_GINT64_FORMAT " ms after the join request",
                          joined != 0 ? (at - joined) / 1000 : -1);
  trace ("first-remote-frame", text);
}

static void
room_failed_cb (RelaisRoomCall    *room_call,
                const char        *message,
                RelaisApplication *self)
{
  gateway_fail (self, message);
}

static void
room_remote_left_cb (RelaisRoomCall    *room_call,
                     RelaisApplication *self)
{
  /* The advisor hung up: the call is over, as with the demo advisor. */
  g_debug ("The other side left the room");
  if (relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
}

static void
room_start_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RelaisApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (relais_room_call_start_finish (RELAIS_ROOM_CALL (object), result, &error))
    {
      g_debug ("Joined the room");
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      (gpointer) object != (gpointer) self->room_call)
    return;

  g_debug ("Joining the room failed: %s", error->message);
  gateway_fail (self, _("L'appel n'a pas pu joindre le serveur de visio."));
}

/* Joins the room of the ticket's sub-service (else its service's lobby)
 * and publishes the call. */
static gboolean
gateway_call_start (RelaisApplication  *self,
                    GError            **error)
{
  RelaisTicket *current = relais_queue_get_current (relais_context_get_queue (self->context));
  RelaisDirectory *directory = relais_context_get_directory (self->context);
  const RelaisSubservice *subservice = NULL;
  const RelaisService *service = NULL;
  g_autofree char *display = NULL;
  gint64 room = 0;

  if (current == NULL)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Aucun ticket n'est en cours."));
      return FALSE;
    }

  if (relais_ticket_get_subservice_id (current) != NULL)
    subservice = relais_directory_find_subservice (directory,
                                                   relais_ticket_get_service_id (current),
                                                   relais_ticket_get_subservice_id (current));
  if (subservice != NULL && subservice->room > 0)
    room = subservice->room;
  else
    {
      service = subservice != NULL ? subservice->service
                                   : relais_directory_find_service (directory,
                                                                    relais_ticket_get_service_id (current));
      if (service != NULL)
        room = service->lobby_room;
    }
  if (room <= 0)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG,
                   _("Aucune salle d'appel n'est prévue pour ce service. Prévenez l'agent d'accueil."));
      return FALSE;
    }

  room_call_drop (self);
  /* What the advisor sees: where and which ticket, never who. */
  display = g_strdup_printf ("%s – %s", relais_config_get_site_name (self->config),
                             relais_ticket_get_code (current));
  g_debug ("Joining room %" G_GINT64_FORMAT, room);
  self->janus = relais_janus_new (ensure_http (self), relais_config_get_janus_url (self->config), NULL);
  self->room_call = relais_room_call_new (self->janus, self->call, (guint64) room, display, NULL);
  g_signal_connect (self->room_call, "lost", G_CALLBACK (room_lost_cb), self);
  g_signal_connect (self->room_call, "reconnected", G_CALLBACK (room_reconnected_cb), self);
  g_signal_connect (self->room_call, "failed", G_CALLBACK (room_failed_cb), self);
  g_signal_connect (self->room_call, "first-remote-frame", G_CALLBACK (room_first_frame_cb), self);
  g_signal_connect (self->room_call, "remote-left", G_CALLBACK (room_remote_left_cb), self);
  relais_room_call_start_async (self->room_call, NULL, room_start_cb, g_object_ref (self));
  return TRUE;
}

static void
call_drop (RelaisApplication *self)
{
  g_clear_handle_id (&self->reconcile_id, g_source_remove);
  /* Leave before hanging up, so the advisor hears "leaving" at once. */
  room_call_drop (self);

  /* The pages let go of the appsinks and forget the conversation first,
   * so no frame or message of this person reaches the next one. */
  if (self->window != NULL)
    {
      relais_precall_page_reset (relais_window_get_precall_page (self->window));
      relais_call_page_reset (relais_window_get_call_page (self->window));
    }

  if (self->call == NULL)
    return;

  g_debug ("Dropping the call");
  g_signal_handlers_disconnect_by_data (self->call, self);
  if (self->advisor != NULL)
    relais_demo_advisor_disconnect (self->advisor);
  relais_call_hang_up (self->call);
  g_clear_object (&self->advisor);
  g_clear_object (&self->call);
  relais_session_record_set_call (relais_context_get_session_record (self->context), NULL);

  reset_toggle (self, "toggle-mute");
  reset_toggle (self, "toggle-camera");
}

static gboolean
reconcile_cb (gpointer user_data)
{
  RelaisApplication *self = user_data;
  RelaisCallState call_state;

  self->reconcile_id = 0;

  if (self->call == NULL)
    return G_SOURCE_REMOVE;

  call_state = relais_call_get_state (self->call);
  if (call_state != RELAIS_CALL_ENDED)
    return G_SOURCE_REMOVE;

  /* The other side hung up. In the call, say so; with the agent at the
   * desk, just drop it: locking returns to the call page, which finds no
   * call and moves on to "the call is over". */
  if (relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
  else
    call_drop (self);

  return G_SOURCE_REMOVE;
}

static void
call_state_cb (RelaisApplication *self)
{
  RelaisCallState call_state = relais_call_get_state (self->call);
  const char *failure = relais_call_get_failure (self->call);

  g_debug ("Call state %d", call_state);

  if (self->window != NULL)
    {
      show_call_state (self);
      if (call_state == RELAIS_CALL_FAILED
          && relais_session_get_state (self->session) == RELAIS_SESSION_PRECALL)
        relais_precall_page_set_media_error (relais_window_get_precall_page (self->window),
                                             failure ? failure : _("La caméra et le micro ne démarrent pas. Prévenez l'agent d'accueil."));
    }

  /* Not from inside the call's own notification. */
  if (call_state == RELAIS_CALL_ENDED && self->reconcile_id == 0)
    self->reconcile_id = g_idle_add (reconcile_cb, self);

  update_actions (self);
}

static void
mic_level_cb (RelaisApplication *self)
{
  if (self->window != NULL)
    relais_precall_page_set_mic_level (relais_window_get_precall_page (self->window),
                                       relais_call_get_mic_level (self->call));
}

static void presence_message_received (RelaisApplication *self,
                                       const char        *text);

static void
message_received_cb (RelaisApplication *self,
                     const char        *text)
{
  /* Chat lines, and the advisor's control messages (PROTOCOL.md, 5). */
  presence_message_received (self, text);
}

static void
call_ensure (RelaisApplication *self)
{
  RelaisPrecallPage *precall = relais_window_get_precall_page (self->window);
  RelaisCallOptions options;
  g_autoptr(RelaisCall) call = NULL;
  g_autoptr(GError) error = NULL;

  if (self->call != NULL)
    return;

  relais_precall_page_reset (precall);

  relais_call_options_init_from_config (&options, self->config);
  call = relais_call_new (&options, &error);
  relais_call_options_clear (&options);

  if (call == NULL || !relais_call_start_preview (call, &error))
    {
      g_warning ("The call could not start: %s", error->message);
      relais_precall_page_set_media_error (precall,
                                           _("La caméra et le micro ne démarrent pas : l'appel est impossible pour l'instant. Touchez « Annuler » et prévenez l'agent d'accueil."));
      if (call != NULL)
        relais_call_hang_up (call);
      return;
    }

  self->call = g_steal_pointer (&call);
  relais_session_record_set_call (relais_context_get_session_record (self->context), self->call);
  g_signal_connect_swapped (self->call, "notify::state", G_CALLBACK (call_state_cb), self);
  g_signal_connect_swapped (self->call, "notify::mic-level", G_CALLBACK (mic_level_cb), self);
  g_signal_connect_swapped (self->call, "message-received", G_CALLBACK (message_received_cb), self);

  relais_precall_page_set_simulated (precall,
                                     relais_call_is_video_simulated (self->call),
                                     relais_call_is_audio_simulated (self->call));

  if (relais_config_is_demo (self->config))
    {
      /* Made now, connected on "Commencer l'appel". */
      self->advisor = relais_demo_advisor_new ();
      relais_precall_page_set_network_status (precall, TRUE,
                                              _("Mode démonstration : pas de serveur à joindre."));
    }
  else
    {
      gateway_probe (self);
    }
}

/* Makes the media match the screen: the call exists while a person is at
 * the booth before or during their call; the local image goes to the page
 * that shows it (an appsink feeds one paintable). */
static void
sync_call (RelaisApplication *self)
{
  RelaisSessionState state = relais_session_get_state (self->session);
  RelaisPrecallPage *precall;
  RelaisCallPage *call_page;

  if (self->window == NULL)
    return;

  precall = relais_window_get_precall_page (self->window);
  call_page = relais_window_get_call_page (self->window);

  if (!person_in_call (self))
    {
      call_drop (self);
      return;
    }

  switch (state)
    {
    case RELAIS_SESSION_PRECALL:
      call_ensure (self);
      if (self->call != NULL)
        {
          relais_call_page_set_local_sink (call_page, NULL);
          relais_precall_page_set_local_sink (precall, relais_call_get_local_video_sink (self->call));
        }
      break;

    case RELAIS_SESSION_IN_CALL:
      if (self->call == NULL || relais_call_get_state (self->call) == RELAIS_CALL_ENDED)
        {
          /* After the agent's visit the call is gone: it is over. */
          handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
          return;
        }
      relais_precall_page_set_local_sink (precall, NULL);
      relais_call_page_set_local_sink (call_page, relais_call_get_local_video_sink (self->call));
      relais_call_page_set_remote_sink (call_page, relais_call_get_remote_video_sink (self->call));
      show_call_state (self);
      break;

    case RELAIS_SESSION_CALL_ENDED:
      call_drop (self);
      break;

    default:
      /* The agent at the desk: the call goes on behind. */
      break;
    }
}

/* ---- who goes next, and how long the others wait ------------------------ */

/* Whether an advisor of @service_id could take a call now: the demo
 * advisor always can; with a gateway, an advisor marked ready in the
 * service's lobby room (RelaisPresence, from state already known: the
 * turn rule asks this many times per decision). */
static gboolean
service_has_advisor_ready (RelaisApplication *self,
                           const char        *service_id)
{
  const RelaisService *service;

  if (relais_config_is_demo (self->config))
    return TRUE;
  if (self->presence == NULL)
    return FALSE;
  service = relais_directory_find_service (relais_context_get_directory (self->context), service_id);
  return service != NULL && service->lobby_room > 0 &&
         relais_presence_get_advisors_ready (self->presence, (guint64) service->lobby_room) > 0;
}

/* The turn rule's question (relais-turn.h). A sub-service not offered by
 * visio needs no advisor. */
static gboolean
turn_ready_cb (const char *service_id,
               const char *subservice_id,
               gpointer    user_data)
{
  RelaisApplication *self = user_data;
  const RelaisSubservice *sub =
    relais_directory_find_subservice (relais_context_get_directory (self->context),
                                      service_id, subservice_id);

  if (sub != NULL && !(sub->channels & RELAIS_CHANNEL_VISIO))
    return TRUE;

  return service_has_advisor_ready (self, service_id);
}

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
      relais_window_set_waiting (self->window, FALSE);
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
 * The desk shows which services have an advisor ready; "call now" takes a
 * waiting ticket straight to the pre-call check; with a lobby pin, starting
 * the call means waiting in the service's lobby until an advisor takes the
 * person (RelaisPresence), with the camera already published in the
 * person's own session room. */

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
  set_action_enabled (self, "cancel-wait", state == RELAIS_SESSION_IN_CALL && self->call_waiting);
}

static void
presence_sync_page (RelaisApplication *self)
{
  if (self->window != NULL && self->call_waiting &&
      relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    relais_window_set_waiting (self->window, TRUE);
}

static void
presence_show_rooms (RelaisApplication *self)
{
  RelaisDirectory *directory = relais_context_get_directory (self->context);
  RelaisDeskPage *desk;

  if (self->window == NULL)
    return;
  desk = relais_window_get_desk_page (self->window);
  for (guint i = 0; i < relais_directory_get_n_services (directory); i++)
    {
      const RelaisService *service = relais_directory_get_service (directory, i);

      if (relais_config_is_demo (self->config))
        /* The demo advisor is always there. */
        relais_desk_page_set_advisor_available (desk, service->id, TRUE);
      else if (self->presence != NULL && service->lobby_room > 0)
        relais_desk_page_set_advisor_available (desk, service->id,
                                                relais_presence_get_advisors_ready (self->presence,
                                                                                    (guint64) service->lobby_room) > 0);
    }
}

static void
presence_changed_cb (RelaisPresence    *presence,
                     guint64            room,
                     RelaisApplication *self)
{
  presence_show_rooms (self);
  /* Advisors coming or going change who goes next (relais-turn.h): the
   * board's order and waits follow at once. */
  if (self->window != NULL)
    relais_attract_page_refresh (relais_window_get_attract_page (self->window));
}

static void
presence_watch_start (RelaisApplication *self)
{
  RelaisDirectory *directory = relais_context_get_directory (self->context);
  const char *pin = relais_config_get_lobby_pin (self->config);

  if (pin != NULL && self->presence == NULL)
    {
      self->presence_janus = relais_janus_new (ensure_http (self),
                                               relais_config_get_janus_url (self->config), NULL);
      self->presence = relais_presence_new (self->presence_janus, pin);
      g_signal_connect (self->presence, "changed", G_CALLBACK (presence_changed_cb), self);
      for (guint i = 0; i < relais_directory_get_n_services (directory); i++)
        {
          const RelaisService *service = relais_directory_get_service (directory, i);

          if (service->lobby_room > 0)
            relais_presence_watch_room (self->presence, (guint64) service->lobby_room);
        }
    }
  presence_show_rooms (self);
}

static void
presence_watch_stop (RelaisApplication *self)
{
  if (self->presence != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->presence, self);
      relais_presence_stop (self->presence);
      g_clear_object (&self->presence);
    }
  if (self->presence_janus != NULL)
    relais_janus_destroy_async (self->presence_janus, NULL, janus_destroy_cb, NULL);
  g_clear_object (&self->presence_janus);
}

/* Before the call's room and session go (room_call_drop). */
static void
presence_wait_drop (RelaisApplication *self)
{
  cancel_and_clear (&self->wait_cancellable);
  if (self->waiting != NULL)
    {
      relais_presence_stop (self->waiting);
      g_clear_object (&self->waiting);
    }
  self->call_waiting = FALSE;
  if (self->window != NULL)
    relais_wait_page_stop (relais_window_get_wait_page (self->window));
}

static void
presence_wait_error (RelaisApplication *self,
                     const char        *message)
{
  g_autofree char *text = g_strdup_printf ("%s %s", message,
                                           _("Touchez « Ne plus attendre » et prévenez l'agent d'accueil."));

  if (self->window != NULL)
    relais_wait_page_set_error (relais_window_get_wait_page (self->window), text);
}

static void
presence_first_frame_cb (RelaisRoomCall    *room_call,
                         gint64             at,
                         RelaisApplication *self)
{
  if (self->call_now_at != 0)
    g_debug ("Call now → first remote frame: %.0f ms (taken → first frame %.0f ms)",
             (at - self->call_now_at) / 1000.0,
             self->taken_at != 0 ? (at - self->taken_at) / 1000.0 : -1.0);
}

static void
presence_wait_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(RelaisApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *advisor = NULL;
  g_autofree char *message = NULL;

  advisor = relais_presence_wait_finish (RELAIS_PRESENCE (object), result, &error);
  if ((gpointer) object != (gpointer) self->waiting)
    return;
  if (advisor == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        presence_wait_error (self, error->message);
      return;
    }

  self->taken_at = g_get_monotonic_time ();
  relais_session_record_note_advisor_taken (relais_context_get_session_record (self->context));
  if (self->call_now_at != 0)
    g_debug ("Call now → taken by an advisor: %.0f ms", (self->taken_at - self->call_now_at) / 1000.0);
  self->call_waiting = FALSE;
  if (self->window != NULL)
    relais_wait_page_stop (relais_window_get_wait_page (self->window));
  if (relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL && self->window != NULL)
    relais_window_set_waiting (self->window, FALSE);
  /* The advisor's display name is theirs to show; it never goes to a log. */
  message = g_strdup_printf (_("%s vous répond."), advisor);
  notice (self, message, FALSE);
  show_call_state (self);
  update_actions (self);
}

static void
presence_room_start_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(RelaisApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  RelaisTicket *current;

  if (!relais_room_call_start_finish (RELAIS_ROOM_CALL (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          (gpointer) object != (gpointer) self->room_call)
        return;
      g_debug ("Joining the session room failed: %s", error->message);
      presence_wait_error (self, _("L'appel n'a pas pu joindre le serveur de visio."));
      return;
    }
  current = relais_queue_get_current (relais_context_get_queue (self->context));
  if ((gpointer) object != (gpointer) self->room_call || self->waiting == NULL || current == NULL)
    return;

  /* Published in our own room: only now say in the lobby that we wait,
   * so the advisor who takes us sees us at once. */
  g_debug ("In the session room; announcing in the lobby");
  relais_presence_wait_async (self->waiting,
                              (guint64) relais_directory_find_service (relais_context_get_directory (self->context),
                                                                       relais_ticket_get_service_id (current))->lobby_room,
                              relais_ticket_get_code (current),
                              relais_ticket_get_subservice_id (current),
                              relais_config_get_site_name (self->config),
                              self->wait_cancellable, presence_wait_done_cb, g_object_ref (self));
}

static void
presence_room_failed_cb (RelaisRoomCall    *room_call,
                         const char        *message,
                         RelaisApplication *self)
{
  if (self->call_waiting)
    {
      /* The call page says what happened and shows the way out. */
      g_cancellable_cancel (self->wait_cancellable);
      self->call_waiting = FALSE;
      if (self->window != NULL && relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
        relais_window_set_waiting (self->window, FALSE);
    }
  gateway_fail (self, message);
}

static void
presence_session_room_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(RelaisApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = NULL;
  RelaisTicket *current;
  guint64 room;

  room = relais_presence_create_session_room_finish (RELAIS_PRESENCE (object), result, &error);
  if ((gpointer) object != (gpointer) self->waiting)
    return;
  if (room == 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("Creating the session room failed: %s", error->message);
          presence_wait_error (self, _("Le serveur de visio ne répond pas."));
        }
      return;
    }
  current = relais_queue_get_current (relais_context_get_queue (self->context));
  if (current == NULL)
    return;

  /* In the session room too, the kiosk's tag: the ticket and the site,
   * never the person's name. */
  display = relais_presence_tag_format_kiosk (relais_ticket_get_code (current),
                                              relais_ticket_get_subservice_id (current),
                                              relais_config_get_site_name (self->config),
                                              g_get_real_time () / G_USEC_PER_SEC, room, 0);
  self->room_call = relais_room_call_new (self->janus, self->call, room, display,
                                          relais_presence_get_session_pin (self->waiting));
  g_signal_connect (self->room_call, "lost", G_CALLBACK (room_lost_cb), self);
  g_signal_connect (self->room_call, "reconnected", G_CALLBACK (room_reconnected_cb), self);
  g_signal_connect (self->room_call, "failed", G_CALLBACK (presence_room_failed_cb), self);
  g_signal_connect (self->room_call, "remote-left", G_CALLBACK (room_remote_left_cb), self);
  g_signal_connect (self->room_call, "first-remote-frame", G_CALLBACK (presence_first_frame_cb), self);
  relais_room_call_start_async (self->room_call, NULL, presence_room_start_cb, g_object_ref (self));
}

static gboolean
presence_call_start (RelaisApplication  *self,
                     GError            **error)
{
  RelaisTicket *current = relais_queue_get_current (relais_context_get_queue (self->context));
  const RelaisService *service = NULL;

  if (current != NULL)
    service = relais_directory_find_service (relais_context_get_directory (self->context),
                                             relais_ticket_get_service_id (current));
  /* A service with no lobby has no shared waiting line. */
  if (service == NULL || service->lobby_room <= 0)
    return gateway_call_start (self, error);

  room_call_drop (self);
  self->janus = relais_janus_new (ensure_http (self), relais_config_get_janus_url (self->config), NULL);
  self->waiting = relais_presence_new (self->janus, relais_config_get_lobby_pin (self->config));
  self->wait_cancellable = g_cancellable_new ();
  self->call_waiting = TRUE;
  self->taken_at = 0;
  if (self->window != NULL)
    relais_wait_page_start (relais_window_get_wait_page (self->window),
                            relais_ticket_get_code (current), service->name);
  g_debug ("Waiting for an advisor");
  relais_presence_create_session_room_async (self->waiting, self->wait_cancellable,
                                             presence_session_room_cb, g_object_ref (self));
  return TRUE;
}

static void
presence_message_received (RelaisApplication *self,
                           const char        *text)
{
  g_autofree char *line = NULL;
  g_autofree char *outcome = NULL;

  switch (relais_presence_parse_message (text, &line, &outcome))
    {
    case RELAIS_MESSAGE_CHAT:
      g_debug ("Chat line received");
      if (self->window != NULL)
        relais_call_page_add_message (relais_window_get_call_page (self->window), line, FALSE);
      break;

    case RELAIS_MESSAGE_END:
      g_debug ("The advisor ended the call");
      session_record_outcome (self, outcome);
      if (relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
        handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
      break;

    case RELAIS_MESSAGE_ASK_DOCUMENT:
      g_debug ("The advisor asks for a document");
      if (relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
        {
          documents_open (self);
          notice (self, _("Votre conseiller vous demande un document."), FALSE);
        }
      break;

    default:
      /* Transfer messages (RelaisTransfer reads them) and newer types. */
      break;
    }
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
  self->call_now_at = g_get_monotonic_time ();
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

  if (!self->call_waiting)
    return;
  g_debug ("Waiting cancelled");
  relais_session_record_note_wait_given_up (relais_context_get_session_record (self->context));
  notice (self, _("L'attente est arrêtée."), FALSE);
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

static gboolean presence_call_start (RelaisApplication  *self,
                                     GError            **error);

static void
start_call_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;

  if (self->call == NULL)
    return;

  if (!relais_config_is_demo (self->config))
    {
      /* With a lobby pin, through the shared waiting line. */
      if (relais_config_get_lobby_pin (self->config) != NULL
          ? !presence_call_start (self, &error)
          : !gateway_call_start (self, &error))
        {
          notice_error (self, error);
          return;
        }
      handle (self, RELAIS_SESSION_EVENT_START_CALL);
      return;
    }

  if (!relais_demo_advisor_connect (self->advisor, self->call, &error))
    {
      g_warning ("Demo advisor: %s", error->message);
      notice (self, _("L'appel n'a pas pu commencer. Touchez à nouveau « Commencer l'appel », ou prévenez l'agent d'accueil."), TRUE);
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

/* Flips a boolean action of the call (mute, camera off) and tells the
 * call and the call page the new value. */
static void
toggle_call_switch (RelaisApplication *self,
                    GSimpleAction     *action,
                    void             (*set_on_call) (RelaisCall *, gboolean),
                    void             (*set_on_page) (RelaisCallPage *, gboolean))
{
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (action));
  gboolean value = !g_variant_get_boolean (state);

  if (self->call == NULL)
    return;

  set_on_call (self->call, value);
  g_simple_action_set_state (action, g_variant_new_boolean (value));
  if (self->window != NULL)
    set_on_page (relais_window_get_call_page (self->window), value);
}

static void
toggle_mute_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  toggle_call_switch (RELAIS_APPLICATION (user_data), action,
                      relais_call_set_muted, relais_call_page_set_muted);
}

static void
toggle_camera_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  toggle_call_switch (RELAIS_APPLICATION (user_data), action,
                      relais_call_set_camera_off, relais_call_page_set_camera_off);
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

  if (!relais_call_send_message (self->call, text, &error))
    {
      g_debug ("Message not sent: %s", error->message);
      notice (self, _("Le message n'est pas parti. Attendez un instant, puis réessayez."), TRUE);
      return;
    }

  if (self->window != NULL)
    relais_call_page_add_message (relais_window_get_call_page (self->window), text, TRUE);
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

  /* Until the booth's "call" is bound to it (issue 9). */
  relais_dossier_set_call (dossier, self->call);
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
                              turn_ready_cb, self, NULL);

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
      presence_watch_start (self);
    }

  gtk_window_present (GTK_WINDOW (self->window));
}

static void
relais_application_shutdown (GApplication *application)
{
  RelaisApplication *self = RELAIS_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->idle_id, g_source_remove);
  call_drop (self);

  if (self->window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->window));

  G_APPLICATION_CLASS (relais_application_parent_class)->shutdown (application);
}

static void
relais_application_dispose (GObject *object)
{
  RelaisApplication *self = (RelaisApplication *)object;

  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_handle_id (&self->reconcile_id, g_source_remove);
  room_call_drop (self);
  presence_watch_stop (self);
  if (self->call != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->call, self);
      relais_call_hang_up (self->call);
    }
  g_clear_object (&self->advisor);
  g_clear_object (&self->call);
  g_clear_object (&self->http);
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
