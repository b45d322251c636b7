/* relais-test-cups.h: a CUPS scheduler with test queues, for the printing
 * tests
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* cups-pdf, writing into relais_test_cups_get_dir()/out. */
#define RELAIS_TEST_CUPS_PDF_QUEUE      "relais-test"
/* A printer that takes the job and never finishes it. */
#define RELAIS_TEST_CUPS_SLOW_QUEUE     "relais-slow"
/* Printers reporting media-empty-error and media-jam-error once they have
 * the job (tests/integration/cups/relais-fault). */
#define RELAIS_TEST_CUPS_NO_PAPER_QUEUE "relais-no-paper"
#define RELAIS_TEST_CUPS_JAM_QUEUE      "relais-jam"
/* A printer that keeps reporting offline-report, as a switched-off USB
 * printer does. */
#define RELAIS_TEST_CUPS_OFFLINE_QUEUE  "relais-offline"

/* Starts cupsd with its configuration, spool, logs and Unix socket in a
 * new temporary directory, sets CUPS_SERVER (call it before any thread
 * starts), and adds the queues above. Must run inside relais-netns-run;
 * fails the test, naming the Debian package, when something is missing. */
void        relais_test_cups_start          (void);
void        relais_test_cups_stop           (void);
const char *relais_test_cups_get_dir        (void);
void        relais_test_cups_remove_dir     (void);

/* Runs a CUPS command (lpadmin, cupsdisable…); fails the test if it fails. */
void        relais_test_cups_run            (const char * const *argv);
char       *relais_test_cups_run_output     (const char * const *argv);
/* Jobs not finished on @queue (lpstat -o). */
guint       relais_test_cups_count_jobs     (const char *queue);

/* The first PDF cups-pdf wrote, or NULL. */
char       *relais_test_cups_find_output    (void);
void        relais_test_cups_clear_output   (void);

/* An A4 PDF of @n_pages pages, "Relais page N sur M" on each. */
void        relais_test_cups_write_document (const char *path,
                                             guint       n_pages);

G_END_DECLS
