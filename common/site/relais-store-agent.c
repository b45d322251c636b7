/* relais-store-agent.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What the store keeps for the agent's lock: the count of wrong PINs in a
 * row (an anonymous number, in the settings table), so that a restart does
 * not give a guesser new tries.
 */
#define G_LOG_DOMAIN "relais-store"

#include "config.h"

#include "relais-store.h"

#define PIN_FAILURES_KEY "agent-pin-failures"

guint
relais_store_get_pin_failures (RelaisStore *self)
{
  g_autofree char *value = NULL;
  guint64 failures = 0;

  g_return_val_if_fail (RELAIS_IS_STORE (self), 0);

  value = relais_store_get_setting (self, PIN_FAILURES_KEY);
  if (value != NULL && !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &failures, NULL))
    {
      g_warning ("Unreadable count of wrong PINs in the store: counting from 0");
      failures = 0;
    }

  return (guint) failures;
}

gboolean
relais_store_set_pin_failures (RelaisStore  *self,
                               guint         failures,
                               GError      **error)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (RELAIS_IS_STORE (self), FALSE);

  if (failures > 0)
    value = g_strdup_printf ("%u", failures);

  return relais_store_set_setting (self, PIN_FAILURES_KEY, value, error);
}
