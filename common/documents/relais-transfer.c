/* relais-transfer.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-transfer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "relais-error.h"
#include "relais-main-hop.h"
#include "relais-session-dir.h"
#include "relais-transfer-protocol.h"
#include "relais-transfer.h"

/* Chunks waiting in the call's own queue: enough to keep the channel busy
 * between two "send-queue-low", little enough that a chat line or a
 * control message never waits behind a whole document. */
#define PUMP_HIGH_WATER (512 * 1024)
#define TEMP_PREFIX     ".relais-part-"
#define MAX_NAME_TRIES  100
/* An offer nobody answered is made again this often: in a VideoRoom the
 * receiver may subscribe to our feed only after we offered (and nothing
 * reaches a participant before that). Offers are idempotent (same id). */
#define OFFER_RETRY_MS  2000

typedef struct
{
  RelaisTransfer *self;          /* not owned */
  guint64         id;
  GBytes         *contents;
  char           *name;
  const char     *mime;
  char            sha256[65];
  guint32         chunk_size;
  guint32         n_chunks;
  guint32         next;          /* next chunk to queue */
  gboolean        accepted;
  gboolean        done_sent;
  GTask          *task;
  GCancellable   *cancellable;
  gulong          cancelled_id;
} Sending;

typedef struct
{
  guint64     id;
  char       *name;
  const char *mime;
  char        sha256[65];
  guint64     size;
  guint32     chunk_size;
  guint32     n_chunks;
  guint32     next;              /* next chunk expected */
  guint64     received;
  GChecksum  *checksum;          /* of chunks [0, next) */
  int         fd;
  char       *temp_path;
} Receiving;

struct _RelaisTransfer
{
  GObject       parent_instance;

  GMainContext *context;
  RelaisCall   *call;
  gulong        message_id;
  gulong        data_id;
  gulong        queue_low_id;

  char         *receive_dir;
  guint64       max_size;
  guint64       session_bytes;   /* the quota */
  guint64       reserved;        /* announced sizes of receiving + completed */
  guint32       chunk_size;

  GPtrArray    *sending;         /* Sending *, in the order they were asked */
  GHashTable   *receiving;       /* guint64 * → Receiving * */
  GHashTable   *completed;       /* guint64 * → char * sha256, to acknowledge again */
  GHashTable   *refused;         /* guint64 * set: unknown ids already refused,
                                  * at most RELAIS_TRANSFER_MAX_REFUSED */

  guint         offer_source;

  gboolean      pumping;
  gboolean      disposed;
};

G_DEFINE_FINAL_TYPE (RelaisTransfer, relais_transfer, G_TYPE_OBJECT)

