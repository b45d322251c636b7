/* relais-store.c
 *
 * RelaisStore: the connection, its schema and migrations, its prepared
 * statements, and the tickets, events, settings and integrity check.
 * The session facts (the figures) and their upload queue are in
 * relais-store-figures.c; relais-store-private.h holds what both share.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-error.h"
#include "relais-store-private.h"

static void relais_store_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RelaisStore, relais_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      relais_store_initable_iface_init))

enum {
  PROP_0,
  PROP_PATH,
  PROP_TARGET_VERSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The schema history. migrations[i] takes the database from version i to
 * i + 1 and ends by setting that PRAGMA user_version; each runs in its own
 * transaction. Never edit a shipped entry: kiosks in the field are at every
 * version. Append a new one and bump RELAIS_STORE_SCHEMA_VERSION. */
static const char *migrations[] = {
  /* 1: the local queue and the agent's settings. (day, letter, number)
   * is unique so that two kiosks' worth of bugs can never hand out the same
   * ticket code twice on a day. */
  "CREATE TABLE tickets ("
  "  id            INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  day           TEXT    NOT NULL,"
  "  letter        TEXT    NOT NULL CHECK (length (letter) = 1 AND letter BETWEEN 'A' AND 'Z'),"
  "  number        INTEGER NOT NULL CHECK (number > 0),"
  "  code          TEXT    NOT NULL,"
  "  service_id    TEXT    NOT NULL CHECK (service_id <> ''),"
  "  subservice_id TEXT    NOT NULL CHECK (subservice_id <> ''),"
  "  person_name   TEXT,"
  "  note          TEXT,"
  "  state         INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 5),"
  "  position      INTEGER NOT NULL,"
  "  created_at    INTEGER NOT NULL,"
  "  UNIQUE (day, letter, number)"
  ");"
  "CREATE INDEX tickets_state_position ON tickets (state, position);"
  "CREATE INDEX tickets_position ON tickets (position);"
  "CREATE TABLE settings ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ");"
  "PRAGMA user_version = 1;",

  /* 2: anonymous events for the figures on the agent desk. No column may
   * ever hold a name or free text typed by a person. */
  "CREATE TABLE events ("
  "  id            INTEGER PRIMARY KEY,"
  "  kind          TEXT    NOT NULL,"
  "  service_id    TEXT,"
  "  subservice_id TEXT,"
  "  value         INTEGER NOT NULL DEFAULT 0,"
  "  outcome       TEXT,"
  "  created_at    INTEGER NOT NULL"
  ");"
  "CREATE INDEX events_kind ON events (kind);"
  "CREATE INDEX events_created_at ON events (created_at);"
  "PRAGMA user_version = 2;",

  /* 3: call times on tickets, and one row per booth session so that waits
   * and call lengths can be told apart. Tickets ended before this version
   * have no end time: their creation time is the best estimate, and it
   * keeps them purgeable. */
  "ALTER TABLE tickets ADD COLUMN called_at INTEGER;"
  "ALTER TABLE tickets ADD COLUMN ended_at INTEGER;"
  "UPDATE tickets SET ended_at = created_at WHERE state IN (3, 4, 5);"
  "CREATE TABLE sessions ("
  "  id         INTEGER PRIMARY KEY,"
  "  ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,"
  "  started_at INTEGER NOT NULL,"
  "  ended_at   INTEGER,"
  "  outcome    TEXT"
  ");"
  "CREATE INDEX sessions_ticket ON sessions (ticket_id);"
  "PRAGMA user_version = 3;",

  /* 4: the figures. One row of anonymous facts per person's session,
   * keyed by a random id and holding no ticket id, code, name, note or
   * text, so that it outlives the ticket (purged after retention-days
   * like the events); and the upload outbox, whose rows are those facts
   * as the JSON sent, kept until the server said 2xx. */
  "CREATE TABLE session_facts ("
  "  id             TEXT    PRIMARY KEY NOT NULL CHECK (length (id) = 32),"
  "  service_id     TEXT    NOT NULL CHECK (service_id <> ''),"
  "  subservice_id  TEXT,"
  "  created_at     INTEGER NOT NULL,"
  "  ended_at       INTEGER NOT NULL,"
  "  wait_seconds   INTEGER,"
  "  call_attempted INTEGER NOT NULL DEFAULT 0 CHECK (call_attempted IN (0, 1)),"
  "  media_flowed   INTEGER NOT NULL DEFAULT 0 CHECK (media_flowed IN (0, 1)),"
  "  setup_ms       INTEGER,"
  "  fps_in         REAL,"
  "  packets_lost   INTEGER,"
  "  reconnected    INTEGER NOT NULL DEFAULT 0 CHECK (reconnected IN (0, 1)),"
  "  call_seconds   INTEGER,"
  "  outcome        TEXT CHECK (outcome IN ('resolved', 'follow-up', 'redirected',"
  "                   'technical-failure', 'no-call', 'absent', 'cancelled')),"
  "  survey         INTEGER CHECK (survey BETWEEN 1 AND 5)"
  ");"
  "CREATE INDEX session_facts_created_at ON session_facts (created_at);"
  "CREATE TABLE outbox ("
  "  id              INTEGER PRIMARY KEY,"
  "  idempotency_key TEXT    NOT NULL UNIQUE,"
  "  body            TEXT    NOT NULL,"
  "  attempts        INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL,"
  "  created_at      INTEGER NOT NULL"
  ");"
  "CREATE INDEX outbox_next ON outbox (next_attempt_at);"
  "PRAGMA user_version = 4;",

  /* 5: how many times the turn rule passed a waiting ticket over, so
   * that its limit (the [queue] max-passes) holds across a restart. */
  ("ALTER TABLE tickets ADD COLUMN passed_over INTEGER NOT NULL DEFAULT 0 CHECK (passed_over >= 0);"
   "PRAGMA user_version = 5;"),
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == RELAIS_STORE_SCHEMA_VERSION);

