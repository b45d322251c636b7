/* relais-presence-tag.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-presence-tag"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "relais-json-guard.h"
#include "relais-presence-tag.h"

/* JavaScript's numbers hold integers exactly up to 2^53 - 1: the console
 * must read every id we write. */
#define MAX_SAFE_ID G_GUINT64_CONSTANT (9007199254740991)
/* A data channel message is at most 64 KiB (DESIGN.md); a control
 * envelope is far smaller. */
#define MESSAGE_MAX (64 * 1024)
#define MESSAGE_MAX_DEPTH 8

void
relais_presence_tag_clear (RelaisPresenceTag *tag)
{
  if (tag == NULL)
    return;
  g_clear_pointer (&tag->ticket, g_free);
  g_clear_pointer (&tag->subservice, g_free);
  g_clear_pointer (&tag->site, g_free);
  g_clear_pointer (&tag->name, g_free);
  memset (tag, 0, sizeof *tag);
}

static char *
field_unescape (const char *field)
{
  g_autofree char *text = g_uri_unescape_string (field, NULL);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  /* No control characters: they would only serve to mislead a screen. */
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return NULL;
  return g_steal_pointer (&text);
}

static gboolean
field_number (const char *field,
              guint64     max,
              guint64    *out)
{
  return g_ascii_string_to_unsigned (field, 10, 0, max, out, NULL);
}

gboolean
relais_presence_tag_parse (const char        *display,
                           RelaisPresenceTag *tag)
{
  g_auto(GStrv) fields = NULL;
  RelaisPresenceTag parsed = { 0 };
  guint n;

  g_return_val_if_fail (tag != NULL, FALSE);

  memset (tag, 0, sizeof *tag);
  if (display == NULL || strlen (display) > RELAIS_PRESENCE_TAG_MAX ||
      !g_str_has_prefix (display, RELAIS_PRESENCE_TAG_PREFIX " "))
    return FALSE;

  fields = g_strsplit (display, " ", -1);
  n = g_strv_length (fields);

  if (n == 8 && g_str_equal (fields[1], "kiosk"))
    {
      guint64 arrived, room, beat;

      parsed.kind = RELAIS_PRESENCE_TAG_KIOSK;
      parsed.ticket = field_unescape (fields[2]);
      parsed.subservice = field_unescape (fields[3]);
      parsed.site = field_unescape (fields[4]);
      if (parsed.ticket == NULL || parsed.subservice == NULL || parsed.site == NULL ||
          !field_number (fields[5], G_MAXINT64, &arrived) ||
          !field_number (fields[6], MAX_SAFE_ID, &room) || room == 0 ||
          !field_number (fields[7], G_MAXUINT, &beat))
        {
          relais_presence_tag_clear (&parsed);
          return FALSE;
        }
      parsed.arrived = (gint64) arrived;
      parsed.session_room = room;
      parsed.beat = (guint) beat;
    }
  else if (n == 4 && g_str_equal (fields[1], "advisor") &&
           (g_str_equal (fields[2], "ready") || g_str_equal (fields[2], "busy")))
    {
      parsed.kind = RELAIS_PRESENCE_TAG_ADVISOR;
      parsed.ready = g_str_equal (fields[2], "ready");
      parsed.name = field_unescape (fields[3]);
      if (parsed.name == NULL)
        {
          relais_presence_tag_clear (&parsed);
          return FALSE;
        }
    }
  else
    {
      return FALSE;
    }

  *tag = parsed;
  return TRUE;
}

static void
append_field (GString    *out,
              const char *field)
{
  g_autofree char *escaped = g_uri_escape_string (field != NULL ? field : "", NULL, FALSE);

  g_string_append_c (out, ' ');
  g_string_append (out, escaped);
}

char *
relais_presence_tag_format_kiosk (const char *ticket,
                                  const char *subservice,
                                  const char *site,
                                  gint64      arrived,
                                  guint64     session_room,
                                  guint       beat)
{
  GString *out = g_string_new (RELAIS_PRESENCE_TAG_PREFIX " kiosk");

  g_return_val_if_fail (session_room > 0 && session_room <= MAX_SAFE_ID, NULL);

  append_field (out, ticket);
  append_field (out, subservice);
  append_field (out, site);
  g_string_append_printf (out, " %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %u",
                          MAX (arrived, 0), session_room, beat);
  return g_string_free (out, FALSE);
}

char *
relais_presence_tag_format_advisor (gboolean    ready,
                                    const char *name)
{
  GString *out = g_string_new (RELAIS_PRESENCE_TAG_PREFIX " advisor ");

  g_string_append (out, ready ? "ready" : "busy");
  append_field (out, name);
  return g_string_free (out, FALSE);
}

