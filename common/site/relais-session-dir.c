/* relais-session-dir.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-session-dir"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
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
relais_session_dir_fs_type_is_memory (unsigned long fs_type)
{
  return fs_type == TMPFS_MAGIC || fs_type == RAMFS_MAGIC;
}

gboolean
relais_session_dir_check_memory (const char  *path,
                                 GError     **error)
{
  struct statfs st;

  g_return_val_if_fail (path != NULL, FALSE);

  if (statfs (path, &st) != 0)
    {
      int saved = errno;

      g_warning ("Documents refused: the session directory %s cannot be examined (%s)",
                 path, g_strerror (saved));
    }
  else if (relais_session_dir_fs_type_is_memory ((unsigned long) st.f_type))
    return TRUE;
  else if (g_strcmp0 (g_getenv ("RELAIS_TEST_DISK_SESSION_DIR"), "1") == 0)
    return TRUE;
  else
    /* The path is the kiosk's own (its account's cache or runtime
     * directory), never a person's. */
    g_warning ("Documents refused: the session directory %s is on a disk "
               "(file system type 0x%lx), not in memory. Start the kiosk in a login "
               "session, or set XDG_RUNTIME_DIR to a tmpfs owned by its user",
               path, (unsigned long) st.f_type);

  g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                       _("Cette borne ne peut pas recevoir de documents pour l’instant : "
                         "elle n’a pas d’endroit sûr où les garder. "
                         "Prévenez l’agent d’accueil."));
  return FALSE;
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

/* As many tries as the transfer's receiver makes (relais-transfer.c). */
#define MAX_NAME_TRIES 100

/* Writes all of @data to @fd; errno is set on failure. */
static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         length)
{
  while (length > 0)
    {
      gssize written = write (fd, data, length);

      if (written < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      data += written;
      length -= (gsize) written;
    }
  return TRUE;
}

char *
relais_session_dir_create_file (const char  *dir,
                                const char  *name,
                                GBytes      *contents,
                                GError     **error)
{
  const char *dot;
  g_autofree char *stem = NULL;
  const char *extension;
  const guint8 *data;
  gsize length;
  int dir_fd;
  int saved = EEXIST;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (name != NULL && *name != '\0' && strchr (name, '/') == NULL, NULL);
  g_return_val_if_fail (contents != NULL, NULL);

  dot = strrchr (name, '.');
  stem = dot != NULL && dot != name ? g_strndup (name, dot - name) : g_strdup (name);
  extension = dot != NULL && dot != name ? dot : "";
  data = g_bytes_get_data (contents, &length);

  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd < 0)
    {
      saved = errno;
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Le dossier de travail de la séance ne peut pas être ouvert (%s)."),
                   g_strerror (saved));
      return NULL;
    }

  for (guint i = 1; i <= MAX_NAME_TRIES; i++)
    {
      g_autofree char *candidate = i == 1 ? g_strdup (name)
                                          : g_strdup_printf ("%s (%u)%s", stem, i, extension);
      int fd;

      /* O_EXCL: the name is ours only if nothing had it, not even a
       * dangling link. */
      fd = openat (dir_fd, candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          saved = errno;
          if (saved == EEXIST)
            continue;
          break;
        }

      if (!write_all (fd, data, length))
        {
          saved = errno;
          close (fd);
          unlinkat (dir_fd, candidate, 0);
          close (dir_fd);
          g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                       _("Un fichier de la séance ne peut pas être écrit (%s)."),
                       g_strerror (saved));
          return NULL;
        }
      if (close (fd) != 0)
        {
          saved = errno;
          unlinkat (dir_fd, candidate, 0);
          close (dir_fd);
          g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                       _("Un fichier de la séance ne peut pas être écrit (%s)."),
                       g_strerror (saved));
          return NULL;
        }

      close (dir_fd);
      return g_build_filename (dir, candidate, NULL);
    }

  close (dir_fd);
  g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
               _("Un fichier de la séance ne peut pas être créé (%s)."),
               g_strerror (saved));
  return NULL;
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
