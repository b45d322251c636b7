/* relais-call-media.c
 *
 * RelaisCall's media: the plugins it needs, the pipeline (camera,
 * microphone, the self-view and the remote picture), the encoders and
 * sending branches, and the decoding of what the peers send.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-call"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

/* The WebRTC library of gst-plugins-bad still calls itself unstable. */
#define GST_USE_UNSTABLE_API
#include <gst/app/gstappsink.h>
#include <gst/rtp/gstrtphdrext.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

#include "relais-call-private.h"
#include "relais-error.h"

typedef struct
{
  const char *factory;
  const char *plugin;
  const char *package;
} RequiredPlugin;

static const RequiredPlugin required_plugins[] = {
  { "webrtcbin",     "webrtc",        "gstreamer1.0-plugins-bad" },
  { "dtlsdec",       "dtls",          "gstreamer1.0-plugins-bad" },
  { "srtpenc",       "srtp",          "gstreamer1.0-plugins-bad" },
  { "sctpenc",       "sctp",          "gstreamer1.0-plugins-bad" },
  { "nicesrc",       "nice",          "gstreamer1.0-nice" },
  { "rtpbin",        "rtpmanager",    "gstreamer1.0-plugins-good" },
  { "rtpvp8pay",     "rtp",           "gstreamer1.0-plugins-good" },
  { "rtpopuspay",    "rtp",           "gstreamer1.0-plugins-good" },
  { "vp8enc",        "vpx",           "gstreamer1.0-plugins-good" },
  { "vp8dec",        "vpx",           "gstreamer1.0-plugins-good" },
  { "level",         "level",         "gstreamer1.0-plugins-good" },
  { "autoaudiosink", "autodetect",    "gstreamer1.0-plugins-good" },
  { "opusenc",       "opus",          "gstreamer1.0-plugins-base" },
  { "opusdec",       "opus",          "gstreamer1.0-plugins-base" },
  { "videotestsrc",  "videotestsrc",  "gstreamer1.0-plugins-base" },
  { "audiotestsrc",  "audiotestsrc",  "gstreamer1.0-plugins-base" },
  { "videoconvert",  "videoconvertscale", "gstreamer1.0-plugins-base" },
  { "videoscale",    "videoconvertscale", "gstreamer1.0-plugins-base" },
  { "videorate",     "videorate",     "gstreamer1.0-plugins-base" },
  { "audioconvert",  "audioconvert",  "gstreamer1.0-plugins-base" },
  { "audioresample", "audioresample", "gstreamer1.0-plugins-base" },
  { "volume",        "volume",        "gstreamer1.0-plugins-base" },
  { "appsink",       "app",           "gstreamer1.0-plugins-base" },
  { "decodebin",     "playback",      "gstreamer1.0-plugins-base" },
  { "tee",           "coreelements",  "libgstreamer1.0-0" },
  { "queue",         "coreelements",  "libgstreamer1.0-0" },
  { "fakesink",      "coreelements",  "libgstreamer1.0-0" },
  { "input-selector", "coreelements", "libgstreamer1.0-0" },
  { "valve",         "coreelements",  "libgstreamer1.0-0" },
};

/* H.264 is optional (video-codec=h264): checked only when asked for.
 * x264 and libav only: Debian 12's openh264enc fails at its first frame
 * with its default parameters (cmInitParaError), and neither OpenH264
 * element is tested here. */
static const RequiredPlugin h264_encoders[] = {
  { "x264enc",       "x264",          "gstreamer1.0-plugins-ugly" },
};

static const RequiredPlugin h264_decoders[] = {
  { "avdec_h264",    "libav",         "gstreamer1.0-libav" },
};

static const RequiredPlugin h264_plugins[] = {
  { "rtph264pay",    "rtp",           "gstreamer1.0-plugins-good" },
  { "rtph264depay",  "rtp",           "gstreamer1.0-plugins-good" },
  { "h264parse",     "videoparsersbad", "gstreamer1.0-plugins-bad" },
};

/* ---- Small helpers ------------------------------------------------------- */

gboolean
_relais_call_check_plugins (GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (required_plugins); i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (required_plugins[i].factory);

      if (factory == NULL)
        {
          g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MISSING_PLUGIN,
                       _("Le module GStreamer « %s » (élément %s) est absent : installez le paquet %s."),
                       required_plugins[i].plugin, required_plugins[i].factory,
                       required_plugins[i].package);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
plugin_present (const RequiredPlugin *plugin)
{
  g_autoptr(GstElementFactory) factory = gst_element_factory_find (plugin->factory);

  return factory != NULL;
}

/* The first of @choices present, or NULL. */
static const char *
first_present (const RequiredPlugin *choices,
               gsize                 n_choices)
{
  for (gsize i = 0; i < n_choices; i++)
    if (plugin_present (&choices[i]))
      return choices[i].factory;
  return NULL;
}

static const char *
h264_encoder_factory (void)
{
  return first_present (h264_encoders, G_N_ELEMENTS (h264_encoders));
}

const char *
_relais_call_h264_decoder_factory (void)
{
  return first_present (h264_decoders, G_N_ELEMENTS (h264_decoders));
}

/* Everything sending and receiving H.264 takes; the message names the
 * package of the preferred element. */
gboolean
_relais_call_check_h264_plugins (GError **error)
{
  const RequiredPlugin *missing = NULL;

  if (h264_encoder_factory () == NULL)
    missing = &h264_encoders[0];
  else if (_relais_call_h264_decoder_factory () == NULL)
    missing = &h264_decoders[0];
  for (guint i = 0; missing == NULL && i < G_N_ELEMENTS (h264_plugins); i++)
    if (!plugin_present (&h264_plugins[i]))
      missing = &h264_plugins[i];

  if (missing == NULL)
    return TRUE;

  g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MISSING_PLUGIN,
               _("La vidéo H.264 est demandée (video-codec=h264) mais le module GStreamer « %s » "
                 "(élément %s) est absent : installez le paquet %s, ou choisissez video-codec=vp8."),
               missing->plugin, missing->factory, missing->package);
  return FALSE;
}

/* The encoders' bitrate properties differ in name and unit. */
static void
encoder_set_bitrate (GstElement *encoder,
                     guint       bits_per_second)
{
  const char *name = gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (gst_element_get_factory (encoder)));

  if (g_str_equal (name, "vp8enc"))
    g_object_set (encoder, "target-bitrate", (gint) bits_per_second, NULL);
  else /* x264enc: kbit/s */
    g_object_set (encoder, "bitrate", MAX (bits_per_second / 1000, 1u), NULL);
}

static guint
encoder_get_bitrate (GstElement *encoder)
{
  const char *name = gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (gst_element_get_factory (encoder)));
  guint bitrate = 0;

  if (g_str_equal (name, "vp8enc"))
    {
      gint target = 0;

      g_object_get (encoder, "target-bitrate", &target, NULL);
      return (guint) MAX (target, 0);
    }
  g_object_get (encoder, "bitrate", &bitrate, NULL);
  return bitrate * 1000;
}

