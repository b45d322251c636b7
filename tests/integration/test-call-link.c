/* test-call-link.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The kiosk's headless test call (`relais-kiosk --test-call`) behind the
 * emulated link of relais-link (README-link.md): this program runs in the
 * "center" namespace under relais-link-run, with the gateway (Debian's
 * Janus) and a headless Chromium advisor (tests/advisor/participant.mjs);
 * the kiosk runs in the "booth" namespace (nsenter), so signalling and
 * media cross the link. Each case sets the link's profile through its
 * control FIFO before anything starts:
 *
 *  - clean: the verdict says the advisor got the person's sound and
 *    picture, and the advisor did decode the kiosk's frames;
 *  - blackhole: every RTP packet of the booth is lost (ICE, DTLS and RTCP
 *    pass, the advisor's stream reaches the kiosk): the kiosk sent and
 *    received pictures, but the far end got nothing, and the verdict says
 *    so ("ok": false, "media_flowed": false);
 *  - udp-blocked: only TCP to port 443 passes (the booth's firewall):
 *    the gateway's HTTP API listens on 443, and a TURN server (coturn,
 *    TCP on 443 of a second center address) is given to the kiosk with
 *    --turn-server. The call connects, the advisor sees the person: the
 *    media can only have gone through the relay;
 *  - thin and adsl: the kiosk's send rate, counted by the link on its way
 *    in (everything the booth offers the uplink), stays under the uplink's
 *    capacity once the controller settled, the advisor hears the kiosk,
 *    and the kiosk gets the advisor's picture (it publishes simulcast, as
 *    the console does, and the kiosk picks the layer its downlink
 *    carries);
 *
 * Behaviour is asserted (under a cap or not, flowing or not), not timings.
 */
#define G_LOG_DOMAIN "test-call-link"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "relais-http-client.h"
#include "relais-test-child.h"
#include "relais-test-janus.h"
#include "../relais-test-utils.h"

#define SESSION_TIMEOUT_S 30
#define PEER_WAIT_S       60
/* The send rate is measured over the WINDOW_S seconds that end
 * LEAVE_MARGIN_S before the kiosk exits (leaving takes at most 5 s): with
 * a call of RATE_CALL_S after the first picture, the window starts at
 * least RATE_CALL_S - WINDOW_S - LEAVE_MARGIN_S seconds into the call,
 * the controller's settling time. */
#define RATE_CALL_S       45
/* The clean and blackhole calls: the verdict wants 50 sound and 20
 * picture packets in the far end's reports (RELAIS_CALL_MIN_*_PACKETS),
 * a second's worth; the clean call's far end counted ~900 and ~1,200 in
 * 12 s. */
#define VERDICT_CALL_S    8
/* The cut case: 3 s of media, the 10 s cut, and time to come back. */
#define CUT_CALL_S        30
#define WINDOW_S          20
#define LEAVE_MARGIN_S    6

typedef struct
{
  GMainContext     *context;
  RelaisTestJanus  *gateway;
  RelaisHttpClient *client;
  const char       *kiosk;
  const char       *center;
  const char       *booth;
  const char       *booth_pid;
  const char       *control;
  const char       *stats_path;
  char             *node;
  char             *participant;
  RelaisTestChild  *turn;         /* coturn, udp-blocked only */
  char             *turn_dir;
  /* The link's counters, sampled once a second while a call runs. */
  GArray           *samples;      /* Sample */
  GSource          *sample_source;
  /* The cut case: cut the link for CUT_S once media has flowed both ways
   * for 3 s; when it was cut (monotonic µs, 0: not yet). */
  gboolean          cut_armed;
  gint64            cut_at;
} Fixture;

/* A case's link profile, and its uplink's capacity (the profile's, from
 * issue 10, not read back from relais-link) for the send rate cases. */
typedef struct
{
  const char *profile;
  double      up_bps;
  gboolean    turn;       /* the gateway on 443, coturn on TURN_ADDR:443 */
} RateCase;

