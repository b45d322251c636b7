/* fuzz-config.c — libFuzzer target for the kiosk.conf parser.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>

#include "relais-config.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_string (const char *value)
{
  g_assert (value == NULL || g_utf8_validate (value, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = NULL;
  /* The parser takes a C string (as g_file_get_contents() gives it):
   * everything after an embedded NUL is not seen, as in real use. */
  g_autofree char *text = g_strndup ((const char *) data, size);
  const char *language;

  config = relais_config_new_from_data (text, "fuzz.conf", &error);

  if (config == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->message != NULL && g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  g_assert (error == NULL);

  g_assert (g_strcmp0 (relais_config_get_source (config), "fuzz.conf") == 0);
  check_string (relais_config_get_site_name (config));
  language = relais_config_get_language (config);
  g_assert (g_strcmp0 (language, "fr") == 0 || g_strcmp0 (language, "en") == 0);
  check_string (relais_config_get_store_path (config));
  g_assert (g_path_is_absolute (relais_config_get_store_path (config)));
  g_assert (g_str_has_prefix (relais_config_get_pin_hash (config), "$argon2id$"));
  (void) relais_config_get_demo_pin (config);
  g_assert (relais_config_get_idle_lock_seconds (config) >= 15 &&
            relais_config_get_idle_lock_seconds (config) <= 3600);
  g_assert (relais_config_get_max_pin_attempts (config) >= 1 &&
            relais_config_get_max_pin_attempts (config) <= 10);
  g_assert (relais_config_get_lockout_seconds (config) >= 5 &&
            relais_config_get_lockout_seconds (config) <= 3600);
  g_assert (relais_config_get_retention_days (config) >= 1 &&
            relais_config_get_retention_days (config) <= 3650);
  check_string (relais_config_get_directory_file (config));
  check_string (relais_config_get_ca_file (config));
  if (relais_config_is_demo (config))
    g_assert (relais_config_get_janus_url (config) == NULL);
  else
    g_assert (g_ascii_strncasecmp (relais_config_get_janus_url (config), "http", 4) == 0);

  return 0;
}
