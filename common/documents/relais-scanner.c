/* relais-scanner.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-scanner"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <sane/sane.h>
#include <sane/saneopts.h>

#include "relais-error.h"
#include "relais-main-hop.h"
#include "relais-scanner.h"

/* The largest page we ask for: A4, in millimetres. */
#define A4_WIDTH_MM   210.0
#define A4_HEIGHT_MM  297.0
/* Progress is reported at most this often (fraction of a page). */
#define PROGRESS_STEP 0.02
#define READ_BUFFER   (64 * 1024)
/* A hand scanner does not know its height: stop somewhere sane. */
#define MAX_LINES     20000

/* SANE is process-global: one sane_init, and one caller at a time. */
static GMutex sane_lock;
static gsize  sane_ready;
static SANE_Status sane_init_status;

struct _RelaisScanner
{
  GObject               parent_instance;

  GMainContext         *context;
  RelaisScannerOptions  options;
  GPtrArray            *backend_options;   /* char *: name, value, name, value… */
  gboolean              disposed;
};

G_DEFINE_FINAL_TYPE (RelaisScanner, relais_scanner, G_TYPE_OBJECT)

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What a scan's worker thread owns. */
typedef struct
{
  RelaisScannerOptions  options;
  GPtrArray            *backend_options;
  RelaisScanner        *scanner;           /* for the progress hop only */
  GMainContext         *context;
} ScanData;

static void
scan_data_free (gpointer data)
{
  ScanData *scan = data;

  relais_scanner_options_clear (&scan->options);
  g_ptr_array_unref (scan->backend_options);
  g_object_unref (scan->scanner);
  g_main_context_unref (scan->context);
  g_free (scan);
}

/* ---- Errors ------------------------------------------------------------- */

static void
set_status_error (GError      **error,
                  SANE_Status   status)
{
  g_debug ("SANE: %s", sane_strstatus (status));

  switch (status)
    {
    case SANE_STATUS_CANCELLED:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("La numérisation a été annulée."));
      break;
    case SANE_STATUS_DEVICE_BUSY:
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                           _("Le scanner est occupé. Attendez un instant, puis réessayez."));
      break;
    case SANE_STATUS_JAMMED:
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                           _("Le papier est coincé dans le scanner. Retirez la feuille doucement, puis réessayez."));
      break;
    case SANE_STATUS_NO_DOCS:
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                           _("Il n’y a pas de papier dans le chargeur. Posez vos feuilles dans le chargeur, puis réessayez."));
      break;
    case SANE_STATUS_COVER_OPEN:
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                           _("Le capot du scanner est ouvert. Fermez-le, puis réessayez."));
      break;
    case SANE_STATUS_ACCESS_DENIED:
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                           _("La borne n’a pas le droit d’utiliser le scanner. Prévenez l’agent d’accueil."));
      break;
    case SANE_STATUS_NO_MEM:
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                           _("La borne manque de mémoire pour numériser. Réessayez avec une résolution plus basse."));
      break;
    case SANE_STATUS_IO_ERROR:
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                           _("Le scanner ne répond pas. Vérifiez qu’il est branché et allumé, puis réessayez."));
      break;
    default:
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                   _("Le scanner a eu un problème (%s). Réessayez, ou prévenez l’agent d’accueil."),
                   sane_strstatus (status));
      break;
    }
}

static void
set_no_scanner_error (GError **error)
{
  g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                       _("Aucun scanner n’est branché. Vous pouvez photographier le document avec la caméra."));
}

/* Call with sane_lock held. */
static gboolean
ensure_sane (GError **error)
{
  if (g_once_init_enter (&sane_ready))
    {
      SANE_Int version = 0;

      sane_init_status = sane_init (&version, NULL);
      g_debug ("sane_init: %s (SANE %d.%d.%d)", sane_strstatus (sane_init_status),
               SANE_VERSION_MAJOR (version), SANE_VERSION_MINOR (version),
               SANE_VERSION_BUILD (version));
      g_once_init_leave (&sane_ready, 1);
    }

  if (sane_init_status != SANE_STATUS_GOOD)
    {
      set_no_scanner_error (error);
      return FALSE;
    }
  return TRUE;
}

