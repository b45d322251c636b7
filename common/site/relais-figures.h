/* relais-figures.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The anonymous facts of one person's session at the booth: what the
 * figures, the CSV export and the upload are made of. No ticket id, no
 * code, no name, no note, no text: the row outlives the ticket (purged
 * after retention-days like the events) and is keyed by a random id.
 *
 * Unknown numbers are -1 (never 0, which is a measure). */
typedef struct
{
  char     *session_id;      /* 32 random hex digits */
  char     *service_id;
  char     *subservice_id;   /* nullable */
  gint64    created_at;      /* ticket given (Unix s, UTC) */
  gint64    ended_at;        /* ticket ended (Unix s, UTC) */
  gint64    wait_seconds;    /* ticket given → called; -1: never called */
  gboolean  call_attempted;  /* "Commencer l'appel" was pressed (and, through the
                              * lobby, the wait not given up before an advisor came) */
  gboolean  media_flowed;    /* a remote picture arrived (call connected) */
  gint64    setup_ms;        /* join → first remote frame; -1: none */
  double    fps_in;          /* mean received frame rate while connected; -1 */
  gint64    packets_lost;    /* over the call; -1: unknown */
  gboolean  reconnected;     /* the link dropped and came back during the call */
  gint64    call_seconds;    /* first remote frame → end of call; -1 */
  char     *outcome;         /* see RELAIS_OUTCOME_*; NULL: nobody said */
  int       survey;          /* 1 (very unhappy) … 5 (very happy); 0: no answer */
} RelaisSessionFacts;

/* Outcomes. The first four come from the advisor (over the call's data
 * channel, see relais_session_record_set_outcome()); the last three are
 * the kiosk's own when no call happened. A call nobody gave an outcome
 * to keeps NULL: the kiosk never guesses. */
#define RELAIS_OUTCOME_RESOLVED          "resolved"
#define RELAIS_OUTCOME_FOLLOW_UP         "follow-up"
#define RELAIS_OUTCOME_REDIRECTED        "redirected"
#define RELAIS_OUTCOME_TECHNICAL_FAILURE "technical-failure"
#define RELAIS_OUTCOME_NO_CALL           "no-call"
#define RELAIS_OUTCOME_ABSENT            "absent"
#define RELAIS_OUTCOME_CANCELLED         "cancelled"

#define RELAIS_SURVEY_MIN 1
#define RELAIS_SURVEY_MAX 5

RelaisSessionFacts *relais_session_facts_new   (void);
RelaisSessionFacts *relais_session_facts_copy  (const RelaisSessionFacts *facts);
void                relais_session_facts_free  (RelaisSessionFacts       *facts);
/* A fresh random session id (32 hex digits). */
char               *relais_session_facts_new_id (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaisSessionFacts, relais_session_facts_free)

/* TRUE for one of the four outcomes an advisor may give. */
gboolean            relais_outcome_is_advisor  (const char *outcome);
/* TRUE for any of the seven outcomes. */
gboolean            relais_outcome_is_valid    (const char *outcome);

/* The outcome to record when a session ends: "absent"/"cancelled" from
 * how the ticket ended (@ticket_outcome: the ticket state's name), else
 * "no-call" when no call was attempted, else the advisor's (if valid),
 * else NULL. */
const char         *relais_session_outcome     (const char *ticket_outcome,
                                                gboolean    call_attempted,
                                                const char *advisor_outcome);

/* Monday 00:00 UTC of the week holding @time (Unix s). */
gint64              relais_figures_week_start  (gint64 time);
/* The median of @n values (sorted copy; the mean of the two middle ones
 * for an even count); -1 when @n is 0. */
double              relais_figures_median      (const gint64 *values,
                                                gsize         n);

#define RELAIS_FIGURES_WEEKS 8

/* What the figures page shows, computed from session facts. Weeks are
 * the last RELAIS_FIGURES_WEEKS ISO weeks (UTC) ending with the one
 * holding "now", oldest first. */
typedef struct
{
  guint    n_sessions;                       /* in the window */
  gint64   week_starts[RELAIS_FIGURES_WEEKS];
  /* Services seen in the window, in first-seen order, and per service
   * and week the number of sessions: counts[s * WEEKS + w]. */
  GPtrArray *services;                       /* char * */
  guint    *counts;
  guint     week_totals[RELAIS_FIGURES_WEEKS];
  double    median_wait[RELAIS_FIGURES_WEEKS]; /* seconds; -1: no called ticket */
  guint     calls_attempted;
  guint     calls_connected;
  double    success_rate;                    /* 0..1; -1: no call attempted */
  double    median_setup_ms;                 /* -1: none */
  guint     survey[RELAIS_SURVEY_MAX];       /* [0]: very unhappy … [4]: very happy */
  guint     survey_answers;
} RelaisFigures;

/* @sessions: (element-type RelaisSessionFacts). */
RelaisFigures      *relais_figures_compute     (GPtrArray     *sessions,
                                                gint64         now);
void                relais_figures_free        (RelaisFigures *figures);
guint               relais_figures_get_count   (const RelaisFigures *figures,
                                                guint                service,
                                                guint                week);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaisFigures, relais_figures_free)

/* The CSV export: a header row, then one row per session, RFC 4180
 * (CRLF, fields with a comma, quote, CR or LF quoted, quotes doubled),
 * UTF-8, times as ISO 8601 UTC, unknown values empty. */
char               *relais_figures_to_csv      (GPtrArray     *sessions);
/* RFC 4180 quoting of one field, for the writer and its tests. */
char               *relais_figures_csv_field   (const char    *value);

/* The upload's times are floored to this many seconds (the hour): at a
 * small site a ticket's minute, let alone its second, could point at the
 * one person who came then. The hour still tells when people come; the
 * weeks and the durations (wait, call) are measured before rounding. */
#define RELAIS_FIGURES_UPLOAD_TIME_STEP 3600

/* The upload's JSON object for one session (a UTF-8 string): the CSV's
 * fields, with times floored to RELAIS_FIGURES_UPLOAD_TIME_STEP. */
char               *relais_session_facts_to_json (const RelaisSessionFacts *facts,
                                                  const char               *site);

G_END_DECLS
