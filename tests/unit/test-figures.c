/* test-figures.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-figures"

#include <json-glib/json-glib.h>
#include <string.h>

#include "relais-figures.h"

#define DAY  (G_GINT64_CONSTANT (24) * 60 * 60)
#define WEEK (7 * DAY)
/* Wednesday 2024-03-13 12:00 UTC; its week starts Monday 2024-03-11. */
#define NOW    G_GINT64_CONSTANT (1710331200)
#define MONDAY G_GINT64_CONSTANT (1710115200)

static RelaisSessionFacts *
session (const char *service,
         gint64      created_at)
{
  RelaisSessionFacts *facts = relais_session_facts_new ();

  facts->session_id = relais_session_facts_new_id ();
  facts->service_id = g_strdup (service);
  facts->created_at = created_at;
  facts->ended_at = created_at + 600;
  return facts;
}

static GPtrArray *
sessions_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) relais_session_facts_free);
}

static void
test_week_start (void)
{
  g_assert_cmpint (relais_figures_week_start (NOW), ==, MONDAY);
  g_assert_cmpint (relais_figures_week_start (MONDAY), ==, MONDAY);
  g_assert_cmpint (relais_figures_week_start (MONDAY - 1), ==, MONDAY - WEEK);
  g_assert_cmpint (relais_figures_week_start (MONDAY + WEEK - 1), ==, MONDAY);
  /* 1970-01-01 (Thursday) belongs to the week of Monday 1969-12-29. */
  g_assert_cmpint (relais_figures_week_start (0), ==, -3 * DAY);
  g_assert_cmpint (relais_figures_week_start (-1), ==, -3 * DAY);
  g_assert_cmpint (relais_figures_week_start (4 * DAY), ==, 4 * DAY);
}

static void
test_median (void)
{
  const gint64 odd[] = { 300, 10, 20 };
  const gint64 even[] = { 40, 10, 30, 20 };
  const gint64 one[] = { 7 };
  const gint64 same[] = { 5, 5, 5, 5, 5 };

  g_assert_cmpfloat (relais_figures_median (NULL, 0), ==, -1);
  g_assert_cmpfloat (relais_figures_median (one, 1), ==, 7);
  g_assert_cmpfloat (relais_figures_median (odd, 3), ==, 20);
  g_assert_cmpfloat (relais_figures_median (even, 4), ==, 25);
  g_assert_cmpfloat (relais_figures_median (same, 5), ==, 5);
  /* The input is left as it was. */
  g_assert_cmpint (odd[0], ==, 300);
}

static void
test_outcome (void)
{
  g_assert_cmpstr (relais_session_outcome ("absent", FALSE, NULL), ==, "absent");
  g_assert_cmpstr (relais_session_outcome ("cancelled", TRUE, "resolved"), ==, "cancelled");
  g_assert_cmpstr (relais_session_outcome ("done", FALSE, "resolved"), ==, "no-call");
  g_assert_cmpstr (relais_session_outcome ("done", TRUE, "follow-up"), ==, "follow-up");
  /* Nobody said: unknown, never a guess. */
  g_assert_null (relais_session_outcome ("done", TRUE, NULL));
  g_assert_null (relais_session_outcome ("done", TRUE, "absent"));
  g_assert_null (relais_session_outcome ("done", TRUE, "très bien"));

  g_assert_true (relais_outcome_is_advisor ("technical-failure"));
  g_assert_false (relais_outcome_is_advisor ("no-call"));
  g_assert_true (relais_outcome_is_valid ("no-call"));
  g_assert_false (relais_outcome_is_valid (NULL));
  g_assert_false (relais_outcome_is_valid ("done"));
}

static void
test_empty (void)
{
  g_autoptr(GPtrArray) sessions = sessions_new ();
  g_autoptr(RelaisFigures) figures = NULL;

  /* Too old: outside the eight weeks. */
  g_ptr_array_add (sessions, session ("caf", MONDAY - 8 * WEEK + 3600));

  figures = relais_figures_compute (sessions, NOW);
  g_assert_cmpuint (figures->n_sessions, ==, 0);
  g_assert_cmpuint (figures->services->len, ==, 0);
  g_assert_cmpfloat (figures->success_rate, ==, -1);
  g_assert_cmpfloat (figures->median_setup_ms, ==, -1);
  g_assert_cmpuint (figures->survey_answers, ==, 0);
  for (guint w = 0; w < RELAIS_FIGURES_WEEKS; w++)
    {
      g_assert_cmpuint (figures->week_totals[w], ==, 0);
      g_assert_cmpfloat (figures->median_wait[w], ==, -1);
    }
  g_assert_cmpint (figures->week_starts[0], ==, MONDAY - 7 * WEEK);
  g_assert_cmpint (figures->week_starts[RELAIS_FIGURES_WEEKS - 1], ==, MONDAY);
}

