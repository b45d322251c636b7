/* fuzz-presence.c — libFuzzer target for the presence protocol's parsers.
 *
 * A VideoRoom participant's display (anyone who can join a lobby, or just
 * list it, writes or reads them) and a data channel message (what the
 * advisor's browser sends) are network input: relais_presence_tag_parse()
 * and relais_presence_parse_message() must never crash, leak, or hand
 * back something that breaks the promises of relais-presence-tag.h. The
 * same bytes go to both, and a parsed tag must survive its own
 * formatting.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relais-presence-tag.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_text (const char *text)
{
  g_assert (text != NULL && g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    g_assert (!g_unichar_iscntrl (g_utf8_get_char (p)));
}

static void
check_tag (const char *display)
{
  RelaisPresenceTag tag;
  RelaisPresenceTag again;
  g_autofree char *formatted = NULL;

  if (!relais_presence_tag_parse (display, &tag))
    {
      g_assert (tag.kind == RELAIS_PRESENCE_TAG_NONE);
      g_assert (tag.ticket == NULL && tag.subservice == NULL && tag.site == NULL && tag.name == NULL);
      return;
    }

  if (tag.kind == RELAIS_PRESENCE_TAG_KIOSK)
    {
      check_text (tag.ticket);
      check_text (tag.subservice);
      check_text (tag.site);
      g_assert (tag.arrived >= 0);
      g_assert (tag.session_room > 0 && tag.session_room <= G_GUINT64_CONSTANT (9007199254740991));
      formatted = relais_presence_tag_format_kiosk (tag.ticket, tag.subservice, tag.site,
                                                    tag.arrived, tag.session_room, tag.beat);
    }
  else
    {
      g_assert (tag.kind == RELAIS_PRESENCE_TAG_ADVISOR);
      check_text (tag.name);
      formatted = relais_presence_tag_format_advisor (tag.ready, tag.name);
    }

  /* What we read, we write back readably (when it fits). */
  if (strlen (formatted) <= RELAIS_PRESENCE_TAG_MAX)
    {
      g_assert (relais_presence_tag_parse (formatted, &again));
      g_assert (again.kind == tag.kind);
      g_assert (g_strcmp0 (again.ticket, tag.ticket) == 0);
      g_assert (g_strcmp0 (again.site, tag.site) == 0);
      g_assert (g_strcmp0 (again.name, tag.name) == 0);
      g_assert (again.session_room == tag.session_room && again.beat == tag.beat);
      relais_presence_tag_clear (&again);
    }
  relais_presence_tag_clear (&tag);
}

static void
check_message (const char *message)
{
  char *text = NULL;
  char *outcome = NULL;
  RelaisMessageType type = relais_presence_parse_message (message, &text, &outcome);

  switch (type)
    {
    case RELAIS_MESSAGE_CHAT:
      g_assert (text != NULL && *text != '\0' && g_utf8_validate (text, -1, NULL));
      g_assert (outcome == NULL);
      break;
    case RELAIS_MESSAGE_END:
      g_assert (text == NULL);
      g_assert (relais_presence_outcome_is_valid (outcome));
      break;
    default:
      g_assert (text == NULL && outcome == NULL);
      break;
    }
  g_free (text);
  g_free (outcome);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* Janus hands over NUL-terminated strings: so do we. */
  g_autofree char *text = g_strndup ((const char *) data, size);

  check_tag (text);
  check_message (text);
  return 0;
}
