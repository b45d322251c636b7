/* relais-dossier.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-dossier"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include "relais-camera-still.h"
#include "relais-dossier.h"
#include "relais-error.h"
#include "relais-scanner.h"
#include "relais-session-dir.h"
#include "relais-transfer.h"

/* The name the person's PDF has on the wire. */
#define DOSSIER_NAME "dossier.pdf"
/* Its copy in the session directory: a name of its own, as the advisor
 * may send a "dossier.pdf" too, and created, never replaced (issue 12,
 * item 15): a later sending gets "envoi-dossier (2).pdf". */
#define KEPT_NAME    "envoi-dossier.pdf"
/* An A4 sheet filling a 640x480 picture is about 75 dpi. */
#define CAMERA_DPI 75.0

struct _RelaisDossier
{
  GObject             parent_instance;

  RelaisConfig       *config;
  RelaisCall         *call;
  RelaisTransfer     *transfer;      /* made with the first call, kept across replacements */

  RelaisDossierState  state;
  double              progress;
  guint               scanning_page;
  char               *failure;
  /* Bumped when the pages are dropped: the answers of work started
   * before no longer touch the state. */
  guint               generation;

  RelaisScanner      *scanner;
  gboolean            camera;        /* no scanner: the camera's still */
  gboolean            probed;        /* camera decided for this person */
  GCancellable       *probe_cancellable;
  RelaisDocument     *document;
  int                 retake;
  guint               scan_base;     /* where the scan's first page goes */
  GCancellable       *scan_cancellable;
  GCancellable       *send_cancellable;

  char               *document_path; /* what the advisor sent, shown */
  RelaisPrinter      *printer;
  GCancellable       *print_cancellable;
  RelaisPrintState    print_state;
  char               *print_failure;
};

G_DEFINE_FINAL_TYPE (RelaisDossier, relais_dossier, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CALL,
  PROP_STATE,
  PROP_PROGRESS,
  PROP_SCANNING_PAGE,
  PROP_FAILURE,
  PROP_CAMERA,
  PROP_N_PAGES,
  PROP_RETAKE,
  PROP_DOCUMENT,
  PROP_PRINT_STATE,
  PROP_PRINT_FAILURE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_PAGES_CHANGED,
  SIGNAL_RECEIVE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One piece of work (a scan or a sending): what its steps carry. */
typedef struct
{
  GCancellable *cancellable;   /* ours: relais_dossier_cancel() stops it */
  GCancellable *caller;        /* the caller's, linked to ours */
  gulong        caller_id;
  guint         generation;
  GBytes       *pdf;
  guint         n_pages;
  gint64        started;       /* monotonic µs */
} Job;

static void
job_free (Job *job)
{
  if (job->caller != NULL)
    g_cancellable_disconnect (job->caller, job->caller_id);
  g_clear_object (&job->caller);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->pdf, g_bytes_unref);
  g_free (job);
}

static void
job_caller_cancelled_cb (GCancellable *caller,
                         GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

static Job *
job_new (RelaisDossier *self,
         GCancellable  *caller)
{
  Job *job = g_new0 (Job, 1);

  job->cancellable = g_cancellable_new ();
  job->generation = self->generation;
  job->started = g_get_monotonic_time ();
  if (caller != NULL)
    {
      job->caller = g_object_ref (caller);
      job->caller_id = g_cancellable_connect (caller, G_CALLBACK (job_caller_cancelled_cb),
                                              job->cancellable, NULL);
    }
  return job;
}

/* ---- State -------------------------------------------------------------- */

static void
set_failure (RelaisDossier *self,
             const char    *failure)
{
  if (g_strcmp0 (self->failure, failure) == 0)
    return;
  g_free (self->failure);
  self->failure = g_strdup (failure);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE]);
}

static void
set_progress (RelaisDossier *self,
              double         progress)
{
  progress = CLAMP (progress, 0.0, 1.0);
  if (self->progress == progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

static void
set_scanning_page (RelaisDossier *self,
                   guint          page)
{
  if (self->scanning_page == page)
    return;
  self->scanning_page = page;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCANNING_PAGE]);
}