/* ---- Options ------------------------------------------------------------ */

static SANE_Int
find_option (SANE_Handle                     handle,
             const char                     *name,
             const SANE_Option_Descriptor  **descriptor)
{
  SANE_Int count = 0;

  if (sane_control_option (handle, 0, SANE_ACTION_GET_VALUE, &count, NULL) != SANE_STATUS_GOOD)
    return -1;

  for (SANE_Int i = 1; i < count; i++)
    {
      const SANE_Option_Descriptor *option = sane_get_option_descriptor (handle, i);

      if (option != NULL && option->name != NULL && g_str_equal (option->name, name) &&
          SANE_OPTION_IS_ACTIVE (option->cap) && SANE_OPTION_IS_SETTABLE (option->cap))
        {
          *descriptor = option;
          return i;
        }
    }
  return -1;
}

/* Sets a number option (int or fixed) to the allowed value nearest
 * @value; returns the value the backend kept, or -1. */
static double
set_number (SANE_Handle  handle,
            const char  *name,
            double       value)
{
  const SANE_Option_Descriptor *option = NULL;
  SANE_Int index = find_option (handle, name, &option);
  SANE_Word word;
  SANE_Status status;

  if (index < 0 || (option->type != SANE_TYPE_INT && option->type != SANE_TYPE_FIXED) ||
      option->size != sizeof (SANE_Word))
    return -1;

  if (option->constraint_type == SANE_CONSTRAINT_RANGE)
    {
      const SANE_Range *range = option->constraint.range;
      double min = option->type == SANE_TYPE_FIXED ? SANE_UNFIX (range->min) : range->min;
      double max = option->type == SANE_TYPE_FIXED ? SANE_UNFIX (range->max) : range->max;

      value = CLAMP (value, min, max);
    }
  else if (option->constraint_type == SANE_CONSTRAINT_WORD_LIST)
    {
      const SANE_Word *list = option->constraint.word_list;
      double best = -1;

      for (SANE_Int i = 1; i <= list[0]; i++)
        {
          double candidate = option->type == SANE_TYPE_FIXED ? SANE_UNFIX (list[i]) : list[i];

          if (best < 0 || ABS (candidate - value) < ABS (best - value))
            best = candidate;
        }
      if (best >= 0)
        value = best;
    }

  word = option->type == SANE_TYPE_FIXED ? SANE_FIX (value) : (SANE_Word) (value + 0.5);
  status = sane_control_option (handle, index, SANE_ACTION_SET_VALUE, &word, NULL);
  if (status != SANE_STATUS_GOOD)
    {
      g_debug ("Option %s not set: %s", name, sane_strstatus (status));
      return -1;
    }
  if (sane_control_option (handle, index, SANE_ACTION_GET_VALUE, &word, NULL) != SANE_STATUS_GOOD)
    return value;
  return option->type == SANE_TYPE_FIXED ? SANE_UNFIX (word) : word;
}

/* Sets a string-list option to the first allowed value that one of
 * @wanted (case-insensitive substrings, in order of preference) matches. */
static gboolean
set_string_choice (SANE_Handle          handle,
                   const char          *name,
                   const char * const  *wanted)
{
  const SANE_Option_Descriptor *option = NULL;
  SANE_Int index = find_option (handle, name, &option);

  if (index < 0 || option->type != SANE_TYPE_STRING ||
      option->constraint_type != SANE_CONSTRAINT_STRING_LIST)
    return FALSE;

  for (guint w = 0; wanted[w] != NULL; w++)
    for (guint i = 0; option->constraint.string_list[i] != NULL; i++)
      {
        const char *choice = option->constraint.string_list[i];
        g_autofree char *lower = g_ascii_strdown (choice, -1);

        if (strstr (lower, wanted[w]) != NULL)
          {
            g_autofree char *buffer = g_malloc0 (MAX ((gsize) option->size, strlen (choice) + 1));

            strcpy (buffer, choice);
            return sane_control_option (handle, index, SANE_ACTION_SET_VALUE, buffer, NULL) == SANE_STATUS_GOOD;
          }
      }
  return FALSE;
}

