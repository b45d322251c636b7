/* relais-room-link.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-room-link"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-advisor-link-private.h"
#include "relais-error.h"
#include "relais-gateway-probe.h"
#include "relais-room-call.h"
#include "relais-room-link.h"

struct _RelaisRoomLink
{
  GObject           parent_instance;

  RelaisHttpClient *http;
  char             *janus_url;
  /* One gateway session and one room call per call. */
  RelaisJanus      *janus;
  RelaisRoomCall   *room_call;
};

static void advisor_link_iface_init (RelaisAdvisorLinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RelaisRoomLink, relais_room_link, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RELAIS_TYPE_ADVISOR_LINK,
                                                      advisor_link_iface_init))

static void
room_stop_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RelaisJanus) janus = user_data;

  relais_room_call_stop_finish (RELAIS_ROOM_CALL (object), result, NULL);
  /* Ending the session also stops any reconnecting. */
  relais_janus_destroy_in_background (janus);
}

/* Leaves the room, then ends the gateway session, in the background. */
static void
room_drop (RelaisRoomLink *self)
{
  if (self->room_call != NULL)
    {
      g_debug ("Leaving the room");
      g_signal_handlers_disconnect_by_data (self->room_call, self);
      relais_room_call_stop_async (self->room_call, NULL, room_stop_cb, g_object_ref (self->janus));
      g_clear_object (&self->room_call);
    }
  else if (self->janus != NULL)
    relais_janus_destroy_in_background (self->janus);
  g_clear_object (&self->janus);
}

static void
room_lost_cb (RelaisRoomCall *room_call,
              RelaisRoomLink *self)
{
  g_debug ("Gateway lost");
  relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_LOST, NULL);
}

static void
room_reconnected_cb (RelaisRoomCall *room_call,
                     RelaisRoomLink *self)
{
  g_debug ("Gateway back");
  relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_CONNECTED, NULL);
  relais_advisor_link_emit_reconnected (RELAIS_ADVISOR_LINK (self));
}

static void
room_first_frame_cb (RelaisRoomCall *room_call,
                     gint64          at,
                     RelaisRoomLink *self)
{
  gint64 joined = relais_room_call_get_join_requested_at (room_call);

  relais_advisor_link_emit_first_remote_frame (RELAIS_ADVISOR_LINK (self),
                                               joined != 0 ? at - joined : -1);
}

static void
room_failed_cb (RelaisRoomCall *room_call,
                const char     *message,
                RelaisRoomLink *self)
{
  relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_FAILED, message);
}

static void
room_remote_left_cb (RelaisRoomCall *room_call,
                     RelaisRoomLink *self)
{
  g_debug ("The other side left the room");
  relais_advisor_link_emit_remote_left (RELAIS_ADVISOR_LINK (self));
}

static void
room_start_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RelaisRoomLink) self = user_data;
  g_autoptr(GError) error = NULL;

  if (relais_room_call_start_finish (RELAIS_ROOM_CALL (object), result, &error))
    {
      g_debug ("Joined the room");
      if ((gpointer) object == (gpointer) self->room_call
          && relais_advisor_link_get_state (RELAIS_ADVISOR_LINK (self)) == RELAIS_ADVISOR_LINK_CONNECTING)
        relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_CONNECTED, NULL);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      (gpointer) object != (gpointer) self->room_call)
    return;

  g_debug ("Joining the room failed: %s", error->message);
  relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_FAILED,
                              _("L'appel n'a pas pu joindre le serveur de visio."));
}

static void
room_link_check_async (RelaisAdvisorLink   *link,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  RelaisRoomLink *self = RELAIS_ROOM_LINK (link);

  relais_gateway_probe_async (self, self->http, self->janus_url, cancellable, callback, user_data);
}

static char *
room_link_check_finish (RelaisAdvisorLink  *link,
                        GAsyncResult       *result,
                        GError            **error)
{
  return relais_gateway_probe_finish (result, error);
}

