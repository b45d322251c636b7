/* relais-test-call.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * `relais-kiosk --test-call`: the kiosk's call path without a window. It
 * joins a Janus VideoRoom as a publisher (camera and microphone, or test
 * sources when absent), subscribes with one multistream handle to every
 * other publisher, runs for --duration seconds, leaves and prints one JSON
 * object of measurements. No GTK is initialised: it runs with no display.
 */
#define G_LOG_DOMAIN "relais-test-call"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <json-glib/json-glib.h>

#include "relais-call.h"
#include "relais-config.h"
#include "relais-error.h"
#include "relais-http-client.h"
#include "relais-janus.h"
#include "relais-room-call.h"
#include "relais-test-call.h"
#include "relais-transfer.h"

#define DEFAULT_DURATION_S   20
#define DEFAULT_ROOM         1234
#define STATS_INTERVAL_MS    1000
/* Leaving and destroying the session get this long; then we go anyway: a
 * test call never hangs on a gateway that went away. */
#define SHUTDOWN_MAX_MS      5000

typedef struct
{
  /* Options */
  char             *config_path;
  char             *janus_url;
  gint64            room;
  char             *pin;
  int               duration_s;
  int               wait_for_peer_s;  /* --wait-for-peer: 0, or how long the duration may wait */
  char             *display;
  gboolean          create_room;
  char             *ice_address;
  char             *turn_server;    /* --turn-server: instead of the configuration's */
  gboolean          force_relay;    /* --force-relay */
  char             *send_file;      /* --send-file */
  char             *receive_dir;    /* --receive-dir */

  GMainLoop        *loop;
  GMainContext     *context;
  RelaisConfig     *config;
  RelaisHttpClient *http;
  RelaisJanus      *janus;
  RelaisRoomCall   *room_call;
  /* Bumped when the end begins: answers of an older generation are
   * dropped. */
  guint             generation;

  RelaisCall       *call;

  /* Measurements */
  gint64            started_at;
  gint64            first_frame_at;
  /* The last loss of the gateway, the reconnection after it and the first
   * picture of the fresh call (monotonic µs, comparable across the
   * processes of a machine): how long a cut kept the person waiting. */
  gint64            last_lost_at;
  gint64            last_reconnected_at;
  gint64            media_back_at;
  gint64            ended_at;
  guint64           frames_sent_before;     /* of calls dropped after "lost" */
  guint64           frames_received_before;
  /* What the far end said it got of ours (RTCP receiver reports), summed
   * over the calls dropped so far: the verdict's ground. */
  RelaisCallStats   far_before;
  RelaisCallLinkStep link_step_lowest;
  RelaisCallLinkStep link_step_last;
  double            kbps_in_sum;
  double            kbps_out_sum;
  guint             kbps_samples;
  double            rtt_ms;
  gint64            packets_lost;
  guint             lost_count;
  guint             reconnect_count;
  gboolean          session_down;
  /* Video codecs from the SDP: in our publisher's offer (made from the
   * codec of the send branch RelaisCall built) and in the answers we gave
   * the gateway for other publishers' streams (what we decode). */
  char             *video_codec_sent;
  GHashTable       *video_codecs_received;   /* set of lower-case names */
  /* The join waits for both: a session on the gateway, and the DTLS
   * certificate (made once per process, ~0.5 s of CPU), as the window's
   * pre-call check has it ready before "start the call". */
  gboolean          connected;
  gboolean          certificate_ready;

  guint             duration_source;
  guint             peer_wait_source;
  guint             stats_source;
  guint             shutdown_source;
  guint             sigint_source;
  guint             sigterm_source;
  gboolean          ending;
  gboolean          finished;
  char             *error;            /* the first fatal problem, in French */
  int               exit_status;

  /* Documents (--send-file, --receive-dir) */
  RelaisTransfer   *transfer;
  GBytes           *send_contents;
  char             *send_name;
  const char       *send_mime;
  GCancellable     *send_cancellable;
  gint64            send_started_at;   /* first chunk queued, after the offer was accepted */
  gint64            send_acked_at;
  char             *sent_sha256;      /* acknowledged with this hash */
  char             *send_error;
  GPtrArray        *received;         /* JsonNode * objects */
} TestCall;

/* What each asynchronous request carries back. */
typedef struct
{
  TestCall *tc;
  guint     generation;
} Request;

static void begin_shutdown (TestCall *tc);

/* ---- helpers ------------------------------------------------------------ */

static Request *
request_new (TestCall *tc)
{
  Request *req = g_new (Request, 1);

  req->tc = tc;
  req->generation = tc->generation;
  return req;
}

/* Frees @user_data; returns the TestCall when the answer still matters. */
static TestCall *
request_take (gpointer user_data)
{
  Request *req = user_data;
  TestCall *tc = req->tc;
  gboolean current = req->generation == tc->generation && !tc->finished;

  g_free (req);
  return current ? tc : NULL;
}

static void
fatal (TestCall   *tc,
       const char *message)
{
  if (tc->error == NULL)
    tc->error = g_strdup (message);
  begin_shutdown (tc);
}

/* ---- documents (--send-file, --receive-dir) ------------------------------ */