static GstElement *
make_element (const char  *factory,
              const char  *name,
              GError     **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MISSING_PLUGIN,
                 _("L’élément GStreamer « %s » n’a pas pu être créé."), factory);
  return element;
}

/* The first device of a class, as an element; NULL when there is none.
 * PulseAudio lists the monitors of its outputs as sources too: skip them. */
static GstElement *
create_device_element (const char *device_class)
{
  g_autoptr(GstDeviceMonitor) monitor = gst_device_monitor_new ();
  GstElement *element = NULL;
  GList *devices;

  gst_device_monitor_add_filter (monitor, device_class, NULL);
  devices = gst_device_monitor_get_devices (monitor);
  for (GList *l = devices; l != NULL && element == NULL; l = l->next)
    {
      GstDevice *device = l->data;
      g_autoptr(GstStructure) props = gst_device_get_properties (device);
      const char *klass = props ? gst_structure_get_string (props, "device.class") : NULL;

      if (g_strcmp0 (klass, "monitor") == 0)
        continue;
      element = gst_device_create_element (device, NULL);
    }
  g_list_free_full (devices, gst_object_unref);

  return element;
}

/* REMB (RTCP PSFB, FMT 15, "REMB" in the FCI): webrtcbin ignores it, but
 * Janus caps a room's bitrate with it (DESIGN.md). */
static void
session_feedback_rtcp_cb (GObject    *session,
                          guint       type,
                          guint       fbtype,
                          guint       sender_ssrc,
                          guint       media_ssrc,
                          GstBuffer  *fci,
                          GstElement *encoder)
{
  GstMapInfo map;
  guint exponent, mantissa;
  guint64 remb;
  guint max_bitrate, target, current;

  if (type != 206 /* PSFB */ || fbtype != 15 /* AFB */ || fci == NULL)
    return;
  if (!gst_buffer_map (fci, &map, GST_MAP_READ))
    return;

  if (map.size < 8 || memcmp (map.data, "REMB", 4) != 0)
    {
      gst_buffer_unmap (fci, &map);
      return;
    }

  exponent = map.data[5] >> 2;
  mantissa = ((map.data[5] & 0x3u) << 16) | (map.data[6] << 8) | map.data[7];
  gst_buffer_unmap (fci, &map);

  remb = (guint64) mantissa << exponent;
  /* The send rate controller keeps under it too (relais-call-stats.c). */
  g_object_set_data (G_OBJECT (encoder), "relais-remb", GUINT_TO_POINTER ((guint) MIN (remb, G_MAXUINT)));
  max_bitrate = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (encoder), "relais-max-bitrate"));
  target = (guint) CLAMP (remb, MIN_VIDEO_BITRATE, MAX (max_bitrate, MIN_VIDEO_BITRATE));

  /* Ignore small moves: each change resets part of the rate control. */
  current = encoder_get_bitrate (encoder);
  if (current != 0 && ABS ((double) target - current) < current * 0.05)
    return;

  g_debug ("REMB %" G_GUINT64_FORMAT " bit/s: video target %u bit/s", remb, target);
  encoder_set_bitrate (encoder, target);
}

void
_relais_call_webrtc_deep_element_added_cb (GstBin     *bin,
                                           GstBin     *sub_bin,
                                           GstElement *element,
                                           Peer       *peer)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  g_autoptr(GObject) session = NULL;

  if (peer->direction == PEER_RECV || factory == NULL ||
      g_strcmp0 (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)), "rtpsession") != 0)
    return;

  g_object_get (element, "internal-session", &session, NULL);
  if (session == NULL)
    return;

  /* What the far end says it got of ours (relais-call-stats.c). */
  g_signal_connect_data (session, "on-receiving-rtcp",
                         G_CALLBACK (_relais_call_session_receiving_rtcp_cb),
                         g_atomic_rc_box_acquire (peer->self->far_reports),
                         (GClosureNotify) (void (*) (void)) _relais_call_far_reports_release, 0);
  if (peer->video_encoder == NULL)
    return;

  g_signal_connect_data (session, "on-feedback-rtcp",
                         G_CALLBACK (session_feedback_rtcp_cb),
                         gst_object_ref (peer->video_encoder),
                         (GClosureNotify) (void (*) (void)) gst_object_unref, 0);
}

/* ---- Remote media ---------------------------------------------------------------- */

static GstPadProbeReturn
remote_frame_probe_cb (GstPad          *pad,
                       GstPadProbeInfo *info,
                       gpointer         user_data);

static GstElement *
make_audio_output (void)
{
  GstElement *sink = gst_element_factory_make ("autoaudiosink", NULL);

  /* Kiosks in CI (and booths with a broken headset) have no sound
   * device: a silent call beats a failed one. */
  if (sink != NULL && gst_element_set_state (sink, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE)
    {
      gst_element_set_state (sink, GST_STATE_NULL);
      gst_clear_object (&sink);
    }
  if (sink != NULL)
    return sink;

  g_debug ("No sound output: remote audio goes to a fakesink");
  sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  return sink;
}

static gboolean
link_chain (GstBin      *bin,
            GstPad      *src,
            GstElement **elements,
            guint        n_elements)
{
  g_autoptr(GstPad) sink = NULL;

  for (guint i = 0; i < n_elements; i++)
    gst_bin_add (bin, elements[i]);
  for (guint i = 0; i + 1 < n_elements; i++)
    if (!gst_element_link (elements[i], elements[i + 1]))
      return FALSE;
  for (guint i = n_elements; i > 0; i--)
    gst_element_sync_state_with_parent (elements[i - 1]);

  sink = gst_element_get_static_pad (elements[0], "sink");
  return gst_pad_link (src, sink) == GST_PAD_LINK_OK;
}

static gboolean
release_select_pad_cb (gpointer data)
{
  GstPad *sink = data;
  g_autoptr(GstElement) select = gst_pad_get_parent_element (sink);

  if (select != NULL && !gst_pad_is_linked (sink))
    gst_element_release_request_pad (select, sink);
  return G_SOURCE_REMOVE;
}

/* The stream behind a selector pad is gone (its decodebin was removed):
 * give the pad back, so the selector shows another stream if there is
 * one. Not on the streaming thread that unlinked it. */
static void
remote_select_unlinked_cb (GstPad     *sink,
                           GstPad     *peer,
                           GstElement *select)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, release_select_pad_cb,
                   gst_object_ref (sink), gst_object_unref);
}

/* A decoded stream's pad: link it here and now; deferring gives
 * not-linked errors (DESIGN.md). */
