/* relais-window.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-window"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-attract-page.h"
#include "relais-call-ended-page.h"
#include "relais-wait-page.h"
#include "relais-call-page.h"
#include "relais-desk-page.h"
#include "relais-pin-page.h"
#include "relais-precall-page.h"
#include "relais-print-page.h"
#include "relais-ticket-page.h"
#include "relais-ui-util.h"
#include "relais-window.h"

#define NOTICE_SECONDS 8
#define IDLE_CHECK_SECONDS 5

struct _RelaisWindow
{
  GtkApplicationWindow  parent_instance;

  RelaisContext        *context;
  RelaisSession        *session;
  RelaisWindowOverlay   overlay;
  gboolean              waiting;
  int                   traced_state;   /* the last state traced; -1: none */
  guint                 notice_id;
  gint64                last_activity;  /* monotonic µs */
  guint                 idle_id;

  GtkStack             *pages;
  GtkRevealer          *notice_revealer;
  GtkWidget            *notice_box;
  GtkImage             *notice_icon;
  GtkLabel             *notice_label;

  RelaisAttractPage    *attract_page;
  RelaisPinPage        *pin_page;
  RelaisDeskPage       *desk_page;
  RelaisPrecallPage    *precall_page;
  RelaisCallPage       *call_page;
  RelaisPrintPage      *print_page;
  RelaisSurveyPage     *survey_page;
  RelaisFiguresPage    *figures_page;
  RelaisWaitPage       *wait_page;
  RelaisScanPage       *scan_page;
};

G_DEFINE_FINAL_TYPE (RelaisWindow, relais_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_OVERLAY,
  PROP_WAITING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_page (RelaisWindow *self,
          const char   *page_name)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), page_name) == 0)
    return;

  if (g_str_equal (page_name, "unlock"))
    relais_pin_page_reset (self->pin_page);
  else if (g_str_equal (page_name, "desk"))
    relais_desk_page_reset_walk_in (self->desk_page);

  /* A confirmation ("Ticket C1 appelé") was for whoever acted on the page
   * being left; over the next page it would only hide its title. Errors
   * stay: they say what to do next. */
  if (gtk_revealer_get_reveal_child (self->notice_revealer) &&
      !gtk_widget_has_css_class (self->notice_box, "error"))
    relais_window_hide_notice (self);

  gtk_stack_set_visible_child_name (self->pages, page_name);
}

/* The one place that chooses the visible page: the session's state, then
 * what is shown over it. */
static void
update_page (RelaisWindow *self)
{
  RelaisSessionState state;
  const char *state_page;
  const char *page;

  if (self->session == NULL)
    return;   /* not constructed yet, or disposed */

  state = relais_session_get_state (self->session);

  switch (state)
    {
    case RELAIS_SESSION_ATTRACT:
      state_page = page = "attract";
      break;

    case RELAIS_SESSION_UNLOCKING:
      state_page = page = "unlock";
      break;

    case RELAIS_SESSION_DESK:
      state_page = "desk";
      page = self->overlay == RELAIS_WINDOW_OVERLAY_FIGURES ? "figures" : "desk";
      break;

    case RELAIS_SESSION_YOUR_TURN:
      state_page = page = "your-turn";
      break;

    case RELAIS_SESSION_PRECALL:
      state_page = page = "precall";
      break;

    case RELAIS_SESSION_IN_CALL:
      state_page = "call";
      if (self->overlay == RELAIS_WINDOW_OVERLAY_SCAN)
        page = "scan";
      else if (self->waiting)
        page = "wait";
      else
        page = "call";
      break;

    case RELAIS_SESSION_CALL_ENDED:
      state_page = page = "call-ended";
      break;

    case RELAIS_SESSION_SURVEY:
      state_page = page = "survey";
      break;

    default:
      g_assert_not_reached ();
    }

  /* The advisor's document opens over whatever is shown (the call, or
   * the desk during the agent's visit) until the person closes it. */
  if (self->overlay == RELAIS_WINDOW_OVERLAY_PRINT)
    page = "print";

  /* The trace names the state's page, as the tests have always read it,
   * whatever is shown over it (relais_ui_trace()). */
  if (self->traced_state != (int) state)
    {
      self->traced_state = state;
      relais_ui_trace ("page", state_page);
    }

  set_page (self, page);
}

