/* relais-video-paintable.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-video-paintable"

#include "config.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "relais-video-paintable.h"

/* What the streaming thread and the main context share. Reference
 * counted: appsink holds one reference through its callbacks (dropped by
 * their destroy notify, possibly on a streaming thread), each pending
 * main-context hop holds another, so a frame arriving while the call is
 * torn down never touches freed memory. */
typedef struct
{
  gatomicrefcount  ref_count;
  GMutex           mutex;
  GWeakRef         paintable;     /* RelaisVideoPaintable, main context only */
  GMainContext    *context;
  GstSample       *pending;       /* newest frame not shown yet */
  gboolean         scheduled;     /* a hop to the main context is queued */
} Shared;

struct _RelaisVideoPaintable
{
  GObject      parent_instance;

  GstElement  *sink;
  Shared      *shared;
  GdkTexture  *texture;
  int          width;
  int          height;
  guint64      frames;
};

static void relais_video_paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RelaisVideoPaintable, relais_video_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      relais_video_paintable_iface_init))

enum {
  PROP_0,
  PROP_SINK,
  PROP_FRAMES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static Shared *
shared_new (RelaisVideoPaintable *paintable)
{
  Shared *shared = g_new0 (Shared, 1);

  g_atomic_ref_count_init (&shared->ref_count);
  g_mutex_init (&shared->mutex);
  g_weak_ref_init (&shared->paintable, paintable);
  shared->context = g_main_context_ref_thread_default ();

  return shared;
}

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref_count);
  return shared;
}

static void
shared_unref (gpointer data)
{
  Shared *shared = data;

  if (!g_atomic_ref_count_dec (&shared->ref_count))
    return;

  g_clear_pointer (&shared->pending, gst_sample_unref);
  g_weak_ref_clear (&shared->paintable);
  g_main_context_unref (shared->context);
  g_mutex_clear (&shared->mutex);
  g_free (shared);
}

typedef struct
{
  GstVideoFrame frame;
} MappedFrame;

static void
mapped_frame_free (gpointer data)
{
  MappedFrame *mapped = data;

  /* Unmapping drops the frame's reference on the buffer. */
  gst_video_frame_unmap (&mapped->frame);
  g_free (mapped);
}

static gboolean
memory_format_for (GstVideoFormat   format,
                   GdkMemoryFormat *memory_format)
{
  /* Decoders and videotestsrc give opaque frames, so straight and
   * premultiplied alpha are the same; B8G8R8A8_PREMULTIPLIED is cairo's
   * own layout and costs no conversion when drawing. */
  switch (format)
    {
    case GST_VIDEO_FORMAT_BGRA: *memory_format = GDK_MEMORY_B8G8R8A8_PREMULTIPLIED; return TRUE;
    case GST_VIDEO_FORMAT_RGBA: *memory_format = GDK_MEMORY_R8G8B8A8_PREMULTIPLIED; return TRUE;
    case GST_VIDEO_FORMAT_ARGB: *memory_format = GDK_MEMORY_A8R8G8B8_PREMULTIPLIED; return TRUE;
    case GST_VIDEO_FORMAT_BGR: *memory_format = GDK_MEMORY_B8G8R8; return TRUE;
    case GST_VIDEO_FORMAT_RGB: *memory_format = GDK_MEMORY_R8G8B8; return TRUE;
    default: return FALSE;
    }
}

