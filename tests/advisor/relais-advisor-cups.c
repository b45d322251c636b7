/* relais-advisor-cups.c: the CUPS scheduler of the documents test
 * (test-documents.mjs), driven through stdin and stdout.
 *
 * Starts cupsd with a cups-pdf queue (tests/integration/relais-test-cups.c,
 * inside relais-netns-run), writes an A4 PDF of 3 pages ("Relais page N
 * sur 3") to argv[1], then prints
 *   CUPS_SERVER <socket>
 *   QUEUE <name>
 *   READY
 * and answers one command per line:
 *   output       → "OUTPUT <path>" (the PDF cups-pdf wrote) or "OUTPUT -"
 *   check <path> → "PAGES <n>", then "TEXT <i> <page i's text on one line>"
 *                  per page, then "END" (poppler)
 *   quit, or end of input → stops cupsd, removes its directory, exits 0.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <poppler.h>
#include <stdio.h>
#include <string.h>

#include "relais-test-cups.h"

static void
check (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_filename_to_uri (path, NULL, &error);
  PopplerDocument *document = NULL;   /* poppler 22.02 has no g_autoptr */
  int n;

  if (uri != NULL)
    document = poppler_document_new_from_file (uri, NULL, &error);
  if (document == NULL)
    {
      printf ("PAGES -1\nEND\n");
      return;
    }
  n = poppler_document_get_n_pages (document);
  printf ("PAGES %d\n", n);
  for (int i = 0; i < n; i++)
    {
      PopplerPage *page = poppler_document_get_page (document, i);
      g_autofree char *text = poppler_page_get_text (page);

      g_strdelimit (text, "\r\n\t", ' ');
      printf ("TEXT %d %s\n", i, text != NULL ? text : "");
      g_object_unref (page);
    }
  printf ("END\n");
  g_object_unref (document);
}

int
main (int   argc,
      char *argv[])
{
  char line[4096];

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s DOCUMENT.pdf\n", argv[0]);
      return 2;
    }

  relais_test_cups_start ();
  relais_test_cups_write_document (argv[1], 3);
  printf ("CUPS_SERVER %s\nQUEUE %s\nREADY\n", g_getenv ("CUPS_SERVER"), RELAIS_TEST_CUPS_PDF_QUEUE);
  fflush (stdout);

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_strchomp (line);
      if (g_str_equal (line, "quit"))
        break;
      if (g_str_equal (line, "output"))
        {
          g_autofree char *out = relais_test_cups_find_output ();

          printf ("OUTPUT %s\n", out != NULL ? out : "-");
        }
      else if (g_str_has_prefix (line, "check "))
        check (line + strlen ("check "));
      else
        printf ("UNKNOWN\n");
      fflush (stdout);
    }

  relais_test_cups_stop ();
  relais_test_cups_remove_dir ();
  return 0;
}