enum {
  SIGNAL_SEND_PROGRESS,
  SIGNAL_RECEIVE_STARTED,
  SIGNAL_RECEIVE_PROGRESS,
  SIGNAL_RECEIVED,
  SIGNAL_RECEIVE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void pump (RelaisTransfer *self);

/* ---- Helpers ------------------------------------------------------------ */

static guint64 *
id_key (guint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

static guint64
new_id (void)
{
  guint64 id = 0;

  while (id == 0)
    id = ((guint64) g_random_int () << 32) | g_random_int ();
  return id;
}

static void
sending_free (gpointer data)
{
  Sending *sending = data;

  if (sending->cancellable != NULL && sending->cancelled_id != 0)
    g_cancellable_disconnect (sending->cancellable, sending->cancelled_id);
  g_clear_object (&sending->cancellable);
  g_bytes_unref (sending->contents);
  g_free (sending->name);
  g_clear_object (&sending->task);
  g_free (sending);
}

static void
receiving_free (gpointer data)
{
  Receiving *receiving = data;

  /* A transfer still here when freed did not finish: nothing stays. */
  if (receiving->fd >= 0)
    close (receiving->fd);
  if (receiving->temp_path != NULL)
    g_unlink (receiving->temp_path);
  g_free (receiving->temp_path);
  g_free (receiving->name);
  g_clear_pointer (&receiving->checksum, g_checksum_free);
  g_free (receiving);
}

static void
send_message (RelaisTransfer              *self,
              const RelaisTransferMessage *message)
{
  g_autofree char *text = relais_transfer_message_to_json (message);
  g_autoptr(GError) error = NULL;

  if (self->call == NULL)
    return;
  if (!relais_call_send_message (self->call, text, &error))
    g_debug ("Transfer message not sent: %s", error->message);
}

static void
send_refusal (RelaisTransfer       *self,
              guint64               id,
              RelaisTransferReason  reason)
{
  RelaisTransferMessage message = { 0 };

  if (id == 0)
    return;   /* nothing the other side could match it with */
  message.type = RELAIS_TRANSFER_REFUSE;
  message.id = id;
  message.reason = reason;
  g_debug ("Refusing transfer %016" G_GINT64_MODIFIER "x: %s",
           id, relais_transfer_reason_to_string (reason));
  send_message (self, &message);
}

static Sending *
find_sending (RelaisTransfer *self,
              guint64         id)
{
  for (guint i = 0; i < self->sending->len; i++)
    {
      Sending *sending = g_ptr_array_index (self->sending, i);

      if (sending->id == id)
        return sending;
    }
  return NULL;
}

static void
offer (RelaisTransfer *self,
       Sending        *sending)
{
  RelaisTransferMessage message = { 0 };

  message.type = RELAIS_TRANSFER_OFFER;
  message.id = sending->id;
  message.name = sending->name;
  message.size = g_bytes_get_size (sending->contents);
  message.mime = sending->mime;
  memcpy (message.sha256, sending->sha256, sizeof message.sha256);
  message.chunk_size = sending->chunk_size;
  send_message (self, &message);
}

static gboolean
offer_again_cb (gpointer user_data)
{
  RelaisTransfer *self = user_data;
  gboolean waiting = FALSE;

  for (guint i = 0; i < self->sending->len; i++)
    {
      Sending *sending = g_ptr_array_index (self->sending, i);

      if (!sending->accepted && self->call != NULL)
        {
          offer (self, sending);
          waiting = TRUE;
        }
    }
  if (waiting)
    return G_SOURCE_CONTINUE;
  self->offer_source = 0;
  return G_SOURCE_REMOVE;
}

static void
watch_offers (RelaisTransfer *self)
{
  if (self->offer_source == 0)
    {
      GSource *source = g_timeout_source_new (OFFER_RETRY_MS);

      g_source_set_callback (source, offer_again_cb, self, NULL);
      g_source_set_static_name (source, "relais-transfer-offer");
      self->offer_source = g_source_attach (source, self->context);
      g_source_unref (source);
    }
}

/* Ends a send: the task gets @sha256 or @error; the entry goes. */
static void
sending_finish (RelaisTransfer *self,
                Sending        *sending,
                const char     *sha256,
                GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&sending->task);

  g_ptr_array_remove (self->sending, sending);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (sha256), g_free);
}

/* ---- Receiving ---------------------------------------------------------- */

static void
receiving_abort (RelaisTransfer       *self,
                 Receiving            *receiving,
                 RelaisTransferReason  reason,
                 gboolean              tell_sender)
{
  guint64 id = receiving->id;

  if (tell_sender)
    send_refusal (self, id, reason);
  /* receiving_free removes the partial file: its bytes are free again. */
  self->reserved -= receiving->size;
  g_hash_table_remove (self->receiving, &id);
  g_signal_emit (self, signals[SIGNAL_RECEIVE_FAILED], 0, id,
                 relais_transfer_reason_to_message (reason));
}

/* "name.pdf", then "name (2).pdf"…: link() fails rather than replace. */
static char *
place_file (RelaisTransfer *self,
            Receiving      *receiving,
            GError        **error)
{
  const char *dot = strrchr (receiving->name, '.');
  g_autofree char *stem = dot != NULL ? g_strndup (receiving->name, dot - receiving->name)
                                      : g_strdup (receiving->name);
  const char *extension = dot != NULL ? dot : "";

  for (guint i = 1; i <= MAX_NAME_TRIES; i++)
    {
      g_autofree char *name = i == 1 ? g_strdup (receiving->name)
                                     : g_strdup_printf ("%s (%u)%s", stem, i, extension);
      g_autofree char *path = g_build_filename (self->receive_dir, name, NULL);

      if (link (receiving->temp_path, path) == 0)
        {
          g_unlink (receiving->temp_path);
          g_clear_pointer (&receiving->temp_path, g_free);
          return g_steal_pointer (&path);
        }
      if (errno != EEXIST)
        break;
    }

  g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED, "could not place the file");
  return NULL;
}