static void
test_compute (void)
{
  g_autoptr(GPtrArray) sessions = sessions_new ();
  g_autoptr(RelaisFigures) figures = NULL;
  RelaisSessionFacts *facts;

  /* This week: three CAF sessions, one France Travail. */
  facts = session ("caf", MONDAY + 3600);
  facts->wait_seconds = 60;
  facts->call_attempted = TRUE;
  facts->media_flowed = TRUE;
  facts->setup_ms = 500;
  facts->survey = 5;
  g_ptr_array_add (sessions, facts);
  facts = session ("caf", MONDAY + 7200);
  facts->wait_seconds = 600;
  facts->call_attempted = TRUE;
  facts->media_flowed = FALSE;
  facts->survey = 1;
  g_ptr_array_add (sessions, facts);
  facts = session ("caf", NOW);
  facts->wait_seconds = 120;
  facts->call_attempted = TRUE;
  facts->media_flowed = TRUE;
  facts->setup_ms = 700;
  facts->survey = 5;
  g_ptr_array_add (sessions, facts);
  facts = session ("ft", MONDAY + DAY);
  facts->outcome = g_strdup ("absent");
  g_ptr_array_add (sessions, facts);
  /* Two weeks ago: one France Travail, never called. */
  facts = session ("ft", MONDAY - 2 * WEEK + 5);
  g_ptr_array_add (sessions, facts);
  /* Seven weeks ago (the oldest week shown), waited 30 s and 50 s. */
  facts = session ("msa", MONDAY - 7 * WEEK);
  facts->wait_seconds = 30;
  g_ptr_array_add (sessions, facts);
  facts = session ("msa", MONDAY - 7 * WEEK + 10);
  facts->wait_seconds = 50;
  facts->survey = 3;
  g_ptr_array_add (sessions, facts);
  /* Eight weeks ago: not shown. */
  g_ptr_array_add (sessions, session ("msa", MONDAY - 7 * WEEK - 1));

  figures = relais_figures_compute (sessions, NOW);

  g_assert_cmpuint (figures->n_sessions, ==, 7);
  g_assert_cmpuint (figures->services->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (figures->services, 0), ==, "caf");
  g_assert_cmpstr (g_ptr_array_index (figures->services, 1), ==, "ft");
  g_assert_cmpstr (g_ptr_array_index (figures->services, 2), ==, "msa");
  g_assert_cmpuint (relais_figures_get_count (figures, 0, 7), ==, 3);
  g_assert_cmpuint (relais_figures_get_count (figures, 1, 7), ==, 1);
  g_assert_cmpuint (relais_figures_get_count (figures, 1, 5), ==, 1);
  g_assert_cmpuint (relais_figures_get_count (figures, 2, 0), ==, 2);
  g_assert_cmpuint (relais_figures_get_count (figures, 0, 0), ==, 0);
  g_assert_cmpuint (figures->week_totals[7], ==, 4);
  g_assert_cmpuint (figures->week_totals[6], ==, 0);

  /* Medians per week of the called tickets only. */
  g_assert_cmpfloat (figures->median_wait[7], ==, 120);
  g_assert_cmpfloat (figures->median_wait[5], ==, -1);
  g_assert_cmpfloat (figures->median_wait[0], ==, 40);

  /* 2 of 3 attempted calls had media. */
  g_assert_cmpuint (figures->calls_attempted, ==, 3);
  g_assert_cmpuint (figures->calls_connected, ==, 2);
  g_assert_cmpfloat_with_epsilon (figures->success_rate, 2.0 / 3.0, 1e-9);
  g_assert_cmpfloat (figures->median_setup_ms, ==, 600);

  g_assert_cmpuint (figures->survey_answers, ==, 4);
  g_assert_cmpuint (figures->survey[0], ==, 1);
  g_assert_cmpuint (figures->survey[2], ==, 1);
  g_assert_cmpuint (figures->survey[4], ==, 2);
  g_assert_cmpuint (figures->survey[1] + figures->survey[3], ==, 0);
}