static void
documents_sent_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = relais_transfer_send_finish (RELAIS_TRANSFER (object), result, &error);

  if (tc == NULL)
    return;
  if (sha256 == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr ("%s\n", error->message);
      tc->send_error = g_strdup (error->message);
      return;
    }
  tc->send_acked_at = g_get_monotonic_time ();
  tc->sent_sha256 = g_steal_pointer (&sha256);
  g_printerr ("%s\n", _("Le document envoyé a été reçu et vérifié."));
}

static void
documents_send_progress_cb (RelaisTransfer *transfer,
                            guint64         id,
                            guint64         bytes,
                            guint64         total,
                            TestCall       *tc)
{
  if (tc->send_started_at == 0)
    tc->send_started_at = g_get_monotonic_time ();
}

static void
documents_received_cb (RelaisTransfer *transfer,
                       guint64         id,
                       const char     *path,
                       guint64         size,
                       const char     *sha256,
                       TestCall       *tc)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *name = g_path_get_basename (path);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64) size);
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, sha256);
  json_builder_end_object (builder);
  g_ptr_array_add (tc->received, json_builder_get_root (builder));
}

/* Reads --send-file before anything starts: a wrong path or type is said
 * at once. */
static gboolean
documents_load (TestCall  *tc,
                GError   **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (tc->receive_dir != NULL && !g_file_test (tc->receive_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Le dossier de réception n’existe pas : %s."), tc->receive_dir);
      return FALSE;
    }
  if (tc->send_file == NULL)
    return TRUE;

  if (!g_file_get_contents (tc->send_file, &contents, &length, error))
    return FALSE;
  if (length >= 5 && memcmp (contents, "%PDF-", 5) == 0)
    tc->send_mime = "application/pdf";
  else if (length >= 3 && memcmp (contents, "\xff\xd8\xff", 3) == 0)
    tc->send_mime = "image/jpeg";
  else
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Seuls les fichiers PDF et JPEG peuvent être envoyés."));
      return FALSE;
    }
  tc->send_name = g_path_get_basename (tc->send_file);
  tc->send_contents = g_bytes_new_take (g_steal_pointer (&contents), length);
  return TRUE;
}

/* Follows the call: a transfer survives a reconnection (a new call) and
 * resumes there. The file is offered as soon as there is a call; the
 * offer is repeated until another participant answers. */
static void
documents_attach (TestCall *tc)
{
  if (tc->send_file == NULL && tc->receive_dir == NULL)
    return;

  if (tc->transfer == NULL)
    {
      tc->transfer = relais_transfer_new (tc->call);
      relais_transfer_set_receive_dir (tc->transfer, tc->receive_dir);
      g_signal_connect (tc->transfer, "send-progress", G_CALLBACK (documents_send_progress_cb), tc);
      g_signal_connect (tc->transfer, "received", G_CALLBACK (documents_received_cb), tc);
      if (tc->send_contents != NULL)
        {
          tc->send_cancellable = g_cancellable_new ();
          relais_transfer_send_async (tc->transfer, tc->send_contents, tc->send_name, tc->send_mime,
                                      tc->send_cancellable, documents_sent_cb, request_new (tc));
        }
    }
  else
    relais_transfer_set_call (tc->transfer, tc->call);
}

static void
documents_detach (TestCall *tc)
{
  if (tc->transfer != NULL)
    relais_transfer_set_call (tc->transfer, NULL);
}

/* A document to send that was not acknowledged fails the test call. */
static void
documents_check (TestCall *tc)
{
  if (tc->error == NULL && tc->send_file != NULL && tc->sent_sha256 == NULL)
    tc->error = g_strdup_printf (_("Le document n’a pas été reçu par l’autre poste : %s"),
                                 tc->send_error != NULL ? tc->send_error
                                                        : _("pas de réponse avant la fin de l’appel."));
}

static void
documents_report (TestCall    *tc,
                  JsonBuilder *builder)
{
  if (tc->send_file != NULL)
    {
      json_builder_set_member_name (builder, "sent_sha256");
      if (tc->sent_sha256 != NULL)
        json_builder_add_string_value (builder, tc->sent_sha256);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "send_ms");
      if (tc->sent_sha256 != NULL && tc->send_started_at != 0)
        json_builder_add_int_value (builder, (tc->send_acked_at - tc->send_started_at) / 1000);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "send_bytes");
      json_builder_add_int_value (builder, (gint64) g_bytes_get_size (tc->send_contents));
      json_builder_set_member_name (builder, "acknowledged");
      json_builder_add_boolean_value (builder, tc->sent_sha256 != NULL);
    }
  if (tc->receive_dir != NULL)
    {
      json_builder_set_member_name (builder, "received");
      json_builder_begin_array (builder);
      for (guint i = 0; i < tc->received->len; i++)
        json_builder_add_value (builder, json_node_copy (g_ptr_array_index (tc->received, i)));
      json_builder_end_array (builder);
    }
}

