/* main.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-kiosk"

#include "config.h"

#include "relais-application.h"

int
main (int   argc,
      char *argv[])
{
  relais_application_init_i18n ();

  return relais_kiosk_main (argc, argv, NULL, NULL);
}
