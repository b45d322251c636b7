/* relais-lobby-link.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-lobby-link"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-advisor-link-private.h"
#include "relais-error.h"
#include "relais-gateway-probe.h"
#include "relais-janus.h"
#include "relais-lobby-link.h"
#include "relais-presence-tag.h"
#include "relais-presence.h"
#include "relais-room-link.h"

struct _RelaisLobbyLink
{
  GObject           parent_instance;

  RelaisHttpClient *http;
  char             *janus_url;
  char             *lobby_pin;

  /* The person's session room; also the fixed room of a service with no
   * lobby. */
  RelaisRoomLink   *room;
  gboolean          room_joining;   /* the room owns the gateway session */
  gboolean          lobby;          /* waiting through the lobby, not a fixed room */
  gboolean          announced;      /* said in the lobby that we wait */
  gboolean          taken;

  RelaisJanus      *janus;
  RelaisPresence   *waiting;
  GCancellable     *wait_cancellable;
  RelaisVisit      *visit;
  RelaisCall       *call;           /* weak: the booth's */
};

static void advisor_link_iface_init (RelaisAdvisorLinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RelaisLobbyLink, relais_lobby_link, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RELAIS_TYPE_ADVISOR_LINK,
                                                      advisor_link_iface_init))

/* Stops waiting (leaves the lobby), then leaves the room and ends the
 * gateway session, in the background. */
static void
lobby_drop (RelaisLobbyLink *self)
{
  g_cancellable_cancel (self->wait_cancellable);
  g_clear_object (&self->wait_cancellable);
  if (self->waiting != NULL)
    {
      relais_presence_stop (self->waiting);
      g_clear_object (&self->waiting);
    }
  if (self->room_joining)
    relais_advisor_link_stop (RELAIS_ADVISOR_LINK (self->room));
  else if (self->janus != NULL)
    relais_janus_destroy_in_background (self->janus);
  g_clear_object (&self->janus);
  g_clear_pointer (&self->visit, relais_visit_free);
  self->room_joining = self->lobby = self->announced = self->taken = FALSE;
}

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RelaisLobbyLink) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *advisor = NULL;

  advisor = relais_presence_wait_finish (RELAIS_PRESENCE (object), result, &error);
  if ((gpointer) object != (gpointer) self->waiting)
    return;
  if (advisor == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_WAITING,
                                    error->message);
      return;
    }

  self->taken = TRUE;
  relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_CONNECTED, NULL);
  /* The advisor's display name is theirs to show; it never goes to a log. */
  relais_advisor_link_emit_taken (RELAIS_ADVISOR_LINK (self), advisor);
}

/* Published in our own room: only now say in the lobby that we wait, so
 * the advisor who takes us sees us at once. */
static void
announce (RelaisLobbyLink *self)
{
  g_debug ("In the session room; announcing in the lobby");
  self->announced = TRUE;
  relais_presence_wait_async (self->waiting, (guint64) self->visit->lobby_room,
                              self->visit->ticket_code, self->visit->subservice_id,
                              self->visit->site_name,
                              self->wait_cancellable, wait_done_cb, g_object_ref (self));
}

/* The room's state is ours, but for the lobby's own steps. */
static void
room_state_cb (RelaisLobbyLink *self)
{
  RelaisAdvisorLink *room = RELAIS_ADVISOR_LINK (self->room);
  RelaisAdvisorLinkState state = relais_advisor_link_get_state (room);
  const char *failure = relais_advisor_link_get_failure (room);

  if (!self->room_joining)
    return;

  if (!self->lobby || self->taken)
    {
      relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), state, failure);
      return;
    }

  switch (state)
    {
    case RELAIS_ADVISOR_LINK_CONNECTED:
      if (!self->announced && self->waiting != NULL)
        announce (self);
      relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_WAITING,
                                  relais_advisor_link_get_failure (RELAIS_ADVISOR_LINK (self)));
      break;

    case RELAIS_ADVISOR_LINK_FAILED:
      if (!self->announced)
        {
          /* The session room could not be joined: the wait says so. */
          relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_WAITING, failure);
          break;
        }
      /* The call page says what happened and shows the way out. */
      g_cancellable_cancel (self->wait_cancellable);
      relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), state, failure);
      break;

    case RELAIS_ADVISOR_LINK_LOST:
      relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), state, failure);
      break;

    default:
      break;
    }
}

