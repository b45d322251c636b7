/* relais-call-private.h
 *
 * What the files of RelaisCall share, and nothing else includes:
 * relais-call.c (the object, its state, signalling and public API),
 * relais-call-media.c (plugins, the pipeline, encoders, remote media),
 * relais-call-channel.c (the data channel) and relais-call-stats.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

/* The WebRTC library of gst-plugins-bad still calls itself unstable. */
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/webrtc/webrtc.h>

#include "relais-call.h"
#include "relais-call-rate.h"

G_BEGIN_DECLS

#define MIN_VIDEO_BITRATE       30000    /* bit/s: below that VP8 is a slideshow */
#define VIDEO_PAYLOAD_TYPE      96
#define AUDIO_PAYLOAD_TYPE      97
#define H264_PAYLOAD_TYPE       102
/* A keyframe at least every two seconds (at 30 fps): what a late joiner
 * or a lost keyframe waits at most. */
#define KEYFRAME_MAX_DISTANCE   60
/* What we send, fixed. The capsfilter behind each payloader holds it, and
 * so do the transceivers' codec preferences: webrtcbin then builds offers
 * and answers from these caps, not from whatever has flowed so far.
 * rtcp-fb-* become a=rtcp-fb lines: the far end may ask for keyframes
 * (PLI/FIR: rtpsession turns them into a force-key-unit event that vp8enc
 * honours) and send REMB. */
#define VIDEO_RTP_CAPS \
  "application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96," \
  "rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true,rtcp-fb-goog-remb=(boolean)true"
/* H.264 as browsers and Janus speak it: constrained baseline, one NAL unit
 * or fragment per packet (packetization-mode 1; mode 0 cannot carry a
 * frame larger than a packet). The profile-level-id is added per call
 * (h264_level); what we receive, we take at any level. */
#define H264_RTP_CAPS \
  "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=102," \
  "packetization-mode=(string)1,level-asymmetry-allowed=(string)1," \
  "rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true,rtcp-fb-goog-remb=(boolean)true"
/* Transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01): every packet we send, sound and picture, carries a
 * transport-wide sequence number; the gateway (Janus does) reports when
 * each arrived, and rtpsession turns that into what the far end received
 * ("gst-twcc-stats": bitrate-recv, packet-loss-pct), which the send rate
 * controller trusts over the receiver reports. */
#define TWCC_URI                "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define TWCC_EXTMAP_ID          3
#define AUDIO_RTP_CAPS \
  "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=97," \
  "encoding-params=(string)2"

typedef enum
{
  PEER_SEND,
  PEER_RECV,
  PEER_SENDRECV,
} PeerDirection;

typedef struct _Peer Peer;

enum { KIND_AUDIO, KIND_VIDEO, N_KINDS };

/* One stream we send, and what the far end's receiver reports say of it. */
typedef struct
{
  guint32  ssrc;           /* 0: not sent */
  guint    seq_base;       /* the payloader's first sequence number */
  gboolean have_report;
  guint64  ext_highest;    /* the far end's extended highest sequence number */
  gint64   lost;           /* cumulative, as the far end counts it */
  double   rtt_s;
  guint64  packets_sent;
  guint64  bytes_sent;     /* RTP payload */
} SentStream;

struct _Peer
{
  RelaisCall                  *self;           /* not owned: the call owns its peers */
  guint                        id;
  PeerDirection                direction;
  GstElement                  *webrtc;         /* a reference; the pipeline holds another */
  gboolean                     relayed;        /* TURN servers given: release them at the end */
  GstElement                  *video_encoder;  /* a reference, NULL when not sending */
  GstElement                  *audio_encoder;  /* a reference, NULL when not sending */
  /* The send rate controller's hands on the picture (references): */
  GstElement                  *video_valve;    /* drops it all in AUDIO_ONLY */
  GstElement                  *video_rate;     /* videorate: max-rate */
  GstElement                  *video_size;     /* capsfilter: width, height */
  SentStream                   sent[N_KINDS];
  RelaisCallRate              *rate;           /* NULL when not sending */
  RelaisCallRateTarget         applied;        /* what the elements are set to */
  gint64                       rate_time;      /* the previous controller sample */
  guint64                      rate_expected;  /* packets the far end expected by then */
  gint64                       rate_lost;
  guint64                      rate_bytes;     /* payload sent by then */
  guint64                      rate_packets;
  guint64                      rate_video_packets;
  /* Retransmissions (rtprtxsend in webrtcbin): the far end's NACKs say
   * what it lost even when its receiver reports count retransmitted
   * packets as received (Janus does), and they cost uplink too. */
  guint64                      rtx_requests;
  guint64                      rtx_packets;
  /* The newest transport-wide feedback: what the far end received. */
  gboolean                     twcc_valid;
  double                       twcc_recv_bps;
  double                       twcc_sent_bps;
  double                       twcc_loss;
  GstWebRTCDataChannel        *channel;        /* where our messages go, NULL until made or offered */
  GPtrArray                   *channels;       /* every channel we listen to */
  GstWebRTCICEConnectionState  ice_state;
  GSource                     *ready_source;   /* offer/answer, once the pipeline plays */
  GSource                     *media_check_source; /* fails the call if nothing is sent */
  char                        *pending_offer;  /* remote offer waiting for our caps */
  gboolean                     negotiating;
  guint64                      bytes_in;
  guint64                      bytes_out;
};

/* The far end's report blocks on our streams, read from every RTCP
 * packet the sessions receive (a streaming thread): webrtcbin's
 * remote-inbound-rtp keeps only the last block per sender, and a sender
 * reporting on our sound and picture in turn shows one of them. Shared
 * with the sessions' signal handlers (an atomic RcBox). */
