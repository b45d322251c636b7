/* bench-dossier.c: the first half of "scan to delivered" for
 * bench-documents.mjs. Scans a 3-page dossier from the SANE test backend
 * with RelaisScanner (a SANE_CONFIG_DIR of its own: dll.conf "test",
 * test.conf "geometry_max 300.0"), makes the kiosk's PDF with
 * RelaisDocument, writes it to OUTPUT and prints one JSON line:
 * {"scan_ms":[…],"pdf_ms":N,"bytes":N,"sha256":"…"}.
 *
 *   build/tests/bench/bench-dossier OUTPUT.pdf
 *
 * Needs the SANE test backend (libsane1). Not a test.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "relais-document.h"
#include "relais-scanner.h"

#define PAGES 3

static void
scanned_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GPtrArray **pages = user_data;
  g_autoptr(GError) error = NULL;

  *pages = relais_scanner_scan_finish (RELAIS_SCANNER (source), result, &error);
  if (*pages == NULL)
    {
      g_printerr ("bench-dossier: the scan failed (is libsane1 installed?): %s\n", error->message);
      exit (1);
    }
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GBytes **pdf = user_data;
  g_autoptr(GError) error = NULL;

  *pdf = relais_document_write_pdf_finish (RELAIS_DOCUMENT (source), result, &error);
  if (*pdf == NULL)
    {
      g_printerr ("bench-dossier: no PDF: %s\n", error->message);
      exit (1);
    }
}

int
main (int   argc,
      char *argv[])
{
  RelaisScannerOptions options;
  g_autoptr(RelaisScanner) scanner = NULL;
  g_autoptr(RelaisDocument) document = relais_document_new ();
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sane_dir = NULL;
  g_autofree char *dll = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *sha256 = NULL;
  double scan_ms[PAGES];
  double pdf_ms;
  gint64 start;

  if (argc != 2)
    {
      g_printerr ("usage: bench-dossier OUTPUT.pdf\n");
      return 2;
    }

  sane_dir = g_dir_make_tmp ("relais-bench-sane-XXXXXX", &error);
  g_assert_no_error (error);
  dll = g_build_filename (sane_dir, "dll.conf", NULL);
  conf = g_build_filename (sane_dir, "test.conf", NULL);
  g_file_set_contents (dll, "test\n", -1, NULL);
  g_file_set_contents (conf, "geometry_max 300.0\nnumber_of_devices 1\n", -1, NULL);
  g_setenv ("SANE_CONFIG_DIR", sane_dir, TRUE);

  relais_scanner_options_init (&options);
  options.device = g_strdup ("test:0");
  options.resolution_dpi = 150;
  scanner = relais_scanner_new (&options);
  relais_scanner_options_clear (&options);
  relais_scanner_set_backend_option (scanner, "test-picture", "Color pattern");

  for (guint i = 0; i < PAGES; i++)
    {
      g_autoptr(GPtrArray) pages = NULL;

      start = g_get_monotonic_time ();
      relais_scanner_scan_async (scanner, NULL, scanned_cb, &pages);
      while (pages == NULL)
        g_main_context_iteration (NULL, TRUE);
      scan_ms[i] = (g_get_monotonic_time () - start) / 1000.0;
      relais_document_add_page (document, g_ptr_array_index (pages, 0));
    }

  start = g_get_monotonic_time ();
  relais_document_write_pdf_async (document, NULL, written_cb, &pdf);
  while (pdf == NULL)
    g_main_context_iteration (NULL, TRUE);
  pdf_ms = (g_get_monotonic_time () - start) / 1000.0;

  if (!g_file_set_contents (argv[1], g_bytes_get_data (pdf, NULL), (gssize) g_bytes_get_size (pdf), &error))
    {
      g_printerr ("bench-dossier: %s\n", error->message);
      return 1;
    }
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, pdf);
  printf ("{\"scan_ms\":[%.1f,%.1f,%.1f],\"pdf_ms\":%.1f,\"bytes\":%" G_GSIZE_FORMAT ",\"sha256\":\"%s\"}\n",
          scan_ms[0], scan_ms[1], scan_ms[2], pdf_ms, g_bytes_get_size (pdf), sha256);

  g_unlink (dll);
  g_unlink (conf);
  g_rmdir (sane_dir);
  return 0;
}
