/* relais-booth.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-booth"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-booth.h"
#include "relais-demo-link.h"
#include "relais-error.h"
#include "relais-lobby-link.h"
#include "relais-presence-tag.h"
#include "relais-room-link.h"


struct _RelaisBooth
{
  GObject            parent_instance;

  RelaisConfig      *config;
  RelaisDirectory   *directory;
  RelaisQueue       *queue;
  RelaisSession     *session;
  RelaisAdvisorLink *link;

  RelaisVisit       *visit;
  /* One per person, made for the pre-call check, dropped when their call
   * or session ends. */
  RelaisCall        *call;
  GSource           *reconcile;
  GCancellable      *check_cancellable;

  gboolean           link_lost;
  /* The call's sending is down to sound only (its rate controller). */
  gboolean           audio_only;
  char              *gateway_failure;  /* shown instead of the call's state */
  GSource           *gateway_down;

  RelaisCallState    call_state;
  char              *status_text;
  char              *media_error;
  RelaisBoothCheck   check;
  char              *check_text;
  double             mic_level;
  gboolean           muted;
  gboolean           camera_off;
  gboolean           waiting;
  char              *wait_error;

  gint64             call_now_at;      /* monotonic µs of the desk's call-now, 0: none */
  gint64             taken_at;
};

G_DEFINE_FINAL_TYPE (RelaisBooth, relais_booth, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CALL,
  PROP_CALL_STATE,
  PROP_STATUS_TEXT,
  PROP_MEDIA_ERROR,
  PROP_CHECK,
  PROP_CHECK_TEXT,
  PROP_MIC_LEVEL,
  PROP_MUTED,
  PROP_CAMERA_OFF,
  PROP_WAITING,
  PROP_WAIT_ERROR,
  N_PROPS
};

