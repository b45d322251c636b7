/* relais-error.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-error"

#include "relais-error.h"

G_DEFINE_QUARK (relais-error-quark, relais_error)

char *
relais_error_printable (const char *value,
                        glong       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (value, -1);
  GString *out = g_string_new (NULL);
  glong n = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n == max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (g_unichar_iscntrl (c))
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

void
relais_error_append_line (GString    *errors,
                          const char *format,
                          ...)
{
  va_list args;

  if (errors->len > 0)
    g_string_append_c (errors, '\n');
  va_start (args, format);
  g_string_append_vprintf (errors, format, args);
  va_end (args);
}