static void
room_reconnected_cb (RelaisLobbyLink *self)
{
  relais_advisor_link_emit_reconnected (RELAIS_ADVISOR_LINK (self));
}

static void
room_remote_left_cb (RelaisLobbyLink *self)
{
  relais_advisor_link_emit_remote_left (RELAIS_ADVISOR_LINK (self));
}

static void
room_first_frame_cb (RelaisLobbyLink *self,
                     gint64           since_join_us)
{
  relais_advisor_link_emit_first_remote_frame (RELAIS_ADVISOR_LINK (self), since_join_us);
}

/* In the session room too, the kiosk's tag: the ticket and the site,
 * never the person's name. */
static char *
session_display (RelaisLobbyLink *self,
                 guint64          room)
{
  return relais_presence_tag_format_kiosk (self->visit->ticket_code,
                                           self->visit->subservice_id,
                                           self->visit->site_name,
                                           g_get_real_time () / G_USEC_PER_SEC, room, 0);
}

/* Someone left the session room before the take, maybe still listening:
 * the person's call follows the presence to a fresh room. */
static void
session_room_moved_cb (RelaisPresence  *presence,
                       guint64          room,
                       RelaisLobbyLink *self)
{
  g_autofree char *display = NULL;

  if (presence != self->waiting || !self->room_joining || self->visit == NULL)
    return;
  display = session_display (self, room);
  relais_room_link_move (self->room, room, display, relais_presence_get_session_pin (presence));
}

static void
session_room_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RelaisLobbyLink) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = NULL;
  guint64 room;

  room = relais_presence_create_session_room_finish (RELAIS_PRESENCE (object), result, &error);
  if ((gpointer) object != (gpointer) self->waiting)
    return;
  if (room == 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("Creating the session room failed: %s", error->message);
          relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_WAITING,
                                      _("Le serveur de visio ne répond pas."));
        }
      return;
    }
  if (self->call == NULL)
    return;

  display = session_display (self, room);
  self->room_joining = TRUE;
  relais_room_link_join (self->room, g_object_ref (self->janus), self->call, room, display,
                         relais_presence_get_session_pin (self->waiting));
}

static void
lobby_link_check_async (RelaisAdvisorLink   *link,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  RelaisLobbyLink *self = RELAIS_LOBBY_LINK (link);

  relais_gateway_probe_async (self, self->http, self->janus_url, cancellable, callback, user_data);
}

static char *
lobby_link_check_finish (RelaisAdvisorLink  *link,
                         GAsyncResult       *result,
                         GError            **error)
{
  return relais_gateway_probe_finish (result, error);
}

static gboolean
lobby_link_connect (RelaisAdvisorLink  *link,
                    RelaisCall         *call,
                    const RelaisVisit  *visit,
                    GError            **error)
{
  RelaisLobbyLink *self = RELAIS_LOBBY_LINK (link);

  lobby_drop (self);
  g_set_weak_pointer (&self->call, call);

  /* A service with no lobby has no shared waiting line, and its room in
   * the directory is shared by every kiosk of the service: two people's
   * calls would mix there (issue 12, item 3). */
  if (visit->lobby_room <= 0)
    {
      g_debug ("The service has no lobby room: no call");
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG,
                           _("Ce service n'a pas de salle d'attente des conseillers dans l'annuaire : l'appel vidéo n'est pas possible. Prévenez l'agent d'accueil."));
      return FALSE;
    }

  self->lobby = TRUE;
  self->visit = relais_visit_copy (visit);
  self->janus = relais_janus_new (self->http, self->janus_url, NULL);
  self->waiting = relais_presence_new (self->janus, self->lobby_pin);
  g_signal_connect_object (self->waiting, "session-room-moved", G_CALLBACK (session_room_moved_cb),
                           self, G_CONNECT_DEFAULT);
  self->wait_cancellable = g_cancellable_new ();
  relais_advisor_link_update (link, RELAIS_ADVISOR_LINK_WAITING, NULL);
  g_debug ("Waiting for an advisor");
  relais_presence_create_session_room_async (self->waiting, self->wait_cancellable,
                                             session_room_cb, g_object_ref (self));
  return TRUE;
}

