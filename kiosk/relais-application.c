/* relais-application.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-application"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-application-private.h"
#include "relais-session-dir.h"
#include "relais-error.h"
#include "relais-resources.h"
#include "relais-ui-util.h"

G_DEFINE_FINAL_TYPE (RelaisApplication, relais_application, GTK_TYPE_APPLICATION)

/* A banner for whoever is at the booth, traced ("notice", "notice-error")
 * for the integration tests and the benchmark. */
void
_relais_application_notice (RelaisApplication *self,
                            const char        *message,
                            gboolean           is_error)
{
  relais_ui_trace (is_error ? "notice-error" : "notice", message);
  if (self->window != NULL)
    relais_window_show_notice (self->window, message, is_error);
}

void
_relais_application_notice_error (RelaisApplication *self,
                                  const GError      *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  _relais_application_notice (self, error->message, TRUE);
}

/* The call
 *
 * RelaisBooth (relais_context_get_booth) owns the person's call and the
 * way to the advisor; the pages watch it. The application prepares and
 * drops it as the session moves, and turns what it says into session
 * events and notices. */

static gboolean
person_in_call (RelaisApplication *self)
{
  RelaisTicket *current = relais_queue_get_current (relais_context_get_queue (self->context));

  return current != NULL && relais_ticket_get_state (current) == RELAIS_TICKET_IN_CALL;
}

/* What can be done changes with booth:call (made for the pre-call check,
 * replaced when the gateway came back), its state and booth:waiting (the
 * window shows the wait page itself). */
static void
booth_changed_cb (RelaisApplication *self)
{
  _relais_application_update_actions (self);
}

static void
booth_check_cb (RelaisApplication *self)
{
  RelaisBoothCheck check = relais_booth_get_check (self->booth);

  if (check == RELAIS_BOOTH_CHECK_OK || check == RELAIS_BOOTH_CHECK_WARNING)
    relais_ui_trace ("precall-network", relais_booth_get_check_text (self->booth));
}

static void
booth_first_frame_cb (RelaisApplication *self,
                      gint64             since_join_us)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT " ms after the join request",
                                           since_join_us >= 0 ? since_join_us / 1000 : -1);

  relais_ui_trace ("first-remote-frame", text);
}

static void
booth_notice_cb (RelaisApplication *self,
                 const char        *message,
                 gboolean           is_error)
{
  _relais_application_notice (self, message, is_error);
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
  RelaisCall *call = relais_booth_get_call (self->booth);

  /* The other side hung up. In the call, say so; with the agent at the
   * desk, drop an ended call: locking returns to the call page, which
   * finds no call and moves on to "the call is over". */
  if (relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    _relais_application_handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
  else if (call != NULL && relais_call_get_state (call) == RELAIS_CALL_ENDED)
    relais_booth_drop (self->booth);
}

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
booth_outcome_cb (RelaisApplication *self,
                  const char        *outcome)
{
  session_record_outcome (self, outcome);
  if (relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    _relais_application_handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
}

static void
booth_document_asked_cb (RelaisApplication *self)
{
  if (relais_session_get_state (self->session) == RELAIS_SESSION_IN_CALL)
    {
      _relais_application_open_scan (self);
      _relais_application_notice (self, _("Votre conseiller vous demande un document."), FALSE);
    }
}

static void
booth_connect (RelaisApplication *self)
{
  static const struct {
    const char *signal;
    GCallback   callback;
    GConnectFlags flags;
  } handlers[] = {
    { "notify::call", G_CALLBACK (booth_changed_cb), 0 },
    { "notify::call-state", G_CALLBACK (booth_changed_cb), G_CONNECT_AFTER },
    { "notify::status-text", G_CALLBACK (booth_changed_cb), G_CONNECT_AFTER },
    { "notify::check", G_CALLBACK (booth_check_cb), 0 },
    { "notify::muted", G_CALLBACK (booth_mute_cb), 0 },
    { "notify::camera-off", G_CALLBACK (booth_mute_cb), 0 },
    { "notify::waiting", G_CALLBACK (booth_changed_cb), 0 },
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
void
_relais_application_sync_call (RelaisApplication *self)
{
  RelaisSessionState state = relais_session_get_state (self->session);
  RelaisCall *call = relais_booth_get_call (self->booth);

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
      if (call == NULL || relais_call_get_state (call) == RELAIS_CALL_ENDED)
        {
          /* After the agent's visit the call is gone: it is over. */
          _relais_application_handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
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

static void
session_state_cb (RelaisApplication *self)
{
  RelaisSessionState state = relais_session_get_state (self->session);

  /* Back to the attract screen: nothing of the last person stays (scans,
   * documents, temporary files; issue 5, item 8). A session finished from
   * the desk gets here when the desk locks (2 minutes at most). */
  if (state == RELAIS_SESSION_ATTRACT)
    {
      _relais_application_end_documents (self);
      relais_session_dir_reset (NULL);
    }

  /* The window shows the new state's page (and traces it): what was
   * shown over the last one goes with it. */
  if (self->window != NULL)
    {
      relais_window_set_overlay (self->window, RELAIS_WINDOW_OVERLAY_NONE);
    }

  _relais_application_update_actions (self);
  _relais_application_sync_call (self);
  /* sync_call may have moved the session on (and updated them); if not,
   * the call it made changes what can be done. */
  if (relais_session_get_state (self->session) == state)
    _relais_application_update_actions (self);
}

gboolean
_relais_application_handle (RelaisApplication  *self,
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

  return relais_session_record_set_outcome (relais_context_get_session_record (self->context),
                                            outcome, error);
}

static void
dossier_receive_failed_cb (RelaisDossier     *dossier,
                           const char        *message,
                           RelaisApplication *self)
{
  _relais_application_notice (self, message, TRUE);
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

  _relais_application_add_actions (self);

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
  self->booth = g_object_ref (relais_context_get_booth (self->context));
  booth_connect (self);

  self->session = g_object_ref (relais_context_get_session (self->context));
  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (session_state_cb), self, G_CONNECT_SWAPPED);

  _relais_application_update_actions (self);
}

static void
relais_application_activate (GApplication *application)
{
  RelaisApplication *self = RELAIS_APPLICATION (application);

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
      g_signal_connect_object (relais_context_get_dossier (self->context), "receive-failed",
                               G_CALLBACK (dossier_receive_failed_cb), self, 0);

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
