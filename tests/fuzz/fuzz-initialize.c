/* fuzz-initialize.c — the LLVMFuzzerInitialize of the fuzz targets that
 * need nothing but fatal warnings (all but fuzz-directory, which also
 * prepares its probe times).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A critical or warning from a parser fed bad input is a bug. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}
