/* test-transfer.c: RelaisTransfer between two RelaisCalls in one process
 * (loopback, no network needed): a multi-page PDF moved and its hash
 * checked, a transfer cut mid-way and resumed on new calls, every refusal
 * of a bad sender with nothing left on disk, and the throughput.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gst/gst.h>

#include "relais-camera-still.h"
#include "relais-document.h"
#include "relais-error.h"
#include "relais-session-dir.h"
#include "relais-text-page.h"
#include "relais-transfer-protocol.h"
#include "relais-transfer.h"

#include "../relais-test-call-pair.h"

/* Wakes a blocking main-context iteration so that a deadline is seen. */
static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* ---- Fixtures ----------------------------------------------------------- */

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("relais-transfer-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (char *dir)
{
  g_assert_true (relais_session_dir_wipe (dir, NULL));
  g_rmdir (dir);
  g_free (dir);
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (handle != NULL && g_dir_read_name (handle) != NULL)
    n++;
  return n;
}

/* A real dossier: @n text pages at 150 dpi through RelaisDocument. */
static GBytes *
make_pdf (guint n)
{
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) relais_page_unref);
  g_autoptr(GError) error = NULL;
  GBytes *pdf;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (pages, relais_text_page_new (150, i % 2 == 1));
  pdf = relais_document_build_pdf (pages, NULL, FALSE, RELAIS_DOCUMENT_DEFAULT_QUALITY, &error);
  g_assert_no_error (error);
  return pdf;
}

