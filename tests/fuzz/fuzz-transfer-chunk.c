/* fuzz-transfer-chunk.c — libFuzzer target for the document transfer
 * chunks (binary messages from the data channel, PROTOCOL.md section 6).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <string.h>

#include "relais-transfer-protocol.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  RelaisTransferChunk chunk;
  RelaisTransferReason reason;

  if (!relais_transfer_chunk_parse (data, size, &chunk, &reason))
    {
      g_assert (reason == RELAIS_TRANSFER_REASON_BAD_CHUNK || reason == RELAIS_TRANSFER_REASON_VERSION);
      return 0;
    }

  /* The data lies inside the message, after the header, never empty. */
  g_assert (reason == RELAIS_TRANSFER_REASON_NONE);
  g_assert (chunk.id != 0);
  g_assert (chunk.data == data + RELAIS_TRANSFER_CHUNK_HEADER);
  g_assert (chunk.length > 0 && chunk.length <= RELAIS_TRANSFER_CHUNK_DATA_MAX);
  g_assert (chunk.length + RELAIS_TRANSFER_CHUNK_HEADER == size);

  /* Built again, it is the same message. */
  {
    g_autoptr(GBytes) built = relais_transfer_chunk_build (chunk.id, chunk.index, chunk.data, chunk.length);

    g_assert (g_bytes_get_size (built) == size);
    g_assert (memcmp (g_bytes_get_data (built, NULL), data, size) == 0);
  }
  return 0;
}
