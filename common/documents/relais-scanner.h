/* relais-scanner.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-page.h"

G_BEGIN_DECLS

typedef enum
{
  RELAIS_SCANNER_SOURCE_FLATBED,
  RELAIS_SCANNER_SOURCE_FEEDER,    /* scans until the feeder is empty */
} RelaisScannerSource;

/* From RelaisConfig's [scanner] group; every field has a default
 * (relais_scanner_options_init). */
typedef struct
{
  char                *device;          /* NULL or "auto": the first scanner found; else a SANE name */
  guint                resolution_dpi;  /* 150 */
  gboolean             colour;          /* FALSE: grey */
  RelaisScannerSource  source;          /* flatbed */
} RelaisScannerOptions;

void relais_scanner_options_init  (RelaisScannerOptions *options);
void relais_scanner_options_clear (RelaisScannerOptions *options);

typedef struct
{
  char *name;      /* what SANE opens, e.g. "test:0", "hpaio:/usb/…" */
  char *vendor;
  char *model;
  char *type;      /* "flatbed scanner", "sheetfed scanner"… */
} RelaisScannerDevice;

void relais_scanner_device_free (RelaisScannerDevice *device);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaisScannerDevice, relais_scanner_device_free)

#define RELAIS_TYPE_SCANNER (relais_scanner_get_type ())
G_DECLARE_FINAL_TYPE (RelaisScanner, relais_scanner, RELAIS, SCANNER, GObject)

/* The scanner of the kiosk, through SANE. SANE is one per process: it is
 * initialised once (never left) and every SANE call of every RelaisScanner
 * is serialised, in worker threads (sane_read blocks).
 *
 * "progress" (page index from 0, fraction of that page 0..1) on the main
 * context the scanner was made in, never decreasing within a scan.
 * Failures are RELAIS_ERROR_SCANNER with a sentence saying what happened
 * and what to do (no scanner, paper jam, cover open, empty feeder, busy);
 * cancelling gives G_IO_ERROR_CANCELLED. */
RelaisScanner *relais_scanner_new                  (const RelaisScannerOptions *options);

/* A backend's own option set before each scan (e.g. a test backend's
 * "test-picture"). For deployments with an odd scanner, and tests. */
void           relais_scanner_set_backend_option   (RelaisScanner *self,
                                                    const char    *name,
                                                    const char    *value);

/* Every scanner SANE sees: a GPtrArray of RelaisScannerDevice (maybe
 * empty). */
void           relais_scanner_list_devices_async   (RelaisScanner       *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GPtrArray     *relais_scanner_list_devices_finish  (RelaisScanner       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* Scans one page (flatbed) or every page in the feeder: a GPtrArray of
 * RelaisPage, A4 at most, at the configured resolution and mode. */
void           relais_scanner_scan_async           (RelaisScanner       *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GPtrArray     *relais_scanner_scan_finish          (RelaisScanner       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