static char *
sha256_of (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

typedef struct
{
  gboolean  sent;
  char     *sent_sha;
  GError   *send_error;
  gboolean  received;
  char     *path;
  char     *received_sha;
  guint64   received_size;
  guint     started;
  guint     failed;
  char     *failure;
  guint64   first_progress;     /* bytes at the first progress after a resume */
  guint64   last_progress;
  gboolean  progress_back;
  guint64   cut_at;             /* drop the calls once this many bytes are in */
  gboolean  cut;
  RelaisTransfer *sender;
  RelaisTransfer *receiver;
} Flow;

static void
flow_clear (Flow *flow)
{
  g_free (flow->sent_sha);
  g_clear_error (&flow->send_error);
  g_free (flow->path);
  g_free (flow->received_sha);
  g_free (flow->failure);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Flow *flow = user_data;

  flow->sent_sha = relais_transfer_send_finish (RELAIS_TRANSFER (source), result, &flow->send_error);
  flow->sent = TRUE;
}

static void
received_cb (RelaisTransfer *transfer,
             guint64         id,
             const char     *path,
             guint64         size,
             const char     *sha256,
             Flow           *flow)
{
  flow->received = TRUE;
  g_free (flow->path);
  flow->path = g_strdup (path);
  g_free (flow->received_sha);
  flow->received_sha = g_strdup (sha256);
  flow->received_size = size;
}

static void
started_cb (RelaisTransfer *transfer,
            guint64         id,
            const char     *name,
            guint64         size,
            Flow           *flow)
{
  flow->started++;
}

static void
failed_cb (RelaisTransfer *transfer,
           guint64         id,
           const char     *message,
           Flow           *flow)
{
  flow->failed++;
  g_free (flow->failure);
  flow->failure = g_strdup (message);
}

static void
progress_cb (RelaisTransfer *transfer,
             guint64         id,
             guint64         bytes,
             guint64         total,
             Flow           *flow)
{
  g_assert_cmpuint (bytes, <=, total);
  if (bytes < flow->last_progress)
    flow->progress_back = TRUE;
  if (flow->cut && flow->first_progress == 0)
    flow->first_progress = bytes;
  flow->last_progress = bytes;
  if (flow->cut_at > 0 && !flow->cut && bytes >= flow->cut_at)
    {
      /* The link drops: neither side hears the other any more, and what
       * was on its way is lost. */
      flow->cut = TRUE;
      relais_transfer_set_call (flow->sender, NULL);
      relais_transfer_set_call (flow->receiver, NULL);
    }
}

static void
connect_flow (Flow           *flow,
              RelaisTransfer *sender,
              RelaisTransfer *receiver)
{
  flow->sender = sender;
  flow->receiver = receiver;
  g_signal_connect (receiver, "received", G_CALLBACK (received_cb), flow);
  g_signal_connect (receiver, "receive-started", G_CALLBACK (started_cb), flow);
  g_signal_connect (receiver, "receive-failed", G_CALLBACK (failed_cb), flow);
  g_signal_connect (receiver, "receive-progress", G_CALLBACK (progress_cb), flow);
}

static void
check_file (const char *path,
            GBytes     *expected)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

/* ---- Tests -------------------------------------------------------------- */

static void
test_pdf_transfer (void)
{
  RelaisTestCallPair *pair = relais_test_call_pair_new ();
  char *dir = make_dir ();
  g_autoptr(RelaisTransfer) sender = relais_transfer_new (relais_test_call_pair_get_a (pair));
  g_autoptr(RelaisTransfer) receiver = relais_transfer_new (relais_test_call_pair_get_b (pair));
  g_autoptr(GBytes) pdf = make_pdf (3);
  g_autofree char *sha = sha256_of (pdf);
  g_autofree char *expected_path = g_build_filename (dir, "dossier.pdf", NULL);
  Flow flow = { 0 };
  gint64 start;
  double seconds;

  relais_transfer_set_receive_dir (receiver, dir);
  connect_flow (&flow, sender, receiver);

  start = g_get_monotonic_time ();
  relais_transfer_send_async (sender, pdf, "dossier.pdf", "application/pdf", NULL, sent_cb, &flow);
  g_assert_true (relais_test_call_pair_wait (&flow.sent, 60));
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (flow.send_error);
  g_assert_true (flow.received);

  g_assert_cmpstr (flow.sent_sha, ==, sha);
  g_assert_cmpstr (flow.received_sha, ==, sha);
  g_assert_cmpstr (flow.path, ==, expected_path);
  g_assert_cmpuint (flow.received_size, ==, g_bytes_get_size (pdf));
  g_assert_cmpuint (flow.started, ==, 1);
  g_assert_cmpuint (flow.failed, ==, 0);
  g_assert_false (flow.progress_back);
  g_assert_cmpuint (flow.last_progress, ==, g_bytes_get_size (pdf));
  check_file (flow.path, pdf);
  /* Only the document: the temporary file is gone. */
  g_assert_cmpuint (count_files (dir), ==, 1);
  g_test_message ("3-page PDF, %" G_GSIZE_FORMAT " bytes, acknowledged in %.3f s",
                  g_bytes_get_size (pdf), seconds);

  /* The same name again: a second file beside it, nothing replaced. */
  flow_clear (&flow);
  memset (&flow, 0, sizeof flow);
  g_signal_handlers_disconnect_matched (receiver, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, &flow);
  connect_flow (&flow, sender, receiver);
  relais_transfer_send_async (sender, pdf, "dossier.pdf", "application/pdf", NULL, sent_cb, &flow);
  g_assert_true (relais_test_call_pair_wait (&flow.sent, 60));
  g_assert_no_error (flow.send_error);
  g_assert_true (g_str_has_suffix (flow.path, "dossier (2).pdf"));
  g_assert_cmpuint (count_files (dir), ==, 2);

  flow_clear (&flow);
  g_clear_object (&sender);
  g_clear_object (&receiver);
  relais_test_call_pair_free (pair);
  remove_dir (dir);
}

static void
test_throughput (void)
{
  RelaisTestCallPair *pair = relais_test_call_pair_new ();
  char *dir = make_dir ();
  g_autoptr(RelaisTransfer) sender = relais_transfer_new (relais_test_call_pair_get_a (pair));
  g_autoptr(RelaisTransfer) receiver = relais_transfer_new (relais_test_call_pair_get_b (pair));
  gsize size = 16 * 1024 * 1024;
  guint8 *data = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;
  Flow flow = { 0 };
  gint64 start;
  double seconds;

  memcpy (data, "%PDF-1.5\n", 9);
  for (gsize i = 9; i < size; i++)
    data[i] = (guint8) g_random_int ();
  bytes = g_bytes_new_take (data, size);

  relais_transfer_set_receive_dir (receiver, dir);
  connect_flow (&flow, sender, receiver);
  start = g_get_monotonic_time ();
  relais_transfer_send_async (sender, bytes, "gros.pdf", "application/pdf", NULL, sent_cb, &flow);
  g_assert_true (relais_test_call_pair_wait (&flow.sent, 120));
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (flow.send_error);
  check_file (flow.path, bytes);
  g_test_message ("in-process throughput: %.1f MB/s (16 MiB in %.2f s)",
                  size / 1e6 / seconds, seconds);
  g_test_minimized_result (seconds, "16 MiB sent and acknowledged in %.2f s", seconds);

  flow_clear (&flow);
  g_clear_object (&sender);
  g_clear_object (&receiver);
  relais_test_call_pair_free (pair);
  remove_dir (dir);
}

static void
test_resume (void)
{
  RelaisTestCallPair *first = relais_test_call_pair_new ();
  RelaisTestCallPair *second;
  char *dir = make_dir ();
  g_autoptr(RelaisTransfer) sender = relais_transfer_new (relais_test_call_pair_get_a (first));
  g_autoptr(RelaisTransfer) receiver = relais_transfer_new (relais_test_call_pair_get_b (first));
  gsize size = 3 * 1024 * 1024;
  guint8 *data = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sha = NULL;
  Flow flow = { 0 };

  memcpy (data, "\xff\xd8\xff\xe0", 4);
  for (gsize i = 4; i < size; i++)
    data[i] = (guint8) (i * 31 + i / 7);
  bytes = g_bytes_new_take (data, size);
  sha = sha256_of (bytes);

  /* Small chunks, so that the cut falls mid-way. */
  relais_transfer_set_chunk_size (sender, 16 * 1024);
  relais_transfer_set_receive_dir (receiver, dir);
  connect_flow (&flow, sender, receiver);
  flow.cut_at = size / 3;

  relais_transfer_send_async (sender, bytes, "photo.jpg", "image/jpeg", NULL, sent_cb, &flow);
  g_assert_true (relais_test_call_pair_wait (&flow.cut, 60));
  g_assert_false (flow.sent);
  g_assert_false (flow.received);
  /* The old link is gone for good. Let what it still carries arrive
   * (unheard) first: webrtcbin warns about SCTP data cut off by a hang-up,
   * and warnings are fatal here. */
  {
    gboolean never = FALSE;
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (relais_call_get_send_queue_bytes (relais_test_call_pair_get_a (first)) > 0 &&
           g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (relais_call_get_send_queue_bytes (relais_test_call_pair_get_a (first)), ==, 0);
    relais_test_call_pair_wait (&never, 1);
  }
  relais_test_call_pair_free (first);

  /* The partial file waits (hidden, under a temporary name). */
  g_assert_cmpuint (count_files (dir), ==, 1);

  /* Reconnected: new calls, the same transfer objects. */
  second = relais_test_call_pair_new ();
  relais_transfer_set_call (sender, relais_test_call_pair_get_a (second));
  relais_transfer_set_call (receiver, relais_test_call_pair_get_b (second));
  g_assert_true (relais_test_call_pair_wait (&flow.sent, 60));
  g_assert_no_error (flow.send_error);
  g_assert_cmpstr (flow.sent_sha, ==, sha);
  g_assert_cmpstr (flow.received_sha, ==, sha);
  check_file (flow.path, bytes);
  /* Resumed, not restarted: one start, and progress carried on from
   * where it was cut. */
  g_assert_cmpuint (flow.started, ==, 1);
  g_assert_cmpuint (flow.failed, ==, 0);
  g_assert_false (flow.progress_back);
  g_assert_cmpuint (flow.first_progress, >=, size / 3);
  g_assert_cmpuint (count_files (dir), ==, 1);

  flow_clear (&flow);
  g_clear_object (&sender);
  g_clear_object (&receiver);
  relais_test_call_pair_free (second);
  remove_dir (dir);
}

/* A sender that does everything wrong: raw messages through a RelaisCall,
 * refusals read back as text. */

typedef struct
{
  RelaisTestCallPair *pair;
  RelaisTransfer     *receiver;
  char               *dir;
  GPtrArray          *answers;    /* char *: what the receiver said */
  Flow                flow;
} Bad;

static Bad bad;

static void
answer_cb (RelaisCall *call,
           const char *text,
           GPtrArray  *answers)
{
  g_ptr_array_add (answers, g_strdup (text));
}

static void
bad_setup (void)
{
  if (bad.pair != NULL)
    return;
  bad.pair = relais_test_call_pair_new ();
  bad.dir = make_dir ();
  bad.answers = g_ptr_array_new_with_free_func (g_free);
  bad.receiver = relais_transfer_new (relais_test_call_pair_get_b (bad.pair));
  relais_transfer_set_receive_dir (bad.receiver, bad.dir);
  relais_transfer_set_max_size (bad.receiver, 200 * 1024);
  connect_flow (&bad.flow, NULL, bad.receiver);
  g_signal_connect (relais_test_call_pair_get_a (bad.pair), "message-received", G_CALLBACK (answer_cb), bad.answers);
}

static void
bad_send_text (const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_call_send_message (relais_test_call_pair_get_a (bad.pair), text, &error));
  g_assert_no_error (error);
}

static void
bad_send_chunk (guint64       id,
                guint32       index,
                const guint8 *data,
                gsize         length)
{
  g_autoptr(GBytes) chunk = relais_transfer_chunk_build (id, index, data, length);
  g_autoptr(GError) error = NULL;

  g_assert_true (relais_call_send_data (relais_test_call_pair_get_a (bad.pair), chunk, &error));
  g_assert_no_error (error);
}

static void
bad_offer (guint64     id,
           const char *name,
           guint64     size,
           const char *mime,
           const char *sha,
           guint32     chunk_size)
{
  g_autofree char *id_text = relais_transfer_id_to_string (id);
  g_autofree char *text = g_strdup_printf ("{\"relais\":1,\"type\":\"transfer-offer\",\"id\":\"%s\",\"name\":\"%s\","
                                           "\"size\":%" G_GUINT64_FORMAT ",\"mime\":\"%s\",\"sha256\":\"%s\",\"chunk_size\":%u}",
                                           id_text, name, size, mime, sha, chunk_size);

  bad_send_text (text);
}

/* Waits for the receiver's answer about @id and checks its type/reason. */
static void
expect_answer (guint64                    id,
               RelaisTransferMessageType  type,
               RelaisTransferReason       reason)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  for (;;)
    {
      for (guint i = 0; i < bad.answers->len; i++)
        {
          const char *text = g_ptr_array_index (bad.answers, i);
          RelaisTransferMessage message;
          RelaisTransferReason parse_reason;

          if (relais_transfer_message_parse (text, strlen (text), &message, &parse_reason) == RELAIS_TRANSFER_PARSE_OK &&
              message.id == id && message.type == type)
            {
              if (type == RELAIS_TRANSFER_REFUSE && message.reason != reason)
                g_error ("refused with “%s”, not “%s”",
                         relais_transfer_reason_to_string (message.reason),
                         relais_transfer_reason_to_string (reason));
              g_ptr_array_remove_index (bad.answers, i);
              relais_transfer_message_clear (&message);
              g_source_remove (wake);
              return;
            }
          relais_transfer_message_clear (&message);
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("no answer of type %d for %016" G_GINT64_MODIFIER "x", type, id);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
expect_nothing_written (void)
{
  g_assert_true (relais_session_dir_is_empty (bad.dir));
}

#define SHA_ANY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
test_refuse_offers (void)
{
  bad_setup ();

  bad_offer (0x101, "dossier.pdf", 300 * 1024, "application/pdf", SHA_ANY, 16384);
  expect_answer (0x101, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_TOO_LARGE);
  bad_offer (0x102, "dossier.exe", 1000, "application/x-msdownload", SHA_ANY, 16384);
  expect_answer (0x102, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_BAD_TYPE);
  bad_offer (0x103, "../../etc/passwd", 1000, "application/pdf", SHA_ANY, 16384);
  expect_answer (0x103, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_BAD_NAME);
  bad_offer (0x104, "a\\\\b.pdf", 1000, "application/pdf", SHA_ANY, 16384);
  expect_answer (0x104, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_BAD_NAME);
  bad_offer (0x105, "bell\\u0007.pdf", 1000, "application/pdf", SHA_ANY, 16384);
  expect_answer (0x105, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_BAD_NAME);
  bad_offer (0x106, "", 1000, "application/pdf", SHA_ANY, 16384);
  expect_answer (0x106, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_BAD_NAME);
  {
    g_autofree char *long_name = g_strnfill (RELAIS_TRANSFER_NAME_MAX + 1, 'x');

    bad_offer (0x107, long_name, 1000, "application/pdf", SHA_ANY, 16384);
    expect_answer (0x107, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_BAD_NAME);
  }
  bad_send_text ("{\"relais\":9,\"type\":\"transfer-offer\",\"id\":\"0000000000000108\"}");
  expect_answer (0x108, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_VERSION);

  expect_nothing_written ();
  g_assert_false (bad.flow.received);
}

/* Offers a 3-chunk PDF of @size bytes (chunks of 16 KiB) and returns its
 * bytes; the receiver has accepted it. */
static GBytes *
accepted_offer (guint64 id)
{
  gsize size = 40000;
  guint8 *data = g_malloc (size);
  GBytes *bytes;
  g_autofree char *sha = NULL;

  memcpy (data, "%PDF-1.5\n", 9);
  for (gsize i = 9; i < size; i++)
    data[i] = (guint8) (i ^ id);
  bytes = g_bytes_new_take (data, size);
  sha = sha256_of (bytes);
  bad_offer (id, "lettre.pdf", size, "application/pdf", sha, 16384);
  expect_answer (id, RELAIS_TRANSFER_ACCEPT, 0);
  return bytes;
}

static void
send_part (guint64  id,
           GBytes  *bytes,
           guint32  index)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  gsize offset = (gsize) index * 16384;

  bad_send_chunk (id, index, data + offset, MIN (16384, size - offset));
}

static void
test_refuse_chunks (void)
{
  bad_setup ();

  /* Out of order: chunk 1 before chunk 0. */
  {
    g_autoptr(GBytes) bytes = accepted_offer (0x201);

    send_part (0x201, bytes, 1);
    expect_answer (0x201, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_OUT_OF_ORDER);
    expect_nothing_written ();
  }

  /* Duplicate: chunk 0 twice. */
  {
    g_autoptr(GBytes) bytes = accepted_offer (0x202);

    send_part (0x202, bytes, 0);
    send_part (0x202, bytes, 0);
    expect_answer (0x202, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_DUPLICATE);
    expect_nothing_written ();
  }

  /* Wrong hash: the last chunk altered. */
  {
    g_autoptr(GBytes) bytes = accepted_offer (0x203);
    gsize size = g_bytes_get_size (bytes);
    g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, NULL), size);

    copy[size - 1] ^= 0xff;
    send_part (0x203, bytes, 0);
    send_part (0x203, bytes, 1);
    bad_send_chunk (0x203, 2, copy + 2 * 16384, size - 2 * 16384);
    expect_answer (0x203, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_BAD_HASH);
    expect_nothing_written ();
  }

  /* Not what it says it is: a "PDF" starting like a program. */
  {
    g_autoptr(GBytes) bytes = accepted_offer (0x204);
    guint8 program[16384];

    /* As long as the real first chunk, but another kind of file. */
    g_assert_cmpuint (g_bytes_get_size (bytes), >, sizeof program);
    memset (program, 0x90, sizeof program);
    memcpy (program, "MZ", 2);
    bad_send_chunk (0x204, 0, program, sizeof program);
    expect_answer (0x204, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_BAD_TYPE);
    expect_nothing_written ();
  }

  /* A chunk of the wrong length. */
  {
    g_autoptr(GBytes) bytes = accepted_offer (0x205);

    bad_send_chunk (0x205, 0, g_bytes_get_data (bytes, NULL), 1000);
    expect_answer (0x205, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_BAD_CHUNK);
    expect_nothing_written ();
  }

  /* "Done" before the last chunk. */
  {
    g_autoptr(GBytes) bytes = accepted_offer (0x206);

    send_part (0x206, bytes, 0);
    bad_send_text ("{\"relais\":1,\"type\":\"transfer-done\",\"id\":\"0000000000000206\"}");
    expect_answer (0x206, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_INCOMPLETE);
    expect_nothing_written ();
  }

  /* The same id offered again with another file. */
  {
    g_autoptr(GBytes) bytes = accepted_offer (0x207);

    send_part (0x207, bytes, 0);
    bad_offer (0x207, "autre.pdf", 40000, "application/pdf", SHA_ANY, 16384);
    expect_answer (0x207, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_CONFLICT);
    expect_nothing_written ();
  }

  /* The sender cancels: the partial file goes, no answer needed. */
  {
    g_autoptr(GBytes) bytes = accepted_offer (0x208);
    guint failed = bad.flow.failed;

    send_part (0x208, bytes, 0);
    bad_send_text ("{\"relais\":1,\"type\":\"transfer-cancel\",\"id\":\"0000000000000208\",\"reason\":\"cancelled\"}");
    while (bad.flow.failed == failed)
      g_main_context_iteration (NULL, TRUE);
    expect_nothing_written ();
  }

  /* A chunk for a transfer nobody offered: refused once. */
  {
    guint8 data[100] = { 0 };

    bad_send_chunk (0x209, 0, data, sizeof data);
    expect_answer (0x209, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_UNKNOWN_TRANSFER);
    expect_nothing_written ();
  }

  /* And after all that, a good transfer still goes through. */
  {
    g_autoptr(GBytes) bytes = accepted_offer (0x20a);
    g_autofree char *sha = sha256_of (bytes);

    send_part (0x20a, bytes, 0);
    send_part (0x20a, bytes, 1);
    send_part (0x20a, bytes, 2);
    expect_answer (0x20a, RELAIS_TRANSFER_ACK, 0);
    g_assert_true (bad.flow.received);
    g_assert_cmpstr (bad.flow.received_sha, ==, sha);
    check_file (bad.flow.path, bytes);
    g_assert_cmpuint (count_files (bad.dir), ==, 1);
  }

  g_assert_cmpuint (bad.flow.failed, >=, 8);
  g_assert_nonnull (bad.flow.failure);
}