static void
test_csv_field (void)
{
  struct { const char *in; const char *out; } cases[] = {
    { "caf", "caf" },
    { "", "" },
    { "a,b", "\"a,b\"" },
    { "dit \"bonjour\"", "\"dit \"\"bonjour\"\"\"" },
    { "deux\nlignes", "\"deux\nlignes\"" },
    { "retour\r", "\"retour\r\"" },
    { "\"", "\"\"\"\"" },
    { "Sécurité sociale", "Sécurité sociale" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = relais_figures_csv_field (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }

  {
    g_autofree char *out = relais_figures_csv_field (NULL);
    g_assert_cmpstr (out, ==, "");
  }
}

#define HEADER "session,service,sub_service,ticket_given_utc,ended_utc,wait_seconds," \
               "call_attempted,media_flowed,setup_ms,fps_in,packets_lost,reconnected," \
               "call_seconds,outcome,survey\r\n"

static void
test_csv_empty (void)
{
  g_autoptr(GPtrArray) sessions = sessions_new ();
  g_autofree char *csv = relais_figures_to_csv (sessions);

  g_assert_cmpstr (csv, ==, HEADER);
}

static void
test_csv_rows (void)
{
  g_autoptr(GPtrArray) sessions = sessions_new ();
  g_autofree char *csv = NULL;
  g_autofree char *expected = NULL;
  RelaisSessionFacts *facts;

  facts = session ("caf", MONDAY);
  g_free (facts->session_id);
  facts->session_id = g_strdup ("00112233445566778899aabbccddeeff");
  facts->subservice_id = g_strdup ("prime,activité");
  facts->wait_seconds = 75;
  facts->call_attempted = TRUE;
  facts->media_flowed = TRUE;
  facts->setup_ms = 640;
  facts->fps_in = 28.25;
  facts->packets_lost = 0;
  facts->call_seconds = 420;
  facts->outcome = g_strdup ("resolved");
  facts->survey = 4;
  g_ptr_array_add (sessions, facts);

  facts = session ("ft \"emploi\"", MONDAY + 60);
  g_free (facts->session_id);
  facts->session_id = g_strdup ("ffeeddccbbaa99887766554433221100");
  facts->outcome = g_strdup ("no-call");
  g_ptr_array_add (sessions, facts);

  csv = relais_figures_to_csv (sessions);
  expected = g_strconcat (HEADER,
                          "00112233445566778899aabbccddeeff,caf,\"prime,activité\","
                          "2024-03-11T00:00:00Z,2024-03-11T00:10:00Z,75,1,1,640,28.2,0,0,420,resolved,4\r\n",
                          "ffeeddccbbaa99887766554433221100,\"ft \"\"emploi\"\"\",,"
                          "2024-03-11T00:01:00Z,2024-03-11T00:11:00Z,,0,0,,,,0,,no-call,\r\n",
                          NULL);
  g_assert_cmpstr (csv, ==, expected);
  g_assert_true (g_utf8_validate (csv, -1, NULL));
}

static void
test_csv_many (void)
{
  g_autoptr(GPtrArray) sessions = sessions_new ();
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  const guint n = 5000;

  for (guint i = 0; i < n; i++)
    {
      RelaisSessionFacts *facts = session (i % 2 ? "caf" : "msa", MONDAY + i);

      facts->survey = 1 + i % 5;
      g_ptr_array_add (sessions, facts);
    }

  csv = relais_figures_to_csv (sessions);
  lines = g_strsplit (csv, "\r\n", -1);
  /* header + n rows + the empty string after the last CRLF */
  g_assert_cmpuint (g_strv_length (lines), ==, n + 2);
  g_assert_cmpstr (lines[n + 1], ==, "");
  for (guint i = 1; i <= n; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ",", -1);
      g_autofree char *survey = g_strdup_printf ("%u", 1 + (i - 1) % 5);

      g_assert_cmpuint (g_strv_length (fields), ==, 15);
      g_assert_cmpstr (fields[0], ==, ((RelaisSessionFacts *) g_ptr_array_index (sessions, i - 1))->session_id);
      g_assert_cmpstr (fields[14], ==, survey);
    }
}

static void
test_json (void)
{
  g_autoptr(RelaisSessionFacts) facts = session ("caf", MONDAY);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  JsonObject *object;

  facts->wait_seconds = 75;
  facts->call_attempted = TRUE;
  facts->fps_in = 12.5;
  facts->survey = 2;
  json = relais_session_facts_to_json (facts, "Mairie de Saint-Léger");

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (object, "session"), ==, facts->session_id);
  g_assert_cmpstr (json_object_get_string_member (object, "site"), ==, "Mairie de Saint-Léger");
  g_assert_cmpstr (json_object_get_string_member (object, "service"), ==, "caf");
  g_assert_true (json_object_get_null_member (object, "sub_service"));
  g_assert_cmpstr (json_object_get_string_member (object, "ticket_given_utc"), ==, "2024-03-11T00:00:00Z");
  g_assert_cmpint (json_object_get_int_member (object, "wait_seconds"), ==, 75);
  g_assert_true (json_object_get_boolean_member (object, "call_attempted"));
  g_assert_false (json_object_get_boolean_member (object, "media_flowed"));
  g_assert_true (json_object_get_null_member (object, "setup_ms"));
  g_assert_cmpfloat (json_object_get_double_member (object, "fps_in"), ==, 12.5);
  g_assert_true (json_object_get_null_member (object, "outcome"));
  g_assert_cmpint (json_object_get_int_member (object, "survey"), ==, 2);
  /* Nothing but these. */
  g_assert_cmpuint (json_object_get_size (object), ==, 17);
}

