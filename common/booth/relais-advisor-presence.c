/* relais-advisor-presence.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-advisor-presence"

#include "config.h"

#include "relais-advisor-presence.h"
#include "relais-janus.h"
#include "relais-presence.h"

struct _RelaisAdvisorPresence
{
  GObject           parent_instance;

  RelaisConfig     *config;
  RelaisDirectory  *directory;
  RelaisHttpClient *http;

  RelaisJanus      *janus;
  RelaisPresence   *presence;
};

G_DEFINE_FINAL_TYPE (RelaisAdvisorPresence, relais_advisor_presence, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
presence_changed_cb (RelaisAdvisorPresence *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static const RelaisService *
watched_service (RelaisAdvisorPresence *self,
                 const char            *service_id)
{
  const RelaisService *service;

  if (self->presence == NULL)
    return NULL;
  service = relais_directory_find_service (self->directory, service_id);
  return service != NULL && service->lobby_room > 0 ? service : NULL;
}

static void
relais_advisor_presence_dispose (GObject *object)
{
  RelaisAdvisorPresence *self = (RelaisAdvisorPresence *)object;

  relais_advisor_presence_stop (self);
  g_clear_object (&self->http);
  g_clear_object (&self->directory);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (relais_advisor_presence_parent_class)->dispose (object);
}

static void
relais_advisor_presence_class_init (RelaisAdvisorPresenceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_advisor_presence_dispose;

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
relais_advisor_presence_init (RelaisAdvisorPresence *self)
{
}

RelaisAdvisorPresence *
relais_advisor_presence_new (RelaisConfig     *config,
                             RelaisDirectory  *directory,
                             RelaisHttpClient *http)
{
  RelaisAdvisorPresence *self;

  g_return_val_if_fail (RELAIS_IS_CONFIG (config), NULL);
  g_return_val_if_fail (RELAIS_IS_DIRECTORY (directory), NULL);
  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (http), NULL);

  self = g_object_new (RELAIS_TYPE_ADVISOR_PRESENCE, NULL);
  self->config = g_object_ref (config);
  self->directory = g_object_ref (directory);
  self->http = g_object_ref (http);
  return self;
}

void
relais_advisor_presence_start (RelaisAdvisorPresence *self)
{
  const char *pin;

  g_return_if_fail (RELAIS_IS_ADVISOR_PRESENCE (self));

  pin = relais_config_get_lobby_pin (self->config);
  if (pin != NULL && self->presence == NULL)
    {
      self->janus = relais_janus_new (self->http, relais_config_get_janus_url (self->config), NULL);
      self->presence = relais_presence_new (self->janus, pin);
      g_signal_connect_swapped (self->presence, "changed", G_CALLBACK (presence_changed_cb), self);
      for (guint i = 0; i < relais_directory_get_n_services (self->directory); i++)
        {
          const RelaisService *service = relais_directory_get_service (self->directory, i);

          if (service->lobby_room > 0)
            relais_presence_watch_room (self->presence, (guint64) service->lobby_room);
        }
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

void
relais_advisor_presence_stop (RelaisAdvisorPresence *self)
{
  g_return_if_fail (RELAIS_IS_ADVISOR_PRESENCE (self));

  if (self->presence != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->presence, self);
      relais_presence_stop (self->presence);
      g_clear_object (&self->presence);
    }
  if (self->janus != NULL)
    relais_janus_destroy_in_background (self->janus);
  g_clear_object (&self->janus);
}

gboolean
relais_advisor_presence_knows (RelaisAdvisorPresence *self,
                               const char            *service_id)
{
  g_return_val_if_fail (RELAIS_IS_ADVISOR_PRESENCE (self), FALSE);

  /* The demo advisor is always there. */
  return relais_config_is_demo (self->config) || watched_service (self, service_id) != NULL;
}

gboolean
relais_advisor_presence_is_ready (RelaisAdvisorPresence *self,
                                  const char            *service_id)
{
  const RelaisService *service;

  g_return_val_if_fail (RELAIS_IS_ADVISOR_PRESENCE (self), FALSE);

  if (relais_config_is_demo (self->config))
    return TRUE;
  service = watched_service (self, service_id);
  return service != NULL &&
         relais_presence_get_advisors_ready (self->presence, (guint64) service->lobby_room) > 0;
}

gboolean
relais_advisor_presence_turn_ready (const char *service_id,
                                    const char *subservice_id,
                                    gpointer    user_data)
{
  RelaisAdvisorPresence *self = user_data;
  const RelaisSubservice *sub =
    relais_directory_find_subservice (self->directory, service_id, subservice_id);

  if (sub != NULL && !(sub->channels & RELAIS_CHANNEL_VISIO))
    return TRUE;

  return relais_advisor_presence_is_ready (self, service_id);
}
