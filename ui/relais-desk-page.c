/* relais-desk-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-desk-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-desk-page.h"
#include "relais-queue-watch.h"
#include "relais-ui-util.h"

struct _RelaisDeskPage
{
  RelaisContextPage       parent_instance;

  RelaisQueueWatch       *watch;
  guint                   refresh_id;

  /* The walk-in being registered. */
  const RelaisService    *service;
  const RelaisSubservice *subservice;

  GtkWidget              *root;
  GtkWidget              *back_button;
  GtkLabel               *walk_in_title;
  GtkStack               *walk_in_stack;
  GtkFlowBox             *services_box;
  GtkWidget              *subservices_box;
  GtkLabel               *details_hours_label;
  GtkEditable            *name_entry;
  GtkEditable            *note_entry;
  GtkWidget              *create_button;
  GtkWidget              *contact_box;
  GtkLabel               *queue_title;
  GtkWidget              *call_next_button;
  GtkWidget              *current_box;
  GtkWidget              *queue_box;

  /* The presence work: service id → ADVISOR_NONE / ADVISOR_READY; a
   * service not in it shows nothing (no shared waiting line). */
  GHashTable             *advisors;
  GHashTable             *advisor_labels;   /* service id → GtkLabel (borrowed) */
};

#define ADVISOR_NONE  1
#define ADVISOR_READY 2

G_DEFINE_FINAL_TYPE (RelaisDeskPage, relais_desk_page, RELAIS_TYPE_CONTEXT_PAGE)

static void show_subservices (RelaisDeskPage *self, const RelaisService *service);

static gboolean
advisor_ready (RelaisDeskPage *self,
               const char     *service_id)
{
  return self->advisors != NULL && service_id != NULL &&
         GPOINTER_TO_INT (g_hash_table_lookup (self->advisors, service_id)) == ADVISOR_READY;
}

static GtkWidget *
make_button (const char *icon_name,
             const char *label,
             const char *action_name,
             GVariant   *target)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  if (icon_name != NULL)
    {
      GtkWidget *image = gtk_image_new_from_icon_name (icon_name);

      gtk_image_set_pixel_size (GTK_IMAGE (image), 24);
      gtk_box_append (GTK_BOX (box), image);
    }

  if (label != NULL)
    gtk_box_append (GTK_BOX (box), gtk_label_new (label));

  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "row-button");
  if (action_name != NULL)
    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  if (target != NULL)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);

  return button;
}

/* "Absent" and "Annuler": the two ways a ticket leaves the queue
 * without a session (app.mark-absent, app.cancel-ticket). */
static void
append_release_buttons (GtkWidget *buttons,
                        gint64     id)
{
  gtk_box_append (GTK_BOX (buttons),
                  make_button ("user-away-symbolic", _("Absent"), "app.mark-absent",
                               g_variant_new_int64 (id)));
  gtk_box_append (GTK_BOX (buttons),
                  make_button ("edit-delete-symbolic", _("Annuler"), "app.cancel-ticket",
                               g_variant_new_int64 (id)));
}

static GtkWidget *
make_ticket_summary (RelaisDeskPage *self,
                     RelaisTicket   *ticket,
                     gint64          now)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisDirectory *directory = relais_context_get_directory (context);
  const char *service_id = relais_ticket_get_service_id (ticket);
  const char *name = relais_ticket_get_person_name (ticket);
  const char *note = relais_ticket_get_note (ticket);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *code = gtk_label_new (relais_ticket_get_code (ticket));
  GtkWidget *label;
  g_autofree char *line = NULL;
  g_autofree char *wait = relais_ui_format_wait (relais_ticket_get_created_at (ticket), now);

  gtk_widget_add_css_class (code, "row-code");
  gtk_widget_set_valign (code, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), code);

  line = g_strdup_printf ("%s — %s",
                          relais_ui_service_name (directory, service_id),
                          relais_ui_subservice_name (directory, service_id,
                                                     relais_ticket_get_subservice_id (ticket)));
  label = gtk_label_new (line);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "row-title");
  gtk_box_append (GTK_BOX (text), label);

  g_clear_pointer (&line, g_free);
  if (name != NULL && *name != '\0')
    line = g_strdup_printf ("%s · %s", name, wait);
  else
    line = g_strdup (wait);
  label = gtk_label_new (line);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "row-subtitle");
  gtk_box_append (GTK_BOX (text), label);

  if (note != NULL && *note != '\0')
    {
      label = gtk_label_new (note);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "row-note");
      gtk_box_append (GTK_BOX (text), label);
    }

  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  return box;
}