static void
session_state_cb (RelaisWindow *self)
{
  self->last_activity = g_get_monotonic_time ();
  update_page (self);
}

/* The idle lock: the unlocked desk (or the PIN pad) left alone for the
 * configured idle-lock-seconds locks again. */
static gboolean
idle_check_cb (gpointer user_data)
{
  RelaisWindow *self = user_data;
  RelaisSessionState state = relais_session_get_state (self->session);
  guint limit = relais_config_get_idle_lock_seconds (relais_context_get_config (self->context));
  gint64 idle = g_get_monotonic_time () - self->last_activity;

  /* Through the application's action, as a tap on "Verrouiller" would:
   * only the application drives the session. */
  if ((state == RELAIS_SESSION_DESK || state == RELAIS_SESSION_UNLOCKING)
      && idle >= (gint64) limit * G_USEC_PER_SEC)
    {
      g_debug ("Desk idle for %u s: locking", limit);
      gtk_widget_activate_action (GTK_WIDGET (self), "app.lock", NULL);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
activity_cb (GtkEventControllerLegacy *controller,
             GdkEvent                 *event,
             RelaisWindow             *self)
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

/* The advisor's document arrived (relais-dossier.h): it opens over
 * whatever is shown until the person closes it. */
static void
dossier_document_cb (RelaisWindow  *self,
                     GParamSpec    *pspec,
                     RelaisDossier *dossier)
{
  if (relais_dossier_get_document_path (dossier) == NULL)
    return;
  relais_window_hide_notice (self);
  relais_window_set_overlay (self, RELAIS_WINDOW_OVERLAY_PRINT);
}

static void
notice_close_cb (RelaisWindow *self)
{
  g_clear_handle_id (&self->notice_id, g_source_remove);
  gtk_revealer_set_reveal_child (self->notice_revealer, FALSE);
}

static gboolean
notice_timeout_cb (gpointer user_data)
{
  RelaisWindow *self = user_data;

  self->notice_id = 0;
  gtk_revealer_set_reveal_child (self->notice_revealer, FALSE);

  return G_SOURCE_REMOVE;
}

static gboolean
relais_window_close_request (GtkWindow *window)
{
  RelaisWindow *self = RELAIS_WINDOW (window);

  /* Alt+F4 or a compositor's close: a kiosk does not go away unless the
   * agent asked for it from the unlocked desk. */
  if (self->session == NULL || relais_session_get_state (self->session) != RELAIS_SESSION_DESK)
    {
      g_debug ("Refusing to close: the desk is locked");
      return TRUE;
    }

  return GTK_WINDOW_CLASS (relais_window_parent_class)->close_request (window);
}

/* Ctrl+Shift+I and Ctrl+Shift+D (GtkWindow's key bindings, on in Debian
 * 12's GTK schema) would open the GTK Inspector, from which any page, the
 * agent desk included, can be shown without the PIN (issue 12). A kiosk
 * never opens it, whatever the desktop's settings say. */
static gboolean
relais_window_enable_debugging (GtkWindow *window,
                                gboolean   toggle)
{
  g_debug ("Refusing to open the GTK Inspector");
  return TRUE;
}

static void
fit_monitor (RelaisWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  GListModel *monitors = gdk_display_get_monitors (display);
  g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);

  /* With no window manager (cage aside, e.g. plain Xvfb) fullscreen does
   * nothing: make the window as large as the monitor anyway. */
  if (monitor != NULL)
    {
      GdkRectangle geometry;

      gdk_monitor_get_geometry (monitor, &geometry);
      gtk_window_set_default_size (GTK_WINDOW (self), geometry.width, geometry.height);
    }

  gtk_window_fullscreen (GTK_WINDOW (self));
}

static void
relais_window_constructed (GObject *object)
{
  RelaisWindow *self = (RelaisWindow *)object;
  GtkEventController *activity;
  GtkWidget *page;

  G_OBJECT_CLASS (relais_window_parent_class)->constructed (object);

  page = g_object_new (RELAIS_TYPE_ATTRACT_PAGE, "context", self->context, NULL);
  self->attract_page = RELAIS_ATTRACT_PAGE (page);
  gtk_stack_add_named (self->pages, page, "attract");

  page = g_object_new (RELAIS_TYPE_PIN_PAGE, "context", self->context, NULL);
  self->pin_page = RELAIS_PIN_PAGE (page);
  gtk_stack_add_named (self->pages, page, "unlock");

  page = g_object_new (RELAIS_TYPE_DESK_PAGE, "context", self->context, NULL);
  self->desk_page = RELAIS_DESK_PAGE (page);
  gtk_stack_add_named (self->pages, page, "desk");

  gtk_stack_add_named (self->pages, relais_ticket_page_new (self->context), "your-turn");

  page = relais_precall_page_new (self->context);
  self->precall_page = RELAIS_PRECALL_PAGE (page);
  gtk_stack_add_named (self->pages, page, "precall");

  page = relais_call_page_new (self->context);
  self->call_page = RELAIS_CALL_PAGE (page);
  gtk_stack_add_named (self->pages, page, "call");

  gtk_stack_add_named (self->pages, relais_call_ended_page_new (self->context), "call-ended");

  page = relais_print_page_new (self->context);
  self->print_page = RELAIS_PRINT_PAGE (page);
  gtk_stack_add_named (self->pages, page, "print");
  page = relais_survey_page_new (self->context);
  self->survey_page = RELAIS_SURVEY_PAGE (page);
  gtk_stack_add_named (self->pages, page, "survey");

  page = relais_figures_page_new (self->context);
  self->figures_page = RELAIS_FIGURES_PAGE (page);
  gtk_stack_add_named (self->pages, page, "figures");
  /* The presence work: waiting for an advisor to take the call. */
  page = relais_wait_page_new (self->context);
  self->wait_page = RELAIS_WAIT_PAGE (page);
  gtk_stack_add_named (self->pages, page, "wait");

  /* The documents work: scanning a document for the advisor, mid-call. */
  page = relais_scan_page_new (self->context);
  self->scan_page = RELAIS_SCAN_PAGE (page);
  gtk_stack_add_named (self->pages, page, "scan");

  gtk_stack_set_visible_child_name (self->pages, "attract");

  self->session = g_object_ref (relais_context_get_session (self->context));
  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (session_state_cb), self, G_CONNECT_SWAPPED);
  /* The person waiting in the lobby for an advisor: the wait page, over
   * the call's. */
  g_object_bind_property (relais_context_get_booth (self->context), "waiting",
                          self, "waiting", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (relais_context_get_dossier (self->context), "notify::document",
                           G_CALLBACK (dossier_document_cb), self, G_CONNECT_SWAPPED);
  update_page (self);

  activity = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (activity, GTK_PHASE_CAPTURE);
  g_signal_connect (activity, "event", G_CALLBACK (activity_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), activity);
  self->last_activity = g_get_monotonic_time ();
  self->idle_id = g_timeout_add_seconds (IDLE_CHECK_SECONDS, idle_check_cb, self);

  fit_monitor (self);
}

static void
relais_window_dispose (GObject *object)
{
  RelaisWindow *self = (RelaisWindow *)object;

  g_clear_handle_id (&self->notice_id, g_source_remove);
  g_clear_handle_id (&self->idle_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), RELAIS_TYPE_WINDOW);
  g_clear_object (&self->session);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (relais_window_parent_class)->dispose (object);
}