enum {
  CHAT_RECEIVED,
  CHAT_SENT,
  DOCUMENT_ASKED,
  OUTCOME,
  REMOTE_LEFT,
  NOTICE,
  FIRST_REMOTE_FRAME,
  ADVISOR_TAKEN,
  LINK_LOST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Sets *@field to a copy of @value; TRUE when it changed. */
static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
set_string_property (RelaisBooth  *self,
                     char        **field,
                     const char   *value,
                     guint         prop_id)
{
  if (set_string (field, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/* A source on the thread-default main context (the booth's, which a test
 * pushes of its own), where g_idle_add() would use the global one. */
static GSource *
add_source (GSource     *source,
            GSourceFunc  func,
            gpointer     data)
{
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
notice (RelaisBooth *self,
        const char  *message,
        gboolean     is_error)
{
  g_signal_emit (self, signals[NOTICE], 0, message, is_error);
}

static void
update_status (RelaisBooth *self)
{
  RelaisCallState state = RELAIS_CALL_IDLE;
  const char *text = NULL;

  if (self->call == NULL)
    ;
  else if (self->gateway_failure != NULL)
    {
      state = RELAIS_CALL_FAILED;
      text = self->gateway_failure;
    }
  else if (self->link_lost)
    {
      state = RELAIS_CALL_RECONNECTING;
      text = _("La connexion au serveur de visio est coupée. Nous essayons de la rétablir : restez devant l'écran.");
    }
  else
    {
      state = relais_call_get_state (self->call);
      text = relais_call_get_failure (self->call);
    }

  g_object_freeze_notify (G_OBJECT (self));
  set_string_property (self, &self->status_text, text, PROP_STATUS_TEXT);
  if (self->call_state != state)
    {
      self->call_state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL_STATE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_waiting (RelaisBooth *self,
             gboolean     waiting,
             const char  *error)
{
  g_autofree char *text = NULL;

  if (error != NULL)
    text = g_strdup_printf ("%s %s", error,
                            _("Touchez « Ne plus attendre » et prévenez l'agent d'accueil."));
  g_object_freeze_notify (G_OBJECT (self));
  set_string_property (self, &self->wait_error, text, PROP_WAIT_ERROR);
  if (self->waiting != waiting)
    {
      self->waiting = waiting;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
gateway_fail (RelaisBooth *self,
              const char  *message)
{
  clear_source (&self->gateway_down);
  g_free (self->gateway_failure);
  self->gateway_failure = g_strdup_printf ("%s %s", message,
                                           _("Prévenez l'agent d'accueil."));
  update_status (self);
}

static void
set_check (RelaisBooth      *self,
           RelaisBoothCheck  check,
           const char       *text)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_string_property (self, &self->check_text, text, PROP_CHECK_TEXT);
  if (self->check != check)
    {
      self->check = check;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECK]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_mic_level (RelaisBooth *self,
               double       level)
{
  if (self->mic_level == level)
    return;
  self->mic_level = level;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MIC_LEVEL]);
}

/* The visit, from the queue's current ticket: where its call goes. */
static RelaisVisit *
visit_new (RelaisBooth *self)
{
  RelaisTicket *current = relais_queue_get_current (self->queue);
  const RelaisSubservice *subservice = NULL;
  const RelaisService *service;
  RelaisVisit *visit;

  if (current == NULL)
    return NULL;

  visit = g_new0 (RelaisVisit, 1);
  visit->ticket_id = relais_ticket_get_id (current);
  visit->ticket_code = g_strdup (relais_ticket_get_code (current));
  visit->service_id = g_strdup (relais_ticket_get_service_id (current));
  visit->subservice_id = g_strdup (relais_ticket_get_subservice_id (current));
  visit->site_name = g_strdup (relais_config_get_site_name (self->config));

  if (visit->subservice_id != NULL)
    subservice = relais_directory_find_subservice (self->directory, visit->service_id,
                                                   visit->subservice_id);
  service = subservice != NULL ? subservice->service
                               : relais_directory_find_service (self->directory, visit->service_id);
  if (service != NULL)
    {
      visit->service_name = g_strdup (service->name);
      visit->lobby_room = MAX (service->lobby_room, 0);
    }
  if (subservice != NULL && subservice->room > 0)
    visit->room = subservice->room;
  else
    visit->room = visit->lobby_room;

  return visit;
}

static void call_state_cb       (RelaisBooth *self);
static void mic_level_cb        (RelaisBooth *self);
static void message_received_cb (RelaisBooth *self,
                                 const char  *text);

/* The call's rate controller cut the picture, or gave it back: the person
 * is told, and so is the advisor ("link", PROTOCOL.md section 5). */
static void
link_step_cb (RelaisBooth *self,
              GParamSpec  *pspec,
              RelaisCall  *call)
{
  RelaisCallLinkStep step = relais_call_get_link_step (call);
  gboolean audio_only = step == RELAIS_CALL_LINK_AUDIO_ONLY;
  g_autofree char *envelope = NULL;
  g_autoptr(GError) error = NULL;

  if (call != self->call || audio_only == self->audio_only)
    return;
  self->audio_only = audio_only;
  g_debug (audio_only ? "Sending sound only" : "Sending the picture again");
  /* Bad news with the warning sign; the good news with the tick. */
  notice (self, audio_only ? relais_call_link_step_describe (step)
                           : _("La connexion va mieux : l’image revient."), audio_only);
  envelope = relais_presence_format_link (!audio_only);
  if (!relais_call_send_message (call, envelope, &error))
    g_debug ("The advisor could not be told: %s", error->message);
}

static RelaisCall *
call_make (RelaisBooth  *self,
           GError      **error)
{
  RelaisCallOptions options;
  g_autoptr(RelaisCall) call = NULL;

  relais_call_options_init_from_config (&options, self->config);
  call = relais_call_new (&options, error);
  relais_call_options_clear (&options);
  if (call == NULL)
    return NULL;
  if (!relais_call_start_preview (call, error))
    {
      relais_call_hang_up (call);
      return NULL;
    }

  g_signal_connect_swapped (call, "notify::state", G_CALLBACK (call_state_cb), self);
  g_signal_connect_swapped (call, "notify::mic-level", G_CALLBACK (mic_level_cb), self);
  g_signal_connect_swapped (call, "message-received", G_CALLBACK (message_received_cb), self);
  g_signal_connect_swapped (call, "notify::link-step", G_CALLBACK (link_step_cb), self);
  relais_call_set_muted (call, self->muted);
  relais_call_set_camera_off (call, self->camera_off);
  return g_steal_pointer (&call);
}

/* Puts @call in place of the current one (either may be NULL), notifies,
 * then hangs the old one up. */
static void
call_set (RelaisBooth *self,
          RelaisCall  *call)
{
  g_autoptr(RelaisCall) old = g_steal_pointer (&self->call);

  if (old != NULL)
    g_signal_handlers_disconnect_by_data (old, self);
  self->call = call;
  /* A fresh call starts with the full picture. */
  self->audio_only = FALSE;
  /* Followers let go of the old call's appsinks before it hangs up, so
   * no frame of this person reaches the next one. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL]);
  if (old != NULL)
    relais_call_hang_up (old);
  update_status (self);
}

static gboolean
reconcile_cb (gpointer user_data)
{
  RelaisBooth *self = user_data;

  g_clear_pointer (&self->reconcile, g_source_unref);
  /* The other side hung up: the owner says so or drops the call. */
  if (self->call != NULL && relais_call_get_state (self->call) == RELAIS_CALL_ENDED)
    g_signal_emit (self, signals[REMOTE_LEFT], 0);
  return G_SOURCE_REMOVE;
}

static void
call_state_cb (RelaisBooth *self)
{
  RelaisCallState call_state = relais_call_get_state (self->call);
  const char *failure = relais_call_get_failure (self->call);

  g_debug ("Call state %d", call_state);

  if (call_state == RELAIS_CALL_FAILED
      && relais_session_get_state (self->session) == RELAIS_SESSION_PRECALL)
    set_string_property (self, &self->media_error,
                         failure ? failure : _("La caméra et le micro ne démarrent pas. Prévenez l'agent d'accueil."),
                         PROP_MEDIA_ERROR);

  /* Not from inside the call's own notification. */
  if (call_state == RELAIS_CALL_ENDED && self->reconcile == NULL)
    self->reconcile = add_source (g_idle_source_new (), reconcile_cb, self);

  update_status (self);
}

static void
mic_level_cb (RelaisBooth *self)
{
  set_mic_level (self, relais_call_get_mic_level (self->call));
}

/* Chat lines, and the advisor's control messages (PROTOCOL.md, 5). */
static void
message_received_cb (RelaisBooth *self,
                     const char  *text)
{
  g_autofree char *line = NULL;
  g_autofree char *outcome = NULL;

  switch (relais_presence_parse_message (text, &line, &outcome))
    {
    case RELAIS_MESSAGE_CHAT:
      g_debug ("Chat line received");
      g_signal_emit (self, signals[CHAT_RECEIVED], 0, line);
      break;

    case RELAIS_MESSAGE_END:
      g_debug ("The advisor ended the call");
      g_signal_emit (self, signals[OUTCOME], 0, outcome);
      break;

    case RELAIS_MESSAGE_ASK_DOCUMENT:
      g_debug ("The advisor asks for a document");
      g_signal_emit (self, signals[DOCUMENT_ASKED], 0);
      break;

    default:
      /* Transfer messages (RelaisTransfer reads them) and newer types. */
      break;
    }
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RelaisBooth) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  text = relais_advisor_link_check_finish (RELAIS_ADVISOR_LINK (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (text == NULL)
    {
      text = g_strdup_printf ("%s %s", error->message,
                              _("Vous pouvez tout de même commencer l'appel ; s'il ne démarre pas, prévenez l'agent d'accueil."));
      set_check (self, RELAIS_BOOTH_CHECK_WARNING, text);
      return;
    }
  set_check (self, RELAIS_BOOTH_CHECK_OK, text);
}

static gboolean
gateway_down_cb (gpointer user_data)
{
  RelaisBooth *self = user_data;

  g_clear_pointer (&self->gateway_down, g_source_unref);
  g_debug ("The gateway stayed out of reach for %u s: giving up the call",
           relais_config_get_give_up_seconds (self->config));
  /* No coming back into this call: stop reconnecting, and say what to do.
   * The next call starts afresh, with the gateway back or not. */
  relais_advisor_link_stop (self->link);
  self->link_lost = FALSE;
  gateway_fail (self, _("Le service de visio est injoignable : l'appel ne peut pas continuer."));
  return G_SOURCE_REMOVE;
}

static void
link_state_cb (RelaisBooth *self)
{
  RelaisAdvisorLinkState state = relais_advisor_link_get_state (self->link);
  const char *failure = relais_advisor_link_get_failure (self->link);

  switch (state)
    {
    case RELAIS_ADVISOR_LINK_WAITING:
      set_waiting (self, TRUE, failure);
      break;

    case RELAIS_ADVISOR_LINK_LOST:
      if (self->link_lost)
        break;
      g_debug ("Gateway lost");
      self->link_lost = TRUE;
      g_signal_emit (self, signals[LINK_LOST], 0);
      notice (self, _("La connexion au serveur de visio est perdue : nouvelle tentative en cours…"), TRUE);
      if (self->gateway_down == NULL && self->gateway_failure == NULL)
        /* How long the gateway may stay unreachable before we stop
         * pretending it will come back and show the way out: [gateway]
         * give-up-seconds, 60 by default (issue 10: a cut of up to a
         * minute is survived). */
        self->gateway_down = add_source (g_timeout_source_new_seconds (relais_config_get_give_up_seconds (self->config)),
                                            gateway_down_cb, self);
      update_status (self);
      break;

    case RELAIS_ADVISOR_LINK_FAILED:
      set_waiting (self, FALSE, NULL);
      gateway_fail (self, failure != NULL ? failure : _("L'appel n'a pas pu joindre le serveur de visio."));
      break;

    case RELAIS_ADVISOR_LINK_IDLE:
    case RELAIS_ADVISOR_LINK_CONNECTING:
    case RELAIS_ADVISOR_LINK_CONNECTED:
    default:
      set_waiting (self, FALSE, NULL);
      break;
    }
}

static void
link_reconnected_cb (RelaisBooth *self)
{
  g_autoptr(GError) error = NULL;
  RelaisCall *call;
  /* Not lost: the link moved the call to a fresh room (a possible
   * listener left the old one); nothing to tell the person. */
  gboolean was_lost = self->link_lost;

  g_debug (was_lost ? "Gateway back" : "Call moved to a fresh room");
  self->link_lost = FALSE;
  clear_source (&self->gateway_down);
  g_clear_pointer (&self->gateway_failure, g_free);

  if (self->call == NULL)
    return;

  /* The call's peers died with the gateway session: a fresh call (same
   * devices, same mute and camera choices) publishes in the new one. */
  call = call_make (self, &error);
  if (call == NULL)
    {
      g_warning ("The call could not start again: %s", error->message);
      relais_advisor_link_set_call (self->link, NULL);
      gateway_fail (self, _("La caméra et le micro ne redémarrent pas : l'appel ne peut pas continuer."));
      return;
    }
  call_set (self, call);
  relais_advisor_link_set_call (self->link, self->call);
  if (was_lost)
    notice (self, _("La connexion au serveur de visio est rétablie : l'appel reprend."), FALSE);
  update_status (self);
}

static void
link_remote_left_cb (RelaisBooth *self)
{
  g_signal_emit (self, signals[REMOTE_LEFT], 0);
}

static void
link_taken_cb (RelaisBooth *self,
               const char  *advisor)
{
  g_autofree char *message = NULL;

  self->taken_at = g_get_monotonic_time ();
  if (self->call_now_at != 0)
    g_debug ("Call now → taken by an advisor: %.0f ms", (self->taken_at - self->call_now_at) / 1000.0);
  set_waiting (self, FALSE, NULL);
  g_signal_emit (self, signals[ADVISOR_TAKEN], 0);
  message = g_strdup_printf (_("%s vous répond."), advisor);
  notice (self, message, FALSE);
  update_status (self);
}

static void
link_first_frame_cb (RelaisBooth *self,
                     gint64       since_join_us)
{
  gint64 now = g_get_monotonic_time ();

  if (self->call_now_at != 0)
    g_debug ("Call now → first remote frame: %.0f ms (taken → first frame %.0f ms)",
             (now - self->call_now_at) / 1000.0,
             self->taken_at != 0 ? (now - self->taken_at) / 1000.0 : -1.0);
  g_signal_emit (self, signals[FIRST_REMOTE_FRAME], 0, since_join_us);
}

static void
relais_booth_dispose (GObject *object)
{
  RelaisBooth *self = (RelaisBooth *)object;

  relais_booth_drop (self);
  if (self->link != NULL)
    g_signal_handlers_disconnect_by_data (self->link, self);
  g_clear_object (&self->link);
  g_clear_object (&self->session);
  g_clear_object (&self->queue);
  g_clear_object (&self->directory);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (relais_booth_parent_class)->dispose (object);
}

static void
relais_booth_finalize (GObject *object)
{
  RelaisBooth *self = (RelaisBooth *)object;

  g_free (self->status_text);
  g_free (self->media_error);
  g_free (self->check_text);
  g_free (self->wait_error);
  g_free (self->gateway_failure);

  G_OBJECT_CLASS (relais_booth_parent_class)->finalize (object);
}

static void
relais_booth_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RelaisBooth *self = RELAIS_BOOTH (object);

  switch (prop_id)
    {
    case PROP_CALL:
      g_value_set_object (value, self->call);
      break;
    case PROP_CALL_STATE:
      g_value_set_enum (value, self->call_state);
      break;
    case PROP_STATUS_TEXT:
      g_value_set_string (value, self->status_text);
      break;
    case PROP_MEDIA_ERROR:
      g_value_set_string (value, self->media_error);
      break;
    case PROP_CHECK:
      g_value_set_enum (value, self->check);
      break;
    case PROP_CHECK_TEXT:
      g_value_set_string (value, self->check_text);
      break;
    case PROP_MIC_LEVEL:
      g_value_set_double (value, self->mic_level);
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, self->muted);
      break;
    case PROP_CAMERA_OFF:
      g_value_set_boolean (value, self->camera_off);
      break;
    case PROP_WAITING:
      g_value_set_boolean (value, self->waiting);
      break;
    case PROP_WAIT_ERROR:
      g_value_set_string (value, self->wait_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_booth_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  RelaisBooth *self = RELAIS_BOOTH (object);

  switch (prop_id)
    {
    case PROP_MUTED:
      relais_booth_set_muted (self, g_value_get_boolean (value));
      break;
    case PROP_CAMERA_OFF:
      relais_booth_set_camera_off (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_booth_class_init (RelaisBoothClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = relais_booth_dispose;
  object_class->finalize = relais_booth_finalize;
  object_class->get_property = relais_booth_get_property;
  object_class->set_property = relais_booth_set_property;

  properties[PROP_CALL] =
    g_param_spec_object ("call", NULL, NULL, RELAIS_TYPE_CALL, ro);
  properties[PROP_CALL_STATE] =
    g_param_spec_enum ("call-state", NULL, NULL, RELAIS_TYPE_CALL_STATE, RELAIS_CALL_IDLE, ro);
  properties[PROP_STATUS_TEXT] =
    g_param_spec_string ("status-text", NULL, NULL, NULL, ro);
  properties[PROP_MEDIA_ERROR] =
    g_param_spec_string ("media-error", NULL, NULL, NULL, ro);
  properties[PROP_CHECK] =
    g_param_spec_enum ("check", NULL, NULL, RELAIS_TYPE_BOOTH_CHECK, RELAIS_BOOTH_CHECK_NONE, ro);
  properties[PROP_CHECK_TEXT] =
    g_param_spec_string ("check-text", NULL, NULL, NULL, ro);
  properties[PROP_MIC_LEVEL] =
    g_param_spec_double ("mic-level", NULL, NULL, -100.0, 0.0, -100.0, ro);
  properties[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE, rw);
  properties[PROP_CAMERA_OFF] =
    g_param_spec_boolean ("camera-off", NULL, NULL, FALSE, rw);
  properties[PROP_WAITING] =
    g_param_spec_boolean ("waiting", NULL, NULL, FALSE, ro);
  properties[PROP_WAIT_ERROR] =
    g_param_spec_string ("wait-error", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHAT_RECEIVED] =
    g_signal_new ("chat-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[CHAT_SENT] =
    g_signal_new ("chat-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[DOCUMENT_ASKED] =
    g_signal_new ("document-asked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[OUTCOME] =
    g_signal_new ("outcome", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[REMOTE_LEFT] =
    g_signal_new ("remote-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[NOTICE] =
    g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[FIRST_REMOTE_FRAME] =
    g_signal_new ("first-remote-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[ADVISOR_TAKEN] =
    g_signal_new ("advisor-taken", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[LINK_LOST] =
    g_signal_new ("link-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
relais_booth_init (RelaisBooth *self)
{
  self->mic_level = -100.0;
  self->call_state = RELAIS_CALL_IDLE;
}

RelaisBooth *
relais_booth_new (RelaisConfig     *config,
                  RelaisDirectory  *directory,
                  RelaisQueue      *queue,
                  RelaisSession    *session,
                  RelaisHttpClient *http)
{
  RelaisBooth *self;
  const char *pin;

  g_return_val_if_fail (RELAIS_IS_CONFIG (config), NULL);
  g_return_val_if_fail (RELAIS_IS_DIRECTORY (directory), NULL);
  g_return_val_if_fail (RELAIS_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (RELAIS_IS_SESSION (session), NULL);
  g_return_val_if_fail (RELAIS_IS_HTTP_CLIENT (http), NULL);

  self = g_object_new (RELAIS_TYPE_BOOTH, NULL);
  self->config = g_object_ref (config);
  self->directory = g_object_ref (directory);
  self->queue = g_object_ref (queue);
  self->session = g_object_ref (session);

  /* The one place that decides how the advisor is reached. */
  pin = relais_config_get_lobby_pin (config);
  if (relais_config_is_demo (config))
    self->link = relais_demo_link_new ();
  else if (pin != NULL)
    self->link = relais_lobby_link_new (http, relais_config_get_janus_url (config), pin);
  else
    self->link = relais_room_link_new (http, relais_config_get_janus_url (config));

  g_signal_connect_swapped (self->link, "notify::state", G_CALLBACK (link_state_cb), self);
  g_signal_connect_swapped (self->link, "notify::failure", G_CALLBACK (link_state_cb), self);
  g_signal_connect_swapped (self->link, "reconnected", G_CALLBACK (link_reconnected_cb), self);
  g_signal_connect_swapped (self->link, "remote-left", G_CALLBACK (link_remote_left_cb), self);
  g_signal_connect_swapped (self->link, "taken", G_CALLBACK (link_taken_cb), self);
  g_signal_connect_swapped (self->link, "first-remote-frame", G_CALLBACK (link_first_frame_cb), self);

  return self;
}

void
relais_booth_prepare (RelaisBooth *self)
{
  g_autoptr(GError) error = NULL;
  RelaisCall *call;

  g_return_if_fail (RELAIS_IS_BOOTH (self));

  if (self->call != NULL)
    return;

  if (self->visit == NULL)
    self->visit = visit_new (self);

  set_string_property (self, &self->media_error, NULL, PROP_MEDIA_ERROR);
  set_check (self, RELAIS_BOOTH_CHECK_NONE, NULL);
  set_mic_level (self, -100.0);

  call = call_make (self, &error);
  if (call == NULL)
    {
      g_warning ("The call could not start: %s", error->message);
      set_string_property (self, &self->media_error,
                           _("La caméra et le micro ne démarrent pas : l'appel est impossible pour l'instant. Touchez « Annuler » et prévenez l'agent d'accueil."),
                           PROP_MEDIA_ERROR);
      return;
    }
  call_set (self, call);

  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  self->check_cancellable = g_cancellable_new ();
  set_check (self, RELAIS_BOOTH_CHECK_RUNNING,
             _("Vérification de la connexion au serveur de visio…"));
  relais_advisor_link_check_async (self->link, self->check_cancellable,
                                   check_cb, g_object_ref (self));
}

gboolean
relais_booth_start_call (RelaisBooth  *self,
                         GError      **error)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), FALSE);

  if (self->call == NULL)
    return TRUE;

  if (self->visit == NULL)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Aucun ticket n'est en cours."));
      return FALSE;
    }

  /* Each link leaves what it joined before, if anything. */
  clear_source (&self->gateway_down);
  g_clear_pointer (&self->gateway_failure, g_free);
  self->link_lost = FALSE;
  self->taken_at = 0;
  if (!relais_advisor_link_connect (self->link, self->call, self->visit, error))
    return FALSE;
  update_status (self);
  return TRUE;
}

gboolean
relais_booth_cancel_wait (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), FALSE);

  if (!self->waiting)
    return FALSE;

  g_debug ("Waiting cancelled");
  relais_advisor_link_stop (self->link);
  set_waiting (self, FALSE, NULL);
  return TRUE;
}

void
relais_booth_drop (RelaisBooth *self)
{
  g_return_if_fail (RELAIS_IS_BOOTH (self));

  clear_source (&self->reconcile);
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  /* Leave before hanging up, so the advisor hears "leaving" at once. */
  if (self->link != NULL)
    relais_advisor_link_stop (self->link);
  clear_source (&self->gateway_down);
  g_clear_pointer (&self->gateway_failure, g_free);
  self->link_lost = FALSE;
  set_waiting (self, FALSE, NULL);
  g_clear_pointer (&self->visit, relais_visit_free);

  if (self->call != NULL)
    {
      g_debug ("Dropping the call");
      call_set (self, NULL);
    }

  g_object_freeze_notify (G_OBJECT (self));
  set_check (self, RELAIS_BOOTH_CHECK_NONE, NULL);
  set_mic_level (self, -100.0);
  relais_booth_set_muted (self, FALSE);
  relais_booth_set_camera_off (self, FALSE);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
relais_booth_send_chat (RelaisBooth  *self,
                        const char   *text,
                        GError      **error)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (self->call == NULL)
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_FAILED, "No call");
      return FALSE;
    }
  if (!relais_call_send_message (self->call, text, error))
    return FALSE;

  g_signal_emit (self, signals[CHAT_SENT], 0, text);
  return TRUE;
}

void
relais_booth_mark_call_now (RelaisBooth *self)
{
  g_return_if_fail (RELAIS_IS_BOOTH (self));

  self->call_now_at = g_get_monotonic_time ();
}

RelaisCall *
relais_booth_get_call (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), NULL);
  return self->call;
}

RelaisAdvisorLink *
relais_booth_get_link (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), NULL);
  return self->link;
}

const RelaisVisit *
relais_booth_get_visit (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), NULL);
  return self->visit;
}

RelaisCallState
relais_booth_get_call_state (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), RELAIS_CALL_IDLE);
  return self->call_state;
}

const char *
relais_booth_get_status_text (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), NULL);
  return self->status_text;
}

const char *
relais_booth_get_media_error (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), NULL);
  return self->media_error;
}

RelaisBoothCheck
relais_booth_get_check (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), RELAIS_BOOTH_CHECK_NONE);
  return self->check;
}

