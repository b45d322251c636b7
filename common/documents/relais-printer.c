/* relais-printer.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-printer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cups/cups.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "relais-error.h"
#include "relais-main-hop.h"
#include "relais-pdf-sandbox.h"
#include "relais-printer.h"

/* How often the worker asks CUPS where the job stands. */
#define POLL_INTERVAL_MS 250
/* A job that neither starts nor fails in this time is given up: the
 * person should not wait at the booth for a printer that never answers. */
#define QUEUED_TIMEOUT_S 90
#define PRINTING_TIMEOUT_S 300
/* Plenty for a document of a few pages; a connection that takes longer
 * is to a scheduler that is not there. */
#define CONNECT_TIMEOUT_MS 10000
/* A printer waking up says "offline" or "connecting-to-device" for a few
 * seconds; one that stays so is off, unplugged or unreachable. */
#define OFFLINE_GRACE_S 20

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ipp_t, ippDelete)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (http_t, httpClose)

struct _RelaisPrinter
{
  GObject           parent_instance;

  char             *queue_name;   /* NULL: CUPS's default */
  guint             copies;
  gboolean          duplex;
  guint             max_pages;

  RelaisPrintState  state;
  int               job_id;
  guint             job_counter;
  gboolean          busy;
  gboolean          disposed;
  GCancellable     *cancellable;  /* cancelled in dispose */
};

G_DEFINE_FINAL_TYPE (RelaisPrinter, relais_printer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_JOB_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What the worker owns: copies of everything it needs, so it never reads
 * the printer object. */
typedef struct
{
  char         *path;
  char         *queue_name;
  char         *title;
  guint         copies;
  gboolean      duplex;
  guint         max_pages;
  GCancellable *printer_cancellable;
  GMainContext *context;
  RelaisPrinter *printer;        /* only for the hops */
} PrintJob;

static void
print_job_free (PrintJob *job)
{
  g_free (job->path);
  g_free (job->queue_name);
  g_free (job->title);
  g_clear_object (&job->printer_cancellable);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_clear_object (&job->printer);
  g_free (job);
}

typedef struct
{
  RelaisPrintState state;
  int              job_id;
} StateHop;

static void
set_state (RelaisPrinter    *self,
           RelaisPrintState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_debug ("Print job %d: %s", self->job_id,
           g_enum_get_value (g_type_class_peek (RELAIS_TYPE_PRINT_STATE), state)->value_nick);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
state_hop_cb (gpointer owner,
              gpointer data)
{
  RelaisPrinter *self = owner;
  StateHop *hop = data;

  /* A late hop of a job already finished must not undo its end. */
  if (!self->busy)
    return;

  if (hop->job_id != 0 && hop->job_id != self->job_id)
    {
      self->job_id = hop->job_id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB_ID]);
    }
  set_state (self, hop->state);
}

static void
report_state (PrintJob         *job,
              RelaisPrintState  state,
              int               job_id)
{
  StateHop *hop = g_new0 (StateHop, 1);

  hop->state = state;
  hop->job_id = job_id;
  relais_main_hop (job->context, job->printer, &job->printer->disposed,
                   "relais-printer-state", state_hop_cb, hop, g_free);
}

static gboolean
job_cancelled (PrintJob     *job,
               GCancellable *cancellable)
{
  return g_cancellable_is_cancelled (cancellable) ||
         g_cancellable_is_cancelled (job->printer_cancellable);
}

/* The next step said with every failure: the person cannot fix a printer,
 * the reception agent can. */
static void
set_printer_error (GError     **error,
                   const char  *what)
{
  g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_PRINTER, "%s %s", what,
               _("Demandez à l'agent d'accueil de vérifier l'imprimante."));
}

