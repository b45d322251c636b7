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
  g_autoptr(RelaisApplication) app = NULL;
  int status;

  relais_application_init_i18n ();

  app = relais_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);

  if (status == 0)
    status = relais_application_get_exit_status (app);

  return status;
}