#define TICKET_COLUMNS \
  "id, code, service_id, subservice_id, person_name, note, state, position, " \
  "created_at, called_at"

#define FACTS_COLUMNS \
  "id, service_id, subservice_id, created_at, ended_at, wait_seconds, " \
  "call_attempted, media_flowed, setup_ms, fps_in, packets_lost, reconnected, " \
  "call_seconds, outcome, survey"

/* Parameters are numbered (?1…) so that each can be bound once and used
 * several times. */
static const char *statements[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_NEXT_NUMBER] =
    "SELECT COALESCE (MAX (number), 0) + 1 FROM tickets WHERE day = ?1 AND letter = ?2",
  [STMT_NEXT_POSITION] =
    "SELECT COALESCE (MAX (position), 0) + 1 FROM tickets",
  [STMT_INSERT_TICKET] =
    "INSERT INTO tickets (day, letter, number, code, service_id, subservice_id,"
    "                     person_name, note, state, position, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10)",
  [STMT_GET_TICKET] =
    "SELECT " TICKET_COLUMNS " FROM tickets WHERE id = ?1",
  [STMT_LIST_ACTIVE] =
    "SELECT " TICKET_COLUMNS " FROM tickets WHERE state IN (0, 1, 2)"
    " ORDER BY position, id",
  /* The newest first, and a bounded number: the estimate needs a median,
   * not the whole history. */
  [STMT_RECENT_DURATIONS] =
    "SELECT ended_at - called_at FROM tickets"
    " WHERE state = 3 AND called_at IS NOT NULL AND ended_at >= ?1"
    " ORDER BY ended_at DESC LIMIT 1000",
  [STMT_TICKET_FOR_UPDATE] =
    "SELECT state, service_id, subservice_id, created_at, called_at"
    " FROM tickets WHERE id = ?1",
  [STMT_SET_STATE] =
    "UPDATE tickets SET state = ?2 WHERE id = ?1",
  [STMT_SET_CALLED] =
    "UPDATE tickets SET state = ?2, called_at = ?3 WHERE id = ?1",
  [STMT_END_TICKET] =
    "UPDATE tickets SET state = ?2, ended_at = ?3, person_name = NULL, note = NULL"
    " WHERE id = ?1",
  [STMT_OPEN_SESSION] =
    "INSERT INTO sessions (ticket_id, started_at) VALUES (?1, ?2)",
  [STMT_CLOSE_SESSION] =
    "UPDATE sessions SET ended_at = ?2, outcome = ?3"
    " WHERE ticket_id = ?1 AND ended_at IS NULL",
  [STMT_GET_POSITION] =
    "SELECT position FROM tickets WHERE id = ?1",
  [STMT_SET_POSITION] =
    "UPDATE tickets SET position = ?2 WHERE id = ?1",
  [STMT_ADD_PASS_OVER] =
    "UPDATE tickets SET passed_over = passed_over + 1 WHERE id = ?1 AND state = 0",
  [STMT_LIST_PASS_OVERS] =
    "SELECT id, passed_over FROM tickets WHERE state = 0 AND passed_over > 0",
  [STMT_LIST_STALE] =
    "SELECT id FROM tickets WHERE state IN (0, 1, 2) AND created_at < ?1"
    " ORDER BY id",
  [STMT_COUNT_LEFTOVERS] =
    "SELECT COUNT (*) FROM tickets WHERE state IN (3, 4, 5)"
    " AND (person_name IS NOT NULL OR note IS NOT NULL)",
  [STMT_INSERT_EVENT] =
    "INSERT INTO events (kind, service_id, subservice_id, value, outcome, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [STMT_COUNT_EVENTS] =
    "SELECT COUNT (*) FROM events WHERE ?1 IS NULL OR kind = ?1",
  [STMT_PURGE_EVENTS] =
    "DELETE FROM events WHERE created_at < ?1",
  [STMT_PURGE_TICKETS] =
    "DELETE FROM tickets WHERE state IN (3, 4, 5)"
    " AND COALESCE (ended_at, created_at) < ?1",
  [STMT_GET_SETTING] =
    "SELECT value FROM settings WHERE key = ?1",
  [STMT_SET_SETTING] =
    "INSERT INTO settings (key, value) VALUES (?1, ?2)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  [STMT_DELETE_SETTING] =
    "DELETE FROM settings WHERE key = ?1",
  [STMT_INTEGRITY_CHECK] = "PRAGMA integrity_check",
  [STMT_FOREIGN_KEY_CHECK] = "PRAGMA foreign_key_check",
  /* What the queue relies on beyond SQL constraints: codes built from
   * their number, nothing personal left on an ended ticket, and at most
   * one ticket holding the booth. */
  [STMT_CHECK_TICKETS] =
    "SELECT"
    " (SELECT COUNT (*) FROM tickets WHERE code IS NOT letter || number),"
    " (SELECT COUNT (*) FROM tickets WHERE state IN (3, 4, 5)"
    "    AND (person_name IS NOT NULL OR note IS NOT NULL OR ended_at IS NULL)),"
    " (SELECT COUNT (*) FROM tickets WHERE state IN (1, 2))",
  [STMT_INSERT_FACTS] =
    "INSERT INTO session_facts (id, service_id, subservice_id, created_at, ended_at,"
    "  wait_seconds, call_attempted, media_flowed, setup_ms, fps_in, packets_lost,"
    "  reconnected, call_seconds, outcome, survey)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
  [STMT_SET_FACTS_SURVEY] =
    "UPDATE session_facts SET survey = ?2 WHERE id = ?1",
  [STMT_SET_FACTS_OUTCOME] =
    "UPDATE session_facts SET outcome = ?2 WHERE id = ?1",
  [STMT_GET_FACTS] =
    "SELECT " FACTS_COLUMNS " FROM session_facts WHERE id = ?1",
  [STMT_LIST_FACTS] =
    "SELECT " FACTS_COLUMNS " FROM session_facts WHERE created_at >= ?1"
    " ORDER BY created_at, ended_at, id",
  [STMT_PURGE_FACTS] =
    "DELETE FROM session_facts WHERE ended_at < ?1",
  [STMT_INSERT_UPLOAD] =
    "INSERT INTO outbox (idempotency_key, body, next_attempt_at, created_at)"
    " VALUES (?1, ?2, ?3, ?3) ON CONFLICT (idempotency_key) DO NOTHING",
  [STMT_NEXT_UPLOAD] =
    "SELECT id, idempotency_key, body, attempts FROM outbox"
    " WHERE next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT 1",
  [STMT_POSTPONE_UPLOAD] =
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1",
  [STMT_DELETE_UPLOAD] =
    "DELETE FROM outbox WHERE id = ?1",
  [STMT_COUNT_UPLOADS] =
    "SELECT COUNT (*) FROM outbox",
  [STMT_EARLIEST_UPLOAD] =
    "SELECT COALESCE (MIN (next_attempt_at), -1) FROM outbox",
};

