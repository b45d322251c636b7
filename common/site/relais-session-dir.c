/* relais-session-dir.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-session-dir"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "relais-error.h"
#include "relais-session-dir.h"

char *
relais_session_dir_get_default (void)
{
  return g_build_filename (g_get_user_runtime_dir (), "relais", "session", NULL);
}

gboolean
relais_session_dir_ensure (const char  *path,
                           GError     **error)
{
  struct stat st;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Le dossier de travail de la séance ne peut pas être créé (%s)."),
                   g_strerror (saved));
      return FALSE;
    }

  if (lstat (path, &st) != 0 || !S_ISDIR (st.st_mode) || st.st_uid != getuid ())
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Le dossier de travail de la séance n’est pas un dossier de la borne."));
      return FALSE;
    }

  /* A directory made earlier with a looser umask is tightened. */
  if ((st.st_mode & 0077) != 0 && chmod (path, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Le dossier de travail de la séance ne peut pas être protégé (%s)."),
                   g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

/* Empties the directory @dir_fd (owned by the caller), depth first. Works
 * on descriptors (openat/unlinkat with O_NOFOLLOW) so that a symbolic link
 * planted in the directory is removed, never followed. */
static gboolean
wipe_fd (int      dir_fd,
         guint    depth,
         GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gboolean ok = TRUE;
  DIR *dir;
  int dup_fd;

  if (depth > 32)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Le dossier de travail de la séance est trop profond pour être vidé."));
      return FALSE;
    }

  /* fdopendir owns the descriptor it gets: give it a copy. */
  dup_fd = dup (dir_fd);
  if (dup_fd < 0 || (dir = fdopendir (dup_fd)) == NULL)
    {
      int saved = errno;

      if (dup_fd >= 0)
        close (dup_fd);
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Le dossier de travail de la séance ne peut pas être lu (%s)."),
                   g_strerror (saved));
      return FALSE;
    }

  for (struct dirent *entry = readdir (dir); entry != NULL; entry = readdir (dir))
    {
      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      g_ptr_array_add (names, g_strdup (entry->d_name));
    }
  closedir (dir);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      struct stat st;

      if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;   /* gone meanwhile */

      if (S_ISDIR (st.st_mode))
        {
          int child = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

          if (child < 0)
            {
              int saved = errno;

              if (ok)
                g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                             _("Un dossier de la séance ne peut pas être ouvert pour être vidé (%s)."),
                             g_strerror (saved));
              ok = FALSE;
              continue;
            }
          if (!wipe_fd (child, depth + 1, ok ? error : NULL))
            ok = FALSE;
          close (child);
          if (unlinkat (dir_fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
            {
              int saved = errno;

              if (ok)
                g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                             _("Un dossier de la séance ne peut pas être supprimé (%s)."),
                             g_strerror (saved));
              ok = FALSE;
            }
        }
      else if (unlinkat (dir_fd, name, 0) != 0 && errno != ENOENT)
        {
          int saved = errno;

          if (ok)
            g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                         _("Un fichier de la séance ne peut pas être supprimé (%s)."),
                         g_strerror (saved));
          ok = FALSE;
        }
    }

  return ok;
}

gboolean
relais_session_dir_wipe (const char  *path,
                         GError     **error)
{
  gboolean ok;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        return TRUE;
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Le dossier de travail de la séance ne peut pas être ouvert pour être vidé (%s)."),
                   g_strerror (saved));
      return FALSE;
    }

  ok = wipe_fd (fd, 0, error);
  close (fd);
  return ok;
}

gboolean
relais_session_dir_is_empty (const char *path)
{
  g_autoptr(GDir) dir = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return !g_file_test (path, G_FILE_TEST_EXISTS);
  return g_dir_read_name (dir) == NULL;
}

gboolean
relais_session_dir_reset (const char *path)
{
  g_autofree char *default_path = path == NULL ? relais_session_dir_get_default () : NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    path = default_path;
  if (!relais_session_dir_ensure (path, &error) || !relais_session_dir_wipe (path, &error))
    {
      g_warning ("Session directory: %s", error->message);
      return FALSE;
    }
  return TRUE;
}