static void
link_decoded_pad (RelaisCall *self,
                  GstPad     *pad)
{
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *name;
  GstBin *bin = GST_BIN (self->pipeline);

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  if (caps == NULL || gst_caps_is_empty (caps))
    return;
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));

  if (g_str_has_prefix (name, "video/"))
    {
      /* Only one remote picture is shown: the newest stream's. A feed that
       * leaves and another that arrives (a new advisor, the same one
       * rejoining) is a new pad, and it must replace the old one rather
       * than go nowhere. The selector drops what the other pads bring and
       * goes back to a remaining pad when the shown one is released. */
      g_autoptr(GstPad) sink = gst_element_request_pad_simple (self->remote_select, "sink_%u");

      if (sink == NULL || gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
        {
          g_warning ("Could not link the remote video");
          if (sink != NULL)
            gst_element_release_request_pad (self->remote_select, sink);
          return;
        }
      g_signal_connect_object (sink, "unlinked", G_CALLBACK (remote_select_unlinked_cb),
                               self->remote_select, 0);
      g_object_set (self->remote_select, "active-pad", sink, NULL);
      g_debug ("Remote video %s shown", GST_PAD_NAME (sink));
    }
  else if (g_str_has_prefix (name, "audio/"))
    {
      GstElement *elements[] = {
        gst_element_factory_make ("queue", NULL),
        gst_element_factory_make ("audioconvert", NULL),
        gst_element_factory_make ("audioresample", NULL),
        make_audio_output (),
      };

      if (!link_chain (bin, pad, elements, G_N_ELEMENTS (elements)))
        g_warning ("Could not link the remote audio");
    }
}

static void
decodebin_pad_added_cb (GstElement *decodebin,
                        GstPad     *pad,
                        RelaisCall *self)
{
  link_decoded_pad (self, pad);
}

/* The decoder of a remote stream, chosen by its encoding name rather than
 * left to decodebin's ranks: the far end decides what it sends (a browser
 * may publish H.264 in a room that allows it, whatever we send), and
 * decodebin would take whatever hardware decoder ranks first on the
 * kiosk. NULL for an encoding we have no fixed chain for. */
static GstElement *
make_remote_decoder (Peer         *peer,
                     const GstCaps *caps)
{
  const GstStructure *s = caps != NULL && !gst_caps_is_empty (caps) ? gst_caps_get_structure (caps, 0) : NULL;
  const char *encoding = s != NULL ? gst_structure_get_string (s, "encoding-name") : NULL;
  g_autofree char *description = NULL;
  g_autoptr(GError) error = NULL;
  GstElement *decoder;

  if (encoding == NULL)
    return NULL;

  /* A browser's VP8 has no periodic keyframe: a receiver that missed the
   * first one waits for the one it asks for. vp8dec asks once; under ASan
   * the first picture came only with the sender's periodic keyframe (21.2
   * and 52.3 s, the first 1.5 s of packets dropped), so keyframe_watch_cb
   * asks again while packets come and nothing is decoded. That made 6 of 6
   * ASan runs here 2.4-3.0 s, but a fresh root's ASan run still waited
   * 52.3 s: the request or the sender's answer is still lost there, an open
   * bug (the test, /call/late-join-asks-keyframe, is in git history). The
   * depayloader's request-keyframe / wait-for-keyframe were tried: in the
   * one run with them through Janus the kiosk decoded Chromium's first
   * frame and then none (advisor-console: fps_in 0.0), so they stay off. */
  if (g_ascii_strcasecmp (encoding, "VP8") == 0)
    description = g_strdup ("rtpvp8depay ! vp8dec");
  else if (g_ascii_strcasecmp (encoding, "H264") == 0)
    {
      const char *factory = _relais_call_h264_decoder_factory ();

      if (factory == NULL)
        {
          g_warning ("Peer %u sends H.264 and no H.264 decoder is installed (Debian package gstreamer1.0-libav)",
                     peer->id);
          return NULL;
        }
      /* Waiting for a keyframe after a loss, and asking for it, beats
       * showing a smeared picture until the next periodic one. */
      description = g_strdup_printf ("rtph264depay request-keyframe=true wait-for-keyframe=true "
                                     "! h264parse ! %s", factory);
    }
  else if (g_ascii_strcasecmp (encoding, "OPUS") == 0)
    description = g_strdup ("rtpopusdepay ! opusdec");
  else
    return NULL;

  decoder = gst_parse_bin_from_description (description, TRUE, &error);
  if (decoder == NULL)
    {
      g_warning ("Peer %u: no decoder for %s: %s", peer->id, encoding, error->message);
      return NULL;
    }
  g_debug ("Peer %u: remote %s decoded by %s", peer->id, encoding, description);
  return decoder;
}

/* Pictures come as packets, yet nothing was decoded for this long: a
 * keyframe was lost (or never came) and the decoder's own request with
 * it. Ask again, until a picture comes: a browser's VP8 has no periodic
 * keyframe to wait for. Long enough for 1 fps on a thin link (a keyframe
 * costs there), short enough to end a frozen picture. */
#define KEYFRAME_WATCH_FIRST_US (1 * G_USEC_PER_SEC)
#define KEYFRAME_WATCH_US       (3 * G_USEC_PER_SEC)

typedef struct
{
  RelaisCall *self;       /* not owned: the probe goes with its pipeline */
  gint64      next_check; /* monotonic µs; only the streaming thread */
  gint        frames_at_check;
} KeyframeWatch;

static GstPadProbeReturn
keyframe_watch_cb (GstPad          *pad,
                   GstPadProbeInfo *info,
                   gpointer         user_data)
{
  KeyframeWatch *watch = user_data;
  gint64 now = g_get_monotonic_time ();
  gint frames = g_atomic_int_get (&watch->self->frames_received);

  if (watch->next_check == 0)
    {
      watch->next_check = now + KEYFRAME_WATCH_FIRST_US;
      watch->frames_at_check = frames;
      return GST_PAD_PROBE_OK;
    }
  if (now < watch->next_check)
    return GST_PAD_PROBE_OK;
  if (frames == watch->frames_at_check)
    {
      g_debug ("Video packets but no picture decoded: asking the sender for a keyframe");
      gst_pad_push_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
    }
  watch->frames_at_check = frames;
  watch->next_check = now + (frames == 0 ? KEYFRAME_WATCH_FIRST_US : KEYFRAME_WATCH_US);
  return GST_PAD_PROBE_OK;
}

/* On the depayloader's own sink (inside the decoder bin): its requests go
 * out the way the decoder's do. */
static void
keyframe_watch_add (RelaisCall *self,
                    GstPad     *sink)
{
  KeyframeWatch *watch = g_new0 (KeyframeWatch, 1);
  g_autoptr(GstPad) target = GST_IS_GHOST_PAD (sink) ? gst_ghost_pad_get_target (GST_GHOST_PAD (sink)) : NULL;

  watch->self = self;
  gst_pad_add_probe (target != NULL ? target : sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     keyframe_watch_cb, watch, g_free);
}

