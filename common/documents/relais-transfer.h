/* relais-transfer.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-call.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_TRANSFER (relais_transfer_get_type ())
G_DECLARE_FINAL_TYPE (RelaisTransfer, relais_transfer, RELAIS, TRANSFER, GObject)

/* Default largest document a receiver takes. */
#define RELAIS_TRANSFER_DEFAULT_MAX_SIZE (20 * 1024 * 1024)

/* What one peer may make a receiver hold (issue 12, item 5): each
 * transfer under way is an open file, each byte is memory (the session
 * directory is a tmpfs). Offers beyond are refused with "busy" (too many
 * at once) or "quota" (the bytes or the number of documents of the
 * session; a session is one RelaisTransfer, from its first call to its
 * last reconnection). */
#define RELAIS_TRANSFER_MAX_RECEIVING        4
#define RELAIS_TRANSFER_DEFAULT_SESSION_BYTES (G_GUINT64_CONSTANT (64) * 1024 * 1024)
#define RELAIS_TRANSFER_MAX_DOCUMENTS        32
/* Unknown ids answered "unknown-transfer"; chunks of further unknown
 * ids are dropped without a word. */
#define RELAIS_TRANSFER_MAX_REFUSED          64

/* Documents over a call's data channel (PROTOCOL.md, section 6), both
 * ways: sends files and, when given a directory, receives them there and
 * nowhere else. Chunks go through the call's send queue, topped up on
 * "send-queue-low", so the channel's buffer never holds more than about a
 * megabyte and the call's other messages keep their turn.
 *
 * Signals, on the main context:
 *  - "send-progress" (id, bytes queued, total)
 *  - "receive-started" (id, name, size)
 *  - "receive-progress" (id, bytes written, total)
 *  - "received" (id, path, size, sha256): the file is in place, hash checked
 *  - "receive-failed" (id, sentence for a person): nothing of it is left
 * Names and contents are never logged. */
RelaisTransfer *relais_transfer_new             (RelaisCall     *call);
/* After a reconnection: the new call carries on. Unfinished sends are
 * offered again with the same id; the receiver answers where to resume. */
void            relais_transfer_set_call        (RelaisTransfer *self,
                                                 RelaisCall     *call);
/* Where received files go (the session directory); NULL (the default)
 * refuses every offer with "not-accepting". A directory that is not in
 * memory (relais_session_dir_check_memory()) refuses every offer with
 * "storage", and "receive-failed" tells the person why. */
void            relais_transfer_set_receive_dir (RelaisTransfer *self,
                                                 const char     *path);
void            relais_transfer_set_max_size    (RelaisTransfer *self,
                                                 guint64         max_size);
/* Bytes of documents one session may receive, counted by the size each
 * accepted offer announced (default RELAIS_TRANSFER_DEFAULT_SESSION_BYTES). */
void            relais_transfer_set_session_bytes (RelaisTransfer *self,
                                                   guint64         bytes);
/* Bytes of file per chunk (tests; default and maximum
 * RELAIS_TRANSFER_CHUNK_DATA_MAX). */
void            relais_transfer_set_chunk_size  (RelaisTransfer *self,
                                                 guint32         chunk_size);

/* Sends @contents as @name (@mime: "application/pdf" or "image/jpeg").
 * Completes when the receiver has acknowledged the file with the same
 * SHA-256; finish returns it (64 hex digits). A refusal fails with
 * RELAIS_ERROR_NETWORK and a sentence for a person. */
void            relais_transfer_send_async      (RelaisTransfer      *self,
                                                 GBytes              *contents,
                                                 const char          *name,
                                                 const char          *mime,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
char           *relais_transfer_send_finish     (RelaisTransfer      *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* What the call's signals feed in; public for tests. */
void            relais_transfer_handle_message  (RelaisTransfer *self,
                                                 const char     *text);
void            relais_transfer_handle_data     (RelaisTransfer *self,
                                                 GBytes         *data);

G_END_DECLS
