/* relais-store-figures.c
 *
 * RelaisStore's session facts (the anonymous figures of each session)
 * and the outbox of their uploads.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-error.h"
#include "relais-store-private.h"

/* Session facts (the figures) */

static void
bind_optional_int64 (StoreStmt *stmt,
                     int        index,
                     gint64     value)
{
  if (value >= 0)
    sqlite3_bind_int64 (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

static gint64
column_optional_int64 (StoreStmt *stmt,
                       int        column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, column);
}

static RelaisSessionFacts *
facts_from_row (StoreStmt *stmt)
{
  RelaisSessionFacts *facts = relais_session_facts_new ();

  facts->session_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  facts->service_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  facts->subservice_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  facts->created_at = sqlite3_column_int64 (stmt, 3);
  facts->ended_at = sqlite3_column_int64 (stmt, 4);
  facts->wait_seconds = column_optional_int64 (stmt, 5);
  facts->call_attempted = sqlite3_column_int (stmt, 6) != 0;
  facts->media_flowed = sqlite3_column_int (stmt, 7) != 0;
  facts->setup_ms = column_optional_int64 (stmt, 8);
  facts->fps_in = sqlite3_column_type (stmt, 9) == SQLITE_NULL ? -1 : sqlite3_column_double (stmt, 9);
  facts->packets_lost = column_optional_int64 (stmt, 10);
  facts->reconnected = sqlite3_column_int (stmt, 11) != 0;
  facts->call_seconds = column_optional_int64 (stmt, 12);
  facts->outcome = g_strdup ((const char *) sqlite3_column_text (stmt, 13));
  facts->survey = sqlite3_column_type (stmt, 14) == SQLITE_NULL ? 0 : sqlite3_column_int (stmt, 14);

  return facts;
}

gboolean
relais_store_add_session_facts (RelaisStore               *self,
                                const RelaisSessionFacts  *facts,
                                GError                   **error)
{
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (facts != NULL && facts->session_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _relais_store_get_stmt (self, STMT_INSERT_FACTS, error)))
    return FALSE;

  _relais_store_bind_text (stmt, 1, facts->session_id);
  _relais_store_bind_text (stmt, 2, facts->service_id);
  _relais_store_bind_text (stmt, 3, facts->subservice_id);
  sqlite3_bind_int64 (stmt, 4, facts->created_at);
  sqlite3_bind_int64 (stmt, 5, facts->ended_at);
  bind_optional_int64 (stmt, 6, facts->wait_seconds);
  sqlite3_bind_int (stmt, 7, facts->call_attempted ? 1 : 0);
  sqlite3_bind_int (stmt, 8, facts->media_flowed ? 1 : 0);
  bind_optional_int64 (stmt, 9, facts->setup_ms);
  if (facts->fps_in >= 0)
    sqlite3_bind_double (stmt, 10, facts->fps_in);
  bind_optional_int64 (stmt, 11, facts->packets_lost);
  sqlite3_bind_int (stmt, 12, facts->reconnected ? 1 : 0);
  bind_optional_int64 (stmt, 13, facts->call_seconds);
  _relais_store_bind_text (stmt, 14, facts->outcome);
  if (facts->survey >= 1 && facts->survey <= 5)
    sqlite3_bind_int (stmt, 15, facts->survey);

  return _relais_store_step_done (self, stmt, error);
}

static gboolean
update_facts (RelaisStore  *self,
              StmtId        id,
              const char   *session_id,
              const char   *text,
              int           number,
              GError      **error)
{
  g_autoptr(StoreStmt) stmt = _relais_store_get_stmt (self, id, error);

  if (stmt == NULL)
    return FALSE;

  _relais_store_bind_text (stmt, 1, session_id);
  if (text != NULL)
    _relais_store_bind_text (stmt, 2, text);
  else
    sqlite3_bind_int (stmt, 2, number);
  if (!_relais_store_step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE,
                   _("Cette séance n'est pas enregistrée."));
      return FALSE;
    }

  return TRUE;
}

