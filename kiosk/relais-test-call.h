/* relais-test-call.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `relais-kiosk --test-call …`: a headless call through the configured
 * Janus VideoRoom (no window, no GTK, no display needed) that prints one
 * JSON object of measurements on stdout. Used by IT to check a booth's
 * network and camera, by the integration tests and by tests/bench. */
gboolean relais_test_call_requested (int    argc,
                                     char **argv);
int      relais_test_call_main      (int    argc,
                                     char **argv);

G_END_DECLS
