/* relais-pdf-sandbox.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-pdf-sandbox"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "relais-pdf-sandbox.h"

#define HELPER_NAME "relais-pdf-helper"
/* The answer's first line: "image 9999 4096 4096 16384\n" and room. */
#define HEADER_MAX 64
#define READ_SIZE  (256 * 1024)

/* ASan reserves terabytes of address space for its shadow: a sanitized
 * helper cannot live under RLIMIT_AS (the CPU and clock limits stay). */
#if defined(__SANITIZE_ADDRESS__)
# define SANITIZED 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define SANITIZED 1
# endif
#endif

struct _RelaisPdfSandbox
{
  GObject  parent_instance;

  char    *helper;
  guint64  memory_bytes;
  guint    cpu_seconds;
  guint    timeout_ms;
};

G_DEFINE_FINAL_TYPE (RelaisPdfSandbox, relais_pdf_sandbox, G_TYPE_OBJECT)

typedef struct
{
  rlim_t memory;
  rlim_t cpu;
} Limits;

typedef struct
{
  GSubprocess  *process;
  GCancellable *cancellable;     /* ours: the caller's, or the clock */
  GCancellable *caller;
  gulong        caller_id;
  GSource      *timeout;
  gboolean      timed_out;
  GByteArray   *answer;
  gsize         answer_max;
  guint         index;
  int           max_width;       /* 0: a count */
  int           max_height;
} Job;

/* ---- Helpers ------------------------------------------------------------ */

void
relais_pdf_image_free (RelaisPdfImage *image)
{
  if (image == NULL)
    return;
  g_clear_pointer (&image->pixels, g_bytes_unref);
  g_free (image);
}

static void
job_free (Job *job)
{
  if (job->caller != NULL)
    g_cancellable_disconnect (job->caller, job->caller_id);
  g_clear_object (&job->caller);
  if (job->timeout != NULL)
    {
      g_source_destroy (job->timeout);
      g_source_unref (job->timeout);
    }
  /* Whatever it was doing, it is over. */
  if (job->process != NULL)
    g_subprocess_force_exit (job->process);
  g_clear_object (&job->process);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->answer, g_byte_array_unref);
  g_free (job);
}

/* Between fork and exec: async-signal-safe calls only. */
static void
child_setup (gpointer user_data)
{
  const Limits *limits = user_data;
  struct rlimit none = { 0, 0 };

  if (limits->memory > 0)
    {
      struct rlimit memory = { limits->memory, limits->memory };

      setrlimit (RLIMIT_AS, &memory);
    }
  if (limits->cpu > 0)
    {
      /* SIGXCPU at the soft limit, SIGKILL a second later. */
      struct rlimit cpu = { limits->cpu, limits->cpu + 1 };

      setrlimit (RLIMIT_CPU, &cpu);
    }
  /* A crash must not leave a core file holding the person's document.
   * (No RLIMIT_FSIZE: fontconfig may refresh its cache, and SIGXFSZ
   * would kill the helper for it.) */
  setrlimit (RLIMIT_CORE, &none);
}

static const char *
helper_path (RelaisPdfSandbox *self)
{
  const char *env = g_getenv ("RELAIS_PDF_HELPER");

  if (self->helper != NULL)
    return self->helper;
  if (env != NULL && *env != '\0')
    return env;
  if (g_file_test (PDF_HELPER_INSTALLED, G_FILE_TEST_IS_EXECUTABLE))
    return PDF_HELPER_INSTALLED;
  return PDF_HELPER_BUILD;
}

static gboolean
parse_field (const char *text,
             guint64     min,
             guint64     max,
             guint64    *value)
{
  return text != NULL && g_ascii_string_to_unsigned (text, 10, min, max, value, NULL);
}

