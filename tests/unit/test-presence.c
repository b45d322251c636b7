/* test-presence.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The presence protocol's texts (common/PROTOCOL.md): display tags both
 * ways, what is refused, the data channel envelope, the session pin.
 * RelaisPresence itself runs against a real Janus in the advisor suite
 * (advisor-console).
 */
#define G_LOG_DOMAIN "test-presence"

#include "config.h"

#include <string.h>

#include "relais-error.h"
#include "relais-http-client.h"
#include "relais-lobby-link.h"
#include "relais-presence-tag.h"

static void
test_kiosk_roundtrip (void)
{
  g_autofree char *display = NULL;
  g_auto(GStrv) words = NULL;
  RelaisPresenceTag tag;

  display = relais_presence_tag_format_kiosk ("C12", "prime-activite", "Mairie de Saint-Éloi 100%",
                                              1763800000, 4503599627370496, 7);
  g_assert_true (g_str_has_prefix (display, "relais1 kiosk C12 prime-activite "));
  /* One word per field: the site's spaces and percent sign are escaped. */
  words = g_strsplit (display, " ", -1);
  g_assert_cmpuint (g_strv_length (words), ==, 8);
  g_assert_true (relais_presence_tag_parse (display, &tag));
  g_assert_cmpint (tag.kind, ==, RELAIS_PRESENCE_TAG_KIOSK);
  g_assert_cmpstr (tag.ticket, ==, "C12");
  g_assert_cmpstr (tag.subservice, ==, "prime-activite");
  g_assert_cmpstr (tag.site, ==, "Mairie de Saint-Éloi 100%");
  g_assert_cmpint (tag.arrived, ==, 1763800000);
  g_assert_cmpuint (tag.session_room, ==, 4503599627370496);
  g_assert_cmpuint (tag.beat, ==, 7);
  relais_presence_tag_clear (&tag);
}

static void
test_advisor_roundtrip (void)
{
  g_autofree char *ready = relais_presence_tag_format_advisor (TRUE, "Mme Martin, CAF");
  g_autofree char *busy = relais_presence_tag_format_advisor (FALSE, "Zoé");
  RelaisPresenceTag tag;

  g_assert_true (relais_presence_tag_parse (ready, &tag));
  g_assert_cmpint (tag.kind, ==, RELAIS_PRESENCE_TAG_ADVISOR);
  g_assert_true (tag.ready);
  g_assert_cmpstr (tag.name, ==, "Mme Martin, CAF");
  relais_presence_tag_clear (&tag);

  g_assert_true (relais_presence_tag_parse (busy, &tag));
  g_assert_false (tag.ready);
  g_assert_cmpstr (tag.name, ==, "Zoé");
  relais_presence_tag_clear (&tag);

  /* What the console writes (encodeURIComponent keeps ' ( ) ! * ~). */
  g_assert_true (relais_presence_tag_parse ("relais1 advisor ready M.%20O'Brien%20(MSA)", &tag));
  g_assert_cmpstr (tag.name, ==, "M. O'Brien (MSA)");
  relais_presence_tag_clear (&tag);
}

static void
test_refused (void)
{
  const char *bad[] = {
    NULL,
    "",
    "Advisor",                                       /* a stock janus.js page */
    "relais1",
    "relais1 ",
    "relais2 kiosk C1 x y 1 2 3",                     /* a newer version */
    "relais1 kiosk C1 x y 1 2",                       /* a field short */
    "relais1 kiosk C1 x y 1 2 3 4",                   /* a field more */
    "relais1 kiosk C1 x y 1 0 3",                     /* room 0 */
    "relais1 kiosk C1 x y 1 9007199254740992 3",      /* room beyond 2^53 - 1 */
    "relais1 kiosk C1 x y -1 2 3",
    "relais1 kiosk C1 x y 1 2 4294967296",           /* beat beyond guint */
    "relais1 kiosk C1 x y 1 0x2 3",
    "relais1 kiosk C%zz x y 1 2 3",                   /* bad escape */
    "relais1 kiosk C%00 x y 1 2 3",                   /* NUL */
    "relais1 kiosk C%0A x y 1 2 3",                   /* a control character */
    "relais1 kiosk C%ff x y 1 2 3",                   /* not UTF-8 */
    "relais1 kiosk  C1 x y 1 2 3",                    /* double space */
    "relais1 advisor maybe Zoé",
    "relais1 advisor ready",
    "relais1 advisor ready a b",
    "relais1 visitor ready a",
  };
  RelaisPresenceTag tag;
  g_autoptr(GString) long_tag = g_string_new ("relais1 advisor ready ");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("refused: %s", bad[i] ? bad[i] : "(null)");
      g_assert_false (relais_presence_tag_parse (bad[i], &tag));
      g_assert_cmpint (tag.kind, ==, RELAIS_PRESENCE_TAG_NONE);
      g_assert_null (tag.name);
      g_assert_null (tag.ticket);
    }

  /* Longer than RELAIS_PRESENCE_TAG_MAX. */
  for (guint i = 0; i < RELAIS_PRESENCE_TAG_MAX; i++)
    g_string_append_c (long_tag, 'a');
  g_assert_false (relais_presence_tag_parse (long_tag->str, &tag));
}