static void
receiving_complete (RelaisTransfer *self,
                    Receiving      *receiving)
{
  RelaisTransferMessage ack = { 0 };
  const char *sha256 = g_checksum_get_string (receiving->checksum);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint64 id = receiving->id;

  if (!g_str_equal (sha256, receiving->sha256))
    {
      receiving_abort (self, receiving, RELAIS_TRANSFER_REASON_BAD_HASH, TRUE);
      return;
    }

  if (close (receiving->fd) != 0)
    {
      receiving->fd = -1;
      receiving_abort (self, receiving, RELAIS_TRANSFER_REASON_STORAGE, TRUE);
      return;
    }
  receiving->fd = -1;

  path = place_file (self, receiving, &error);
  if (path == NULL)
    {
      receiving_abort (self, receiving, RELAIS_TRANSFER_REASON_STORAGE, TRUE);
      return;
    }

  ack.type = RELAIS_TRANSFER_ACK;
  ack.id = id;
  memcpy (ack.sha256, receiving->sha256, sizeof ack.sha256);
  send_message (self, &ack);

  g_hash_table_insert (self->completed, id_key (id), g_strdup (receiving->sha256));
  {
    guint64 size = receiving->size;
    g_autofree char *hash = g_strdup (receiving->sha256);

    g_hash_table_remove (self->receiving, &id);
    g_signal_emit (self, signals[SIGNAL_RECEIVED], 0, id, path, size, hash);
  }
}

static void
handle_offer (RelaisTransfer              *self,
              const RelaisTransferMessage *message)
{
  RelaisTransferMessage answer = { 0 };
  Receiving *receiving;
  const char *completed_sha;
  g_autofree char *template = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  if (self->receive_dir == NULL)
    {
      send_refusal (self, message->id, RELAIS_TRANSFER_REASON_NOT_ACCEPTING);
      return;
    }
  if (message->size > self->max_size)
    {
      send_refusal (self, message->id, RELAIS_TRANSFER_REASON_TOO_LARGE);
      return;
    }
  /* Checked at each offer (cheap): without XDG_RUNTIME_DIR GLib puts the
   * session directory in the cache, on the disk, where a person's papers
   * would outlive a power cut. The person hears why nothing comes. */
  if (!relais_session_dir_check_memory (self->receive_dir, &error))
    {
      send_refusal (self, message->id, RELAIS_TRANSFER_REASON_STORAGE);
      g_signal_emit (self, signals[SIGNAL_RECEIVE_FAILED], 0, message->id, error->message);
      return;
    }

  /* Offered again after a reconnection. */
  completed_sha = g_hash_table_lookup (self->completed, &message->id);
  if (completed_sha != NULL)
    {
      if (!g_str_equal (completed_sha, message->sha256))
        {
          send_refusal (self, message->id, RELAIS_TRANSFER_REASON_CONFLICT);
          return;
        }
      answer.type = RELAIS_TRANSFER_ACK;
      answer.id = message->id;
      memcpy (answer.sha256, completed_sha, sizeof answer.sha256);
      send_message (self, &answer);
      return;
    }

  receiving = g_hash_table_lookup (self->receiving, &message->id);
  if (receiving != NULL)
    {
      if (!g_str_equal (receiving->name, message->name) ||
          receiving->size != message->size ||
          receiving->chunk_size != message->chunk_size ||
          receiving->mime != message->mime ||
          !g_str_equal (receiving->sha256, message->sha256))
        {
          receiving_abort (self, receiving, RELAIS_TRANSFER_REASON_CONFLICT, TRUE);
          return;
        }
      answer.type = RELAIS_TRANSFER_RESUME;
      answer.id = message->id;
      answer.next = receiving->next;
      g_debug ("Transfer %016" G_GINT64_MODIFIER "x resumes at chunk %u", message->id, receiving->next);
      send_message (self, &answer);
      return;
    }

  /* A new transfer: an open file and bytes of memory, within bounds
   * (issue 12, item 5: a hostile peer could exhaust the descriptors or
   * the tmpfs). */
  if (g_hash_table_size (self->receiving) >= RELAIS_TRANSFER_MAX_RECEIVING)
    {
      send_refusal (self, message->id, RELAIS_TRANSFER_REASON_BUSY);
      return;
    }
  if (g_hash_table_size (self->receiving) + g_hash_table_size (self->completed) >= RELAIS_TRANSFER_MAX_DOCUMENTS ||
      self->reserved > self->session_bytes ||
      message->size > self->session_bytes - self->reserved)
    {
      send_refusal (self, message->id, RELAIS_TRANSFER_REASON_QUOTA);
      return;
    }

  template = g_build_filename (self->receive_dir, TEMP_PREFIX "XXXXXX", NULL);
  fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_debug ("Cannot make a temporary file in the receive directory: %s", g_strerror (errno));
      send_refusal (self, message->id, RELAIS_TRANSFER_REASON_STORAGE);
      return;
    }

  receiving = g_new0 (Receiving, 1);
  receiving->id = message->id;
  receiving->name = g_strdup (message->name);
  receiving->mime = message->mime;
  memcpy (receiving->sha256, message->sha256, sizeof receiving->sha256);
  receiving->size = message->size;
  receiving->chunk_size = message->chunk_size;
  receiving->n_chunks = relais_transfer_chunk_count (message->size, message->chunk_size);
  receiving->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  receiving->fd = fd;
  receiving->temp_path = g_steal_pointer (&template);
  g_hash_table_insert (self->receiving, id_key (receiving->id), receiving);
  self->reserved += receiving->size;
  g_hash_table_remove (self->refused, &message->id);

  answer.type = RELAIS_TRANSFER_ACCEPT;
  answer.id = message->id;
  answer.next = 0;
  send_message (self, &answer);
  g_signal_emit (self, signals[SIGNAL_RECEIVE_STARTED], 0,
                 receiving->id, receiving->name, receiving->size);
}