static void
set_backend_option (SANE_Handle  handle,
                    const char  *name,
                    const char  *value)
{
  const SANE_Option_Descriptor *option = NULL;
  SANE_Int index = find_option (handle, name, &option);
  SANE_Status status = SANE_STATUS_INVAL;

  if (index < 0)
    {
      g_debug ("Backend option %s: none such, or inactive", name);
      return;
    }

  switch (option->type)
    {
    case SANE_TYPE_BOOL:
      {
        SANE_Word word = g_str_equal (value, "yes") || g_str_equal (value, "true") || g_str_equal (value, "1");

        status = sane_control_option (handle, index, SANE_ACTION_SET_VALUE, &word, NULL);
        break;
      }
    case SANE_TYPE_INT:
    case SANE_TYPE_FIXED:
      {
        double number = g_ascii_strtod (value, NULL);
        SANE_Word word = option->type == SANE_TYPE_FIXED ? SANE_FIX (number) : (SANE_Word) number;

        status = sane_control_option (handle, index, SANE_ACTION_SET_VALUE, &word, NULL);
        break;
      }
    case SANE_TYPE_STRING:
      {
        g_autofree char *buffer = g_malloc0 (MAX ((gsize) option->size, strlen (value) + 1));

        strcpy (buffer, value);
        status = sane_control_option (handle, index, SANE_ACTION_SET_VALUE, buffer, NULL);
        break;
      }
    case SANE_TYPE_BUTTON:
    case SANE_TYPE_GROUP:
    default:
      break;
    }

  if (status != SANE_STATUS_GOOD)
    g_debug ("Backend option %s not set: %s", name, sane_strstatus (status));
}

static const char * const grey_modes[] = { "gray", "grey", NULL };
static const char * const colour_modes[] = { "color", "colour", NULL };
static const char * const feeder_sources[] = { "feeder", "adf", NULL };
static const char * const flatbed_sources[] = { "flatbed", "normal", NULL };

/* Returns the resolution the backend kept. */
static double
configure (SANE_Handle  handle,
           ScanData    *scan)
{
  double dpi;

  if (!set_string_choice (handle, SANE_NAME_SCAN_MODE, scan->options.colour ? colour_modes : grey_modes))
    g_debug ("Scan mode left to the backend");
  set_number (handle, SANE_NAME_BIT_DEPTH, 8);
  if (!set_string_choice (handle, SANE_NAME_SCAN_SOURCE,
                          scan->options.source == RELAIS_SCANNER_SOURCE_FEEDER ? feeder_sources : flatbed_sources))
    g_debug ("Scan source left to the backend");

  for (guint i = 0; i + 1 < scan->backend_options->len; i += 2)
    set_backend_option (handle,
                        g_ptr_array_index (scan->backend_options, i),
                        g_ptr_array_index (scan->backend_options, i + 1));

  dpi = set_number (handle, SANE_NAME_SCAN_RESOLUTION, scan->options.resolution_dpi);
  if (dpi <= 0)
    dpi = scan->options.resolution_dpi;

  /* The geometry last: its ranges may depend on the source. */
  set_number (handle, SANE_NAME_SCAN_TL_X, 0);
  set_number (handle, SANE_NAME_SCAN_TL_Y, 0);
  set_number (handle, SANE_NAME_SCAN_BR_X, A4_WIDTH_MM);
  set_number (handle, SANE_NAME_SCAN_BR_Y, A4_HEIGHT_MM);

  return dpi;
}

/* ---- Worker threads ----------------------------------------------------- */

typedef struct
{
  guint  page;
  double fraction;
} Progress;

static void
progress_on_main (gpointer owner,
                  gpointer data)
{
  Progress *progress = data;

  g_signal_emit (owner, signals[SIGNAL_PROGRESS], 0, progress->page, progress->fraction);
}

static void
report_progress (ScanData *scan,
                 guint     page,
                 double    fraction)
{
  Progress *progress = g_new0 (Progress, 1);

  progress->page = page;
  progress->fraction = CLAMP (fraction, 0.0, 1.0);
  relais_main_hop (scan->context, scan->scanner, &scan->scanner->disposed,
                   "relais-scanner-progress", progress_on_main, progress, g_free);
}