gboolean
relais_pdf_sandbox_parse_answer (const guint8     *data,
                                 gsize             length,
                                 guint             index,
                                 int               max_width,
                                 int               max_height,
                                 guint            *n_pages,
                                 RelaisPdfImage  **image,
                                 GError          **error)
{
  const guint8 *newline;
  g_autofree char *line = NULL;
  g_auto(GStrv) fields = NULL;
  guint64 pages, width, height, stride;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  newline = length > 0 ? memchr (data, '\n', MIN (length, HEADER_MAX)) : NULL;
  if (newline == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no answer from the PDF helper");
      return FALSE;
    }
  line = g_strndup ((const char *) data, newline - data);
  fields = g_strsplit (line, " ", 0);
  if (fields[0] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "an empty answer from the PDF helper");
      return FALSE;
    }

  if (g_str_equal (fields[0], "error"))
    {
      gboolean encrypted = g_strcmp0 (fields[1], "encrypted") == 0;

      g_set_error (error, G_IO_ERROR, encrypted ? G_IO_ERROR_PERMISSION_DENIED : G_IO_ERROR_INVALID_DATA,
                   "the PDF helper says %s", g_strcmp0 (fields[1], "geometry") == 0 ||
                                             g_strcmp0 (fields[1], "no-page") == 0 ||
                                             g_strcmp0 (fields[1], "usage") == 0 ||
                                             encrypted ? fields[1] : "broken");
      return FALSE;
    }

  if (image == NULL)
    {
      if (g_str_equal (fields[0], "pages") && g_strv_length (fields) == 2 &&
          parse_field (fields[1], 1, RELAIS_PDF_SANDBOX_MAX_PAGES, &pages) &&
          (gsize) (newline - data) + 1 == length)
        {
          if (n_pages != NULL)
            *n_pages = (guint) pages;
          return TRUE;
        }
    }
  else if (g_str_equal (fields[0], "image") && g_strv_length (fields) == 5 &&
           parse_field (fields[1], 1, RELAIS_PDF_SANDBOX_MAX_PAGES, &pages) && index < pages &&
           parse_field (fields[2], 1, (guint64) max_width, &width) &&
           parse_field (fields[3], 1, (guint64) max_height, &height) &&
           parse_field (fields[4], width * 4, width * 4, &stride) &&
           length - (gsize) (newline - data) - 1 == stride * height)
    {
      RelaisPdfImage *result = g_new0 (RelaisPdfImage, 1);

      result->n_pages = (guint) pages;
      result->index = index;
      result->width = (int) width;
      result->height = (int) height;
      result->stride = (int) stride;
      result->pixels = g_bytes_new (newline + 1, stride * height);
      if (n_pages != NULL)
        *n_pages = (guint) pages;
      *image = result;
      return TRUE;
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the PDF helper's answer does not add up");
  return FALSE;
}

/* Ends @task with @error, or with what the clock or the caller did. */
static void
job_return_error (GTask  *task,
                  GError *error)
{
  Job *job = g_task_get_task_data (task);

  if (job->timed_out)
    {
      g_error_free (error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "the PDF helper ran out of time");
    }
  else if (job->caller != NULL && g_cancellable_is_cancelled (job->caller))
    {
      g_error_free (error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
    }
  else
    g_task_return_error (task, error);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;
  RelaisPdfImage *image = NULL;
  guint n_pages = 0;

  if (!g_subprocess_wait_finish (job->process, result, &error))
    {
      job_return_error (task, error);
      return;
    }
  if (!g_subprocess_get_if_exited (job->process) || g_subprocess_get_exit_status (job->process) != 0)
    {
      /* A limit (SIGKILL, SIGXCPU, SIGSEGV on a failed allocation) or a
       * crash in poppler: the document is the cause. */
      if (g_subprocess_get_if_signaled (job->process))
        g_debug ("The PDF helper was stopped by signal %d", g_subprocess_get_term_sig (job->process));
      else
        g_debug ("The PDF helper failed (status %d)", g_subprocess_get_exit_status (job->process));
      job_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "the PDF helper died"));
      return;
    }

  if (!relais_pdf_sandbox_parse_answer (job->answer->data, job->answer->len, job->index,
                                        job->max_width, job->max_height, &n_pages,
                                        job->max_width > 0 ? &image : NULL, &error))
    {
      job_return_error (task, error);
      return;
    }
  g_clear_object (&job->process);   /* exited: nothing to force */
  if (image != NULL)
    g_task_return_pointer (task, image, (GDestroyNotify) relais_pdf_image_free);
  else
    g_task_return_int (task, n_pages);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (bytes == NULL)
    {
      job_return_error (task, error);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      g_subprocess_wait_async (job->process, job->cancellable, wait_cb, g_steal_pointer (&task));
      return;
    }

  if (job->answer->len + g_bytes_get_size (bytes) > job->answer_max)
    {
      job_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                                   "the PDF helper's answer is too long"));
      return;
    }
  g_byte_array_append (job->answer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_input_stream_read_bytes_async (G_INPUT_STREAM (source), READ_SIZE, G_PRIORITY_DEFAULT,
                                   job->cancellable, read_cb, g_steal_pointer (&task));
}

