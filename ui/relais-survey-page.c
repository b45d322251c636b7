/* relais-survey-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-survey-page"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "relais-survey-page.h"

#define FACE_SIZE 150

struct _RelaisSurveyPage
{
  RelaisContextPage parent_instance;

  GtkWidget *root;
  GtkWidget *faces_box;
  GtkWidget *remaining_label;
};

G_DEFINE_FINAL_TYPE (RelaisSurveyPage, relais_survey_page, RELAIS_TYPE_CONTEXT_PAGE)

/* Red to green through orange and amber; each face also differs by its
 * mouth and brows, so no one needs the colours to tell them apart. */
static const char * const face_colors[] = {
  "#d32f2f", "#f57c00", "#fbc02d", "#8bc34a", "#2e7d32",
};

void
relais_survey_face_color (int      mood,
                          GdkRGBA *color)
{
  gdk_rgba_parse (color, face_colors[CLAMP (mood, 1, 5) - 1]);
}

const char *
relais_survey_face_label (int mood)
{
  switch (mood)
    {
    case 1: return _("Très mécontent");
    case 2: return _("Mécontent");
    case 3: return _("Moyen");
    case 4: return _("Content");
    case 5: return _("Très content");
    default: return "";
    }
}

void
relais_survey_draw_face (cairo_t *cr,
                         int      mood,
                         double   size)
{
  GdkRGBA color;
  double r = size / 2;
  double k = (CLAMP (mood, 1, 5) - 3) / 2.0;  /* -1 … 1 */
  double line = size / 22;

  relais_survey_face_color (mood, &color);

  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  /* Head */
  cairo_arc (cr, r, r, r - line, 0, 2 * G_PI);
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.11, 0.11, 0.11);
  cairo_set_line_width (cr, line);
  cairo_stroke (cr);

  /* Eyes */
  cairo_arc (cr, size * 0.35, size * 0.40, size * 0.06, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_arc (cr, size * 0.65, size * 0.40, size * 0.06, 0, 2 * G_PI);
  cairo_fill (cr);

  /* Brows: slanted down towards the middle when unhappy. */
  if (mood <= 2)
    {
      double tilt = size * (mood == 1 ? 0.07 : 0.04);

      cairo_set_line_width (cr, line * 0.9);
      cairo_move_to (cr, size * 0.25, size * 0.26);
      cairo_line_to (cr, size * 0.42, size * 0.26 + tilt);
      cairo_move_to (cr, size * 0.75, size * 0.26);
      cairo_line_to (cr, size * 0.58, size * 0.26 + tilt);
      cairo_stroke (cr);
    }

  /* Mouth: a curve, up at the corners when happy, flat in the middle. */
  cairo_set_line_width (cr, line * 1.2);
  {
    double y = size * (0.68 - 0.04 * k);
    double bend = size * 0.16 * k;

    cairo_move_to (cr, size * 0.30, y);
    cairo_curve_to (cr, size * 0.40, y + bend, size * 0.60, y + bend, size * 0.70, y);
    cairo_stroke (cr);
  }

  cairo_restore (cr);
}

static void
draw_face_cb (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        user_data)
{
  int size = MIN (width, height);

  cairo_translate (cr, (width - size) / 2.0, (height - size) / 2.0);
  relais_survey_draw_face (cr, GPOINTER_TO_INT (user_data), size);
}

static void
show_remaining (RelaisSurveyPage *self,
                guint             seconds)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Sans réponse, retour à l'accueil dans %u seconde.",
                                       "Sans réponse, retour à l'accueil dans %u secondes.",
                                       seconds),
                          seconds);
  gtk_label_set_text (GTK_LABEL (self->remaining_label), text);
}

static void
survey_remaining_cb (RelaisSurveyPage    *self,
                     GParamSpec          *pspec,
                     RelaisSessionRecord *record)
{
  show_remaining (self, relais_session_record_get_survey_remaining (record));
}

static void
relais_survey_page_constructed (GObject *object)
{
  RelaisSurveyPage *self = RELAIS_SURVEY_PAGE (object);
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisSessionRecord *record;

  G_OBJECT_CLASS (relais_survey_page_parent_class)->constructed (object);

  if (context == NULL)
    return;

  /* The countdown is the session record's. */
  record = relais_context_get_session_record (context);
  g_signal_connect_object (record, "notify::survey-remaining",
                           G_CALLBACK (survey_remaining_cb), self, G_CONNECT_SWAPPED);
  survey_remaining_cb (self, NULL, record);
}

static void
relais_survey_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RELAIS_TYPE_SURVEY_PAGE);

  G_OBJECT_CLASS (relais_survey_page_parent_class)->dispose (object);
}

static void
relais_survey_page_class_init (RelaisSurveyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = relais_survey_page_constructed;
  object_class->dispose = relais_survey_page_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-survey-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisSurveyPage, root);
  gtk_widget_class_bind_template_child (widget_class, RelaisSurveyPage, faces_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisSurveyPage, remaining_label);
}

static void
relais_survey_page_init (RelaisSurveyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (int mood = 1; mood <= 5; mood++)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
      GtkWidget *face = gtk_drawing_area_new ();
      GtkWidget *label = gtk_label_new (relais_survey_face_label (mood));

      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (face), FACE_SIZE);
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (face), FACE_SIZE);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (face), draw_face_cb, GINT_TO_POINTER (mood), NULL);
      gtk_widget_set_halign (face, GTK_ALIGN_CENTER);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      gtk_widget_add_css_class (label, "face-label");

      gtk_box_append (GTK_BOX (box), face);
      gtk_box_append (GTK_BOX (box), label);
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.survey");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "i", mood);
      gtk_widget_add_css_class (button, "face-button");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, relais_survey_face_label (mood),
                                      -1);
      gtk_box_append (GTK_BOX (self->faces_box), button);
    }

  show_remaining (self, RELAIS_SESSION_RECORD_SURVEY_SECONDS);
}

GtkWidget *
relais_survey_page_new (RelaisContext *context)
{
  return g_object_new (RELAIS_TYPE_SURVEY_PAGE, "context", context, NULL);
}