gboolean
relais_presence_outcome_is_valid (const char *outcome)
{
  static const char *outcomes[] = { "resolved", "follow-up", "redirected", "technical-failure" };

  if (outcome == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (outcomes); i++)
    if (g_str_equal (outcome, outcomes[i]))
      return TRUE;
  return FALSE;
}

/* The object of a versioned envelope, or NULL when @message is not one. */
static JsonNode *
parse_envelope (const char *message)
{
  g_autoptr(JsonParser) parser = NULL;
  gsize length = strlen (message);
  JsonNode *root;
  JsonObject *obj;
  JsonNode *version;

  /* Only what looks like an object goes to the JSON parser. */
  while (*message == ' ' || *message == '\t' || *message == '\r' || *message == '\n')
    message++, length--;
  if (*message != '{')
    return NULL;
  if (!relais_json_guard_check (message, length, MESSAGE_MAX, MESSAGE_MAX_DEPTH, NULL) ||
      !relais_json_guard_check_integers (message, length, NULL))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, message, (gssize) length, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  version = json_object_get_member (obj, "relais");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) ||
      json_node_get_value_type (version) != G_TYPE_INT64)
    return NULL;
  return json_node_copy (root);
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

RelaisMessageType
relais_presence_parse_message (const char  *message,
                               char       **text_out,
                               char       **outcome_out)
{
  g_autoptr(JsonNode) envelope = NULL;
  JsonObject *obj;
  const char *type;
  gint64 version;

  if (text_out != NULL)
    *text_out = NULL;
  if (outcome_out != NULL)
    *outcome_out = NULL;
  if (message == NULL || *message == '\0' || !g_utf8_validate (message, -1, NULL))
    return RELAIS_MESSAGE_NONE;

  envelope = parse_envelope (message);
  if (envelope == NULL)
    {
      if (text_out != NULL)
        *text_out = g_strdup (message);
      return RELAIS_MESSAGE_CHAT;
    }

  obj = json_node_get_object (envelope);
  version = json_object_get_int_member (obj, "relais");
  type = member_string (obj, "type");
  /* A newer peer's envelope: its types may mean something else. */
  if (version != RELAIS_PROTOCOL_VERSION || type == NULL)
    return RELAIS_MESSAGE_NONE;

  if (g_str_equal (type, "chat"))
    {
      const char *text = member_string (obj, "text");

      if (text == NULL || *text == '\0')
        return RELAIS_MESSAGE_NONE;
      if (text_out != NULL)
        *text_out = g_strdup (text);
      return RELAIS_MESSAGE_CHAT;
    }
  if (g_str_equal (type, "end"))
    {
      const char *outcome = member_string (obj, "outcome");

      if (!relais_presence_outcome_is_valid (outcome))
        return RELAIS_MESSAGE_NONE;
      if (outcome_out != NULL)
        *outcome_out = g_strdup (outcome);
      return RELAIS_MESSAGE_END;
    }
  if (g_str_equal (type, "ask-document"))
    return RELAIS_MESSAGE_ASK_DOCUMENT;
  return RELAIS_MESSAGE_OTHER;
}

/* A control envelope of @type; the caller adds its members and ends the
 * object with envelope_finish(). */
static JsonBuilder *
envelope_begin (const char *type)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "relais");
  json_builder_add_int_value (builder, RELAIS_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  return builder;
}

static char *
envelope_finish (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  g_object_unref (builder);
  return json_generator_to_data (generator, NULL);
}

char *
relais_presence_format_chat (const char *text)
{
  JsonBuilder *builder = envelope_begin ("chat");

  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text != NULL ? text : "");
  return envelope_finish (builder);
}

char *
relais_presence_format_link (gboolean video)
{
  JsonBuilder *builder = envelope_begin ("link");

  json_builder_set_member_name (builder, "video");
  json_builder_add_boolean_value (builder, video);
  return envelope_finish (builder);
}

char *
relais_presence_session_pin (const char *lobby_pin,
                             guint64     session_room)
{
  g_autofree char *message = g_strdup_printf (RELAIS_PRESENCE_TAG_PREFIX " session %" G_GUINT64_FORMAT,
                                              session_room);
  g_autofree char *hmac = g_compute_hmac_for_string (G_CHECKSUM_SHA256,
                                                     (const guchar *) (lobby_pin != NULL ? lobby_pin : ""),
                                                     lobby_pin != NULL ? strlen (lobby_pin) : 0,
                                                     message, -1);

  return g_strndup (hmac, 32);
}