static gboolean
room_link_connect (RelaisAdvisorLink  *link,
                   RelaisCall         *call,
                   const RelaisVisit  *visit,
                   GError            **error)
{
  RelaisRoomLink *self = RELAIS_ROOM_LINK (link);
  g_autofree char *display = NULL;

  if (visit->room <= 0)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG,
                   _("Aucune salle d'appel n'est prévue pour ce service. Prévenez l'agent d'accueil."));
      return FALSE;
    }

  /* What the advisor sees: where and which ticket, never who. */
  display = g_strdup_printf ("%s – %s", visit->site_name, visit->ticket_code);
  g_debug ("Joining room %" G_GINT64_FORMAT, visit->room);
  relais_room_link_join (self, relais_janus_new (self->http, self->janus_url, NULL),
                         call, (guint64) visit->room, display, NULL);
  return TRUE;
}

static void
room_link_set_call (RelaisAdvisorLink *link,
                    RelaisCall        *call)
{
  RelaisRoomLink *self = RELAIS_ROOM_LINK (link);

  if (self->room_call != NULL)
    relais_room_call_set_call (self->room_call, call);
}

static void
room_link_stop (RelaisAdvisorLink *link)
{
  room_drop (RELAIS_ROOM_LINK (link));
  relais_advisor_link_update (link, RELAIS_ADVISOR_LINK_IDLE, NULL);
}

static void
advisor_link_iface_init (RelaisAdvisorLinkInterface *iface)
{
  iface->check_async = room_link_check_async;
  iface->check_finish = room_link_check_finish;
  iface->connect = room_link_connect;
  iface->set_call = room_link_set_call;
  iface->stop = room_link_stop;
}

static void
relais_room_link_dispose (GObject *object)
{
  RelaisRoomLink *self = RELAIS_ROOM_LINK (object);

  room_drop (self);
  g_clear_object (&self->http);

  G_OBJECT_CLASS (relais_room_link_parent_class)->dispose (object);
}

static void
relais_room_link_finalize (GObject *object)
{
  RelaisRoomLink *self = RELAIS_ROOM_LINK (object);

  g_free (self->janus_url);

  G_OBJECT_CLASS (relais_room_link_parent_class)->finalize (object);
}

static void
relais_room_link_class_init (RelaisRoomLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_room_link_dispose;
  object_class->finalize = relais_room_link_finalize;

  relais_advisor_link_class_install_properties (object_class);
}

static void
relais_room_link_init (RelaisRoomLink *self)
{
}

RelaisAdvisorLink *
relais_room_link_new (RelaisHttpClient *http,
                      const char       *janus_url)
{
  RelaisRoomLink *self;

  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (http), NULL);
  g_return_val_if_fail (janus_url != NULL, NULL);

  self = g_object_new (RELAIS_TYPE_ROOM_LINK, NULL);
  self->http = g_object_ref (http);
  self->janus_url = g_strdup (janus_url);
  return RELAIS_ADVISOR_LINK (self);
}

void
relais_room_link_join (RelaisRoomLink *self,
                       RelaisJanus    *janus,
                       RelaisCall     *call,
                       guint64         room,
                       const char     *display,
                       const char     *pin)
{
  g_return_if_fail (RELAIS_IS_ROOM_LINK (self));
  g_return_if_fail (RELAIS_IS_JANUS (janus));

  room_drop (self);
  self->janus = janus;
  self->room_call = relais_room_call_new (self->janus, call, room, display, pin);
  g_signal_connect (self->room_call, "lost", G_CALLBACK (room_lost_cb), self);
  g_signal_connect (self->room_call, "reconnected", G_CALLBACK (room_reconnected_cb), self);
  g_signal_connect (self->room_call, "failed", G_CALLBACK (room_failed_cb), self);
  g_signal_connect (self->room_call, "first-remote-frame", G_CALLBACK (room_first_frame_cb), self);
  g_signal_connect (self->room_call, "remote-left", G_CALLBACK (room_remote_left_cb), self);
  relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_CONNECTING, NULL);
  relais_room_call_start_async (self->room_call, NULL, room_start_cb, g_object_ref (self));
}

void
relais_room_link_move (RelaisRoomLink *self,
                       guint64         room,
                       const char     *display,
                       const char     *pin)
{
  g_return_if_fail (RELAIS_IS_ROOM_LINK (self));

  if (self->room_call != NULL)
    relais_room_call_move (self->room_call, room, display, pin);
}