static const RateCase clean_case = { "clean", 0, FALSE };
static const RateCase blackhole_case = { "blackhole", 0, FALSE };
static const RateCase udp_blocked_case = { "udp-blocked", 0, TRUE };
static const RateCase cut_case = { "cut", 0, FALSE };
static const RateCase rate_cases[] = {
  { "thin", 150000, FALSE },
  { "adsl", 400000, FALSE },
};

/* The TURN server's own address in the center (the gateway keeps
 * RELAIS_LINK_CENTER_ADDR: both want port 443), and its test account. */
#define TURN_ADDR     "10.78.0.3"
#define TURN_USER     "relais"
#define TURN_PASSWORD "Relais-test-42"
#define TURN_URL      "turn://" TURN_USER ":" TURN_PASSWORD "@" TURN_ADDR ":443"

typedef struct
{
  gint64  at;             /* monotonic µs */
  double  elapsed;        /* the link's own clock, s */
  guint64 up_in_bytes;    /* offered by the booth */
  guint64 up_dropped;     /* lost in its queue */
  guint64 up_forwarded;   /* delivered to the center */
  guint64 down_forwarded; /* delivered to the booth */
} Sample;

/* ---- the link ------------------------------------------------------------ */

static void
link_command (Fixture    *f,
              const char *line)
{
  g_autofree char *text = g_strconcat (line, "\n", NULL);
  int fd = open (f->control, O_WRONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, text, strlen (text)), ==, (gssize) strlen (text));
  close (fd);
}

static GKeyFile *
link_stats_load (Fixture *f)
{
  g_autoptr(GKeyFile) stats = g_key_file_new ();

  if (!g_key_file_load_from_file (stats, f->stats_path, G_KEY_FILE_NONE, NULL))
    return NULL;
  return g_steal_pointer (&stats);
}

/* Asks the link for its counters and waits until the file says a newer
 * time than @after (the link's own elapsed seconds). */
static GKeyFile *
link_stats (Fixture *f,
            double   after)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  link_command (f, "stats");
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GKeyFile) stats = link_stats_load (f);

      if (stats != NULL && g_key_file_get_double (stats, "link", "elapsed", NULL) > after)
        return g_steal_pointer (&stats);
      g_usleep (20 * 1000);
    }
  g_error ("relais-link did not rewrite its counters");
  return NULL;
}

/* Media both ways between two samples: more than MEDIA_BPS delivered each
 * way (sound alone is ~40 kbit/s with its headers; signalling, a few). */
#define MEDIA_BPS 100000.0
#define CUT_S     10

static gboolean
both_ways (const Sample *from,
           const Sample *to)
{
  double seconds = to->elapsed - from->elapsed;

  return seconds > 0
         && (to->up_forwarded - from->up_forwarded) * 8.0 / seconds > MEDIA_BPS
         && (to->down_forwarded - from->down_forwarded) * 8.0 / seconds > MEDIA_BPS;
}

static gboolean
sample_cb (gpointer user_data)
{
  Fixture *f = user_data;
  double last = f->samples->len > 0 ? g_array_index (f->samples, Sample, f->samples->len - 1).elapsed : 0;
  g_autoptr(GKeyFile) stats = link_stats (f, last);
  Sample s = {
    .at = g_get_monotonic_time (),
    .elapsed = g_key_file_get_double (stats, "link", "elapsed", NULL),
    .up_in_bytes = g_key_file_get_uint64 (stats, "up", "in-bytes", NULL),
    .up_dropped = g_key_file_get_uint64 (stats, "up", "dropped-queue", NULL),
    .up_forwarded = g_key_file_get_uint64 (stats, "up", "forwarded-bytes", NULL),
    .down_forwarded = g_key_file_get_uint64 (stats, "down", "forwarded-bytes", NULL),
  };

  g_array_append_val (f->samples, s);
  if (f->cut_armed && f->cut_at == 0 && f->samples->len >= 4)
    {
      gboolean flowing = TRUE;

      for (guint i = f->samples->len - 3; i < f->samples->len; i++)
        flowing = flowing && both_ways (&g_array_index (f->samples, Sample, i - 1),
                                        &g_array_index (f->samples, Sample, i));
      if (flowing)
        {
          g_autofree char *cut = g_strdup_printf ("cut %us", CUT_S);

          link_command (f, cut);
          f->cut_at = g_get_monotonic_time ();
          g_test_message ("link cut for %u s, %.1f s into the link", CUT_S, s.elapsed);
        }
    }
  return G_SOURCE_CONTINUE;
}