/* Descriptors open on a file of the receiver's directory: the call's
 * sockets and GStreamer's threads come and go on their own and are not
 * the receiver's to count (CI once saw two of them open mid-test). */
static guint
count_fds (void)
{
  g_autoptr(GDir) handle = g_dir_open ("/proc/self/fd", 0, NULL);
  g_autofree char *prefix = g_strconcat (bad.dir, "/", NULL);
  const char *name;
  guint n = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *link = g_strconcat ("/proc/self/fd/", name, NULL);
      g_autofree char *target = g_file_read_link (link, NULL);

      if (target != NULL && g_str_has_prefix (target, prefix))
        n++;
    }
  return n;
}

static guint
count_refusals (RelaisTransferReason reason)
{
  guint n = 0;

  for (guint i = 0; i < bad.answers->len; i++)
    {
      const char *text = g_ptr_array_index (bad.answers, i);
      RelaisTransferMessage message;
      RelaisTransferReason parse_reason;

      if (relais_transfer_message_parse (text, strlen (text), &message, &parse_reason) == RELAIS_TRANSFER_PARSE_OK &&
          message.type == RELAIS_TRANSFER_REFUSE && message.reason == reason)
        n++;
      relais_transfer_message_clear (&message);
    }
  return n;
}

static void
bad_cancel (guint64 id)
{
  g_autofree char *id_text = relais_transfer_id_to_string (id);
  g_autofree char *text = g_strdup_printf ("{\"relais\":1,\"type\":\"transfer-cancel\",\"id\":\"%s\",\"reason\":\"cancelled\"}",
                                           id_text);
  guint failed = bad.flow.failed;

  bad_send_text (text);
  while (bad.flow.failed == failed)
    g_main_context_iteration (NULL, TRUE);
}

