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
#include "relais-context.h"

#include "relais-test-ui.h"
#include "../relais-test-utils.h"

#define DAY  (G_GINT64_CONSTANT (24) * 60 * 60)
#define WEEK (7 * DAY)

/* A context of its own: a store in a temporary directory. */
static RelaisContext *
make_context (char **dir)
{
  g_autofree char *store_path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  RelaisContext *context;

  relais_test_store_dir ("relais-figures-page-XXXXXX", dir, &store_path);
  data = g_strdup_printf ("[kiosk]\nstore-path=%s\n", store_path);
  config = relais_config_new_from_data (data, "/etc/relais/kiosk.conf", &error);
  g_assert_no_error (error);
  context = relais_context_new (config, &error);
  g_assert_no_error (error);
  return context;
}

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
add_facts (RelaisStore        *store,
           RelaisSessionFacts *facts)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_store_add_session_facts (store, facts, &error));
  g_assert_no_error (error);
  relais_session_facts_free (facts);
}

/* The page reads its figures from the context's store. */
static void
test_page (void)
{
  g_autofree char *dir = NULL;
  RelaisContext *context = make_context (&dir);
  RelaisStore *store = relais_context_get_store (context);
  GtkWidget *page = relais_figures_page_new (context);
  RelaisFiguresPage *figures_page = RELAIS_FIGURES_PAGE (page);
  GtkWidget *window = show (page);
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_object_unref (context);
  g_assert_null (relais_figures_page_get_figures (figures_page));
  g_assert_true (relais_figures_page_refresh (figures_page, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (relais_figures_page_get_figures (figures_page)->n_sessions, ==, 0);
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
      add_facts (store, facts);
    }
  /* Older than the eight weeks: not counted. */
  add_facts (store, facts_at ("caf", now - 9 * WEEK));
  g_assert_true (relais_figures_page_refresh (figures_page, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (relais_figures_page_get_figures (figures_page)->n_sessions, ==, 40);
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
  g_assert_cmpint (relais_store_purge (store, 1, now + 20 * WEEK, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (relais_figures_page_refresh (figures_page, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (relais_figures_page_get_state (figures_page), ==, "empty");

  gtk_window_destroy (GTK_WINDOW (window));
  relais_test_remove_dir (dir);
}

static void
handle (RelaisSession      *session,
        RelaisSessionEvent  event)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_session_handle (session, event, &error));
  g_assert_no_error (error);
}

/* The label under the faces that holds @text, or NULL. */
static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
label_says (gpointer data)
{
  GtkWidget **widgets = data;

  return find_label (widgets[0], (const char *) widgets[1]) != NULL;
}

/* The countdown is the session record's: the page follows it. */
static void
test_survey_page (void)
{
  g_autofree char *dir = NULL;
  RelaisContext *context = make_context (&dir);
  RelaisQueue *queue = relais_context_get_queue (context);
  RelaisSession *session = relais_context_get_session (context);
  RelaisSessionRecord *record = relais_context_get_session_record (context);
  GtkWidget *page = relais_survey_page_new (context);
  GtkWidget *window = show (page);
  g_autoptr(RelaisTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  gpointer eleven_seconds[] = { page, (gpointer) "dans 11 secondes." };
  gint64 id;

  g_object_unref (context);
  g_assert_nonnull (find_label (page, "dans 30 secondes."));

  /* A walk-in through the call to the survey, which lasts 12 s here. */
  relais_session_record_set_survey_seconds (record, 12);
  ticket = relais_queue_add (queue, 'C', "caf", "rsa", NULL, NULL, &error);
  g_assert_no_error (error);
  id = relais_ticket_get_id (ticket);
  handle (session, RELAIS_SESSION_EVENT_AGENT_REQUEST);
  handle (session, RELAIS_SESSION_EVENT_UNLOCKED);
  g_assert_true (relais_queue_call (queue, id, &error));
  handle (session, RELAIS_SESSION_EVENT_TICKET_CALLED);
  g_assert_true (relais_queue_start (queue, id, &error));
  handle (session, RELAIS_SESSION_EVENT_PERSON_PRESENT);
  handle (session, RELAIS_SESSION_EVENT_START_CALL);
  handle (session, RELAIS_SESSION_EVENT_CALL_OVER);
  g_assert_true (relais_queue_finish (queue, id, &error));
  g_assert_no_error (error);
  relais_session_record_ticket_ended (record, id);
  handle (session, RELAIS_SESSION_EVENT_SESSION_ENDED);
  g_assert_cmpint (relais_session_get_state (session), ==, RELAIS_SESSION_SURVEY);
  g_assert_nonnull (find_label (page, "dans 12 secondes."));
  for (int mood = 1; mood <= 5; mood++)
    g_assert_cmpstr (relais_survey_face_label (mood), !=, "");
  relais_test_shoot ("survey-page", 400);
  g_assert_true (relais_test_wait_for (label_says, eleven_seconds, 5000));
  handle (session, RELAIS_SESSION_EVENT_SURVEY_DONE);

  gtk_window_destroy (GTK_WINDOW (window));
  relais_test_remove_dir (dir);
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
