/* relais-error.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_ERROR (relais_error_quark ())

typedef enum
{
  RELAIS_ERROR_FAILED,
  RELAIS_ERROR_NETWORK,
  RELAIS_ERROR_STORE,
  RELAIS_ERROR_MEDIA,
  RELAIS_ERROR_SCANNER,
  RELAIS_ERROR_MISSING_PLUGIN,
  RELAIS_ERROR_CONFIG,
  RELAIS_ERROR_DIRECTORY,
  RELAIS_ERROR_QUEUE,
  RELAIS_ERROR_LOCKED,
  RELAIS_ERROR_WRONG_PIN,
  RELAIS_ERROR_PRINTER,
} RelaisErrorCode;

GQuark relais_error_quark (void);

/* Text from outside (a configuration value, a directory member, a parser's
 * message quoting its input) made fit for an error shown on screen: valid
 * UTF-8, control characters as spaces, at most @max_chars characters, cut
 * at a character boundary with "…". */
char  *relais_error_printable (const char *value,
                               glong       max_chars);

/* Starts a new line in @errors, a list of problems one a line (in a
 * configuration or directory file), with the text @format makes; the
 * caller may go on appending to that line. */
void   relais_error_append_line (GString    *errors,
                                 const char *format,
                                 ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
