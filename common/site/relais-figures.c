/* relais-figures.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-figures"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "relais-figures.h"

#define WEEK_SECONDS (7 * 24 * 60 * 60)

static const char * const advisor_outcomes[] = {
  RELAIS_OUTCOME_RESOLVED,
  RELAIS_OUTCOME_FOLLOW_UP,
  RELAIS_OUTCOME_REDIRECTED,
  RELAIS_OUTCOME_TECHNICAL_FAILURE,
};

static const char * const kiosk_outcomes[] = {
  RELAIS_OUTCOME_NO_CALL,
  RELAIS_OUTCOME_ABSENT,
  RELAIS_OUTCOME_CANCELLED,
};

RelaisSessionFacts *
relais_session_facts_new (void)
{
  RelaisSessionFacts *facts = g_new0 (RelaisSessionFacts, 1);

  facts->wait_seconds = -1;
  facts->setup_ms = -1;
  facts->fps_in = -1;
  facts->packets_lost = -1;
  facts->call_seconds = -1;

  return facts;
}

RelaisSessionFacts *
relais_session_facts_copy (const RelaisSessionFacts *facts)
{
  RelaisSessionFacts *copy;

  g_return_val_if_fail (facts != NULL, NULL);

  copy = g_memdup2 (facts, sizeof *facts);
  copy->session_id = g_strdup (facts->session_id);
  copy->service_id = g_strdup (facts->service_id);
  copy->subservice_id = g_strdup (facts->subservice_id);
  copy->outcome = g_strdup (facts->outcome);

  return copy;
}

void
relais_session_facts_free (RelaisSessionFacts *facts)
{
  if (facts == NULL)
    return;

  g_free (facts->session_id);
  g_free (facts->service_id);
  g_free (facts->subservice_id);
  g_free (facts->outcome);
  g_free (facts);
}

char *
relais_session_facts_new_id (void)
{
  GString *id = g_string_sized_new (32);

  /* g_random is seeded from /dev/urandom; the id only has to be
   * unguessable enough that it tells nothing about the ticket. */
  for (int i = 0; i < 4; i++)
    g_string_append_printf (id, "%08" G_GINT32_MODIFIER "x", g_random_int ());

  return g_string_free (id, FALSE);
}

gboolean
relais_outcome_is_advisor (const char *outcome)
{
  if (outcome == NULL)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (advisor_outcomes); i++)
    if (g_str_equal (outcome, advisor_outcomes[i]))
      return TRUE;

  return FALSE;
}

gboolean
relais_outcome_is_valid (const char *outcome)
{
  if (relais_outcome_is_advisor (outcome))
    return TRUE;
  if (outcome == NULL)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (kiosk_outcomes); i++)
    if (g_str_equal (outcome, kiosk_outcomes[i]))
      return TRUE;

  return FALSE;
}

const char *
relais_session_outcome (const char *ticket_outcome,
                        gboolean    call_attempted,
                        const char *advisor_outcome)
{
  if (g_strcmp0 (ticket_outcome, RELAIS_OUTCOME_ABSENT) == 0)
    return RELAIS_OUTCOME_ABSENT;
  if (g_strcmp0 (ticket_outcome, RELAIS_OUTCOME_CANCELLED) == 0)
    return RELAIS_OUTCOME_CANCELLED;
  if (!call_attempted)
    return RELAIS_OUTCOME_NO_CALL;
  if (relais_outcome_is_advisor (advisor_outcome))
    return advisor_outcome;

  return NULL;
}

gint64
relais_figures_week_start (gint64 time)
{
  /* 1970-01-01 was a Thursday: Monday 1969-12-29 is day -3. Floor
   * division keeps times before 1970 right too. */
  gint64 day = time >= 0 ? time / 86400 : -((-time + 86399) / 86400);
  gint64 since_monday = ((day + 3) % 7 + 7) % 7;

  return (day - since_monday) * 86400;
}