void
_relais_call_webrtc_pad_added_cb (GstElement *webrtc,
                                  GstPad     *pad,
                                  Peer       *peer)
{
  RelaisCall *self = peer->self;
  g_autoptr(GstCaps) caps = NULL;
  GstElement *decoder;
  g_autoptr(GstPad) sink = NULL;
  g_autoptr(GstPad) src = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  g_debug ("Peer %u: remote stream %s", peer->id, GST_PAD_NAME (pad));
  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);

  decoder = make_remote_decoder (peer, caps);
  if (decoder == NULL)
    {
      /* Something we have no chain for: decodebin may still know it. */
      decoder = gst_element_factory_make ("decodebin", NULL);
      g_signal_connect (decoder, "pad-added", G_CALLBACK (decodebin_pad_added_cb), self);
    }
  gst_bin_add (GST_BIN (self->pipeline), decoder);

  src = gst_element_get_static_pad (decoder, "src");
  if (src != NULL)
    link_decoded_pad (self, src);
  gst_element_sync_state_with_parent (decoder);

  sink = gst_element_get_static_pad (decoder, "sink");
  if (caps != NULL && !gst_caps_is_empty (caps) &&
      g_strcmp0 (gst_structure_get_string (gst_caps_get_structure (caps, 0), "media"), "video") == 0)
    keyframe_watch_add (self, sink);
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    g_warning ("Peer %u: could not link a remote stream", peer->id);
}

/* "first-remote-frame" goes before the state: whoever times the first
 * picture hears of it before the call says CONNECTED. */
static void
first_frame_on_main (RelaisCall *self,
                     gpointer    data)
{
  gint64 at = *(gint64 *) data;

  g_debug ("First remote frame decoded");
  self->remote_frame_seen = TRUE;
  g_signal_emit (self, _relais_call_signals[SIGNAL_FIRST_REMOTE_FRAME], 0, at);
  _relais_call_update_state (self);
}

static GstPadProbeReturn
remote_frame_probe_cb (GstPad          *pad,
                       GstPadProbeInfo *info,
                       gpointer         user_data)
{
  RelaisCall *self = user_data;

  g_atomic_int_inc (&self->frames_received);
  if (g_atomic_int_compare_and_exchange (&self->first_frame_reported, 0, 1))
    {
      /* The time it was decoded, not the time the main context gets to it. */
      gint64 *at = g_new (gint64, 1);

      *at = g_get_monotonic_time ();
      _relais_call_hop (self, first_frame_on_main, at, g_free);
    }

  return GST_PAD_PROBE_OK;
}

/* Every RTP packet we hand webrtcbin, counted for the send rate
 * controller: webrtcbin's outbound statistics stall on a stream whose
 * picture changed size. */
static GstPadProbeReturn
sent_rtp_probe_cb (GstPad          *pad,
                   GstPadProbeInfo *info,
                   gpointer         user_data)
{
  gsize *counters = user_data;   /* packets, then bytes (N_KINDS apart) */
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  g_atomic_pointer_add (&counters[0], 1);
  g_atomic_pointer_add (&counters[N_KINDS], gst_buffer_get_size (buffer));
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
sent_frame_probe_cb (GstPad          *pad,
                     GstPadProbeInfo *info,
                     gpointer         user_data)
{
  RelaisCall *self = user_data;

  g_atomic_int_inc (&self->frames_sent);
  return GST_PAD_PROBE_OK;
}

/* "Camera off" sends black frames rather than stopping the stream: the
 * remote decoder and the far end's layout keep going, and turning the
 * camera back on is instant. */
static GstPadProbeReturn
camera_off_probe_cb (GstPad          *pad,
                     GstPadProbeInfo *info,
                     gpointer         user_data)
{
  RelaisCall *self = user_data;
  g_autoptr(GstCaps) caps = NULL;
  GstVideoInfo video_info;
  GstVideoFrame frame;
  GstBuffer *buffer;

  if (!g_atomic_int_get (&self->camera_off))
    return GST_PAD_PROBE_OK;

  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL || !gst_video_info_from_caps (&video_info, caps) ||
      GST_VIDEO_INFO_FORMAT (&video_info) != GST_VIDEO_FORMAT_I420)
    return GST_PAD_PROBE_OK;

  buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (!gst_video_frame_map (&frame, &video_info, buffer, GST_MAP_WRITE))
    return GST_PAD_PROBE_OK;

  for (guint plane = 0; plane < 3; plane++)
    {
      guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (&frame, plane);
      gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, plane);
      gint rows = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, plane);

      memset (data, plane == 0 ? 16 : 128, (gsize) stride * rows);
    }
  gst_video_frame_unmap (&frame);

  return GST_PAD_PROBE_OK;
}

/* ---- Building the pipeline -------------------------------------------------------- */

/* In front of the BGRA conversion of each appsink: with nobody to show
 * the pictures (relais_call_set_video_output (FALSE), the headless test
 * call) the conversion is skipped. Frames are still counted upstream. */
