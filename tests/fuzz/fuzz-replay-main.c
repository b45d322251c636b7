/* fuzz-replay-main.c — runs a libFuzzer target without libFuzzer.
 *
 * Normal builds (gcc, no -Dfuzzing) link each fuzz target with this main:
 * every file given, or found in a directory given, on the command line is
 * fed once to LLVMFuzzerTestOneInput(), so the seed corpus (and any crash
 * reproducer dropped into it) runs as a regular test, under the sanitizers
 * when the build has them. Output is TAP, one line per input.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
collect (const char  *path,
         GPtrArray   *files,
         GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return TRUE;
    }

  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;

  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  /* A stable order, so that test numbers mean the same input each time. */
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (files, g_build_filename (path, g_ptr_array_index (names, i), NULL));

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  LLVMFuzzerInitialize (&argc, &argv);

  if (argc < 2)
    {
      fprintf (stderr, "Usage: %s FILE-OR-CORPUS-DIRECTORY…\n", argv[0]);
      return 2;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!collect (argv[i], files, &error))
        {
          printf ("Bail out! %s\n", error->message);
          return 1;
        }
    }

  if (files->len == 0)
    {
      printf ("Bail out! no input found in the corpus\n");
      return 1;
    }

  printf ("1..%u\n", files->len);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      g_autofree uint8_t *data = NULL;
      gsize length;

      if (!g_file_get_contents (path, &contents, &length, &error))
        {
          printf ("not ok %u %s: %s\n", i + 1, path, error->message);
          return 1;
        }

      /* An exact-size copy without the NUL g_file_get_contents() adds, so
       * the sanitizers see any read past the end, as under libFuzzer. */
      data = g_malloc (MAX (length, 1));
      memcpy (data, contents, length);

      /* Flushed first: if the input crashes, the log shows which one. */
      printf ("# %s (%" G_GSIZE_FORMAT " bytes)\n", path, length);
      fflush (stdout);

      LLVMFuzzerTestOneInput (data, length);

      printf ("ok %u %s\n", i + 1, path);
      fflush (stdout);
    }

  return 0;
}
