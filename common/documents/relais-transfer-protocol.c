/* relais-transfer-protocol.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-transfer-protocol"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "relais-json-guard.h"
#include "relais-transfer-protocol.h"

#define ENVELOPE_VERSION 1
#define CHUNK_VERSION    1
#define TYPE_PREFIX      "transfer-"

static const char chunk_magic[4] = { 'R', 'L', 'T', 'X' };

static const char * const type_names[] = {
  [RELAIS_TRANSFER_OFFER]  = "transfer-offer",
  [RELAIS_TRANSFER_ACCEPT] = "transfer-accept",
  [RELAIS_TRANSFER_REFUSE] = "transfer-refuse",
  [RELAIS_TRANSFER_RESUME] = "transfer-resume",
  [RELAIS_TRANSFER_DONE]   = "transfer-done",
  [RELAIS_TRANSFER_ACK]    = "transfer-ack",
  [RELAIS_TRANSFER_CANCEL] = "transfer-cancel",
};

static const char * const reason_names[RELAIS_TRANSFER_N_REASONS] = {
  [RELAIS_TRANSFER_REASON_NONE]             = "none",
  [RELAIS_TRANSFER_REASON_BAD_MESSAGE]      = "bad-message",
  [RELAIS_TRANSFER_REASON_VERSION]          = "unsupported-version",
  [RELAIS_TRANSFER_REASON_NOT_ACCEPTING]    = "not-accepting",
  [RELAIS_TRANSFER_REASON_TOO_LARGE]        = "too-large",
  [RELAIS_TRANSFER_REASON_BAD_TYPE]         = "bad-type",
  [RELAIS_TRANSFER_REASON_BAD_NAME]         = "bad-name",
  [RELAIS_TRANSFER_REASON_BAD_HASH]         = "bad-hash",
  [RELAIS_TRANSFER_REASON_BAD_CHUNK]        = "bad-chunk",
  [RELAIS_TRANSFER_REASON_OUT_OF_ORDER]     = "out-of-order",
  [RELAIS_TRANSFER_REASON_DUPLICATE]        = "duplicate",
  [RELAIS_TRANSFER_REASON_UNKNOWN_TRANSFER] = "unknown-transfer",
  [RELAIS_TRANSFER_REASON_CONFLICT]         = "conflict",
  [RELAIS_TRANSFER_REASON_INCOMPLETE]       = "incomplete",
  [RELAIS_TRANSFER_REASON_STORAGE]          = "storage",
  [RELAIS_TRANSFER_REASON_CANCELLED]        = "cancelled",
  [RELAIS_TRANSFER_REASON_DECLINED]         = "declined",
  [RELAIS_TRANSFER_REASON_BUSY]             = "busy",
  [RELAIS_TRANSFER_REASON_QUOTA]            = "quota",
};

static const char * const mime_types[] = {
  "application/pdf",
  "image/jpeg",
};

/* ---- Small readers ------------------------------------------------------ */

static gboolean
read_uint (JsonObject *object,
           const char *member,
           guint64     max,
           guint64    *value)
{
  JsonNode *node = json_object_get_member (object, member);
  gint64 number;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  number = json_node_get_int (node);
  if (number < 0 || (guint64) number > max)
    return FALSE;
  *value = (guint64) number;
  return TRUE;
}