static GtkWidget *
make_waiting_row (RelaisDeskPage *self,
                  RelaisTicket   *ticket,
                  guint           position,
                  guint           n_waiting,
                  gboolean        booth_free,
                  gint64          now)
{
  gint64 id = relais_ticket_get_id (ticket);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *button;

  gtk_widget_add_css_class (row, "queue-row");
  gtk_box_append (GTK_BOX (row), make_ticket_summary (self, ticket, now));

  /* A button bound to an action takes its sensitivity from the action:
   * leave the action off where the button must stay insensitive. */
  button = make_button ("go-up-symbolic", NULL, position > 1 ? "app.move-ticket" : NULL,
                        g_variant_new ("(xi)", id, -1));
  gtk_widget_set_tooltip_text (button, _("Avancer d'une place"));
  gtk_widget_set_sensitive (button, position > 1);
  gtk_box_append (GTK_BOX (buttons), button);

  button = make_button ("go-down-symbolic", NULL, position < n_waiting ? "app.move-ticket" : NULL,
                        g_variant_new ("(xi)", id, 1));
  gtk_widget_set_tooltip_text (button, _("Reculer d'une place"));
  gtk_widget_set_sensitive (button, position < n_waiting);
  gtk_box_append (GTK_BOX (buttons), button);

  button = make_button ("call-start-symbolic", _("Appeler"), booth_free ? "app.call-ticket" : NULL,
                        g_variant_new_int64 (id));
  gtk_widget_set_sensitive (button, booth_free);
  gtk_box_append (GTK_BOX (buttons), button);


  append_release_buttons (buttons, id);

  gtk_box_append (GTK_BOX (row), buttons);

  /* The presence work: an advisor of this service is free now. On a line
   * of its own: the row of buttons is as wide as the desk allows. */
  if (booth_free && advisor_ready (self, relais_ticket_get_service_id (ticket)))
    {
      button = make_button ("camera-video-symbolic", _("Appeler maintenant"), "app.call-now",
                            g_variant_new_int64 (id));
      gtk_widget_add_css_class (button, "suggested-action");
      gtk_widget_set_halign (button, GTK_ALIGN_START);
      gtk_widget_set_tooltip_text (button, _("Un conseiller est disponible : la personne passe tout de suite en visio"));
      gtk_box_append (GTK_BOX (row), button);
    }

  return row;
}

static void
rebuild_queue (RelaisDeskPage *self)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisQueue *queue = relais_context_get_queue (context);
  GListModel *model = relais_queue_get_model (queue);
  RelaisTicket *current = relais_queue_get_current (queue);
  guint n_waiting = relais_queue_count_waiting (queue);
  guint n = g_list_model_get_n_items (model);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *title = NULL;
  guint position = 0;

  relais_ui_clear_box (self->queue_box);
  relais_ui_clear_box (self->current_box);

  /* French counts 0 as singular and the msgids are French: say "empty"
   * rather than let the plural rule of an untranslated string decide. */
  if (n_waiting == 0)
    title = g_strdup (_("File d'attente vide"));
  else
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "File d'attente : %u personne",
                                          "File d'attente : %u personnes",
                                          n_waiting),
                             n_waiting);
  gtk_label_set_label (self->queue_title, title);

  if (current != NULL)
    {
      GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
      GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *state = gtk_label_new (relais_ticket_get_state (current) == RELAIS_TICKET_CALLED
                                        ? _("Appelé : en route vers la cabine")
                                        : _("Dans la cabine"));
      gint64 id = relais_ticket_get_id (current);

      gtk_widget_add_css_class (card, "current-card");
      gtk_label_set_xalign (GTK_LABEL (state), 0);
      gtk_widget_add_css_class (state, "row-state");
      gtk_box_append (GTK_BOX (card), state);
      gtk_box_append (GTK_BOX (card), make_ticket_summary (self, current, now));

      if (relais_ticket_get_state (current) == RELAIS_TICKET_CALLED)
        append_release_buttons (buttons, id);
      gtk_box_append (GTK_BOX (buttons),
                      make_button ("emblem-ok-symbolic", _("Terminer le rendez-vous"),
                                   "app.finish-session", NULL));
      gtk_box_append (GTK_BOX (card), buttons);
      gtk_box_append (GTK_BOX (self->current_box), card);
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RelaisTicket) ticket = g_list_model_get_item (model, i);

      if (relais_ticket_get_state (ticket) != RELAIS_TICKET_WAITING)
        continue;

      position++;
      gtk_box_append (GTK_BOX (self->queue_box),
                      make_waiting_row (self, ticket, position, n_waiting, current == NULL, now));
    }

  if (n_waiting == 0)
    {
      GtkWidget *empty = gtk_label_new (_("Personne n'attend."));

      gtk_widget_add_css_class (empty, "empty");
      gtk_widget_set_vexpand (empty, TRUE);
      gtk_box_append (GTK_BOX (self->queue_box), empty);
    }
}

