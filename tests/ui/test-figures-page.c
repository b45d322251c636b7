/* test-figures-page.c: the charts and the figures page on their own
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * RELAIS_UI_SHOTS=dir saves a PNG of each state there, to look at.
 */
#include "config.h"

#include <gtk/gtk.h>

#include "relais-chart.h"
#include "relais-figures-page.h"
#include "relais-survey-page.h"

#include "relais-test-ui.h"
#include "../relais-test-utils.h"

#define DAY  (G_GINT64_CONSTANT (24) * 60 * 60)
#define WEEK (7 * DAY)

static GtkWidget *
show (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  /* Several frames: the charts are drawn (snapshot) more than once. */
  relais_test_spin (500);
  g_assert_true (gtk_widget_get_mapped (child));

  return window;
}

static void
test_format (void)
{
  struct { RelaisChartValueKind kind; double value; const char *text; } cases[] = {
    { RELAIS_CHART_COUNT, 0, "0" },
    { RELAIS_CHART_COUNT, 12, "12" },
    { RELAIS_CHART_COUNT, -1, "–" },
    { RELAIS_CHART_DURATION, 0, "0 s" },
    { RELAIS_CHART_DURATION, 45, "45 s" },
    { RELAIS_CHART_DURATION, 59.6, "1 min" },
    { RELAIS_CHART_DURATION, 90, "2 min" },
    { RELAIS_CHART_DURATION, 1290, "22 min" },
    { RELAIS_CHART_DURATION, 4200, "1 h 10" },
    { RELAIS_CHART_DURATION, -1, "–" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = relais_chart_format_value (cases[i].kind, cases[i].value);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* Odd data draws without a crash: nothing, all zero, no data, one huge
 * bar, many series with long names in a narrow chart. */
static void
test_chart_edges (void)
{
  GtkWidget *chart = relais_chart_new ();
  GtkWidget *window = show (chart);
  const char *categories[] = { "a", "b", "c" };
  const char *series[] = { "Une série au nom très long", "Deux", "Trois", "Quatre", "Cinq",
                           "Six", "Sept", "Huit", "Neuf", "Dix" };
  double zeros[3] = { 0, 0, 0 };
  double none[3] = { -1, -1, -1 };
  double huge[3] = { 0, 1e9, 1 };
  double many[30];
  g_autofree char *description = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    many[i] = i % 4;

  relais_chart_set_data (RELAIS_CHART (chart), 0, NULL, 0, NULL, NULL);
  relais_test_spin (100);
  relais_chart_set_data (RELAIS_CHART (chart), 3, categories, 1, series, zeros);
  relais_test_spin (100);
  relais_chart_set_value_kind (RELAIS_CHART (chart), RELAIS_CHART_DURATION);
  relais_chart_set_data (RELAIS_CHART (chart), 3, categories, 1, series, none);
  description = relais_chart_get_description (RELAIS_CHART (chart));
  g_assert_cmpstr (description, ==, "a : – ; b : – ; c : –");
  relais_test_spin (100);
  relais_chart_set_value_kind (RELAIS_CHART (chart), RELAIS_CHART_COUNT);
  relais_chart_set_data (RELAIS_CHART (chart), 3, categories, 1, series, huge);
  relais_test_spin (100);
  gtk_widget_set_size_request (chart, 300, 170);
  gtk_window_set_default_size (GTK_WINDOW (window), 300, 200);
  relais_chart_set_data (RELAIS_CHART (chart), 3, categories, 10, series, many);
  relais_test_spin (200);
  g_clear_pointer (&description, g_free);
  description = relais_chart_get_description (RELAIS_CHART (chart));
  /* Totals of the stacked series per category. */
  g_assert_cmpstr (description, ==, "a : 15 ; b : 13 ; c : 15");

  gtk_window_destroy (GTK_WINDOW (window));
}

static RelaisSessionFacts *
facts_at (const char *service,
          gint64      created_at)
{
  RelaisSessionFacts *facts = relais_session_facts_new ();

  facts->session_id = relais_session_facts_new_id ();
  facts->service_id = g_strdup (service);
  facts->created_at = created_at;
  facts->ended_at = created_at + 600;
  return facts;
}

static void
test_page (void)
{
  GtkWidget *page = relais_figures_page_new (NULL);
  RelaisFiguresPage *figures_page = RELAIS_FIGURES_PAGE (page);
  GtkWidget *window = show (page);
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_session_facts_free);
  g_autoptr(RelaisFigures) empty = NULL;
  g_autoptr(RelaisFigures) figures = NULL;
  g_autofree char *description = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  empty = relais_figures_compute (sessions, now);
  relais_figures_page_set_figures (figures_page, empty);
  g_assert_cmpstr (relais_figures_page_get_state (figures_page), ==, "empty");
  relais_test_shoot ("figures-page-empty", 400);

  for (int i = 0; i < 40; i++)
    {
      RelaisSessionFacts *facts = facts_at (i % 3 == 0 ? "caf" : i % 3 == 1 ? "ft" : "msa",
                                            now - (i % 8) * WEEK);

      facts->wait_seconds = 60 * (i % 8) + 30;
      facts->call_attempted = i % 5 != 0;
      facts->media_flowed = facts->call_attempted && i % 7 != 0;
      facts->setup_ms = facts->media_flowed ? 700 : -1;
      facts->survey = facts->media_flowed ? 1 + i % 5 : 0;
      g_ptr_array_add (sessions, facts);
    }
  figures = relais_figures_compute (sessions, now);
  relais_figures_page_set_figures (figures_page, figures);
  g_assert_cmpstr (relais_figures_page_get_state (figures_page), ==, "charts");
  description = relais_figures_page_describe (figures_page);
  g_test_message ("%s", description);
  g_assert_nonnull (strstr (description, "40 personnes reçues"));
  g_assert_nonnull (strstr (description, "appels sur 32"));
  g_assert_nonnull (strstr (description, "28 réponses"));
  g_assert_nonnull (strstr (description, "Très mécontent : 0 ; Mécontent : 7"));
  relais_test_spin (300);
  relais_test_shoot ("figures-page", 400);

  /* Back to nothing (all purged): the empty state again. */
  relais_figures_page_set_figures (figures_page, empty);
  g_assert_cmpstr (relais_figures_page_get_state (figures_page), ==, "empty");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_survey_page (void)
{
  GtkWidget *page = relais_survey_page_new ();
  GtkWidget *window = show (page);

  relais_survey_page_set_remaining (RELAIS_SURVEY_PAGE (page), 1);
  relais_survey_page_set_remaining (RELAIS_SURVEY_PAGE (page), 12);
  for (int mood = 1; mood <= 5; mood++)
    g_assert_cmpstr (relais_survey_face_label (mood), !=, "");
  relais_test_shoot ("survey-page", 400);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{

  gtk_test_init (&argc, &argv, NULL);
  relais_test_ui_load_style ();

  g_test_add_func ("/figures-page/format", test_format);
  g_test_add_func ("/figures-page/chart-edges", test_chart_edges);
  g_test_add_func ("/figures-page/page", test_page);
  g_test_add_func ("/figures-page/survey-page", test_survey_page);

  return g_test_run ();
}