static void
relais_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  RelaisWindow *self = RELAIS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;

    case PROP_OVERLAY:
      relais_window_set_overlay (self, g_value_get_enum (value));
      break;

    case PROP_WAITING:
      relais_window_set_waiting (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RelaisWindow *self = RELAIS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    case PROP_OVERLAY:
      g_value_set_enum (value, self->overlay);
      break;

    case PROP_WAITING:
      g_value_set_boolean (value, self->waiting);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_window_class_init (RelaisWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = relais_window_constructed;
  object_class->dispose = relais_window_dispose;
  object_class->get_property = relais_window_get_property;
  object_class->set_property = relais_window_set_property;

  window_class->close_request = relais_window_close_request;
  window_class->enable_debugging = relais_window_enable_debugging;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         RELAIS_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERLAY] =
    g_param_spec_enum ("overlay", NULL, NULL,
                       RELAIS_TYPE_WINDOW_OVERLAY, RELAIS_WINDOW_OVERLAY_NONE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WAITING] =
    g_param_spec_boolean ("waiting", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisWindow, pages);
  gtk_widget_class_bind_template_child (widget_class, RelaisWindow, notice_revealer);
  gtk_widget_class_bind_template_child (widget_class, RelaisWindow, notice_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisWindow, notice_icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisWindow, notice_label);
  gtk_widget_class_bind_template_callback (widget_class, notice_close_cb);
}

