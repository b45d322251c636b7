/* test-transfer-protocol.c: the document transfer messages and chunks
 * (PROTOCOL.md, section 6): what is read, and every refusal.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "relais-transfer-protocol.h"

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID  "00000000deadbeef"

static RelaisTransferParseResult
parse (const char            *text,
       RelaisTransferMessage *message,
       RelaisTransferReason  *reason)
{
  return relais_transfer_message_parse (text, strlen (text), message, reason);
}

static void
expect_refused (const char           *text,
                RelaisTransferReason  expected)
{
  RelaisTransferMessage message;
  RelaisTransferReason reason;
  RelaisTransferParseResult result = parse (text, &message, &reason);

  if (result != RELAIS_TRANSFER_PARSE_INVALID || reason != expected)
    g_error ("%s: expected refusal “%s”, got result %d reason “%s”", text,
             relais_transfer_reason_to_string (expected), result,
             relais_transfer_reason_to_string (reason));
  g_assert_null (message.name);
  relais_transfer_message_clear (&message);
}

static void
expect_not_ours (const char *text)
{
  RelaisTransferMessage message;
  RelaisTransferReason reason;

  g_assert_cmpint (parse (text, &message, &reason), ==, RELAIS_TRANSFER_PARSE_NOT_OURS);
  g_assert_cmpint (reason, ==, RELAIS_TRANSFER_REASON_NONE);
  relais_transfer_message_clear (&message);
}

static char *
offer_with (const char *name_json,
            const char *size,
            const char *mime,
            const char *sha,
            const char *chunk_size)
{
  return g_strdup_printf ("{\"relais\":1,\"type\":\"transfer-offer\",\"id\":\"" ID "\","
                          "\"name\":%s,\"size\":%s,\"mime\":\"%s\",\"sha256\":\"%s\",\"chunk_size\":%s}",
                          name_json, size, mime, sha, chunk_size);
}

static void
test_offer_round_trip (void)
{
  RelaisTransferMessage message = { 0 };
  RelaisTransferMessage parsed;
  RelaisTransferReason reason;
  g_autofree char *json = NULL;

  message.type = RELAIS_TRANSFER_OFFER;
  message.id = 0xdeadbeef;
  message.name = g_strdup ("Avis d’imposition 2025.pdf");
  message.size = 123456;
  message.mime = "application/pdf";
  memcpy (message.sha256, SHA, 65);
  message.chunk_size = RELAIS_TRANSFER_CHUNK_DATA_MAX;

  json = relais_transfer_message_to_json (&message);
  g_assert_true (g_str_has_prefix (json, "{\"relais\":1,\"type\":\"transfer-offer\",\"id\":\"" ID "\""));
  g_assert_cmpint (parse (json, &parsed, &reason), ==, RELAIS_TRANSFER_PARSE_OK);
  g_assert_cmpint (parsed.type, ==, RELAIS_TRANSFER_OFFER);
  g_assert_cmpuint (parsed.id, ==, 0xdeadbeef);
  g_assert_cmpstr (parsed.name, ==, message.name);
  g_assert_cmpuint (parsed.size, ==, 123456);
  g_assert_cmpstr (parsed.mime, ==, "application/pdf");
  g_assert_cmpstr (parsed.sha256, ==, SHA);
  g_assert_cmpuint (parsed.chunk_size, ==, RELAIS_TRANSFER_CHUNK_DATA_MAX);
  relais_transfer_message_clear (&parsed);
  relais_transfer_message_clear (&message);
}

static void
test_answers_round_trip (void)
{
  const RelaisTransferMessageType types[] = {
    RELAIS_TRANSFER_ACCEPT, RELAIS_TRANSFER_RESUME, RELAIS_TRANSFER_REFUSE,
    RELAIS_TRANSFER_DONE, RELAIS_TRANSFER_ACK, RELAIS_TRANSFER_CANCEL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      RelaisTransferMessage message = { 0 };
      RelaisTransferMessage parsed;
      RelaisTransferReason reason;
      g_autofree char *json = NULL;

      message.type = types[i];
      message.id = G_MAXUINT64;
      message.next = 41;
      message.reason = RELAIS_TRANSFER_REASON_OUT_OF_ORDER;
      memcpy (message.sha256, SHA, 65);
      json = relais_transfer_message_to_json (&message);
      g_assert_cmpint (parse (json, &parsed, &reason), ==, RELAIS_TRANSFER_PARSE_OK);
      g_assert_cmpint (parsed.type, ==, types[i]);
      g_assert_cmpuint (parsed.id, ==, G_MAXUINT64);
      if (types[i] == RELAIS_TRANSFER_ACCEPT || types[i] == RELAIS_TRANSFER_RESUME)
        g_assert_cmpuint (parsed.next, ==, 41);
      if (types[i] == RELAIS_TRANSFER_REFUSE || types[i] == RELAIS_TRANSFER_CANCEL)
        g_assert_cmpint (parsed.reason, ==, RELAIS_TRANSFER_REASON_OUT_OF_ORDER);
      if (types[i] == RELAIS_TRANSFER_ACK)
        g_assert_cmpstr (parsed.sha256, ==, SHA);
      relais_transfer_message_clear (&parsed);
    }

  /* Every reason has a wire name that reads back, and a sentence. */
  for (guint r = 1; r < RELAIS_TRANSFER_N_REASONS; r++)
    {
      g_assert_cmpint (relais_transfer_reason_from_string (relais_transfer_reason_to_string (r)), ==, r);
      g_assert_true (g_utf8_validate (relais_transfer_reason_to_message (r), -1, NULL));
    }
  /* A reason from a newer peer is still a refusal. */
  g_assert_cmpint (relais_transfer_reason_from_string ("martian"), ==, RELAIS_TRANSFER_REASON_BAD_MESSAGE);
}

