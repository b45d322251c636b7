/* relais-wait-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-wait-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-wait-page.h"
#include "relais-booth.h"

struct _RelaisWaitPage
{
  RelaisContextPage parent_instance;

  GtkWidget  *root;
  GtkSpinner *spinner;
  GtkLabel   *title_label;
  GtkLabel   *ticket_label;
  GtkLabel   *elapsed_label;
  GtkLabel   *error_label;

  gint64      started_at;   /* monotonic µs, 0: not waiting */
  guint       tick_id;
  gboolean    waiting;
};

G_DEFINE_FINAL_TYPE (RelaisWaitPage, relais_wait_page, RELAIS_TYPE_CONTEXT_PAGE)

static void
show_elapsed (RelaisWaitPage *self)
{
  gint64 seconds = (g_get_monotonic_time () - self->started_at) / G_USEC_PER_SEC;
  g_autofree char *text = NULL;

  if (seconds < 60)
    text = g_strdup (_("Vous attendez depuis moins d'une minute."));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Vous attendez depuis %d minute.",
                                         "Vous attendez depuis %d minutes.",
                                         (gulong) (seconds / 60)),
                            (int) (seconds / 60));
  gtk_label_set_label (self->elapsed_label, text);
}

static gboolean
tick_cb (gpointer user_data)
{
  show_elapsed (RELAIS_WAIT_PAGE (user_data));
  return G_SOURCE_CONTINUE;
}

static void start     (RelaisWaitPage *self,
                       const char     *ticket,
                       const char     *service);
static void set_error (RelaisWaitPage *self,
                       const char     *message);
static void stop      (RelaisWaitPage *self);

/* booth:waiting and booth:wait-error. */
static void
booth_waiting_cb (RelaisWaitPage *self)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisBooth *booth = relais_context_get_booth (context);
  gboolean waiting = relais_booth_get_waiting (booth);

  if (waiting && !self->waiting)
    {
      const RelaisVisit *visit = relais_booth_get_visit (booth);

      start (self, visit != NULL ? visit->ticket_code : NULL,
             visit != NULL ? visit->service_name : NULL);
    }
  else if (!waiting && self->waiting)
    stop (self);
  self->waiting = waiting;

  if (waiting)
    set_error (self, relais_booth_get_wait_error (booth));
}

static void
relais_wait_page_constructed (GObject *object)
{
  RelaisWaitPage *self = (RelaisWaitPage *)object;
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisBooth *booth;

  G_OBJECT_CLASS (relais_wait_page_parent_class)->constructed (object);

  if (context == NULL)
    return;

  booth = relais_context_get_booth (context);
  g_signal_connect_object (booth, "notify::waiting", G_CALLBACK (booth_waiting_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "notify::wait-error", G_CALLBACK (booth_waiting_cb), self, G_CONNECT_SWAPPED);
}

static void
relais_wait_page_dispose (GObject *object)
{
  RelaisWaitPage *self = RELAIS_WAIT_PAGE (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), RELAIS_TYPE_WAIT_PAGE);

  G_OBJECT_CLASS (relais_wait_page_parent_class)->dispose (object);
}

static void
relais_wait_page_class_init (RelaisWaitPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = relais_wait_page_constructed;
  object_class->dispose = relais_wait_page_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-wait-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisWaitPage, root);
  gtk_widget_class_bind_template_child (widget_class, RelaisWaitPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, RelaisWaitPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisWaitPage, ticket_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisWaitPage, elapsed_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisWaitPage, error_label);
}

static void
relais_wait_page_init (RelaisWaitPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
relais_wait_page_new (RelaisContext *context)
{
  g_return_val_if_fail (context == NULL || RELAIS_IS_CONTEXT (context), NULL);

  return g_object_new (RELAIS_TYPE_WAIT_PAGE, "context", context, NULL);
}

/* @ticket: the code shown ("C12"), @service: the service's name. Restarts
 * the clock. */
static void
start (RelaisWaitPage *self,
       const char     *ticket,
       const char     *service)
{
  g_autofree char *line = NULL;

  line = g_strdup_printf (_("Ticket %s — %s"), ticket != NULL ? ticket : "", service != NULL ? service : "");
  gtk_label_set_label (self->ticket_label, line);
  self->started_at = g_get_monotonic_time ();
  set_error (self, NULL);
  show_elapsed (self);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (5, tick_cb, self);
}

/* A problem (the gateway refuses, is lost…): the spinner stops and
 * @message says what happened and what to do. NULL: waiting again. */
static void
set_error (RelaisWaitPage *self,
           const char     *message)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_spinner_set_spinning (self->spinner, message == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), message == NULL);
  gtk_label_set_label (self->title_label, message == NULL ? _("Un conseiller va vous répondre")
                                                          : _("L'appel ne peut pas se faire pour l'instant"));
}

static void
stop (RelaisWaitPage *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_spinner_set_spinning (self->spinner, FALSE);
}
