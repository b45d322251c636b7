/* test-scanner.c: RelaisScanner on the SANE "test" backend (its own
 * SANE_CONFIG_DIR, made here), the [scanner] configuration, and the
 * webcam fallback's grey page.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "relais-config.h"
#include "relais-error.h"
#include "relais-scanner.h"

#include "../relais-test-document.h"

#define SANE_TEST_BACKEND "/usr/lib/x86_64-linux-gnu/sane/libsane-test.so.1"

static char *sane_dir;

typedef struct
{
  gboolean      done;
  GPtrArray    *pages;
  GPtrArray    *devices;
  GError       *error;
  /* progress */
  guint         events;
  guint         last_page;
  double        last_fraction;
  gboolean      went_back;
  GCancellable *cancel_on_progress;
} Result;

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->pages, g_ptr_array_unref);
  g_clear_pointer (&result->devices, g_ptr_array_unref);
  g_clear_error (&result->error);
}

static void
wait_done (Result *result)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!result->done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (result->done);
}

static void
scanned_cb (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  Result *result = user_data;

  result->pages = relais_scanner_scan_finish (RELAIS_SCANNER (source), res, &result->error);
  result->done = TRUE;
}

static void
listed_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  Result *result = user_data;

  result->devices = relais_scanner_list_devices_finish (RELAIS_SCANNER (source), res, &result->error);
  result->done = TRUE;
}

static void
progress_cb (RelaisScanner *scanner,
             guint          page,
             double         fraction,
             Result        *result)
{
  g_assert_cmpfloat (fraction, >=, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  if (page < result->last_page ||
      (page == result->last_page && fraction < result->last_fraction))
    result->went_back = TRUE;
  result->last_page = page;
  result->last_fraction = fraction;
  result->events++;
  if (result->cancel_on_progress != NULL && fraction > 0.0)
    g_cancellable_cancel (result->cancel_on_progress);
}

static RelaisScanner *
make_scanner (const char          *device,
              guint                dpi,
              gboolean             colour,
              RelaisScannerSource  source)
{
  RelaisScannerOptions options;
  RelaisScanner *scanner;

  relais_scanner_options_init (&options);
  options.device = g_strdup (device);
  options.resolution_dpi = dpi;
  options.colour = colour;
  options.source = source;
  scanner = relais_scanner_new (&options);
  relais_scanner_options_clear (&options);
  /* The test backend keeps its options from one opening to the next, in
   * the process: start each scan from its defaults. */
  relais_scanner_set_backend_option (scanner, "read-return-value", "Default");
  relais_scanner_set_backend_option (scanner, "read-limit", "no");
  relais_scanner_set_backend_option (scanner, "read-delay", "no");
  relais_scanner_set_backend_option (scanner, "test-picture", "Solid black");
  return scanner;
}

static GPtrArray *
scan (RelaisScanner  *scanner,
      Result         *result)
{
  relais_scanner_scan_async (scanner, result->cancel_on_progress, scanned_cb, result);
  wait_done (result);
  return result->pages;
}

/* ---- Tests -------------------------------------------------------------- */

static void
test_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) defaults = relais_config_new_default ();
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(RelaisConfig) bad = NULL;

  g_assert_cmpstr (relais_config_get_scanner_device (defaults), ==, "auto");
  g_assert_cmpuint (relais_config_get_scanner_resolution (defaults), ==, 150);
  g_assert_false (relais_config_get_scanner_colour (defaults));
  g_assert_false (relais_config_get_scanner_feeder (defaults));

  config = relais_config_new_from_data ("[scanner]\ndevice=test:0\nresolution-dpi=300\nmode=colour\nsource=feeder\n",
                                        "kiosk.conf", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relais_config_get_scanner_device (config), ==, "test:0");
  g_assert_cmpuint (relais_config_get_scanner_resolution (config), ==, 300);
  g_assert_true (relais_config_get_scanner_colour (config));
  g_assert_true (relais_config_get_scanner_feeder (config));

  bad = relais_config_new_from_data ("[scanner]\nresolution-dpi=2400\nmode=color\nsource=adf\n",
                                     "kiosk.conf", &error);
  g_assert_null (bad);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "kiosk.conf: [scanner] resolution-dpi : nombre entier entre 75 et 600 attendu, « 2400 » trouvé"));
  g_assert_nonnull (strstr (error->message, "[scanner] mode : une de ces valeurs attendue : grey | colour ; « color » trouvé"));
  g_assert_nonnull (strstr (error->message, "[scanner] source : une de ces valeurs attendue : flatbed | feeder ; « adf » trouvé"));
}