static void
relais_window_init (RelaisWindow *self)
{
  self->traced_state = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
}

RelaisWindow *
relais_window_new (GtkApplication *application,
                   RelaisContext  *context)
{
  return g_object_new (RELAIS_TYPE_WINDOW,
                       "application", application,
                       "context", context,
                       NULL);
}

const char *
relais_window_get_page (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->pages);
}

void
relais_window_show_notice (RelaisWindow *self,
                           const char   *message,
                           gboolean      is_error)
{
  g_return_if_fail (RELAIS_IS_WINDOW (self));

  gtk_label_set_label (self->notice_label, message);
  gtk_image_set_from_icon_name (self->notice_icon,
                                is_error ? "dialog-warning-symbolic" : "emblem-ok-symbolic");
  if (is_error)
    gtk_widget_add_css_class (self->notice_box, "error");
  else
    gtk_widget_remove_css_class (self->notice_box, "error");

  gtk_revealer_set_reveal_child (self->notice_revealer, TRUE);

  g_clear_handle_id (&self->notice_id, g_source_remove);
  self->notice_id = g_timeout_add_seconds (NOTICE_SECONDS, notice_timeout_cb, self);
}

const char *
relais_window_get_notice (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->notice_revealer))
    return NULL;

  return gtk_label_get_label (self->notice_label);
}

void
relais_window_set_overlay (RelaisWindow        *self,
                           RelaisWindowOverlay  overlay)
{
  g_return_if_fail (RELAIS_IS_WINDOW (self));

  if (self->overlay != overlay)
    {
      self->overlay = overlay;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAY]);
    }
  /* Even unchanged: the session's state may have moved on, and the
   * watchers connected before the window (the application's) run first. */
  update_page (self);
}

RelaisWindowOverlay
relais_window_get_overlay (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), RELAIS_WINDOW_OVERLAY_NONE);

  return self->overlay;
}

void
relais_window_set_waiting (RelaisWindow *self,
                           gboolean      waiting)
{
  g_return_if_fail (RELAIS_IS_WINDOW (self));

  waiting = !!waiting;
  if (self->waiting != waiting)
    {
      self->waiting = waiting;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
    }
  update_page (self);
}

gboolean
relais_window_get_waiting (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), FALSE);

  return self->waiting;
}

void
relais_window_set_unlock_feedback (RelaisWindow *self,
                                   const char   *message,
                                   gboolean      busy)
{
  g_return_if_fail (RELAIS_IS_WINDOW (self));

  relais_pin_page_set_feedback (self->pin_page, message, busy);
}

RelaisAttractPage *
relais_window_get_attract_page (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), NULL);

  return self->attract_page;
}

RelaisDeskPage *
relais_window_get_desk_page (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), NULL);

  return self->desk_page;
}

RelaisPinPage *
relais_window_get_pin_page (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), NULL);

  return self->pin_page;
}

RelaisPrecallPage *
relais_window_get_precall_page (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), NULL);

  return self->precall_page;
}

RelaisCallPage *
relais_window_get_call_page (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), NULL);

  return self->call_page;
}

RelaisPrintPage *
relais_window_get_print_page (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), NULL);

  return self->print_page;
}

RelaisSurveyPage *
relais_window_get_survey_page (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), NULL);

  return self->survey_page;
}

RelaisFiguresPage *
relais_window_get_figures_page (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), NULL);

  return self->figures_page;
}

void
relais_window_hide_notice (RelaisWindow *self)
{
  g_return_if_fail (RELAIS_IS_WINDOW (self));

  notice_close_cb (self);
}

RelaisScanPage *
relais_window_get_scan_page (RelaisWindow *self)
{
  g_return_val_if_fail (RELAIS_IS_WINDOW (self), NULL);

  return self->scan_page;
}
