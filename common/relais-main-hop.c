/* relais-main-hop.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-main-hop"

#include "relais-main-hop.h"

typedef struct
{
  GObject           *owner;
  const gboolean    *disposed;
  RelaisMainHopFunc  func;
  gpointer           data;
  GDestroyNotify     destroy;
} Hop;

static gboolean
hop_dispatch (gpointer user_data)
{
  Hop *hop = user_data;

  /* The reference held on the owner keeps *disposed readable. */
  if (!*hop->disposed)
    hop->func (hop->owner, hop->data);

  return G_SOURCE_REMOVE;
}

static void
hop_free (gpointer user_data)
{
  Hop *hop = user_data;

  if (hop->destroy != NULL && hop->data != NULL)
    hop->destroy (hop->data);
  g_object_unref (hop->owner);
  g_free (hop);
}

void
relais_main_hop (GMainContext      *context,
                 gpointer           owner,
                 const gboolean    *disposed,
                 const char        *name,
                 RelaisMainHopFunc  func,
                 gpointer           data,
                 GDestroyNotify     destroy)
{
  g_autoptr(GSource) source = g_idle_source_new ();
  Hop *hop = g_new0 (Hop, 1);

  g_return_if_fail (G_IS_OBJECT (owner));
  g_return_if_fail (disposed != NULL);
  g_return_if_fail (func != NULL);

  hop->owner = g_object_ref (owner);
  hop->disposed = disposed;
  hop->func = func;
  hop->data = data;
  hop->destroy = destroy;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, name);
  g_source_set_callback (source, hop_dispatch, hop, hop_free);
  g_source_attach (source, context);
}
