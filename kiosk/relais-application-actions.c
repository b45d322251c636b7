/* relais-application-actions.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-application"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-application-private.h"
#include "relais-figures-store.h"
#include "relais-ui-util.h"

/* The actions (relais-application.h lists them): buttons, tests and
 * `gapplication action org.relais.Kiosk …` share them. Each handler turns
 * the action into the models' calls and session events; what can be done
 * follows the session's state (_relais_application_update_actions). */

static void
set_action_enabled (RelaisApplication *self,
                    const char        *name,
                    gboolean           enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static RelaisDossier *
dossier_of (RelaisApplication *self)
{
  return self->context != NULL ? relais_context_get_dossier (self->context) : NULL;
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
figures_update_actions (RelaisApplication  *self,
                        RelaisSessionState  state)
{
  set_action_enabled (self, "survey", state == RELAIS_SESSION_SURVEY);
  set_action_enabled (self, "figures", state == RELAIS_SESSION_DESK);
  set_action_enabled (self, "close-figures", state == RELAIS_SESSION_DESK);
  set_action_enabled (self, "export-figures", state == RELAIS_SESSION_DESK);
}

static void
documents_update_actions (RelaisApplication  *self,
                          RelaisSessionState  state)
{
  gboolean in_call = state == RELAIS_SESSION_IN_CALL && relais_booth_get_call (self->booth) != NULL;
  RelaisDossier *dossier = dossier_of (self);

  if (!in_call)
    relais_dossier_cancel (dossier);
  set_action_enabled (self, "scan-document", in_call);
  set_action_enabled (self, "scan-page", in_call);
  set_action_enabled (self, "cancel-scan", in_call);
  set_action_enabled (self, "send-document", in_call);
  set_action_enabled (self, "close-scan", in_call);
}

void
_relais_application_update_actions (RelaisApplication *self)
{
  RelaisCall *call = relais_booth_get_call (self->booth);
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
                      state == RELAIS_SESSION_PRECALL && call != NULL
                      && relais_call_get_state (call) == RELAIS_CALL_PREVIEW);
  set_action_enabled (self, "hang-up", state == RELAIS_SESSION_IN_CALL);
  set_action_enabled (self, "toggle-mute", state == RELAIS_SESSION_IN_CALL && call != NULL);
  set_action_enabled (self, "toggle-camera", state == RELAIS_SESSION_IN_CALL && call != NULL);
  set_action_enabled (self, "send-chat", state == RELAIS_SESSION_IN_CALL && call != NULL);
  figures_update_actions (self, state);
  presence_update_actions (self, state, desk && !has_current);
  documents_update_actions (self, state);
}

static void
agent_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  _relais_application_handle (RELAIS_APPLICATION (user_data), RELAIS_SESSION_EVENT_AGENT_REQUEST);
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
    _relais_application_handle (self, RELAIS_SESSION_EVENT_UNLOCKED);
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
    _relais_application_handle (self, RELAIS_SESSION_EVENT_AGENT_REQUEST);

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
  _relais_application_handle (RELAIS_APPLICATION (user_data), RELAIS_SESSION_EVENT_LOCK);
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
      _relais_application_notice (self, _("Ce service n'existe pas dans l'annuaire."), TRUE);
      return;
    }

  if (!(sub->channels & RELAIS_CHANNEL_VISIO))
    {
      _relais_application_notice (self, _("Ce service ne se fait pas en visio : donnez plutôt ses coordonnées."), TRUE);
      return;
    }

  ticket = relais_queue_add (relais_context_get_queue (self->context),
                             sub->service->letter, service_id, subservice_id,
                             name, note, &error);
  if (ticket == NULL)
    {
      _relais_application_notice_error (self, error);
      return;
    }

  /* The ticket is committed to disk at this point: only now say so. */
  message = g_strdup_printf (_("Ticket %s donné pour %s."),
                             relais_ticket_get_code (ticket), sub->service->name);
  _relais_application_notice (self, message, FALSE);

  if (self->window != NULL)
    relais_desk_page_reset_walk_in (relais_window_get_desk_page (self->window));

  _relais_application_update_actions (self);
}

static void
after_call (RelaisApplication *self)
{
  RelaisTicket *current = relais_queue_get_current (relais_context_get_queue (self->context));
  g_autofree char *message = NULL;

  message = g_strdup_printf (_("Ticket %s appelé."), relais_ticket_get_code (current));
  _relais_application_notice (self, message, FALSE);
  _relais_application_handle (self, RELAIS_SESSION_EVENT_TICKET_CALLED);
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
      _relais_application_notice_error (self, error);
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
      _relais_application_notice_error (self, error);
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
      _relais_application_notice_error (self, error);
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

  _relais_application_handle (self, RELAIS_SESSION_EVENT_PERSON_PRESENT);
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
  _relais_application_end_documents (self);
  _relais_application_notice (self, _("Rendez-vous terminé. Merci et à bientôt !"), FALSE);
  _relais_application_handle (self, RELAIS_SESSION_EVENT_SESSION_ENDED);
  /* From the desk the state does not change: drop the call here. */
  _relais_application_sync_call (self);
  _relais_application_update_actions (self);
}

static void
start_call_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  RelaisCall *call = relais_booth_get_call (self->booth);
  g_autoptr(GError) error = NULL;

  if (call == NULL)
    return;

  if (!relais_booth_start_call (self->booth, &error))
    {
      _relais_application_notice_error (self, error);
      return;
    }

  _relais_application_handle (self, RELAIS_SESSION_EVENT_START_CALL);
}