static void
handle_chunk (RelaisTransfer            *self,
              const RelaisTransferChunk *chunk)
{
  Receiving *receiving = g_hash_table_lookup (self->receiving, &chunk->id);
  gsize expected;
  gsize written = 0;

  if (receiving == NULL)
    {
      /* Once per id: a document for someone else must not become a
       * storm of refusals. */
      if (!g_hash_table_contains (self->refused, &chunk->id) &&
          !g_hash_table_contains (self->completed, &chunk->id) &&
          self->receive_dir != NULL &&
          g_hash_table_size (self->refused) < RELAIS_TRANSFER_MAX_REFUSED)
        {
          g_hash_table_add (self->refused, id_key (chunk->id));
          send_refusal (self, chunk->id, RELAIS_TRANSFER_REASON_UNKNOWN_TRANSFER);
        }
      return;
    }

  if (chunk->index < receiving->next)
    {
      receiving_abort (self, receiving, RELAIS_TRANSFER_REASON_DUPLICATE, TRUE);
      return;
    }
  if (chunk->index > receiving->next)
    {
      g_debug ("Transfer %016" G_GINT64_MODIFIER "x: chunk %u while %u was expected",
               chunk->id, chunk->index, receiving->next);
      receiving_abort (self, receiving, RELAIS_TRANSFER_REASON_OUT_OF_ORDER, TRUE);
      return;
    }

  expected = chunk->index + 1 < receiving->n_chunks
    ? receiving->chunk_size
    : (gsize) (receiving->size - (guint64) receiving->chunk_size * (receiving->n_chunks - 1));
  if (chunk->length != expected)
    {
      receiving_abort (self, receiving, RELAIS_TRANSFER_REASON_BAD_CHUNK, TRUE);
      return;
    }
  if (chunk->index == 0 && !relais_transfer_magic_matches (receiving->mime, chunk->data, chunk->length))
    {
      receiving_abort (self, receiving, RELAIS_TRANSFER_REASON_BAD_TYPE, TRUE);
      return;
    }

  /* A plain write: the session directory is a tmpfs (memory), a chunk is
   * at most 64 KiB, and chunks must land in order. */
  while (written < chunk->length)
    {
      ssize_t n = write (receiving->fd, chunk->data + written, chunk->length - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          receiving_abort (self, receiving, RELAIS_TRANSFER_REASON_STORAGE, TRUE);
          return;
        }
      written += (gsize) n;
    }

  g_checksum_update (receiving->checksum, chunk->data, (gssize) chunk->length);
  receiving->next++;
  receiving->received += chunk->length;
  g_signal_emit (self, signals[SIGNAL_RECEIVE_PROGRESS], 0,
                 receiving->id, receiving->received, receiving->size);

  if (receiving->next == receiving->n_chunks)
    receiving_complete (self, receiving);
}