static GdkTexture *
texture_from_sample (GstSample *sample)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  GstVideoInfo info;
  GdkMemoryFormat memory_format;
  MappedFrame *mapped;
  g_autoptr(GBytes) bytes = NULL;
  gsize stride;
  gsize size;
  int width;
  int height;

  if (buffer == NULL || caps == NULL || !gst_video_info_from_caps (&info, caps))
    return NULL;

  if (!memory_format_for (GST_VIDEO_INFO_FORMAT (&info), &memory_format))
    {
      g_warning ("Unsupported video format %s",
                 gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&info)));
      return NULL;
    }

  mapped = g_new0 (MappedFrame, 1);
  if (!gst_video_frame_map (&mapped->frame, &info, buffer, GST_MAP_READ))
    {
      g_free (mapped);
      return NULL;
    }

  width = GST_VIDEO_FRAME_WIDTH (&mapped->frame);
  height = GST_VIDEO_FRAME_HEIGHT (&mapped->frame);
  stride = GST_VIDEO_FRAME_PLANE_STRIDE (&mapped->frame, 0);
  /* The last row may stop at the pixels' end rather than at the stride. */
  size = stride * (height - 1) + (gsize) width * GST_VIDEO_FRAME_COMP_PSTRIDE (&mapped->frame, 0);

  if (width <= 0 || height <= 0 || size > mapped->frame.map[0].size)
    {
      mapped_frame_free (mapped);
      return NULL;
    }

  /* No copy: the texture's bytes are the mapped buffer, unmapped and
   * unreferenced when GTK drops the texture. */
  bytes = g_bytes_new_with_free_func (GST_VIDEO_FRAME_PLANE_DATA (&mapped->frame, 0), size,
                                      mapped_frame_free, mapped);

  return gdk_memory_texture_new (width, height, memory_format, bytes, stride);
}

static void
show_texture (RelaisVideoPaintable *self,
              GdkTexture           *texture)
{
  int width = texture ? gdk_texture_get_width (texture) : 0;
  int height = texture ? gdk_texture_get_height (texture) : 0;
  gboolean size_changed = width != self->width || height != self->height;

  g_set_object (&self->texture, texture);
  self->width = width;
  self->height = height;

  if (size_changed)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

static gboolean
deliver_cb (gpointer data)
{
  Shared *shared = data;
  g_autoptr(RelaisVideoPaintable) self = NULL;
  g_autoptr(GstSample) sample = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  g_mutex_lock (&shared->mutex);
  sample = g_steal_pointer (&shared->pending);
  shared->scheduled = FALSE;
  g_mutex_unlock (&shared->mutex);

  self = g_weak_ref_get (&shared->paintable);
  /* Gone, or since moved to another sink. */
  if (self == NULL || self->shared != shared || sample == NULL)
    return G_SOURCE_REMOVE;

  texture = texture_from_sample (sample);
  if (texture == NULL)
    return G_SOURCE_REMOVE;

  show_texture (self, texture);
  self->frames++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAMES]);

  return G_SOURCE_REMOVE;
}

/* Streaming thread: never touch the paintable here. */
static GstFlowReturn
new_sample_cb (GstAppSink *appsink,
               gpointer    user_data)
{
  Shared *shared = user_data;
  GstSample *sample = gst_app_sink_pull_sample (appsink);
  GstSample *dropped = NULL;
  gboolean schedule = FALSE;

  if (sample == NULL)
    return GST_FLOW_EOS;

  g_mutex_lock (&shared->mutex);
  dropped = shared->pending;
  shared->pending = sample;
  if (!shared->scheduled)
    schedule = shared->scheduled = TRUE;
  g_mutex_unlock (&shared->mutex);

  g_clear_pointer (&dropped, gst_sample_unref);

  if (schedule)
    g_main_context_invoke_full (shared->context, G_PRIORITY_DEFAULT,
                                deliver_cb, shared_ref (shared), shared_unref);

  return GST_FLOW_OK;
}

static void
detach (RelaisVideoPaintable *self)
{
  static GstAppSinkCallbacks no_callbacks = { NULL, };

  if (self->shared != NULL)
    {
      g_mutex_lock (&self->shared->mutex);
      g_clear_pointer (&self->shared->pending, gst_sample_unref);
      g_mutex_unlock (&self->shared->mutex);
      g_weak_ref_set (&self->shared->paintable, NULL);
    }

  /* Replacing the callbacks drops appsink's reference on the shared
   * block (GStreamer ≥ 1.20 keeps it alive while a callback runs). */
  if (self->sink != NULL)
    gst_app_sink_set_callbacks (GST_APP_SINK (self->sink), &no_callbacks, NULL, NULL);

  g_clear_pointer (&self->shared, shared_unref);
  g_clear_object (&self->sink);
}