static void
test_discovery (void)
{
  g_autoptr(RelaisScanner) scanner = make_scanner (NULL, 150, FALSE, RELAIS_SCANNER_SOURCE_FLATBED);
  Result result = { 0 };
  gboolean found = FALSE;

  relais_scanner_list_devices_async (scanner, NULL, listed_cb, &result);
  wait_done (&result);
  g_assert_no_error (result.error);
  g_assert_nonnull (result.devices);
  for (guint i = 0; i < result.devices->len; i++)
    {
      RelaisScannerDevice *device = g_ptr_array_index (result.devices, i);

      if (g_str_equal (device->name, "test:0"))
        found = TRUE;
    }
  g_assert_true (found);
  result_clear (&result);
}

static void
check_a4 (guint dpi)
{
  /* "auto" picks the first device: test:0. */
  g_autoptr(RelaisScanner) scanner = make_scanner ("auto", dpi, FALSE, RELAIS_SCANNER_SOURCE_FLATBED);
  Result result = { 0 };
  RelaisPage *page;
  guint width = (guint) (210.0 / 25.4 * dpi);
  guint height = (guint) (297.0 / 25.4 * dpi);

  relais_scanner_set_backend_option (scanner, "test-picture", "Grid");
  scan (scanner, &result);
  g_assert_no_error (result.error);
  g_assert_cmpuint (result.pages->len, ==, 1);
  page = g_ptr_array_index (result.pages, 0);
  g_assert_false (page->colour);
  g_assert_cmpfloat (page->dpi, ==, dpi);
  g_assert_cmpuint (page->width + 1, >=, width);
  g_assert_cmpuint (page->width, <=, width + 1);
  g_assert_cmpuint (page->height + 1, >=, height);
  g_assert_cmpuint (page->height, <=, height + 1);
  g_assert_cmpuint (g_bytes_get_size (page->pixels), ==, (gsize) page->stride * page->height);
  /* On paper: A4 within a millimetre. */
  g_assert_cmpfloat (ABS (relais_page_get_width_points (page) - 595.3), <, 3.0);
  g_assert_cmpfloat (ABS (relais_page_get_height_points (page) - 841.9), <, 3.0);
  result_clear (&result);
}

static void
test_a4_150 (void)
{
  check_a4 (150);
}

static void
test_a4_300 (void)
{
  check_a4 (300);
}

static void
test_colour (void)
{
  g_autoptr(RelaisScanner) scanner = make_scanner ("test:0", 75, TRUE, RELAIS_SCANNER_SOURCE_FLATBED);
  Result result = { 0 };
  RelaisPage *page;

  relais_scanner_set_backend_option (scanner, "test-picture", "Color pattern");
  scan (scanner, &result);
  g_assert_no_error (result.error);
  page = g_ptr_array_index (result.pages, 0);
  g_assert_true (page->colour);
  g_assert_cmpuint (page->stride, ==, page->width * 3);
  result_clear (&result);
}

