/* relais-figures-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-figures-page"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relais-chart.h"
#include "relais-figures-store.h"
#include "relais-figures-page.h"
#include "relais-survey-page.h"

struct _RelaisFiguresPage
{
  RelaisContextPage parent_instance;

  RelaisFigures *figures;       /* the last computed; NULL before */

  GtkWidget     *root;
  GtkWidget     *summary_label;
  GtkWidget     *export_button;
  GtkWidget     *stack;
  GtkWidget     *sessions_chart;
  GtkWidget     *waits_chart;
  GtkWidget     *success_label;
  GtkWidget     *success_detail;
  GtkWidget     *setup_detail;
  GtkWidget     *survey_count_label;
  GtkWidget     *survey_chart;
};

G_DEFINE_FINAL_TYPE (RelaisFiguresPage, relais_figures_page, RELAIS_TYPE_CONTEXT_PAGE)

static char *
service_name (RelaisFiguresPage *self,
              const char        *service_id)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisDirectory *directory = context != NULL ? relais_context_get_directory (context) : NULL;
  const RelaisService *service = directory != NULL ? relais_directory_find_service (directory, service_id) : NULL;

  const char *dash;

  /* A service since removed from the directory keeps its id. */
  if (service == NULL)
    return g_strdup (service_id);

  /* "CAF — Allocations familiales": the legend says "CAF". */
  dash = strstr (service->name, " — ");
  return dash != NULL ? g_strndup (service->name, dash - service->name) : g_strdup (service->name);
}

/* "11/03": the Monday the week starts, day and month (no month names:
 * the kiosk's C locale would print them in English). */
static char *
week_label (gint64 week_start)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (week_start);

  return g_date_time_format (date, "%d/%m");
}

static void
show_sessions (RelaisFiguresPage   *self,
               const RelaisFigures *figures,
               char               **weeks)
{
  guint n_services = figures->services->len;
  g_autofree double *values = g_new0 (double, MAX (n_services, 1) * RELAIS_FIGURES_WEEKS);
  g_auto(GStrv) names = g_new0 (char *, n_services + 1);

  for (guint s = 0; s < n_services; s++)
    {
      names[s] = service_name (self, g_ptr_array_index (figures->services, s));
      for (guint w = 0; w < RELAIS_FIGURES_WEEKS; w++)
        values[s * RELAIS_FIGURES_WEEKS + w] = relais_figures_get_count (figures, s, w);
    }

  relais_chart_set_value_kind (RELAIS_CHART (self->sessions_chart), RELAIS_CHART_COUNT);
  relais_chart_set_data (RELAIS_CHART (self->sessions_chart),
                         RELAIS_FIGURES_WEEKS, (const char * const *) weeks,
                         MAX (n_services, 1), (const char * const *) names, values);
}

static void
show_waits (RelaisFiguresPage   *self,
            const RelaisFigures *figures,
            char               **weeks)
{
  const char *series[] = { _("Attente médiane"), NULL };

  relais_chart_set_value_kind (RELAIS_CHART (self->waits_chart), RELAIS_CHART_DURATION);
  relais_chart_set_data (RELAIS_CHART (self->waits_chart),
                         RELAIS_FIGURES_WEEKS, (const char * const *) weeks,
                         1, series, figures->median_wait);
}

static void
show_success (RelaisFiguresPage   *self,
              const RelaisFigures *figures)
{
  g_autofree char *big = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *setup = NULL;

  if (figures->calls_attempted == 0)
    {
      gtk_label_set_text (GTK_LABEL (self->success_label), "–");
      gtk_label_set_text (GTK_LABEL (self->success_detail), _("Aucun appel pour l'instant."));
      gtk_label_set_text (GTK_LABEL (self->setup_detail), "");
      return;
    }

  big = g_strdup_printf ("%.0f %%", floor (figures->success_rate * 100 + 0.5));
  detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u appel sur %u a eu l'image et le son.",
                                         "%u appels sur %u ont eu l'image et le son.",
                                         figures->calls_connected),
                            figures->calls_connected, figures->calls_attempted);
  if (figures->median_setup_ms >= 0)
    {
      g_autofree char *seconds = g_strdup_printf ("%.1f", figures->median_setup_ms / 1000.0);

      /* French writes a decimal comma. */
      for (char *p = seconds; *p; p++)
        if (*p == '.')
          *p = ',';
      setup = g_strdup_printf (_("Mise en relation en %s s d'habitude."), seconds);
    }

  gtk_label_set_text (GTK_LABEL (self->success_label), big);
  gtk_label_set_text (GTK_LABEL (self->success_detail), detail);
  gtk_label_set_text (GTK_LABEL (self->setup_detail), setup != NULL ? setup : "");
}

