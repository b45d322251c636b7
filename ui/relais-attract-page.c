/* relais-attract-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-attract-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-attract-page.h"
#include "relais-queue-watch.h"
#include "relais-ui-util.h"

struct _RelaisAttractPage
{
  GtkWidget         parent_instance;

  RelaisContext    *context;
  RelaisQueueWatch *watch;
  guint             clock_id;

  GtkWidget        *root;
  GtkLabel         *site_label;
  GtkWidget        *demo_label;
  GtkLabel         *clock_label;
  GtkRevealer      *called_revealer;
  GtkLabel         *called_code_label;
  GtkLabel         *called_text_label;
  GtkStack         *board_stack;
  GtkFlowBox       *board;
};

G_DEFINE_FINAL_TYPE (RelaisAttractPage, relais_attract_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkWidget *
make_ticket_card (RelaisAttractPage *self,
                  RelaisTicket      *ticket,
                  guint              position)
{
  RelaisDirectory *directory = relais_context_get_directory (self->context);
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *code = gtk_label_new (relais_ticket_get_code (ticket));
  GtkWidget *service;
  GtkWidget *rank;
  g_autofree char *rank_text = NULL;

  gtk_widget_add_css_class (card, "ticket-card");
  gtk_widget_add_css_class (code, "ticket-code");
  gtk_widget_set_name (code, "ticket-code");
  gtk_box_append (GTK_BOX (card), code);

  service = gtk_label_new (relais_ui_service_name (directory, relais_ticket_get_service_id (ticket)));
  gtk_label_set_ellipsize (GTK_LABEL (service), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (service, "ticket-service");
  gtk_box_append (GTK_BOX (card), service);

  if (position == 1)
    rank_text = g_strdup (_("Prochain"));
  else
    rank_text = g_strdup_printf (_("%uᵉ"), position);
  rank = gtk_label_new (rank_text);
  gtk_widget_add_css_class (rank, "ticket-rank");
  gtk_box_append (GTK_BOX (card), rank);

  return card;
}

static void
rebuild (RelaisAttractPage *self)
{
  RelaisQueue *queue = relais_context_get_queue (self->context);
  GListModel *model = relais_queue_get_model (queue);
  RelaisTicket *current = relais_queue_get_current (queue);
  GtkWidget *child;
  guint n = g_list_model_get_n_items (model);
  guint waiting = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->board))) != NULL)
    gtk_flow_box_remove (self->board, child);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RelaisTicket) ticket = g_list_model_get_item (model, i);

      if (relais_ticket_get_state (ticket) != RELAIS_TICKET_WAITING)
        continue;

      waiting++;
      gtk_flow_box_append (self->board, make_ticket_card (self, ticket, waiting));
    }

  gtk_stack_set_visible_child_name (self->board_stack, waiting > 0 ? "board" : "empty");

  if (current != NULL)
    {
      gtk_label_set_label (self->called_code_label, relais_ticket_get_code (current));
      gtk_label_set_label (self->called_text_label,
                           relais_ticket_get_state (current) == RELAIS_TICKET_CALLED
                           ? _("C'est votre tour : installez-vous dans la cabine.")
                           : _("En rendez-vous dans la cabine."));
    }
  gtk_revealer_set_reveal_child (self->called_revealer, current != NULL);
}

static gboolean
update_clock (gpointer user_data)
{
  RelaisAttractPage *self = user_data;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *text = g_date_time_format (now, "%H:%M");

  gtk_label_set_label (self->clock_label, text);

  return G_SOURCE_CONTINUE;
}

static void
queue_changed_cb (RelaisAttractPage *self)
{
  rebuild (self);
}

static void
relais_attract_page_constructed (GObject *object)
{
  RelaisAttractPage *self = (RelaisAttractPage *)object;
  RelaisConfig *config = relais_context_get_config (self->context);

  G_OBJECT_CLASS (relais_attract_page_parent_class)->constructed (object);

  gtk_label_set_label (self->site_label, relais_config_get_site_name (config));
  gtk_widget_set_visible (self->demo_label, relais_config_is_demo (config));

  self->watch = relais_queue_watch_new (relais_context_get_queue (self->context));
  g_signal_connect_object (self->watch, "changed",
                           G_CALLBACK (queue_changed_cb), self, G_CONNECT_SWAPPED);
  rebuild (self);

  update_clock (self);
  self->clock_id = g_timeout_add_seconds (10, update_clock, self);
}

static void
relais_attract_page_dispose (GObject *object)
{
  RelaisAttractPage *self = (RelaisAttractPage *)object;

  g_clear_handle_id (&self->clock_id, g_source_remove);
  g_clear_object (&self->watch);
  gtk_widget_dispose_template (GTK_WIDGET (self), RELAIS_TYPE_ATTRACT_PAGE);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (relais_attract_page_parent_class)->dispose (object);
}

static void
relais_attract_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  RelaisAttractPage *self = RELAIS_ATTRACT_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_attract_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  RelaisAttractPage *self = RELAIS_ATTRACT_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_attract_page_class_init (RelaisAttractPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = relais_attract_page_constructed;
  object_class->dispose = relais_attract_page_dispose;
  object_class->get_property = relais_attract_page_get_property;
  object_class->set_property = relais_attract_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         RELAIS_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-attract-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, root);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, site_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, demo_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, clock_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, called_revealer);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, called_code_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, called_text_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, board_stack);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, board);
}

static void
relais_attract_page_init (RelaisAttractPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

char *
relais_attract_page_dup_board_text (RelaisAttractPage *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (RELAIS_IS_ATTRACT_PAGE (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->board));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      /* flowbox child → card box → first label is the code */
      GtkWidget *card = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
      GtkWidget *code = gtk_widget_get_first_child (card);

      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, gtk_label_get_label (GTK_LABEL (code)));
    }

  return g_string_free (text, FALSE);
}
