/* relais-ice.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-ice"

#include <nice/agent.h>

#include "relais-ice.h"

void
relais_ice_configure (GObject *ice)
{
  g_autoptr(GObject) agent = NULL;

  g_return_if_fail (G_IS_OBJECT (ice));

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "ice-tcp") != NULL)
    g_object_set (ice, "ice-tcp", FALSE, NULL);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") != NULL)
    g_object_get (ice, "agent", &agent, NULL);
  if (agent != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp") != NULL)
    g_object_set (agent, "upnp", FALSE, NULL);
}

static void
agent_closed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  /* libnice 0.1.21 has no _finish(): the closing is done (the servers
   * answered, or their requests timed out). The agent goes with this last
   * reference, its refreshes pruned. */
  g_object_unref (source);
}

void
relais_ice_release (GObject *ice)
{
  GObject *agent = NULL;

  g_return_if_fail (G_IS_OBJECT (ice));

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") != NULL)
    g_object_get (ice, "agent", &agent, NULL);
  if (agent == NULL)
    return;
  if (!NICE_IS_AGENT (agent))
    {
      g_object_unref (agent);
      return;
    }
  /* Holds the agent until its TURN allocations are released (refreshes
   * with a lifetime of 0): webrtcbin 1.22 drops it without, which leaves
   * them on the TURN server until they expire and makes libnice warn. */
  nice_agent_close_async (NICE_AGENT (agent), agent_closed_cb, NULL);
}
