/* relais-error.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-error"

#include "relais-error.h"

G_DEFINE_QUARK (relais-error-quark, relais_error)