/* sane_cancel() stops a backend's reader thread with pthread_cancel(),
 * and sanei_thread (used by the test backend and many others) makes that
 * cancellation asynchronous: the reader can die anywhere, holding a lock
 * of the C library or of the dynamic linker, and the process deadlocks
 * later. Seen here: test-scanner hung 1 run in 10 (malloc's lock); with a
 * 200 ms settle before the cancel, still CI's test-scan-page, and then 1
 * run in 6 of it here with the next scan's sane_start() stuck in
 * pthread_create() (_dl_allocate_tls_init: the cancelled reader held the
 * dynamic linker's TLS lock). So a started frame is not cancelled: it is
 * read to its end and dropped, which lets the reader finish by itself (a
 * page at the kiosk's resolutions: a few seconds on a flatbed, a blink
 * on the test backend). Only a frame that does not end within
 * DRAIN_LIMIT_US is cancelled, from the worker, never from the
 * cancellable's callback. */
#define DRAIN_LIMIT_US (20 * G_USEC_PER_SEC)

static void
end_frame (SANE_Handle handle)
{
  g_autofree guint8 *buffer = g_malloc (READ_BUFFER);
  gint64 limit = g_get_monotonic_time () + DRAIN_LIMIT_US;
  SANE_Int length = 0;

  while (sane_read (handle, buffer, READ_BUFFER, &length) == SANE_STATUS_GOOD)
    {
      if (g_get_monotonic_time () > limit)
        {
          g_debug ("The frame did not end within %d s: cancelled",
                   (int) (DRAIN_LIMIT_US / G_USEC_PER_SEC));
          sane_cancel (handle);
          return;
        }
    }
}

/* Turns what sane_read gave into 8-bit grey or RGB rows. */
static RelaisPage *
make_page (const SANE_Parameters *params,
           const guint8          *data,
           guint                  lines,
           double                 dpi,
           GError               **error)
{
  gboolean colour = params->format == SANE_FRAME_RGB;
  guint width = (guint) params->pixels_per_line;
  guint channels = colour ? 3 : 1;
  guint8 *pixels;

  if ((params->format != SANE_FRAME_GRAY && params->format != SANE_FRAME_RGB) ||
      (params->depth != 1 && params->depth != 8 && params->depth != 16) ||
      width == 0 || lines == 0)
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                           _("Le scanner envoie les pages dans un format que la borne ne lit pas. Prévenez l’agent d’accueil."));
      return NULL;
    }

  pixels = g_malloc ((gsize) width * channels * lines);
  for (guint y = 0; y < lines; y++)
    {
      const guint8 *in = data + (gsize) y * params->bytes_per_line;
      guint8 *out = pixels + (gsize) y * width * channels;

      for (guint x = 0; x < width * channels; x++)
        {
          if (params->depth == 8)
            out[x] = in[x];
          else if (params->depth == 16)
            out[x] = in[2 * x + (G_BYTE_ORDER == G_LITTLE_ENDIAN ? 1 : 0)];
          else   /* line art: 1 is black */
            out[x] = (in[x / 8] & (0x80 >> (x % 8))) ? 0 : 255;
        }
    }

  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (pixels, (gsize) width * channels * lines);

    return relais_page_new (width, lines, width * channels, colour, dpi, bytes);
  }
}

/* Reads one started frame. Returns NULL with @error on failure; @ended
 * says whether the frame was read to its end. */