/* The sample nearest @at. */
static const Sample *
sample_at (Fixture *f,
           gint64   at)
{
  const Sample *best = NULL;

  for (guint i = 0; i < f->samples->len; i++)
    {
      const Sample *s = &g_array_index (f->samples, Sample, i);

      if (best == NULL || ABS (s->at - at) < ABS (best->at - at))
        best = s;
    }
  g_assert_nonnull (best);
  return best;
}

/* The booth's offered rate (bit/s) between two samples, by the link's
 * clock. */
static double
offered_rate (const Sample *from,
              const Sample *to)
{
  g_assert_cmpfloat (to->elapsed, >, from->elapsed);
  return (to->up_in_bytes - from->up_in_bytes) * 8.0 / (to->elapsed - from->elapsed);
}

/* ---- the TURN server ----------------------------------------------------- */

static void
run_or_fail (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
}

/* coturn on TURN_ADDR (a second address of the center's end of the link),
 * TCP and UDP on port 443, long-term credentials, relaying from that
 * address; its log on stdout. Waits until it accepts connections. */
static void
start_turn (Fixture *f)
{
  const char *ip_argv[] = { "ip", "address", "add", TURN_ADDR "/32", "dev", "relais-center", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_file = NULL;
  g_autofree char *db = NULL;
  g_autofree char *binary = g_find_program_in_path ("turnserver");
  gint64 deadline;

  if (binary == NULL)
    {
      g_test_fail_printf ("coturn's turnserver is missing (Debian package coturn): run packaging/relais-dev.sh test");
      return;
    }
  run_or_fail (ip_argv);
  f->turn_dir = g_dir_make_tmp ("relais-turn-XXXXXX", &error);
  g_assert_no_error (error);
  pid_file = g_build_filename (f->turn_dir, "turnserver.pid", NULL);
  db = g_build_filename (f->turn_dir, "turndb", NULL);
  {
    const char *argv[] = {
      binary, "-n", "--listening-ip=" TURN_ADDR, "--relay-ip=" TURN_ADDR,
      "--listening-port=443", "--min-port=49152", "--max-port=49252",
      "--lt-cred-mech", "--user=" TURN_USER ":" TURN_PASSWORD, "--realm=relais.test",
      "--no-tls", "--no-dtls", "--no-cli", "--no-rfc5780", "--no-stun-backward-compatibility",
      "--allowed-peer-ip=10.78.0.0-10.78.0.255",
      "--log-file=stdout", "--simple-log", "--verbose",
      "--pidfile", pid_file, "--userdb", db,
      NULL
    };

    f->turn = relais_test_child_spawn ("coturn", argv);
  }
  /* Ready once TCP 443 answers. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GError) connect_error = NULL;

      connection = g_socket_client_connect_to_host (client, TURN_ADDR ":443", 443, NULL, &connect_error);
      if (connection != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      relais_test_iterate_for (f->context, 50);
    }
}

/* Stops coturn; its log. */
static char *
stop_turn (Fixture *f)
{
  char *log;

  g_subprocess_send_signal (f->turn->process, SIGTERM);
  relais_test_child_wait (f->context, f->turn, 60 * 60 * 1000);
  log = g_strdup (f->turn->out != NULL ? f->turn->out : "");
  g_clear_pointer (&f->turn, relais_test_child_free);
  return log;
}

/* ---- fixture ------------------------------------------------------------ */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *profile = ((const RateCase *) data)->profile;
  const char *srcdir = g_getenv ("RELAIS_INTEGRATION_DIR");
  g_autofree char *advisor_dir = NULL;
  g_autofree char *playwright = NULL;
  g_autofree char *set = NULL;

  f->context = relais_test_context_push ();
  f->client = relais_http_client_new ();
  f->samples = g_array_new (FALSE, FALSE, sizeof (Sample));

  /* Never a skip: a test that cannot run has failed. */
  f->center = g_getenv ("RELAIS_LINK_CENTER_ADDR");
  f->booth = g_getenv ("RELAIS_LINK_BOOTH_ADDR");
  f->booth_pid = g_getenv ("RELAIS_LINK_BOOTH_PID");
  f->control = g_getenv ("RELAIS_LINK_CONTROL");
  f->stats_path = g_getenv ("RELAIS_LINK_STATS");
  if (f->center == NULL || f->booth == NULL || f->booth_pid == NULL || f->control == NULL
      || f->stats_path == NULL)
    {
      g_test_fail_printf ("Needs the namespaces of relais-link-run (RELAIS_LINK_*)");
      return;
    }
  /* The gateway and the browser take the center's address. */
  g_setenv ("RELAIS_TEST_ADDR", f->center, TRUE);
  if (relais_test_janus_addr_or_fail () == NULL)
    return;
  f->kiosk = g_getenv ("RELAIS_KIOSK");
  if (f->kiosk == NULL || !g_file_test (f->kiosk, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("relais-kiosk not found (RELAIS_KIOSK, set by tests/integration/meson.build)");
      return;
    }
  g_assert_nonnull (srcdir);
  advisor_dir = g_build_filename (srcdir, "..", "advisor", NULL);
  f->participant = g_build_filename (advisor_dir, "participant.mjs", NULL);
  playwright = g_build_filename (advisor_dir, "node_modules", "playwright-core", "package.json", NULL);
  f->node = g_find_program_in_path ("node");
  if (f->node == NULL || !g_file_test (playwright, G_FILE_TEST_EXISTS))
    {
      g_test_fail_printf ("Node.js or tests/advisor/node_modules is missing: run packaging/relais-dev.sh test");
      return;
    }

  /* The whole case on this profile, signalling included. */
  set = g_strdup_printf ("set profile=%s", profile);
  link_command (f, set);
  g_test_message ("link profile %s", profile);

  if (((const RateCase *) data)->turn)
    {
      start_turn (f);
      f->gateway = relais_test_janus_new_on_port (f->center, 443, SESSION_TIMEOUT_S);
    }
  else
    f->gateway = relais_test_janus_new (f->center, SESSION_TIMEOUT_S);
  g_test_message ("Janus ready in %.0f ms", relais_test_janus_start (f->gateway, f->client));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->sample_source != NULL)
    g_source_destroy (f->sample_source);
  g_clear_pointer (&f->sample_source, g_source_unref);
  if (f->gateway != NULL)
    relais_test_janus_kill (f->gateway);
  g_clear_pointer (&f->turn, relais_test_child_free);
  if (f->turn_dir != NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (f->turn_dir);
      g_autoptr(GFileEnumerator) children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                        G_FILE_QUERY_INFO_NONE, NULL, NULL);
      GFileInfo *info;

      while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
        {
          g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));

          g_file_delete (child, NULL, NULL);
          g_object_unref (info);
        }
      g_file_delete (dir, NULL, NULL);
      g_free (f->turn_dir);
    }
  relais_test_finalize_iterating (f->context, g_steal_pointer (&f->client));
  g_clear_pointer (&f->gateway, relais_test_janus_free);
  g_clear_pointer (&f->samples, g_array_unref);
  g_free (f->node);
  g_free (f->participant);
  relais_test_context_pop (f->context);
}