gboolean
relais_store_set_session_survey (RelaisStore  *self,
                                 const char   *session_id,
                                 int           survey,
                                 GError      **error)
{
  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (session_id != NULL, FALSE);
  g_return_val_if_fail (survey >= 1 && survey <= 5, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return update_facts (self, STMT_SET_FACTS_SURVEY, session_id, NULL, survey, error);
}

gboolean
relais_store_set_session_outcome (RelaisStore  *self,
                                  const char   *session_id,
                                  const char   *outcome,
                                  GError      **error)
{
  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (session_id != NULL, FALSE);
  g_return_val_if_fail (outcome != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return update_facts (self, STMT_SET_FACTS_OUTCOME, session_id, outcome, 0, error);
}

/* Returns: (transfer full) */
RelaisSessionFacts *
relais_store_get_session_facts (RelaisStore  *self,
                                const char   *session_id,
                                GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _relais_store_get_stmt (self, STMT_GET_FACTS, error)))
    return NULL;

  _relais_store_bind_text (stmt, 1, session_id);
  if (!_relais_store_step_row (self, stmt, error))
    return NULL;

  return facts_from_row (stmt);
}

/* Returns: (transfer full) (element-type RelaisSessionFacts) */
GPtrArray *
relais_store_list_session_facts (RelaisStore  *self,
                                 gint64        since,
                                 GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  int rc;

  g_return_val_if_fail (RELAIS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _relais_store_get_stmt (self, STMT_LIST_FACTS, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, since);
  sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_session_facts_free);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (sessions, facts_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      _relais_store_set_store_error (self, error, _("Lecture des chiffres impossible"));
      return NULL;
    }

  return g_steal_pointer (&sessions);
}

/* The upload outbox */

gboolean
relais_store_queue_upload (RelaisStore  *self,
                           const char   *idempotency_key,
                           const char   *body,
                           gint64        now,
                           GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (idempotency_key != NULL && body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _relais_store_get_stmt (self, STMT_INSERT_UPLOAD, error)))
    return FALSE;

  _relais_store_bind_text (stmt, 1, idempotency_key);
  _relais_store_bind_text (stmt, 2, body);
  sqlite3_bind_int64 (stmt, 3, now);

  return _relais_store_step_done (self, stmt, error);
}

gboolean
relais_store_next_upload (RelaisStore   *self,
                          gint64         now,
                          gint64        *upload_id,
                          char         **idempotency_key,
                          char         **body,
                          guint         *attempts,
                          GError       **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (upload_id != NULL && idempotency_key != NULL && body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *upload_id = 0;
  *idempotency_key = NULL;
  *body = NULL;

  if (!(stmt = _relais_store_get_stmt (self, STMT_NEXT_UPLOAD, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return _relais_store_set_store_error (self, error, _("Lecture des envois en attente impossible"));

  *upload_id = sqlite3_column_int64 (stmt, 0);
  *idempotency_key = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  *body = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  if (attempts != NULL)
    *attempts = (guint) sqlite3_column_int (stmt, 3);

  return TRUE;
}

gboolean
relais_store_postpone_upload (RelaisStore  *self,
                              gint64        upload_id,
                              gint64        next_attempt_at,
                              GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _relais_store_get_stmt (self, STMT_POSTPONE_UPLOAD, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, upload_id);
  sqlite3_bind_int64 (stmt, 2, next_attempt_at);

  return _relais_store_step_done (self, stmt, error);
}

gboolean
relais_store_forget_upload (RelaisStore  *self,
                            gint64        upload_id,
                            GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _relais_store_get_stmt (self, STMT_DELETE_UPLOAD, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, upload_id);

  return _relais_store_step_done (self, stmt, error);
}

gint64
relais_store_count_uploads (RelaisStore  *self,
                            GError      **error)
{
  g_return_val_if_fail (RELAIS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return _relais_store_query_int64 (self, STMT_COUNT_UPLOADS, error);
}

gint64
relais_store_next_upload_time (RelaisStore  *self,
                               GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 time;

  g_return_val_if_fail (RELAIS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  time = _relais_store_query_int64 (self, STMT_EARLIEST_UPLOAD, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -2;
    }

  return time;
}