static RelaisPage *
read_page (SANE_Handle    handle,
           ScanData      *scan,
           GCancellable  *cancellable,
           guint          page_index,
           double         dpi,
           gboolean      *ended,
           GError       **error)
{
  SANE_Parameters params;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autofree guint8 *buffer = g_malloc (READ_BUFFER);
  gsize expected;
  double reported = 0;
  SANE_Status status;

  status = sane_get_parameters (handle, &params);
  if (status != SANE_STATUS_GOOD)
    {
      set_status_error (error, status);
      return NULL;
    }
  if (!params.last_frame || params.bytes_per_line <= 0)
    {
      /* Three-pass scanners: none sold for twenty years. */
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                           _("Le scanner envoie les pages dans un format que la borne ne lit pas. Prévenez l’agent d’accueil."));
      return NULL;
    }

  expected = params.lines > 0 ? (gsize) params.bytes_per_line * params.lines : 0;
  report_progress (scan, page_index, 0);

  for (;;)
    {
      SANE_Int length = 0;

      if (g_cancellable_is_cancelled (cancellable))
        {
          set_status_error (error, SANE_STATUS_CANCELLED);
          return NULL;
        }

      status = sane_read (handle, buffer, READ_BUFFER, &length);
      if (status == SANE_STATUS_EOF)
        {
          *ended = TRUE;
          break;
        }
      if (status != SANE_STATUS_GOOD)
        {
          set_status_error (error, status);
          return NULL;
        }
      g_byte_array_append (data, buffer, (guint) length);

      if (data->len > (gsize) params.bytes_per_line * MAX_LINES)
        break;

      if (expected > 0)
        {
          double fraction = MIN (1.0, (double) data->len / expected);

          if (fraction - reported >= PROGRESS_STEP)
            {
              reported = fraction;
              report_progress (scan, page_index, fraction);
            }
        }
    }

  report_progress (scan, page_index, 1.0);
  return make_page (&params, data->data, data->len / params.bytes_per_line, dpi, error);
}

static char *
first_device (GError **error)
{
  const SANE_Device **devices = NULL;
  SANE_Status status = sane_get_devices (&devices, SANE_FALSE);

  if (status != SANE_STATUS_GOOD)
    {
      set_status_error (error, status);
      return NULL;
    }
  if (devices == NULL || devices[0] == NULL)
    {
      set_no_scanner_error (error);
      return NULL;
    }
  return g_strdup (devices[0]->name);
}

static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ScanData *scan = task_data;
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_page_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  SANE_Handle handle = NULL;
  SANE_Status status;
  gboolean ended = TRUE;   /* no frame under way */
  double dpi;

  g_mutex_lock (&sane_lock);

  if (!ensure_sane (&error))
    goto out;

  if (scan->options.device == NULL || g_str_equal (scan->options.device, "auto"))
    name = first_device (&error);
  else
    name = g_strdup (scan->options.device);
  if (name == NULL)
    goto out;

  status = sane_open (name, &handle);
  if (status != SANE_STATUS_GOOD)
    {
      g_debug ("sane_open: %s", sane_strstatus (status));
      if (status == SANE_STATUS_DEVICE_BUSY || status == SANE_STATUS_ACCESS_DENIED)
        set_status_error (&error, status);
      else
        set_no_scanner_error (&error);
      handle = NULL;
      goto out;
    }

  dpi = configure (handle, scan);

  for (guint page_index = 0; ; page_index++)
    {
      RelaisPage *page;

      if (g_cancellable_is_cancelled (cancellable))
        {
          set_status_error (&error, SANE_STATUS_CANCELLED);
          break;
        }

      status = sane_start (handle);
      if (status == SANE_STATUS_NO_DOCS && page_index > 0)
        break;   /* the feeder is empty: every page is in */
      if (status != SANE_STATUS_GOOD)
        {
          set_status_error (&error, status);
          break;
        }

      ended = FALSE;
      page = read_page (handle, scan, cancellable, page_index, dpi, &ended, &error);
      if (page == NULL)
        break;
      g_ptr_array_add (pages, page);

      if (scan->options.source != RELAIS_SCANNER_SOURCE_FEEDER)
        break;
    }

  /* After complete frames sane_close() alone (with the test backend, a
   * sane_cancel() after the last frame made the process hang about one
   * run of test-scanner in fifteen); a frame left midway (cancelled, a
   * read error, a page past MAX_LINES) is read to its end first, since
   * sane_close() would cancel its reader (see end_frame()). */
  if (!ended)
    end_frame (handle);
  sane_close (handle);