/* The failure is set first, so that a page reading it on "state" sees
 * the new one. */
static void
set_state (RelaisDossier      *self,
           RelaisDossierState  state,
           const char         *failure)
{
  set_failure (self, failure);
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_retake (RelaisDossier *self,
            int            retake)
{
  if (self->retake == retake)
    return;
  self->retake = retake;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETAKE]);
}

static void
pages_changed (RelaisDossier *self,
               guint          position,
               guint          removed,
               guint          added)
{
  g_signal_emit (self, signals[SIGNAL_PAGES_CHANGED], 0, position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);
}

static void
set_print_state (RelaisDossier    *self,
                 RelaisPrintState  state,
                 const char       *failure)
{
  if (g_strcmp0 (self->print_failure, failure) != 0)
    {
      g_free (self->print_failure);
      self->print_failure = g_strdup (failure);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRINT_FAILURE]);
    }
  if (self->print_state == state)
    return;
  self->print_state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRINT_STATE]);
}

static void
set_document_path (RelaisDossier *self,
                   char          *path)   /* (transfer full) */
{
  if (g_strcmp0 (self->document_path, path) == 0)
    {
      g_free (path);
      return;
    }
  g_free (self->document_path);
  self->document_path = path;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
}

/* ---- The session directory ---------------------------------------------- */

/* The real path of @path if it is a regular file inside the session
 * directory (after resolving links and "..": a name sent by the advisor
 * must not lead elsewhere), else NULL. */
static char *
resolve_document (const char *path)
{
  g_autofree char *dir = relais_session_dir_get_default ();
  g_autofree char *real_dir = NULL;
  g_autofree char *real_path = NULL;
  g_autofree char *prefix = NULL;

  if (path == NULL || !g_path_is_absolute (path))
    return NULL;
  real_dir = realpath (dir, NULL);
  real_path = realpath (path, NULL);
  if (real_dir == NULL || real_path == NULL)
    return NULL;
  prefix = g_strconcat (real_dir, G_DIR_SEPARATOR_S, NULL);
  if (!g_str_has_prefix (real_path, prefix) ||
      !g_file_test (real_path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_steal_pointer (&real_path);
}

/* ---- The transfer ------------------------------------------------------- */

static void
transfer_received_cb (RelaisTransfer *transfer,
                      guint64         id,
                      const char     *path,
                      guint64         size,
                      const char     *sha256,
                      RelaisDossier  *self)
{
  /* Ids and sizes only: the name and the contents are the person's. */
  g_debug ("Document received: transfer %016" G_GINT64_MODIFIER "x, %" G_GUINT64_FORMAT " bytes",
           id, size);
  if (!relais_dossier_show_document (self, path))
    g_signal_emit (self, signals[SIGNAL_RECEIVE_FAILED], 0,
                   _("Ce document ne peut pas être ouvert. Demandez à votre conseiller de vous le renvoyer."));
}

static void
transfer_receive_failed_cb (RelaisTransfer *transfer,
                            guint64         id,
                            const char     *message,
                            RelaisDossier  *self)
{
  g_debug ("Document not received: transfer %016" G_GINT64_MODIFIER "x", id);
  g_signal_emit (self, signals[SIGNAL_RECEIVE_FAILED], 0, message);
}

static void
transfer_send_progress_cb (RelaisTransfer *transfer,
                           guint64         id,
                           guint64         queued,
                           guint64         total,
                           RelaisDossier  *self)
{
  if (self->state == RELAIS_DOSSIER_SENDING && total > 0)
    /* Queued is not yet delivered: the last tenth waits for the ack. */
    set_progress (self, 0.1 + 0.8 * (double) queued / (double) total);
}

static void
drop_transfer (RelaisDossier *self)
{
  if (self->transfer == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->transfer, self);
  relais_transfer_set_call (self->transfer, NULL);
  g_clear_object (&self->transfer);
}

/* Made with the call, so that the advisor's documents are received. */
static void
ensure_transfer (RelaisDossier *self)
{
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;

  if (self->transfer != NULL || self->call == NULL)
    return;

  dir = relais_session_dir_get_default ();
  if (!relais_session_dir_ensure (dir, &error))
    g_warning ("No session directory for documents: %s", error->message);
  self->transfer = relais_transfer_new (self->call);
  relais_transfer_set_receive_dir (self->transfer, dir);
  g_signal_connect (self->transfer, "received", G_CALLBACK (transfer_received_cb), self);
  g_signal_connect (self->transfer, "receive-failed", G_CALLBACK (transfer_receive_failed_cb), self);
  g_signal_connect (self->transfer, "send-progress", G_CALLBACK (transfer_send_progress_cb), self);
}

/* ---- Scanner or camera -------------------------------------------------- */

static void
scanner_progress_cb (RelaisScanner *scanner,
                     guint          page_index,
                     double         fraction,
                     RelaisDossier *self)
{
  if (self->state != RELAIS_DOSSIER_SCANNING)
    return;
  set_scanning_page (self, self->scan_base + page_index);
  set_progress (self, fraction);
}

static RelaisScanner *
get_scanner (RelaisDossier *self)
{
  if (self->scanner == NULL)
    {
      RelaisScannerOptions options;

      relais_scanner_options_init (&options);
      g_free (options.device);
      options.device = g_strdup (relais_config_get_scanner_device (self->config));
      options.resolution_dpi = relais_config_get_scanner_resolution (self->config);
      options.colour = relais_config_get_scanner_colour (self->config);
      options.source = relais_config_get_scanner_feeder (self->config)
                       ? RELAIS_SCANNER_SOURCE_FEEDER : RELAIS_SCANNER_SOURCE_FLATBED;
      self->scanner = relais_scanner_new (&options);
      relais_scanner_options_clear (&options);
      g_signal_connect_object (self->scanner, "progress", G_CALLBACK (scanner_progress_cb), self, 0);
    }
  return self->scanner;
}

static void
set_camera (RelaisDossier *self,
            gboolean       camera)
{
  self->probed = TRUE;
  g_debug ("Documents by %s", camera ? "the camera" : "the scanner");
  if (self->camera != camera)
    {
      self->camera = camera;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA]);
    }
  if (camera && self->call != NULL)
    relais_camera_still_prepare (relais_call_get_local_video_sink (self->call));
}