static int
compare_int64 (const void *a,
               const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

double
relais_figures_median (const gint64 *values,
                       gsize         n)
{
  g_autofree gint64 *sorted = NULL;

  if (n == 0)
    return -1;

  sorted = g_memdup2 (values, n * sizeof *values);
  qsort (sorted, n, sizeof *sorted, compare_int64);

  if (n % 2 == 1)
    return (double) sorted[n / 2];

  return ((double) sorted[n / 2 - 1] + (double) sorted[n / 2]) / 2.0;
}

static guint
service_index (RelaisFigures *figures,
               const char    *service_id)
{
  guint i;

  for (i = 0; i < figures->services->len; i++)
    if (g_str_equal (g_ptr_array_index (figures->services, i), service_id))
      return i;

  g_ptr_array_add (figures->services, g_strdup (service_id));
  figures->counts = g_renew (guint, figures->counts, figures->services->len * RELAIS_FIGURES_WEEKS);
  memset (figures->counts + i * RELAIS_FIGURES_WEEKS, 0, RELAIS_FIGURES_WEEKS * sizeof (guint));

  return i;
}

RelaisFigures *
relais_figures_compute (GPtrArray *sessions,
                        gint64     now)
{
  RelaisFigures *figures = g_new0 (RelaisFigures, 1);
  g_autoptr(GArray) setups = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *waits[RELAIS_FIGURES_WEEKS];
  gint64 first_week = relais_figures_week_start (now) - (RELAIS_FIGURES_WEEKS - 1) * (gint64) WEEK_SECONDS;

  g_return_val_if_fail (sessions != NULL, NULL);

  figures->services = g_ptr_array_new_with_free_func (g_free);
  for (guint w = 0; w < RELAIS_FIGURES_WEEKS; w++)
    {
      figures->week_starts[w] = first_week + (gint64) w * WEEK_SECONDS;
      waits[w] = g_array_new (FALSE, FALSE, sizeof (gint64));
    }

  for (guint i = 0; i < sessions->len; i++)
    {
      const RelaisSessionFacts *facts = g_ptr_array_index (sessions, i);
      gint64 week_offset;
      guint service;
      guint w;

      /* A session belongs to the week its ticket was given in: that is
       * when the person came. */
      if (facts->created_at < first_week || facts->service_id == NULL)
        continue;
      week_offset = (facts->created_at - first_week) / WEEK_SECONDS;
      if (week_offset >= RELAIS_FIGURES_WEEKS)
        continue;
      w = (guint) week_offset;

      figures->n_sessions++;
      /* service_index() may grow counts: read the pointer after it. */
      service = service_index (figures, facts->service_id);
      figures->counts[service * RELAIS_FIGURES_WEEKS + w]++;
      figures->week_totals[w]++;

      if (facts->wait_seconds >= 0)
        g_array_append_val (waits[w], facts->wait_seconds);

      if (facts->call_attempted)
        {
          figures->calls_attempted++;
          if (facts->media_flowed)
            figures->calls_connected++;
          if (facts->setup_ms >= 0)
            g_array_append_val (setups, facts->setup_ms);
        }

      if (facts->survey >= RELAIS_SURVEY_MIN && facts->survey <= RELAIS_SURVEY_MAX)
        {
          figures->survey[facts->survey - 1]++;
          figures->survey_answers++;
        }
    }

  for (guint w = 0; w < RELAIS_FIGURES_WEEKS; w++)
    {
      figures->median_wait[w] = relais_figures_median ((const gint64 *) (gpointer) waits[w]->data,
                                                       waits[w]->len);
      g_array_unref (waits[w]);
    }

  figures->success_rate = figures->calls_attempted > 0
                          ? (double) figures->calls_connected / figures->calls_attempted
                          : -1;
  figures->median_setup_ms = relais_figures_median ((const gint64 *) (gpointer) setups->data,
                                                    setups->len);

  return figures;
}

void
relais_figures_free (RelaisFigures *figures)
{
  if (figures == NULL)
    return;

  g_ptr_array_unref (figures->services);
  g_free (figures->counts);
  g_free (figures);
}

guint
relais_figures_get_count (const RelaisFigures *figures,
                          guint                service,
                          guint                week)
{
  g_return_val_if_fail (figures != NULL, 0);
  g_return_val_if_fail (service < figures->services->len, 0);
  g_return_val_if_fail (week < RELAIS_FIGURES_WEEKS, 0);

  return figures->counts[service * RELAIS_FIGURES_WEEKS + week];
}

char *
relais_figures_csv_field (const char *value)
{
  GString *field;

  if (value == NULL)
    return g_strdup ("");

  if (strpbrk (value, ",\"\r\n") == NULL)
    return g_strdup (value);

  field = g_string_new ("\"");
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (field, '"');
      g_string_append_c (field, *p);
    }
  g_string_append_c (field, '"');

  return g_string_free (field, FALSE);
}

