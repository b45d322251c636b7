/* relais-transfer-protocol.h
 *
 * The messages of document transfers (common/PROTOCOL.md, section 6):
 * pure functions that read and write them, with no state, so every
 * refusal is unit-tested and fuzzed (tests/fuzz/fuzz-transfer-*.c).
 * RelaisTransfer (relais-transfer.h) moves files with them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One data-channel message. Neither Janus nor webrtcbin announces a
 * max-message-size (RFC 8841's default is 65536), but Janus 1.1.2 drops
 * binary messages of exactly 65536 bytes (measured: every full chunk of a
 * transfer lost, the short last one relayed): one byte less. */
#define RELAIS_TRANSFER_MAX_MESSAGE     65535
/* "RLTX", version, 3 reserved bytes, transfer id (8), chunk index (4). */
#define RELAIS_TRANSFER_CHUNK_HEADER    20
#define RELAIS_TRANSFER_CHUNK_DATA_MAX  (RELAIS_TRANSFER_MAX_MESSAGE - RELAIS_TRANSFER_CHUNK_HEADER)
#define RELAIS_TRANSFER_CHUNK_DATA_MIN  1024
/* Bytes of UTF-8 in a file name. */
#define RELAIS_TRANSFER_NAME_MAX        120
/* No offer above this, whatever the receiver's own limit. */
#define RELAIS_TRANSFER_SIZE_LIMIT      (G_GUINT64_CONSTANT (1) << 30)

typedef enum
{
  RELAIS_TRANSFER_OFFER,
  RELAIS_TRANSFER_ACCEPT,
  RELAIS_TRANSFER_REFUSE,
  RELAIS_TRANSFER_RESUME,
  RELAIS_TRANSFER_DONE,
  RELAIS_TRANSFER_ACK,
  RELAIS_TRANSFER_CANCEL,
} RelaisTransferMessageType;

/* Why a transfer is refused; the wire name is in PROTOCOL.md. */
typedef enum
{
  RELAIS_TRANSFER_REASON_NONE,
  RELAIS_TRANSFER_REASON_BAD_MESSAGE,      /* "bad-message" */
  RELAIS_TRANSFER_REASON_VERSION,          /* "unsupported-version" */
  RELAIS_TRANSFER_REASON_NOT_ACCEPTING,    /* "not-accepting" */
  RELAIS_TRANSFER_REASON_TOO_LARGE,        /* "too-large" */
  RELAIS_TRANSFER_REASON_BAD_TYPE,         /* "bad-type" */
  RELAIS_TRANSFER_REASON_BAD_NAME,         /* "bad-name" */
  RELAIS_TRANSFER_REASON_BAD_HASH,         /* "bad-hash" */
  RELAIS_TRANSFER_REASON_BAD_CHUNK,        /* "bad-chunk" */
  RELAIS_TRANSFER_REASON_OUT_OF_ORDER,     /* "out-of-order" */
  RELAIS_TRANSFER_REASON_DUPLICATE,        /* "duplicate" */
  RELAIS_TRANSFER_REASON_UNKNOWN_TRANSFER, /* "unknown-transfer" */
  RELAIS_TRANSFER_REASON_CONFLICT,         /* "conflict" */
  RELAIS_TRANSFER_REASON_INCOMPLETE,       /* "incomplete" */
  RELAIS_TRANSFER_REASON_STORAGE,          /* "storage" */
  RELAIS_TRANSFER_REASON_CANCELLED,        /* "cancelled" */
  RELAIS_TRANSFER_REASON_DECLINED,         /* "declined" */
  RELAIS_TRANSFER_REASON_BUSY,             /* "busy" */
  RELAIS_TRANSFER_REASON_QUOTA,            /* "quota" */
  RELAIS_TRANSFER_N_REASONS
} RelaisTransferReason;

typedef struct
{
  RelaisTransferMessageType  type;
  guint64                    id;          /* every type */
  /* offer */
  char                      *name;
  guint64                    size;
  const char                *mime;        /* static: "application/pdf" or "image/jpeg" */
  char                       sha256[65];  /* offer and ack: 64 lower-case hex digits */
  guint32                    chunk_size;
  /* accept, resume: the first chunk the receiver still needs */
  guint32                    next;
  /* refuse, cancel */
  RelaisTransferReason       reason;
} RelaisTransferMessage;

typedef struct
{
  guint64       id;
  guint32       index;
  const guint8 *data;     /* points into the parsed message */
  gsize         length;
} RelaisTransferChunk;

typedef enum
{
  RELAIS_TRANSFER_PARSE_OK,
  /* Not a transfer message: a chat line, or another type of the envelope. */
  RELAIS_TRANSFER_PARSE_NOT_OURS,
  /* A transfer message that breaks the rules: refuse it with the reason
   * (and the id, when it could be read). */
  RELAIS_TRANSFER_PARSE_INVALID,
} RelaisTransferParseResult;

void                       relais_transfer_message_clear (RelaisTransferMessage *message);

/* Reads one text message of the data channel. On INVALID, @reason says
 * why and message->id holds the id if one was readable (else 0). */
RelaisTransferParseResult  relais_transfer_message_parse (const char             *text,
                                                          gsize                   length,
                                                          RelaisTransferMessage  *message,
                                                          RelaisTransferReason   *reason);
/* The JSON text of @message (fields not used by its type are left out). */
char                      *relais_transfer_message_to_json (const RelaisTransferMessage *message);

/* Reads one binary message. FALSE (with @reason) when it is not a
 * well-formed chunk. */
gboolean                   relais_transfer_chunk_parse   (const guint8         *data,
                                                          gsize                 length,
                                                          RelaisTransferChunk  *chunk,
                                                          RelaisTransferReason *reason);
GBytes                    *relais_transfer_chunk_build   (guint64               id,
                                                          guint32               index,
                                                          const guint8         *data,
                                                          gsize                 length);

/* A file name we accept to write: valid UTF-8, 1 to
 * RELAIS_TRANSFER_NAME_MAX bytes, no '/', '\\', "..", control or format
 * (bidirectional) characters, not starting with '.' or a space. */
gboolean                   relais_transfer_name_is_valid (const char *name,
                                                          gsize       length);
/* The content types a kiosk takes: the static string, or NULL. */
const char                *relais_transfer_mime_lookup   (const char *mime);
/* TRUE when @data starts the way a file of @mime must. */
gboolean                   relais_transfer_magic_matches (const char   *mime,
                                                          const guint8 *data,
                                                          gsize         length);
/* Number of chunks of a file of @size bytes. */
guint32                    relais_transfer_chunk_count   (guint64 size,
                                                          guint32 chunk_size);

const char                *relais_transfer_reason_to_string   (RelaisTransferReason reason);
RelaisTransferReason       relais_transfer_reason_from_string (const char *text);
/* A sentence for the person in front of the kiosk (translated). */
const char                *relais_transfer_reason_to_message  (RelaisTransferReason reason);

/* 16 lower-case hex digits ⇄ the 64-bit id of chunk headers. */
char                      *relais_transfer_id_to_string  (guint64 id);

G_END_DECLS