static void
devices_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RelaisDossier) self = user_data;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;

  devices = relais_scanner_list_devices_finish (RELAIS_SCANNER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->probe_cancellable);
  if (devices == NULL)
    g_debug ("No scanner list: %s", error->message);
  set_camera (self, devices == NULL || devices->len == 0);
}

/* Adds the scan's pages, or puts the first in place of the page being
 * retaken. */
static void
add_pages (RelaisDossier *self,
           GPtrArray     *pages)
{
  for (guint i = 0; i < pages->len; i++)
    {
      RelaisPage *page = g_ptr_array_index (pages, i);
      guint n = relais_document_get_n_pages (self->document);

      if (i == 0 && self->retake >= 0 && self->retake < (int) n)
        {
          relais_document_replace_page (self->document, (guint) self->retake, page);
          pages_changed (self, (guint) self->retake, 1, 1);
        }
      else
        {
          relais_document_add_page (self->document, page);
          pages_changed (self, n, 0, 1);
        }
    }
  set_retake (self, -1);
}

static void
scan_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RelaisDossier *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GError) error = NULL;
  gboolean current = job->generation == self->generation;

  pages = relais_scanner_scan_finish (RELAIS_SCANNER (source), result, &error);
  if (self->scan_cancellable == job->cancellable)
    g_clear_object (&self->scan_cancellable);

  if (pages == NULL)
    {
      if (current && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_state (self, RELAIS_DOSSIER_IDLE, NULL);
      else if (current)
        {
          g_debug ("Scan failed");
          set_state (self, RELAIS_DOSSIER_SCAN_FAILED, error->message);
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("Scanned %u page(s)", pages->len);
  if (!current)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The pages were dropped");
      return;
    }
  add_pages (self, pages);
  set_state (self, RELAIS_DOSSIER_IDLE, NULL);
  g_task_return_int (task, pages->len);
}

/* The camera's still, at once (the self-view keeps running). */
static void
scan_camera (RelaisDossier *self,
             GTask         *task)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisPage) still = NULL;
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_page_unref);

  set_scanning_page (self, self->scan_base);
  set_progress (self, 0.0);
  set_state (self, RELAIS_DOSSIER_SCANNING, NULL);
  if (self->call != NULL)
    still = relais_camera_still_take (relais_call_get_local_video_sink (self->call), CAMERA_DPI, &error);
  if (still == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, RELAIS_ERROR, RELAIS_ERROR_SCANNER,
                             _("La caméra ne donne pas d'image. Prévenez l'agent d'accueil."));
      set_state (self, RELAIS_DOSSIER_SCAN_FAILED, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_ptr_array_add (pages, g_steal_pointer (&still));
  add_pages (self, pages);
  set_state (self, RELAIS_DOSSIER_IDLE, NULL);
  g_task_return_int (task, 1);
}