/* ---- a call ------------------------------------------------------------- */

typedef struct
{
  RelaisTestChild *kiosk;
  RelaisTestChild *browser;
  JsonObject      *report;     /* the kiosk's */
  JsonObject      *summary;    /* the advisor's */
} Call;

static void
call_clear (Call *call)
{
  g_clear_pointer (&call->kiosk, relais_test_child_free);
  g_clear_pointer (&call->browser, relais_test_child_free);
  g_clear_pointer (&call->report, json_object_unref);
  g_clear_pointer (&call->summary, json_object_unref);
}

/* The kiosk in the booth and the advisor in the center, in a new room,
 * for @duration_s after the kiosk's first picture of the advisor. */
static void
run_call (Fixture *f,
          Call    *call,
          guint    duration_s)
{
  guint64 room = 100000 + g_random_int_range (0, 800000);
  g_autofree char *room_text = g_strdup_printf ("%" G_GUINT64_FORMAT, room);
  g_autofree char *duration = g_strdup_printf ("%u", duration_s);
  /* Then it stays until the kiosk has left (--stay-until-left), and no
   * longer. */
  g_autofree char *browser_duration = g_strdup_printf ("%u", duration_s);
  g_autofree char *wait = g_strdup_printf ("%u", PEER_WAIT_S);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *wd = g_strdup_printf ("--wd=%s", cwd);
  const char *kiosk_argv[] = {
    "nsenter", "-t", f->booth_pid, "-n", "-m", wd, "--",
    f->kiosk, "--test-call",
    "--janus", relais_test_janus_get_base_url (f->gateway),
    "--room", room_text, "--create-room",
    "--duration", duration,
    "--wait-for-peer", wait,
    "--display", "kiosk",
    "--ice-address", f->booth,
    /* Last: a relay where the case has one. */
    f->turn != NULL ? "--turn-server" : NULL, TURN_URL,
    NULL
  };
  const char *browser_argv[] = {
    f->node, f->participant,
    "--janus", relais_test_janus_get_base_url (f->gateway),
    "--room", room_text,
    "--display", "advisor",
    "--expect-publishers", "1",
    "--duration", browser_duration,
    "--stay-until-left",
    /* As the console publishes: the kiosk picks the layer its downlink
     * carries. */
    "--simulcast",
    NULL
  };

  /* On the test's context, which the waits below iterate. */
  f->sample_source = g_timeout_source_new (1000);
  g_source_set_callback (f->sample_source, sample_cb, f, NULL);
  g_source_attach (f->sample_source, f->context);
  call->kiosk = relais_test_child_spawn ("kiosk", kiosk_argv);
  call->browser = relais_test_child_spawn ("chromium", browser_argv);
  g_assert_true (relais_test_child_wait (f->context, call->kiosk, (PEER_WAIT_S + duration_s + 20) * 1000));
  g_source_destroy (f->sample_source);
  g_clear_pointer (&f->sample_source, g_source_unref);
  g_assert_true (relais_test_child_wait (f->context, call->browser, (PEER_WAIT_S + duration_s + 90) * 1000));

  relais_test_child_log (call->kiosk, 40);
  g_test_message ("kiosk stdout: %s", call->kiosk->out ? g_strstrip (call->kiosk->out) : "");
  call->report = relais_test_child_json (call->kiosk, NULL);
  g_assert_nonnull (call->report);
  relais_test_child_log (call->browser, 20);
  call->summary = relais_test_child_json (call->browser, "summary");
  g_assert_nonnull (call->summary);
}