static void
test_progress (void)
{
  g_autoptr(RelaisScanner) scanner = make_scanner ("test:0", 150, FALSE, RELAIS_SCANNER_SOURCE_FLATBED);
  Result result = { 0 };

  /* Small reads: many progress steps. */
  relais_scanner_set_backend_option (scanner, "read-limit", "yes");
  relais_scanner_set_backend_option (scanner, "read-limit-size", "4096");
  g_signal_connect (scanner, "progress", G_CALLBACK (progress_cb), &result);
  scan (scanner, &result);
  g_assert_no_error (result.error);
  /* Progress hops are queued before the result: all have arrived. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (result.events, >=, 20);
  g_assert_false (result.went_back);
  g_assert_cmpfloat (result.last_fraction, ==, 1.0);
  result_clear (&result);
}

static void
test_cancel (void)
{
  g_autoptr(RelaisScanner) scanner = make_scanner ("test:0", 300, FALSE, RELAIS_SCANNER_SOURCE_FLATBED);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Result result = { 0 };
  gint64 start;

  /* 300 dpi A4 grey is 8.7 MB; 4 KiB reads 20 ms apart would take
   * over 40 s: the cancel must cut it short. */
  relais_scanner_set_backend_option (scanner, "read-limit", "yes");
  relais_scanner_set_backend_option (scanner, "read-limit-size", "4096");
  relais_scanner_set_backend_option (scanner, "read-delay", "yes");
  relais_scanner_set_backend_option (scanner, "read-delay-duration", "20000");
  g_signal_connect (scanner, "progress", G_CALLBACK (progress_cb), &result);
  result.cancel_on_progress = cancellable;
  start = g_get_monotonic_time ();
  relais_scanner_scan_async (scanner, cancellable, scanned_cb, &result);
  /* The first report is at 0: cancel at once when it comes. */
  while (!result.done && result.events == 0)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  wait_done (&result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result.pages);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  result_clear (&result);

  /* The scanner works again afterwards. */
  {
    g_autoptr(RelaisScanner) again = make_scanner ("test:0", 75, FALSE, RELAIS_SCANNER_SOURCE_FLATBED);
    Result second = { 0 };

    scan (again, &second);
    g_assert_no_error (second.error);
    g_assert_cmpuint (second.pages->len, ==, 1);
    result_clear (&second);
  }
}

static void
test_feeder (void)
{
  g_autoptr(RelaisScanner) scanner = make_scanner ("test:0", 75, FALSE, RELAIS_SCANNER_SOURCE_FEEDER);
  Result result = { 0 };

  g_signal_connect (scanner, "progress", G_CALLBACK (progress_cb), &result);
  scan (scanner, &result);
  g_assert_no_error (result.error);
  /* The test backend's feeder holds 10 sheets. */
  g_assert_cmpuint (result.pages->len, ==, 10);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (result.last_page, ==, 9);
  g_assert_false (result.went_back);
  result_clear (&result);
}

static void
check_error (const char *device,
             const char *read_status,
             const char *expected)
{
  g_autoptr(RelaisScanner) scanner = make_scanner (device, 75, FALSE, RELAIS_SCANNER_SOURCE_FLATBED);
  Result result = { 0 };

  if (read_status != NULL)
    relais_scanner_set_backend_option (scanner, "read-return-value", read_status);
  scan (scanner, &result);
  g_assert_error (result.error, RELAIS_ERROR, RELAIS_ERROR_SCANNER);
  g_assert_null (result.pages);
  if (strstr (result.error->message, expected) == NULL)
    g_error ("“%s” not in “%s”", expected, result.error->message);
  result_clear (&result);
}

static void
test_errors (void)
{
  check_error ("test:no-such-device", NULL, "Aucun scanner n’est branché");
  check_error ("nosuchbackend:0", NULL, "Aucun scanner n’est branché");
  check_error ("test:0", "SANE_STATUS_JAMMED", "Le papier est coincé");
  check_error ("test:0", "SANE_STATUS_COVER_OPEN", "Le capot du scanner est ouvert");
  check_error ("test:0", "SANE_STATUS_NO_DOCS", "pas de papier dans le chargeur");
  check_error ("test:0", "SANE_STATUS_DEVICE_BUSY", "Le scanner est occupé");
  check_error ("test:0", "SANE_STATUS_IO_ERROR", "Le scanner ne répond pas");
}

