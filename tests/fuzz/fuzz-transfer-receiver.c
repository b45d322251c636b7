/* fuzz-transfer-receiver.c — libFuzzer target for RelaisTransfer's
 * receiver as a state machine (PROTOCOL.md, section 6): sequences of
 * offers, chunks, dones, cancels and raw messages, fed to the real object
 * writing into a session directory of its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The input is read as operations (see take_operation()): the first byte
 * of each picks the operation and the next its transfer (ids 1 to 6, so
 * that operations meet on the same transfers); offers and chunks carry
 * the bytes of a file the target makes up, with its real SHA-256, so that
 * transfers can complete. After every operation (issue 12, item 5):
 *   - open descriptors: at most RELAIS_TRANSFER_MAX_RECEIVING more than
 *     before the input;
 *   - bytes in the directory: at most the session's quota; files: at most
 *     RELAIS_TRANSFER_MAX_DOCUMENTS;
 * and once the receiver is gone: no temporary file, no descriptor left.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <linux/magic.h>

#include "relais-session-dir.h"
#include "relais-transfer-protocol.h"
#include "relais-transfer.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define N_IDS          6
#define MAX_OPERATIONS 200
#define MAX_SIZE       (48 * 1024)
#define SESSION_BYTES  (160 * 1024)

static char *session_dir;

/* What the target offered last for each id: the file it stands for. */
typedef struct
{
  gboolean  offered;
  guint64   size;
  guint32   chunk_size;
  gboolean  jpeg;
  guint32   next;        /* next chunk the target sends */
  guint8   *contents;
} Model;

typedef struct
{
  const uint8_t *data;
  size_t         size;
} Input;

static guint8
take_byte (Input *input)
{
  guint8 byte;

  if (input->size == 0)
    return 0;
  byte = input->data[0];
  input->data++;
  input->size--;
  return byte;
}

static guint16
take_u16 (Input *input)
{
  guint16 high = take_byte (input);

  return (guint16) ((high << 8) | take_byte (input));
}

static guint
count_entries (const char *path,
               guint64    *bytes,
               guint      *temporary)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert (dir != NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      struct stat st;

      n++;
      if (bytes != NULL && lstat (child, &st) == 0)
        *bytes += (guint64) st.st_size;
      if (temporary != NULL && g_str_has_prefix (name, ".relais-part-"))
        (*temporary)++;
    }
  return n;
}

static guint
count_fds (void)
{
  return count_entries ("/proc/self/fd", NULL, NULL);
}

static void
model_make (Model   *model,
            guint64  id)
{
  g_free (model->contents);
  model->contents = g_malloc (model->size);
  for (guint64 i = 0; i < model->size; i++)
    model->contents[i] = (guint8) (i * 31 + id * 7);
  if (model->jpeg)
    memcpy (model->contents, "\xff\xd8\xff", MIN (model->size, 3));
  else
    memcpy (model->contents, "%PDF-", MIN (model->size, 5));
  model->next = 0;
}

static void
send_offer (RelaisTransfer *transfer,
            guint64         id,
            const Model    *model,
            gboolean        wrong_sha,
            gboolean        bad_name)
{
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, model->contents, model->size);
  g_autofree char *id_text = relais_transfer_id_to_string (id);
  g_autofree char *text = NULL;

  if (wrong_sha)
    sha[0] = sha[0] == '0' ? '1' : '0';
  text = g_strdup_printf ("{\"relais\":1,\"type\":\"transfer-offer\",\"id\":\"%s\",\"name\":\"%s\","
                          "\"size\":%" G_GUINT64_FORMAT ",\"mime\":\"%s\",\"sha256\":\"%s\",\"chunk_size\":%u}",
                          id_text, bad_name ? "../x.pdf" : (model->jpeg ? "photo.jpg" : "lettre.pdf"),
                          model->size, model->jpeg ? "image/jpeg" : "application/pdf", sha,
                          model->chunk_size);
  relais_transfer_handle_message (transfer, text);
}

static void
send_chunk (RelaisTransfer *transfer,
            guint64         id,
            const Model    *model,
            guint32         index,
            guint8          flags)
{
  guint64 offset = (guint64) index * model->chunk_size;
  gsize length;
  g_autofree guint8 *copy = NULL;
  g_autoptr(GBytes) chunk = NULL;

  if (model->contents == NULL || offset >= model->size)
    {
      /* Past the end: a chunk of bytes nobody announced. */
      guint8 junk[64] = { 0 };

      chunk = relais_transfer_chunk_build (id, index, junk, 1 + flags % sizeof junk);
      relais_transfer_handle_data (transfer, chunk);
      return;
    }

  length = (gsize) MIN ((guint64) model->chunk_size, model->size - offset);
  copy = g_malloc (length + 1);
  memcpy (copy, model->contents + offset, length);
  copy[length] = 0x55;
  if (flags & 1)
    copy[length / 2] ^= 0x80;
  if ((flags & 2) && length > 1)
    length--;
  else if (flags & 4)
    length++;
  chunk = relais_transfer_chunk_build (id, index, copy, length);
  relais_transfer_handle_data (transfer, chunk);
}