static GstPadProbeReturn
output_probe_cb (GstPad          *pad,
                 GstPadProbeInfo *info,
                 gpointer         user_data)
{
  RelaisCall *self = user_data;

  return g_atomic_int_get (&self->video_output_off) ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static GstElement *
make_appsink (const char *name,
              gboolean    sync)
{
  GstElement *sink = gst_element_factory_make ("appsink", name);
  g_autoptr(GstCaps) caps = gst_caps_new_simple ("video/x-raw",
                                                 "format", G_TYPE_STRING, "BGRA",
                                                 NULL);

  /* The UI wants the newest picture, never a backlog; async=FALSE keeps an
   * appsink that has nothing yet from holding the pipeline's state change. */
  g_object_set (sink,
                "caps", caps,
                "drop", TRUE,
                "max-buffers", 1,
                "sync", sync,
                "async", FALSE,
                "enable-last-sample", FALSE,
                NULL);
  return sink;
}

/* A camera that cannot even be opened (unplugged, a wrong path in the
 * configuration, no permission) must not cost the person their call: the
 * caller falls back to the test pattern and says so
 * (relais_call_is_video_simulated). v4l2src opens its device on
 * NULL → READY; close it again, the pipeline opens it for real. */
static gboolean
source_opens (GstElement *source)
{
  gboolean opened;

  gst_object_ref_sink (source);
  opened = gst_element_set_state (source, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE;
  gst_element_set_state (source, GST_STATE_NULL);
  if (!opened)
    g_debug ("%s could not be opened", GST_OBJECT_NAME (source));
  return opened;
}

/* The element for the configured @device: unset or "auto" takes the
 * first @device_class device the monitor finds, "test" none (the caller's
 * test source follows), anything else @factory on that device. FALSE with
 * @error only when @factory is missing. */
static gboolean
make_configured_source (const char  *device,
                        const char  *device_class,
                        const char  *factory,
                        GstElement **source_out,
                        GError     **error)
{
  *source_out = NULL;
  if (device == NULL || g_str_equal (device, "auto"))
    *source_out = create_device_element (device_class);
  else if (!g_str_equal (device, "test"))
    {
      *source_out = make_element (factory, NULL, error);
      if (*source_out == NULL)
        return FALSE;
      g_object_set (*source_out, "device", device, NULL);
    }
  return TRUE;
}

/* Returns a full reference (not floating), or NULL with @error set. */
static GstElement *
make_video_source (RelaisCall  *self,
                   GError     **error)
{
  const char *device = self->options.video_device;
  GstElement *source;

  if (!make_configured_source (device, "Video/Source", "v4l2src", &source, error))
    return NULL;

  if (source != NULL)
    {
      if (source_opens (source))
        return source;
      g_message ("Camera %s could not be opened: showing a test pattern instead",
                 device != NULL ? device : "auto");
      gst_clear_object (&source);
    }

  self->video_simulated = TRUE;
  source = make_element ("videotestsrc", "camera", error);
  if (source != NULL)
    {
      gst_object_ref_sink (source);
      g_object_set (source, "is-live", TRUE, NULL);
      gst_util_set_object_arg (G_OBJECT (source), "pattern", "smpte");
    }
  return source;
}

static GstElement *
make_audio_source (RelaisCall  *self,
                   GError     **error)
{
  GstElement *source;

  if (!make_configured_source (self->options.audio_device, "Audio/Source", "pulsesrc",
                               &source, error))
    return NULL;

  if (source != NULL)
    return source;

  self->audio_simulated = TRUE;
  source = make_element ("audiotestsrc", "microphone", error);
  if (source != NULL)
    g_object_set (source, "is-live", TRUE, "volume", 0.1, "freq", 440.0, NULL);
  return source;
}

gboolean
_relais_call_build_media (RelaisCall  *self,
                          GError     **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *camera, *video_convert, *video_scale, *video_rate, *video_caps;
  GstElement *local_queue, *local_convert;
  GstElement *microphone, *audio_convert, *audio_resample, *audio_caps, *level;
  g_autoptr(GstCaps) raw_video = NULL;
  g_autoptr(GstCaps) raw_audio = NULL;
  g_autoptr(GstPad) pad = NULL;

  if ((camera = make_video_source (self, error)) == NULL)
    return FALSE;
  gst_bin_add (bin, camera);
  gst_object_unref (camera);   /* the bin's reference keeps it */

  video_convert = gst_element_factory_make ("videoconvert", NULL);
  video_scale = gst_element_factory_make ("videoscale", NULL);
  video_rate = gst_element_factory_make ("videorate", NULL);
  video_caps = gst_element_factory_make ("capsfilter", NULL);
  self->video_tee = gst_element_factory_make ("tee", "video-tee");
  local_queue = gst_element_factory_make ("queue", NULL);
  local_convert = gst_element_factory_make ("videoconvert", NULL);
  self->local_sink = g_object_ref (make_appsink ("local-video", FALSE));

  /* I420 at the size and rate of the options: what VP8 wants, and what
   * the camera-off probe knows how to paint black. */
  raw_video = gst_caps_new_simple ("video/x-raw",
                                   "format", G_TYPE_STRING, "I420",
                                   "width", G_TYPE_INT, (int) self->options.width,
                                   "height", G_TYPE_INT, (int) self->options.height,
                                   "framerate", GST_TYPE_FRACTION, (int) self->options.framerate, 1,
                                   "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                                   NULL);
  g_object_set (video_caps, "caps", raw_video, NULL);
  g_object_set (self->video_tee, "allow-not-linked", TRUE, NULL);
  /* The self-view shows the newest frame or none: never a queue of them. */
  g_object_set (local_queue, "max-size-buffers", 1, "max-size-bytes", 0,
                "max-size-time", (guint64) 0, NULL);
  gst_util_set_object_arg (G_OBJECT (local_queue), "leaky", "downstream");

  gst_bin_add_many (bin, video_convert, video_scale, video_rate, video_caps,
                    self->video_tee, local_queue, local_convert, self->local_sink, NULL);
  if (!gst_element_link_many (camera, video_convert, video_scale, video_rate,
                              video_caps, self->video_tee, local_queue, local_convert,
                              self->local_sink, NULL))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("La caméra ne fournit pas d’image utilisable."));
      return FALSE;
    }

  pad = gst_element_get_static_pad (video_caps, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, camera_off_probe_cb, self, NULL);
  g_clear_object (&pad);

  pad = gst_element_get_static_pad (local_convert, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, output_probe_cb, self, NULL);
  g_clear_object (&pad);

  if ((microphone = make_audio_source (self, error)) == NULL)
    return FALSE;
  gst_bin_add (bin, microphone);

  audio_convert = gst_element_factory_make ("audioconvert", NULL);
  audio_resample = gst_element_factory_make ("audioresample", NULL);
  audio_caps = gst_element_factory_make ("capsfilter", NULL);
  level = gst_element_factory_make ("level", "mic-level");
  self->volume = gst_element_factory_make ("volume", NULL);
  self->audio_tee = gst_element_factory_make ("tee", "audio-tee");

  /* A fixed format: left open, a branch joining the tee later (a new
   * peer) makes the source renegotiate to a format opusenc refuses, and
   * the audio stalls without an error. */
  raw_audio = gst_caps_new_simple ("audio/x-raw",
                                   "format", G_TYPE_STRING, "S16LE",
                                   "layout", G_TYPE_STRING, "interleaved",
                                   "rate", G_TYPE_INT, 48000,
                                   "channels", G_TYPE_INT, 1,
                                   NULL);
  g_object_set (audio_caps, "caps", raw_audio, NULL);
  /* Before the volume: the pre-call check shows the microphone working
   * even when the person has muted it. */
  g_object_set (level, "interval", (guint64) 100 * GST_MSECOND, "post-messages", TRUE, NULL);
  g_object_set (self->audio_tee, "allow-not-linked", TRUE, NULL);

  gst_bin_add_many (bin, audio_convert, audio_resample, audio_caps, level,
                    self->volume, self->audio_tee, NULL);
  if (!gst_element_link_many (microphone, audio_convert, audio_resample, audio_caps,
                              level, self->volume, self->audio_tee, NULL))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("Le micro ne fournit pas de son utilisable."));
      return FALSE;
    }

  /* The remote picture's end of the graph exists from the start, so the UI
   * can wrap the appsink before any peer is there. */
  self->remote_select = gst_element_factory_make ("input-selector", "remote-select");
  /* Pads not shown drop their frames at once instead of waiting for the
   * shown one's running time. */
  g_object_set (self->remote_select, "sync-streams", FALSE, NULL);
  self->remote_convert = gst_element_factory_make ("videoconvert", "remote-convert");
  self->remote_sink = g_object_ref (make_appsink ("remote-video", TRUE));
  gst_bin_add_many (bin, self->remote_select, self->remote_convert, self->remote_sink, NULL);
  if (!gst_element_link_many (self->remote_select, self->remote_convert, self->remote_sink, NULL))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
                   _("L’affichage de l’image du conseiller n’a pas pu être préparé."));
      return FALSE;
    }
  /* Counted where they are decoded, before the output probe. */
  pad = gst_element_get_static_pad (self->remote_convert, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, remote_frame_probe_cb, self, NULL);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, output_probe_cb, self, NULL);
  g_clear_object (&pad);

  return TRUE;
}

/* The H.264 level our picture needs: 3.1 up to 1280x720 at 30 fps, else
 * 4 (1920x1080 at 30 fps, the largest [media] allows). Fixed up front, in
 * the encoder's caps and in the profile-level-id of the SDP: webrtcbin
 * refuses a stream whose caps differ from the codec preferences, and the
 * payloader writes what the encoder's SPS says. The profile byte is 42c0,
 * constrained baseline as x264 writes it (browsers read 42c0 and 42e0
 * alike). */