const char *
relais_booth_get_check_text (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), NULL);
  return self->check_text;
}

double
relais_booth_get_mic_level (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), -100.0);
  return self->mic_level;
}

gboolean
relais_booth_get_muted (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), FALSE);
  return self->muted;
}

void
relais_booth_set_muted (RelaisBooth *self,
                        gboolean     muted)
{
  g_return_if_fail (RELAIS_IS_BOOTH (self));

  muted = !!muted;
  if (self->call != NULL)
    relais_call_set_muted (self->call, muted);
  if (self->muted == muted)
    return;
  self->muted = muted;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}

gboolean
relais_booth_get_camera_off (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), FALSE);
  return self->camera_off;
}

void
relais_booth_set_camera_off (RelaisBooth *self,
                             gboolean     camera_off)
{
  g_return_if_fail (RELAIS_IS_BOOTH (self));

  camera_off = !!camera_off;
  if (self->call != NULL)
    relais_call_set_camera_off (self->call, camera_off);
  if (self->camera_off == camera_off)
    return;
  self->camera_off = camera_off;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_OFF]);
}

gboolean
relais_booth_get_waiting (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), FALSE);
  return self->waiting;
}

const char *
relais_booth_get_wait_error (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), NULL);
  return self->wait_error;
}

gboolean
relais_booth_is_link_lost (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), FALSE);
  return self->link_lost;
}

gint64
relais_booth_get_taken_at (RelaisBooth *self)
{
  g_return_val_if_fail (RELAIS_IS_BOOTH (self), 0);
  return self->taken_at;
}