/* ---- Sending: PDF → session directory → transfer ------------------------ */

/* Ends the sending: the state says how, if the pages are still those it
 * was sending. */
static void
send_return_error (GTask  *task,
                   GError *error,          /* (transfer full) */
                   const char *failure)
{
  RelaisDossier *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);

  if (self->send_cancellable == job->cancellable)
    g_clear_object (&self->send_cancellable);
  if (job->generation == self->generation)
    {
      g_debug ("Document not delivered");
      set_state (self, RELAIS_DOSSIER_SEND_FAILED, failure);
    }
  g_task_return_error (task, error);
}

static void
send_cancelled (GTask *task)
{
  send_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Sending stopped"),
                     _("L'envoi a été arrêté."));
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RelaisDossier *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  const char *failure;

  sha256 = relais_transfer_send_finish (RELAIS_TRANSFER (source), result, &error);
  if (sha256 == NULL)
    {
      failure = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                ? _("L'envoi a été arrêté.") : error->message;
      /* failure may point into error: copied before error is handed on. */
      {
        g_autofree char *copy = g_strdup (failure);

        send_return_error (task, g_steal_pointer (&error), copy);
      }
      return;
    }

  g_debug ("Document delivered: %u page(s), %" G_GINT64_FORMAT " ms after send",
           job->n_pages, (g_get_monotonic_time () - job->started) / 1000);
  if (self->send_cancellable == job->cancellable)
    g_clear_object (&self->send_cancellable);
  if (job->generation == self->generation)
    {
      set_progress (self, 1.0);
      set_state (self, RELAIS_DOSSIER_SENT, NULL);
    }
  g_task_return_pointer (task, g_steal_pointer (&sha256), g_free);
}

typedef struct
{
  char   *dir;
  GBytes *pdf;
} Keep;

static void
keep_free (Keep *keep)
{
  g_free (keep->dir);
  g_bytes_unref (keep->pdf);
  g_free (keep);
}

/* In a worker thread: task data only. */
static void
keep_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Keep *keep = task_data;
  GError *error = NULL;
  char *path;

  if (g_task_return_error_if_cancelled (task))
    return;
  path = relais_session_dir_create_file (keep->dir, KEPT_NAME, keep->pdf, &error);
  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, path, g_free);
}

/* The PDF is in the session directory: off it goes. */
static void
kept_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RelaisDossier *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;

  kept = g_task_propagate_pointer (G_TASK (result), &error);
  if (kept == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The PDF was not kept in the session directory: %s", error->message);

  if (g_cancellable_is_cancelled (job->cancellable) || job->generation != self->generation)
    {
      send_cancelled (task);
      return;
    }
  if (self->transfer == NULL || self->call == NULL)
    {
      send_return_error (task, g_error_new_literal (RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                                                    _("L'appel est coupé : le document n'est pas parti.")),
                         _("L'appel est coupé : le document n'est pas parti."));
      return;
    }

  set_progress (self, 0.1);
  g_debug ("Sending the document: %u page(s), %" G_GSIZE_FORMAT " bytes",
           job->n_pages, g_bytes_get_size (job->pdf));
  relais_transfer_send_async (self->transfer, job->pdf, DOSSIER_NAME, "application/pdf",
                              job->cancellable, sent_cb, g_steal_pointer (&task));
}