static const char *
h264_level (const RelaisCallOptions *options,
            const char             **profile_level_id)
{
  guint64 macroblocks = (guint64) ((options->width + 15) / 16) * ((options->height + 15) / 16);

  if (macroblocks <= 3600 && macroblocks * options->framerate <= 108000)
    {
      *profile_level_id = "42c01f";
      return "3.1";
    }
  *profile_level_id = "42c028";
  return "4";
}

/* x264 tuned for a call: no frame waits for another (zero latency: no
 * B-frames, no look-ahead), the fastest preset a 2-core kiosk affords,
 * SPS/PPS in front of every keyframe so a PLI or a late joiner recovers at
 * once. The profile (constrained baseline, which every browser decodes)
 * and the level come from the capsfilter _relais_call_add_send_branch() puts behind
 * the encoder: x264enc takes them from downstream caps. Returns floating
 * elements. */
static gboolean
make_h264_sender (RelaisCall  *self,
                  guint32      ssrc,
                  guint        seq_base,
                  GstElement **encoder_out,
                  GstElement **payloader_out,
                  GError     **error)
{
  const char *factory = h264_encoder_factory ();
  guint bitrate = self->options.video_kbps * 1000;
  GstElement *encoder, *payloader;

  if (factory == NULL || (encoder = make_element (factory, NULL, error)) == NULL)
    {
      if (factory == NULL)
        _relais_call_check_h264_plugins (error);
      return FALSE;
    }

  /* Two sliced threads: both cores work on each frame, and neither
   * waits for a frame to come (frame threads would each add one). */
  g_object_set (encoder,
                "key-int-max", KEYFRAME_MAX_DISTANCE,
                "threads", 2,
                "sliced-threads", TRUE,
                "b-adapt", FALSE,
                "bframes", 0,
                "vbv-buf-capacity", 500,
                NULL);
  gst_util_set_object_arg (G_OBJECT (encoder), "tune", "zerolatency");
  gst_util_set_object_arg (G_OBJECT (encoder), "speed-preset", "ultrafast");
  gst_util_set_object_arg (G_OBJECT (encoder), "pass", "cbr");
  encoder_set_bitrate (encoder, bitrate);
  g_object_set_data (G_OBJECT (encoder), "relais-max-bitrate", GUINT_TO_POINTER (bitrate));

  payloader = make_element ("rtph264pay", NULL, error);
  if (payloader == NULL)
    {
      gst_object_unref (gst_object_ref_sink (encoder));
      return FALSE;
    }
  g_object_set (payloader, "pt", H264_PAYLOAD_TYPE, "ssrc", ssrc, "config-interval", -1,
                "seqnum-offset", (int) seq_base, NULL);
  gst_util_set_object_arg (G_OBJECT (payloader), "aggregate-mode", "zero-latency");

  *encoder_out = encoder;
  *payloader_out = payloader;
  return TRUE;
}

/* One sending branch: tee → queue → encoder → payloader → capsfilter →
 * webrtcbin. The queue leaks so a slow encoder drops frames instead of
 * adding latency.
 *
 * The order matters when the pipeline already plays (the preview runs
 * before the person presses "join"): every element downstream of the tee,
 * webrtcbin included, must be in PLAYING with its pads active before the
 * tee's new pad is linked, because the link is what lets buffers in. A
 * buffer that reaches a pad still flushing (an element in NULL, or
 * webrtcbin before its state is synced) comes back GST_FLOW_FLUSHING: the
 * queue keeps that result until it is flushed or restarted and refuses
 * everything after it, and the tee hands it upstream, which on the audio
 * tee (no other branch) pauses the microphone's streaming thread for good.
 * That was the demo call's intermittent "no caps on sink_0". */