gboolean
_relais_store_set_store_error (RelaisStore  *self,
                               GError      **error,
                               const char   *what)
{
  g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE,
               "%s: %s", what, sqlite3_errmsg (self->db));
  return FALSE;
}

/* Statements are prepared on first use rather than at open, so that a
 * store held at an old schema version (migration tests) opens fine and
 * only the statements that need newer columns fail. */
StoreStmt *
_relais_store_get_stmt (RelaisStore  *self,
                        StmtId        id,
                        GError      **error)
{
  if (self->stmts[id] == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, statements[id], -1,
                                   SQLITE_PREPARE_PERSISTENT,
                                   &self->stmts[id], NULL);
      if (rc != SQLITE_OK)
        {
          _relais_store_set_store_error (self, error, _("Requête invalide pour la base locale"));
          return NULL;
        }
    }

  return self->stmts[id];
}

/* Steps a statement that returns no row (or whose rows are ignored). */
gboolean
_relais_store_step_done (RelaisStore  *self,
                         StoreStmt    *stmt,
                         GError      **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;

  if (rc != SQLITE_DONE)
    return _relais_store_set_store_error (self, error, _("Écriture dans la base locale impossible"));

  return TRUE;
}

/* Steps a statement expected to return exactly one row. */
gboolean
_relais_store_step_row (RelaisStore  *self,
                        StoreStmt    *stmt,
                        GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;

  if (rc == SQLITE_DONE)
    g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_STORE,
                         _("Donnée introuvable dans la base locale"));
  else
    _relais_store_set_store_error (self, error, _("Lecture de la base locale impossible"));

  return FALSE;
}

static gboolean
run_simple (RelaisStore  *self,
            StmtId        id,
            GError      **error)
{
  g_autoptr(StoreStmt) stmt = _relais_store_get_stmt (self, id, error);

  return stmt != NULL && _relais_store_step_done (self, stmt, error);
}

/* BEGIN IMMEDIATE takes the write lock at once: a read-then-write
 * transaction (next ticket number, then insert) cannot be overtaken by
 * another connection between its read and its write. */
static gboolean
transaction_begin (RelaisStore  *self,
                   GError      **error)
{
  return run_simple (self, STMT_BEGIN, error);
}

static void
transaction_rollback (RelaisStore *self)
{
  g_autoptr(GError) error = NULL;

  if (sqlite3_get_autocommit (self->db))
    return;

  if (!run_simple (self, STMT_ROLLBACK, &error))
    g_warning ("Could not roll back: %s", error->message);
}

static gboolean
transaction_commit (RelaisStore  *self,
                    GError      **error)
{
  if (!run_simple (self, STMT_COMMIT, error))
    {
      /* A failed COMMIT (busy, disk full) leaves the transaction open. */
      transaction_rollback (self);
      return FALSE;
    }

  return TRUE;
}

