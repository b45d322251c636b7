/* relais-video-paintable.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gst/gst.h>
#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RELAIS_TYPE_VIDEO_PAINTABLE (relais_video_paintable_get_type ())
G_DECLARE_FINAL_TYPE (RelaisVideoPaintable, relais_video_paintable, RELAIS, VIDEO_PAINTABLE, GObject)

/* A GdkPaintable showing the frames of a GstAppSink (Debian's GStreamer
 * 1.22 has no GTK 4 sink). The producer sets the appsink's caps (BGRA,
 * RGBA, BGR or RGB); each frame is wrapped, without a copy, in a
 * GdkMemoryTexture on the main context the paintable was made in. Only
 * the newest frame is kept: a slow UI skips frames instead of queueing
 * them. The paintable takes over the appsink's callbacks.
 *
 * Drawn letterboxed: the frame keeps its aspect ratio on a black
 * background. */
RelaisVideoPaintable *relais_video_paintable_new      (GstElement           *appsink);
/* Another appsink, or NULL to stop showing frames (the call ended): the
 * last frame is dropped too, it may show a person. */
void                  relais_video_paintable_set_sink (RelaisVideoPaintable *self,
                                                       GstElement           *appsink);
GstElement           *relais_video_paintable_get_sink (RelaisVideoPaintable *self);
/* Frames shown since the sink was set. */
guint64               relais_video_paintable_get_frames (RelaisVideoPaintable *self);

G_END_DECLS
