/* relais-camera-still.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gst/gst.h>

#include "relais-page.h"

G_BEGIN_DECLS

/* Makes @sink (e.g. relais_call_get_local_video_sink(), which does not
 * keep its last picture by default) keep its latest picture: call it when
 * the camera page shows, a frame before relais_camera_still_take(). */
void        relais_camera_still_prepare (GstElement *sink);

/* The scanner's fallback: the camera's latest picture as a grey,
 * contrast-stretched page (relais_page_new_from_camera). The self-view
 * keeps running: nothing is taken from it. @dpi is what the framing amounts to (75 for an A4 sheet
 * filling a 640x480 picture). NULL (with a sentence) when the sink has no
 * picture yet or one in a format other than BGRA/BGRx/RGBA/RGBx. */
RelaisPage *relais_camera_still_take    (GstElement  *sink,
                                         double       dpi,
                                         GError     **error);

G_END_DECLS
