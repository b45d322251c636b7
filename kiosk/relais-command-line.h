/* relais-command-line.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "relais-application.h"

G_BEGIN_DECLS

/* Points gettext at the installed catalogues, or at the build tree's when
 * running uninstalled, and picks a locale gettext honours LANGUAGE in. */
void relais_command_line_init_i18n (void);

typedef void (*RelaisKioskHook) (RelaisApplication *app,
                                 gpointer           user_data);

/* The whole of `relais-kiosk`: options (--config, --check-config,
 * --export-csv, --hash-pin, --version), configuration, then the
 * application. The modes that only answer a technician (--check-config,
 * --hash-pin, --export-csv, --version) need no display and return before
 * GTK starts. @hook, if given, sees the application before it runs (the
 * UI tests use it). Returns the process's exit status. */
int  relais_kiosk_main             (int                argc,
                                    char             **argv,
                                    RelaisKioskHook    hook,
                                    gpointer           hook_data);

G_END_DECLS
