/* relais-main-hop.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef void (*RelaisMainHopFunc) (gpointer owner,
                                   gpointer data);

/* Runs @func (@owner, @data) on @context, from any thread: what GStreamer
 * calls on its streaming threads comes back to the main context this way.
 *
 * Always a queued source, never g_main_context_invoke(), which runs the
 * function right there on the calling thread whenever that thread can
 * acquire the context. At G_PRIORITY_DEFAULT, never idle priority: a
 * kiosk's main loop is never idle during a call on a loaded machine, and
 * an idle hop then waits for minutes (the demo chat went silent that way).
 *
 * The hop holds a reference on @owner; @func is skipped once
 * *@disposed (a flag in @owner, set by its dispose) is TRUE. @destroy frees
 * @data either way. */
void relais_main_hop (GMainContext      *context,
                      gpointer           owner,
                      const gboolean    *disposed,
                      const char        *name,
                      RelaisMainHopFunc  func,
                      gpointer           data,
                      GDestroyNotify     destroy);

G_END_DECLS