static gint64
far_end (Call       *call,
         const char *member)
{
  JsonObject *far = json_object_get_object_member (call->report, "far_end");

  g_assert_nonnull (far);
  return json_object_get_int_member (far, member);
}

/* Frames the advisor decoded from the kiosk, and its audio packets. */
static gint64
advisor_frames (Call *call)
{
  return json_object_get_int_member_with_default (call->summary, "framesDecoded", -1);
}

static gint64
advisor_audio_packets (Call *call)
{
  return json_object_get_int_member_with_default (call->summary, "audioPacketsReceived", -1);
}

static void
log_call (const char *profile,
          Call       *call)
{
  g_test_message ("MEASURE %s: kiosk ok %d, media_flowed %d, frames sent %" G_GINT64_FORMAT
                  ", received %" G_GINT64_FORMAT "; far end got audio %" G_GINT64_FORMAT
                  " (lost %" G_GINT64_FORMAT ", sent %" G_GINT64_FORMAT "), video %" G_GINT64_FORMAT
                  " (lost %" G_GINT64_FORMAT ", sent %" G_GINT64_FORMAT "); step %s (lowest %s); "
                  "advisor decoded %" G_GINT64_FORMAT " frames, %" G_GINT64_FORMAT " audio packets",
                  profile,
                  json_object_get_boolean_member (call->report, "ok"),
                  json_object_get_boolean_member (call->report, "media_flowed"),
                  json_object_get_int_member (call->report, "frames_sent"),
                  json_object_get_int_member (call->report, "frames_received"),
                  far_end (call, "audio_packets"), far_end (call, "audio_lost"), far_end (call, "audio_sent"),
                  far_end (call, "video_packets"), far_end (call, "video_lost"), far_end (call, "video_sent"),
                  json_object_get_string_member (call->report, "link_step"),
                  json_object_get_string_member (call->report, "link_step_lowest"),
                  advisor_frames (call), advisor_audio_packets (call));
}