static void
show_survey (RelaisFiguresPage   *self,
             const RelaisFigures *figures)
{
  const char *faces[RELAIS_SURVEY_MAX];
  double values[RELAIS_SURVEY_MAX];
  GdkRGBA colors[RELAIS_SURVEY_MAX];
  const char *series[] = { _("Réponses"), NULL };
  g_autofree char *count = NULL;

  for (int i = 0; i < RELAIS_SURVEY_MAX; i++)
    {
      faces[i] = relais_survey_face_label (i + 1);
      values[i] = figures->survey[i];
      relais_survey_face_color (i + 1, &colors[i]);
    }

  count = figures->survey_answers > 0
          ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u réponse", "%u réponses",
                                          figures->survey_answers),
                             figures->survey_answers)
          : g_strdup (_("aucune réponse pour l'instant"));
  gtk_label_set_text (GTK_LABEL (self->survey_count_label), count);

  relais_chart_set_category_colors (RELAIS_CHART (self->survey_chart), colors, RELAIS_SURVEY_MAX);
  relais_chart_set_value_kind (RELAIS_CHART (self->survey_chart), RELAIS_CHART_COUNT);
  relais_chart_set_data (RELAIS_CHART (self->survey_chart), RELAIS_SURVEY_MAX, faces, 1, series, values);
}

static void
show_figures (RelaisFiguresPage   *self,
              const RelaisFigures *figures)
{
  g_auto(GStrv) weeks = NULL;
  g_autofree char *summary = NULL;

  if (figures->n_sessions == 0)
    {
      gtk_label_set_text (GTK_LABEL (self->summary_label), _("8 dernières semaines"));
      gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
      return;
    }

  weeks = g_new0 (char *, RELAIS_FIGURES_WEEKS + 1);
  for (guint w = 0; w < RELAIS_FIGURES_WEEKS; w++)
    weeks[w] = week_label (figures->week_starts[w]);

  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "8 dernières semaines (du lundi indiqué) : %u personne reçue",
                                          "8 dernières semaines (du lundi indiqué) : %u personnes reçues",
                                          figures->n_sessions),
                             figures->n_sessions);
  gtk_label_set_text (GTK_LABEL (self->summary_label), summary);

  show_sessions (self, figures, weeks);
  show_waits (self, figures, weeks);
  show_success (self, figures);
  show_survey (self, figures);

  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "charts");
}

static void
relais_figures_page_dispose (GObject *object)
{
  RelaisFiguresPage *self = (RelaisFiguresPage *) object;

  gtk_widget_dispose_template (GTK_WIDGET (object), RELAIS_TYPE_FIGURES_PAGE);
  g_clear_pointer (&self->figures, relais_figures_free);

  G_OBJECT_CLASS (relais_figures_page_parent_class)->dispose (object);
}

static void
relais_figures_page_class_init (RelaisFiguresPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = relais_figures_page_dispose;

  g_type_ensure (RELAIS_TYPE_CHART);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-figures-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisFiguresPage, root);
  gtk_widget_class_bind_template_child (widget_class, RelaisFiguresPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisFiguresPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisFiguresPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RelaisFiguresPage, sessions_chart);
  gtk_widget_class_bind_template_child (widget_class, RelaisFiguresPage, waits_chart);
  gtk_widget_class_bind_template_child (widget_class, RelaisFiguresPage, success_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisFiguresPage, success_detail);
  gtk_widget_class_bind_template_child (widget_class, RelaisFiguresPage, setup_detail);
  gtk_widget_class_bind_template_child (widget_class, RelaisFiguresPage, survey_count_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisFiguresPage, survey_chart);
}

static void
relais_figures_page_init (RelaisFiguresPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
}

GtkWidget *
relais_figures_page_new (RelaisContext *context)
{
  return g_object_new (RELAIS_TYPE_FIGURES_PAGE, "context", context, NULL);
}

gboolean
relais_figures_page_refresh (RelaisFiguresPage  *self,
                             GError            **error)
{
  RelaisContext *context;
  RelaisFigures *figures;

  g_return_val_if_fail (RELAIS_IS_FIGURES_PAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  g_return_val_if_fail (context != NULL, FALSE);

  figures = relais_figures_compute_from_store (relais_context_get_store (context),
                                               g_get_real_time () / G_USEC_PER_SEC, error);
  if (figures == NULL)
    return FALSE;

  g_clear_pointer (&self->figures, relais_figures_free);
  self->figures = figures;
  show_figures (self, figures);
  return TRUE;
}

const RelaisFigures *
relais_figures_page_get_figures (RelaisFiguresPage *self)
{
  g_return_val_if_fail (RELAIS_IS_FIGURES_PAGE (self), NULL);

  return self->figures;
}

const char *
relais_figures_page_get_state (RelaisFiguresPage *self)
{
  g_return_val_if_fail (RELAIS_IS_FIGURES_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (GTK_STACK (self->stack));
}

char *
relais_figures_page_describe (RelaisFiguresPage *self)
{
  GtkWidget *charts[] = { self->sessions_chart, self->waits_chart, self->survey_chart };
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (RELAIS_IS_FIGURES_PAGE (self), NULL);

  g_string_append_printf (text, "%s\n%s\n%s\n%s\n",
                          gtk_label_get_text (GTK_LABEL (self->summary_label)),
                          gtk_label_get_text (GTK_LABEL (self->success_label)),
                          gtk_label_get_text (GTK_LABEL (self->success_detail)),
                          gtk_label_get_text (GTK_LABEL (self->survey_count_label)));
  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    {
      g_autofree char *description = relais_chart_get_description (RELAIS_CHART (charts[i]));

      g_string_append_printf (text, "%s\n", description);
    }

  return g_string_free (text, FALSE);
}
