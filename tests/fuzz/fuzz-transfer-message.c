/* fuzz-transfer-message.c — libFuzzer target for the document transfer
 * messages (JSON text from the data channel, PROTOCOL.md section 6).
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
  RelaisTransferMessage message;
  RelaisTransferReason reason;
  RelaisTransferParseResult result;

  /* What the call hands over is a C string of valid UTF-8 (RelaisCall
   * drops the rest); the parser must still survive anything. */
  result = relais_transfer_message_parse ((const char *) data, size, &message, &reason);

  switch (result)
    {
    case RELAIS_TRANSFER_PARSE_NOT_OURS:
      g_assert (reason == RELAIS_TRANSFER_REASON_NONE);
      g_assert (message.name == NULL);
      break;

    case RELAIS_TRANSFER_PARSE_INVALID:
      g_assert (reason != RELAIS_TRANSFER_REASON_NONE && reason < RELAIS_TRANSFER_N_REASONS);
      g_assert (message.name == NULL);
      g_assert (g_utf8_validate (relais_transfer_reason_to_message (reason), -1, NULL));
      break;

    case RELAIS_TRANSFER_PARSE_OK:
      {
        g_autofree char *json = NULL;
        RelaisTransferMessage again;
        RelaisTransferReason again_reason;

        g_assert (reason == RELAIS_TRANSFER_REASON_NONE);
        g_assert (message.id != 0);
        if (message.type == RELAIS_TRANSFER_OFFER)
          {
            /* Whatever is accepted is safe to write as a file name. */
            g_assert (message.name != NULL);
            g_assert (relais_transfer_name_is_valid (message.name, strlen (message.name)));
            g_assert (strchr (message.name, '/') == NULL && strchr (message.name, '\\') == NULL);
            g_assert (strstr (message.name, "..") == NULL);
            g_assert (relais_transfer_mime_lookup (message.mime) == message.mime);
            g_assert (message.size > 0 && message.size <= RELAIS_TRANSFER_SIZE_LIMIT);
            g_assert (message.chunk_size >= RELAIS_TRANSFER_CHUNK_DATA_MIN &&
                      message.chunk_size <= RELAIS_TRANSFER_CHUNK_DATA_MAX);
            g_assert (strlen (message.sha256) == 64);
          }

        /* What we read, we write back the same. */
        json = relais_transfer_message_to_json (&message);
        g_assert (relais_transfer_message_parse (json, strlen (json), &again, &again_reason) == RELAIS_TRANSFER_PARSE_OK);
        g_assert (again.type == message.type && again.id == message.id);
        g_assert (g_strcmp0 (again.name, message.name) == 0);
        g_assert (again.size == message.size && again.next == message.next);
        relais_transfer_message_clear (&again);
        break;
      }
    }

  relais_transfer_message_clear (&message);
  return 0;
}
