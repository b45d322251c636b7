/* relais-context.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-context"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib/gstdio.h>

#include "relais-context.h"
#include "relais-error.h"
#include "relais-session.h"

struct _RelaisContext
{
  GObject          parent_instance;

  RelaisConfig    *config;
  RelaisStore     *store;
  RelaisQueue     *queue;
  RelaisDirectory *directory;
  RelaisAgentLock *agent_lock;
  RelaisSession   *session;
  RelaisSessionRecord *session_record;
  RelaisDossier   *dossier;
  RelaisHttpClient *http;
  RelaisBooth     *booth;
  RelaisAdvisorPresence *advisor_presence;
};

G_DEFINE_FINAL_TYPE (RelaisContext, relais_context, G_TYPE_OBJECT)

static void
relais_context_dispose (GObject *object)
{
  RelaisContext *self = (RelaisContext *)object;

  g_clear_object (&self->session_record);
  g_clear_object (&self->dossier);
  g_clear_object (&self->booth);
  g_clear_object (&self->advisor_presence);
  g_clear_object (&self->http);
  g_clear_object (&self->session);
  g_clear_object (&self->queue);
  g_clear_object (&self->store);
  g_clear_object (&self->directory);
  g_clear_object (&self->agent_lock);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (relais_context_parent_class)->dispose (object);
}

static void
relais_context_class_init (RelaisContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_context_dispose;
}

static void
relais_context_init (RelaisContext *self)
{
}

RelaisContext *
relais_context_new (RelaisConfig  *config,
                    GError       **error)
{
  g_autoptr(RelaisContext) self = NULL;
  g_autofree char *store_dir = NULL;
  g_autoptr(GError) purge_error = NULL;
  const char *store_path;
  gint64 purged;

  g_return_val_if_fail (RELAIS_IS_CONFIG (config), NULL);

  self = g_object_new (RELAIS_TYPE_CONTEXT, NULL);
  self->config = g_object_ref (config);

  self->directory = relais_directory_new_from_file (relais_config_get_directory_file (config),
                                                    error);
  if (self->directory == NULL)
    return NULL;

  store_path = relais_config_get_store_path (config);
  store_dir = g_path_get_dirname (store_path);
  if (g_mkdir_with_parents (store_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE,
                   _("Impossible de créer le dossier des données %s : %s"),
                   store_dir, g_strerror (saved_errno));
      return NULL;
    }

  self->store = relais_store_new (store_path, error);
  if (self->store == NULL)
    return NULL;

  /* Figures are anonymous, but they still leave after the retention
   * period the deployment chose. A failed purge is retried next start. */
  purged = relais_store_purge (self->store,
                               relais_config_get_retention_days (config),
                               g_get_real_time () / G_USEC_PER_SEC,
                               &purge_error);
  if (purged < 0)
    g_warning ("Could not purge old figures: %s", purge_error->message);
  else if (purged > 0)
    g_debug ("Purged %" G_GINT64_FORMAT " rows past the retention period", purged);

  self->queue = relais_queue_new (self->store, error);
  if (self->queue == NULL)
    return NULL;

  self->agent_lock = relais_agent_lock_new (relais_config_get_pin_hash (config),
                                            relais_config_get_max_pin_attempts (config),
                                            relais_config_get_lockout_seconds (config));
  relais_agent_lock_set_store (self->agent_lock, self->store);
  relais_agent_lock_set_min_digits (self->agent_lock,
                                    relais_config_is_demo (config) ? 0 : RELAIS_AGENT_LOCK_MIN_DIGITS);

  self->session = relais_session_new (self->queue);
  self->session_record = relais_session_record_new (config, self->store, self->queue, self->session);
  self->dossier = relais_dossier_new (config);

  self->http = relais_http_client_new ();
  if (relais_config_get_ca_file (config) != NULL)
    relais_http_client_set_ca_file (self->http, relais_config_get_ca_file (config));
  self->booth = relais_booth_new (config, self->directory, self->queue, self->session, self->http);
  self->advisor_presence = relais_advisor_presence_new (config, self->directory, self->http);

  /* The person's call is the booth's: the papers travel over it and the
   * figures measure it, whichever call the booth has now (a reconnection
   * replaces it). */
  g_object_bind_property (self->booth, "call", self->dossier, "call", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->booth, "call", self->session_record, "call", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->booth, "advisor-taken",
                           G_CALLBACK (relais_session_record_note_advisor_taken),
                           self->session_record, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->booth, "link-lost",
                           G_CALLBACK (relais_session_record_note_link_lost),
                           self->session_record, G_CONNECT_SWAPPED);

  return g_steal_pointer (&self);
}

RelaisConfig *
relais_context_get_config (RelaisContext *self)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (self), NULL);
  return self->config;
}

RelaisStore *
relais_context_get_store (RelaisContext *self)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (self), NULL);
  return self->store;
}

RelaisQueue *
relais_context_get_queue (RelaisContext *self)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (self), NULL);
  return self->queue;
}

RelaisDirectory *
relais_context_get_directory (RelaisContext *self)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (self), NULL);
  return self->directory;
}

RelaisAgentLock *
relais_context_get_agent_lock (RelaisContext *self)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (self), NULL);
  return self->agent_lock;
}

/* The session state machine: which step of the journey the booth is at.
 * Pages and models watch its "state"; only the application drives it. */
RelaisSession *
relais_context_get_session (RelaisContext *self)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (self), NULL);
  return self->session;
}

/* The anonymous figures of the session at the booth: it watches the
 * session; the application tells it the call and the advisor's outcome. */
RelaisSessionRecord *
relais_context_get_session_record (RelaisContext *self)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (self), NULL);
  return self->session_record;
}

/* The papers of the person at the booth: scans, sending, the advisor's
 * document and its printing. */
RelaisDossier *
relais_context_get_dossier (RelaisContext *self)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (self), NULL);
  return self->dossier;
}

/* The one HTTP client of the kiosk's life (the gateway's requests). */
RelaisHttpClient *
relais_context_get_http_client (RelaisContext *self)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (self), NULL);
  return self->http;
}

/* The person at the booth and their call: pages watch it, the
 * application drives it. */
RelaisBooth *
relais_context_get_booth (RelaisContext *self)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (self), NULL);
  return self->booth;
}

/* Which services have an advisor ready (the desk, the turn rule). */
RelaisAdvisorPresence *
relais_context_get_advisor_presence (RelaisContext *self)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (self), NULL);
  return self->advisor_presence;
}
