/* relais-store-private.h
 *
 * What the files of RelaisStore share, and nothing else includes (with
 * them, the only code that includes sqlite3.h): relais-store.c and
 * relais-store-figures.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "relais-store.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* A persistent statement borrowed from the cache: g_autoptr() resets it
 * and clears its bindings when it goes out of scope, so no path can leave
 * a statement half-stepped (which would keep a read transaction open). */
typedef sqlite3_stmt StoreStmt;

static inline void
store_stmt_release (StoreStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreStmt, store_stmt_release)

typedef enum
{
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_NEXT_NUMBER,
  STMT_NEXT_POSITION,
  STMT_INSERT_TICKET,
  STMT_GET_TICKET,
  STMT_LIST_ACTIVE,
  STMT_RECENT_DURATIONS,
  STMT_TICKET_FOR_UPDATE,
  STMT_SET_STATE,
  STMT_SET_CALLED,
  STMT_END_TICKET,
  STMT_OPEN_SESSION,
  STMT_CLOSE_SESSION,
  STMT_GET_POSITION,
  STMT_SET_POSITION,
  STMT_ADD_PASS_OVER,
  STMT_LIST_PASS_OVERS,
  STMT_LIST_STALE,
  STMT_COUNT_LEFTOVERS,
  STMT_INSERT_EVENT,
  STMT_COUNT_EVENTS,
  STMT_PURGE_EVENTS,
  STMT_PURGE_TICKETS,
  STMT_GET_SETTING,
  STMT_SET_SETTING,
  STMT_DELETE_SETTING,
  STMT_INTEGRITY_CHECK,
  STMT_FOREIGN_KEY_CHECK,
  STMT_CHECK_TICKETS,
  STMT_INSERT_FACTS,
  STMT_SET_FACTS_SURVEY,
  STMT_SET_FACTS_OUTCOME,
  STMT_GET_FACTS,
  STMT_LIST_FACTS,
  STMT_PURGE_FACTS,
  STMT_INSERT_UPLOAD,
  STMT_NEXT_UPLOAD,
  STMT_POSTPONE_UPLOAD,
  STMT_DELETE_UPLOAD,
  STMT_COUNT_UPLOADS,
  STMT_EARLIEST_UPLOAD,
  N_STMTS
} StmtId;

struct _RelaisStore
{
  GObject       parent_instance;

  char         *path;
  int           target_version;
  int           schema_version;

  sqlite3      *db;
  sqlite3_stmt *stmts[N_STMTS];
};

/* relais-store.c */
gboolean
_relais_store_set_store_error (RelaisStore  *self,
                               GError      **error,
                               const char   *what);
StoreStmt *
_relais_store_get_stmt (RelaisStore  *self,
                        StmtId        id,
                        GError      **error);
gboolean
_relais_store_step_done (RelaisStore  *self,
                         StoreStmt    *stmt,
                         GError      **error);
gboolean
_relais_store_step_row (RelaisStore  *self,
                        StoreStmt    *stmt,
                        GError      **error);
gboolean
_relais_store_bind_text (StoreStmt  *stmt,
                         int         index,
                         const char *text);
gint64
_relais_store_query_int64 (RelaisStore  *self,
                           StmtId        id,
                           GError      **error);

G_END_DECLS