static void
bad_teardown (void)
{
  g_object_unref (bad.receiver);
  relais_test_call_pair_free (bad.pair);
  remove_dir (bad.dir);
  g_ptr_array_unref (bad.answers);
  flow_clear (&bad.flow);
  memset (&bad, 0, sizeof bad);
}

/* Issue 12, item 5: a peer that offers without end gets a bounded number
 * of open files, bytes and remembered ids. */
static void
test_quotas (void)
{
  Bad saved = bad;
  guint fds_before;
  guint64 id;

  /* A receiver of its own: the other tests' leftovers do not count. */
  memset (&bad, 0, sizeof bad);
  bad_setup ();
  fds_before = count_fds ();

  /* At most RELAIS_TRANSFER_MAX_RECEIVING at once; the others are told
   * "busy" and cost no file. */
  for (id = 0x301; id < 0x301 + RELAIS_TRANSFER_MAX_RECEIVING; id++)
    g_bytes_unref (accepted_offer (id));
  for (; id < 0x301 + 40; id++)
    {
      bad_offer (id, "lettre.pdf", 40000, "application/pdf", SHA_ANY, 16384);
      expect_answer (id, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_BUSY);
    }
  g_test_message ("%u descriptors more for 40 offers", count_fds () - fds_before);
  g_assert_cmpuint (count_fds (), ==, fds_before + RELAIS_TRANSFER_MAX_RECEIVING);
  g_assert_cmpuint (bad.flow.started, ==, RELAIS_TRANSFER_MAX_RECEIVING);

  /* One ends: room for the next. */
  bad_cancel (0x301);
  g_bytes_unref (accepted_offer (0x3ff));
  for (id = 0x302; id < 0x301 + RELAIS_TRANSFER_MAX_RECEIVING; id++)
    bad_cancel (id);
  bad_cancel (0x3ff);
  expect_nothing_written ();
  g_assert_cmpuint (count_fds (), <=, fds_before);

  /* Bytes of a session: two documents of 40000 fit in 100000, a third
   * does not, and nothing of it is written. */
  relais_transfer_set_session_bytes (bad.receiver, 100000);
  for (id = 0x401; id <= 0x402; id++)
    {
      g_autoptr(GBytes) bytes = accepted_offer (id);

      for (guint32 i = 0; i < 3; i++)
        send_part (id, bytes, i);
      expect_answer (id, RELAIS_TRANSFER_ACK, 0);
    }
  bad_offer (0x403, "lettre.pdf", 40000, "application/pdf", SHA_ANY, 16384);
  expect_answer (0x403, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_QUOTA);
  g_assert_cmpuint (count_files (bad.dir), ==, 2);

  /* Documents of a session: small ones, up to RELAIS_TRANSFER_MAX_DOCUMENTS. */
  relais_transfer_set_session_bytes (bad.receiver, RELAIS_TRANSFER_DEFAULT_SESSION_BYTES);
  for (id = 0x501; count_files (bad.dir) < RELAIS_TRANSFER_MAX_DOCUMENTS; id++)
    {
      g_autoptr(GBytes) small = g_bytes_new_static ("%PDF-1.4 petit", 14);
      g_autofree char *sha = sha256_of (small);

      bad_offer (id, "petit.pdf", 14, "application/pdf", sha, 1024);
      expect_answer (id, RELAIS_TRANSFER_ACCEPT, 0);
      bad_send_chunk (id, 0, g_bytes_get_data (small, NULL), 14);
      expect_answer (id, RELAIS_TRANSFER_ACK, 0);
    }
  bad_offer (id, "petit.pdf", 14, "application/pdf", SHA_ANY, 1024);
  expect_answer (id, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_QUOTA);
  g_assert_cmpuint (count_files (bad.dir), ==, RELAIS_TRANSFER_MAX_DOCUMENTS);

  /* Chunks for 3 × RELAIS_TRANSFER_MAX_REFUSED unknown ids: only the
   * first ones are answered (and remembered). An offer after them marks
   * the end (the channel keeps the order). */
  for (id = 0x10000; id < 0x10000 + 3 * RELAIS_TRANSFER_MAX_REFUSED; id++)
    {
      guint8 data[100] = { 0 };

      bad_send_chunk (id, 0, data, sizeof data);
    }
  bad_offer (0x600, "lettre.pdf", 300 * 1024 * 1024, "application/pdf", SHA_ANY, 16384);
  expect_answer (0x600, RELAIS_TRANSFER_REFUSE, RELAIS_TRANSFER_REASON_TOO_LARGE);
  g_test_message ("%u unknown-transfer answers", count_refusals (RELAIS_TRANSFER_REASON_UNKNOWN_TRANSFER));
  g_assert_cmpuint (count_refusals (RELAIS_TRANSFER_REASON_UNKNOWN_TRANSFER), ==, RELAIS_TRANSFER_MAX_REFUSED);

  bad_teardown ();
  bad = saved;
}

