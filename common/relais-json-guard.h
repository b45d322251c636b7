/* relais-json-guard.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Checks to run on JSON text from outside (a download, a server reply)
 * before handing it to json-glib, which parses recursively (deep nesting
 * overflows the stack) and silently wraps integers that do not fit in 64
 * bits.
 *
 * The scan follows json-glib's lexer: "…" strings with backslash escapes,
 * '…' strings without escapes, and comments, read both as json-glib 1.6
 * does (from a '/' to the next) and as C comments; the worse reading
 * counts. It never counts less nesting than json-glib will see; on text
 * json-glib would refuse anyway it may refuse for another reason first.
 *
 * Both fail with a RELAIS_ERROR_FAILED error whose message is a short
 * French sentence (valid UTF-8, positions as "ligne L, colonne C",
 * columns in characters) for the caller to prefix with the source. */

/* Refuses @length bytes of @data when @length is above @max_size (0: no
 * limit) or when arrays and objects nest more than @max_depth levels. */
gboolean relais_json_guard_check          (const char  *data,
                                           gsize        length,
                                           gsize        max_size,
                                           guint        max_depth,
                                           GError     **error);

/* Refuses integer literals (decimal, 0x…, 0b…, 0… octal as json-glib reads
 * them) whose magnitude does not fit in a gint64. The message quotes the
 * number as written (shortened when very long). */
gboolean relais_json_guard_check_integers (const char  *data,
                                           gsize        length,
                                           GError     **error);

G_END_DECLS