static const char *
read_string (JsonObject *object,
             const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
is_lower_hex (const char *text,
              gsize       length)
{
  if (text == NULL || strlen (text) != length)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
read_id (JsonObject *object,
         guint64    *id)
{
  const char *text = read_string (object, "id");
  guint64 value;

  if (!is_lower_hex (text, 16))
    return FALSE;
  value = g_ascii_strtoull (text, NULL, 16);
  if (value == 0)
    return FALSE;
  *id = value;
  return TRUE;
}

/* TRUE when @text holds a \u0000 escape (any case of the hex digits),
 * whether or not its backslash is itself escaped: refusing a few odd but
 * harmless texts costs nothing. */
static gboolean
has_nul_escape (const char *text,
                gsize       length)
{
  for (gsize i = 0; i + 6 <= length; i++)
    if (text[i] == '\\' && (text[i + 1] == 'u' || text[i + 1] == 'U') &&
        text[i + 2] == '0' && text[i + 3] == '0' && text[i + 4] == '0' && text[i + 5] == '0')
      return TRUE;
  return FALSE;
}

/* ---- Public ------------------------------------------------------------- */

void
relais_transfer_message_clear (RelaisTransferMessage *message)
{
  g_return_if_fail (message != NULL);

  g_clear_pointer (&message->name, g_free);
  memset (message, 0, sizeof *message);
}

const char *
relais_transfer_reason_to_string (RelaisTransferReason reason)
{
  if ((guint) reason >= RELAIS_TRANSFER_N_REASONS)
    return reason_names[RELAIS_TRANSFER_REASON_BAD_MESSAGE];
  return reason_names[reason];
}

RelaisTransferReason
relais_transfer_reason_from_string (const char *text)
{
  if (text == NULL)
    return RELAIS_TRANSFER_REASON_BAD_MESSAGE;
  for (guint i = 1; i < RELAIS_TRANSFER_N_REASONS; i++)
    if (g_str_equal (text, reason_names[i]))
      return (RelaisTransferReason) i;
  /* A reason from a newer peer: still a refusal. */
  return RELAIS_TRANSFER_REASON_BAD_MESSAGE;
}

const char *
relais_transfer_reason_to_message (RelaisTransferReason reason)
{
  switch (reason)
    {
    case RELAIS_TRANSFER_REASON_NONE:
      return _("Le document est arrivé.");
    case RELAIS_TRANSFER_REASON_VERSION:
      return _("L’autre poste utilise une version de Relais trop différente pour échanger des documents.");
    case RELAIS_TRANSFER_REASON_NOT_ACCEPTING:
      return _("L’autre poste ne reçoit pas de documents pour l’instant.");
    case RELAIS_TRANSFER_REASON_TOO_LARGE:
      return _("Le document est trop gros pour être envoyé. Retirez des pages et réessayez.");
    case RELAIS_TRANSFER_REASON_BAD_TYPE:
      return _("Ce type de fichier n’est pas accepté : seuls les PDF et les photos JPEG passent.");
    case RELAIS_TRANSFER_REASON_BAD_NAME:
      return _("Le nom du document n’est pas accepté.");
    case RELAIS_TRANSFER_REASON_BAD_HASH:
      return _("Le document est arrivé abîmé. Envoyez-le à nouveau.");
    case RELAIS_TRANSFER_REASON_OUT_OF_ORDER:
    case RELAIS_TRANSFER_REASON_DUPLICATE:
    case RELAIS_TRANSFER_REASON_BAD_CHUNK:
    case RELAIS_TRANSFER_REASON_INCOMPLETE:
      return _("Le document est arrivé incomplet. Envoyez-le à nouveau.");
    case RELAIS_TRANSFER_REASON_UNKNOWN_TRANSFER:
    case RELAIS_TRANSFER_REASON_CONFLICT:
      return _("L’autre poste ne reconnaît pas cet envoi. Envoyez le document à nouveau.");
    case RELAIS_TRANSFER_REASON_STORAGE:
      return _("L’autre poste n’a pas pu enregistrer le document.");
    case RELAIS_TRANSFER_REASON_CANCELLED:
      return _("L’envoi du document a été annulé.");
    case RELAIS_TRANSFER_REASON_DECLINED:
      return _("Le document a été refusé.");
    case RELAIS_TRANSFER_REASON_BUSY:
      return _("L’autre poste reçoit déjà plusieurs documents. Attendez qu’ils soient arrivés, puis envoyez celui-ci à nouveau.");
    case RELAIS_TRANSFER_REASON_QUOTA:
      return _("L’autre poste a déjà reçu tous les documents qu’il peut garder pendant cette séance.");
    case RELAIS_TRANSFER_REASON_BAD_MESSAGE:
    case RELAIS_TRANSFER_N_REASONS:
    default:
      return _("L’autre poste n’a pas compris l’envoi du document.");
    }
}

char *
relais_transfer_id_to_string (guint64 id)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", id);
}

const char *
relais_transfer_mime_lookup (const char *mime)
{
  if (mime == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (mime_types); i++)
    if (g_str_equal (mime, mime_types[i]))
      return mime_types[i];
  return NULL;
}

gboolean
relais_transfer_magic_matches (const char   *mime,
                               const guint8 *data,
                               gsize         length)
{
  if (g_strcmp0 (mime, "application/pdf") == 0)
    return length >= 5 && memcmp (data, "%PDF-", 5) == 0;
  if (g_strcmp0 (mime, "image/jpeg") == 0)
    return length >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff;
  return FALSE;
}

guint32
relais_transfer_chunk_count (guint64 size,
                             guint32 chunk_size)
{
  if (chunk_size == 0)
    return 0;
  return (guint32) ((size + chunk_size - 1) / chunk_size);
}

gboolean
relais_transfer_name_is_valid (const char *name,
                               gsize       length)
{
  const char *end;

  if (name == NULL || length == 0 || length > RELAIS_TRANSFER_NAME_MAX)
    return FALSE;
  if (!g_utf8_validate (name, length, &end) || end != name + length)
    return FALSE;
  if (name[0] == '.' || name[0] == ' ' || name[length - 1] == ' ')
    return FALSE;
  if (g_strstr_len (name, length, "..") != NULL)
    return FALSE;

  for (const char *p = name; p < name + length; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (c == '/' || c == '\\' || c == 0)
        return FALSE;
      /* Control characters, and format ones: bidirectional overrides
       * make "fdp.exe" read as "exe.pdf". */
      if (type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT ||
          type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR ||
          type == G_UNICODE_UNASSIGNED || type == G_UNICODE_SURROGATE ||
          type == G_UNICODE_PRIVATE_USE)
        return FALSE;
    }

  return TRUE;
}

RelaisTransferParseResult
relais_transfer_message_parse (const char            *text,
                               gsize                  length,
                               RelaisTransferMessage *message,
                               RelaisTransferReason  *reason)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *object;
  const char *type;
  guint64 version = 0;
  gsize start = 0;
  int type_index = -1;

  g_return_val_if_fail (message != NULL, RELAIS_TRANSFER_PARSE_INVALID);
  g_return_val_if_fail (reason != NULL, RELAIS_TRANSFER_PARSE_INVALID);

  memset (message, 0, sizeof *message);
  *reason = RELAIS_TRANSFER_REASON_NONE;

  if (text == NULL)
    return RELAIS_TRANSFER_PARSE_NOT_OURS;

  /* A chat line is any text that is not a JSON object. */
  while (start < length && g_ascii_isspace (text[start]))
    start++;
  if (start == length || text[start] != '{')
    return RELAIS_TRANSFER_PARSE_NOT_OURS;

  /* Unparsable or over-deep JSON, or an embedded NUL: not an envelope
   * either, as far as transfers go (the envelope's owner decides). */
  if (memchr (text, '\0', length) != NULL ||
      !relais_json_guard_check (text, length, RELAIS_TRANSFER_MAX_MESSAGE, 8, NULL) ||
      !relais_json_guard_check_integers (text, length, NULL))
    return RELAIS_TRANSFER_PARSE_NOT_OURS;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, (gssize) length, NULL))
    return RELAIS_TRANSFER_PARSE_NOT_OURS;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return RELAIS_TRANSFER_PARSE_NOT_OURS;
  object = json_node_get_object (root);

  type = read_string (object, "type");
  if (type == NULL || !g_str_has_prefix (type, TYPE_PREFIX) ||
      !json_object_has_member (object, "relais"))
    return RELAIS_TRANSFER_PARSE_NOT_OURS;

  /* From here it is a transfer message: whatever is wrong is refused. */
  *reason = RELAIS_TRANSFER_REASON_BAD_MESSAGE;
  if (!read_id (object, &message->id))
    message->id = 0;

  /* json-glib turns "\u0000" into a NUL that silently cuts the C string
   * ("a\u0000.exe" would read as "a"): no transfer message needs one. */
  if (has_nul_escape (text, length))
    return RELAIS_TRANSFER_PARSE_INVALID;

  if (!read_uint (object, "relais", G_MAXUINT32, &version) || version != ENVELOPE_VERSION)
    {
      *reason = RELAIS_TRANSFER_REASON_VERSION;
      return RELAIS_TRANSFER_PARSE_INVALID;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (g_str_equal (type, type_names[i]))
      type_index = (int) i;
  if (type_index < 0 || message->id == 0)
    return RELAIS_TRANSFER_PARSE_INVALID;
  message->type = (RelaisTransferMessageType) type_index;

  switch (message->type)
    {
    case RELAIS_TRANSFER_OFFER:
      {
        const char *name = read_string (object, "name");
        const char *mime = read_string (object, "mime");
        const char *sha256 = read_string (object, "sha256");
        guint64 chunk_size = 0;

        if (name == NULL || mime == NULL || sha256 == NULL ||
            !json_object_has_member (object, "size") ||
            !read_uint (object, "chunk_size", RELAIS_TRANSFER_CHUNK_DATA_MAX, &chunk_size) ||
            chunk_size < RELAIS_TRANSFER_CHUNK_DATA_MIN)
          return RELAIS_TRANSFER_PARSE_INVALID;
        message->chunk_size = (guint32) chunk_size;

        if (!read_uint (object, "size", G_MAXINT64, &message->size))
          return RELAIS_TRANSFER_PARSE_INVALID;
        if (message->size > RELAIS_TRANSFER_SIZE_LIMIT)
          {
            *reason = RELAIS_TRANSFER_REASON_TOO_LARGE;
            return RELAIS_TRANSFER_PARSE_INVALID;
          }
        if (message->size == 0)
          return RELAIS_TRANSFER_PARSE_INVALID;

        if (!is_lower_hex (sha256, 64))
          return RELAIS_TRANSFER_PARSE_INVALID;
        memcpy (message->sha256, sha256, 65);

        message->mime = relais_transfer_mime_lookup (mime);
        if (message->mime == NULL)
          {
            *reason = RELAIS_TRANSFER_REASON_BAD_TYPE;
            return RELAIS_TRANSFER_PARSE_INVALID;
          }

        if (!relais_transfer_name_is_valid (name, strlen (name)))
          {
            *reason = RELAIS_TRANSFER_REASON_BAD_NAME;
            return RELAIS_TRANSFER_PARSE_INVALID;
          }
        message->name = g_strdup (name);
        break;
      }

    case RELAIS_TRANSFER_ACCEPT:
    case RELAIS_TRANSFER_RESUME:
      {
        guint64 next = 0;

        if (!read_uint (object, "next", G_MAXUINT32, &next))
          return RELAIS_TRANSFER_PARSE_INVALID;
        message->next = (guint32) next;
        break;
      }

    case RELAIS_TRANSFER_REFUSE:
    case RELAIS_TRANSFER_CANCEL:
      {
        const char *why = read_string (object, "reason");

        if (why == NULL)
          return RELAIS_TRANSFER_PARSE_INVALID;
        message->reason = relais_transfer_reason_from_string (why);
        if (message->reason == RELAIS_TRANSFER_REASON_NONE)
          message->reason = RELAIS_TRANSFER_REASON_BAD_MESSAGE;
        break;
      }

    case RELAIS_TRANSFER_ACK:
      {
        const char *sha256 = read_string (object, "sha256");

        if (!is_lower_hex (sha256, 64))
          return RELAIS_TRANSFER_PARSE_INVALID;
        memcpy (message->sha256, sha256, 65);
        break;
      }

    case RELAIS_TRANSFER_DONE:
      break;

    default:
      g_assert_not_reached ();
    }

  *reason = RELAIS_TRANSFER_REASON_NONE;
  return RELAIS_TRANSFER_PARSE_OK;
}

