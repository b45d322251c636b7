/* relais-application.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-application"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "relais-application.h"
#include "relais-call.h"
#include "relais-demo-advisor.h"
#include "relais-error.h"
#include "relais-http-client.h"
#include "relais-janus.h"
#include "relais-resources.h"
#include "relais-room-call.h"
#include "relais-window.h"

#define IDLE_CHECK_SECONDS 5
/* How long the gateway may stay unreachable during a call before we stop
 * pretending it will come back and show the way out. */
#define GATEWAY_DOWN_SECONDS 30
#define GATEWAY_PROBE_TIMEOUT_MS 5000

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

  gint64           last_activity;  /* monotonic µs */
  guint            idle_id;
  int              exit_status;
};

G_DEFINE_FINAL_TYPE (RelaisApplication, relais_application, GTK_TYPE_APPLICATION)

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
static void
room_call_drop (RelaisApplication *self)
{
  g_clear_handle_id (&self->gateway_down_id, g_source_remove);
  g_clear_pointer (&self->gateway_failure, g_free);
  self->gateway_lost = FALSE;
  if (self->probe_cancellable != NULL)
    {
      g_cancellable_cancel (self->probe_cancellable);
      g_clear_object (&self->probe_cancellable);
    }

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

  if (self->probe_cancellable != NULL)
    g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
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

  relais_call_options_init (&options);
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

static void
message_received_cb (RelaisApplication *self,
                     const char        *text)
{
  if (self->window != NULL)
    relais_call_page_add_message (relais_window_get_call_page (self->window), text, FALSE);
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

  relais_call_options_init (&options);
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

static void
session_state_cb (RelaisApplication *self)
{
  RelaisSessionState state = relais_session_get_state (self->session);

  self->last_activity = g_get_monotonic_time ();
  trace ("page", page_for_state (state));

  if (self->window != NULL)
    {
      relais_window_set_page (self->window, page_for_state (state));
      relais_window_set_can_close (self->window, state == RELAIS_SESSION_DESK);
    }

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

static void
start_session_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  RelaisQueue *queue = relais_context_get_queue (self->context);
  RelaisTicket *current = relais_queue_get_current (queue);
  g_autoptr(GError) error = NULL;

  if (current == NULL)
    return;

  if (!relais_queue_start (queue, relais_ticket_get_id (current), &error))
    {
      notice_error (self, error);
      return;
    }

  handle (self, RELAIS_SESSION_EVENT_PERSON_PRESENT);
}

static void
finish_session_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  RelaisQueue *queue = relais_context_get_queue (self->context);
  RelaisTicket *current = relais_queue_get_current (queue);
  g_autoptr(GError) error = NULL;

  if (current == NULL)
    return;

  /* Finishing erases the person's name and note in the same transaction. */
  if (!relais_queue_finish (queue, relais_ticket_get_id (current), &error))
    {
      notice_error (self, error);
      return;
    }

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

  if (!relais_config_is_demo (self->config))
    {
      if (!gateway_call_start (self, &error))
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

static void
toggle_mute_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (action));
  gboolean muted = !g_variant_get_boolean (state);

  if (self->call == NULL)
    return;

  relais_call_set_muted (self->call, muted);
  g_simple_action_set_state (action, g_variant_new_boolean (muted));
  if (self->window != NULL)
    relais_call_page_set_muted (relais_window_get_call_page (self->window), muted);
}

static void
toggle_camera_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (action));
  gboolean off = !g_variant_get_boolean (state);

  if (self->call == NULL)
    return;

  relais_call_set_camera_off (self->call, off);
  g_simple_action_set_state (action, g_variant_new_boolean (off));
  if (self->window != NULL)
    relais_call_page_set_camera_off (relais_window_get_call_page (self->window), off);
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

  leftovers = relais_store_count_personal_leftovers (relais_context_get_store (self->context), NULL);
  if (leftovers > 0)
    g_warning ("%" G_GINT64_FORMAT " ended tickets still carry personal fields", leftovers);

  self->session = relais_session_new (relais_context_get_queue (self->context));
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

      activity = gtk_event_controller_legacy_new ();
      gtk_event_controller_set_propagation_phase (activity, GTK_PHASE_CAPTURE);
      g_signal_connect (activity, "event", G_CALLBACK (activity_cb), self);
      gtk_widget_add_controller (GTK_WIDGET (self->window), activity);

      session_state_cb (self);
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
  g_clear_handle_id (&self->reconcile_id, g_source_remove);
  room_call_drop (self);
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
  gboolean want_hash_pin = FALSE;
  gboolean want_version = FALSE;
  char *app_argv[] = { argv[0], NULL };
  int status;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      N_("Fichier de configuration à utiliser"), N_("FICHIER") },
    { "check-config", 0, 0, G_OPTION_ARG_FILENAME, &check_path,
      N_("Vérifier un fichier de configuration et quitter"), N_("FICHIER") },
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