static void
documents_clear (TestCall *tc)
{
  if (tc->send_cancellable != NULL)
    g_cancellable_cancel (tc->send_cancellable);
  if (tc->transfer != NULL)
    {
      g_signal_handlers_disconnect_by_data (tc->transfer, tc);
      g_object_run_dispose (G_OBJECT (tc->transfer));
    }
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_clear_object (&tc->transfer);
  g_clear_object (&tc->send_cancellable);
  g_clear_pointer (&tc->send_contents, g_bytes_unref);
  g_clear_pointer (&tc->received, g_ptr_array_unref);
  g_free (tc->send_name);
  g_free (tc->send_file);
  g_free (tc->receive_dir);
  g_free (tc->sent_sha256);
  g_free (tc->send_error);
}

/* ---- the media ---------------------------------------------------------- */

static void
sample_stats (TestCall *tc)
{
  RelaisCallStats stats;

  if (tc->call == NULL)
    return;

  relais_call_get_stats (tc->call, &stats);
  if (tc->first_frame_at != 0)
    {
      tc->kbps_in_sum += stats.kbps_in;
      tc->kbps_out_sum += stats.kbps_out;
      tc->kbps_samples++;
    }
  if (stats.rtt_ms > 0)
    tc->rtt_ms = stats.rtt_ms;
  tc->packets_lost = MAX (tc->packets_lost, stats.packets_lost);
  tc->link_step_last = stats.link_step;
  tc->link_step_lowest = MAX (tc->link_step_lowest, stats.link_step);
}

static const char *
link_step_nick (RelaisCallLinkStep step)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (RELAIS_TYPE_CALL_LINK_STEP);
  GEnumValue *value = g_enum_get_value (klass, step);

  return value != NULL ? value->value_nick : "unknown";
}

static gboolean
stats_tick_cb (gpointer user_data)
{
  sample_stats (user_data);
  return G_SOURCE_CONTINUE;
}

/* Ends the call (its webrtcbins belong to a session that may be gone),
 * keeping its frame counts. */
static void
drop_call (TestCall *tc)
{
  g_autoptr(RelaisCall) call = g_steal_pointer (&tc->call);
  RelaisCallStats stats;

  if (call == NULL)
    return;

  if (tc->room_call != NULL)
    relais_room_call_set_call (tc->room_call, NULL);
  documents_detach (tc);
  relais_call_get_stats (call, &stats);
  tc->frames_sent_before += stats.frames_sent;
  tc->frames_received_before += stats.frames_received;
  tc->far_before.far_audio_packets += stats.far_audio_packets;
  tc->far_before.far_video_packets += stats.far_video_packets;
  tc->far_before.far_audio_lost += stats.far_audio_lost;
  tc->far_before.far_video_lost += stats.far_video_lost;
  tc->far_before.audio_packets_sent += stats.audio_packets_sent;
  tc->far_before.video_packets_sent += stats.video_packets_sent;
  g_signal_handlers_disconnect_by_data (call, tc);
  relais_call_hang_up (call);
}

/* Adds the video encodings of @sdp_text's accepted video m-lines to
 * @names (retransmission and FEC formats left out). */
static void
sdp_video_encodings (const char *sdp_text,
                     GPtrArray  *names)
{
  GstSDPMessage *sdp = NULL;

  if (gst_sdp_message_new_from_text (sdp_text, &sdp) != GST_SDP_OK)
    return;
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
      const char *rtpmap;

      /* Port 0 is a refused m-line, unless it rides on the bundle. */
      if (g_strcmp0 (gst_sdp_media_get_media (media), "video") != 0 ||
          (gst_sdp_media_get_port (media) == 0 &&
           gst_sdp_media_get_attribute_val (media, "bundle-only") == NULL) ||
          gst_sdp_media_get_attribute_val (media, "inactive") != NULL)
        continue;
      for (guint n = 0; (rtpmap = gst_sdp_media_get_attribute_val_n (media, "rtpmap", n)) != NULL; n++)
        {
          const char *name = strchr (rtpmap, ' ');
          g_autofree char *encoding = NULL;

          if (name == NULL)
            continue;
          encoding = g_ascii_strdown (name + 1, strcspn (name + 1, "/"));
          if (g_str_equal (encoding, "rtx") || g_str_equal (encoding, "red") ||
              g_str_equal (encoding, "ulpfec") || g_str_equal (encoding, "flexfec-03"))
            continue;
          g_ptr_array_add (names, g_steal_pointer (&encoding));
        }
    }
  gst_sdp_message_free (sdp);
}

static void
call_local_description_cb (RelaisCall *call,
                           guint       peer_id,
                           const char *type,
                           const char *sdp_text,
                           TestCall   *tc)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  sdp_video_encodings (sdp_text, names);
  /* The room call offers only to publish; it answers the gateway's offers
   * of the others' streams. */
  if (g_strcmp0 (type, "offer") == 0)
    {
      g_free (tc->video_codec_sent);
      tc->video_codec_sent = names->len > 0 ? g_strdup (g_ptr_array_index (names, 0)) : NULL;
      return;
    }
  for (guint i = 0; i < names->len; i++)
    g_hash_table_add (tc->video_codecs_received, g_strdup (g_ptr_array_index (names, i)));
}