static void
pdf_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RelaisDossier *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = relais_session_dir_get_default ();
  g_autoptr(GTask) keep_task = NULL;
  Keep *keep;

  job->pdf = relais_document_write_pdf_finish (RELAIS_DOCUMENT (source), result, &error);
  if (job->pdf == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      send_return_error (task, g_steal_pointer (&error),
                         _("Le document n'a pas pu être préparé. Réessayez, ou prévenez l'agent d'accueil."));
      return;
    }
  if (job->pdf == NULL || g_cancellable_is_cancelled (job->cancellable) ||
      job->generation != self->generation)
    {
      send_cancelled (task);
      return;
    }

  /* The PDF stays in the session directory (a tmpfs, mode 0600), wiped
   * with the rest at the end of the session; written in a worker thread
   * into a new file, beside whatever the advisor sent. */
  if (!relais_session_dir_ensure (dir, &error))
    g_warning ("No session directory for the PDF: %s", error->message);
  keep = g_new0 (Keep, 1);
  keep->dir = g_steal_pointer (&dir);
  keep->pdf = g_bytes_ref (job->pdf);
  keep_task = g_task_new (NULL, job->cancellable, kept_cb, g_steal_pointer (&task));
  g_task_set_source_tag (keep_task, pdf_cb);
  g_task_set_task_data (keep_task, keep, (GDestroyNotify) keep_free);
  g_task_run_in_thread (keep_task, keep_thread);
}

/* ---- Printing ----------------------------------------------------------- */

static void
printer_state_cb (RelaisPrinter *printer,
                  GParamSpec    *pspec,
                  RelaisDossier *self)
{
  RelaisPrintState state = relais_printer_get_state (printer);

  /* The end (done, failed, cancelled) is told by print_done_cb, which
   * has the error. */
  if (self->print_cancellable != NULL &&
      (state == RELAIS_PRINT_STATE_SENDING || state == RELAIS_PRINT_STATE_QUEUED ||
       state == RELAIS_PRINT_STATE_PRINTING))
    set_print_state (self, state, NULL);
}

static void
print_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RelaisDossier) self = user_data;
  g_autoptr(GError) error = NULL;

  if (relais_printer_print_finish (RELAIS_PRINTER (source), result, &error))
    {
      g_clear_object (&self->print_cancellable);
      set_print_state (self, RELAIS_PRINT_STATE_DONE, NULL);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_object (&self->print_cancellable);
      set_print_state (self, RELAIS_PRINT_STATE_IDLE, NULL);
    }
  else
    {
      g_clear_object (&self->print_cancellable);
      set_print_state (self, RELAIS_PRINT_STATE_FAILED, error->message);
    }
}

/* ---- GObject ------------------------------------------------------------ */

static void
relais_dossier_dispose (GObject *object)
{
  RelaisDossier *self = (RelaisDossier *)object;

  g_cancellable_cancel (self->probe_cancellable);
  g_cancellable_cancel (self->scan_cancellable);
  g_cancellable_cancel (self->send_cancellable);
  g_cancellable_cancel (self->print_cancellable);
  g_clear_object (&self->probe_cancellable);
  g_clear_object (&self->scan_cancellable);
  g_clear_object (&self->send_cancellable);
  g_clear_object (&self->print_cancellable);
  drop_transfer (self);
  g_clear_object (&self->call);
  g_clear_object (&self->scanner);
  g_clear_object (&self->printer);
  g_clear_object (&self->document);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (relais_dossier_parent_class)->dispose (object);
}

static void
relais_dossier_finalize (GObject *object)
{
  RelaisDossier *self = (RelaisDossier *)object;

  g_free (self->failure);
  g_free (self->document_path);
  g_free (self->print_failure);

  G_OBJECT_CLASS (relais_dossier_parent_class)->finalize (object);
}