static void
send_simple (RelaisTransfer *transfer,
             const char     *type,
             guint64         id)
{
  g_autofree char *id_text = relais_transfer_id_to_string (id);
  g_autofree char *text = g_strdup_printf ("{\"relais\":1,\"type\":\"%s\",\"id\":\"%s\",\"reason\":\"cancelled\"}",
                                           type, id_text);

  relais_transfer_handle_message (transfer, text);
}

static void
check_bounds (guint fds_before)
{
  guint64 bytes = 0;
  guint files = count_entries (session_dir, &bytes, NULL);

  g_assert (count_fds () <= fds_before + RELAIS_TRANSFER_MAX_RECEIVING);
  g_assert (bytes <= SESSION_BYTES);
  g_assert (files <= RELAIS_TRANSFER_MAX_DOCUMENTS);
}

/* One operation of the input on @transfer. */
static void
take_operation (RelaisTransfer *transfer,
                Model          *models,
                Input          *input)
{
  guint8 op = take_byte (input) % 8;
  guint64 id = 1 + take_byte (input) % N_IDS;
  Model *model = &models[id - 1];

  switch (op)
    {
    case 0:   /* offer a new file */
      {
        guint8 flags;

        model->size = 1 + take_u16 (input) % MAX_SIZE;
        model->chunk_size = RELAIS_TRANSFER_CHUNK_DATA_MIN * (1 + take_byte (input) % 4);
        flags = take_byte (input);
        model->jpeg = flags & 1;
        model->offered = TRUE;
        model_make (model, id);
        send_offer (transfer, id, model, flags & 2, (flags & 0x1c) == 0x1c);
        break;
      }

    case 1:   /* one chunk, maybe spoilt */
      {
        guint32 index = take_byte (input) % 64;

        send_chunk (transfer, id, model, index, take_byte (input));
        break;
      }

    case 2:   /* the rest of the file, in order */
      if (model->offered)
        {
          guint32 n = relais_transfer_chunk_count (model->size, model->chunk_size);

          for (; model->next < n; model->next++)
            send_chunk (transfer, id, model, model->next, 0);
        }
      break;

    case 3:
      send_simple (transfer, "transfer-done", id);
      break;

    case 4:
      send_simple (transfer, "transfer-cancel", id);
      break;

    case 5:   /* the same offer again (a reconnection) */
      if (model->offered)
        send_offer (transfer, id, model, FALSE, FALSE);
      break;

    case 6:   /* a text message of the input's own */
      {
        gsize wanted = take_byte (input);
        gsize length = MIN (wanted, input->size);
        g_autofree char *text = g_strndup ((const char *) input->data, length);

        input->data += length;
        input->size -= length;
        relais_transfer_handle_message (transfer, text);
        break;
      }

    case 7:   /* a binary message of the input's own */
    default:
      {
        gsize wanted = take_u16 (input);
        gsize length = MIN (wanted, input->size);
        g_autoptr(GBytes) bytes = g_bytes_new (input->data, length);

        input->data += length;
        input->size -= length;
        relais_transfer_handle_data (transfer, bytes);
        break;
      }
    }
}

static void
remove_session_dir (void)
{
  relais_session_dir_wipe (session_dir, NULL);
  g_rmdir (session_dir);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  const char *bases[] = { g_getenv ("XDG_RUNTIME_DIR"), "/dev/shm" };
  struct statfs st;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  /* In memory, as at a kiosk (and fast); else wherever the tests put
   * their session directories. */
  for (gsize i = 0; i < G_N_ELEMENTS (bases) && session_dir == NULL; i++)
    if (bases[i] != NULL && statfs (bases[i], &st) == 0 &&
        relais_session_dir_fs_type_is_memory ((unsigned long) st.f_type))
      {
        g_autofree char *template = g_build_filename (bases[i], "relais-fuzz-receiver-XXXXXX", NULL);

        session_dir = g_mkdtemp (g_steal_pointer (&template));
      }
  if (session_dir == NULL)
    {
      g_setenv ("RELAIS_TEST_DISK_SESSION_DIR", "1", TRUE);
      session_dir = g_dir_make_tmp ("relais-fuzz-receiver-XXXXXX", NULL);
    }
  g_assert (session_dir != NULL);
  atexit (remove_session_dir);

  /* What GLib opens once and keeps (the default main context's wake-up
   * descriptor) must not count as the first input's. */
  g_object_unref (relais_transfer_new (NULL));
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Input input = { data, size };
  Model models[N_IDS] = { 0 };
  RelaisTransfer *transfer;
  guint fds_before = count_fds ();
  guint temporary = 0;

  transfer = relais_transfer_new (NULL);
  relais_transfer_set_receive_dir (transfer, session_dir);
  relais_transfer_set_max_size (transfer, MAX_SIZE - 4096);
  relais_transfer_set_session_bytes (transfer, SESSION_BYTES);

  for (guint n = 0; n < MAX_OPERATIONS && input.size > 0; n++)
    {
      take_operation (transfer, models, &input);
      check_bounds (fds_before);
    }

  g_object_unref (transfer);
  count_entries (session_dir, NULL, &temporary);
  g_assert (temporary == 0);
  g_assert (count_fds () == fds_before);

  for (guint i = 0; i < N_IDS; i++)
    g_free (models[i].contents);
  g_assert (relais_session_dir_wipe (session_dir, NULL));
  return 0;
}