gboolean
_relais_store_bind_text (StoreStmt  *stmt,
                         int         index,
                         const char *text)
{
  if (text == NULL)
    return sqlite3_bind_null (stmt, index) == SQLITE_OK;

  return sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

static RelaisTicket *
ticket_from_row (StoreStmt *stmt)
{
  return relais_ticket_new (sqlite3_column_int64 (stmt, 0),
                            (const char *)sqlite3_column_text (stmt, 1),
                            (const char *)sqlite3_column_text (stmt, 2),
                            (const char *)sqlite3_column_text (stmt, 3),
                            (const char *)sqlite3_column_text (stmt, 4),
                            (const char *)sqlite3_column_text (stmt, 5),
                            sqlite3_column_int (stmt, 6),
                            sqlite3_column_int64 (stmt, 7),
                            sqlite3_column_int64 (stmt, 8),
                            sqlite3_column_int64 (stmt, 9));
}

gint64
_relais_store_query_int64 (RelaisStore  *self,
                           StmtId        id,
                           GError      **error)
{
  g_autoptr(StoreStmt) stmt = _relais_store_get_stmt (self, id, error);

  if (stmt == NULL || !_relais_store_step_row (self, stmt, error))
    return -1;

  return sqlite3_column_int64 (stmt, 0);
}

static gboolean
exec_script (RelaisStore  *self,
             const char   *sql,
             GError      **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return _relais_store_set_store_error (self, error, _("Mise à jour de la base locale impossible"));

  return TRUE;
}

static int
read_user_version (RelaisStore  *self,
                   GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    {
      _relais_store_set_store_error (self, error, _("Lecture de la version de la base impossible"));
      return -1;
    }

  return sqlite3_column_int (stmt, 0);
}

static gboolean
migrate (RelaisStore  *self,
         GError      **error)
{
  int version = read_user_version (self, error);

  if (version < 0)
    return FALSE;

  if (version > RELAIS_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE,
                   _("La base locale (version %d) vient d'une version plus récente de Relais (qui connaît la version %d)."),
                   version, RELAIS_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  while (version < self->target_version)
    {
      int reached;

      g_debug ("Migrating %s from schema version %d", self->path, version);

      if (!transaction_begin (self, error))
        return FALSE;

      if (!exec_script (self, migrations[version], error))
        {
          transaction_rollback (self);
          return FALSE;
        }

      /* The version comes from the script itself (no SQL is ever built
       * with printf); check it says what its index promises. */
      reached = read_user_version (self, error);
      if (reached != version + 1)
        {
          transaction_rollback (self);
          if (reached >= 0)
            g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE,
                         "Migration %d set user_version %d", version + 1, reached);
          return FALSE;
        }

      if (!transaction_commit (self, error))
        return FALSE;

      version = reached;
    }

  self->schema_version = version;

  return TRUE;
}

static gboolean
relais_store_initable_init (GInitable     *initable,
                            GCancellable  *cancellable,
                            GError       **error)
{
  RelaisStore *self = RELAIS_STORE (initable);
  g_autoptr(sqlite3) db = NULL;
  int rc;

  g_return_val_if_fail (self->path != NULL, FALSE);
  g_return_val_if_fail (self->db == NULL, FALSE);

  rc = sqlite3_open_v2 (self->path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE,
                   _("Impossible d'ouvrir la base locale « %s » : %s"),
                   self->path,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      return FALSE;
    }

  self->db = g_steal_pointer (&db);

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, 5000);

  /* synchronous=FULL: in WAL mode NORMAL may lose the last commits on a
   * power cut, and a ticket the screen showed must never vanish.
   * secure_delete: erased names and notes are overwritten in the file, not
   * left in free pages. It does not reach the WAL, which keeps every old
   * page until a checkpoint: see checkpoint_wal().
   * journal_size_limit: a WAL left large after a busy day (or a
   * checkpoint that could not truncate) is cut back to 1 MiB at the next
   * checkpoint rather than keeping stale frames. */
  if (!exec_script (self,
                    "PRAGMA journal_mode = WAL;"
                    "PRAGMA synchronous = FULL;"
                    "PRAGMA foreign_keys = ON;"
                    "PRAGMA secure_delete = ON;"
                    "PRAGMA journal_size_limit = 1048576;",
                    error))
    goto fail;

  if (!migrate (self, error))
    goto fail;

  return TRUE;

fail:
  g_clear_pointer (&self->db, sqlite3_close);
  return FALSE;
}

static void
relais_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = relais_store_initable_init;
}

static void
relais_store_finalize (GObject *object)
{
  RelaisStore *self = (RelaisStore *)object;

  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);

  if (self->db != NULL)
    {
      /* Roll back anything left open rather than committing half an
       * operation. */
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_warning ("Could not close %s: %s", self->path, sqlite3_errmsg (self->db));
      self->db = NULL;
    }

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (relais_store_parent_class)->finalize (object);
}

