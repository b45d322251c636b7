/* relais-test-document.h: scanning and writing a PDF in a test
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * GAsyncReadyCallbacks that keep the result where @user_data points and
 * fail the test on any error (test code: failures assert).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* relais_scanner_scan_async(): @user_data is a GPtrArray ** (the pages). */
void relais_test_scanned_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data);
/* relais_document_write_pdf_async(): @user_data is a GBytes ** (the PDF). */
void relais_test_written_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data);

G_END_DECLS