static void
hang_up_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  /* Entering CALL_ENDED hangs up and drops the call. */
  _relais_application_handle (RELAIS_APPLICATION (user_data), RELAIS_SESSION_EVENT_CALL_OVER);
}

/* The booth keeps mute and camera off (the call page and the actions'
 * states follow it, booth_mute_cb). */
static void
toggle_mute_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  if (relais_booth_get_call (self->booth) != NULL)
    relais_booth_set_muted (self->booth, !relais_booth_get_muted (self->booth));
}

static void
toggle_camera_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  if (relais_booth_get_call (self->booth) != NULL)
    relais_booth_set_camera_off (self->booth, !relais_booth_get_camera_off (self->booth));
}

static void
send_chat_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);
  RelaisCall *call = relais_booth_get_call (self->booth);
  const char *text = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;

  if (call == NULL || *text == '\0')
    return;

  /* Once it left, the call page shows it (booth::chat-sent). */
  if (!relais_booth_send_chat (self->booth, text, &error))
    {
      g_debug ("Message not sent: %s", error->message);
      _relais_application_notice (self, _("Le message n'est pas parti. Attendez un instant, puis réessayez."), TRUE);
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
      _relais_application_notice (self, _("Ce ticket n'est plus dans la file."), TRUE);
      return;
    }

  code = g_strdup (relais_ticket_get_code (ticket));

  if (absent ? !relais_queue_mark_absent (queue, ticket_id, &error)
             : !relais_queue_cancel (queue, ticket_id, &error))
    {
      _relais_application_notice_error (self, error);
      return;
    }

  relais_session_record_ticket_ended (relais_context_get_session_record (self->context), ticket_id);
  message = g_strdup_printf (absent ? _("Ticket %s marqué absent.") : _("Ticket %s annulé."), code);
  _relais_application_notice (self, message, FALSE);

  if (was_current)
    _relais_application_handle (self, RELAIS_SESSION_EVENT_TICKET_RELEASED);
  _relais_application_sync_call (self);
  _relais_application_update_actions (self);
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
    _relais_application_notice_error (self, error);
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

/* ---- the presence work (common/PROTOCOL.md) ------------------------------
 * The desk shows which services have an advisor ready
 * (RelaisAdvisorPresence); "call now" takes a waiting ticket straight to
 * the pre-call check; with a lobby pin, starting the call means waiting in
 * the service's lobby until an advisor takes the person (the booth's
 * lobby link), with the camera already published in the person's own
 * session room. */

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
      _relais_application_notice_error (self, error);
      return;
    }
  relais_booth_mark_call_now (self->booth);
  after_call (self);
  if (!relais_queue_start (queue, ticket_id, &error))
    {
      _relais_application_notice_error (self, error);
      return;
    }
  _relais_application_handle (self, RELAIS_SESSION_EVENT_PERSON_PRESENT);
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
  _relais_application_notice (self, _("L'attente est arrêtée."), FALSE);
  /* Entering CALL_ENDED drops the call, and the wait with it. */
  _relais_application_handle (self, RELAIS_SESSION_EVENT_CALL_OVER);
}

/* ---- figures: the anonymous record of each session ---------------------
 *
 * RelaisSessionRecord (the context's) measures the call and writes the
 * row and its upload; the actions here tell it what only the kiosk knows
 * (the survey's answer), show the figures page and export the CSV. */

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
      && !relais_session_record_answer_survey (relais_context_get_session_record (self->context),
                                                 answer, &error))
    g_warning ("Survey answer not recorded: %s", error->message);

  _relais_application_notice (self, _("Merci ! À bientôt."), FALSE);
  _relais_application_handle (self, RELAIS_SESSION_EVENT_SURVEY_DONE);
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
      _relais_application_notice_error (self, error);
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
      relais_ui_trace ("figures", text);
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
          _relais_application_notice_error (data->self, error);
          return;
        }
      g_warning ("CSV export failed: %s", error->message);
      message = g_strdup_printf (_("Le fichier des chiffres n'a pas pu être écrit (%s). Vérifiez la place libre, puis réessayez."),
                                 error->message);
      _relais_application_notice (data->self, message, TRUE);
      return;
    }

  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Chiffres enregistrés (%u séance) dans %s",
                                          "Chiffres enregistrés (%u séances) dans %s",
                                          n_rows),
                             n_rows, data->path);
  _relais_application_notice (data->self, message, FALSE);
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

/* ---- the person's papers (common/booth/relais-dossier.h) ----------------
 *
 * The scan page in the call, the sending, the advisor's document and its
 * printing. The dossier does the work and the scan and print pages watch
 * it; here the actions reach it and the window shows the page. */

static void
show_document_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  RelaisApplication *self = RELAIS_APPLICATION (user_data);

  if (self->window == NULL)
    return;
  if (!relais_dossier_show_document (dossier_of (self), g_variant_get_string (parameter, NULL)))
    _relais_application_notice (self, _("Ce document ne peut pas être ouvert. Demandez à votre conseiller de vous le renvoyer."), TRUE);
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
void
_relais_application_open_scan (RelaisApplication *self)
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

/* The session is over: no scan, no sending, no document, no transfer,
 * and the session directory wiped. */
void
_relais_application_end_documents (RelaisApplication *self)
{
  documents_close (self);
  relais_dossier_reset (dossier_of (self));
}

static void
scan_document_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  _relais_application_open_scan (RELAIS_APPLICATION (user_data));
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

void
_relais_application_add_actions (RelaisApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
}