static void
call_state_cb (RelaisCall *call,
               GParamSpec *pspec,
               TestCall   *tc)
{
  RelaisCallState state = relais_call_get_state (call);

  g_debug ("Call state %d", state);
  if (state != RELAIS_CALL_FAILED || tc->ending || tc->session_down)
    return;

  /* A gateway that died takes ICE down with it: "lost" tells that better
   * (and rejoins) when the session is what failed. */
  if (relais_janus_get_state (tc->janus) != RELAIS_JANUS_STATE_CONNECTED)
    return;

  fatal (tc, relais_call_get_failure (call) != NULL
             ? relais_call_get_failure (call)
             : _("La communication a échoué."));
}

/* Every call's first picture: after a reconnection, the media is back. */
static void
call_first_frame_cb (RelaisCall *call,
                     gint64      at,
                     TestCall   *tc)
{
  if (tc->last_reconnected_at != 0 && tc->media_back_at == 0)
    {
      tc->media_back_at = at;
      g_debug ("Media back %.0f ms after the loss, %.0f ms after the reconnection",
               (at - tc->last_lost_at) / 1000.0, (at - tc->last_reconnected_at) / 1000.0);
    }
}

static gboolean
ensure_call (TestCall  *tc,
             GError   **error)
{
  RelaisCallOptions options;
  g_autoptr(RelaisCall) call = NULL;

  if (tc->call != NULL)
    return TRUE;

  relais_call_options_init_from_config (&options, tc->config);
  if (tc->turn_server != NULL)
    {
      g_free (options.turn_server);
      options.turn_server = g_strdup (tc->turn_server);
    }
  options.force_relay = options.force_relay || tc->force_relay;
  if (options.force_relay && options.turn_server == NULL)
    {
      relais_call_options_clear (&options);
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("--force-relay demande un serveur TURN (--turn-server, ou turn-server dans la configuration)."));
      return FALSE;
    }
  call = relais_call_new (&options, error);
  relais_call_options_clear (&options);
  if (call == NULL)
    return FALSE;

  if (tc->ice_address != NULL)
    {
      const char *addresses[] = { tc->ice_address, NULL };

      relais_call_set_local_addresses (call, addresses);
    }
  g_signal_connect (call, "notify::state", G_CALLBACK (call_state_cb), tc);
  g_signal_connect (call, "first-remote-frame", G_CALLBACK (call_first_frame_cb), tc);
  g_signal_connect (call, "local-description", G_CALLBACK (call_local_description_cb), tc);
  /* No window: the pictures are counted, never converted for display. */
  relais_call_set_video_output (call, FALSE);

  if (!relais_call_start_preview (call, error))
    {
      g_signal_handlers_disconnect_by_data (call, tc);
      return FALSE;
    }
  if (relais_call_is_video_simulated (call))
    g_printerr ("%s\n", _("Aucune caméra : une mire de test est envoyée à la place."));
  if (relais_call_is_audio_simulated (call))
    g_printerr ("%s\n", _("Aucun micro : un son de test est envoyé à la place."));

  tc->call = g_steal_pointer (&call);
  if (tc->room_call != NULL)
    relais_room_call_set_call (tc->room_call, tc->call);
  documents_attach (tc);
  return TRUE;
}

/* ---- the room ----------------------------------------------------------- */

static void
duration_start (TestCall *tc);

static void
room_first_frame_cb (RelaisRoomCall *room_call,
                     gint64          at,
                     TestCall       *tc)
{
  tc->first_frame_at = at;
  /* --wait-for-peer: the call is whole now, its duration begins. */
  if (tc->peer_wait_source != 0)
    {
      g_clear_handle_id (&tc->peer_wait_source, g_source_remove);
      duration_start (tc);
    }
}

static void
room_failed_cb (RelaisRoomCall *room_call,
                const char     *message,
                TestCall       *tc)
{
  fatal (tc, message);
}

static void
room_lost_cb (RelaisRoomCall *room_call,
              TestCall       *tc)
{
  if (tc->ending)
    return;

  tc->lost_count++;
  tc->session_down = TRUE;
  tc->last_lost_at = g_get_monotonic_time ();
  tc->last_reconnected_at = 0;
  tc->media_back_at = 0;
  g_printerr ("%s\n", _("La connexion au serveur de visio est perdue : nouvelle tentative en cours…"));
  sample_stats (tc);
  drop_call (tc);
}

static void
room_reconnected_cb (RelaisRoomCall *room_call,
                     TestCall       *tc)
{
  g_autoptr(GError) error = NULL;

  if (tc->ending)
    return;

  tc->reconnect_count++;
  tc->session_down = FALSE;
  tc->last_reconnected_at = g_get_monotonic_time ();
  g_printerr ("%s\n", _("La connexion au serveur de visio est rétablie : l’appel reprend."));
  /* The old call's peers died with the session: a fresh one publishes. */
  drop_call (tc);
  if (!ensure_call (tc, &error))
    fatal (tc, error->message);
}

static void
room_start_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;

  if (!relais_room_call_start_finish (RELAIS_ROOM_CALL (object), result, &error))
    {
      if (tc != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fatal (tc, error->message);
    }
}

