/* relais-demo-link.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-demo-link"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-advisor-link-private.h"
#include "relais-demo-advisor.h"
#include "relais-demo-link.h"
#include "relais-error.h"

struct _RelaisDemoLink
{
  GObject            parent_instance;

  RelaisDemoAdvisor *advisor;
};

static void advisor_link_iface_init (RelaisAdvisorLinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RelaisDemoLink, relais_demo_link, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RELAIS_TYPE_ADVISOR_LINK,
                                                      advisor_link_iface_init))

static void
drop_advisor (RelaisDemoLink *self)
{
  if (self->advisor != NULL)
    relais_demo_advisor_disconnect (self->advisor);
  g_clear_object (&self->advisor);
}

static void
demo_link_check_async (RelaisAdvisorLink   *link,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  RelaisDemoLink *self = RELAIS_DEMO_LINK (link);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, demo_link_check_async);
  /* Made now, connected on "Commencer l'appel". */
  if (self->advisor == NULL)
    self->advisor = relais_demo_advisor_new ();
  g_task_return_pointer (task, g_strdup (_("Mode démonstration : pas de serveur à joindre.")), g_free);
}

static char *
demo_link_check_finish (RelaisAdvisorLink  *link,
                        GAsyncResult       *result,
                        GError            **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
demo_link_connect (RelaisAdvisorLink  *link,
                   RelaisCall         *call,
                   const RelaisVisit  *visit,
                   GError            **error)
{
  RelaisDemoLink *self = RELAIS_DEMO_LINK (link);
  g_autoptr(GError) local_error = NULL;

  if (self->advisor == NULL)
    self->advisor = relais_demo_advisor_new ();
  if (!relais_demo_advisor_connect (self->advisor, call, &local_error))
    {
      g_warning ("Demo advisor: %s", local_error->message);
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                           _("L'appel n'a pas pu commencer. Touchez à nouveau « Commencer l'appel », ou prévenez l'agent d'accueil."));
      return FALSE;
    }
  relais_advisor_link_update (link, RELAIS_ADVISOR_LINK_CONNECTED, NULL);
  return TRUE;
}

static void
demo_link_set_call (RelaisAdvisorLink *link,
                    RelaisCall        *call)
{
  RelaisDemoLink *self = RELAIS_DEMO_LINK (link);
  g_autoptr(GError) error = NULL;

  drop_advisor (self);
  if (call == NULL)
    return;

  /* A fresh advisor for the fresh call: one webrtcbin per call. */
  self->advisor = relais_demo_advisor_new ();
  if (!relais_demo_advisor_connect (self->advisor, call, &error))
    {
      g_warning ("Demo advisor: %s", error->message);
      relais_advisor_link_update (link, RELAIS_ADVISOR_LINK_FAILED,
                                  _("L'appel n'a pas pu commencer."));
      return;
    }
  relais_advisor_link_update (link, RELAIS_ADVISOR_LINK_CONNECTED, NULL);
}

static void
demo_link_stop (RelaisAdvisorLink *link)
{
  drop_advisor (RELAIS_DEMO_LINK (link));
  relais_advisor_link_update (link, RELAIS_ADVISOR_LINK_IDLE, NULL);
}

static void
advisor_link_iface_init (RelaisAdvisorLinkInterface *iface)
{
  iface->check_async = demo_link_check_async;
  iface->check_finish = demo_link_check_finish;
  iface->connect = demo_link_connect;
  iface->set_call = demo_link_set_call;
  iface->stop = demo_link_stop;
}

static void
relais_demo_link_dispose (GObject *object)
{
  drop_advisor (RELAIS_DEMO_LINK (object));

  G_OBJECT_CLASS (relais_demo_link_parent_class)->dispose (object);
}

static void
relais_demo_link_class_init (RelaisDemoLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_demo_link_dispose;

  relais_advisor_link_class_install_properties (object_class);
}

static void
relais_demo_link_init (RelaisDemoLink *self)
{
}

RelaisAdvisorLink *
relais_demo_link_new (void)
{
  return g_object_new (RELAIS_TYPE_DEMO_LINK, NULL);
}

void
relais_demo_link_reconnect (RelaisDemoLink *self)
{
  g_return_if_fail (RELAIS_IS_DEMO_LINK (self));

  relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_LOST, NULL);
  drop_advisor (self);
  relais_advisor_link_emit_reconnected (RELAIS_ADVISOR_LINK (self));
}

void
relais_demo_link_leave (RelaisDemoLink *self)
{
  g_return_if_fail (RELAIS_IS_DEMO_LINK (self));

  drop_advisor (self);
  relais_advisor_link_update (RELAIS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_IDLE, NULL);
  relais_advisor_link_emit_remote_left (RELAIS_ADVISOR_LINK (self));
}

RelaisDemoAdvisor *
relais_demo_link_get_advisor (RelaisDemoLink *self)
{
  g_return_val_if_fail (RELAIS_IS_DEMO_LINK (self), NULL);

  return self->advisor;
}