static void
relais_dossier_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RelaisDossier *self = RELAIS_DOSSIER (object);

  switch (prop_id)
    {
    case PROP_CALL:
      g_value_set_object (value, self->call);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_SCANNING_PAGE:
      g_value_set_uint (value, self->scanning_page);
      break;
    case PROP_FAILURE:
      g_value_set_string (value, self->failure);
      break;
    case PROP_CAMERA:
      g_value_set_boolean (value, self->camera);
      break;
    case PROP_N_PAGES:
      g_value_set_uint (value, relais_dossier_get_n_pages (self));
      break;
    case PROP_RETAKE:
      g_value_set_int (value, self->retake);
      break;
    case PROP_DOCUMENT:
      g_value_set_string (value, self->document_path);
      break;
    case PROP_PRINT_STATE:
      g_value_set_enum (value, self->print_state);
      break;
    case PROP_PRINT_FAILURE:
      g_value_set_string (value, self->print_failure);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_dossier_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  RelaisDossier *self = RELAIS_DOSSIER (object);

  switch (prop_id)
    {
    case PROP_CALL:
      relais_dossier_set_call (self, g_value_get_object (value));
      break;
    case PROP_RETAKE:
      relais_dossier_set_retake (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_dossier_class_init (RelaisDossierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = relais_dossier_dispose;
  object_class->finalize = relais_dossier_finalize;
  object_class->get_property = relais_dossier_get_property;
  object_class->set_property = relais_dossier_set_property;

  properties[PROP_CALL] =
    g_param_spec_object ("call", NULL, NULL, RELAIS_TYPE_CALL, rw);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, RELAIS_TYPE_DOSSIER_STATE, RELAIS_DOSSIER_IDLE, ro);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0, ro);
  properties[PROP_SCANNING_PAGE] =
    g_param_spec_uint ("scanning-page", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_FAILURE] =
    g_param_spec_string ("failure", NULL, NULL, NULL, ro);
  properties[PROP_CAMERA] =
    g_param_spec_boolean ("camera", NULL, NULL, FALSE, ro);
  properties[PROP_N_PAGES] =
    g_param_spec_uint ("n-pages", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_RETAKE] =
    g_param_spec_int ("retake", NULL, NULL, -1, G_MAXINT, -1, rw);
  properties[PROP_DOCUMENT] =
    g_param_spec_string ("document", NULL, NULL, NULL, ro);
  properties[PROP_PRINT_STATE] =
    g_param_spec_enum ("print-state", NULL, NULL, RELAIS_TYPE_PRINT_STATE, RELAIS_PRINT_STATE_IDLE, ro);
  properties[PROP_PRINT_FAILURE] =
    g_param_spec_string ("print-failure", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_PAGES_CHANGED] =
    g_signal_new ("pages-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);
  signals[SIGNAL_RECEIVE_FAILED] =
    g_signal_new ("receive-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
relais_dossier_init (RelaisDossier *self)
{
  self->document = relais_document_new ();
  self->retake = -1;
}

/* ---- Public ------------------------------------------------------------- */

RelaisDossier *
relais_dossier_new (RelaisConfig *config)
{
  RelaisDossier *self;

  g_return_val_if_fail (RELAIS_IS_CONFIG (config), NULL);

  self = g_object_new (RELAIS_TYPE_DOSSIER, NULL);
  self->config = g_object_ref (config);
  return self;
}

void
relais_dossier_set_call (RelaisDossier *self,
                         RelaisCall    *call)
{
  g_return_if_fail (RELAIS_IS_DOSSIER (self));
  g_return_if_fail (call == NULL || RELAIS_IS_CALL (call));

  if (!g_set_object (&self->call, call))
    return;

  if (call == NULL)
    {
      /* Kept: a replacement call resumes what was under way. */
      if (self->transfer != NULL)
        relais_transfer_set_call (self->transfer, NULL);
    }
  else if (self->transfer == NULL)
    ensure_transfer (self);
  else
    relais_transfer_set_call (self->transfer, call);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL]);
}

RelaisCall *
relais_dossier_get_call (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), NULL);
  return self->call;
}

