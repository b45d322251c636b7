/* relais-wait-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-wait-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-wait-page.h"

struct _RelaisWaitPage
{
  GtkWidget   parent_instance;

  GtkWidget  *root;
  GtkSpinner *spinner;
  GtkLabel   *title_label;
  GtkLabel   *ticket_label;
  GtkLabel   *elapsed_label;
  GtkLabel   *error_label;

  gint64      started_at;   /* monotonic µs, 0: not waiting */
  guint       tick_id;
};

G_DEFINE_FINAL_TYPE (RelaisWaitPage, relais_wait_page, GTK_TYPE_WIDGET)

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
relais_wait_page_new (void)
{
  return g_object_new (RELAIS_TYPE_WAIT_PAGE, NULL);
}

void
relais_wait_page_start (RelaisWaitPage *self,
                        const char     *ticket,
                        const char     *service)
{
  g_autofree char *line = NULL;

  g_return_if_fail (RELAIS_IS_WAIT_PAGE (self));

  line = g_strdup_printf (_("Ticket %s — %s"), ticket != NULL ? ticket : "", service != NULL ? service : "");
  gtk_label_set_label (self->ticket_label, line);
  self->started_at = g_get_monotonic_time ();
  relais_wait_page_set_error (self, NULL);
  show_elapsed (self);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (5, tick_cb, self);
}

void
relais_wait_page_set_error (RelaisWaitPage *self,
                            const char     *message)
{
  g_return_if_fail (RELAIS_IS_WAIT_PAGE (self));

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_spinner_set_spinning (self->spinner, message == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), message == NULL);
  gtk_label_set_label (self->title_label, message == NULL ? _("Un conseiller va vous répondre")
                                                          : _("L'appel ne peut pas se faire pour l'instant"));
}

void
relais_wait_page_stop (RelaisWaitPage *self)
{
  g_return_if_fail (RELAIS_IS_WAIT_PAGE (self));

  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_spinner_set_spinning (self->spinner, FALSE);
}