gboolean
_relais_call_add_send_branch (RelaisCall  *self,
                              Peer        *peer,
                              gboolean     video,
                              GError     **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *queue = gst_element_factory_make ("queue", NULL);
  GstElement *encoder, *payloader, *filter;
  GstElement *profile_filter = NULL;
  GstElement *valve = NULL, *rate = NULL, *scale = NULL, *size = NULL;
  g_autoptr(GstCaps) rtp_caps = gst_caps_from_string (!video ? AUDIO_RTP_CAPS
                                                      : self->options.prefer_h264 ? H264_RTP_CAPS
                                                      : VIDEO_RTP_CAPS);
  g_autoptr(GstPad) tee_pad = NULL;
  g_autoptr(GstPad) queue_pad = NULL;
  g_autoptr(GstPad) webrtc_pad = NULL;
  g_autoptr(GstPad) filter_pad = NULL;
  g_autoptr(GstWebRTCRTPTransceiver) transceiver = NULL;
  guint32 ssrc;
  guint seq_base = (guint) g_random_int_range (0, 0x8000);

  /* The stream's SSRC is chosen here, not by the payloader: it goes in the
   * codec preferences (webrtcbin writes it as a=ssrc in the offer) and in
   * the capsfilter and the payloader (it goes on the wire). Left to the
   * payloader, the SSRC is only known once the first encoded buffer's caps
   * reach webrtcbin; an offer made before that (the usual case when the
   * branch joins an already playing preview) carries no a=ssrc, and a
   * gateway that maps RTP to m-lines by SSRC (Janus without the mid header
   * extension) drops every packet of the stream as "Unknown SSRC". */
  do
    ssrc = g_random_int ();
  while (ssrc == 0);
  gst_caps_set_simple (rtp_caps, "ssrc", G_TYPE_UINT, ssrc, NULL);
  gst_caps_set_simple (rtp_caps, "extmap-" G_STRINGIFY (TWCC_EXTMAP_ID), G_TYPE_STRING, TWCC_URI, NULL);
  if (video && self->options.prefer_h264)
    {
      const char *profile_level_id;

      h264_level (&self->options, &profile_level_id);
      gst_caps_set_simple (rtp_caps, "profile-level-id", G_TYPE_STRING, profile_level_id, NULL);
    }

  g_object_set (queue, "max-size-buffers", 3, "max-size-bytes", 0,
                "max-size-time", (guint64) 0, NULL);
  gst_util_set_object_arg (G_OBJECT (queue), "leaky", "downstream");

  if (video)
    {
      g_autoptr(GstCaps) size_caps = gst_caps_new_simple ("video/x-raw",
                                                          "width", G_TYPE_INT, (int) self->options.width,
                                                          "height", G_TYPE_INT, (int) self->options.height,
                                                          NULL);

      /* The send rate controller's hands (relais-call-rate.h): the valve
       * cuts the picture in the audio-only step, videorate lowers the
       * frame rate, the capsfilter the size. */
      valve = gst_element_factory_make ("valve", NULL);
      rate = gst_element_factory_make ("videorate", NULL);
      scale = gst_element_factory_make ("videoscale", NULL);
      size = gst_element_factory_make ("capsfilter", NULL);
      if (valve == NULL || rate == NULL || scale == NULL || size == NULL)
        {
          g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MISSING_PLUGIN,
                       _("L’élément GStreamer « %s » n’a pas pu être créé."),
                       valve == NULL ? "valve" : rate == NULL ? "videorate" : "videoscale");
          gst_clear_object (&valve);
          gst_clear_object (&rate);
          gst_clear_object (&scale);
          gst_clear_object (&size);
          gst_object_unref (gst_object_ref_sink (queue));
          return FALSE;
        }
      g_object_set (rate, "drop-only", TRUE, "max-rate", (int) self->options.framerate, NULL);
      g_object_set (size, "caps", size_caps, NULL);
    }

  if (video && self->options.prefer_h264)
    {
      if (!make_h264_sender (self, ssrc, seq_base, &encoder, &payloader, error))
        {
          gst_object_unref (gst_object_ref_sink (queue));
          gst_object_unref (gst_object_ref_sink (valve));
          gst_object_unref (gst_object_ref_sink (rate));
          gst_object_unref (gst_object_ref_sink (scale));
          gst_object_unref (gst_object_ref_sink (size));
          return FALSE;
        }
      peer->video_encoder = g_object_ref (encoder);
    }
  else if (video)
    {
      guint bitrate = self->options.video_kbps * 1000;

      encoder = gst_element_factory_make ("vp8enc", NULL);
      /* vp8enc's defaults are for files (DESIGN.md): real time, constant
       * rate, no look-ahead, a keyframe every two seconds for late joiners,
       * and error resilience for lossy links.
       *
       * One thread: libvpx's VP8 row threads wait for each other by
       * spinning (a pause loop on the row above's progress). On a busy
       * 2-core kiosk the other row thread is often descheduled, and the
       * spinning took 80 % of the call's CPU and starved the encoder
       * (16 fps sent of 30). A 640x480 frame at realtime speed costs a
       * few ms on one core. cpu-used < 0 is libvpx's adaptive speed (what
       * libwebrtc uses, -6): it goes faster when frames miss the deadline. */
      g_object_set (encoder,
                    "deadline", (gint64) 1,
                    "target-bitrate", (gint) bitrate,
                    "cpu-used", -6,
                    "threads", 1,
                    "lag-in-frames", 0,
                    "keyframe-max-dist", KEYFRAME_MAX_DISTANCE,
                    "buffer-size", 1000,
                    "buffer-initial-size", 500,
                    "buffer-optimal-size", 600,
                    NULL);
      gst_util_set_object_arg (G_OBJECT (encoder), "end-usage", "cbr");
      gst_util_set_object_arg (G_OBJECT (encoder), "error-resilient", "default");
      g_object_set_data (G_OBJECT (encoder), "relais-max-bitrate", GUINT_TO_POINTER (bitrate));
      peer->video_encoder = g_object_ref (encoder);

      payloader = gst_element_factory_make ("rtpvp8pay", NULL);
      g_object_set (payloader, "pt", VIDEO_PAYLOAD_TYPE, "ssrc", ssrc, "seqnum-offset", (int) seq_base, NULL);
      gst_util_set_object_arg (G_OBJECT (payloader), "picture-id-mode", "15-bit");
    }
  else
    {
      encoder = gst_element_factory_make ("opusenc", NULL);
      /* Complexity 10 (the default) was a tenth of the call's CPU; 5
       * is what libwebrtc uses on low-end devices, and enough for voice. */
      g_object_set (encoder, "bitrate", 32000, "inband-fec", TRUE,
                    "packet-loss-percentage", 5, "complexity", 5, NULL);
      gst_util_set_object_arg (G_OBJECT (encoder), "audio-type", "voice");
      payloader = gst_element_factory_make ("rtpopuspay", NULL);
      g_object_set (payloader, "pt", AUDIO_PAYLOAD_TYPE, "ssrc", ssrc, "seqnum-offset", (int) seq_base, NULL);
      peer->audio_encoder = g_object_ref (encoder);
    }

  {
    /* The payloader writes room for the transport-wide sequence number;
     * rtpsession fills it in, in sending order. */
    GstRTPHeaderExtension *twcc = gst_rtp_header_extension_create_from_uri (TWCC_URI);

    if (twcc != NULL)
      {
        gst_rtp_header_extension_set_id (twcc, TWCC_EXTMAP_ID);
        g_signal_emit_by_name (payloader, "add-extension", twcc);
        gst_object_unref (twcc);
      }
    else
      gst_structure_remove_field (gst_caps_get_structure (rtp_caps, 0),
                                  "extmap-" G_STRINGIFY (TWCC_EXTMAP_ID));
  }

  filter = gst_element_factory_make ("capsfilter", NULL);
  g_object_set (filter, "caps", rtp_caps, NULL);

  /* webrtcbin's end first: the transceiver and its codec exist before any
   * buffer does, so negotiation never waits for the first encoded frame. */
  webrtc_pad = gst_element_request_pad_simple (peer->webrtc, "sink_%u");
  if (webrtc_pad == NULL)
    goto failed;
  g_object_get (webrtc_pad, "transceiver", &transceiver, NULL);
  if (transceiver != NULL)
    g_object_set (transceiver,
                  "direction", peer->direction == PEER_SEND
                                 ? GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY
                                 : GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV,
                  "codec-preferences", rtp_caps,
                  "do-nack", TRUE,
                  NULL);

  gst_bin_add_many (bin, queue, encoder, payloader, filter, NULL);
  if (video)
    {
      gst_bin_add_many (bin, valve, rate, scale, size, NULL);
      if (!gst_element_link_many (queue, valve, rate, scale, size, NULL))
        goto failed;
    }
  if (video && self->options.prefer_h264)
    {
      const char *profile_level_id;
      const char *level = h264_level (&self->options, &profile_level_id);
      g_autoptr(GstCaps) profile = gst_caps_new_simple ("video/x-h264",
                                                        "profile", G_TYPE_STRING, "constrained-baseline",
                                                        "level", G_TYPE_STRING, level,
                                                        NULL);

      /* Our own element rather than gst_element_link_filtered()'s: it must
       * be brought to PLAYING with the others below. */
      profile_filter = gst_element_factory_make ("capsfilter", NULL);
      g_object_set (profile_filter, "caps", profile, NULL);
      gst_bin_add (bin, profile_filter);
      if (!gst_element_link_many (size, encoder, profile_filter, payloader, filter, NULL))
        goto failed;
    }
  else if (!gst_element_link_many (video ? size : queue, encoder, payloader, filter, NULL))
    goto failed;
  filter_pad = gst_element_get_static_pad (filter, "src");
  if (gst_pad_link (filter_pad, webrtc_pad) != GST_PAD_LINK_OK)
    goto failed;
  G_STATIC_ASSERT (G_STRUCT_OFFSET (RelaisCall, rtp_bytes_out)
                   == G_STRUCT_OFFSET (RelaisCall, rtp_packets_out) + N_KINDS * sizeof (gsize));
  gst_pad_add_probe (filter_pad, GST_PAD_PROBE_TYPE_BUFFER, sent_rtp_probe_cb,
                     &self->rtp_packets_out[video ? KIND_VIDEO : KIND_AUDIO], NULL);

  if (video)
    {
      g_autoptr(GstPad) encoder_pad = gst_element_get_static_pad (encoder, "sink");

      gst_pad_add_probe (encoder_pad, GST_PAD_PROBE_TYPE_BUFFER, sent_frame_probe_cb, self, NULL);
    }

  /* Downstream first, so each element is ready before its upstream
   * neighbour can push. */
  if (!gst_element_sync_state_with_parent (filter) ||
      !gst_element_sync_state_with_parent (payloader) ||
      (profile_filter != NULL && !gst_element_sync_state_with_parent (profile_filter)) ||
      !gst_element_sync_state_with_parent (encoder) ||
      (size != NULL && !gst_element_sync_state_with_parent (size)) ||
      (scale != NULL && !gst_element_sync_state_with_parent (scale)) ||
      (rate != NULL && !gst_element_sync_state_with_parent (rate)) ||
      (valve != NULL && !gst_element_sync_state_with_parent (valve)) ||
      !gst_element_sync_state_with_parent (queue))
    goto failed;

  peer->sent[video ? KIND_VIDEO : KIND_AUDIO].ssrc = ssrc;
  peer->sent[video ? KIND_VIDEO : KIND_AUDIO].seq_base = seq_base;
  if (video)
    {
      g_set_object (&peer->video_valve, valve);
      g_set_object (&peer->video_rate, rate);
      g_set_object (&peer->video_size, size);
    }
  if (peer->rate == NULL)
    {
      peer->rate = relais_call_rate_new (self->options.video_kbps * 1000, self->options.width,
                                         self->options.height, self->options.framerate);
      relais_call_rate_get (peer->rate, &peer->applied);
      /* What the elements were built with. */
      peer->applied.audio_bps = 32000;
      peer->applied.audio_loss_percent = 5;
      peer->applied.audio_dtx = FALSE;
      peer->applied.video_bps = self->options.video_kbps * 1000;
      peer->applied.width = self->options.width;
      peer->applied.height = self->options.height;
      peer->applied.fps = self->options.framerate;
      peer->applied.step = RELAIS_CALL_LINK_FULL;
    }

  /* Last: from here on buffers flow. */
  tee_pad = gst_element_request_pad_simple (video ? self->video_tee : self->audio_tee, "src_%u");
  queue_pad = gst_element_get_static_pad (queue, "sink");
  if (tee_pad == NULL || gst_pad_link (tee_pad, queue_pad) != GST_PAD_LINK_OK)
    goto failed;

  return TRUE;

