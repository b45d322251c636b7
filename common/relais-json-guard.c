/* relais-json-guard.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-json-guard"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "relais-error.h"
#include "relais-json-guard.h"

/* Numbers longer than this are shown shortened in messages. */
#define MAX_QUOTED_NUMBER 40

typedef enum
{
  TOKEN_END,
  TOKEN_OPEN,     /* [ or { */
  TOKEN_CLOSE,    /* ] or } */
  TOKEN_NUMBER,
} TokenKind;

typedef struct
{
  TokenKind kind;
  gsize     start;
  gsize     end;
  guint     line;
  guint     column;
} Token;

/* What a comment is. json-glib 1.6 (Debian 12) takes any '/' outside a
 * string as the start of a comment that ends at the next '/' (its scanner
 * is configured with "//" as the single-line comment pair): "[/ [[ / 1]"
 * is [1], and a C comment opener is no different, its star is just text.
 * Other versions may read C comments instead; the scan is run both ways
 * and the worse result counts, so that a json-glib upgrade cannot turn
 * the guard into a sieve. (Text before the first '/' reads the same in
 * every way, so a parser without comments is covered too.) */
typedef enum
{
  COMMENTS_SLASH_PAIR,   /* json-glib 1.6: from '/' to the next '/' */
  COMMENTS_C,            /* C: from slash-star to star-slash, and from // to the line end */
} CommentStyle;

/* A lexer just precise enough to know what is inside a string or a
 * comment, as json-glib does: "…" with backslash escapes (a backslash
 * hides the next byte, whatever it is), '…' without escapes, and
 * comments. Unterminated strings and comments run to the end (json-glib
 * refuses those documents). */
typedef struct
{
  CommentStyle comments;
  const char *data;
  gsize       length;
  gsize       pos;
  guint       line;
  guint       column;   /* of data[pos], in characters */
} Lexer;

static void
lexer_init (Lexer        *lexer,
            CommentStyle  comments,
            const char   *data,
            gsize         length)
{
  lexer->comments = comments;
  lexer->data = data;
  lexer->length = length;
  lexer->pos = 0;
  lexer->line = 1;
  lexer->column = 1;
}

static inline guchar
lexer_peek (const Lexer *lexer,
            gsize        ahead)
{
  return lexer->pos + ahead < lexer->length ? (guchar) lexer->data[lexer->pos + ahead] : '\0';
}

static inline void
lexer_advance (Lexer *lexer)
{
  guchar c = (guchar) lexer->data[lexer->pos++];

  if (c == '\n')
    {
      lexer->line++;
      lexer->column = 1;
    }
  else if ((c & 0xC0) != 0x80)
    {
      /* UTF-8 continuation bytes belong to the character before. */
      lexer->column++;
    }
}

static gboolean
is_number_char (const Lexer *lexer,
                gsize        start)
{
  guchar c = lexer_peek (lexer, 0);

  if (g_ascii_isalnum (c) || c == '.')
    return TRUE;

  /* An exponent's sign, in a decimal number ("1e-5", not "0x1e-5"). */
  if ((c == '+' || c == '-') && lexer->pos > start &&
      (lexer->data[lexer->pos - 1] == 'e' || lexer->data[lexer->pos - 1] == 'E'))
    {
      const char *text = lexer->data + start;

      return !(lexer->pos - start >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'));
    }
  return FALSE;
}

static void
lexer_next (Lexer *lexer,
            Token *token)
{
  while (lexer->pos < lexer->length)
    {
      guchar c = lexer_peek (lexer, 0);

      token->start = lexer->pos;
      token->line = lexer->line;
      token->column = lexer->column;

      if (c == '"' || c == '\'')
        {
          lexer_advance (lexer);
          while (lexer->pos < lexer->length)
            {
              guchar s = lexer_peek (lexer, 0);

              lexer_advance (lexer);
              if (s == c)
                break;
              if (s == '\\' && c == '"' && lexer->pos < lexer->length)
                lexer_advance (lexer);
            }
        }
      else if (c == '/' && lexer->comments == COMMENTS_SLASH_PAIR)
        {
          lexer_advance (lexer);
          while (lexer->pos < lexer->length && lexer_peek (lexer, 0) != '/')
            lexer_advance (lexer);
          if (lexer->pos < lexer->length)
            lexer_advance (lexer);
        }
      else if (c == '/' && lexer_peek (lexer, 1) == '/')
        {
          while (lexer->pos < lexer->length && lexer_peek (lexer, 0) != '\n')
            lexer_advance (lexer);
        }
      else if (c == '/' && lexer_peek (lexer, 1) == '*')
        {
          lexer_advance (lexer);
          lexer_advance (lexer);
          while (lexer->pos < lexer->length &&
                 !(lexer_peek (lexer, 0) == '*' && lexer_peek (lexer, 1) == '/'))
            lexer_advance (lexer);
          if (lexer->pos < lexer->length)
            {
              lexer_advance (lexer);
              lexer_advance (lexer);
            }
        }
      else if (c == '[' || c == '{' || c == ']' || c == '}')
        {
          lexer_advance (lexer);
          token->kind = (c == '[' || c == '{') ? TOKEN_OPEN : TOKEN_CLOSE;
          token->end = lexer->pos;
          return;
        }
      else if (g_ascii_isdigit (c) || (c == '.' && g_ascii_isdigit (lexer_peek (lexer, 1))))
        {
          while (lexer->pos < lexer->length && is_number_char (lexer, token->start))
            lexer_advance (lexer);
          token->kind = TOKEN_NUMBER;
          token->end = lexer->pos;
          return;
        }
      else if (g_ascii_isalpha (c) || c == '_')
        {
          /* An identifier (true, false, null or a mistake): its digits
           * are not a number. */
          while (lexer->pos < lexer->length &&
                 (g_ascii_isalnum (lexer_peek (lexer, 0)) || lexer_peek (lexer, 0) == '_'))
            lexer_advance (lexer);
        }
      else
        {
          lexer_advance (lexer);
        }
    }

  token->kind = TOKEN_END;
  token->start = token->end = lexer->length;
  token->line = lexer->line;
  token->column = lexer->column;
}

static gboolean check_depth (CommentStyle   comments,
                             const char    *data,
                             gsize          length,
                             guint          max_depth,
                             GError       **error);

gboolean
relais_json_guard_check (const char  *data,
                         gsize        length,
                         gsize        max_size,
                         guint        max_depth,
                         GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (max_size > 0 && length > max_size)
    {
      /* Formatted first: a G_GSIZE_FORMAT inside _() cannot be translated. */
      g_autofree char *size = g_strdup_printf ("%" G_GSIZE_FORMAT, length);
      g_autofree char *max = g_strdup_printf ("%" G_GSIZE_FORMAT, max_size);

      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("document trop volumineux (%s octets, au plus %s octets)"), size, max);
      return FALSE;
    }

  return check_depth (COMMENTS_SLASH_PAIR, data, length, max_depth, error) &&
         check_depth (COMMENTS_C, data, length, max_depth, error);
}