static void
test_not_accepting (void)
{
  RelaisTestCallPair *pair = relais_test_call_pair_new ();
  g_autoptr(RelaisTransfer) sender = relais_transfer_new (relais_test_call_pair_get_a (pair));
  /* A participant that takes no documents (no directory given). */
  g_autoptr(RelaisTransfer) bystander = relais_transfer_new (relais_test_call_pair_get_b (pair));
  g_autoptr(GBytes) pdf = make_pdf (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Flow flow = { 0 };
  gboolean timed_out = FALSE;

  /* It says "not-accepting", and the sender keeps waiting for a
   * participant that does: only the cancel ends it. */
  relais_transfer_send_async (sender, pdf, "dossier.pdf", "application/pdf", cancellable, sent_cb, &flow);
  relais_test_call_pair_wait (&timed_out, 2);
  g_assert_false (flow.sent);
  g_cancellable_cancel (cancellable);
  g_assert_true (relais_test_call_pair_wait (&flow.sent, 10));
  g_assert_error (flow.send_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Bad input at the sender is refused before anything is sent. */
  {
    Flow local = { 0 };
    g_autoptr(GBytes) not_pdf = g_bytes_new_static ("MZ\x90\x00", 4);

    relais_transfer_send_async (sender, not_pdf, "dossier.pdf", "application/pdf", NULL, sent_cb, &local);
    g_assert_true (relais_test_call_pair_wait (&local.sent, 5));
    g_assert_error (local.send_error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
    flow_clear (&local);
    memset (&local, 0, sizeof local);
    relais_transfer_send_async (sender, pdf, "../dossier.pdf", "application/pdf", NULL, sent_cb, &local);
    g_assert_true (relais_test_call_pair_wait (&local.sent, 5));
    g_assert_error (local.send_error, RELAIS_ERROR, RELAIS_ERROR_NETWORK);
    flow_clear (&local);
  }

  flow_clear (&flow);
  g_clear_object (&sender);
  g_clear_object (&bystander);
  relais_test_call_pair_free (pair);
}

/* The scanner's fallback on a real call: the self-view's latest picture
 * (a test pattern here) as a grey, stretched page; the self-view goes on. */
static void
test_camera_still (void)
{
  RelaisCall *call = relais_test_call_new ();
  GstElement *sink = relais_call_get_local_video_sink (call);
  g_autoptr(RelaisPage) page = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  const guint8 *grey;
  guint min = 255, max = 0;

  /* Nothing shown yet on a call that just started: a clear refusal, or
   * already a picture. Then a picture comes. */
  relais_call_set_video_output (call, TRUE);
  relais_camera_still_prepare (sink);
  while (page == NULL && g_get_monotonic_time () < deadline)
    {
      g_clear_error (&error);
      page = relais_camera_still_take (sink, 75.0, &error);
      if (page == NULL)
        {
          g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA);
          g_main_context_iteration (NULL, FALSE);
          g_usleep (20000);
        }
    }
  g_assert_nonnull (page);
  g_assert_cmpuint (page->width, ==, 160);
  g_assert_cmpuint (page->height, ==, 120);
  g_assert_false (page->colour);
  g_assert_cmpfloat (page->dpi, ==, 75.0);
  grey = g_bytes_get_data (page->pixels, NULL);
  for (guint i = 0; i < page->width * page->height; i++)
    {
      min = MIN (min, grey[i]);
      max = MAX (max, grey[i]);
    }
  g_assert_cmpuint (min, ==, 0);
  g_assert_cmpuint (max, ==, 255);

  relais_call_hang_up (call);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (call);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/transfer/pdf", test_pdf_transfer);
  g_test_add_func ("/transfer/resume", test_resume);
  g_test_add_func ("/transfer/refuse-offers", test_refuse_offers);
  g_test_add_func ("/transfer/refuse-chunks", test_refuse_chunks);
  g_test_add_func ("/transfer/not-accepting", test_not_accepting);
  g_test_add_func ("/transfer/quotas", test_quotas);
  g_test_add_func ("/transfer/throughput", test_throughput);
  g_test_add_func ("/transfer/camera-still", test_camera_still);

  status = g_test_run ();

  if (bad.pair != NULL)
    bad_teardown ();
  return status;
}