failed:
  g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_MEDIA,
               video ? _("L’envoi de l’image n’a pas pu être préparé.")
                     : _("L’envoi du son n’a pas pu être préparé."));
  return FALSE;
}

/* ---- The send rate controller's target ---------------------------------- */

/* Sets what changed since the last target: Opus's bitrate and loss
 * settings, then the picture (valve, frame rate, size, bitrate). A
 * picture that comes back after the audio-only step starts with a
 * keyframe. Main context. */
void
_relais_call_apply_rate (RelaisCall                 *self,
                         Peer                       *peer,
                         const RelaisCallRateTarget *target)
{
  RelaisCallRateTarget *applied = &peer->applied;

  if (peer->audio_encoder != NULL)
    {
      if (applied->audio_bps != target->audio_bps)
        g_object_set (peer->audio_encoder, "bitrate", (gint) target->audio_bps, NULL);
      if (applied->audio_loss_percent != target->audio_loss_percent)
        g_object_set (peer->audio_encoder, "packet-loss-percentage", (gint) target->audio_loss_percent, NULL);
      if (applied->audio_dtx != target->audio_dtx)
        g_object_set (peer->audio_encoder, "dtx", target->audio_dtx, NULL);
      applied->audio_bps = target->audio_bps;
      applied->audio_loss_percent = target->audio_loss_percent;
      applied->audio_dtx = target->audio_dtx;
    }

  if (peer->video_encoder != NULL && peer->video_valve != NULL)
    {
      gboolean off = target->step == RELAIS_CALL_LINK_AUDIO_ONLY;
      gboolean was_off = applied->step == RELAIS_CALL_LINK_AUDIO_ONLY;

      if (off != was_off)
        g_object_set (peer->video_valve, "drop", off, NULL);
      if (!off)
        {
          guint current = encoder_get_bitrate (peer->video_encoder);

          if (target->fps != applied->fps)
            g_object_set (peer->video_rate, "max-rate", (int) target->fps, NULL);
          if (target->width != applied->width || target->height != applied->height)
            {
              g_autoptr(GstCaps) caps = gst_caps_new_simple ("video/x-raw",
                                                             "width", G_TYPE_INT, (int) target->width,
                                                             "height", G_TYPE_INT, (int) target->height,
                                                             NULL);

              g_object_set (peer->video_size, "caps", caps, NULL);
            }
          /* REMB (session_feedback_rtcp_cb) stays under the controller's
           * target; the target under the last REMB. */
          g_object_set_data (G_OBJECT (peer->video_encoder), "relais-max-bitrate",
                             GUINT_TO_POINTER (MAX (target->video_link_bps, (guint) MIN_VIDEO_BITRATE)));
          if (current == 0 || ABS ((double) target->video_bps - current) >= current * 0.05)
            encoder_set_bitrate (peer->video_encoder, MAX (target->video_bps, (guint) MIN_VIDEO_BITRATE));
          if (was_off)
            {
              g_autoptr(GstPad) src = gst_element_get_static_pad (peer->video_encoder, "src");

              gst_pad_send_event (src, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                                    TRUE, 0));
            }
          applied->video_bps = target->video_bps;
          applied->fps = target->fps;
          applied->width = target->width;
          applied->height = target->height;
        }
    }

  applied->step = target->step;
  applied->estimate_bps = target->estimate_bps;
  _relais_call_set_link_step (self, target->step);
}

/* Calls @func on every element made by the factory @factory_name inside
 * @bin, at any depth. A resync starts the walk again: @restart (may be
 * NULL) is called first so the caller can drop what it counted. */
void
_relais_call_foreach_element (GstElement  *bin,
                              const char  *factory_name,
                              GFunc        func,
                              GFunc        restart,
                              gpointer     user_data)
{
  g_autoptr(GstIterator) it = gst_bin_iterate_recurse (GST_BIN (bin));
  GValue item = G_VALUE_INIT;
  gboolean done = FALSE;

  while (!done)
    switch (gst_iterator_next (it, &item))
      {
      case GST_ITERATOR_OK:
        {
          GstElement *element = g_value_get_object (&item);
          GstElementFactory *factory = gst_element_get_factory (element);

          if (factory != NULL
              && g_str_equal (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)), factory_name))
            func (element, user_data);
          g_value_reset (&item);
        }
        break;
      case GST_ITERATOR_RESYNC:
        gst_iterator_resync (it);
        if (restart != NULL)
          restart (NULL, user_data);
        break;
      case GST_ITERATOR_ERROR:
      case GST_ITERATOR_DONE:
      default:
        done = TRUE;
        break;
      }
  if (G_IS_VALUE (&item))
    g_value_unset (&item);
}