static void
service_clicked_cb (GtkButton      *button,
                    RelaisDeskPage *self)
{
  show_subservices (self, g_object_get_data (G_OBJECT (button), "service"));
}

static void
build_services (RelaisDeskPage *self)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisDirectory *directory = relais_context_get_directory (context);
  guint n = relais_directory_get_n_services (directory);

  for (guint i = 0; i < n; i++)
    {
      const RelaisService *service = relais_directory_get_service (directory, i);
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *letter;
      GtkWidget *name = gtk_label_new (service->name);
      char letter_text[2] = { service->letter, '\0' };

      letter = gtk_label_new (letter_text);
      gtk_widget_add_css_class (letter, "letter-badge");
      gtk_widget_set_valign (letter, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), letter);

      gtk_label_set_wrap (GTK_LABEL (name), TRUE);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_widget_add_css_class (name, "service-name");
      {
        /* The presence work: the service's advisors, filled in by
         * relais_desk_page_set_advisor_available(). */
        GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
        GtkWidget *status = gtk_label_new (NULL);

        gtk_label_set_xalign (GTK_LABEL (status), 0);
        /* Never wider than the service's name would make the button. */
        gtk_label_set_wrap (GTK_LABEL (status), TRUE);
        gtk_label_set_max_width_chars (GTK_LABEL (status), 16);
        gtk_widget_add_css_class (status, "advisor-status");
        gtk_widget_set_visible (status, FALSE);
        gtk_box_append (GTK_BOX (column), name);
        gtk_box_append (GTK_BOX (column), status);
        gtk_box_append (GTK_BOX (box), column);
        g_hash_table_insert (self->advisor_labels, g_strdup (service->id), status);
      }

      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "service-button");
      gtk_widget_set_name (button, service->id);
      g_object_set_data (G_OBJECT (button), "service", (gpointer) service);
      g_signal_connect (button, "clicked", G_CALLBACK (service_clicked_cb), self);

      gtk_flow_box_append (self->services_box, button);
    }
}

static void
show_step (RelaisDeskPage *self,
           const char     *step,
           const char     *title)
{
  gtk_stack_set_visible_child_name (self->walk_in_stack, step);
  gtk_label_set_label (self->walk_in_title, title);
  gtk_widget_set_visible (self->back_button, !g_str_equal (step, "services"));
}

static void
show_contact (RelaisDeskPage         *self,
              const RelaisSubservice *sub)
{
  GtkWidget *label;
  g_autofree char *hours = NULL;
  g_autofree char *title = g_strdup_printf ("%s — %s", sub->service->name, sub->name);

  relais_ui_clear_box (self->contact_box);

  label = gtk_label_new (_("Ce service ne se fait pas en visio ici. Donnez ces coordonnées à la personne :"));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "lead");
  gtk_box_append (GTK_BOX (self->contact_box), label);

  gtk_box_append (GTK_BOX (self->contact_box), relais_ui_channel_icons (sub->channels, 40));
  gtk_box_append (GTK_BOX (self->contact_box),
                  relais_ui_contact_box (&sub->contact, &sub->service->contact));

  hours = relais_opening_hours_format (sub->hours ? sub->hours : sub->service->hours);
  label = gtk_label_new (hours);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "hint");
  gtk_box_append (GTK_BOX (self->contact_box), label);

  show_step (self, "contact", title);
}