static void
relais_store_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RelaisStore *self = RELAIS_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_TARGET_VERSION:
      g_value_set_int (value, self->target_version);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_store_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  RelaisStore *self = RELAIS_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_TARGET_VERSION:
      self->target_version = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_store_class_init (RelaisStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = relais_store_finalize;
  object_class->get_property = relais_store_get_property;
  object_class->set_property = relais_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TARGET_VERSION] =
    g_param_spec_int ("target-version", NULL, NULL,
                      0, RELAIS_STORE_SCHEMA_VERSION, RELAIS_STORE_SCHEMA_VERSION,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                      G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
relais_store_init (RelaisStore *self)
{
  self->target_version = RELAIS_STORE_SCHEMA_VERSION;
}

RelaisStore *
relais_store_new (const char  *path,
                  GError     **error)
{
  return relais_store_new_at_version (path, RELAIS_STORE_SCHEMA_VERSION, error);
}

RelaisStore *
relais_store_new_at_version (const char  *path,
                             int          version,
                             GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (version >= 0 && version <= RELAIS_STORE_SCHEMA_VERSION, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (RELAIS_TYPE_STORE, NULL, error,
                         "path", path,
                         "target-version", version,
                         NULL);
}

int
relais_store_get_schema_version (RelaisStore *self)
{
  g_return_val_if_fail (RELAIS_IS_STORE (self), -1);

  return self->schema_version;
}

const char *
relais_store_get_path (RelaisStore *self)
{
  g_return_val_if_fail (RELAIS_IS_STORE (self), NULL);

  return self->path;
}

/* Returns the new ticket as written, or NULL. Built from the values
 * rather than read back, so that nothing can fail after the commit. */
static RelaisTicket *
add_ticket_in_transaction (RelaisStore  *self,
                           const char   *day,
                           const char    letter_str[2],
                           const char   *service_id,
                           const char   *subservice_id,
                           const char   *person_name,
                           const char   *note,
                           gint64        now,
                           GError      **error)
{
  g_autoptr(StoreStmt) number_stmt = NULL;
  g_autoptr(StoreStmt) insert_stmt = NULL;
  g_autofree char *code = NULL;
  gint64 number;
  gint64 position;

  if (!(number_stmt = _relais_store_get_stmt (self, STMT_NEXT_NUMBER, error)))
    return NULL;
  _relais_store_bind_text (number_stmt, 1, day);
  _relais_store_bind_text (number_stmt, 2, letter_str);
  if (!_relais_store_step_row (self, number_stmt, error))
    return NULL;
  number = sqlite3_column_int64 (number_stmt, 0);

  if ((position = _relais_store_query_int64 (self, STMT_NEXT_POSITION, error)) < 0)
    return NULL;

  code = g_strdup_printf ("%s%" G_GINT64_FORMAT, letter_str, number);

  if (!(insert_stmt = _relais_store_get_stmt (self, STMT_INSERT_TICKET, error)))
    return NULL;
  _relais_store_bind_text (insert_stmt, 1, day);
  _relais_store_bind_text (insert_stmt, 2, letter_str);
  sqlite3_bind_int64 (insert_stmt, 3, number);
  _relais_store_bind_text (insert_stmt, 4, code);
  _relais_store_bind_text (insert_stmt, 5, service_id);
  _relais_store_bind_text (insert_stmt, 6, subservice_id);
  _relais_store_bind_text (insert_stmt, 7, person_name);
  _relais_store_bind_text (insert_stmt, 8, note);
  sqlite3_bind_int64 (insert_stmt, 9, position);
  sqlite3_bind_int64 (insert_stmt, 10, now);
  if (!_relais_store_step_done (self, insert_stmt, error))
    return NULL;

  return relais_ticket_new (sqlite3_last_insert_rowid (self->db), code,
                            service_id, subservice_id, person_name, note,
                            RELAIS_TICKET_WAITING, position, now, 0);
}

/* Returns: (transfer full) */
RelaisTicket *
relais_store_add_ticket (RelaisStore  *self,
                         const char   *day,
                         char          letter,
                         const char   *service_id,
                         const char   *subservice_id,
                         const char   *person_name,
                         const char   *note,
                         gint64        now,
                         GError      **error)
{
  const char letter_str[2] = { letter, '\0' };
  g_autoptr(RelaisTicket) ticket = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self), NULL);
  g_return_val_if_fail (day != NULL, NULL);
  g_return_val_if_fail (service_id != NULL, NULL);
  g_return_val_if_fail (subservice_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!transaction_begin (self, error))
    return NULL;

  ticket = add_ticket_in_transaction (self, day, letter_str, service_id, subservice_id,
                                      person_name, note, now, error);
  if (ticket == NULL)
    {
      transaction_rollback (self);
      return NULL;
    }

  if (!transaction_commit (self, error))
    return NULL;

  g_debug ("Added ticket %" G_GINT64_FORMAT, relais_ticket_get_id (ticket));

  return g_steal_pointer (&ticket);
}

static gboolean
add_event_unlocked (RelaisStore  *self,
                    const char   *kind,
                    const char   *service_id,
                    const char   *subservice_id,
                    gint64        value,
                    const char   *outcome,
                    gint64        now,
                    GError      **error)
{
  g_autoptr(StoreStmt) stmt = _relais_store_get_stmt (self, STMT_INSERT_EVENT, error);

  if (stmt == NULL)
    return FALSE;

  _relais_store_bind_text (stmt, 1, kind);
  _relais_store_bind_text (stmt, 2, service_id);
  _relais_store_bind_text (stmt, 3, subservice_id);
  sqlite3_bind_int64 (stmt, 4, value);
  _relais_store_bind_text (stmt, 5, outcome);
  sqlite3_bind_int64 (stmt, 6, now);

  return _relais_store_step_done (self, stmt, error);
}