/* ---- Sending ------------------------------------------------------------ */

static void
pump_one (RelaisTransfer *self,
          Sending        *sending)
{
  const guint8 *data;
  gsize size;

  if (!sending->accepted || sending->done_sent)
    return;

  data = g_bytes_get_data (sending->contents, &size);
  while (sending->next < sending->n_chunks &&
         relais_call_get_send_queue_bytes (self->call) < PUMP_HIGH_WATER)
    {
      guint64 offset = (guint64) sending->next * sending->chunk_size;
      gsize length = MIN ((gsize) sending->chunk_size, size - offset);
      g_autoptr(GBytes) chunk = relais_transfer_chunk_build (sending->id, sending->next,
                                                             data + offset, length);
      g_autoptr(GError) error = NULL;

      if (!relais_call_send_data (self->call, chunk, &error))
        {
          /* The call ended or its queue is full: "send-queue-low" or a
           * new call (relais_transfer_set_call) takes it up again. */
          g_debug ("Chunk not queued: %s", error->message);
          return;
        }
      sending->next++;
      g_signal_emit (self, signals[SIGNAL_SEND_PROGRESS], 0,
                     sending->id, (guint64) (offset + length), (guint64) size);
    }

  if (sending->next == sending->n_chunks)
    {
      RelaisTransferMessage done = { 0 };

      done.type = RELAIS_TRANSFER_DONE;
      done.id = sending->id;
      send_message (self, &done);
      sending->done_sent = TRUE;
    }
}

static void
pump (RelaisTransfer *self)
{
  /* relais_call_send_data() may emit "send-queue-low" from inside. */
  if (self->pumping || self->call == NULL)
    return;
  self->pumping = TRUE;
  for (guint i = 0; i < self->sending->len; i++)
    pump_one (self, g_ptr_array_index (self->sending, i));
  self->pumping = FALSE;
}

static void
handle_answer (RelaisTransfer              *self,
               const RelaisTransferMessage *message)
{
  Sending *sending = find_sending (self, message->id);

  if (sending == NULL)
    return;   /* someone else's, or already finished */

  switch (message->type)
    {
    case RELAIS_TRANSFER_ACCEPT:
    case RELAIS_TRANSFER_RESUME:
      /* The first answer wins; another participant's later one is
       * ignored (the chunks go to the whole room anyway). */
      if (sending->accepted)
        return;
      if (message->next > sending->n_chunks)
        {
          sending_finish (self, sending, NULL,
                          g_error_new_literal (RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                                               relais_transfer_reason_to_message (RELAIS_TRANSFER_REASON_BAD_MESSAGE)));
          return;
        }
      sending->accepted = TRUE;
      sending->next = message->next;
      sending->done_sent = FALSE;
      pump (self);
      break;

    case RELAIS_TRANSFER_REFUSE:
      /* Participants that take no documents, or that never saw the
       * offer, say so; the one that took it answers for itself. */
      if (message->reason == RELAIS_TRANSFER_REASON_NOT_ACCEPTING ||
          message->reason == RELAIS_TRANSFER_REASON_UNKNOWN_TRANSFER)
        return;
      sending_finish (self, sending, NULL,
                      g_error_new_literal (RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                                           relais_transfer_reason_to_message (message->reason)));
      break;

    case RELAIS_TRANSFER_ACK:
      if (!g_str_equal (message->sha256, sending->sha256))
        {
          sending_finish (self, sending, NULL,
                          g_error_new_literal (RELAIS_ERROR, RELAIS_ERROR_NETWORK,
                                               relais_transfer_reason_to_message (RELAIS_TRANSFER_REASON_BAD_HASH)));
          return;
        }
      {
        char sha256[65];

        memcpy (sha256, sending->sha256, sizeof sha256);
        sending_finish (self, sending, sha256, NULL);
      }
      break;

    case RELAIS_TRANSFER_OFFER:
    case RELAIS_TRANSFER_DONE:
    case RELAIS_TRANSFER_CANCEL:
    default:
      break;
    }
}