static void
begin_room (TestCall *tc)
{
  tc->room_call = relais_room_call_new (tc->janus, tc->call, (guint64) tc->room,
                                        tc->display, tc->pin);
  relais_room_call_set_create_room (tc->room_call, tc->create_room);
  g_signal_connect (tc->room_call, "first-remote-frame", G_CALLBACK (room_first_frame_cb), tc);
  g_signal_connect (tc->room_call, "failed", G_CALLBACK (room_failed_cb), tc);
  g_signal_connect (tc->room_call, "lost", G_CALLBACK (room_lost_cb), tc);
  g_signal_connect (tc->room_call, "reconnected", G_CALLBACK (room_reconnected_cb), tc);
  relais_room_call_start_async (tc->room_call, NULL, room_start_cb, request_new (tc));
}

/* ---- the gateway -------------------------------------------------------- */

static void
peer_wait_start (TestCall *tc);

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;

  if (!relais_janus_connect_finish (RELAIS_JANUS (object), result, &error))
    {
      if (tc != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fatal (tc, error->message);
      return;
    }
  if (tc == NULL)
    return;

  if (tc->wait_for_peer_s > 0)
    peer_wait_start (tc);
  else
    duration_start (tc);
  tc->connected = TRUE;
  if (tc->certificate_ready)
    begin_room (tc);
}

/* In a worker thread: the first DTLS element of the process makes the
 * certificate every later one shares (a second caller waits for it). */
static void
certificate_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GstElement *dtls = gst_element_factory_make ("dtlsdec", NULL);

  if (dtls != NULL)
    gst_object_unref (gst_object_ref_sink (dtls));
  g_task_return_boolean (task, TRUE);
}

static void
certificate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TestCall *tc = request_take (user_data);

  if (tc == NULL)
    return;
  tc->certificate_ready = TRUE;
  if (tc->connected && tc->room_call == NULL)
    begin_room (tc);
}

static void
certificate_prepare (TestCall *tc)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, certificate_cb, request_new (tc));

  g_task_run_in_thread (task, certificate_thread);
}

/* ---- the end ------------------------------------------------------------ */

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
print_report (TestCall *tc)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  double seconds = 0;
  gint64 join_request_at = 0;
  gint64 subscribe_request_at = 0;
  guint seen = 0;

  if (tc->room_call != NULL)
    {
      join_request_at = relais_room_call_get_join_requested_at (tc->room_call);
      subscribe_request_at = relais_room_call_get_subscribe_requested_at (tc->room_call);
      seen = relais_room_call_get_publishers_seen (tc->room_call);
    }

  if (tc->first_frame_at != 0 && tc->ended_at > tc->first_frame_at)
    seconds = (tc->ended_at - tc->first_frame_at) / (double) G_USEC_PER_SEC;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "setup_ms");
  if (tc->first_frame_at != 0 && join_request_at != 0)
    json_builder_add_int_value (builder, (tc->first_frame_at - join_request_at) / 1000);
  else
    json_builder_add_null_value (builder);
  /* What a kiosk already in the room waits when someone arrives. */
  json_builder_set_member_name (builder, "subscribe_ms");
  if (tc->first_frame_at != 0 && subscribe_request_at != 0)
    json_builder_add_int_value (builder, (tc->first_frame_at - subscribe_request_at) / 1000);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "frames_sent");
  json_builder_add_int_value (builder, (gint64) tc->frames_sent_before);
  json_builder_set_member_name (builder, "frames_received");
  json_builder_add_int_value (builder, (gint64) tc->frames_received_before);
  json_builder_set_member_name (builder, "fps_received");
  json_builder_add_double_value (builder,
                                 seconds > 0 ? tc->frames_received_before / seconds : 0.0);
  json_builder_set_member_name (builder, "kbps_in");
  json_builder_add_double_value (builder, tc->kbps_samples ? tc->kbps_in_sum / tc->kbps_samples : 0.0);
  json_builder_set_member_name (builder, "kbps_out");
  json_builder_add_double_value (builder, tc->kbps_samples ? tc->kbps_out_sum / tc->kbps_samples : 0.0);
  json_builder_set_member_name (builder, "rtt_ms");
  if (tc->rtt_ms > 0)
    json_builder_add_double_value (builder, tc->rtt_ms);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "packets_lost");
  json_builder_add_int_value (builder, tc->packets_lost);
  /* The far end's word (its RTCP receiver reports), not ours: what it
   * got of our sound and picture. */
  json_builder_set_member_name (builder, "media_flowed");
  json_builder_add_boolean_value (builder, relais_call_stats_media_delivered (&tc->far_before));
  json_builder_set_member_name (builder, "far_end");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "audio_packets");
  json_builder_add_int_value (builder, (gint64) tc->far_before.far_audio_packets);
  json_builder_set_member_name (builder, "audio_lost");
  json_builder_add_int_value (builder, tc->far_before.far_audio_lost);
  json_builder_set_member_name (builder, "audio_sent");
  json_builder_add_int_value (builder, (gint64) tc->far_before.audio_packets_sent);
  json_builder_set_member_name (builder, "video_packets");
  json_builder_add_int_value (builder, (gint64) tc->far_before.far_video_packets);
  json_builder_set_member_name (builder, "video_lost");
  json_builder_add_int_value (builder, tc->far_before.far_video_lost);
  json_builder_set_member_name (builder, "video_sent");
  json_builder_add_int_value (builder, (gint64) tc->far_before.video_packets_sent);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "link_step");
  json_builder_add_string_value (builder, link_step_nick (tc->link_step_last));
  json_builder_set_member_name (builder, "link_step_lowest");
  json_builder_add_string_value (builder, link_step_nick (tc->link_step_lowest));
  json_builder_set_member_name (builder, "remote_publishers");
  json_builder_add_int_value (builder, seen);
  json_builder_set_member_name (builder, "video_codec");
  if (tc->video_codec_sent != NULL)
    json_builder_add_string_value (builder, tc->video_codec_sent);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "video_codecs_received");
  json_builder_begin_array (builder);
  {
    g_autofree const char **received =
      (const char **) g_hash_table_get_keys_as_array (tc->video_codecs_received, NULL);

    g_qsort_with_data (received, g_hash_table_size (tc->video_codecs_received), sizeof (char *),
                       compare_names, NULL);
    for (guint i = 0; received[i] != NULL; i++)
      json_builder_add_string_value (builder, received[i]);
  }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "duration_s");
  json_builder_add_double_value (builder, (tc->ended_at - tc->started_at) / (double) G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "gateway_lost");
  json_builder_add_int_value (builder, tc->lost_count);
  json_builder_set_member_name (builder, "reconnected");
  json_builder_add_int_value (builder, tc->reconnect_count);
  /* CLOCK_MONOTONIC in µs, 0 when it did not happen. */
  json_builder_set_member_name (builder, "lost_at_us");
  json_builder_add_int_value (builder, tc->last_lost_at);
  json_builder_set_member_name (builder, "reconnected_at_us");
  json_builder_add_int_value (builder, tc->last_reconnected_at);
  json_builder_set_member_name (builder, "media_back_at_us");
  json_builder_add_int_value (builder, tc->media_back_at);
  documents_report (tc, builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, tc->exit_status == 0);
  json_builder_set_member_name (builder, "error");
  if (tc->error != NULL)
    json_builder_add_string_value (builder, tc->error);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  fprintf (stdout, "%s\n", text);
  fflush (stdout);
}