static void
test_messages (void)
{
  g_autofree char *chat = relais_presence_format_chat ("Bonjour — « é »");
  char *text = NULL;
  char *outcome = NULL;

  g_assert_cmpint (relais_presence_parse_message (chat, &text, &outcome), ==, RELAIS_MESSAGE_CHAT);
  g_assert_cmpstr (text, ==, "Bonjour — « é »");
  g_assert_null (outcome);
  g_clear_pointer (&text, g_free);

  /* Plain text, and JSON that is not an envelope, are chat lines as is. */
  g_assert_cmpint (relais_presence_parse_message ("bonjour", &text, NULL), ==, RELAIS_MESSAGE_CHAT);
  g_assert_cmpstr (text, ==, "bonjour");
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (relais_presence_parse_message ("{\"text\":\"x\"}", &text, NULL), ==, RELAIS_MESSAGE_CHAT);
  g_assert_cmpstr (text, ==, "{\"text\":\"x\"}");
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (relais_presence_parse_message ("{ not json", &text, NULL), ==, RELAIS_MESSAGE_CHAT);
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (relais_presence_parse_message ("[1,2]", &text, NULL), ==, RELAIS_MESSAGE_CHAT);
  g_clear_pointer (&text, g_free);

  g_assert_cmpint (relais_presence_parse_message ("{\"relais\":1,\"type\":\"end\",\"outcome\":\"follow-up\"}",
                                                  &text, &outcome), ==, RELAIS_MESSAGE_END);
  g_assert_null (text);
  g_assert_cmpstr (outcome, ==, "follow-up");
  g_clear_pointer (&outcome, g_free);

  for (guint i = 0; i < 4; i++)
    {
      const char *outcomes[] = { "resolved", "follow-up", "redirected", "technical-failure" };
      g_autofree char *msg = g_strdup_printf ("{\"relais\":1,\"type\":\"end\",\"outcome\":\"%s\"}", outcomes[i]);

      g_assert_cmpint (relais_presence_parse_message (msg, NULL, &outcome), ==, RELAIS_MESSAGE_END);
      g_assert_cmpstr (outcome, ==, outcomes[i]);
      g_clear_pointer (&outcome, g_free);
    }

  /* Envelopes that are ignored: bad outcome, other version, no type,
   * empty chat, unknown type (OTHER, left to others). */
  g_assert_cmpint (relais_presence_parse_message ("{\"relais\":1,\"type\":\"end\",\"outcome\":\"great\"}", &text, &outcome),
                   ==, RELAIS_MESSAGE_NONE);
  g_assert_null (outcome);
  g_assert_cmpint (relais_presence_parse_message ("{\"relais\":1,\"type\":\"end\"}", NULL, NULL), ==, RELAIS_MESSAGE_NONE);
  g_assert_cmpint (relais_presence_parse_message ("{\"relais\":2,\"type\":\"chat\",\"text\":\"x\"}", &text, NULL),
                   ==, RELAIS_MESSAGE_NONE);
  g_assert_null (text);
  g_assert_cmpint (relais_presence_parse_message ("{\"relais\":1}", NULL, NULL), ==, RELAIS_MESSAGE_NONE);
  g_assert_cmpint (relais_presence_parse_message ("{\"relais\":1,\"type\":\"chat\",\"text\":\"\"}", NULL, NULL),
                   ==, RELAIS_MESSAGE_NONE);
  g_assert_cmpint (relais_presence_parse_message ("{\"relais\":1,\"type\":\"offer-document\"}", NULL, NULL),
                   ==, RELAIS_MESSAGE_OTHER);
  g_assert_cmpint (relais_presence_parse_message ("{\"relais\":1,\"type\":\"ask-document\"}", NULL, NULL),
                   ==, RELAIS_MESSAGE_ASK_DOCUMENT);
  g_assert_cmpint (relais_presence_parse_message ("", &text, NULL), ==, RELAIS_MESSAGE_NONE);
  g_assert_cmpint (relais_presence_parse_message (NULL, &text, NULL), ==, RELAIS_MESSAGE_NONE);
  g_assert_cmpint (relais_presence_parse_message ("\xff\xfe", &text, NULL), ==, RELAIS_MESSAGE_NONE);
  g_assert_null (text);
}