typedef struct
{
  guint64 id;
} CancelData;

static void
cancel_on_main (gpointer owner,
                gpointer data)
{
  RelaisTransfer *self = owner;
  CancelData *cancel = data;
  Sending *sending = find_sending (self, cancel->id);
  RelaisTransferMessage message = { 0 };

  if (sending == NULL)
    return;

  message.type = RELAIS_TRANSFER_CANCEL;
  message.id = sending->id;
  message.reason = RELAIS_TRANSFER_REASON_CANCELLED;
  send_message (self, &message);
  sending_finish (self, sending, NULL,
                  g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       relais_transfer_reason_to_message (RELAIS_TRANSFER_REASON_CANCELLED)));
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Sending *sending = user_data;
  CancelData *cancel = g_new0 (CancelData, 1);

  /* Any thread may cancel, and g_cancellable_disconnect() must not run
   * inside this callback: finish on the main context. */
  cancel->id = sending->id;
  relais_main_hop (sending->self->context, sending->self, &sending->self->disposed,
                   "relais-transfer-cancel", cancel_on_main, cancel, g_free);
}

/* ---- Call signals ------------------------------------------------------- */

static void
call_message_cb (RelaisCall     *call,
                 const char     *text,
                 RelaisTransfer *self)
{
  relais_transfer_handle_message (self, text);
}

static void
call_data_cb (RelaisCall     *call,
              GBytes         *data,
              RelaisTransfer *self)
{
  relais_transfer_handle_data (self, data);
}

static void
call_queue_low_cb (RelaisCall     *call,
                   RelaisTransfer *self)
{
  pump (self);
}

/* ---- GObject ------------------------------------------------------------ */

static void
relais_transfer_dispose (GObject *object)
{
  RelaisTransfer *self = (RelaisTransfer *) object;

  self->disposed = TRUE;
  if (self->offer_source != 0)
    {
      GSource *source = g_main_context_find_source_by_id (self->context, self->offer_source);

      if (source != NULL)
        g_source_destroy (source);
      self->offer_source = 0;
    }
  relais_transfer_set_call (self, NULL);
  /* Unfinished sends fail, unfinished receives leave no file. */
  while (self->sending->len > 0)
    sending_finish (self, g_ptr_array_index (self->sending, 0), NULL,
                    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         relais_transfer_reason_to_message (RELAIS_TRANSFER_REASON_CANCELLED)));
  g_hash_table_remove_all (self->receiving);

  G_OBJECT_CLASS (relais_transfer_parent_class)->dispose (object);
}

static void
relais_transfer_finalize (GObject *object)
{
  RelaisTransfer *self = (RelaisTransfer *) object;

  g_ptr_array_unref (self->sending);
  g_hash_table_unref (self->receiving);
  g_hash_table_unref (self->completed);
  g_hash_table_unref (self->refused);
  g_free (self->receive_dir);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (relais_transfer_parent_class)->finalize (object);
}