gboolean
relais_printer_check_pdf (const char  *path,
                          guint        max_pages,
                          guint       *n_pages,
                          GError     **error)
{
  g_autoptr(RelaisPdfSandbox) sandbox = NULL;
  g_autoptr(GError) local_error = NULL;
  char magic[5] = { 0 };
  ssize_t n;
  int fd;
  guint pages = 0;

  g_return_val_if_fail (path != NULL, FALSE);

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_PRINTER,
                   _("Le document n'est plus là (%s). Demandez à votre conseiller de vous le renvoyer."),
                   g_strerror (errno));
      return FALSE;
    }
  n = read (fd, magic, sizeof magic);
  close (fd);

  /* Checked before poppler reads it: what came over the network must at
   * least claim to be a PDF before anything parses it. */
  if (n != sizeof magic || memcmp (magic, "%PDF-", sizeof magic) != 0)
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_PRINTER,
                           _("Ce fichier n'est pas un document PDF : il ne peut pas être imprimé. "
                             "Demandez à votre conseiller de vous l'envoyer en PDF."));
      return FALSE;
    }

  /* Counted by the PDF helper, not here: poppler on a document from the
   * network must not be able to take the kiosk down (issue 12, item 6).
   * CUPS's own filters print it, in the scheduler's processes. */
  sandbox = relais_pdf_sandbox_new ();
  if (!relais_pdf_sandbox_count_pages (sandbox, path, NULL, &pages, &local_error))
    {
      g_debug ("The document cannot be counted: %s", local_error->message);
      /* The helper's words are for the log; the person gets ours. A
       * helper that died or ran out of time read a broken document too. */
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_PRINTER,
                           g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
                           ? _("Ce document est protégé par un mot de passe : il ne peut pas être imprimé ici. "
                               "Demandez à votre conseiller de vous l'envoyer sans mot de passe.")
                           : _("Ce document PDF est abîmé : il ne peut pas être imprimé. "
                               "Demandez à votre conseiller de vous le renvoyer."));
      return FALSE;
    }

  if (pages > max_pages)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_PRINTER,
                   _("Ce document a trop de pages pour cette borne (%d pages, %u au plus). "
                     "Demandez à votre conseiller de vous l'envoyer par courrier ou par e-mail."),
                   (int) pages, max_pages);
      return FALSE;
    }

  if (n_pages != NULL)
    *n_pages = pages;
  return TRUE;
}

/* Anything in "printer-state-reasons" that keeps the job from coming out,
 * said in plain words; NULL when nothing does. Reasons come as
 * "media-empty-error", "media-jam-warning"…: only errors stop a printer
 * (and "-report" ones are for information), except that a printer still
 * offline or unreachable after @grace_over is given up whatever the
 * suffix (the usb and socket backends report those, and retry forever). */
static const char *
blocking_reason (ipp_attribute_t *reasons,
                 gboolean         grace_over)
{
  static const struct {
    const char *prefix;
    const char *message;
  } table[] = {
    { "media-empty",           N_("L'imprimante n'a plus de papier.") },
    { "media-needed",          N_("L'imprimante n'a plus de papier.") },
    { "input-tray-missing",    N_("Il manque le bac à papier de l'imprimante.") },
    { "media-jam",             N_("Une feuille est coincée dans l'imprimante.") },
    { "door-open",             N_("Un capot de l'imprimante est ouvert.") },
    { "cover-open",            N_("Un capot de l'imprimante est ouvert.") },
    { "toner-empty",           N_("L'imprimante n'a plus d'encre.") },
    { "marker-supply-empty",   N_("L'imprimante n'a plus d'encre.") },
    { "offline",               N_("L'imprimante est éteinte ou débranchée.") },
    { "shutdown",              N_("L'imprimante est éteinte ou débranchée.") },
    { "timed-out",             N_("L'imprimante ne répond pas.") },
  };
  int count = reasons != NULL ? ippGetCount (reasons) : 0;

  for (int i = 0; i < count; i++)
    {
      const char *reason = ippGetString (reasons, i, NULL);

      if (reason == NULL)
        continue;
      if (grace_over && g_str_has_prefix (reason, "offline"))
        return _("L'imprimante est éteinte ou débranchée.");
      if (grace_over && g_str_has_prefix (reason, "connecting-to-device"))
        return _("L'imprimante ne répond pas.");
      if (!g_str_has_suffix (reason, "-error"))
        continue;
      for (gsize j = 0; j < G_N_ELEMENTS (table); j++)
        if (g_str_has_prefix (reason, table[j].prefix))
          return _(table[j].message);
    }

  return NULL;
}

static ipp_t *
new_request (ipp_op_t    op,
             const char *uri_name,
             const char *uri)
{
  ipp_t *request = ippNewRequest (op);

  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, uri_name, NULL, uri);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser ());
  return request;
}

/* Asks the scheduler for the @wanted attributes of the printer or job at
 * @uri (@uri_name says which). NULL when it did not answer or refused;
 * cupsLastError() then says why. */
static ipp_t *
get_attributes (http_t             *http,
                ipp_op_t            op,
                const char         *uri_name,
                const char         *uri,
                const char * const *wanted,
                int                 n_wanted)
{
  g_autoptr(ipp_t) request = new_request (op, uri_name, uri);
  g_autoptr(ipp_t) response = NULL;

  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 n_wanted, NULL, wanted);
  response = cupsDoRequest (http, g_steal_pointer (&request), "/");
  if (response == NULL || ippGetStatusCode (response) > IPP_STATUS_OK_CONFLICTING)
    return NULL;
  return g_steal_pointer (&response);
}