char *
relais_transfer_message_to_json (const RelaisTransferMessage *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *id = NULL;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail ((guint) message->type < G_N_ELEMENTS (type_names), NULL);

  id = relais_transfer_id_to_string (message->id);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "relais");
  json_builder_add_int_value (builder, ENVELOPE_VERSION);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type_names[message->type]);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);

  switch (message->type)
    {
    case RELAIS_TRANSFER_OFFER:
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, message->name);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) message->size);
      json_builder_set_member_name (builder, "mime");
      json_builder_add_string_value (builder, message->mime);
      json_builder_set_member_name (builder, "sha256");
      json_builder_add_string_value (builder, message->sha256);
      json_builder_set_member_name (builder, "chunk_size");
      json_builder_add_int_value (builder, message->chunk_size);
      break;
    case RELAIS_TRANSFER_ACCEPT:
    case RELAIS_TRANSFER_RESUME:
      json_builder_set_member_name (builder, "next");
      json_builder_add_int_value (builder, message->next);
      break;
    case RELAIS_TRANSFER_REFUSE:
    case RELAIS_TRANSFER_CANCEL:
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, relais_transfer_reason_to_string (message->reason));
      break;
    case RELAIS_TRANSFER_ACK:
      json_builder_set_member_name (builder, "sha256");
      json_builder_add_string_value (builder, message->sha256);
      break;
    case RELAIS_TRANSFER_DONE:
    default:
      break;
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gboolean
relais_transfer_chunk_parse (const guint8         *data,
                             gsize                 length,
                             RelaisTransferChunk  *chunk,
                             RelaisTransferReason *reason)
{
  guint64 id = 0;
  guint32 index = 0;

  g_return_val_if_fail (chunk != NULL, FALSE);
  g_return_val_if_fail (reason != NULL, FALSE);

  memset (chunk, 0, sizeof *chunk);
  *reason = RELAIS_TRANSFER_REASON_BAD_CHUNK;

  if (data == NULL || length <= RELAIS_TRANSFER_CHUNK_HEADER ||
      length > RELAIS_TRANSFER_MAX_MESSAGE)
    return FALSE;
  if (memcmp (data, chunk_magic, sizeof chunk_magic) != 0)
    return FALSE;
  if (data[4] != CHUNK_VERSION)
    {
      *reason = RELAIS_TRANSFER_REASON_VERSION;
      return FALSE;
    }
  if (data[5] != 0 || data[6] != 0 || data[7] != 0)
    return FALSE;

  for (guint i = 0; i < 8; i++)
    id = (id << 8) | data[8 + i];
  for (guint i = 0; i < 4; i++)
    index = (index << 8) | data[16 + i];
  if (id == 0)
    return FALSE;

  chunk->id = id;
  chunk->index = index;
  chunk->data = data + RELAIS_TRANSFER_CHUNK_HEADER;
  chunk->length = length - RELAIS_TRANSFER_CHUNK_HEADER;
  *reason = RELAIS_TRANSFER_REASON_NONE;
  return TRUE;
}

GBytes *
relais_transfer_chunk_build (guint64       id,
                             guint32       index,
                             const guint8 *data,
                             gsize         length)
{
  guint8 *message;

  g_return_val_if_fail (id != 0, NULL);
  g_return_val_if_fail (length > 0 && length <= RELAIS_TRANSFER_CHUNK_DATA_MAX, NULL);

  message = g_malloc (RELAIS_TRANSFER_CHUNK_HEADER + length);
  memcpy (message, chunk_magic, sizeof chunk_magic);
  message[4] = CHUNK_VERSION;
  message[5] = message[6] = message[7] = 0;
  for (guint i = 0; i < 8; i++)
    message[8 + i] = (guint8) (id >> (56 - 8 * i));
  for (guint i = 0; i < 4; i++)
    message[16 + i] = (guint8) (index >> (24 - 8 * i));
  memcpy (message + RELAIS_TRANSFER_CHUNK_HEADER, data, length);

  return g_bytes_new_take (message, RELAIS_TRANSFER_CHUNK_HEADER + length);
}
