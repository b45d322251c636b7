/* relais-test-document.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-test-document"

#include "config.h"

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