static void
finish (TestCall *tc)
{
  if (tc->finished)
    return;

  tc->finished = TRUE;
  tc->generation++;
  g_clear_handle_id (&tc->shutdown_source, g_source_remove);
  drop_call (tc);

  if (tc->error == NULL && tc->session_down)
    tc->error = g_strdup (_("La connexion au serveur de visio a été perdue et n’a pas pu être rétablie."));
  if (tc->error == NULL && tc->frames_sent_before == 0)
    tc->error = g_strdup (_("Aucune image n’a pu être envoyée : vérifiez la caméra."));
  if (tc->error == NULL && tc->frames_received_before == 0)
    tc->error = g_strdup (tc->room_call == NULL ||
                          relais_room_call_get_publishers_seen (tc->room_call) == 0
                          ? _("Personne d’autre n’a rejoint la salle : aucune image reçue.")
                          : _("Aucune image n’a été reçue du correspondant."));
  /* Sent is not received: only the far end's reports say the other side
   * saw and heard this one. */
  if (tc->error == NULL && !relais_call_stats_media_delivered (&tc->far_before))
    tc->error = g_strdup (_("Le correspondant n’a pas reçu l’image et le son de ce poste."));
  documents_check (tc);
  tc->exit_status = tc->error != NULL ? 1 : 0;
  if (tc->error != NULL)
    g_printerr ("%s\n", tc->error);
  print_report (tc);
  g_main_loop_quit (tc->loop);
}

static gboolean
shutdown_timeout_cb (gpointer user_data)
{
  TestCall *tc = user_data;

  tc->shutdown_source = 0;
  g_debug ("The gateway did not answer in time: leaving anyway");
  finish (tc);
  return G_SOURCE_REMOVE;
}

static void
destroy_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  TestCall *tc = request_take (user_data);
  g_autoptr(GError) error = NULL;

  if (!relais_janus_destroy_finish (RELAIS_JANUS (object), result, &error))
    g_debug ("Destroying the session failed: %s", error->message);
  if (tc != NULL)
    finish (tc);
}

static void
stop_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  TestCall *tc = request_take (user_data);

  relais_room_call_stop_finish (RELAIS_ROOM_CALL (object), result, NULL);
  if (tc == NULL)
    return;
  drop_call (tc);
  relais_janus_destroy_async (tc->janus, NULL, destroy_cb, request_new (tc));
}

