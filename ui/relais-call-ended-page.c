/* relais-call-ended-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-call-ended-page"

#include "config.h"

#include "relais-call-ended-page.h"

struct _RelaisCallEndedPage
{
  RelaisContextPage  parent_instance;

  GtkWidget         *root;
};

G_DEFINE_FINAL_TYPE (RelaisCallEndedPage, relais_call_ended_page, RELAIS_TYPE_CONTEXT_PAGE)

static void
relais_call_ended_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RELAIS_TYPE_CALL_ENDED_PAGE);

  G_OBJECT_CLASS (relais_call_ended_page_parent_class)->dispose (object);
}

static void
relais_call_ended_page_class_init (RelaisCallEndedPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = relais_call_ended_page_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-call-ended-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisCallEndedPage, root);
}

static void
relais_call_ended_page_init (RelaisCallEndedPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
relais_call_ended_page_new (RelaisContext *context)
{
  return g_object_new (RELAIS_TYPE_CALL_ENDED_PAGE,
                       "context", context,
                       NULL);
}
