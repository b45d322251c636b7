/* relais-test-document.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-test-document"

#include "config.h"

#include <glib/gstdio.h>

#include "relais-document.h"
#include "relais-scanner.h"
#include "relais-test-document.h"

void
relais_test_scanned_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GPtrArray **pages = user_data;
  g_autoptr(GError) error = NULL;

  *pages = relais_scanner_scan_finish (RELAIS_SCANNER (source), result, &error);
  g_assert_no_error (error);
}

void
relais_test_written_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GBytes **pdf = user_data;
  g_autoptr(GError) error = NULL;

  *pdf = relais_document_write_pdf_finish (RELAIS_DOCUMENT (source), result, &error);
  g_assert_no_error (error);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

void
relais_test_sane_configure (const char *sane_dir,
                            gboolean    with_backend)
{
  g_assert_no_errno (g_mkdir_with_parents (sane_dir, 0700));
  write_file (sane_dir, "dll.conf", with_backend ? "test\n" : "\n");
  write_file (sane_dir, "test.conf", "geometry_max 300.0\nnumber_of_devices 1\n");
  g_setenv ("SANE_CONFIG_DIR", sane_dir, TRUE);
}

char *
relais_test_scan_environment (const char  *tmpl,
                              int          argc,
                              char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp (tmpl, &error);
  g_autofree char *runtime_dir = NULL;
  g_autofree char *sane_dir = NULL;
  gboolean subprocess = FALSE;

  g_assert_no_error (error);
  for (int i = 1; i < argc; i++)
    subprocess |= g_str_equal (argv[i], "--GTestSubprocess");
  runtime_dir = g_build_filename (dir, "runtime", NULL);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);
  sane_dir = g_build_filename (dir, "sane.d", NULL);
  relais_test_sane_configure (sane_dir, !subprocess);
  return g_steal_pointer (&dir);
}

void
relais_test_scan_environment_remove (char *dir)
{
  g_autofree char *quoted = g_shell_quote (dir);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_free (dir);
}