static void
show_details (RelaisDeskPage         *self,
              const RelaisSubservice *sub)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *hours = relais_opening_hours_format (sub->hours ? sub->hours : sub->service->hours);
  g_autofree char *text = NULL;
  g_autofree char *title = g_strdup_printf ("%s — %s", sub->service->name, sub->name);

  if (relais_subservice_is_open_at (sub, now))
    text = g_strdup_printf ("%s\n%s", _("Ouvert en ce moment."), hours);
  else
    text = g_strdup_printf ("%s\n%s",
                            _("Fermé en ce moment : la personne attendra l'ouverture ou prendra rendez-vous."),
                            hours);
  gtk_label_set_label (self->details_hours_label, text);

  gtk_editable_set_text (self->name_entry, "");
  gtk_editable_set_text (self->note_entry, "");
  show_step (self, "details", title);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}

static void
subservice_clicked_cb (GtkButton      *button,
                       RelaisDeskPage *self)
{
  const RelaisSubservice *sub = g_object_get_data (G_OBJECT (button), "subservice");

  self->subservice = sub;

  if (sub->channels & RELAIS_CHANNEL_VISIO)
    show_details (self, sub);
  else
    show_contact (self, sub);
}

static void
show_subservices (RelaisDeskPage      *self,
                  const RelaisService *service)
{
  self->service = service;
  self->subservice = NULL;

  relais_ui_clear_box (self->subservices_box);

  for (guint i = 0; i < service->subservices->len; i++)
    {
      const RelaisSubservice *sub = g_ptr_array_index (service->subservices, i);
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
      GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *name = gtk_label_new (sub->name);

      gtk_label_set_wrap (GTK_LABEL (name), TRUE);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_widget_add_css_class (name, "row-title");
      gtk_box_append (GTK_BOX (text), name);

      if (sub->description != NULL)
        {
          GtkWidget *description = gtk_label_new (sub->description);

          gtk_label_set_wrap (GTK_LABEL (description), TRUE);
          gtk_label_set_xalign (GTK_LABEL (description), 0);
          gtk_widget_add_css_class (description, "row-subtitle");
          gtk_box_append (GTK_BOX (text), description);
        }

      if (!(sub->channels & RELAIS_CHANNEL_VISIO))
        {
          GtkWidget *not_visio = gtk_label_new (_("Pas en visio : voir les coordonnées"));

          gtk_label_set_xalign (GTK_LABEL (not_visio), 0);
          gtk_widget_add_css_class (not_visio, "row-warning");
          gtk_box_append (GTK_BOX (text), not_visio);
        }

      gtk_widget_set_hexpand (text, TRUE);
      gtk_box_append (GTK_BOX (box), text);
      gtk_box_append (GTK_BOX (box), relais_ui_channel_icons (sub->channels, 32));

      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "subservice-button");
      gtk_widget_set_name (button, sub->id);
      g_object_set_data (G_OBJECT (button), "subservice", (gpointer) sub);
      g_signal_connect (button, "clicked", G_CALLBACK (subservice_clicked_cb), self);

      gtk_box_append (GTK_BOX (self->subservices_box), button);
    }

  show_step (self, "subservices", service->name);
}

static void
back_clicked_cb (RelaisDeskPage *self)
{
  const char *step = gtk_stack_get_visible_child_name (self->walk_in_stack);

  if (self->service != NULL && !g_str_equal (step, "subservices"))
    show_subservices (self, self->service);
  else
    relais_desk_page_reset_walk_in (self);
}

static void
create_clicked_cb (RelaisDeskPage *self)
{
  if (self->service == NULL || self->subservice == NULL)
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "app.new-ticket", "(ssss)",
                              self->service->id,
                              self->subservice->id,
                              gtk_editable_get_text (self->name_entry),
                              gtk_editable_get_text (self->note_entry));
}

static void
queue_changed_cb (RelaisDeskPage *self)
{
  rebuild_queue (self);
}

