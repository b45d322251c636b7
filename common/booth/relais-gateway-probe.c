/* relais-gateway-probe.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-gateway-probe"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "relais-gateway-probe.h"

#define GATEWAY_PROBE_TIMEOUT_MS 5000

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) info = NULL;
  gint64 started_at = *(gint64 *) g_task_get_task_data (task);
  int ms;

  info = relais_http_client_get_json_finish (RELAIS_HTTP_CLIENT (object), result, &error);
  if (info == NULL)
    {
      g_debug ("Gateway probe failed: %s", error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ms = (int) ((g_get_monotonic_time () - started_at) / 1000);
  g_debug ("Gateway probe: answered in %d ms", ms);
  g_task_return_pointer (task, g_strdup_printf (_("Serveur de visio joignable : réponse en %d ms."), ms),
                         g_free);
}

void
relais_gateway_probe_async (gpointer             source_object,
                            RelaisHttpClient    *http,
                            const char          *janus_url,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *trimmed = g_strdup (janus_url);
  g_autofree char *url = NULL;
  gint64 *started_at;

  g_return_if_fail (RELAIS_IS_HTTP_CLIENT (http));
  g_return_if_fail (janus_url != NULL);

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, relais_gateway_probe_async);
  started_at = g_new (gint64, 1);
  *started_at = g_get_monotonic_time ();
  g_task_set_task_data (task, started_at, g_free);

  while (trimmed[0] != '\0' && g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';
  url = g_strconcat (trimmed, "/info", NULL);

  relais_http_client_get_json_async (http, url, GATEWAY_PROBE_TIMEOUT_MS, cancellable,
                                     probe_cb, g_steal_pointer (&task));
}

char *
relais_gateway_probe_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
