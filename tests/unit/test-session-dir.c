/* test-session-dir.c: the session directory is emptied at the end of a
 * session and at start-up, whatever a session (or a crash) left in it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "relais-error.h"
#include "relais-session-dir.h"
#include "relais-transfer.h"

static void
put (const char *dir,
     const char *name,
     const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
make_root (void)
{
  g_autoptr(GError) error = NULL;
  char *root = g_dir_make_tmp ("relais-session-test-XXXXXX", &error);

  g_assert_no_error (error);
  return root;
}

static void
remove_root (const char *root)
{
  g_assert_true (relais_session_dir_wipe (root, NULL));
  g_assert_cmpint (g_rmdir (root), ==, 0);
}

static void
test_default (void)
{
  g_autofree char *dir = relais_session_dir_get_default ();

  g_assert_true (g_path_is_absolute (dir));
  g_assert_true (g_str_has_prefix (dir, g_get_user_runtime_dir ()));
  g_assert_true (g_str_has_suffix (dir, "relais" G_DIR_SEPARATOR_S "session"));
}

static void
test_ensure (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *dir = g_build_filename (root, "a", "session", NULL);
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_true (relais_session_dir_ensure (dir, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* A looser directory is tightened. */
  g_assert_cmpint (chmod (dir, 0755), ==, 0);
  g_assert_true (relais_session_dir_ensure (dir, &error));
  g_assert_cmpint (stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* A file where the directory should be is refused. */
  {
    g_autofree char *file = g_build_filename (root, "file", NULL);

    put (root, "file", "x");
    g_assert_false (relais_session_dir_ensure (file, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  remove_root (root);
}

static void
test_wipe (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *dir = g_build_filename (root, "session", NULL);
  g_autofree char *outside = g_build_filename (root, "outside", NULL);
  g_autofree char *outside_file = g_build_filename (outside, "keep.txt", NULL);
  g_autofree char *sub = g_build_filename (dir, "scans", "deeper", NULL);
  g_autofree char *link = g_build_filename (dir, "link-to-outside", NULL);
  g_autofree char *locked = g_build_filename (dir, "locked", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_session_dir_ensure (dir, &error));
  g_assert_cmpint (g_mkdir_with_parents (outside, 0700), ==, 0);
  put (outside, "keep.txt", "not the session's");

  /* What a session leaves: scans, a PDF, a received document, a partial
   * transfer, hidden files, sub-directories, a link pointing outside,
   * a read-only file in a read-only directory. */
  put (dir, "page-1.jpg", "jpeg");
  put (dir, "dossier.pdf", "%PDF-1.5");
  put (dir, "attestation (2).pdf", "%PDF-1.5");
  put (dir, ".relais-part-ABC123", "partial");
  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  put (sub, "page.jpg", "jpeg");
  g_assert_cmpint (symlink (outside, link), ==, 0);
  g_assert_cmpint (g_mkdir (locked, 0700), ==, 0);
  put (locked, "ro.txt", "read-only");
  {
    g_autofree char *ro = g_build_filename (locked, "ro.txt", NULL);

    g_assert_cmpint (chmod (ro, 0400), ==, 0);
  }
  g_assert_false (relais_session_dir_is_empty (dir));

  g_assert_true (relais_session_dir_wipe (dir, &error));
  g_assert_no_error (error);
  g_assert_true (relais_session_dir_is_empty (dir));
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  /* The link went, not what it pointed to. */
  g_assert_true (g_file_test (outside_file, G_FILE_TEST_IS_REGULAR));

  /* Wiping again, or a directory that does not exist, is fine. */
  g_assert_true (relais_session_dir_wipe (dir, &error));
  {
    g_autofree char *missing = g_build_filename (root, "missing", NULL);

    g_assert_true (relais_session_dir_wipe (missing, &error));
    g_assert_true (relais_session_dir_is_empty (missing));
  }
  g_assert_no_error (error);

  g_assert_cmpint (g_unlink (outside_file), ==, 0);
  g_assert_cmpint (g_rmdir (outside), ==, 0);
  remove_root (root);
}

/* A kiosk killed in the middle of a session: the next start-up finds the
 * session's files and wipes them. */
static void
test_crash_leftovers (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *dir = g_build_filename (root, "session", NULL);
  g_autoptr(GError) error = NULL;
  int status = 0;
  pid_t pid;

  g_assert_true (relais_session_dir_ensure (dir, &error));

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* The "session": writes its files, one left open, then dies
       * without any clean-up. */
      g_autofree char *open_path = g_build_filename (dir, ".relais-part-XYZ", NULL);
      FILE *open_file;

      put (dir, "scan-1.jpg", "jpeg");
      put (dir, "dossier.pdf", "%PDF-1.5");
      open_file = fopen (open_path, "w");
      fputs ("partial", open_file);
      fflush (open_file);
      raise (SIGKILL);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_false (relais_session_dir_is_empty (dir));

  /* Start-up: what the kiosk calls (relais-application.c). */
  g_assert_true (relais_session_dir_reset (dir));
  g_assert_true (relais_session_dir_is_empty (dir));

  remove_root (root);
}

/* Two writers, one name: the first file stays as it was, the second gets
 * a name of its own; a planted link is neither followed nor replaced. */
static void
test_create_file (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *elsewhere = g_build_filename (root, "elsewhere", NULL);
  g_autofree char *dir = g_build_filename (root, "session", NULL);
  g_autofree char *link = g_build_filename (dir, "lien.pdf", NULL);
  g_autoptr(GBytes) first = g_bytes_new_static ("%PDF-first", 10);
  g_autoptr(GBytes) second = g_bytes_new_static ("%PDF-second", 11);
  g_autoptr(GError) error = NULL;
  g_autofree char *path1 = NULL;
  g_autofree char *path2 = NULL;
  g_autofree char *path3 = NULL;
  g_autofree char *path4 = NULL;
  g_autofree char *contents = NULL;
  struct stat st;

  g_assert_true (relais_session_dir_ensure (dir, NULL));
  put (dir, "dossier.pdf", "%PDF-advisor");

  path1 = relais_session_dir_create_file (dir, "dossier.pdf", first, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (path1, G_DIR_SEPARATOR_S "dossier (2).pdf"));
  path2 = relais_session_dir_create_file (dir, "dossier.pdf", second, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (path2, G_DIR_SEPARATOR_S "dossier (3).pdf"));

  g_assert_true (g_file_get_contents (path1, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "%PDF-first");
  g_clear_pointer (&contents, g_free);
  {
    g_autofree char *advisor = g_build_filename (dir, "dossier.pdf", NULL);

    g_assert_true (g_file_get_contents (advisor, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "%PDF-advisor");
    g_clear_pointer (&contents, g_free);
  }
  g_assert_cmpint (g_stat (path2, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* A dangling link: its target is not created, the link stays. */
  g_assert_cmpint (symlink (elsewhere, link), ==, 0);
  path3 = relais_session_dir_create_file (dir, "lien.pdf", first, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (path3, G_DIR_SEPARATOR_S "lien (2).pdf"));
  g_assert_false (g_file_test (elsewhere, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));

  /* No extension, and a name starting with its only dot. */
  g_clear_pointer (&path3, g_free);
  path3 = relais_session_dir_create_file (dir, "lettre", first, &error);
  g_assert_no_error (error);
  path4 = relais_session_dir_create_file (dir, "lettre", first, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (path4, G_DIR_SEPARATOR_S "lettre (2)"));

  /* No directory: an error, nothing made. */
  g_clear_pointer (&path4, g_free);
  path4 = relais_session_dir_create_file (elsewhere, "dossier.pdf", first, &error);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
  g_assert_null (path4);

  remove_root (root);
}

#define DISK_SENTENCE "Cette borne ne peut pas recevoir de documents pour l’instant : " \
                      "elle n’a pas d’endroit sûr où les garder. Prévenez l’agent d’accueil."

static gboolean
is_memory (const char *path)
{
  struct statfs st;

  return statfs (path, &st) == 0 && relais_session_dir_fs_type_is_memory ((unsigned long) st.f_type);
}

/* A directory of the test's own on a disk: under the build directory,
 * else the home or /var/tmp. NULL where every one of them is in memory
 * (a root unpacked into a tmpfs, as ../shared/tools/fresh can make). */
static char *
make_disk_root (void)
{
  const char *candidates[] = { g_getenv ("G_TEST_BUILDDIR"), g_get_home_dir (), "/var/tmp", g_get_tmp_dir () };

  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *template = NULL;
      char *root;

      if (candidates[i] == NULL || is_memory (candidates[i]))
        continue;
      template = g_build_filename (candidates[i], "relais-disk-session-XXXXXX", NULL);
      root = g_mkdtemp (g_steal_pointer (&template));
      if (root != NULL)
        return root;
    }
  return NULL;
  return NULL;
}

static void
failed_cb (RelaisTransfer *transfer,
           guint64         id,
           const char     *message,
           char          **sentence)
{
  g_free (*sentence);
  *sentence = g_strdup (message);
}

static void
started_cb (RelaisTransfer *transfer,
            guint64         id,
            const char     *name,
            guint64         size,
            guint          *started)
{
  (*started)++;
}

#define OFFER "{\"relais\":1,\"type\":\"transfer-offer\",\"id\":\"00000000000000a1\",\"name\":\"lettre.pdf\"," \
              "\"size\":1000,\"mime\":\"application/pdf\",\"sha256\":" \
              "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"chunk_size\":1024}"

/* Issue 12, item 13: a session directory on a disk (GLib's fallback to
 * the cache without XDG_RUNTIME_DIR) takes no document; the person hears
 * why, the log says what to do. */
static void
test_memory_only (void)
{
  g_autofree char *disk = make_disk_root ();
  /* Without a writable disk, a directory of /proc stands for one: the
   * check reads the file system's type, and a refused offer writes
   * nothing. */
  g_autofree char *dir = disk != NULL ? g_build_filename (disk, "relais", "session", NULL) : g_strdup ("/proc/self");
  g_autoptr(RelaisTransfer) transfer = relais_transfer_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *sentence = NULL;
  guint started = 0;

  /* What tests/meson.build lets through for the other tests. */
  g_unsetenv ("RELAIS_TEST_DISK_SESSION_DIR");

  g_assert_true (relais_session_dir_fs_type_is_memory (TMPFS_MAGIC));
  g_assert_true (relais_session_dir_fs_type_is_memory (RAMFS_MAGIC));
  g_assert_false (relais_session_dir_fs_type_is_memory (EXT4_SUPER_MAGIC));
  g_assert_false (relais_session_dir_fs_type_is_memory (BTRFS_SUPER_MAGIC));
  g_assert_false (relais_session_dir_fs_type_is_memory (NFS_SUPER_MAGIC));
  if (is_memory ("/dev/shm"))
    g_assert_true (relais_session_dir_check_memory ("/dev/shm", NULL));

  if (disk == NULL)
    g_test_message ("No writable directory on a disk here: %s stands for one", dir);
  else
    g_assert_true (relais_session_dir_ensure (dir, NULL));
  g_test_expect_message ("relais-session-dir", G_LOG_LEVEL_WARNING, "Documents refused: the session directory * is on a disk*");
  g_assert_false (relais_session_dir_check_memory (dir, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, DISK_SENTENCE);

  /* The receiver refuses the offer and says the sentence; nothing is
   * written there. */
  relais_transfer_set_receive_dir (transfer, dir);
  g_signal_connect (transfer, "receive-failed", G_CALLBACK (failed_cb), &sentence);
  g_signal_connect (transfer, "receive-started", G_CALLBACK (started_cb), &started);
  g_test_expect_message ("relais-session-dir", G_LOG_LEVEL_WARNING, "Documents refused: *");
  relais_transfer_handle_message (transfer, OFFER);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (started, ==, 0);
  g_assert_cmpstr (sentence, ==, DISK_SENTENCE);
  if (disk != NULL)
    g_assert_true (relais_session_dir_is_empty (dir));

  g_setenv ("RELAIS_TEST_DISK_SESSION_DIR", "1", TRUE);
  if (disk != NULL)
    remove_root (disk);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session-dir/default", test_default);
  g_test_add_func ("/session-dir/ensure", test_ensure);
  g_test_add_func ("/session-dir/wipe", test_wipe);
  g_test_add_func ("/session-dir/create-file", test_create_file);
  g_test_add_func ("/session-dir/crash-leftovers", test_crash_leftovers);
  g_test_add_func ("/session-dir/memory-only", test_memory_only);

  return g_test_run ();
}