static void
lobby_link_set_call (RelaisAdvisorLink *link,
                     RelaisCall        *call)
{
  RelaisLobbyLink *self = RELAIS_LOBBY_LINK (link);

  g_set_weak_pointer (&self->call, call);
  relais_advisor_link_set_call (RELAIS_ADVISOR_LINK (self->room), call);
}

static void
lobby_link_stop (RelaisAdvisorLink *link)
{
  RelaisLobbyLink *self = RELAIS_LOBBY_LINK (link);

  lobby_drop (self);
  g_clear_weak_pointer (&self->call);
  relais_advisor_link_update (link, RELAIS_ADVISOR_LINK_IDLE, NULL);
}

static void
advisor_link_iface_init (RelaisAdvisorLinkInterface *iface)
{
  iface->check_async = lobby_link_check_async;
  iface->check_finish = lobby_link_check_finish;
  iface->connect = lobby_link_connect;
  iface->set_call = lobby_link_set_call;
  iface->stop = lobby_link_stop;
}

static void
relais_lobby_link_dispose (GObject *object)
{
  RelaisLobbyLink *self = RELAIS_LOBBY_LINK (object);

  lobby_drop (self);
  g_clear_weak_pointer (&self->call);
  if (self->room != NULL)
    g_signal_handlers_disconnect_by_data (self->room, self);
  g_clear_object (&self->room);
  g_clear_object (&self->http);

  G_OBJECT_CLASS (relais_lobby_link_parent_class)->dispose (object);
}

static void
relais_lobby_link_finalize (GObject *object)
{
  RelaisLobbyLink *self = RELAIS_LOBBY_LINK (object);

  g_free (self->janus_url);
  g_free (self->lobby_pin);

  G_OBJECT_CLASS (relais_lobby_link_parent_class)->finalize (object);
}

static void
relais_lobby_link_class_init (RelaisLobbyLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_lobby_link_dispose;
  object_class->finalize = relais_lobby_link_finalize;

  relais_advisor_link_class_install_properties (object_class);
}

static void
relais_lobby_link_init (RelaisLobbyLink *self)
{
}

RelaisAdvisorLink *
relais_lobby_link_new (RelaisHttpClient *http,
                       const char       *janus_url,
                       const char       *lobby_pin)
{
  RelaisLobbyLink *self;

  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (http), NULL);
  g_return_val_if_fail (janus_url != NULL, NULL);
  g_return_val_if_fail (lobby_pin != NULL, NULL);

  self = g_object_new (RELAIS_TYPE_LOBBY_LINK, NULL);
  self->http = g_object_ref (http);
  self->janus_url = g_strdup (janus_url);
  self->lobby_pin = g_strdup (lobby_pin);
  self->room = RELAIS_ROOM_LINK (relais_room_link_new (http, janus_url));
  g_signal_connect_swapped (self->room, "notify::state", G_CALLBACK (room_state_cb), self);
  g_signal_connect_swapped (self->room, "notify::failure", G_CALLBACK (room_state_cb), self);
  g_signal_connect_swapped (self->room, "reconnected", G_CALLBACK (room_reconnected_cb), self);
  g_signal_connect_swapped (self->room, "remote-left", G_CALLBACK (room_remote_left_cb), self);
  g_signal_connect_swapped (self->room, "first-remote-frame", G_CALLBACK (room_first_frame_cb), self);
  return RELAIS_ADVISOR_LINK (self);
}