/* ---- tests -------------------------------------------------------------- */

/* A clean link: the verdict and the advisor agree that media flowed. */
static void
test_clean (Fixture       *f,
            gconstpointer  data)
{
  Call call = { 0 };

  if (f->gateway == NULL)
    return;

  run_call (f, &call, VERDICT_CALL_S);
  log_call (((const RateCase *) data)->profile, &call);
  g_assert_cmpint (advisor_frames (&call), >, 0);
  g_assert_true (json_object_get_boolean_member (call.report, "media_flowed"));
  g_assert_true (json_object_get_boolean_member (call.report, "ok"));
  g_assert_cmpint (call.kiosk->status, ==, 0);
  call_clear (&call);
}

/* Nothing the kiosk sends arrives, while everything else works: it sends
 * and receives pictures, the advisor gets none, and the verdict tells the
 * truth. */
static void
test_blackhole (Fixture       *f,
                gconstpointer  data)
{
  Call call = { 0 };

  if (f->gateway == NULL)
    return;

  run_call (f, &call, VERDICT_CALL_S);
  log_call (((const RateCase *) data)->profile, &call);
  /* The premise: the call was up both ways but for the booth's RTP. */
  g_assert_cmpint (json_object_get_int_member (call.report, "frames_sent"), >, 0);
  g_assert_cmpint (json_object_get_int_member (call.report, "frames_received"), >, 0);
  g_assert_cmpint (advisor_frames (&call), ==, 0);
  /* The verdict. */
  g_assert_false (json_object_get_boolean_member (call.report, "media_flowed"));
  g_assert_false (json_object_get_boolean_member (call.report, "ok"));
  g_assert_cmpint (far_end (&call, "video_packets"), ==, 0);
  g_assert_cmpint (far_end (&call, "audio_packets"), ==, 0);
  g_assert_cmpint (call.kiosk->status, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (call.report, "error"), ==,
                   "Le correspondant n’a pas reçu l’image et le son de ce poste.");
  call_clear (&call);
}


/* What the booth offers the uplink, once settled, fits in it; the
 * advisor hears the kiosk. */
