/* relais-test-document.h: scanning and writing a PDF in a test, with
 * SANE's test backend
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

/* SANE's configuration for a test, in @sane_dir (made if needed), and
 * SANE_CONFIG_DIR pointing there: the test backend alone with one device
 * and room for A4 (DESIGN.md, "SANE and PDF"), or with @with_backend
 * FALSE no backend at all (the camera fallback: SANE reads its
 * configuration once a process). Call it first: setenv is not
 * thread-safe. */
void relais_test_sane_configure (const char   *sane_dir,
                                 gboolean      with_backend);
/* For a test of the booth's papers, first thing in main(): a directory of
 * the test's own from @tmpl (returned), XDG_RUNTIME_DIR in it (the
 * session directory), and SANE's test configuration in it, without the
 * backend in a --GTestSubprocess (the camera's). */
char *relais_test_scan_environment (const char   *tmpl,
                                    int           argc,
                                    char        **argv);
/* Removes what relais_test_scan_environment() made and frees @dir. */
void  relais_test_scan_environment_remove (char  *dir);

G_END_DECLS
