/* test-json-guard.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-json-guard"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "relais-error.h"
#include "relais-json-guard.h"

static gboolean
check (const char *data,
       gsize       max_size,
       guint       max_depth)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = relais_json_guard_check (data, strlen (data), max_size, max_depth, &error);

  g_assert_true (ok == (error == NULL));
  if (error != NULL)
    {
      g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  return ok;
}

static char *
check_error (const char *data,
             gsize       length,
             gsize       max_size,
             guint       max_depth)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (relais_json_guard_check (data, length, max_size, max_depth, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_test_message ("%s", error->message);
  return g_strdup (error->message);
}

static void
test_size (void)
{
  g_autofree char *message = NULL;

  g_assert_true (relais_json_guard_check (NULL, 0, 10, 4, NULL));
  g_assert_true (check ("", 10, 4));
  g_assert_true (check ("[1, 2, 34]", 10, 4));
  /* 0: no limit. */
  g_assert_true (check ("[1, 2, 345]", 0, 4));

  message = check_error ("[1, 2, 345]", 11, 10, 4);
  g_assert_cmpstr (message, ==, "document trop volumineux (11 octets, au plus 10 octets)");

  /* The size is checked first, whatever is in the bytes. */
  g_clear_pointer (&message, g_free);
  message = check_error ("\xff[[[[[[[[[[", 11, 10, 4);
  g_assert_true (g_str_has_prefix (message, "document trop volumineux"));
}

static void
test_depth (void)
{
  g_autofree char *deep = g_strnfill (100000, '[');
  g_autofree char *message = NULL;

  g_assert_true (check ("[[[]]]", 0, 3));
  g_assert_true (check ("{\"a\": [{\"b\": []}]}", 0, 4));
  g_assert_false (check ("{\"a\": [{\"b\": []}]}", 0, 3));
  g_assert_true (check ("[[[]]], [[[]]], {\"a\": [[]]}", 0, 3));
  g_assert_true (check ("1", 0, 0));
  g_assert_false (check ("[]", 0, 0));

  /* Closing more than was opened does not buy depth. */
  g_assert_false (check ("]]]]][[[[", 0, 3));
  g_assert_true (check ("]]]]][[[", 0, 3));

  message = check_error (deep, strlen (deep), 0, 32);
  g_assert_cmpstr (message, ==,
                   "ligne 1, colonne 33 : imbrication trop profonde (plus de 32 niveaux de [ ] et { })");

  /* Lines from 1, columns in characters from 1. */
  g_clear_pointer (&message, g_free);
  message = check_error ("{\n  \"é\": [\n  \"\\u00e9\", {\"x\": [", strlen ("{\n  \"é\": [\n  \"\\u00e9\", {\"x\": ["), 0, 3);
  g_assert_cmpstr (message, ==,
                   "ligne 3, colonne 19 : imbrication trop profonde (plus de 3 niveaux de [ ] et { })");

  /* The length is honoured: the bytes after it are not looked at. */
  g_assert_true (relais_json_guard_check ("[[[[", 2, 0, 2, NULL));
}

static guint node_depth (JsonNode *node);

/* The depth of what json-glib makes of @data (which it must accept). */
static guint
json_glib_depth (const char *data)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, data, -1, &error);
  g_assert_no_error (error);
  return node_depth (json_parser_get_root (parser));
}

static void
test_strings_and_comments (void)
{
  /* Brackets in strings do not count; nor does an escaped quote end a
   * string, while an escaped backslash does not escape the quote. */
  g_assert_true (check ("[\"[[[[{{{{\"]", 0, 1));
  g_assert_true (check ("[\"\\\"[[[[\"]", 0, 1));
  g_assert_false (check ("[\"\\\\\"[[[[\"]", 0, 1));
  g_assert_true (check ("[\"\\\\\\\"[[[[\"]", 0, 1));

  /* json-glib 1.6 takes '…' strings, without escapes. */
  g_assert_true (check ("['[[[[', '\"[[']", 0, 1));
  g_assert_false (check ("['\\'[[]", 0, 1));
  g_assert_true (check ("[\"'\", [\"'\"]]", 0, 2));

  /* and comments, which may hide a quote. */
  g_assert_true (check ("[/* [[[[ \" */ 1]", 0, 1));
  g_assert_false (check ("[/* \" */ [[1]]]", 0, 2));
  g_assert_false (check ("[\"/*\", [[1]]]", 0, 2));

  /* json-glib 1.6 ends a comment at the next '/', "*" or not: this is
   * [[[[1]]]], 4 levels, where a C reading would see 1. */
  g_assert_cmpuint (json_glib_depth ("[/* x / [[[1]]] ] /* */"), ==, 4);
  g_assert_false (check ("[/* x / [[[1]]] ] /* */", 0, 3));
  g_assert_true (check ("[/* x / [[[1]]] ] /* */", 0, 4));
  g_assert_cmpuint (json_glib_depth ("[/ [[ / 1]"), ==, 1);

  /* The other way round, a C reading sees more here than json-glib 1.6
   * (for which "//" is an empty comment and the quote opens a string):
   * the worse reading counts, should json-glib change its mind. */
  g_assert_false (check ("[1 // \"\n, [[1]]]", 0, 2));
  g_assert_true (check ("[1 // \"\n, [[1]]]", 0, 3));

  /* Unterminated strings and comments run to the end (json-glib refuses
   * them anyway). */
  g_assert_true (check ("[\"[[[[[", 0, 1));
  g_assert_true (check ("[/* [[[[[", 0, 1));
  g_assert_true (check ("[\"\\", 0, 1));

  /* Bytes that are not UTF-8 are json-glib's to refuse; here they are
   * only bytes. */
  g_assert_true (check ("[\"\xff\xfe[[\"]", 0, 1));
}