static void
test_send_rate (Fixture       *f,
                gconstpointer  data)
{
  const RateCase *rc = data;
  Call call = { 0 };
  const Sample *from, *to;
  double rate;

  if (f->gateway == NULL)
    return;

  run_call (f, &call, RATE_CALL_S);
  log_call (rc->profile, &call);
  to = sample_at (f, call.kiosk->exited_at - LEAVE_MARGIN_S * G_USEC_PER_SEC);
  from = sample_at (f, call.kiosk->exited_at - (LEAVE_MARGIN_S + WINDOW_S) * G_USEC_PER_SEC);
  rate = offered_rate (from, to);
  g_test_message ("MEASURE %s: the booth offered %.0f kbit/s to a %.0f kbit/s uplink over %.1f s "
                  "(%" G_GUINT64_FORMAT " packets dropped by its queue meanwhile)",
                  rc->profile, rate / 1000, rc->up_bps / 1000, to->elapsed - from->elapsed,
                  to->up_dropped - from->up_dropped);
  for (guint i = 1; i < f->samples->len; i++)
    {
      const Sample *a = &g_array_index (f->samples, Sample, i - 1);
      const Sample *b = &g_array_index (f->samples, Sample, i);

      g_test_message ("%s: t=%.0f s up %.0f kbit/s", rc->profile, b->elapsed, offered_rate (a, b) / 1000);
    }
  g_assert_cmpfloat (to->elapsed - from->elapsed, >=, WINDOW_S * 0.8);
  g_test_message ("%s: kiosk exit status %d, %s; it received %.1f fps, the advisor %.1f fps",
                  rc->profile, call.kiosk->status,
                  json_object_get_null_member (call.report, "error") ? "no error"
                  : json_object_get_string_member (call.report, "error"),
                  json_object_get_double_member (call.report, "fps_received"),
                  advisor_frames (&call) / json_object_get_double_member (call.report, "duration_s"));
  g_assert_cmpfloat (rate, <=, rc->up_bps);
  /* The advisor's picture through the thin downlink too: the kiosk asks
   * Janus for the simulcast layer it carries (relais-layer-choice.c), and
   * its call is good both ways. */
  g_assert_cmpint (json_object_get_int_member (call.report, "frames_received"), >, 0);
  g_assert_true (json_object_get_boolean_member (call.report, "ok"));
  g_assert_cmpint (call.kiosk->status, ==, 0);
  /* The sound reached the advisor. */
  g_assert_cmpint (advisor_audio_packets (&call), >, 0);
  g_assert_true (json_object_get_boolean_member (call.report, "media_flowed"));
  call_clear (&call);
}

/* Only TCP to 443 passes: the call goes through the TURN server's TCP
 * leg, and the advisor sees and hears the person. */
static void
test_udp_blocked (Fixture       *f,
                  gconstpointer  data)
{
  Call call = { 0 };
  g_autoptr(GKeyFile) stats = NULL;
  g_autofree char *turn_log = NULL;

  if (f->gateway == NULL || f->turn == NULL)
    return;

  run_call (f, &call, VERDICT_CALL_S);
  log_call (((const RateCase *) data)->profile, &call);
  stats = link_stats (f, 0);
  g_test_message ("MEASURE udp-blocked: the link dropped %" G_GUINT64_FORMAT " packets of the booth "
                  "and %" G_GUINT64_FORMAT " towards it (not TCP to or from 443)",
                  g_key_file_get_uint64 (stats, "up", "dropped-filter", NULL),
                  g_key_file_get_uint64 (stats, "down", "dropped-filter", NULL));
  /* The premise: the booth tried other ways, which the link stopped. */
  g_assert_cmpuint (g_key_file_get_uint64 (stats, "up", "dropped-filter", NULL), >, 0);
  /* Through the relay: media flowed both ways. */
  g_assert_cmpint (advisor_frames (&call), >, 0);
  g_assert_cmpint (advisor_audio_packets (&call), >, 0);
  g_assert_cmpint (json_object_get_int_member (call.report, "frames_received"), >, 0);
  g_assert_true (json_object_get_boolean_member (call.report, "media_flowed"));
  g_assert_true (json_object_get_boolean_member (call.report, "ok"));
  g_assert_cmpint (call.kiosk->status, ==, 0);
  /* coturn says so: the booth connected over TCP, and the session of the
   * kiosk's account took the media in (rb: bytes from the client). */
  turn_log = stop_turn (f);
  {
    g_auto(GStrv) lines = g_strsplit (turn_log, "\n", -1);
    g_autofree char *booth_tcp = g_strdup_printf ("tcp or tls connected to: %s:", f->booth);
    gboolean connected = FALSE;
    guint64 relayed = 0;

    for (guint i = 0; lines[i] != NULL; i++)
      {
        const char *usage = strstr (lines[i], " usage: realm=<relais.test>, username=<" TURN_USER ">");
        const char *rb = usage != NULL ? strstr (usage, ", rb=") : NULL;

        connected = connected || strstr (lines[i], booth_tcp) != NULL;
        if (rb != NULL && strstr (lines[i], "peer usage") == NULL)
          relayed += g_ascii_strtoull (rb + 5, NULL, 10);
      }
    g_test_message ("MEASURE udp-blocked: coturn took %" G_GUINT64_FORMAT " bytes from the kiosk over TCP 443",
                    relayed);
    if (!connected || relayed == 0)
      g_test_message ("coturn's log:\n%s", turn_log);
    g_assert_true (connected);
    g_assert_cmpuint (relayed, >, 0);
  }
  call_clear (&call);
}