static char *
json_time (const RelaisSessionFacts *facts,
           const char               *member)
{
  g_autofree char *json = relais_session_facts_to_json (facts, "Mairie de Saint-Léger");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);

  return g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                  member));
}

/* The upload's times go to the hour: a small site's row must not name
 * the one person who came at 10:03:27. The durations stay as measured,
 * and so does the site's own CSV export. */
static void
test_json_times_rounded (void)
{
  g_autoptr(RelaisSessionFacts) facts = session ("caf", MONDAY + 10 * 3600 + 3 * 60 + 27);
  g_autoptr(GPtrArray) sessions = sessions_new ();
  g_autofree char *given = NULL;
  g_autofree char *ended = NULL;
  g_autofree char *csv = NULL;

  facts->ended_at = MONDAY + 10 * 3600 + 47 * 60 + 59;
  facts->wait_seconds = 723;
  given = json_time (facts, "ticket_given_utc");
  ended = json_time (facts, "ended_utc");
  g_assert_cmpstr (given, ==, "2024-03-11T10:00:00Z");
  g_assert_cmpstr (ended, ==, "2024-03-11T10:00:00Z");

  /* Across the hour, and on it. */
  g_clear_pointer (&given, g_free);
  g_clear_pointer (&ended, g_free);
  facts->created_at = MONDAY + 11 * 3600 - 1;
  facts->ended_at = MONDAY + 11 * 3600;
  given = json_time (facts, "ticket_given_utc");
  ended = json_time (facts, "ended_utc");
  g_assert_cmpstr (given, ==, "2024-03-11T10:00:00Z");
  g_assert_cmpstr (ended, ==, "2024-03-11T11:00:00Z");

  /* Before 1970 (a clock gone wrong): floored too, not towards 0. */
  g_clear_pointer (&given, g_free);
  facts->created_at = -1;
  given = json_time (facts, "ticket_given_utc");
  g_assert_cmpstr (given, ==, "1969-12-31T23:00:00Z");

  /* The local export keeps the second. */
  facts->created_at = MONDAY + 10 * 3600 + 3 * 60 + 27;
  g_ptr_array_add (sessions, g_steal_pointer (&facts));
  csv = relais_figures_to_csv (sessions);
  g_assert_nonnull (strstr (csv, ",2024-03-11T10:03:27Z,"));
  g_assert_nonnull (strstr (csv, ",723,"));
}

static void
test_copy (void)
{
  g_autoptr(RelaisSessionFacts) facts = session ("caf", MONDAY);
  g_autoptr(RelaisSessionFacts) copy = NULL;

  facts->outcome = g_strdup ("resolved");
  copy = relais_session_facts_copy (facts);
  g_assert_true (copy->session_id != facts->session_id);
  g_assert_cmpstr (copy->session_id, ==, facts->session_id);
  g_assert_cmpstr (copy->outcome, ==, "resolved");
  g_assert_cmpint (copy->wait_seconds, ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/figures/week-start", test_week_start);
  g_test_add_func ("/figures/median", test_median);
  g_test_add_func ("/figures/outcome", test_outcome);
  g_test_add_func ("/figures/empty", test_empty);
  g_test_add_func ("/figures/compute", test_compute);
  g_test_add_func ("/figures/copy", test_copy);
  g_test_add_func ("/figures/csv/field", test_csv_field);
  g_test_add_func ("/figures/csv/empty", test_csv_empty);
  g_test_add_func ("/figures/csv/rows", test_csv_rows);
  g_test_add_func ("/figures/csv/many", test_csv_many);
  g_test_add_func ("/figures/json", test_json);
  g_test_add_func ("/figures/json-times-rounded", test_json_times_rounded);

  return g_test_run ();
}