static gboolean
set_state_in_transaction (RelaisStore        *self,
                          gint64              ticket_id,
                          RelaisTicketState   state,
                          gint64              now,
                          GError            **error)
{
  g_autoptr(StoreStmt) read_stmt = NULL;
  g_autoptr(StoreStmt) write_stmt = NULL;
  g_autofree char *service_id = NULL;
  g_autofree char *subservice_id = NULL;
  RelaisTicketState old_state;
  gint64 created_at;
  gint64 called_at;
  gboolean was_called;

  if (!(read_stmt = _relais_store_get_stmt (self, STMT_TICKET_FOR_UPDATE, error)))
    return FALSE;
  sqlite3_bind_int64 (read_stmt, 1, ticket_id);
  if (!_relais_store_step_row (self, read_stmt, error))
    return FALSE;
  old_state = sqlite3_column_int (read_stmt, 0);
  service_id = g_strdup ((const char *)sqlite3_column_text (read_stmt, 1));
  subservice_id = g_strdup ((const char *)sqlite3_column_text (read_stmt, 2));
  created_at = sqlite3_column_int64 (read_stmt, 3);
  was_called = sqlite3_column_type (read_stmt, 4) != SQLITE_NULL;
  called_at = sqlite3_column_int64 (read_stmt, 4);
  g_clear_pointer (&read_stmt, store_stmt_release);

  if (old_state == state)
    return TRUE;

  /* An ended ticket has lost its personal fields: bringing it back would
   * make a ticket nobody can recognise. */
  if (relais_ticket_state_is_final (old_state))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE,
                   _("Le ticket est déjà clos (%s)."),
                   relais_ticket_state_to_string (old_state));
      return FALSE;
    }

  if (relais_ticket_state_is_final (state))
    {
      const char *outcome = relais_ticket_state_to_string (state);
      gint64 wait = (was_called ? called_at : now) - created_at;

      if (!(write_stmt = _relais_store_get_stmt (self, STMT_END_TICKET, error)))
        return FALSE;
      sqlite3_bind_int64 (write_stmt, 1, ticket_id);
      sqlite3_bind_int (write_stmt, 2, state);
      sqlite3_bind_int64 (write_stmt, 3, now);
      if (!_relais_store_step_done (self, write_stmt, error))
        return FALSE;
      g_clear_pointer (&write_stmt, store_stmt_release);

      if (!(write_stmt = _relais_store_get_stmt (self, STMT_CLOSE_SESSION, error)))
        return FALSE;
      sqlite3_bind_int64 (write_stmt, 1, ticket_id);
      sqlite3_bind_int64 (write_stmt, 2, now);
      _relais_store_bind_text (write_stmt, 3, outcome);
      if (!_relais_store_step_done (self, write_stmt, error))
        return FALSE;

      return add_event_unlocked (self, "ticket-ended", service_id, subservice_id,
                                 MAX (wait, 0), outcome, now, error);
    }

  if (state == RELAIS_TICKET_CALLED)
    {
      if (!(write_stmt = _relais_store_get_stmt (self, STMT_SET_CALLED, error)))
        return FALSE;
      sqlite3_bind_int64 (write_stmt, 1, ticket_id);
      sqlite3_bind_int (write_stmt, 2, state);
      sqlite3_bind_int64 (write_stmt, 3, now);
      return _relais_store_step_done (self, write_stmt, error);
    }

  if (!(write_stmt = _relais_store_get_stmt (self, STMT_SET_STATE, error)))
    return FALSE;
  sqlite3_bind_int64 (write_stmt, 1, ticket_id);
  sqlite3_bind_int (write_stmt, 2, state);
  if (!_relais_store_step_done (self, write_stmt, error))
    return FALSE;
  g_clear_pointer (&write_stmt, store_stmt_release);

  if (state == RELAIS_TICKET_IN_CALL)
    {
      if (!(write_stmt = _relais_store_get_stmt (self, STMT_OPEN_SESSION, error)))
        return FALSE;
      sqlite3_bind_int64 (write_stmt, 1, ticket_id);
      sqlite3_bind_int64 (write_stmt, 2, now);
      return _relais_store_step_done (self, write_stmt, error);
    }

  return TRUE;
}

/* Called after a commit that erased a person's name and note: until a
 * checkpoint copies the WAL back into the database (where secure_delete
 * cleans the freed bytes), the WAL's old frames still hold them, for
 * about a thousand transactions. TRUNCATE copies every frame and cuts the
 * WAL to zero bytes.
 *
 * Another connection reading an older snapshot makes it SQLITE_BUSY: the
 * ticket has ended all the same (its commit is done), and the next end
 * checkpoints again, taking these frames along. No busy wait: the UI
 * thread must not stall on a reader. Logs no ticket, name or note. */
static void
checkpoint_wal (RelaisStore *self)
{
  int wal_frames = -1;
  int checkpointed = -1;
  int rc;

  sqlite3_busy_timeout (self->db, 0);
  rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
                                  &wal_frames, &checkpointed);
  sqlite3_busy_timeout (self->db, 5000);

  if (rc == SQLITE_OK)
    return;

  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
    g_message ("WAL checkpoint deferred to the next ended ticket: the database is busy"
               " (%d of %d frames copied)", checkpointed, wal_frames);
  else
    g_message ("WAL checkpoint failed, retried at the next ended ticket: %s",
               sqlite3_errstr (rc));
}

gboolean
relais_store_set_ticket_state (RelaisStore        *self,
                               gint64              ticket_id,
                               RelaisTicketState   state,
                               gint64              now,
                               GError            **error)
{
  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (state >= RELAIS_TICKET_WAITING && state <= RELAIS_TICKET_CANCELLED, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!transaction_begin (self, error))
    return FALSE;

  if (!set_state_in_transaction (self, ticket_id, state, now, error))
    {
      transaction_rollback (self);
      return FALSE;
    }

  if (!transaction_commit (self, error))
    return FALSE;

  if (relais_ticket_state_is_final (state))
    checkpoint_wal (self);

  g_debug ("Ticket %" G_GINT64_FORMAT " is now %s",
           ticket_id, relais_ticket_state_to_string (state));

  return TRUE;
}

/* Returns: (transfer full): the ids of the active tickets created before
 * @before, or NULL. */
static GArray *
list_stale_tickets (RelaisStore  *self,
                    gint64        before,
                    GError      **error)
{
  g_autoptr(StoreStmt) stmt = _relais_store_get_stmt (self, STMT_LIST_STALE, error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, before);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }

  if (rc != SQLITE_DONE)
    {
      _relais_store_set_store_error (self, error, _("Lecture de la base locale impossible"));
      return NULL;
    }

  return g_steal_pointer (&ids);
}