static gboolean
timeout_cb (gpointer user_data)
{
  Job *job = user_data;

  job->timed_out = TRUE;
  if (job->process != NULL)
    g_subprocess_force_exit (job->process);
  g_cancellable_cancel (job->cancellable);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller,
                     GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

static void
start (RelaisPdfSandbox    *self,
       const char          *path,
       guint                index,
       int                  max_width,
       int                  max_height,
       GCancellable        *cancellable,
       gpointer             source_tag,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *index_text = g_strdup_printf ("%u", index);
  g_autofree char *width_text = g_strdup_printf ("%d", max_width);
  g_autofree char *height_text = g_strdup_printf ("%d", max_height);
  Limits *limits;
  Job *job;
  int fd;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  job = g_new0 (Job, 1);
  job->index = index;
  job->max_width = max_width;
  job->max_height = max_height;
  job->answer = g_byte_array_new ();
  job->answer_max = HEADER_MAX + (max_width > 0 ? (gsize) max_width * (gsize) max_height * 4 : 0);
  job->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);

  if (g_task_return_error_if_cancelled (task))
    return;

  /* Opened here, handed over as standard input: the helper follows no
   * path, and a link planted in the session directory is refused. */
  fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               "the document cannot be opened (%s)", g_strerror (saved));
      return;
    }

  limits = g_new0 (Limits, 1);
#ifndef SANITIZED
  limits->memory = (rlim_t) self->memory_bytes;
#endif
  limits->cpu = (rlim_t) self->cpu_seconds;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        /* poppler's messages may quote the file */
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_stdin_fd (launcher, fd);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, limits, g_free);
  if (max_width > 0)
    job->process = g_subprocess_launcher_spawn (launcher, &error, helper_path (self), "render",
                                                index_text, width_text, height_text, NULL);
  else
    job->process = g_subprocess_launcher_spawn (launcher, &error, helper_path (self), "count", NULL);
  if (job->process == NULL)
    {
      g_warning ("The PDF helper cannot start: %s", error->message);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "the PDF helper cannot start");
      return;
    }

  if (cancellable != NULL)
    {
      job->caller = g_object_ref (cancellable);
      job->caller_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                              job->cancellable, NULL);
    }
  job->timeout = g_timeout_source_new (self->timeout_ms);
  g_source_set_callback (job->timeout, timeout_cb, job, NULL);
  g_source_set_static_name (job->timeout, "relais-pdf-sandbox-timeout");
  g_source_attach (job->timeout, g_task_get_context (task));

  g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (job->process), READ_SIZE,
                                   G_PRIORITY_DEFAULT, job->cancellable, read_cb,
                                   g_steal_pointer (&task));
}

/* ---- GObject ------------------------------------------------------------ */

static void
relais_pdf_sandbox_finalize (GObject *object)
{
  RelaisPdfSandbox *self = (RelaisPdfSandbox *) object;

  g_free (self->helper);

  G_OBJECT_CLASS (relais_pdf_sandbox_parent_class)->finalize (object);
}

static void
relais_pdf_sandbox_class_init (RelaisPdfSandboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = relais_pdf_sandbox_finalize;
}