static char *
iso_time (gint64 time)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (time);

  return date != NULL ? g_date_time_format (date, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

/* @time floored to RELAIS_FIGURES_UPLOAD_TIME_STEP, before 1970 too. */
static gint64
upload_time (gint64 time)
{
  gint64 step = RELAIS_FIGURES_UPLOAD_TIME_STEP;
  gint64 rest = time % step;

  return time - (rest < 0 ? rest + step : rest);
}

static char *
int_or_empty (gint64 value)
{
  return value >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, value) : NULL;
}

static char *
double_or_empty (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (value < 0)
    return NULL;

  /* A dot whatever the locale: a French spreadsheet reads it as text at
   * worst, never as a different number. */
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.1f", value));
}

static void
append_row (GString    *csv,
            char      **fields,
            gsize       n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *field = relais_figures_csv_field (fields[i]);

      if (i > 0)
        g_string_append_c (csv, ',');
      g_string_append (csv, field);
    }
  g_string_append (csv, "\r\n");
}

static const char * const csv_columns[] = {
  "session", "service", "sub_service", "ticket_given_utc", "ended_utc",
  "wait_seconds", "call_attempted", "media_flowed", "setup_ms", "fps_in",
  "packets_lost", "reconnected", "call_seconds", "outcome", "survey",
};

char *
relais_figures_to_csv (GPtrArray *sessions)
{
  GString *csv = g_string_new (NULL);

  g_return_val_if_fail (sessions != NULL, NULL);

  append_row (csv, (char **) csv_columns, G_N_ELEMENTS (csv_columns));

  for (guint i = 0; i < sessions->len; i++)
    {
      const RelaisSessionFacts *facts = g_ptr_array_index (sessions, i);
      char *fields[G_N_ELEMENTS (csv_columns)] = {
        g_strdup (facts->session_id),
        g_strdup (facts->service_id),
        g_strdup (facts->subservice_id),
        iso_time (facts->created_at),
        iso_time (facts->ended_at),
        int_or_empty (facts->wait_seconds),
        g_strdup (facts->call_attempted ? "1" : "0"),
        g_strdup (facts->media_flowed ? "1" : "0"),
        int_or_empty (facts->setup_ms),
        double_or_empty (facts->fps_in),
        int_or_empty (facts->packets_lost),
        g_strdup (facts->reconnected ? "1" : "0"),
        int_or_empty (facts->call_seconds),
        g_strdup (facts->outcome),
        facts->survey > 0 ? g_strdup_printf ("%d", facts->survey) : NULL,
      };

      append_row (csv, fields, G_N_ELEMENTS (fields));
      for (gsize f = 0; f < G_N_ELEMENTS (fields); f++)
        g_free (fields[f]);
    }

  return g_string_free (csv, FALSE);
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int_or_null (JsonBuilder *builder,
                 const char  *name,
                 gint64       value)
{
  json_builder_set_member_name (builder, name);
  if (value >= 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

char *
relais_session_facts_to_json (const RelaisSessionFacts *facts,
                              const char               *site)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *created = NULL;
  g_autofree char *ended = NULL;

  g_return_val_if_fail (facts != NULL, NULL);

  created = iso_time (upload_time (facts->created_at));
  ended = iso_time (upload_time (facts->ended_at));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  add_string_or_null (builder, "session", facts->session_id);
  add_string_or_null (builder, "site", site);
  add_string_or_null (builder, "service", facts->service_id);
  add_string_or_null (builder, "sub_service", facts->subservice_id);
  add_string_or_null (builder, "ticket_given_utc", created);
  add_string_or_null (builder, "ended_utc", ended);
  add_int_or_null (builder, "wait_seconds", facts->wait_seconds);
  json_builder_set_member_name (builder, "call_attempted");
  json_builder_add_boolean_value (builder, facts->call_attempted);
  json_builder_set_member_name (builder, "media_flowed");
  json_builder_add_boolean_value (builder, facts->media_flowed);
  add_int_or_null (builder, "setup_ms", facts->setup_ms);
  json_builder_set_member_name (builder, "fps_in");
  if (facts->fps_in >= 0)
    json_builder_add_double_value (builder, facts->fps_in);
  else
    json_builder_add_null_value (builder);
  add_int_or_null (builder, "packets_lost", facts->packets_lost);
  json_builder_set_member_name (builder, "reconnected");
  json_builder_add_boolean_value (builder, facts->reconnected);
  add_int_or_null (builder, "call_seconds", facts->call_seconds);
  add_string_or_null (builder, "outcome", facts->outcome);
  add_int_or_null (builder, "survey", facts->survey > 0 ? facts->survey : -1);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}