RelaisDossierState
relais_dossier_get_state (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), RELAIS_DOSSIER_IDLE);
  return self->state;
}

double
relais_dossier_get_progress (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), 0.0);
  return self->progress;
}

guint
relais_dossier_get_scanning_page (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), 0);
  return self->scanning_page;
}

const char *
relais_dossier_get_failure (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), NULL);
  return self->failure;
}

void
relais_dossier_prepare (RelaisDossier *self)
{
  g_return_if_fail (RELAIS_IS_DOSSIER (self));

  if (self->probed)
    {
      if (self->camera && self->call != NULL)
        relais_camera_still_prepare (relais_call_get_local_video_sink (self->call));
      return;
    }
  if (self->probe_cancellable != NULL)
    return;

  /* A configured scanner is used as is; "auto" asks SANE for one. */
  if (g_strcmp0 (relais_config_get_scanner_device (self->config), "auto") != 0)
    {
      set_camera (self, FALSE);
      return;
    }
  self->probe_cancellable = g_cancellable_new ();
  relais_scanner_list_devices_async (get_scanner (self), self->probe_cancellable,
                                     devices_cb, g_object_ref (self));
}

RelaisScanner *
relais_dossier_get_scanner (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), NULL);
  return get_scanner (self);
}

gboolean
relais_dossier_get_camera (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), FALSE);
  return self->camera;
}

RelaisDocument *
relais_dossier_get_document (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), NULL);
  return self->document;
}

guint
relais_dossier_get_n_pages (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), 0);
  return relais_document_get_n_pages (self->document);
}

RelaisPage *
relais_dossier_get_page (RelaisDossier *self,
                         guint          index)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), NULL);
  return relais_document_get_page (self->document, index);
}

void
relais_dossier_remove_page (RelaisDossier *self,
                            guint          index)
{
  g_return_if_fail (RELAIS_IS_DOSSIER (self));

  if (index >= relais_document_get_n_pages (self->document))
    return;
  relais_document_remove_page (self->document, index);
  if (self->retake >= (int) relais_document_get_n_pages (self->document))
    set_retake (self, -1);
  pages_changed (self, index, 1, 0);
}

void
relais_dossier_set_retake (RelaisDossier *self,
                           int            index)
{
  g_return_if_fail (RELAIS_IS_DOSSIER (self));
  g_return_if_fail (index >= -1);

  set_retake (self, index);
}

int
relais_dossier_get_retake (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), -1);
  return self->retake;
}

void
relais_dossier_scan_async (RelaisDossier       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (RELAIS_IS_DOSSIER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_dossier_scan_async);

  if (self->scan_cancellable != NULL || self->send_cancellable != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "A scan or a sending is under way");
      return;
    }

  self->scan_base = self->retake >= 0 ? (guint) self->retake : relais_document_get_n_pages (self->document);
  if (self->camera)
    {
      scan_camera (self, task);
      return;
    }

  job = job_new (self, cancellable);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  self->scan_cancellable = g_object_ref (job->cancellable);
  set_scanning_page (self, self->scan_base);
  set_progress (self, 0.0);
  set_state (self, RELAIS_DOSSIER_SCANNING, NULL);
  relais_scanner_scan_async (get_scanner (self), job->cancellable, scan_cb, g_steal_pointer (&task));
}

guint
relais_dossier_scan_finish (RelaisDossier  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  gssize n;

  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  n = g_task_propagate_int (G_TASK (result), error);
  return n > 0 ? (guint) n : 0;
}

void
relais_dossier_send_async (RelaisDossier       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (RELAIS_IS_DOSSIER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_dossier_send_async);

  if (self->scan_cancellable != NULL || self->send_cancellable != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "A scan or a sending is under way");
      return;
    }
  if (relais_document_get_n_pages (self->document) == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "No page to send");
      return;
    }

  job = job_new (self, cancellable);
  job->n_pages = relais_document_get_n_pages (self->document);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  /* Our own cancellable decides: a cancelled sending still tells why. */
  g_task_set_check_cancellable (task, FALSE);
  self->send_cancellable = g_object_ref (job->cancellable);
  set_progress (self, 0.0);
  set_state (self, RELAIS_DOSSIER_SENDING, NULL);
  relais_document_set_colour (self->document, relais_config_get_scanner_colour (self->config));
  relais_document_write_pdf_async (self->document, job->cancellable, pdf_cb, g_steal_pointer (&task));
}