static void
test_not_ours (void)
{
  expect_not_ours ("Bonjour, j’ai une question.");
  expect_not_ours ("");
  expect_not_ours ("   ");
  expect_not_ours ("{ pas du json");
  expect_not_ours ("[1,2,3]");
  expect_not_ours ("{\"relais\":1,\"type\":\"chat\",\"text\":\"bonjour\"}");
  expect_not_ours ("{\"relais\":1,\"type\":\"presence\"}");
  expect_not_ours ("{\"type\":\"transfer-offer\"}");               /* no envelope */
  expect_not_ours ("{\"relais\":1,\"type\":42}");
  expect_not_ours ("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
  {
    /* An embedded NUL cuts nothing short: refused as not ours. */
    const char text[] = "{\"relais\":1,\"type\":\"transfer-done\",\"id\":\"" ID "\"}\0garbage";
    RelaisTransferMessage message;
    RelaisTransferReason reason;

    g_assert_cmpint (relais_transfer_message_parse (text, sizeof text - 1, &message, &reason),
                     ==, RELAIS_TRANSFER_PARSE_NOT_OURS);
  }
}

static void
test_refusals (void)
{
  g_autofree char *ok = offer_with ("\"dossier.pdf\"", "1000", "application/pdf", SHA, "65515");
  RelaisTransferMessage message;
  RelaisTransferReason reason;

  g_assert_cmpint (parse (ok, &message, &reason), ==, RELAIS_TRANSFER_PARSE_OK);
  relais_transfer_message_clear (&message);

  /* Versions and shape. */
  expect_refused ("{\"relais\":2,\"type\":\"transfer-done\",\"id\":\"" ID "\"}", RELAIS_TRANSFER_REASON_VERSION);
  expect_refused ("{\"relais\":\"1\",\"type\":\"transfer-done\",\"id\":\"" ID "\"}", RELAIS_TRANSFER_REASON_VERSION);
  expect_refused ("{\"relais\":1,\"type\":\"transfer-teleport\",\"id\":\"" ID "\"}", RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  expect_refused ("{\"relais\":1,\"type\":\"transfer-done\"}", RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  expect_refused ("{\"relais\":1,\"type\":\"transfer-done\",\"id\":\"0000000000000000\"}", RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  expect_refused ("{\"relais\":1,\"type\":\"transfer-done\",\"id\":\"00000000DEADBEEF\"}", RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  expect_refused ("{\"relais\":1,\"type\":\"transfer-done\",\"id\":\"deadbeef\"}", RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  expect_refused ("{\"relais\":1,\"type\":\"transfer-done\",\"id\":3735928559}", RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  expect_refused ("{\"relais\":1,\"type\":\"transfer-accept\",\"id\":\"" ID "\"}", RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  expect_refused ("{\"relais\":1,\"type\":\"transfer-accept\",\"id\":\"" ID "\",\"next\":-1}", RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  expect_refused ("{\"relais\":1,\"type\":\"transfer-resume\",\"id\":\"" ID "\",\"next\":4294967296}", RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  expect_refused ("{\"relais\":1,\"type\":\"transfer-refuse\",\"id\":\"" ID "\"}", RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  expect_refused ("{\"relais\":1,\"type\":\"transfer-ack\",\"id\":\"" ID "\",\"sha256\":\"abc\"}", RELAIS_TRANSFER_REASON_BAD_MESSAGE);

  /* Offers: sizes. */
  {
    g_autofree char *huge = offer_with ("\"a.pdf\"", "2000000000", "application/pdf", SHA, "65515");
    g_autofree char *empty = offer_with ("\"a.pdf\"", "0", "application/pdf", SHA, "65515");
    g_autofree char *negative = offer_with ("\"a.pdf\"", "-5", "application/pdf", SHA, "65515");
    g_autofree char *fraction = offer_with ("\"a.pdf\"", "10.5", "application/pdf", SHA, "65515");
    g_autofree char *overflow = offer_with ("\"a.pdf\"", "99999999999999999999999", "application/pdf", SHA, "65515");
    g_autofree char *big_chunk = offer_with ("\"a.pdf\"", "1000", "application/pdf", SHA, "65516");
    g_autofree char *tiny_chunk = offer_with ("\"a.pdf\"", "1000", "application/pdf", SHA, "10");

    expect_refused (huge, RELAIS_TRANSFER_REASON_TOO_LARGE);
    expect_refused (empty, RELAIS_TRANSFER_REASON_BAD_MESSAGE);
    expect_refused (negative, RELAIS_TRANSFER_REASON_BAD_MESSAGE);
    expect_refused (fraction, RELAIS_TRANSFER_REASON_BAD_MESSAGE);
    expect_not_ours (overflow);   /* refused by the JSON guard before json-glib wraps it */
    expect_refused (big_chunk, RELAIS_TRANSFER_REASON_BAD_MESSAGE);
    expect_refused (tiny_chunk, RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  }

  /* Offers: types and hashes. */
  {
    g_autofree char *exe = offer_with ("\"a.pdf\"", "1000", "application/x-msdownload", SHA, "65515");
    g_autofree char *html = offer_with ("\"a.pdf\"", "1000", "text/html", SHA, "65515");
    g_autofree char *case_ = offer_with ("\"a.pdf\"", "1000", "Application/PDF", SHA, "65515");
    g_autofree char *short_sha = offer_with ("\"a.pdf\"", "1000", "image/jpeg", "abc", "65515");
    g_autofree char *upper_sha = offer_with ("\"a.pdf\"", "1000", "image/jpeg",
                                             "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "65515");

    expect_refused (exe, RELAIS_TRANSFER_REASON_BAD_TYPE);
    expect_refused (html, RELAIS_TRANSFER_REASON_BAD_TYPE);
    expect_refused (case_, RELAIS_TRANSFER_REASON_BAD_TYPE);
    expect_refused (short_sha, RELAIS_TRANSFER_REASON_BAD_MESSAGE);
    expect_refused (upper_sha, RELAIS_TRANSFER_REASON_BAD_MESSAGE);
  }

  /* Offers: names. */
  {
    const char * const bad_names[] = {
      "\"\"", "\"../etc/passwd\"", "\"a/b.pdf\"", "\"/tmp/x.pdf\"", "\"a\\\\b.pdf\"",
      "\"..\"", "\".\"", "\"a..pdf\"", "\".hidden.pdf\"", "\" espace.pdf\"", "\"espace.pdf \"",
      "\"tab\\there.pdf\"", "\"new\\nline.pdf\"", "\"nul\\u0000.pdf\"", "\"bell\\u0007.pdf\"",
      "\"del\\u007f.pdf\"", "\"c1\\u0085.pdf\"",
      "\"fdp\\u202eexe.pdf\"",                       /* right-to-left override */
      "\"zero\\u200bwidth.pdf\"",
      "\"line\\u2028sep.pdf\"",
      "\"private\\ue000.pdf\"",
      "\"\\ud800.pdf\"",                             /* lone surrogate */
      "42", "null",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
      {
        g_autofree char *text = offer_with (bad_names[i], "1000", "application/pdf", SHA, "65515");
        RelaisTransferParseResult result = parse (text, &message, &reason);

        if (result != RELAIS_TRANSFER_PARSE_INVALID ||
            (reason != RELAIS_TRANSFER_REASON_BAD_NAME && reason != RELAIS_TRANSFER_REASON_BAD_MESSAGE))
          g_error ("name %s accepted (result %d)", bad_names[i], result);
        relais_transfer_message_clear (&message);
      }
  }

  /* Name length: RELAIS_TRANSFER_NAME_MAX bytes and no more. */
  {
    g_autofree char *longest = g_strnfill (RELAIS_TRANSFER_NAME_MAX, 'a');
    g_autofree char *too_long = g_strnfill (RELAIS_TRANSFER_NAME_MAX + 1, 'a');

    g_assert_true (relais_transfer_name_is_valid (longest, strlen (longest)));
    g_assert_false (relais_transfer_name_is_valid (too_long, strlen (too_long)));
    g_assert_true (relais_transfer_name_is_valid ("Relevé d’identité (2).jpg", strlen ("Relevé d’identité (2).jpg")));
    g_assert_false (relais_transfer_name_is_valid ("caf\xc3", 4));   /* cut UTF-8 */
    g_assert_false (relais_transfer_name_is_valid ("ok", 0));
  }
}

static void
test_chunks (void)
{
  guint8 data[RELAIS_TRANSFER_CHUNK_DATA_MAX];
  g_autoptr(GBytes) built = NULL;
  RelaisTransferChunk chunk;
  RelaisTransferReason reason;
  const guint8 *bytes;
  gsize size;
  g_autofree guint8 *copy = NULL;

  for (gsize i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 7);

  built = relais_transfer_chunk_build (0x0102030405060708, 0xa0b0c0d0, data, sizeof data);
  bytes = g_bytes_get_data (built, &size);
  g_assert_cmpuint (size, ==, RELAIS_TRANSFER_MAX_MESSAGE);
  g_assert_cmpmem (bytes, 4, "RLTX", 4);
  g_assert_true (relais_transfer_chunk_parse (bytes, size, &chunk, &reason));
  g_assert_cmpint (reason, ==, RELAIS_TRANSFER_REASON_NONE);
  g_assert_cmpuint (chunk.id, ==, 0x0102030405060708);
  g_assert_cmpuint (chunk.index, ==, 0xa0b0c0d0);
  g_assert_cmpmem (chunk.data, chunk.length, data, sizeof data);

  copy = g_memdup2 (bytes, size);

  /* Too short (a header alone carries nothing), too long. */
  g_assert_false (relais_transfer_chunk_parse (copy, RELAIS_TRANSFER_CHUNK_HEADER, &chunk, &reason));
  g_assert_cmpint (reason, ==, RELAIS_TRANSFER_REASON_BAD_CHUNK);
  g_assert_false (relais_transfer_chunk_parse (copy, 3, &chunk, &reason));
  g_assert_false (relais_transfer_chunk_parse (NULL, 0, &chunk, &reason));
  {
    g_autofree guint8 *longer = g_malloc0 (RELAIS_TRANSFER_MAX_MESSAGE + 1);

    memcpy (longer, copy, size);
    g_assert_false (relais_transfer_chunk_parse (longer, RELAIS_TRANSFER_MAX_MESSAGE + 1, &chunk, &reason));
  }

  /* Magic, version, reserved bytes, id 0. */
  copy[0] = 'X';
  g_assert_false (relais_transfer_chunk_parse (copy, size, &chunk, &reason));
  g_assert_cmpint (reason, ==, RELAIS_TRANSFER_REASON_BAD_CHUNK);
  copy[0] = 'R';
  copy[4] = 2;
  g_assert_false (relais_transfer_chunk_parse (copy, size, &chunk, &reason));
  g_assert_cmpint (reason, ==, RELAIS_TRANSFER_REASON_VERSION);
  copy[4] = 1;
  copy[6] = 1;
  g_assert_false (relais_transfer_chunk_parse (copy, size, &chunk, &reason));
  copy[6] = 0;
  memset (copy + 8, 0, 8);
  g_assert_false (relais_transfer_chunk_parse (copy, size, &chunk, &reason));
  g_assert_cmpint (reason, ==, RELAIS_TRANSFER_REASON_BAD_CHUNK);
}

static void
test_helpers (void)
{
  g_autofree char *id = relais_transfer_id_to_string (0xdeadbeef);

  g_assert_cmpstr (id, ==, ID);
  g_assert_cmpuint (relais_transfer_chunk_count (1, 100), ==, 1);
  g_assert_cmpuint (relais_transfer_chunk_count (100, 100), ==, 1);
  g_assert_cmpuint (relais_transfer_chunk_count (101, 100), ==, 2);
  g_assert_cmpstr (relais_transfer_mime_lookup ("image/jpeg"), ==, "image/jpeg");
  g_assert_null (relais_transfer_mime_lookup ("image/png"));
  g_assert_true (relais_transfer_magic_matches ("application/pdf", (const guint8 *) "%PDF-1.5", 8));
  g_assert_false (relais_transfer_magic_matches ("application/pdf", (const guint8 *) "MZ\x90", 3));
  g_assert_true (relais_transfer_magic_matches ("image/jpeg", (const guint8 *) "\xff\xd8\xff\xe0", 4));
  g_assert_false (relais_transfer_magic_matches ("image/jpeg", (const guint8 *) "%PDF-", 5));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/transfer-protocol/offer-round-trip", test_offer_round_trip);
  g_test_add_func ("/transfer-protocol/answers-round-trip", test_answers_round_trip);
  g_test_add_func ("/transfer-protocol/not-ours", test_not_ours);
  g_test_add_func ("/transfer-protocol/refusals", test_refusals);
  g_test_add_func ("/transfer-protocol/chunks", test_chunks);
  g_test_add_func ("/transfer-protocol/helpers", test_helpers);

  return g_test_run ();
}