static void
begin_shutdown (TestCall *tc)
{
  if (tc->ending)
    return;

  tc->ending = TRUE;
  tc->ended_at = g_get_monotonic_time ();
  g_clear_handle_id (&tc->duration_source, g_source_remove);
  g_clear_handle_id (&tc->peer_wait_source, g_source_remove);
  g_clear_handle_id (&tc->stats_source, g_source_remove);
  sample_stats (tc);
  tc->shutdown_source = g_timeout_add (SHUTDOWN_MAX_MS, shutdown_timeout_cb, tc);

  if (tc->janus == NULL)
    {
      finish (tc);
      return;
    }
  /* Leave first so the others hear "leaving" at once, then end the
   * session (which also stops reconnecting). */
  if (tc->room_call != NULL)
    relais_room_call_stop_async (tc->room_call, NULL, stop_cb, request_new (tc));
  else
    {
      drop_call (tc);
      relais_janus_destroy_async (tc->janus, NULL, destroy_cb, request_new (tc));
    }
}

static gboolean
duration_cb (gpointer user_data)
{
  TestCall *tc = user_data;

  tc->duration_source = 0;
  begin_shutdown (tc);
  return G_SOURCE_REMOVE;
}

static void
duration_start (TestCall *tc)
{
  if (tc->duration_source == 0 && !tc->ending)
    tc->duration_source = g_timeout_add_seconds (tc->duration_s, duration_cb, tc);
}

static gboolean
peer_wait_cb (gpointer user_data)
{
  TestCall *tc = user_data;
  g_autofree char *message = NULL;

  tc->peer_wait_source = 0;
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Aucune image d’un autre participant en %d seconde.",
                                          "Aucune image d’un autre participant en %d secondes.",
                                          tc->wait_for_peer_s),
                             tc->wait_for_peer_s);
  fatal (tc, message);
  return G_SOURCE_REMOVE;
}

/* With --wait-for-peer the duration counts from the first picture of
 * another participant (who may take long to come: a browser starting on
 * a loaded machine), not from the connection. */
static void
peer_wait_start (TestCall *tc)
{
  if (tc->first_frame_at != 0)
    duration_start (tc);
  else if (tc->peer_wait_source == 0 && tc->duration_source == 0 && !tc->ending)
    tc->peer_wait_source = g_timeout_add_seconds (tc->wait_for_peer_s, peer_wait_cb, tc);
}

static gboolean
signal_cb (gpointer user_data)
{
  TestCall *tc = user_data;

  fatal (tc, _("L’appel de test a été interrompu."));
  return G_SOURCE_CONTINUE;
}

/* ---- entry points ------------------------------------------------------- */

gboolean
relais_test_call_requested (int    argc,
                            char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], "--test-call"))
        return TRUE;
    }
  return FALSE;
}

static gboolean
parse_options (TestCall  *tc,
               int       *argc,
               char    ***argv,
               GError   **error)
{
  gboolean test_call = FALSE;
  GOptionEntry entries[] = {
    { "test-call", 0, 0, G_OPTION_ARG_NONE, &test_call,
      N_("Appel de test sans fenêtre, résultat en JSON"), NULL },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &tc->config_path,
      N_("Fichier de configuration"), N_("FICHIER") },
    { "janus", 0, 0, G_OPTION_ARG_STRING, &tc->janus_url,
      N_("Adresse de l’API HTTP de Janus (sinon celle de la configuration)"), N_("URL") },
    { "room", 0, 0, G_OPTION_ARG_INT64, &tc->room,
      N_("Numéro de la salle (1234 par défaut)"), N_("N") },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &tc->pin,
      N_("Code de la salle"), N_("CODE") },
    { "duration", 0, 0, G_OPTION_ARG_INT, &tc->duration_s,
      N_("Durée de l’appel en secondes (20 par défaut)"), N_("SECONDES") },
    { "wait-for-peer", 0, 0, G_OPTION_ARG_INT, &tc->wait_for_peer_s,
      N_("Compter la durée à partir de la première image reçue, attendue au plus ce temps"), N_("SECONDES") },
    { "display", 0, 0, G_OPTION_ARG_STRING, &tc->display,
      N_("Nom affiché (sinon le nom du site)"), N_("NOM") },
    { "create-room", 0, 0, G_OPTION_ARG_NONE, &tc->create_room,
      N_("Créer la salle si elle n’existe pas"), NULL },
    { "ice-address", 0, 0, G_OPTION_ARG_STRING, &tc->ice_address,
      N_("N’utiliser que cette adresse locale pour ICE"), N_("ADRESSE") },
    { "turn-server", 0, 0, G_OPTION_ARG_STRING, &tc->turn_server,
      N_("Serveur TURN à essayer (turn://utilisateur:mot-de-passe@hôte:port[?transport=tcp], plusieurs séparés par « ; »), sinon celui de la configuration"), N_("URL") },
    { "force-relay", 0, 0, G_OPTION_ARG_NONE, &tc->force_relay,
      N_("Faire passer l’image et le son par le serveur TURN seulement"), NULL },
    { "send-file", 0, 0, G_OPTION_ARG_FILENAME, &tc->send_file,
      N_("Envoyer ce document (PDF ou JPEG) aux autres participants"), N_("FICHIER") },
    { "receive-dir", 0, 0, G_OPTION_ARG_FILENAME, &tc->receive_dir,
      N_("Accepter les documents reçus, dans ce dossier seulement"), N_("DOSSIER") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context, _("Appel de test par le serveur de visio Janus."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (*argc > 1)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Argument inattendu : %s."), (*argv)[1]);
      return FALSE;
    }
  if (tc->duration_s <= 0 || tc->duration_s > 24 * 3600)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("La durée doit être comprise entre 1 et 86400 secondes."));
      return FALSE;
    }
  if (tc->wait_for_peer_s < 0 || tc->wait_for_peer_s > 3600)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("L’attente d’un autre participant doit être comprise entre 0 et 3600 secondes."));
      return FALSE;
    }
  if (tc->room <= 0)
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_FAILED,
                   _("Le numéro de salle doit être un entier positif."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_config (TestCall  *tc,
             GError   **error)
{
  g_autofree char *path = relais_config_find_file (tc->config_path);
  const char *url;
  const char *ca_file;

  if (path != NULL)
    tc->config = relais_config_new_from_file (path, error);
  else
    tc->config = relais_config_new_default ();
  if (tc->config == NULL)
    return FALSE;

  url = tc->janus_url != NULL ? tc->janus_url : relais_config_get_janus_url (tc->config);
  if (url == NULL || *url == '\0')
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG,
                   _("Aucun serveur de visio n’est configuré : indiquez --janus URL "
                     "ou la section [gateway] du fichier de configuration."));
      return FALSE;
    }
  if (tc->janus_url == NULL)
    tc->janus_url = g_strdup (url);
  if (tc->display == NULL)
    tc->display = g_strdup (relais_config_get_site_name (tc->config));

  tc->http = relais_http_client_new ();
  ca_file = relais_config_get_ca_file (tc->config);
  if (ca_file != NULL)
    relais_http_client_set_ca_file (tc->http, ca_file);
  return TRUE;
}

