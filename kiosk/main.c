/* main.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-kiosk"

#include "config.h"

#include "relais-command-line.h"
#include "relais-test-call.h"

int
main (int   argc,
      char *argv[])
{
  relais_command_line_init_i18n ();

  /* Headless: decided before anything initialises GTK. */
  if (relais_test_call_requested (argc, argv))
    return relais_test_call_main (argc, argv);

  return relais_kiosk_main (argc, argv, NULL, NULL);
}