static guint
node_depth (JsonNode *node)
{
  guint deepest = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        deepest = MAX (deepest, node_depth (json_array_get_element (array, i)));
      return deepest + 1;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        deepest = MAX (deepest, node_depth (member));
      return deepest + 1;
    }
  return 0;
}

static const char * const scalars[] = {
  "1", "-2", "0x1f", "1.5e3", "true", "null", "\"\"", "''",
  "\"[\"", "'{'", "\"\\\"[\"", "\"\\\\\"", "'\\'", "'\"['", "\"'{\"",
  "\"\\u00e9[\"", "\"é{\"", "\"/*\"", "'*/['",
};
static const char * const blanks[] = {
  "", "", "", " ", "\n", "/* [ \" ' */", "/**/", "\t",
};
/* With the member's index: json-glib keeps only the last of two members
 * with the same name, and the tree would be shallower than the text. */
static const char * const key_starts[] = {
  "\"k", "'k", "\"[", "'{", "\"\\\"{", "\"é]",
};

#define PICK(rand, list) ((list)[g_rand_int_range ((rand), 0, (gint32) G_N_ELEMENTS (list))])

/* A random document json-glib takes, with the strings, escapes and
 * comments that could fool the guard. */
static void
append_value (GString *doc,
              GRand   *rand,
              guint    depth)
{
  int kind = depth < 8 ? g_rand_int_range (rand, 0, 3) : 0;
  int n = g_rand_int_range (rand, 0, 4);

  g_string_append (doc, PICK (rand, blanks));
  if (kind == 0)
    {
      g_string_append (doc, PICK (rand, scalars));
    }
  else
    {
      g_string_append_c (doc, kind == 1 ? '[' : '{');
      for (int i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append_c (doc, ',');
          if (kind == 2)
            {
              g_string_append (doc, PICK (rand, blanks));
              const char *start = PICK (rand, key_starts);

              g_string_append_printf (doc, "%s%d%c", start, i, start[0]);
              g_string_append_c (doc, ':');
            }
          append_value (doc, rand, depth + 1);
        }
      g_string_append (doc, PICK (rand, blanks));
      g_string_append_c (doc, kind == 1 ? ']' : '}');
    }
  g_string_append (doc, PICK (rand, blanks));
}

/* Random documents and mutants of them, run through json-glib: for every
 * one it accepts, the guard must never count less than its depth (it
 * would let a deep document through). On the documents as generated it
 * must not count more either; a mutant may read differently under the
 * two comment styles (the guard takes the worse), and json-glib 1.6
 * ignores what follows a scalar root ("1 [[[" is 1). */
static void
test_agrees_with_json_glib (void)
{
  static const char mutations[] = "[]{}\"'\\/*";
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240301);
  guint parsed = 0;
  guint nested = 0;
  guint mutants = 0;

  for (guint round = 0; round < 20000; round++)
    {
      g_autoptr(GString) doc = g_string_new (NULL);
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      gboolean mutated = g_rand_boolean (rand);
      guint depth;

      append_value (doc, rand, 0);
      if (mutated && doc->len > 0)
        {
          gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) doc->len);

          if (g_rand_boolean (rand))
            g_string_erase (doc, (gssize) at, 1);
          else
            g_string_insert_c (doc, (gssize) at, mutations[g_rand_int_range (rand, 0, (gint32) strlen (mutations))]);
        }

      if (!json_parser_load_from_data (parser, doc->str, (gssize) doc->len, NULL) ||
          json_parser_get_root (parser) == NULL)
        continue;

      parsed++;
      mutants += mutated;
      depth = node_depth (json_parser_get_root (parser));
      if (depth > 2)
        nested++;
      if (!mutated && depth > 0 && !relais_json_guard_check (doc->str, doc->len, 0, depth, NULL))
        g_error ("guard counts more than %u levels in %s", depth, doc->str);
      if (depth > 0 && relais_json_guard_check (doc->str, doc->len, 0, depth - 1, NULL))
        g_error ("guard counts fewer than %u levels in %s", depth, doc->str);
    }

  g_test_message ("%u documents parsed (%u mutants), %u deeper than 2", parsed, mutants, nested);
  g_assert_cmpuint (parsed, >, 5000);
  g_assert_cmpuint (mutants, >, 500);
  g_assert_cmpuint (nested, >, 1000);
}

