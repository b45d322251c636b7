/* relais-ice.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The ICE settings every webrtcbin of ours gets, the kiosk's and the demo
 * advisor's, on @ice (its "ice-agent"): no ICE-TCP, since Janus has none by
 * default and TCP candidates only slow ICE down; no UPnP, with which
 * libnice (built with it on Debian) would ask the router to open ports.
 * Properties this libnice lacks are left alone. */
void relais_ice_configure (GObject *ice);

/* Before a webrtcbin that used TURN servers goes: releases its TURN
 * allocations in the background (on the caller's thread-default main
 * context), holding the ICE agent until then. */
void relais_ice_release   (GObject *ice);

G_END_DECLS