static void
relais_transfer_class_init (RelaisTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_transfer_dispose;
  object_class->finalize = relais_transfer_finalize;

  signals[SIGNAL_SEND_PROGRESS] =
    g_signal_new ("send-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_UINT64, G_TYPE_UINT64, G_TYPE_UINT64);
  signals[SIGNAL_RECEIVE_STARTED] =
    g_signal_new ("receive-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_UINT64, G_TYPE_STRING, G_TYPE_UINT64);
  signals[SIGNAL_RECEIVE_PROGRESS] =
    g_signal_new ("receive-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_UINT64, G_TYPE_UINT64, G_TYPE_UINT64);
  signals[SIGNAL_RECEIVED] =
    g_signal_new ("received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_UINT64, G_TYPE_STRING, G_TYPE_UINT64, G_TYPE_STRING);
  signals[SIGNAL_RECEIVE_FAILED] =
    g_signal_new ("receive-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_UINT64, G_TYPE_STRING);
}

static void
relais_transfer_init (RelaisTransfer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->max_size = RELAIS_TRANSFER_DEFAULT_MAX_SIZE;
  self->session_bytes = RELAIS_TRANSFER_DEFAULT_SESSION_BYTES;
  self->chunk_size = RELAIS_TRANSFER_CHUNK_DATA_MAX;
  self->sending = g_ptr_array_new_with_free_func (sending_free);
  self->receiving = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, receiving_free);
  self->completed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->refused = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/* ---- Public ------------------------------------------------------------- */

RelaisTransfer *
relais_transfer_new (RelaisCall *call)
{
  RelaisTransfer *self = g_object_new (RELAIS_TYPE_TRANSFER, NULL);

  relais_transfer_set_call (self, call);
  return self;
}

void
relais_transfer_set_call (RelaisTransfer *self,
                          RelaisCall     *call)
{
  g_return_if_fail (RELAIS_IS_TRANSFER (self));
  g_return_if_fail (call == NULL || RELAIS_IS_CALL (call));

  if (self->call == call)
    return;

  if (self->call != NULL)
    {
      g_clear_signal_handler (&self->message_id, self->call);
      g_clear_signal_handler (&self->data_id, self->call);
      g_clear_signal_handler (&self->queue_low_id, self->call);
      g_clear_object (&self->call);
    }

  if (call == NULL)
    return;

  self->call = g_object_ref (call);
  self->message_id = g_signal_connect (call, "message-received", G_CALLBACK (call_message_cb), self);
  self->data_id = g_signal_connect (call, "data-received", G_CALLBACK (call_data_cb), self);
  self->queue_low_id = g_signal_connect (call, "send-queue-low", G_CALLBACK (call_queue_low_cb), self);

  /* What was on its way through the old call is lost: offer again and
   * wait for the receiver to say where to resume. */
  for (guint i = 0; i < self->sending->len; i++)
    {
      Sending *sending = g_ptr_array_index (self->sending, i);

      sending->accepted = FALSE;
      sending->done_sent = FALSE;
      offer (self, sending);
    }
  if (self->sending->len > 0)
    watch_offers (self);
}

void
relais_transfer_set_receive_dir (RelaisTransfer *self,
                                 const char     *path)
{
  g_return_if_fail (RELAIS_IS_TRANSFER (self));

  g_free (self->receive_dir);
  self->receive_dir = g_strdup (path);
}

void
relais_transfer_set_max_size (RelaisTransfer *self,
                              guint64         max_size)
{
  g_return_if_fail (RELAIS_IS_TRANSFER (self));

  self->max_size = MIN (max_size, RELAIS_TRANSFER_SIZE_LIMIT);
}

void
relais_transfer_set_session_bytes (RelaisTransfer *self,
                                   guint64         bytes)
{
  g_return_if_fail (RELAIS_IS_TRANSFER (self));

  self->session_bytes = bytes;
}

void
relais_transfer_set_chunk_size (RelaisTransfer *self,
                                guint32         chunk_size)
{
  g_return_if_fail (RELAIS_IS_TRANSFER (self));
  g_return_if_fail (chunk_size >= RELAIS_TRANSFER_CHUNK_DATA_MIN &&
                    chunk_size <= RELAIS_TRANSFER_CHUNK_DATA_MAX);

  self->chunk_size = chunk_size;
}

void
relais_transfer_send_async (RelaisTransfer      *self,
                            GBytes              *contents,
                            const char          *name,
                            const char          *mime,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  const char *known_mime;
  const guint8 *data;
  Sending *sending;
  gsize size;

  g_return_if_fail (RELAIS_IS_TRANSFER (self));
  g_return_if_fail (contents != NULL);
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_transfer_send_async);

  data = g_bytes_get_data (contents, &size);
  known_mime = relais_transfer_mime_lookup (mime);
  if (known_mime == NULL || !relais_transfer_magic_matches (known_mime, data, size))
    {
      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_NETWORK, "%s",
                               relais_transfer_reason_to_message (RELAIS_TRANSFER_REASON_BAD_TYPE));
      return;
    }
  if (size == 0 || size > RELAIS_TRANSFER_SIZE_LIMIT)
    {
      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_NETWORK, "%s",
                               relais_transfer_reason_to_message (RELAIS_TRANSFER_REASON_TOO_LARGE));
      return;
    }
  if (!relais_transfer_name_is_valid (name, strlen (name)))
    {
      g_task_return_new_error (task, RELAIS_ERROR, RELAIS_ERROR_NETWORK, "%s",
                               relais_transfer_reason_to_message (RELAIS_TRANSFER_REASON_BAD_NAME));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, data, (gssize) size);

  sending = g_new0 (Sending, 1);
  sending->self = self;
  sending->id = new_id ();
  sending->contents = g_bytes_ref (contents);
  sending->name = g_strdup (name);
  sending->mime = known_mime;
  memcpy (sending->sha256, g_checksum_get_string (checksum), sizeof sending->sha256);
  sending->chunk_size = self->chunk_size;
  sending->n_chunks = relais_transfer_chunk_count (size, sending->chunk_size);
  sending->task = g_steal_pointer (&task);
  g_ptr_array_add (self->sending, sending);

  if (cancellable != NULL)
    {
      sending->cancellable = g_object_ref (cancellable);
      sending->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                     sending, NULL);
    }

  g_debug ("Offering transfer %016" G_GINT64_MODIFIER "x (%" G_GSIZE_FORMAT " bytes, %u chunks)",
           sending->id, size, sending->n_chunks);
  offer (self, sending);
  watch_offers (self);
}

char *
relais_transfer_send_finish (RelaisTransfer  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (RELAIS_IS_TRANSFER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
relais_transfer_handle_message (RelaisTransfer *self,
                                const char     *text)
{
  RelaisTransferMessage message;
  RelaisTransferReason reason;
  RelaisTransferParseResult result;

  g_return_if_fail (RELAIS_IS_TRANSFER (self));

  if (text == NULL)
    return;

  result = relais_transfer_message_parse (text, strlen (text), &message, &reason);
  switch (result)
    {
    case RELAIS_TRANSFER_PARSE_NOT_OURS:
      return;

    case RELAIS_TRANSFER_PARSE_INVALID:
      /* An answer about one of our sends must not be answered back. */
      if (message.id != 0 && find_sending (self, message.id) == NULL)
        {
          Receiving *receiving = g_hash_table_lookup (self->receiving, &message.id);

          if (receiving != NULL)
            receiving_abort (self, receiving, reason, TRUE);
          else
            send_refusal (self, message.id, reason);
        }
      relais_transfer_message_clear (&message);
      return;

    case RELAIS_TRANSFER_PARSE_OK:
      break;
    }

  switch (message.type)
    {
    case RELAIS_TRANSFER_OFFER:
      handle_offer (self, &message);
      break;

    case RELAIS_TRANSFER_DONE:
      {
        Receiving *receiving = g_hash_table_lookup (self->receiving, &message.id);

        /* Done before the last chunk: something was lost on the way. */
        if (receiving != NULL)
          receiving_abort (self, receiving, RELAIS_TRANSFER_REASON_INCOMPLETE, TRUE);
        break;
      }

    case RELAIS_TRANSFER_CANCEL:
      {
        Receiving *receiving = g_hash_table_lookup (self->receiving, &message.id);

        if (receiving != NULL)
          receiving_abort (self, receiving, RELAIS_TRANSFER_REASON_CANCELLED, FALSE);
        break;
      }

    case RELAIS_TRANSFER_ACCEPT:
    case RELAIS_TRANSFER_RESUME:
    case RELAIS_TRANSFER_REFUSE:
    case RELAIS_TRANSFER_ACK:
      handle_answer (self, &message);
      break;

    default:
      break;
    }

  relais_transfer_message_clear (&message);
}

void
relais_transfer_handle_data (RelaisTransfer *self,
                             GBytes         *data)
{
  RelaisTransferChunk chunk;
  RelaisTransferReason reason;
  const guint8 *bytes;
  gsize size;

  g_return_if_fail (RELAIS_IS_TRANSFER (self));
  g_return_if_fail (data != NULL);

  bytes = g_bytes_get_data (data, &size);
  if (!relais_transfer_chunk_parse (bytes, size, &chunk, &reason))
    {
      g_debug ("Ignoring a binary message that is not a chunk (%s)",
               relais_transfer_reason_to_string (reason));
      return;
    }
  handle_chunk (self, &chunk);
}