/* Asks the scheduler about the queue. FALSE with @error when the printer
 * cannot take or finish a job: stopped, not accepting, or an error
 * reason (out of paper…). */
static gboolean
check_printer (http_t      *http,
               const char  *queue_name,
               gboolean     grace_over,
               GError     **error)
{
  static const char * const wanted[] = {
    "printer-state", "printer-state-reasons", "printer-is-accepting-jobs",
  };
  char uri[HTTP_MAX_URI];
  g_autoptr(ipp_t) response = NULL;
  ipp_attribute_t *attribute;
  const char *reason;

  httpAssembleURIf (HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", NULL, "localhost", 0,
                    "/printers/%s", queue_name);
  response = get_attributes (http, IPP_OP_GET_PRINTER_ATTRIBUTES, "printer-uri", uri,
                             wanted, G_N_ELEMENTS (wanted));
  if (response == NULL)
    {
      if (cupsLastError () == IPP_STATUS_ERROR_NOT_FOUND)
        set_printer_error (error, _("L'imprimante de la borne est introuvable."));
      else
        set_printer_error (error, _("Le service d'impression de la borne ne répond pas."));
      return FALSE;
    }

  reason = blocking_reason (ippFindAttribute (response, "printer-state-reasons", IPP_TAG_KEYWORD),
                            grace_over);
  if (reason != NULL)
    {
      set_printer_error (error, reason);
      return FALSE;
    }

  attribute = ippFindAttribute (response, "printer-state", IPP_TAG_ENUM);
  if (attribute != NULL && ippGetInteger (attribute, 0) == IPP_PSTATE_STOPPED)
    {
      set_printer_error (error, _("L'imprimante est arrêtée."));
      return FALSE;
    }

  attribute = ippFindAttribute (response, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
  if (attribute != NULL && !ippGetBoolean (attribute, 0))
    {
      set_printer_error (error, _("L'imprimante n'accepte pas de documents en ce moment."));
      return FALSE;
    }

  return TRUE;
}

/* The job's state (IPP_JSTATE_*), or 0 when the scheduler did not say. */
static int
get_job_state (http_t *http,
               int     job_id)
{
  static const char * const wanted[] = { "job-state" };
  char uri[HTTP_MAX_URI];
  g_autoptr(ipp_t) response = NULL;
  ipp_attribute_t *attribute;

  httpAssembleURIf (HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", NULL, "localhost", 0,
                    "/jobs/%d", job_id);
  response = get_attributes (http, IPP_OP_GET_JOB_ATTRIBUTES, "job-uri", uri,
                             wanted, G_N_ELEMENTS (wanted));
  if (response == NULL)
    return 0;

  attribute = ippFindAttribute (response, "job-state", IPP_TAG_ENUM);
  return attribute != NULL ? ippGetInteger (attribute, 0) : 0;
}

/* Sends the file as one document of a new job. Returns the job id, or 0
 * with @error set. */
static int
submit (http_t      *http,
        PrintJob    *job,
        GError     **error)
{
  g_autofree char *copies = g_strdup_printf ("%u", job->copies);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  cups_option_t *options = NULL;
  int num_options = 0;
  gsize length = 0;
  int job_id;

  if (!g_file_get_contents (job->path, &contents, &length, &local_error))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_PRINTER,
                   _("Le document n'a pas pu être lu (%s). Demandez à votre conseiller de vous le renvoyer."),
                   local_error->message);
      return 0;
    }

  num_options = cupsAddOption ("copies", copies, num_options, &options);
  num_options = cupsAddOption ("sides", job->duplex ? "two-sided-long-edge" : "one-sided",
                               num_options, &options);

  /* cupsPrintFile2() would name the document after the file: the
   * document's name would then sit in CUPS's logs and job history. The
   * job and its document carry our counter only. */
  job_id = cupsCreateJob (http, job->queue_name, job->title, num_options, options);
  cupsFreeOptions (num_options, options);
  if (job_id <= 0)
    {
      g_debug ("Create-Job refused: %s", cupsLastErrorString ());
      if (cupsLastError () == IPP_STATUS_ERROR_NOT_FOUND)
        set_printer_error (error, _("L'imprimante de la borne est introuvable."));
      else if (cupsLastError () == IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS)
        set_printer_error (error, _("L'imprimante n'accepte pas de documents en ce moment."));
      else
        set_printer_error (error, _("L'imprimante a refusé le document."));
      return 0;
    }

  if (cupsStartDocument (http, job->queue_name, job_id, job->title, CUPS_FORMAT_PDF, 1) != HTTP_STATUS_CONTINUE ||
      cupsWriteRequestData (http, contents, length) != HTTP_STATUS_CONTINUE ||
      cupsFinishDocument (http, job->queue_name) > IPP_STATUS_OK_CONFLICTING)
    {
      g_debug ("Sending the document of job %d failed: %s", job_id, cupsLastErrorString ());
      cupsCancelJob2 (http, job->queue_name, job_id, 1);
      set_printer_error (error, _("Le document n'a pas pu être envoyé à l'imprimante."));
      return 0;
    }

  return job_id;
}