gint64
relais_store_expire_tickets (RelaisStore  *self,
                             gint64        before,
                             gint64        now,
                             GError      **error)
{
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!transaction_begin (self, error))
    return -1;

  if (!(ids = list_stale_tickets (self, before, error)))
    {
      transaction_rollback (self);
      return -1;
    }

  for (guint i = 0; i < ids->len; i++)
    if (!set_state_in_transaction (self, g_array_index (ids, gint64, i),
                                   RELAIS_TICKET_CANCELLED, now, error))
      {
        transaction_rollback (self);
        return -1;
      }

  if (!transaction_commit (self, error))
    return -1;

  if (ids->len > 0)
    {
      checkpoint_wal (self);
      g_debug ("Expired %u tickets of a previous day", ids->len);
    }

  return ids->len;
}

static gboolean
read_position (RelaisStore  *self,
               gint64        ticket_id,
               gint64       *position,
               GError      **error)
{
  g_autoptr(StoreStmt) stmt = _relais_store_get_stmt (self, STMT_GET_POSITION, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, ticket_id);
  if (!_relais_store_step_row (self, stmt, error))
    return FALSE;

  *position = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
write_position (RelaisStore  *self,
                gint64        ticket_id,
                gint64        position,
                GError      **error)
{
  g_autoptr(StoreStmt) stmt = _relais_store_get_stmt (self, STMT_SET_POSITION, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, ticket_id);
  sqlite3_bind_int64 (stmt, 2, position);
  return _relais_store_step_done (self, stmt, error);
}

gboolean
relais_store_swap_positions (RelaisStore  *self,
                             gint64        ticket_a,
                             gint64        ticket_b,
                             GError      **error)
{
  gint64 position_a;
  gint64 position_b;

  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!transaction_begin (self, error))
    return FALSE;

  if (!read_position (self, ticket_a, &position_a, error) ||
      !read_position (self, ticket_b, &position_b, error) ||
      !write_position (self, ticket_a, position_b, error) ||
      !write_position (self, ticket_b, position_a, error))
    {
      transaction_rollback (self);
      return FALSE;
    }

  return transaction_commit (self, error);
}

/* Returns: (transfer full) (element-type RelaisTicket) */
GPtrArray *
relais_store_list_active_tickets (RelaisStore  *self,
                                  GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  g_autoptr(GPtrArray) tickets = NULL;
  int rc;

  g_return_val_if_fail (RELAIS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _relais_store_get_stmt (self, STMT_LIST_ACTIVE, error)))
    return NULL;

  tickets = g_ptr_array_new_with_free_func (g_object_unref);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (tickets, ticket_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      _relais_store_set_store_error (self, error, _("Lecture de la file d'attente impossible"));
      return NULL;
    }

  return g_steal_pointer (&tickets);
}

gboolean
relais_store_add_pass_overs (RelaisStore   *self,
                             const gint64  *ticket_ids,
                             guint          n_tickets,
                             GError       **error)
{
  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (ticket_ids != NULL || n_tickets == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_tickets == 0)
    return TRUE;

  if (!transaction_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n_tickets; i++)
    {
      g_autoptr(StoreStmt) stmt = _relais_store_get_stmt (self, STMT_ADD_PASS_OVER, error);

      if (stmt == NULL)
        {
          transaction_rollback (self);
          return FALSE;
        }
      sqlite3_bind_int64 (stmt, 1, ticket_ids[i]);
      if (!_relais_store_step_done (self, stmt, error))
        {
          transaction_rollback (self);
          return FALSE;
        }
    }

  return transaction_commit (self, error);
}

/* Returns: (transfer full) (element-type gint64 guint) */
GHashTable *
relais_store_list_pass_overs (RelaisStore  *self,
                              GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  g_autoptr(GHashTable) pass_overs = NULL;
  int rc;

  g_return_val_if_fail (RELAIS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _relais_store_get_stmt (self, STMT_LIST_PASS_OVERS, error)))
    return NULL;

  pass_overs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *id = g_new (gint64, 1);

      *id = sqlite3_column_int64 (stmt, 0);
      g_hash_table_replace (pass_overs, id,
                            GUINT_TO_POINTER ((guint) MIN (sqlite3_column_int64 (stmt, 1), G_MAXUINT)));
    }

  if (rc != SQLITE_DONE)
    {
      _relais_store_set_store_error (self, error, _("Lecture de la file d'attente impossible"));
      return NULL;
    }

  return g_steal_pointer (&pass_overs);
}

/* Returns: (transfer full) (element-type gint64) */
GArray *
relais_store_list_recent_durations (RelaisStore  *self,
                                    gint64        since,
                                    GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  g_autoptr(GArray) durations = NULL;
  int rc;

  g_return_val_if_fail (RELAIS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _relais_store_get_stmt (self, STMT_RECENT_DURATIONS, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, since);
  durations = g_array_new (FALSE, FALSE, sizeof (gint64));

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seconds = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (durations, seconds);
    }

  if (rc != SQLITE_DONE)
    {
      _relais_store_set_store_error (self, error, _("Lecture des durées de rendez-vous impossible"));
      return NULL;
    }

  return g_steal_pointer (&durations);
}

/* Returns: (transfer full) */
RelaisTicket *
relais_store_get_ticket (RelaisStore  *self,
                         gint64        ticket_id,
                         GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _relais_store_get_stmt (self, STMT_GET_TICKET, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, ticket_id);
  if (!_relais_store_step_row (self, stmt, error))
    return NULL;

  return ticket_from_row (stmt);
}