static void
test_deep_message (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"relais\":1,\"type\":\"chat\",\"text\":\"x\",\"a\":");
  char *text = NULL;

  /* Too deep for the guard: not an envelope, so a chat line (and no
   * stack overflow in json-glib). */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  g_assert_cmpint (relais_presence_parse_message (deep->str, &text, NULL), ==, RELAIS_MESSAGE_CHAT);
  g_assert_cmpuint (strlen (text), ==, deep->len);
  g_free (text);
}

static void
test_session_pin (void)
{
  g_autofree char *a = relais_presence_session_pin ("relais-test-lobby", 1234567890);
  g_autofree char *b = relais_presence_session_pin ("relais-test-lobby", 1234567891);
  g_autofree char *c = relais_presence_session_pin ("other", 1234567890);
  g_autofree char *again = relais_presence_session_pin ("relais-test-lobby", 1234567890);
  g_autofree char *hmac = g_compute_hmac_for_string (G_CHECKSUM_SHA256,
                                                     (const guchar *) "relais-test-lobby", strlen ("relais-test-lobby"),
                                                     "relais1 session 1234567890", -1);

  g_assert_cmpuint (strlen (a), ==, 32);
  g_assert_cmpstr (a, ==, again);
  g_assert_cmpstr (a, !=, b);
  g_assert_cmpstr (a, !=, c);
  /* What console.js computes with WebCrypto. */
  g_assert_true (strncmp (a, hmac, 32) == 0);
}

/* Issue 12, item 3: a service without a lobby room in the directory
 * would call in its own room, shared by every kiosk of the service: two
 * people's calls would mix. The lobby link refuses it, in French, before
 * touching the gateway (nothing listens at that address). */
static void
test_no_lobby_no_call (void)
{
  g_autoptr(RelaisHttpClient) http = relais_http_client_new ();
  g_autoptr(RelaisAdvisorLink) link = relais_lobby_link_new (http, "http://127.0.0.1:9/janus", "pin");
  g_autoptr(GError) error = NULL;
  RelaisVisit visit = {
    .ticket_id = 1, .ticket_code = (char *) "C12", .service_id = (char *) "caf",
    .service_name = (char *) "CAF", .subservice_id = (char *) "prime", .room = 1234,
    .lobby_room = 0, .site_name = (char *) "Test",
  };

  /* No RelaisCall is needed to say no: the interface's connect, directly. */
  g_assert_false (RELAIS_ADVISOR_LINK_GET_IFACE (link)->connect (link, NULL, &visit, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "Ce service n'a pas de salle d'attente des conseillers dans l'annuaire : "
                   "l'appel vidéo n'est pas possible. Prévenez l'agent d'accueil.");
  g_assert_cmpint (relais_advisor_link_get_state (link), ==, RELAIS_ADVISOR_LINK_IDLE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/presence/tag/kiosk", test_kiosk_roundtrip);
  g_test_add_func ("/presence/tag/advisor", test_advisor_roundtrip);
  g_test_add_func ("/presence/tag/refused", test_refused);
  g_test_add_func ("/presence/message/envelope", test_messages);
  g_test_add_func ("/presence/message/deep", test_deep_message);
  g_test_add_func ("/presence/session-pin", test_session_pin);

  g_test_add_func ("/presence/no-lobby-no-call", test_no_lobby_no_call);

  return g_test_run ();
}