typedef struct
{
  GMutex      lock;
  GHashTable *blocks;   /* SSRC → FarReport */
} FarReports;

typedef struct
{
  guint32 ext_highest;
  gint32  lost;
} FarReport;

struct _RelaisCall
{
  GObject            parent_instance;

  GMainContext      *context;
  RelaisCallOptions  options;

  GstElement        *pipeline;
  guint              bus_watch_id;
  GstElement        *video_tee;
  GstElement        *audio_tee;
  GstElement        *volume;
  GstElement        *local_sink;
  GstElement        *remote_select;   /* input-selector: the newest remote video is shown */
  GstElement        *remote_convert;
  GstElement        *remote_sink;
  gboolean           video_simulated;
  gboolean           audio_simulated;

  RelaisCallState    state;
  char              *failure;
  double             mic_level;

  GPtrArray         *peers;           /* Peer, owned */
  guint              next_peer_id;
  char             **local_addresses;

  GQueue             outgoing;        /* Outgoing *, messages waiting for the channel */
  gsize              outgoing_bytes;

  /* Touched on streaming threads: atomics only. */
  gint               camera_off;
  gint               video_output_off;
  gint               frames_received;
  gint               frames_sent;
  gint               first_frame_reported;
  /* RTP packets and bytes handed to webrtcbin per kind (before SRTP and
   * retransmissions): g_atomic_pointer_add on gsize. */
  gsize              rtp_packets_out[N_KINDS];
  gsize              rtp_bytes_out[N_KINDS];
  FarReports        *far_reports;

  gboolean           remote_frame_seen;
  GSource           *stats_source;
  gint64             stats_time;
  guint64            stats_frames_received;
  guint64            stats_frames_sent;
  guint64            stats_bytes_in;
  guint64            stats_bytes_out;
  RelaisCallStats    stats;
  RelaisCallLinkStep link_step;

  GThread           *dtls_thread;
  gboolean           disposed;
};

enum {
  SIGNAL_LOCAL_DESCRIPTION,
  SIGNAL_LOCAL_CANDIDATE,
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_DATA_RECEIVED,
  SIGNAL_SEND_QUEUE_LOW,
  SIGNAL_FIRST_REMOTE_FRAME,
  N_SIGNALS
};

typedef void (*MainFunc) (RelaisCall *self, gpointer data);

/* Promises may resolve after the call is gone: hold it weakly. */
typedef struct
{
  GWeakRef  self;
  guint     peer_id;
} PromiseData;

extern guint _relais_call_signals[N_SIGNALS];

/* relais-call.c */
void         _relais_call_hop                 (RelaisCall     *self,
                                               MainFunc        func,
                                               gpointer        data,
                                               GDestroyNotify  destroy);
PromiseData *_relais_call_promise_data_new    (RelaisCall     *self,
                                               guint           peer_id);
void         _relais_call_promise_data_free   (gpointer        user_data);
Peer        *_relais_call_find_peer           (RelaisCall     *self,
                                               guint           id);
void         _relais_call_update_state        (RelaisCall     *self);
void         _relais_call_set_link_step       (RelaisCall     *self,
                                               RelaisCallLinkStep step);

/* relais-call-media.c */
gboolean     _relais_call_check_plugins       (GError        **error);
gboolean     _relais_call_check_h264_plugins  (GError        **error);
const char  *_relais_call_h264_decoder_factory (void);
gboolean     _relais_call_build_media         (RelaisCall     *self,
                                               GError        **error);
gboolean     _relais_call_add_send_branch     (RelaisCall     *self,
                                               Peer           *peer,
                                               gboolean        video,
                                               GError        **error);
void         _relais_call_apply_rate          (RelaisCall     *self,
                                               Peer           *peer,
                                               const RelaisCallRateTarget *target);
void         _relais_call_webrtc_pad_added_cb (GstElement     *webrtc,
                                               GstPad         *pad,
                                               Peer           *peer);
void         _relais_call_webrtc_deep_element_added_cb (GstBin     *bin,
                                                        GstBin     *sub_bin,
                                                        GstElement *element,
                                                        Peer       *peer);

/* relais-call-channel.c */
void         _relais_call_outgoing_free       (gpointer        data);
void         _relais_call_peer_watch_channel  (Peer                 *peer,
                                               GstWebRTCDataChannel *channel);
void         _relais_call_webrtc_on_data_channel_cb (GstElement           *webrtc,
                                                     GstWebRTCDataChannel *channel,
                                                     Peer                 *peer);
GstWebRTCDataChannel *_relais_call_peer_create_channel (Peer *peer);
void         _relais_call_peer_open_receive_channel (Peer *peer);

/* relais-call-stats.c */
FarReports  *_relais_call_far_reports_new     (void);
void         _relais_call_far_reports_release (gpointer        reports);
void         _relais_call_session_receiving_rtcp_cb (GObject    *session,
                                                     GstBuffer  *buffer,
                                                     FarReports *reports);
gboolean     _relais_call_stats_tick_cb       (gpointer        user_data);

/* @func (element, @user_data) for every element of @factory_name in @bin;
 * @restart (NULL, @user_data) when a resync starts the walk again. Main
 * context only (relais-call-media.c). */
void _relais_call_foreach_element (GstElement  *bin,
                                   const char  *factory_name,
                                   GFunc        func,
                                   GFunc        restart,
                                   gpointer     user_data);
/* Before a webrtcbin goes to NULL: breaks sctpenc 1.22.0's send loop
 * (relais-call-channel.c). */
void _relais_call_unblock_data_channel (GstElement *webrtc);

G_END_DECLS
