/* relais-advisor-link.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-advisor-link"

#include "config.h"

#include "relais-advisor-link-private.h"

G_DEFINE_INTERFACE (RelaisAdvisorLink, relais_advisor_link, G_TYPE_OBJECT)

enum {
  REMOTE_LEFT,
  RECONNECTED,
  TAKEN,
  FIRST_REMOTE_FRAME,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  RelaisAdvisorLinkState  state;
  char                   *failure;
} LinkStatus;

static void
link_status_free (gpointer data)
{
  LinkStatus *status = data;

  g_free (status->failure);
  g_free (status);
}

static LinkStatus *
link_status (RelaisAdvisorLink *self)
{
  static GQuark quark;
  LinkStatus *status;

  if (quark == 0)
    quark = g_quark_from_static_string ("relais-advisor-link-status");
  status = g_object_get_qdata (G_OBJECT (self), quark);
  if (status == NULL)
    {
      status = g_new0 (LinkStatus, 1);
      g_object_set_qdata_full (G_OBJECT (self), quark, status, link_status_free);
    }
  return status;
}

void
relais_visit_free (RelaisVisit *visit)
{
  if (visit == NULL)
    return;
  g_free (visit->ticket_code);
  g_free (visit->service_id);
  g_free (visit->service_name);
  g_free (visit->subservice_id);
  g_free (visit->site_name);
  g_free (visit);
}

RelaisVisit *
relais_visit_copy (const RelaisVisit *visit)
{
  RelaisVisit *copy;

  if (visit == NULL)
    return NULL;
  copy = g_memdup2 (visit, sizeof *visit);
  copy->ticket_code = g_strdup (visit->ticket_code);
  copy->service_id = g_strdup (visit->service_id);
  copy->service_name = g_strdup (visit->service_name);
  copy->subservice_id = g_strdup (visit->subservice_id);
  copy->site_name = g_strdup (visit->site_name);
  return copy;
}

static void
relais_advisor_link_default_init (RelaisAdvisorLinkInterface *iface)
{
  g_object_interface_install_property (iface,
    g_param_spec_enum ("state", NULL, NULL,
                       RELAIS_TYPE_ADVISOR_LINK_STATE, RELAIS_ADVISOR_LINK_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_interface_install_property (iface,
    g_param_spec_string ("failure", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  signals[REMOTE_LEFT] =
    g_signal_new ("remote-left", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RECONNECTED] =
    g_signal_new ("reconnected", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[TAKEN] =
    g_signal_new ("taken", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[FIRST_REMOTE_FRAME] =
    g_signal_new ("first-remote-frame", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

/* The property ids the implementations' classes give "state" and
 * "failure". */
enum {
  PROP_0,
  PROP_STATE,
  PROP_FAILURE,
};

static void
relais_advisor_link_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  RelaisAdvisorLink *self = RELAIS_ADVISOR_LINK (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, relais_advisor_link_get_state (self));
      break;

    case PROP_FAILURE:
      g_value_set_string (value, relais_advisor_link_get_failure (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

void
relais_advisor_link_class_install_properties (GObjectClass *object_class)
{
  object_class->get_property = relais_advisor_link_get_property;

  g_object_class_override_property (object_class, PROP_STATE, "state");
  g_object_class_override_property (object_class, PROP_FAILURE, "failure");
}

void
relais_advisor_link_update (RelaisAdvisorLink      *self,
                            RelaisAdvisorLinkState  state,
                            const char             *failure)
{
  LinkStatus *status = link_status (self);
  gboolean failure_changed = g_strcmp0 (status->failure, failure) != 0;
  gboolean state_changed = status->state != state;

  if (failure_changed)
    {
      g_free (status->failure);
      status->failure = g_strdup (failure);
    }
  status->state = state;
  /* The failure first: who watches "state" reads it. */
  if (failure_changed)
    g_object_notify (G_OBJECT (self), "failure");
  if (state_changed)
    g_object_notify (G_OBJECT (self), "state");
}

void
relais_advisor_link_emit_remote_left (RelaisAdvisorLink *self)
{
  g_signal_emit (self, signals[REMOTE_LEFT], 0);
}

void
relais_advisor_link_emit_reconnected (RelaisAdvisorLink *self)
{
  g_signal_emit (self, signals[RECONNECTED], 0);
}

void
relais_advisor_link_emit_taken (RelaisAdvisorLink *self,
                                const char        *advisor)
{
  g_signal_emit (self, signals[TAKEN], 0, advisor);
}

void
relais_advisor_link_emit_first_remote_frame (RelaisAdvisorLink *self,
                                             gint64             since_join_us)
{
  g_signal_emit (self, signals[FIRST_REMOTE_FRAME], 0, since_join_us);
}

void
relais_advisor_link_check_async (RelaisAdvisorLink   *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (RELAIS_IS_ADVISOR_LINK (self));

  RELAIS_ADVISOR_LINK_GET_IFACE (self)->check_async (self, cancellable, callback, user_data);
}

char *
relais_advisor_link_check_finish (RelaisAdvisorLink  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  g_return_val_if_fail (RELAIS_IS_ADVISOR_LINK (self), NULL);

  return RELAIS_ADVISOR_LINK_GET_IFACE (self)->check_finish (self, result, error);
}

gboolean
relais_advisor_link_connect (RelaisAdvisorLink  *self,
                             RelaisCall         *call,
                             const RelaisVisit  *visit,
                             GError            **error)
{
  g_return_val_if_fail (RELAIS_IS_ADVISOR_LINK (self), FALSE);
  g_return_val_if_fail (RELAIS_IS_CALL (call), FALSE);
  g_return_val_if_fail (visit != NULL, FALSE);

  return RELAIS_ADVISOR_LINK_GET_IFACE (self)->connect (self, call, visit, error);
}

void
relais_advisor_link_set_call (RelaisAdvisorLink *self,
                              RelaisCall        *call)
{
  g_return_if_fail (RELAIS_IS_ADVISOR_LINK (self));
  g_return_if_fail (call == NULL || RELAIS_IS_CALL (call));

  RELAIS_ADVISOR_LINK_GET_IFACE (self)->set_call (self, call);
}

void
relais_advisor_link_stop (RelaisAdvisorLink *self)
{
  g_return_if_fail (RELAIS_IS_ADVISOR_LINK (self));

  RELAIS_ADVISOR_LINK_GET_IFACE (self)->stop (self);
}

RelaisAdvisorLinkState
relais_advisor_link_get_state (RelaisAdvisorLink *self)
{
  g_return_val_if_fail (RELAIS_IS_ADVISOR_LINK (self), RELAIS_ADVISOR_LINK_IDLE);

  return link_status (self)->state;
}

const char *
relais_advisor_link_get_failure (RelaisAdvisorLink *self)
{
  g_return_val_if_fail (RELAIS_IS_ADVISOR_LINK (self), NULL);

  return link_status (self)->failure;
}