static void
print_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PrintJob *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(http_t) http = NULL;
  cups_dest_t *dest;
  RelaisPrintState reported = RELAIS_PRINT_STATE_SENDING;
  gint64 started;
  guint n_pages = 0;
  int job_id;

  if (!relais_printer_check_pdf (job->path, job->max_pages, &n_pages, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  http = httpConnect2 (cupsServer (), ippPort (), NULL, AF_UNSPEC, cupsEncryption (),
                       1, CONNECT_TIMEOUT_MS, NULL);
  if (http == NULL)
    {
      set_printer_error (&error, _("Le service d'impression de la borne ne répond pas."));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Resolve the queue: the configured one must exist; with none
   * configured, CUPS's default destination must be set. */
  dest = cupsGetNamedDest (http, job->queue_name, NULL);
  if (dest == NULL)
    {
      if (job->queue_name == NULL)
        set_printer_error (&error, _("Aucune imprimante n'est installée sur cette borne."));
      else
        set_printer_error (&error, _("L'imprimante de la borne est introuvable."));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (job->queue_name == NULL)
    job->queue_name = g_strdup (dest->name);
  cupsFreeDests (1, dest);

  /* A stopped queue would keep the document and print it whenever it is
   * started again, maybe for the next person to take: don't send it. */
  if (!check_printer (http, job->queue_name, FALSE, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (job_cancelled (job, cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Printing cancelled");
      return;
    }

  job_id = submit (http, job, &error);
  if (job_id == 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("Job %d sent to CUPS (%u pages, %u copies)", job_id, n_pages, job->copies);
  report_state (job, RELAIS_PRINT_STATE_QUEUED, job_id);
  reported = RELAIS_PRINT_STATE_QUEUED;

  started = g_get_monotonic_time ();
  for (;;)
    {
      int state;
      gint64 waited_s;

      if (job_cancelled (job, cancellable))
        {
          cupsCancelJob2 (http, job->queue_name, job_id, 1);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Printing cancelled");
          return;
        }

      state = get_job_state (http, job_id);
      switch (state)
        {
        case IPP_JSTATE_COMPLETED:
          /* Gone from the spool and the history: the printed document
           * is the person's alone. */
          cupsCancelJob2 (http, job->queue_name, job_id, 1);
          g_task_return_boolean (task, TRUE);
          return;

        case IPP_JSTATE_CANCELED:
          cupsCancelJob2 (http, job->queue_name, job_id, 1);
          g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_PRINTER, "%s %s",
                                   _("L'impression a été annulée."),
                                   _("Touchez « Réessayer » pour imprimer à nouveau."));
          return;

        case IPP_JSTATE_ABORTED:
          cupsCancelJob2 (http, job->queue_name, job_id, 1);
          set_printer_error (&error, _("L'imprimante n'a pas pu imprimer le document."));
          g_task_return_error (task, g_steal_pointer (&error));
          return;

        case IPP_JSTATE_PROCESSING:
          if (reported != RELAIS_PRINT_STATE_PRINTING)
            {
              report_state (job, RELAIS_PRINT_STATE_PRINTING, job_id);
              reported = RELAIS_PRINT_STATE_PRINTING;
            }
          break;

        default:
          /* Pending, held, stopped, or the scheduler did not answer this
           * once: the printer's own state says whether to wait on. */
          break;
        }

      waited_s = (g_get_monotonic_time () - started) / G_USEC_PER_SEC;
      if (!check_printer (http, job->queue_name, waited_s >= OFFLINE_GRACE_S, &error))
        {
          cupsCancelJob2 (http, job->queue_name, job_id, 1);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      if ((reported == RELAIS_PRINT_STATE_QUEUED && waited_s > QUEUED_TIMEOUT_S) ||
          waited_s > PRINTING_TIMEOUT_S)
        {
          cupsCancelJob2 (http, job->queue_name, job_id, 1);
          set_printer_error (&error, _("L'imprimante ne répond pas."));
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      g_usleep (POLL_INTERVAL_MS * 1000);
    }
}

static void
relais_printer_dispose (GObject *object)
{
  RelaisPrinter *self = (RelaisPrinter *)object;

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (relais_printer_parent_class)->dispose (object);
}

static void
relais_printer_finalize (GObject *object)
{
  RelaisPrinter *self = (RelaisPrinter *)object;

  g_clear_object (&self->cancellable);
  g_free (self->queue_name);

  G_OBJECT_CLASS (relais_printer_parent_class)->finalize (object);
}

static void
relais_printer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RelaisPrinter *self = RELAIS_PRINTER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_JOB_ID:
      g_value_set_int (value, self->job_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_printer_class_init (RelaisPrinterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_printer_dispose;
  object_class->finalize = relais_printer_finalize;
  object_class->get_property = relais_printer_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       RELAIS_TYPE_PRINT_STATE, RELAIS_PRINT_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_JOB_ID] =
    g_param_spec_int ("job-id", NULL, NULL,
                      0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
relais_printer_init (RelaisPrinter *self)
{
  self->copies = 1;
  self->max_pages = RELAIS_PRINTER_DEFAULT_MAX_PAGES;
  self->cancellable = g_cancellable_new ();
}

RelaisPrinter *
relais_printer_new (const char *queue_name,
                    guint       copies,
                    gboolean    duplex,
                    guint       max_pages)
{
  RelaisPrinter *self = g_object_new (RELAIS_TYPE_PRINTER, NULL);

  self->queue_name = g_strdup (queue_name);
  self->copies = CLAMP (copies, 1, 5);
  self->duplex = duplex;
  self->max_pages = max_pages > 0 ? max_pages : RELAIS_PRINTER_DEFAULT_MAX_PAGES;
  return self;
}

RelaisPrinter *
relais_printer_new_from_config (RelaisConfig *config)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (config), NULL);

  return relais_printer_new (relais_config_get_printer_name (config),
                             relais_config_get_printer_copies (config),
                             relais_config_get_printer_duplex (config),
                             relais_config_get_printer_max_pages (config));
}

static void
print_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RelaisPrinter *self = RELAIS_PRINTER (source);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      set_state (self, RELAIS_PRINT_STATE_FAILED);
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }

  set_state (self, RELAIS_PRINT_STATE_DONE);
  g_task_return_boolean (outer, TRUE);
}

void
relais_printer_print_async (RelaisPrinter       *self,
                            const char          *pdf_path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  PrintJob *job;

  g_return_if_fail (RELAIS_IS_PRINTER (self));
  g_return_if_fail (pdf_path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, relais_printer_print_async);

  if (self->busy)
    {
      g_task_return_new_error (outer, RELAIS_ERROR, RELAIS_ERROR_PRINTER,
                               _("Un document est déjà en cours d'impression. Attendez qu'il soit sorti."));
      return;
    }

  self->busy = TRUE;
  self->job_counter++;
  if (self->job_id != 0)
    {
      self->job_id = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB_ID]);
    }
  set_state (self, RELAIS_PRINT_STATE_SENDING);

  job = g_new0 (PrintJob, 1);
  job->path = g_strdup (pdf_path);
  job->queue_name = g_strdup (self->queue_name);
  /* Never the document's name: job titles land in CUPS's logs. */
  job->title = g_strdup_printf ("Relais %u", self->job_counter);
  job->copies = self->copies;
  job->duplex = self->duplex;
  job->max_pages = self->max_pages;
  job->printer_cancellable = g_object_ref (self->cancellable);
  job->context = g_main_context_ref_thread_default ();
  job->printer = g_object_ref (self);

  /* The inner task runs in the thread; the outer one finishes on the
   * caller's context after the state has been set, so a caller reading
   * "state" in its callback sees the end. */
  task = g_task_new (self, cancellable, print_done_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (task, relais_printer_print_async);
  g_task_set_task_data (task, job, (GDestroyNotify) print_job_free);
  g_task_run_in_thread (task, print_thread);
}

gboolean
relais_printer_print_finish (RelaisPrinter  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (RELAIS_IS_PRINTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

RelaisPrintState
relais_printer_get_state (RelaisPrinter *self)
{
  g_return_val_if_fail (RELAIS_IS_PRINTER (self), RELAIS_PRINT_STATE_IDLE);

  return self->state;
}

const char *
relais_printer_get_queue_name (RelaisPrinter *self)
{
  g_return_val_if_fail (RELAIS_IS_PRINTER (self), NULL);

  return self->queue_name;
}

int
relais_printer_get_job_id (RelaisPrinter *self)
{
  g_return_val_if_fail (RELAIS_IS_PRINTER (self), 0);

  return self->job_id;
}
