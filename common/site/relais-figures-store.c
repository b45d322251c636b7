/* relais-figures-store.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-figures"

#include "config.h"

#include <string.h>

#include "relais-figures-store.h"
#include "relais-turn.h"

RelaisFigures *
relais_figures_compute_from_store (RelaisStore  *store,
                                   gint64        now,
                                   GError      **error)
{
  gint64 since = relais_figures_week_start (now) - (RELAIS_FIGURES_WEEKS - 1) * 7 * 24 * 3600;
  g_autoptr(GPtrArray) sessions = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (store), NULL);

  sessions = relais_store_list_session_facts (store, since, error);
  if (sessions == NULL)
    return NULL;

  return relais_figures_compute (sessions, now);
}

gint64
relais_figures_seconds_per_person_from_store (RelaisStore  *store,
                                              gint64        since,
                                              GError      **error)
{
  g_autoptr(GArray) durations = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (store), 0);

  durations = relais_store_list_recent_durations (store, since, error);
  if (durations == NULL)
    return 0;

  return relais_turn_seconds_per_person ((const gint64 *)(gpointer)durations->data, durations->len);
}

char *
relais_figures_csv_from_store (RelaisStore  *store,
                               guint        *n_rows,
                               GError      **error)
{
  g_autoptr(GPtrArray) sessions = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (store), NULL);

  sessions = relais_store_list_session_facts (store, G_MININT64, error);
  if (sessions == NULL)
    return NULL;

  if (n_rows != NULL)
    *n_rows = sessions->len;
  return relais_figures_to_csv (sessions);
}

char *
relais_figures_csv_default_path (void)
{
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();
  g_autofree char *day = g_date_time_format (today, "%Y-%m-%d");
  g_autofree char *name = g_strdup_printf ("relais-chiffres-%s.csv", day);

  /* xdg-user-dirs may name a folder that was never made: then $HOME. */
  if (documents == NULL || !g_file_test (documents, G_FILE_TEST_IS_DIR))
    documents = g_get_home_dir ();

  return g_build_filename (documents, name, NULL);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, GPOINTER_TO_UINT (g_task_get_task_data (task)));
}

void
relais_figures_csv_write_async (RelaisStore         *store,
                                const char          *path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  char *csv;
  guint n_rows = 0;

  g_return_if_fail (RELAIS_IS_STORE (store));
  g_return_if_fail (path != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_figures_csv_write_async);

  /* The store belongs to this thread: the rows are read here. */
  csv = relais_figures_csv_from_store (store, &n_rows, &error);
  if (csv == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_debug ("Exporting %u sessions as CSV", n_rows);
  g_task_set_task_data (task, GUINT_TO_POINTER (n_rows), NULL);
  file = g_file_new_for_path (path);
  bytes = g_bytes_new_take (csv, strlen (csv));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, written_cb, g_steal_pointer (&task));
}

gboolean
relais_figures_csv_write_finish (RelaisStore   *store,
                                 GAsyncResult  *result,
                                 guint         *n_rows,
                                 GError       **error)
{
  gssize written;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);

  written = g_task_propagate_int (G_TASK (result), error);
  if (written < 0)
    return FALSE;

  if (n_rows != NULL)
    *n_rows = (guint) written;
  return TRUE;
}

gboolean
relais_figures_csv_write (RelaisStore  *store,
                          const char   *path,
                          guint        *n_rows,
                          GError      **error)
{
  g_autofree char *csv = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  csv = relais_figures_csv_from_store (store, n_rows, error);
  if (csv == NULL)
    return FALSE;

  return g_file_set_contents (path, csv, -1, error);
}
