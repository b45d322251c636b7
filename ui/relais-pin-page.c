/* relais-pin-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-pin-page"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "relais-pin-page.h"

#define PIN_MAX_DIGITS 12

struct _RelaisPinPage
{
  RelaisContextPage parent_instance;

  GString       *digits;
  gboolean       busy;

  GtkWidget     *root;
  GtkLabel      *dots_label;
  GtkLabel      *feedback_label;
  GtkWidget     *spinner;
  GtkGrid       *keypad;
  GtkLabel      *demo_hint;
};

G_DEFINE_FINAL_TYPE (RelaisPinPage, relais_pin_page, RELAIS_TYPE_CONTEXT_PAGE)

static void
wipe_digits (RelaisPinPage *self)
{
  memset (self->digits->str, 0, self->digits->len);
  g_string_truncate (self->digits, 0);
}

static void
update_dots (RelaisPinPage *self)
{
  g_autoptr(GString) dots = g_string_new (NULL);

  for (gsize i = 0; i < self->digits->len; i++)
    g_string_append (dots, "● ");

  gtk_label_set_label (self->dots_label, dots->len > 0 ? dots->str : " ");
}

static void
submit (RelaisPinPage *self)
{
  if (self->busy || self->digits->len == 0)
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "app.unlock", "s", self->digits->str);
  wipe_digits (self);
  update_dots (self);
}

static void
press_digit (RelaisPinPage *self,
             char           digit)
{
  if (self->busy || self->digits->len >= PIN_MAX_DIGITS)
    return;

  g_string_append_c (self->digits, digit);
  gtk_label_set_label (self->feedback_label, "");
  update_dots (self);
}

static void
press_erase (RelaisPinPage *self)
{
  if (self->busy || self->digits->len == 0)
    return;

  self->digits->str[self->digits->len - 1] = '\0';
  g_string_truncate (self->digits, self->digits->len - 1);
  update_dots (self);
}

static void
key_clicked_cb (GtkButton     *button,
                RelaisPinPage *self)
{
  const char *key = g_object_get_data (G_OBJECT (button), "key");

  if (g_str_equal (key, "ok"))
    submit (self);
  else if (g_str_equal (key, "erase"))
    press_erase (self);
  else
    press_digit (self, key[0]);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                RelaisPinPage         *self)
{
  gunichar c = gdk_keyval_to_unicode (keyval);

  if (c >= '0' && c <= '9')
    {
      press_digit (self, (char) c);
      return GDK_EVENT_STOP;
    }

  switch (keyval)
    {
    case GDK_KEY_BackSpace:
      press_erase (self);
      return GDK_EVENT_STOP;

    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
      submit (self);
      return GDK_EVENT_STOP;

    default:
      return GDK_EVENT_PROPAGATE;
    }
}

static GtkWidget *
make_key (RelaisPinPage *self,
          const char    *key,
          const char    *label,
          const char    *icon_name,
          const char    *accessible_label)
{
  GtkWidget *button = gtk_button_new ();

  if (icon_name != NULL)
    {
      GtkWidget *image = gtk_image_new_from_icon_name (icon_name);

      gtk_image_set_pixel_size (GTK_IMAGE (image), 40);
      gtk_button_set_child (GTK_BUTTON (button), image);
    }
  else
    {
      gtk_button_set_label (GTK_BUTTON (button), label);
    }

  gtk_widget_add_css_class (button, "key");
  gtk_widget_set_focusable (button, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "key", g_strdup (key), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (key_clicked_cb), self);

  return button;
}

static void
build_keypad (RelaisPinPage *self)
{
  static const char *digits = "123456789";

  for (int i = 0; i < 9; i++)
    {
      char key[2] = { digits[i], '\0' };

      gtk_grid_attach (self->keypad, make_key (self, key, key, NULL, key), i % 3, i / 3, 1, 1);
    }

  gtk_grid_attach (self->keypad,
                   make_key (self, "erase", NULL, "edit-clear-symbolic", _("Effacer")),
                   0, 3, 1, 1);
  gtk_grid_attach (self->keypad, make_key (self, "0", "0", NULL, "0"), 1, 3, 1, 1);
  gtk_grid_attach (self->keypad,
                   make_key (self, "ok", NULL, "emblem-ok-symbolic", _("Valider")),
                   2, 3, 1, 1);
}

static void
relais_pin_page_constructed (GObject *object)
{
  RelaisPinPage *self = (RelaisPinPage *)object;
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  const char *demo_pin = relais_config_get_demo_pin (relais_context_get_config (context));

  G_OBJECT_CLASS (relais_pin_page_parent_class)->constructed (object);

  if (demo_pin != NULL)
    {
      g_autofree char *hint = g_strdup_printf (_("Démonstration : le code est %s."), demo_pin);

      gtk_label_set_label (self->demo_hint, hint);
      gtk_widget_set_visible (GTK_WIDGET (self->demo_hint), TRUE);
    }
}

static void
relais_pin_page_dispose (GObject *object)
{
  RelaisPinPage *self = (RelaisPinPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), RELAIS_TYPE_PIN_PAGE);

  G_OBJECT_CLASS (relais_pin_page_parent_class)->dispose (object);
}

static void
relais_pin_page_finalize (GObject *object)
{
  RelaisPinPage *self = (RelaisPinPage *)object;

  wipe_digits (self);
  g_string_free (self->digits, TRUE);

  G_OBJECT_CLASS (relais_pin_page_parent_class)->finalize (object);
}

static void
relais_pin_page_class_init (RelaisPinPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = relais_pin_page_constructed;
  object_class->dispose = relais_pin_page_dispose;
  object_class->finalize = relais_pin_page_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-pin-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisPinPage, root);
  gtk_widget_class_bind_template_child (widget_class, RelaisPinPage, dots_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisPinPage, feedback_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisPinPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, RelaisPinPage, keypad);
  gtk_widget_class_bind_template_child (widget_class, RelaisPinPage, demo_hint);
}

static void
relais_pin_page_init (RelaisPinPage *self)
{
  GtkEventController *keys;

  self->digits = g_string_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  build_keypad (self);

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

void
relais_pin_page_reset (RelaisPinPage *self)
{
  g_return_if_fail (RELAIS_IS_PIN_PAGE (self));

  wipe_digits (self);
  update_dots (self);
  relais_pin_page_set_feedback (self, NULL, FALSE);
}

void
relais_pin_page_set_feedback (RelaisPinPage *self,
                              const char    *message,
                              gboolean       busy)
{
  g_return_if_fail (RELAIS_IS_PIN_PAGE (self));

  self->busy = busy;
  gtk_label_set_label (self->feedback_label, message ? message : "");
  gtk_widget_set_visible (self->spinner, busy);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), !busy);
}

const char *
relais_pin_page_get_feedback (RelaisPinPage *self)
{
  g_return_val_if_fail (RELAIS_IS_PIN_PAGE (self), NULL);

  return gtk_label_get_label (self->feedback_label);
}
