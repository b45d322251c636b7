/* relais-presence-tag.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The small texts of the Relais protocol (common/PROTOCOL.md), version 1:
 * the VideoRoom "display" tags that carry presence, the data channel
 * envelope, and the session room's pin. Plain functions, no GObject: they
 * parse what arrives from the network and have a fuzz target of their own
 * (tests/fuzz/fuzz-presence.c). */

#define RELAIS_PROTOCOL_VERSION 1
/* Every tag starts with this word; a peer ignores the others. */
#define RELAIS_PRESENCE_TAG_PREFIX "relais1"
/* Longest display we write or read: Janus takes any length, we do not. */
#define RELAIS_PRESENCE_TAG_MAX 512

typedef enum
{
  RELAIS_PRESENCE_TAG_NONE,     /* not ours, or not readable */
  RELAIS_PRESENCE_TAG_KIOSK,
  RELAIS_PRESENCE_TAG_ADVISOR,
} RelaisPresenceTagKind;

typedef struct
{
  RelaisPresenceTagKind kind;
  /* kiosk */
  char    *ticket;         /* "C12" */
  char    *subservice;     /* sub-service id of the directory */
  char    *site;           /* the access point's name */
  gint64   arrived;        /* Unix time the kiosk started waiting */
  guint64  session_room;   /* the kiosk's session room */
  guint    beat;           /* heartbeat counter */
  /* advisor */
  gboolean ready;          /* TRUE: ready, FALSE: busy */
  char    *name;           /* the advisor's display name */
} RelaisPresenceTag;

void      relais_presence_tag_clear       (RelaisPresenceTag *tag);

/* Reads a display. Returns FALSE (and @tag kind NONE, nothing allocated)
 * for anything that is not a well-formed version 1 tag: another client's
 * display, a newer version, bad escapes, invalid UTF-8, out of range
 * numbers. */
gboolean  relais_presence_tag_parse       (const char        *display,
                                           RelaisPresenceTag *tag);

/* "relais1 kiosk <ticket> <subservice> <site> <arrived> <room> <beat>",
 * each field percent-escaped. */
char     *relais_presence_tag_format_kiosk   (const char *ticket,
                                              const char *subservice,
                                              const char *site,
                                              gint64      arrived,
                                              guint64     session_room,
                                              guint       beat);
/* "relais1 advisor ready|busy <name>". */
char     *relais_presence_tag_format_advisor (gboolean    ready,
                                              const char *name);

/* The data channel (PROTOCOL.md section 5). */
typedef enum
{
  RELAIS_MESSAGE_NONE,          /* nothing to show (empty, or unknown type) */
  RELAIS_MESSAGE_CHAT,
  RELAIS_MESSAGE_END,
  RELAIS_MESSAGE_ASK_DOCUMENT,
  RELAIS_MESSAGE_OTHER,         /* a versioned envelope of a type we leave to others */
} RelaisMessageType;

/* Reads one data channel message. An envelope {"relais":1,"type":…} gives
 * its type; a "chat" sets @text_out, an "end" sets @outcome_out to one of
 * "resolved", "follow-up", "redirected", "technical-failure" (anything
 * else reads as NONE). A message that is not such an object (stock
 * janus.js clients send plain text) is a chat line, all of it. @text_out
 * and @outcome_out are nullable and set to NULL when not given. */
RelaisMessageType relais_presence_parse_message (const char  *message,
                                                 char       **text_out,
                                                 char       **outcome_out);
/* {"relais":1,"type":"chat","text":…} */
char     *relais_presence_format_chat     (const char *text);
/* The kiosk's "link" envelope: @video FALSE when it sends sound only. */
char     *relais_presence_format_link     (gboolean    video);
/* Whether @outcome is one of the four outcomes. */
gboolean  relais_presence_outcome_is_valid (const char *outcome);

/* The session room's pin, derived from the lobby pin so that the lobby
 * (whose participant list anyone reaching the gateway may read) never
 * carries it: the first 32 hex digits of
 * HMAC-SHA256(key = lobby pin, "relais1 session <room>"). */
char     *relais_presence_session_pin     (const char *lobby_pin,
                                           guint64     session_room);

G_END_DECLS