static void
relais_pdf_sandbox_init (RelaisPdfSandbox *self)
{
  self->memory_bytes = RELAIS_PDF_SANDBOX_DEFAULT_MEMORY;
  self->cpu_seconds = RELAIS_PDF_SANDBOX_DEFAULT_CPU_S;
  self->timeout_ms = RELAIS_PDF_SANDBOX_DEFAULT_TIMEOUT_MS;
}

/* ---- Public ------------------------------------------------------------- */

RelaisPdfSandbox *
relais_pdf_sandbox_new (void)
{
  return g_object_new (RELAIS_TYPE_PDF_SANDBOX, NULL);
}

void
relais_pdf_sandbox_set_helper (RelaisPdfSandbox *self,
                               const char       *path)
{
  g_return_if_fail (RELAIS_IS_PDF_SANDBOX (self));

  g_free (self->helper);
  self->helper = g_strdup (path);
}

void
relais_pdf_sandbox_set_limits (RelaisPdfSandbox *self,
                               guint64           memory_bytes,
                               guint             cpu_seconds,
                               guint             timeout_ms)
{
  g_return_if_fail (RELAIS_IS_PDF_SANDBOX (self));
  g_return_if_fail (cpu_seconds > 0 && timeout_ms > 0);

  self->memory_bytes = memory_bytes;
  self->cpu_seconds = cpu_seconds;
  self->timeout_ms = timeout_ms;
}

void
relais_pdf_sandbox_count_pages_async (RelaisPdfSandbox    *self,
                                      const char          *path,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (RELAIS_IS_PDF_SANDBOX (self));
  g_return_if_fail (path != NULL);

  start (self, path, 0, 0, 0, cancellable, relais_pdf_sandbox_count_pages_async, callback, user_data);
}

gboolean
relais_pdf_sandbox_count_pages_finish (RelaisPdfSandbox  *self,
                                       GAsyncResult      *result,
                                       guint             *n_pages,
                                       GError           **error)
{
  GError *local_error = NULL;
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  count = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (n_pages != NULL)
    *n_pages = (guint) count;
  return TRUE;
}

void
relais_pdf_sandbox_render_async (RelaisPdfSandbox    *self,
                                 const char          *path,
                                 guint                index,
                                 int                  max_width,
                                 int                  max_height,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (RELAIS_IS_PDF_SANDBOX (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (max_width > 0 && max_width <= RELAIS_PDF_SANDBOX_MAX_SIDE);
  g_return_if_fail (max_height > 0 && max_height <= RELAIS_PDF_SANDBOX_MAX_SIDE);

  start (self, path, index, max_width, max_height, cancellable,
         relais_pdf_sandbox_render_async, callback, user_data);
}

RelaisPdfImage *
relais_pdf_sandbox_render_finish (RelaisPdfSandbox  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Blocking ----------------------------------------------------------- */

static void
sync_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
run_sync (RelaisPdfSandbox *self,
          const char       *path,
          guint             index,
          int               max_width,
          int               max_height,
          GCancellable     *cancellable)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  GAsyncResult *result = NULL;

  g_main_context_push_thread_default (context);
  if (max_width > 0)
    relais_pdf_sandbox_render_async (self, path, index, max_width, max_height, cancellable, sync_cb, &result);
  else
    relais_pdf_sandbox_count_pages_async (self, path, cancellable, sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  return result;
}

gboolean
relais_pdf_sandbox_count_pages (RelaisPdfSandbox  *self,
                                const char        *path,
                                GCancellable      *cancellable,
                                guint             *n_pages,
                                GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (RELAIS_IS_PDF_SANDBOX (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  result = run_sync (self, path, 0, 0, 0, cancellable);
  return relais_pdf_sandbox_count_pages_finish (self, result, n_pages, error);
}

RelaisPdfImage *
relais_pdf_sandbox_render (RelaisPdfSandbox  *self,
                           const char        *path,
                           guint              index,
                           int                max_width,
                           int                max_height,
                           GCancellable      *cancellable,
                           GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (RELAIS_IS_PDF_SANDBOX (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (max_width > 0, NULL);

  result = run_sync (self, path, index, max_width, max_height, cancellable);
  return relais_pdf_sandbox_render_finish (self, result, error);
}
