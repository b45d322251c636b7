/* relais-ticket-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-ticket-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-queue-watch.h"
#include "relais-ticket-page.h"
#include "relais-ui-util.h"

struct _RelaisTicketPage
{
  RelaisContextPage parent_instance;

  RelaisQueueWatch *watch;

  GtkWidget        *root;
  GtkImage         *icon;
  GtkLabel         *code_label;
  GtkLabel         *title_label;
  GtkLabel         *service_label;
  GtkLabel         *text_label;
  GtkButton        *main_button;
  GtkImage         *main_icon;
  GtkLabel         *main_label;
};

G_DEFINE_FINAL_TYPE (RelaisTicketPage, relais_ticket_page, RELAIS_TYPE_CONTEXT_PAGE)

static void
update (RelaisTicketPage *self)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisTicket *current = relais_queue_get_current (relais_context_get_queue (context));
  RelaisDirectory *directory = relais_context_get_directory (context);
  g_autofree char *service = NULL;

  if (current == NULL)
    {
      gtk_label_set_label (self->code_label, "");
      gtk_label_set_label (self->service_label, "");
      return;
    }

  gtk_label_set_label (self->code_label, relais_ticket_get_code (current));
  service = g_strdup_printf ("%s — %s",
                             relais_ui_service_name (directory, relais_ticket_get_service_id (current)),
                             relais_ui_subservice_name (directory,
                                                        relais_ticket_get_service_id (current),
                                                        relais_ticket_get_subservice_id (current)));
  gtk_label_set_label (self->service_label, service);
}

static void
queue_changed_cb (RelaisTicketPage *self)
{
  update (self);
}

static void
relais_ticket_page_constructed (GObject *object)
{
  RelaisTicketPage *self = (RelaisTicketPage *)object;
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));

  G_OBJECT_CLASS (relais_ticket_page_parent_class)->constructed (object);

  gtk_image_set_from_icon_name (self->icon, "emoji-people-symbolic");
  gtk_label_set_label (self->title_label, _("C'est votre tour !"));
  gtk_label_set_label (self->text_label,
                       _("Installez-vous face à l'écran, puis touchez le bouton."));
  gtk_image_set_from_icon_name (self->main_icon, "avatar-default-symbolic");
  gtk_label_set_label (self->main_label, _("Je suis là"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->main_button), "app.start-session");

  self->watch = relais_queue_watch_new (relais_context_get_queue (context));
  g_signal_connect_object (self->watch, "changed",
                           G_CALLBACK (queue_changed_cb), self, G_CONNECT_SWAPPED);
  update (self);
}

static void
relais_ticket_page_dispose (GObject *object)
{
  RelaisTicketPage *self = (RelaisTicketPage *)object;

  g_clear_object (&self->watch);
  gtk_widget_dispose_template (GTK_WIDGET (self), RELAIS_TYPE_TICKET_PAGE);

  G_OBJECT_CLASS (relais_ticket_page_parent_class)->dispose (object);
}

static void
relais_ticket_page_class_init (RelaisTicketPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = relais_ticket_page_constructed;
  object_class->dispose = relais_ticket_page_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-ticket-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisTicketPage, root);
  gtk_widget_class_bind_template_child (widget_class, RelaisTicketPage, icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisTicketPage, code_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisTicketPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisTicketPage, service_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisTicketPage, text_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisTicketPage, main_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisTicketPage, main_icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisTicketPage, main_label);
}

static void
relais_ticket_page_init (RelaisTicketPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
relais_ticket_page_new (RelaisContext *context)
{
  return g_object_new (RELAIS_TYPE_TICKET_PAGE,
                       "context", context,
                       NULL);
}
