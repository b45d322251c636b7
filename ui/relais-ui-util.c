/* relais-ui-util.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-ui-util"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "relais-ui-util.h"

const char *
relais_ui_service_name (RelaisDirectory *directory,
                        const char      *service_id)
{
  const RelaisService *service = relais_directory_find_service (directory, service_id);

  return service ? service->name : service_id;
}

const char *
relais_ui_subservice_name (RelaisDirectory *directory,
                           const char      *service_id,
                           const char      *subservice_id)
{
  const RelaisSubservice *sub = relais_directory_find_subservice (directory, service_id, subservice_id);

  return sub ? sub->name : subservice_id;
}

GtkWidget *
relais_ui_channel_icons (RelaisChannels channels,
                         int            pixel_size)
{
  static const struct {
    RelaisChannels channel;
    const char *icon;
    const char *label;
  } pictos[] = {
    { RELAIS_CHANNEL_VISIO, "camera-web-symbolic", N_("En visio") },
    { RELAIS_CHANNEL_PHONE, "phone-symbolic", N_("Par téléphone") },
    { RELAIS_CHANNEL_MAIL, "mail-unread-symbolic", N_("Par courriel ou courrier") },
    { RELAIS_CHANNEL_IN_PERSON, "system-users-symbolic", N_("Sur place") },
  };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_widget_add_css_class (box, "channels");

  for (guint i = 0; i < G_N_ELEMENTS (pictos); i++)
    {
      GtkWidget *image;

      if (!(channels & pictos[i].channel))
        continue;

      image = gtk_image_new_from_icon_name (pictos[i].icon);
      gtk_image_set_pixel_size (GTK_IMAGE (image), pixel_size);
      gtk_widget_set_tooltip_text (image, _(pictos[i].label));
      gtk_accessible_update_property (GTK_ACCESSIBLE (image),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _(pictos[i].label),
                                      -1);
      if (pictos[i].channel == RELAIS_CHANNEL_VISIO)
        gtk_widget_add_css_class (image, "visio");
      gtk_box_append (GTK_BOX (box), image);
    }

  return box;
}

static void
add_contact_line (GtkWidget  *box,
                  const char *icon_name,
                  const char *what,
                  const char *value)
{
  GtkWidget *row;
  GtkWidget *image;
  GtkWidget *label;
  g_autofree char *text = NULL;

  if (value == NULL || *value == '\0')
    return;

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  image = gtk_image_new_from_icon_name (icon_name);
  gtk_image_set_pixel_size (GTK_IMAGE (image), 32);
  gtk_box_append (GTK_BOX (row), image);

  text = g_strdup_printf ("%s : %s", what, value);
  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "contact-line");
  gtk_box_append (GTK_BOX (row), label);

  gtk_box_append (GTK_BOX (box), row);
}

static const char *
pick (const char *first,
      const char *second)
{
  return (first != NULL && *first != '\0') ? first : second;
}

GtkWidget *
relais_ui_contact_box (const RelaisContact *contact,
                       const RelaisContact *fallback)
{
  static const RelaisContact empty = { NULL, NULL, NULL, NULL };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  if (contact == NULL)
    contact = &empty;
  if (fallback == NULL)
    fallback = &empty;

  gtk_widget_add_css_class (box, "contact");
  add_contact_line (box, "phone-symbolic", _("Téléphone"), pick (contact->phone, fallback->phone));
  add_contact_line (box, "mail-unread-symbolic", _("Courriel"), pick (contact->email, fallback->email));
  add_contact_line (box, "user-home-symbolic", _("Adresse"), pick (contact->address, fallback->address));
  add_contact_line (box, "help-browser-symbolic", _("Site internet"), pick (contact->web, fallback->web));

  return box;
}

char *
relais_ui_format_wait (gint64 since,
                       gint64 now)
{
  gint64 minutes = MAX (0, now - since) / 60;

  if (minutes < 1)
    return g_strdup (_("à l'instant"));
  if (minutes < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "depuis %d minute",
                                         "depuis %d minutes",
                                         (gulong) minutes),
                            (int) minutes);

  return g_strdup_printf (_("depuis %dh%02d"), (int) (minutes / 60), (int) (minutes % 60));
}

void
relais_ui_clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_box_remove (GTK_BOX (box), child);
}

void
relais_ui_trace (const char *what,
                 const char *text)
{
  static int enabled = -1;

  if (enabled < 0)
    enabled = g_strcmp0 (g_getenv ("RELAIS_TEST_TRACE"), "1") == 0;
  if (!enabled)
    return;
  fprintf (stderr, "relais-trace: %s: %s\n", what, text != NULL ? text : "");
  fflush (stderr);
}

static void
secondary_pressed_cb (GtkGestureClick *gesture,
                      int              n_press,
                      double           x,
                      double           y,
                      gpointer         user_data)
{
  /* Claimed in the capture phase: the field's own gesture, which opens
   * the menu on the same press, never sees it. */
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

void
relais_ui_lock_down_entry (GtkEntry *entry)
{
  GtkEditable *text;
  GtkGesture *secondary;

  g_return_if_fail (GTK_IS_ENTRY (entry));

  text = gtk_editable_get_delegate (GTK_EDITABLE (entry));

  /* The emoji chooser's action follows this hint (GtkText turns it on
   * and off itself, so it cannot simply be disabled). */
  gtk_entry_set_input_hints (entry, gtk_entry_get_input_hints (entry) | GTK_INPUT_HINT_NO_EMOJI);

  /* The Menu key and Shift+F10 go through this action. */
  gtk_widget_action_set_enabled (GTK_WIDGET (text), "menu.popup", FALSE);

  /* A right click (or a pen's barrel button) opens the menu directly. */
  secondary = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (secondary), GDK_BUTTON_SECONDARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (secondary), GTK_PHASE_CAPTURE);
  g_signal_connect (secondary, "pressed", G_CALLBACK (secondary_pressed_cb), NULL);
  gtk_widget_add_controller (GTK_WIDGET (entry), GTK_EVENT_CONTROLLER (secondary));
}