static void
test_call_clear (TestCall *tc)
{
  g_clear_handle_id (&tc->duration_source, g_source_remove);
  g_clear_handle_id (&tc->peer_wait_source, g_source_remove);
  g_clear_handle_id (&tc->stats_source, g_source_remove);
  g_clear_handle_id (&tc->shutdown_source, g_source_remove);
  g_clear_handle_id (&tc->sigint_source, g_source_remove);
  g_clear_handle_id (&tc->sigterm_source, g_source_remove);
  drop_call (tc);
  if (tc->room_call != NULL)
    {
      g_signal_handlers_disconnect_by_data (tc->room_call, tc);
      g_object_run_dispose (G_OBJECT (tc->room_call));
    }
  if (tc->janus != NULL)
    {
      g_signal_handlers_disconnect_by_data (tc->janus, tc);
      g_object_run_dispose (G_OBJECT (tc->janus));
      g_clear_object (&tc->janus);
    }
  if (tc->http != NULL)
    g_object_run_dispose (G_OBJECT (tc->http));
  /* Let the cancelled requests report (their callbacks see "finished"). */
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_clear_object (&tc->room_call);
  g_clear_object (&tc->http);
  g_clear_object (&tc->config);
  g_clear_pointer (&tc->loop, g_main_loop_unref);
  g_free (tc->config_path);
  g_free (tc->janus_url);
  g_free (tc->pin);
  g_free (tc->display);
  g_free (tc->ice_address);
  g_free (tc->turn_server);
  g_free (tc->error);
  g_free (tc->video_codec_sent);
  g_clear_pointer (&tc->video_codecs_received, g_hash_table_unref);
  documents_clear (tc);
}

int
relais_test_call_main (int    argc,
                       char **argv)
{
  TestCall tc = { 0, };
  g_autoptr(GError) error = NULL;
  int status;

  tc.room = DEFAULT_ROOM;
  tc.duration_s = DEFAULT_DURATION_S;
  tc.finished = TRUE;   /* until the loop runs */

  tc.received = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  tc.video_codecs_received = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!parse_options (&tc, &argc, &argv, &error) || !load_config (&tc, &error) ||
      !documents_load (&tc, &error))
    {
      g_printerr ("%s\n", error->message);
      test_call_clear (&tc);
      return 1;
    }

  gst_init (NULL, NULL);
  tc.context = g_main_context_default ();
  tc.loop = g_main_loop_new (NULL, FALSE);
  tc.finished = FALSE;
  tc.started_at = g_get_monotonic_time ();

  /* Camera, microphone and the DTLS certificate get ready while we talk
   * to the gateway. */
  if (!ensure_call (&tc, &error))
    {
      g_printerr ("%s\n", error->message);
      test_call_clear (&tc);
      return 1;
    }

  tc.janus = relais_janus_new (tc.http, tc.janus_url, NULL);

  tc.stats_source = g_timeout_add (STATS_INTERVAL_MS, stats_tick_cb, &tc);
  tc.sigint_source = g_unix_signal_add (SIGINT, signal_cb, &tc);
  tc.sigterm_source = g_unix_signal_add (SIGTERM, signal_cb, &tc);
  relais_janus_connect_async (tc.janus, NULL, connect_cb, request_new (&tc));
  certificate_prepare (&tc);

  g_main_loop_run (tc.loop);

  status = tc.exit_status;
  test_call_clear (&tc);
  return status;
}