out:
  g_mutex_unlock (&sane_lock);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&pages), (GDestroyNotify) g_ptr_array_unref);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_scanner_device_free);
  g_autoptr(GError) error = NULL;
  const SANE_Device **devices = NULL;
  SANE_Status status;

  g_mutex_lock (&sane_lock);
  if (ensure_sane (&error))
    {
      status = sane_get_devices (&devices, SANE_FALSE);
      if (status != SANE_STATUS_GOOD)
        set_status_error (&error, status);
      for (guint i = 0; error == NULL && devices != NULL && devices[i] != NULL; i++)
        {
          RelaisScannerDevice *device = g_new0 (RelaisScannerDevice, 1);

          device->name = g_strdup (devices[i]->name);
          device->vendor = g_strdup (devices[i]->vendor);
          device->model = g_strdup (devices[i]->model);
          device->type = g_strdup (devices[i]->type);
          g_ptr_array_add (list, device);
        }
    }
  g_mutex_unlock (&sane_lock);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&list), (GDestroyNotify) g_ptr_array_unref);
}

/* ---- GObject ------------------------------------------------------------ */

static void
relais_scanner_dispose (GObject *object)
{
  RelaisScanner *self = (RelaisScanner *) object;

  self->disposed = TRUE;

  G_OBJECT_CLASS (relais_scanner_parent_class)->dispose (object);
}

static void
relais_scanner_finalize (GObject *object)
{
  RelaisScanner *self = (RelaisScanner *) object;

  relais_scanner_options_clear (&self->options);
  g_ptr_array_unref (self->backend_options);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (relais_scanner_parent_class)->finalize (object);
}

static void
relais_scanner_class_init (RelaisScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_scanner_dispose;
  object_class->finalize = relais_scanner_finalize;

  /* (page index, fraction of that page) */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_DOUBLE);
}

static void
relais_scanner_init (RelaisScanner *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->backend_options = g_ptr_array_new_with_free_func (g_free);
  relais_scanner_options_init (&self->options);
}

/* ---- Public ------------------------------------------------------------- */

void
relais_scanner_options_init (RelaisScannerOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->resolution_dpi = 150;
  options->colour = FALSE;
  options->source = RELAIS_SCANNER_SOURCE_FLATBED;
}

void
relais_scanner_options_clear (RelaisScannerOptions *options)
{
  g_return_if_fail (options != NULL);

  g_clear_pointer (&options->device, g_free);
}

static void
options_copy (RelaisScannerOptions       *to,
              const RelaisScannerOptions *from)
{
  *to = *from;
  to->device = g_strdup (from->device);
}

void
relais_scanner_device_free (RelaisScannerDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device->vendor);
  g_free (device->model);
  g_free (device->type);
  g_free (device);
}

RelaisScanner *
relais_scanner_new (const RelaisScannerOptions *options)
{
  RelaisScanner *self = g_object_new (RELAIS_TYPE_SCANNER, NULL);

  if (options != NULL)
    {
      relais_scanner_options_clear (&self->options);
      options_copy (&self->options, options);
    }
  if (self->options.resolution_dpi == 0)
    self->options.resolution_dpi = 150;
  return self;
}

void
relais_scanner_set_backend_option (RelaisScanner *self,
                                   const char    *name,
                                   const char    *value)
{
  g_return_if_fail (RELAIS_IS_SCANNER (self));
  g_return_if_fail (name != NULL && value != NULL);

  g_ptr_array_add (self->backend_options, g_strdup (name));
  g_ptr_array_add (self->backend_options, g_strdup (value));
}

void
relais_scanner_list_devices_async (RelaisScanner       *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RELAIS_IS_SCANNER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_scanner_list_devices_async);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
relais_scanner_list_devices_finish (RelaisScanner  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (RELAIS_IS_SCANNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
relais_scanner_scan_async (RelaisScanner       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ScanData *scan;

  g_return_if_fail (RELAIS_IS_SCANNER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_scanner_scan_async);
  /* The worker reports its own cancellation (it may have pages to drop). */
  g_task_set_return_on_cancel (task, FALSE);

  scan = g_new0 (ScanData, 1);
  options_copy (&scan->options, &self->options);
  scan->backend_options = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->backend_options->len; i++)
    g_ptr_array_add (scan->backend_options, g_strdup (g_ptr_array_index (self->backend_options, i)));
  scan->scanner = g_object_ref (self);
  scan->context = g_main_context_ref (self->context);
  g_task_set_task_data (task, scan, scan_data_free);

  g_task_run_in_thread (task, scan_thread);
}

GPtrArray *
relais_scanner_scan_finish (RelaisScanner  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (RELAIS_IS_SCANNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