char *
relais_dossier_send_finish (RelaisDossier  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
relais_dossier_cancel (RelaisDossier *self)
{
  g_return_if_fail (RELAIS_IS_DOSSIER (self));

  g_cancellable_cancel (self->scan_cancellable);
  g_cancellable_cancel (self->send_cancellable);
}

void
relais_dossier_clear_pages (RelaisDossier *self)
{
  guint n;

  g_return_if_fail (RELAIS_IS_DOSSIER (self));

  relais_dossier_cancel (self);
  self->generation++;
  n = relais_document_get_n_pages (self->document);
  relais_document_clear (self->document);
  set_retake (self, -1);
  set_progress (self, 0.0);
  set_state (self, RELAIS_DOSSIER_IDLE, NULL);
  if (n > 0)
    pages_changed (self, 0, n, 0);
}

gboolean
relais_dossier_show_document (RelaisDossier *self,
                              const char    *path)
{
  g_autofree char *real = NULL;

  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), FALSE);

  real = resolve_document (path);
  if (real == NULL)
    {
      /* The path is not logged: it may hold the document's name. */
      g_warning ("Refusing to show a document from outside the session directory");
      return FALSE;
    }

  g_cancellable_cancel (self->print_cancellable);
  /* The same name again is a new document: shown afresh. */
  if (g_strcmp0 (self->document_path, real) == 0)
    set_document_path (self, NULL);
  set_print_state (self, RELAIS_PRINT_STATE_IDLE, NULL);
  set_document_path (self, g_steal_pointer (&real));
  return TRUE;
}

const char *
relais_dossier_get_document_path (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), NULL);
  return self->document_path;
}

void
relais_dossier_close_document (RelaisDossier *self)
{
  g_return_if_fail (RELAIS_IS_DOSSIER (self));

  g_cancellable_cancel (self->print_cancellable);
  set_print_state (self, RELAIS_PRINT_STATE_IDLE, NULL);
  set_document_path (self, NULL);
}

void
relais_dossier_print (RelaisDossier *self)
{
  g_return_if_fail (RELAIS_IS_DOSSIER (self));

  if (self->document_path == NULL || self->print_cancellable != NULL)
    return;

  if (self->printer == NULL)
    {
      self->printer = relais_printer_new_from_config (self->config);
      g_signal_connect_object (self->printer, "notify::state",
                               G_CALLBACK (printer_state_cb), self, 0);
    }

  self->print_cancellable = g_cancellable_new ();
  relais_printer_print_async (self->printer, self->document_path, self->print_cancellable,
                              print_done_cb, g_object_ref (self));
}

void
relais_dossier_cancel_print (RelaisDossier *self)
{
  g_return_if_fail (RELAIS_IS_DOSSIER (self));

  g_cancellable_cancel (self->print_cancellable);
}

RelaisPrintState
relais_dossier_get_print_state (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), RELAIS_PRINT_STATE_IDLE);
  return self->print_state;
}

const char *
relais_dossier_get_print_failure (RelaisDossier *self)
{
  g_return_val_if_fail (RELAIS_IS_DOSSIER (self), NULL);
  return self->print_failure;
}

void
relais_dossier_reset (RelaisDossier *self)
{
  g_return_if_fail (RELAIS_IS_DOSSIER (self));

  relais_dossier_clear_pages (self);

  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  self->probed = FALSE;

  /* A fresh transfer: nothing half-received of this person is resumed
   * for the next. */
  drop_transfer (self);

  relais_dossier_close_document (self);

  /* The person's files go now, not after the survey: the scans' PDF and
   * what the advisor sent (a few files on a tmpfs). */
  relais_session_dir_reset (NULL);
  ensure_transfer (self);
}