static gboolean
refresh_cb (gpointer user_data)
{
  RelaisDeskPage *self = user_data;

  /* Waiting times are shown in minutes: redraw now and then. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    rebuild_queue (self);

  return G_SOURCE_CONTINUE;
}

/* Which services have an advisor ready: the context's
 * RelaisAdvisorPresence (with the demo advisor, all of them). */
static void
advisors_changed_cb (RelaisDeskPage *self)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisAdvisorPresence *presence = relais_context_get_advisor_presence (context);
  RelaisDirectory *directory = relais_context_get_directory (context);

  for (guint i = 0; i < relais_directory_get_n_services (directory); i++)
    {
      const RelaisService *service = relais_directory_get_service (directory, i);

      if (relais_advisor_presence_knows (presence, service->id))
        relais_desk_page_set_advisor_available (self, service->id,
                                                relais_advisor_presence_is_ready (presence, service->id));
    }
}

static void
relais_desk_page_constructed (GObject *object)
{
  RelaisDeskPage *self = (RelaisDeskPage *)object;
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));

  G_OBJECT_CLASS (relais_desk_page_parent_class)->constructed (object);

  self->advisors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->advisor_labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  build_services (self);
  relais_desk_page_reset_walk_in (self);

  self->watch = relais_queue_watch_new (relais_context_get_queue (context));
  g_signal_connect_object (self->watch, "changed",
                           G_CALLBACK (queue_changed_cb), self, G_CONNECT_SWAPPED);
  rebuild_queue (self);

  g_signal_connect_object (relais_context_get_advisor_presence (context), "changed",
                           G_CALLBACK (advisors_changed_cb), self, G_CONNECT_SWAPPED);
  advisors_changed_cb (self);

  self->refresh_id = g_timeout_add_seconds (30, refresh_cb, self);
}

static void
relais_desk_page_dispose (GObject *object)
{
  RelaisDeskPage *self = (RelaisDeskPage *)object;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->watch);
  g_clear_pointer (&self->advisors, g_hash_table_unref);
  g_clear_pointer (&self->advisor_labels, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), RELAIS_TYPE_DESK_PAGE);

  G_OBJECT_CLASS (relais_desk_page_parent_class)->dispose (object);
}

static void
relais_desk_page_class_init (RelaisDeskPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = relais_desk_page_constructed;
  object_class->dispose = relais_desk_page_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-desk-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, root);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, walk_in_title);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, walk_in_stack);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, services_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, subservices_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, details_hours_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, name_entry);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, note_entry);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, contact_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, queue_title);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, call_next_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, current_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisDeskPage, queue_box);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, create_clicked_cb);
}

static void
relais_desk_page_init (RelaisDeskPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
relais_desk_page_reset_walk_in (RelaisDeskPage *self)
{
  g_return_if_fail (RELAIS_IS_DESK_PAGE (self));

  self->service = NULL;
  self->subservice = NULL;
  gtk_editable_set_text (self->name_entry, "");
  gtk_editable_set_text (self->note_entry, "");
  show_step (self, "services", _("Nouvelle personne : quel service ?"));
}

/* The presence work */

void
relais_desk_page_set_advisor_available (RelaisDeskPage *self,
                                        const char     *service_id,
                                        gboolean        available)
{
  GtkWidget *label;
  int value = available ? ADVISOR_READY : ADVISOR_NONE;

  g_return_if_fail (RELAIS_IS_DESK_PAGE (self));
  g_return_if_fail (service_id != NULL);

  if (self->advisors == NULL ||
      GPOINTER_TO_INT (g_hash_table_lookup (self->advisors, service_id)) == value)
    return;
  g_hash_table_insert (self->advisors, g_strdup (service_id), GINT_TO_POINTER (value));

  label = g_hash_table_lookup (self->advisor_labels, service_id);
  if (label != NULL)
    {
      /* The dot is part of the text: its colour says it, the words too. */
      gtk_label_set_label (GTK_LABEL (label), available ? _("● Conseiller disponible")
                                                        : _("● Pas de conseiller en ce moment"));
      gtk_widget_remove_css_class (label, available ? "advisor-none" : "advisor-ready");
      gtk_widget_add_css_class (label, available ? "advisor-ready" : "advisor-none");
      gtk_widget_set_visible (label, TRUE);
    }
  rebuild_queue (self);
}

gboolean
relais_desk_page_get_advisor_available (RelaisDeskPage *self,
                                        const char     *service_id)
{
  g_return_val_if_fail (RELAIS_IS_DESK_PAGE (self), FALSE);

  return advisor_ready (self, service_id);
}