static gboolean
check_depth (CommentStyle   comments,
             const char    *data,
             gsize          length,
             guint          max_depth,
             GError       **error)
{
  Lexer lexer;
  Token token;
  guint depth = 0;

  lexer_init (&lexer, comments, data, length);
  for (lexer_next (&lexer, &token); token.kind != TOKEN_END; lexer_next (&lexer, &token))
    {
      if (token.kind == TOKEN_OPEN)
        {
          if (++depth > max_depth)
            {
              g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                           _("ligne %u, colonne %u : imbrication trop profonde (plus de %u niveaux de [ ] et { })"),
                           token.line, token.column, max_depth);
              return FALSE;
            }
        }
      else if (token.kind == TOKEN_CLOSE)
        {
          if (depth > 0)
            depth--;
        }
    }

  return TRUE;
}

/* Whether json-glib would read @text (a number token, without sign) as an
 * integer that does not fit in a gint64 (it wraps those without a word). */
static gboolean
integer_out_of_range (const char *text,
                      gboolean    negative)
{
  const char *digits = text;
  const char *end = NULL;
  guint base = 10;
  guint64 value;
  guint64 limit = negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;

  if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    {
      base = 16;
      digits = text + 2;
    }
  else if (text[0] == '0' && (text[1] == 'b' || text[1] == 'B'))
    {
      base = 2;
      digits = text + 2;
    }
  else if (strpbrk (text, ".eE") != NULL)
    {
      return FALSE;   /* a float: json-glib keeps it as a double */
    }
  else if (text[0] == '0' && text[1] != '\0')
    {
      base = 8;
      digits = text + 1;
    }

  /* g_ascii_strtoull() would accept a sign or spaces: only digits here.
   * Anything else is json-glib's to refuse. */
  if (*digits == '\0')
    return FALSE;
  for (const char *p = digits; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_xdigit_value (*p) >= (int) base)
      return FALSE;

  errno = 0;
  value = g_ascii_strtoull (digits, (char **) &end, base);
  if (errno == ERANGE)
    return TRUE;
  return value > limit;
}

static gboolean check_integers (CommentStyle   comments,
                                const char    *data,
                                gsize          length,
                                GError       **error);

gboolean
relais_json_guard_check_integers (const char  *data,
                                  gsize        length,
                                  GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_integers (COMMENTS_SLASH_PAIR, data, length, error) &&
         check_integers (COMMENTS_C, data, length, error);
}

static gboolean
check_integers (CommentStyle   comments,
                const char    *data,
                gsize          length,
                GError       **error)
{
  Lexer lexer;
  Token token;

  lexer_init (&lexer, comments, data, length);
  for (lexer_next (&lexer, &token); token.kind != TOKEN_END; lexer_next (&lexer, &token))
    {
      g_autofree char *text = NULL;
      g_autoptr(GString) quoted = NULL;
      gboolean negative;

      if (token.kind != TOKEN_NUMBER)
        continue;

      /* The sign is a token of its own for json-glib; only one written
       * against the number is seen here. Without it the larger limit of
       * the negative side is refused too, which is on the safe side. */
      negative = token.start > 0 && data[token.start - 1] == '-';
      text = g_strndup (data + token.start, token.end - token.start);
      if (!integer_out_of_range (text, negative))
        continue;

      /* The token is ASCII (letters, digits, '.', '+', '-'): any byte is
       * a character boundary. */
      quoted = g_string_new (negative ? "-" : "");
      if (strlen (text) > MAX_QUOTED_NUMBER)
        {
          g_string_append_len (quoted, text, MAX_QUOTED_NUMBER);
          g_string_append (quoted, "…");
        }
      else
        {
          g_string_append (quoted, text);
        }

      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("ligne %u, colonne %u : nombre entier hors limites « %s » (de %s à %s)"),
                   token.line, negative ? token.column - 1 : token.column, quoted->str,
                   "-9223372036854775808", "9223372036854775807");
      return FALSE;
    }

  return TRUE;
}