static void
relais_video_paintable_snapshot (GdkPaintable *paintable,
                                 GdkSnapshot  *snapshot,
                                 double        width,
                                 double        height)
{
  RelaisVideoPaintable *self = RELAIS_VIDEO_PAINTABLE (paintable);
  GdkRGBA black = { 0.0, 0.0, 0.0, 1.0 };
  double scale, w, h;

  gtk_snapshot_append_color (GTK_SNAPSHOT (snapshot), &black,
                             &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->texture == NULL || self->width == 0 || self->height == 0)
    return;

  scale = MIN (width / self->width, height / self->height);
  w = self->width * scale;
  h = self->height * scale;

  gtk_snapshot_append_texture (GTK_SNAPSHOT (snapshot), self->texture,
                               &GRAPHENE_RECT_INIT ((width - w) / 2, (height - h) / 2, w, h));
}

static int
relais_video_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  return RELAIS_VIDEO_PAINTABLE (paintable)->width;
}

static int
relais_video_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  return RELAIS_VIDEO_PAINTABLE (paintable)->height;
}

static double
relais_video_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  RelaisVideoPaintable *self = RELAIS_VIDEO_PAINTABLE (paintable);

  return self->height > 0 ? (double) self->width / self->height : 0.0;
}

static GdkPaintable *
relais_video_paintable_get_current_image (GdkPaintable *paintable)
{
  RelaisVideoPaintable *self = RELAIS_VIDEO_PAINTABLE (paintable);

  if (self->texture != NULL)
    return g_object_ref (GDK_PAINTABLE (self->texture));

  return gdk_paintable_new_empty (0, 0);
}

static void
relais_video_paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = relais_video_paintable_snapshot;
  iface->get_intrinsic_width = relais_video_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = relais_video_paintable_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = relais_video_paintable_get_intrinsic_aspect_ratio;
  iface->get_current_image = relais_video_paintable_get_current_image;
}

static void
relais_video_paintable_dispose (GObject *object)
{
  RelaisVideoPaintable *self = (RelaisVideoPaintable *)object;

  detach (self);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (relais_video_paintable_parent_class)->dispose (object);
}

static void
relais_video_paintable_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  RelaisVideoPaintable *self = RELAIS_VIDEO_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_SINK:
      g_value_set_object (value, self->sink);
      break;

    case PROP_FRAMES:
      g_value_set_uint64 (value, self->frames);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_video_paintable_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  RelaisVideoPaintable *self = RELAIS_VIDEO_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_SINK:
      relais_video_paintable_set_sink (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_video_paintable_class_init (RelaisVideoPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_video_paintable_dispose;
  object_class->get_property = relais_video_paintable_get_property;
  object_class->set_property = relais_video_paintable_set_property;

  properties[PROP_SINK] =
    g_param_spec_object ("sink", NULL, NULL,
                         GST_TYPE_ELEMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRAMES] =
    g_param_spec_uint64 ("frames", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
relais_video_paintable_init (RelaisVideoPaintable *self)
{
}

RelaisVideoPaintable *
relais_video_paintable_new (GstElement *appsink)
{
  g_return_val_if_fail (appsink == NULL || GST_IS_APP_SINK (appsink), NULL);

  return g_object_new (RELAIS_TYPE_VIDEO_PAINTABLE, "sink", appsink, NULL);
}

void
relais_video_paintable_set_sink (RelaisVideoPaintable *self,
                                 GstElement           *appsink)
{
  GstAppSinkCallbacks callbacks = { NULL, };

  g_return_if_fail (RELAIS_IS_VIDEO_PAINTABLE (self));
  g_return_if_fail (appsink == NULL || GST_IS_APP_SINK (appsink));

  if (appsink == self->sink)
    return;

  detach (self);

  if (self->frames != 0)
    {
      self->frames = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAMES]);
    }
  if (self->texture != NULL)
    show_texture (self, NULL);

  if (appsink != NULL)
    {
      self->sink = g_object_ref (appsink);
      self->shared = shared_new (self);
      callbacks.new_sample = new_sample_cb;
      gst_app_sink_set_callbacks (GST_APP_SINK (appsink), &callbacks,
                                  shared_ref (self->shared), shared_unref);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SINK]);
}

GstElement *
relais_video_paintable_get_sink (RelaisVideoPaintable *self)
{
  g_return_val_if_fail (RELAIS_IS_VIDEO_PAINTABLE (self), NULL);

  return self->sink;
}

guint64
relais_video_paintable_get_frames (RelaisVideoPaintable *self)
{
  g_return_val_if_fail (RELAIS_IS_VIDEO_PAINTABLE (self), 0);

  return self->frames;
}