static gboolean
check_integers (const char *data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = relais_json_guard_check_integers (data, strlen (data), &error);

  g_assert_true (ok == (error == NULL));
  if (error != NULL)
    {
      g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  return ok;
}

/* Whether json-glib reads @literal (an integer) back as written. */
static gboolean
json_glib_reads_right (const char *literal,
                       gint64      expected)
{
  g_autofree char *doc = g_strdup_printf ("[%s]", literal);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *node;

  g_assert_true (json_parser_load_from_data (parser, doc, -1, NULL));
  node = json_array_get_element (json_node_get_array (json_parser_get_root (parser)), 0);
  return json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) == expected;
}

static void
test_integers (void)
{
  static const struct
  {
    const char *literal;
    gint64      value;
  } in_range[] = {
    { "0", 0 },
    { "9223372036854775807", G_MAXINT64 },
    { "-9223372036854775807", -G_MAXINT64 },
    { "-9223372036854775808", G_MININT64 },
    { "00000000000000000000000000001", 1 },
    { "0x7fffffffffffffff", G_MAXINT64 },
    { "0b111", 7 },
  };
  static const char * const out_of_range[] = {
    "9223372036854775808", "99999999999999999999", "18446744073709551616",
    "-9223372036854775809", "0x8000000000000000", "0xFFFFFFFFFFFFFFFFFF",
    "01000000000000000000000", "0777777777777777777777777",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *long_number = g_strnfill (100, '9');
  g_autofree char *long_doc = g_strdup_printf ("{\"room\":\n  %s}", long_number);

  for (gsize i = 0; i < G_N_ELEMENTS (in_range); i++)
    {
      g_autofree char *doc = g_strdup_printf ("{\"room\": %s}", in_range[i].literal);

      if (!check_integers (doc))
        g_error ("%s refused", in_range[i].literal);
    }
  g_assert_true (json_glib_reads_right ("9223372036854775807", G_MAXINT64));
  g_assert_true (json_glib_reads_right ("0x7fffffffffffffff", G_MAXINT64));

  for (gsize i = 0; i < G_N_ELEMENTS (out_of_range); i++)
    {
      g_autofree char *doc = g_strdup_printf ("[1, %s]", out_of_range[i]);

      if (check_integers (doc))
        g_error ("%s accepted", out_of_range[i]);
    }
  /* What the check is for: json-glib wraps them without a word. */
  g_assert_false (json_glib_reads_right ("99999999999999999999", 0));
  g_assert_true (json_glib_reads_right ("99999999999999999999", -1));
  g_assert_true (json_glib_reads_right ("-9223372036854775809", G_MAXINT64));

  /* Floats are doubles for json-glib, never wrapped. */
  g_assert_true (check_integers ("[1e400, 99999999999999999999.0, 1.5E+30, .5]"));
  /* Not numbers: inside strings and comments, or in identifiers. */
  g_assert_true (check_integers ("[\"99999999999999999999\", '99999999999999999999', "
                                 "/* 99999999999999999999 */ \"\\\"99999999999999999999\"]"));
  g_assert_true (check_integers ("[a99999999999999999999]"));
  /* Not json-glib's idea of a number either: its own error. */
  g_assert_true (check_integers ("[099999999999999999999999, 0x, 0xg]"));

  g_assert_false (relais_json_guard_check_integers ("[-99999999999999999999]", 23, &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "ligne 1, colonne 2 : nombre entier hors limites « -99999999999999999999 » "
                   "(de -9223372036854775808 à 9223372036854775807)");
  g_clear_error (&error);

  /* A very long number is shown shortened. */
  g_assert_false (relais_json_guard_check_integers (long_doc, strlen (long_doc), &error));
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "ligne 2, colonne 3 : nombre entier hors limites "
                   "« 9999999999999999999999999999999999999999… » "
                   "(de -9223372036854775808 à 9223372036854775807)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-guard/size", test_size);
  g_test_add_func ("/json-guard/depth", test_depth);
  g_test_add_func ("/json-guard/strings-and-comments", test_strings_and_comments);
  g_test_add_func ("/json-guard/agrees-with-json-glib", test_agrees_with_json_glib);
  g_test_add_func ("/json-guard/integers", test_integers);

  return g_test_run ();
}
