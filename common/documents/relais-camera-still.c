/* relais-camera-still.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-camera-still"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/video/video.h>

#include "relais-camera-still.h"
#include "relais-error.h"

void
relais_camera_still_prepare (GstElement *sink)
{
  g_return_if_fail (GST_IS_ELEMENT (sink));

  g_object_set (sink, "enable-last-sample", TRUE, NULL);
}

RelaisPage *
relais_camera_still_take (GstElement  *sink,
                          double       dpi,
                          GError     **error)
{
  g_autoptr(GstSample) sample = NULL;
  GstVideoInfo info;
  GstVideoFrame frame;
  GstBuffer *buffer;
  GstCaps *caps;
  gboolean bgra;
  RelaisPage *page;

  g_return_val_if_fail (GST_IS_ELEMENT (sink), NULL);

  g_object_get (sink, "last-sample", &sample, NULL);
  buffer = sample != NULL ? gst_sample_get_buffer (sample) : NULL;
  caps = sample != NULL ? gst_sample_get_caps (sample) : NULL;
  if (buffer == NULL || caps == NULL || !gst_video_info_from_caps (&info, caps))
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                           _("La caméra n’a pas encore d’image. Attendez un instant, puis réessayez."));
      return NULL;
    }

  switch (GST_VIDEO_INFO_FORMAT (&info))
    {
    case GST_VIDEO_FORMAT_BGRA:
    case GST_VIDEO_FORMAT_BGRx:
      bgra = TRUE;
      break;
    case GST_VIDEO_FORMAT_RGBA:
    case GST_VIDEO_FORMAT_RGBx:
      bgra = FALSE;
      break;
    default:
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                           _("L’image de la caméra n’est pas dans un format que la borne lit."));
      return NULL;
    }

  if (!gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ))
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                           _("La caméra n’a pas encore d’image. Attendez un instant, puis réessayez."));
      return NULL;
    }
  page = relais_page_new_from_camera (GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
                                      (guint) GST_VIDEO_FRAME_WIDTH (&frame),
                                      (guint) GST_VIDEO_FRAME_HEIGHT (&frame),
                                      (guint) GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
                                      bgra, dpi);
  gst_video_frame_unmap (&frame);
  return page;
}