gint64
relais_store_count_personal_leftovers (RelaisStore  *self,
                                       GError      **error)
{
  g_return_val_if_fail (RELAIS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return _relais_store_query_int64 (self, STMT_COUNT_LEFTOVERS, error);
}

gboolean
relais_store_add_event (RelaisStore  *self,
                        const char   *kind,
                        const char   *service_id,
                        const char   *subservice_id,
                        gint64        value,
                        const char   *outcome,
                        gint64        now,
                        GError      **error)
{
  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A single INSERT is its own transaction. */
  return add_event_unlocked (self, kind, service_id, subservice_id,
                             value, outcome, now, error);
}

gint64
relais_store_count_events (RelaisStore  *self,
                           const char   *kind,
                           GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!(stmt = _relais_store_get_stmt (self, STMT_COUNT_EVENTS, error)))
    return -1;

  _relais_store_bind_text (stmt, 1, kind);
  if (!_relais_store_step_row (self, stmt, error))
    return -1;

  return sqlite3_column_int64 (stmt, 0);
}

static gint64
purge_statement (RelaisStore  *self,
                 StmtId        id,
                 gint64        cutoff,
                 GError      **error)
{
  g_autoptr(StoreStmt) stmt = _relais_store_get_stmt (self, id, error);

  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, cutoff);
  if (!_relais_store_step_done (self, stmt, error))
    return -1;

  return sqlite3_changes64 (self->db);
}

gint64
relais_store_purge (RelaisStore  *self,
                    guint         days,
                    gint64        now,
                    GError      **error)
{
  gint64 cutoff = now - (gint64)days * 24 * 60 * 60;
  gint64 events;
  gint64 tickets;
  gint64 facts = 0;

  g_return_val_if_fail (RELAIS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!transaction_begin (self, error))
    return -1;

  /* Sessions go with their tickets (ON DELETE CASCADE). */
  if ((events = purge_statement (self, STMT_PURGE_EVENTS, cutoff, error)) < 0 ||
      (tickets = purge_statement (self, STMT_PURGE_TICKETS, cutoff, error)) < 0 ||
      (facts = purge_statement (self, STMT_PURGE_FACTS, cutoff, error)) < 0)
    {
      transaction_rollback (self);
      return -1;
    }

  if (!transaction_commit (self, error))
    return -1;

  g_debug ("Purged %" G_GINT64_FORMAT " events, %" G_GINT64_FORMAT " tickets and %"
           G_GINT64_FORMAT " session facts", events, tickets, facts);

  return events + tickets + facts;
}

/* Returns: (transfer full) (nullable): the value, or NULL when unset or
 * unreadable (logged: settings have defaults, so callers go on). */
char *
relais_store_get_setting (RelaisStore *self,
                          const char  *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (RELAIS_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!(stmt = _relais_store_get_stmt (self, STMT_GET_SETTING, &error)))
    {
      g_warning ("Could not read setting %s: %s", key, error->message);
      return NULL;
    }

  _relais_store_bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup ((const char *)sqlite3_column_text (stmt, 0));

  if (rc != SQLITE_DONE)
    g_warning ("Could not read setting %s: %s", key, sqlite3_errmsg (self->db));

  return NULL;
}

/* A NULL @value removes the setting. */
gboolean
relais_store_set_setting (RelaisStore  *self,
                          const char   *key,
                          const char   *value,
                          GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _relais_store_get_stmt (self, value != NULL ? STMT_SET_SETTING : STMT_DELETE_SETTING, error)))
    return FALSE;

  _relais_store_bind_text (stmt, 1, key);
  if (value != NULL)
    _relais_store_bind_text (stmt, 2, value);

  return _relais_store_step_done (self, stmt, error);
}

gboolean
relais_store_check_integrity (RelaisStore  *self,
                              GError      **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _relais_store_get_stmt (self, STMT_INTEGRITY_CHECK, error)) ||
      !_relais_store_step_row (self, stmt, error))
    return FALSE;

  if (g_strcmp0 ((const char *)sqlite3_column_text (stmt, 0), "ok") != 0)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE,
                   _("La base locale est endommagée : %s"),
                   (const char *)sqlite3_column_text (stmt, 0));
      return FALSE;
    }
  g_clear_pointer (&stmt, store_stmt_release);

  if (!(stmt = _relais_store_get_stmt (self, STMT_FOREIGN_KEY_CHECK, error)))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE,
                   _("La base locale est endommagée : référence cassée dans %s"),
                   (const char *)sqlite3_column_text (stmt, 0));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return _relais_store_set_store_error (self, error, _("Vérification de la base locale impossible"));
  g_clear_pointer (&stmt, store_stmt_release);

  if (self->schema_version < RELAIS_STORE_SCHEMA_VERSION)
    return TRUE;

  if (!(stmt = _relais_store_get_stmt (self, STMT_CHECK_TICKETS, error)) ||
      !_relais_store_step_row (self, stmt, error))
    return FALSE;

  if (sqlite3_column_int64 (stmt, 0) != 0 ||
      sqlite3_column_int64 (stmt, 1) != 0 ||
      sqlite3_column_int64 (stmt, 2) > 1)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_STORE,
                   "Inconsistent tickets: %" G_GINT64_FORMAT " wrong codes, "
                   "%" G_GINT64_FORMAT " ended with personal data, "
                   "%" G_GINT64_FORMAT " holding the booth",
                   (gint64) sqlite3_column_int64 (stmt, 0),
                   (gint64) sqlite3_column_int64 (stmt, 1),
                   (gint64) sqlite3_column_int64 (stmt, 2));
      return FALSE;
    }

  return TRUE;
}

gboolean
relais_store_exec_for_tests (RelaisStore  *self,
                             const char   *sql,
                             GError      **error)
{
  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return exec_script (self, sql, error);
}