/* A 10 s cut in the middle of a call: the call comes back by itself,
 * media both ways again after the link's return (what the link delivers,
 * second by second), and the kiosk's report says how. */
static void
test_cut (Fixture       *f,
          gconstpointer  data)
{
  Call call = { 0 };
  gint64 back_at = 0;
  gint64 returned_at;
  gint64 lost_at, reconnected_at, media_back_at;

  if (f->gateway == NULL)
    return;

  f->cut_armed = TRUE;
  run_call (f, &call, CUT_CALL_S);
  log_call (((const RateCase *) data)->profile, &call);
  /* The premise: media flowed, then the link was cut. */
  g_assert_cmpint (f->cut_at, >, 0);
  returned_at = f->cut_at + CUT_S * G_USEC_PER_SEC;
  /* The first second after the return with media both ways. */
  for (guint i = 1; i < f->samples->len && back_at == 0; i++)
    {
      const Sample *a = &g_array_index (f->samples, Sample, i - 1);
      const Sample *b = &g_array_index (f->samples, Sample, i);

      if (a->at >= returned_at && both_ways (a, b))
        back_at = b->at;
    }
  lost_at = json_object_get_int_member (call.report, "lost_at_us");
  reconnected_at = json_object_get_int_member (call.report, "reconnected_at_us");
  media_back_at = json_object_get_int_member (call.report, "media_back_at_us");
  g_test_message ("MEASURE cut: media both ways %.1f s after the link's return (1 s samples); "
                  "the kiosk lost the gateway %.1f s into the cut, reconnected %.1f s after the return, "
                  "its first picture of the new call %.1f s after the return (%" G_GINT64_FORMAT " losses)",
                  back_at ? (back_at - returned_at) / 1e6 : -1.0,
                  lost_at ? (lost_at - f->cut_at) / 1e6 : -1.0,
                  reconnected_at ? (reconnected_at - returned_at) / 1e6 : -1.0,
                  media_back_at ? (media_back_at - returned_at) / 1e6 : -1.0,
                  json_object_get_int_member (call.report, "gateway_lost"));
  /* Behaviour: media came back both ways, the call ended well. */
  g_assert_cmpint (back_at, >, 0);
  g_assert_cmpint (advisor_frames (&call), >, 0);
  g_assert_true (json_object_get_boolean_member (call.report, "media_flowed"));
  g_assert_true (json_object_get_boolean_member (call.report, "ok"));
  g_assert_cmpint (call.kiosk->status, ==, 0);
  call_clear (&call);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/call-link/clean", Fixture, &clean_case, fixture_setup, test_clean, fixture_teardown);
  g_test_add ("/call-link/blackhole", Fixture, &blackhole_case, fixture_setup, test_blackhole, fixture_teardown);
  g_test_add ("/call-link/udp-blocked", Fixture, &udp_blocked_case, fixture_setup, test_udp_blocked, fixture_teardown);
  g_test_add ("/call-link/cut", Fixture, &cut_case, fixture_setup, test_cut, fixture_teardown);
  for (gsize i = 0; i < G_N_ELEMENTS (rate_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/call-link/send-rate/%s", rate_cases[i].profile);

      g_test_add (path, Fixture, &rate_cases[i], fixture_setup, test_send_rate, fixture_teardown);
    }

  return g_test_run ();
}