/* Several scans at once: SANE is serialised, every one completes. */
static void
test_serialised (void)
{
  RelaisScanner *scanners[3];
  Result results[3] = { { 0 } };

  for (guint i = 0; i < 3; i++)
    {
      scanners[i] = make_scanner ("test:0", 75, i == 1, RELAIS_SCANNER_SOURCE_FLATBED);
      relais_scanner_scan_async (scanners[i], NULL, scanned_cb, &results[i]);
    }
  for (guint i = 0; i < 3; i++)
    {
      wait_done (&results[i]);
      g_assert_no_error (results[i].error);
      g_assert_cmpuint (results[i].pages->len, ==, 1);
      result_clear (&results[i]);
      g_object_unref (scanners[i]);
    }
}

static void
test_camera_page (void)
{
  const guint width = 64, height = 48, stride = 64 * 4 + 16;
  g_autofree guint8 *frame = g_malloc0 (stride * height);
  g_autoptr(RelaisPage) page = NULL;
  const guint8 *grey;
  guint min = 255, max = 0;

  /* A dull photo of a page: grey paper (150) with darker text (100),
   * slightly blue, in BGRA. */
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        guint8 *p = frame + y * stride + 4 * x;
        guint8 level = (x / 4 + y / 4) % 3 == 0 ? 100 : 150;

        p[0] = level + 10;   /* B */
        p[1] = level;        /* G */
        p[2] = level;        /* R */
        p[3] = 255;
      }

  page = relais_page_new_from_camera (frame, width, height, stride, TRUE, 75.0);
  g_assert_nonnull (page);
  g_assert_false (page->colour);
  g_assert_cmpuint (page->width, ==, width);
  g_assert_cmpuint (page->height, ==, height);
  g_assert_cmpfloat (page->dpi, ==, 75.0);
  grey = g_bytes_get_data (page->pixels, NULL);
  for (guint i = 0; i < width * height; i++)
    {
      min = MIN (min, grey[i]);
      max = MAX (max, grey[i]);
    }
  /* Stretched: the text black, the paper white. */
  g_assert_cmpuint (min, ==, 0);
  g_assert_cmpuint (max, ==, 255);

  /* A blank frame is left alone rather than turned into noise. */
  memset (frame, 128, stride * height);
  g_clear_pointer (&page, relais_page_unref);
  page = relais_page_new_from_camera (frame, width, height, stride, FALSE, 75.0);
  grey = g_bytes_get_data (page->pixels, NULL);
  g_assert_cmpuint (grey[0], ==, 128);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (!g_file_test (SANE_TEST_BACKEND, G_FILE_TEST_EXISTS))
    {
      /* Never a skip: the package is part of the test command's install. */
      g_printerr ("The SANE test backend is missing: install the Debian package libsane1 (and sane-utils)\n");
      return 1;
    }

  /* Our own SANE configuration, before anything initialises SANE. */
  sane_dir = g_dir_make_tmp ("relais-sane-XXXXXX", &error);
  g_assert_no_error (error);
  relais_test_sane_configure (sane_dir, TRUE);

  g_test_add_func ("/scanner/config", test_config);
  g_test_add_func ("/scanner/discovery", test_discovery);
  g_test_add_func ("/scanner/a4-150dpi", test_a4_150);
  g_test_add_func ("/scanner/a4-300dpi", test_a4_300);
  g_test_add_func ("/scanner/colour", test_colour);
  g_test_add_func ("/scanner/progress", test_progress);
  g_test_add_func ("/scanner/cancel", test_cancel);
  g_test_add_func ("/scanner/feeder", test_feeder);
  g_test_add_func ("/scanner/errors", test_errors);
  g_test_add_func ("/scanner/serialised", test_serialised);
  g_test_add_func ("/scanner/camera-page", test_camera_page);

  status = g_test_run ();

  {
    g_autofree char *dll = g_build_filename (sane_dir, "dll.conf", NULL);
    g_autofree char *test = g_build_filename (sane_dir, "test.conf", NULL);

    g_unlink (dll);
    g_unlink (test);
    g_rmdir (sane_dir);
    g_free (sane_dir);
  }
  return status;
}
