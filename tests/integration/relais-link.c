/* relais-link.c: an emulated network link between two TUN devices
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The kernel here has no netem (see DESIGN.md, "Weak links here"), so the
 * weak links of the tests are emulated in user space: this program opens
 * two TUN devices (IFF_TUN | IFF_NO_PI), the "center" one and the "booth"
 * one, reads the IP packets each side sends and writes them to the other
 * after the emulated path of that direction:
 *
 *   filter → cut → token bucket + drop-tail queue → loss → delay + jitter
 *          → cut → write
 *
 * "down" is center → booth (the booth's downlink), "up" is booth → center.
 * relais-link-run makes the namespaces and moves the devices into them
 * (the file descriptors stay attached); README-link.md says how to use it.
 *
 * One thread, one ppoll() whose timeout is the next event of the rate and
 * delay stages: it never spins. Signals arrive on a signalfd: SIGUSR1
 * prints the counters (and rewrites --stats), SIGUSR2 toggles a cut,
 * SIGTERM/SIGINT/SIGHUP end the program after printing the counters.
 * Commands arrive as lines on the control FIFO (--control): see
 * handle_command().
 */
#define _GNU_SOURCE   /* ppoll, accept4 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_tun.h>

#include <glib.h>
#include <glib/gstdio.h>

#define MTU_BYTES         1500
#define MIN_QUEUE_BYTES   (2 * MTU_BYTES)   /* floor of a queue given in time */
#define READ_BATCH        256               /* packets read per wake and device */
#define PACKET_MAX        65536

enum { DOWN, UP, N_DIRS };
static const char *const dir_names[N_DIRS] = { "down", "up" };

/* ---- parameters --------------------------------------------------------- */

typedef struct
{
  double   rate_bps;       /* 0: unlimited */
  gint64   delay_us;       /* one way */
  gint64   jitter_us;      /* uniform in [-jitter, +jitter] */
  double   loss;           /* mean loss, 0..1 */
  double   burst;          /* mean length of a loss burst (packets); <= 1: random */
  gint64   queue_bytes;    /* > 0: the drop-tail limit in bytes */
  gint64   queue_us;       /* else the limit is this much time at the rate */
  gint64   bucket_bytes;   /* token bucket depth */
  gboolean reorder;        /* jitter may reorder packets */
  gboolean drop_rtp;       /* lose every RTP packet (not RTCP, STUN, DTLS) */
} DirParams;

typedef struct
{
  DirParams dir[N_DIRS];
  guint     filter_tcp_port;  /* 0: no filter; else only TCP to this port passes */
  gint64    cut_at_us;        /* < 0: no timed cut */
  gint64    cut_for_us;       /* length of a cut; 0: until restore */
} Params;

typedef struct
{
  const char *name;
  const char *settings;
  const char *summary;
} Profile;

/* The settings are parsed by apply_setting(), like the command line's. */
static const Profile profiles[] = {
  { "clean", "",
    "no shaping at all" },
  { "adsl", "down-rate=1M up-rate=400k rtt=50ms jitter=2ms loss=0.5 queue=200ms",
    "1 Mbit/s down, 400 kbit/s up, 50 ms RTT, 0.5 % loss" },
  { "lossy", "rate=1M rtt=150ms jitter=5ms loss=3 burst=3 queue=200ms",
    "1 Mbit/s both ways, 150 ms RTT, 3 % loss in bursts (mean 3 packets)" },
  { "satellite", "down-rate=2M up-rate=500k rtt=600ms jitter=10ms loss=1 queue=300ms",
    "2 Mbit/s down, 500 kbit/s up, 600 ms RTT, 1 % loss" },
  { "thin", "down-rate=300k up-rate=150k rtt=100ms jitter=5ms loss=1 queue=200ms",
    "300 kbit/s down, 150 kbit/s up, 100 ms RTT, 1 % loss" },
  { "cut", "rate=10M rtt=20ms queue=100ms cut-for=10s",
    "clean 10 Mbit/s, 20 ms RTT; `cut` (or cut-at=T) loses everything for 10 s" },
  { "udp-blocked", "rate=10M rtt=20ms queue=100ms filter=tcp:443",
    "clean 10 Mbit/s, 20 ms RTT; only TCP to port 443 passes" },
  { "blackhole", "rate=10M rtt=20ms queue=100ms up-rtp=drop",
    "clean 10 Mbit/s, 20 ms RTT; every RTP packet of the booth is lost (ICE, DTLS, RTCP pass)" },
};

static void
params_init (Params *p)
{
  memset (p, 0, sizeof *p);
  for (int d = 0; d < N_DIRS; d++)
    {
      p->dir[d].queue_us = 200 * G_TIME_SPAN_MILLISECOND;
      p->dir[d].bucket_bytes = MTU_BYTES;
    }
  p->cut_at_us = -1;
}

static const Profile *
find_profile (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (profiles); i++)
    if (g_str_equal (profiles[i].name, name))
      return &profiles[i];
  return NULL;
}

/* "1M", "400k", "2.5Mbit", "300kbit/s", "0" → bit/s. */
static gboolean
parse_rate (const char *s, double *out)
{
  char *end;
  double v = g_ascii_strtod (s, &end);
  if (end == s || v < 0 || !isfinite (v))
    return FALSE;
  switch (*end)
    {
    case 'k': case 'K': v *= 1e3; end++; break;
    case 'm': case 'M': v *= 1e6; end++; break;
    case 'g': case 'G': v *= 1e9; end++; break;
    default: break;
    }
  if (*end != '\0' && !g_str_equal (end, "bit") && !g_str_equal (end, "bit/s")
      && !g_str_equal (end, "bps"))
    return FALSE;
  *out = v;
  return TRUE;
}

/* "25ms", "1.5s", "300us"; a bare number is milliseconds. */
static gboolean
parse_time (const char *s, gint64 *out)
{
  char *end;
  double v = g_ascii_strtod (s, &end);
  double unit = G_TIME_SPAN_MILLISECOND;
  if (end == s || v < 0 || !isfinite (v))
    return FALSE;
  if (g_str_equal (end, "s"))
    unit = G_TIME_SPAN_SECOND;
  else if (g_str_equal (end, "us"))
    unit = 1;
  else if (*end != '\0' && !g_str_equal (end, "ms"))
    return FALSE;
  *out = (gint64) llround (v * unit);
  return TRUE;
}

static gboolean
parse_double (const char *s, double *out)
{
  char *end;
  double v = g_ascii_strtod (s, &end);
  if (end == s || !isfinite (v))
    return FALSE;
  *out = v;
  return *end == '\0';
}

/* Bytes: "30000", "30k" (×1000), "64KiB" (×1024). */
static gboolean
parse_bytes (const char *s, gint64 *out)
{
  char *end;
  double v = g_ascii_strtod (s, &end);
  if (end == s || v < 0 || !isfinite (v))
    return FALSE;
  if (g_str_equal (end, "k") || g_str_equal (end, "kB"))
    v *= 1000;
  else if (g_str_equal (end, "KiB"))
    v *= 1024;
  else if (*end != '\0' && !g_str_equal (end, "B"))
    return FALSE;
  *out = (gint64) llround (v);
  return TRUE;
}

static gboolean
parse_bool (const char *s, gboolean *out)
{
  if (g_str_equal (s, "1") || g_str_equal (s, "yes") || g_str_equal (s, "true"))
    *out = TRUE;
  else if (g_str_equal (s, "0") || g_str_equal (s, "no") || g_str_equal (s, "false"))
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean apply_settings (Params *p, const char *settings, GError **error);

/* One KEY=VALUE. KEY applies to both directions, or to one with a "down-"
 * or "up-" prefix. "profile=NAME" replaces everything by that profile. */
static gboolean
apply_setting (Params *p, const char *setting, GError **error)
{
  const char *eq = strchr (setting, '=');
  g_autofree char *key = NULL;
  const char *value, *name;
  int first = DOWN, last = UP;
  gboolean ok = TRUE;

  if (eq == NULL || eq == setting)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "“%s”: expected KEY=VALUE", setting);
      return FALSE;
    }
  key = g_strndup (setting, eq - setting);
  value = eq + 1;
  name = key;

  if (g_str_equal (key, "profile"))
    {
      const Profile *profile = find_profile (value);
      if (profile == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "unknown profile “%s” (--list-profiles)", value);
          return FALSE;
        }
      params_init (p);
      return apply_settings (p, profile->settings, error);
    }
  if (g_str_equal (key, "filter"))
    {
      guint64 port = 0;
      if (g_str_equal (value, "none"))
        p->filter_tcp_port = 0;
      else if (g_str_has_prefix (value, "tcp:")
               && g_ascii_string_to_unsigned (value + 4, 10, 1, 65535, &port, NULL))
        p->filter_tcp_port = (guint) port;
      else
        ok = FALSE;
      goto out;
    }
  if (g_str_equal (key, "cut-at"))
    {
      ok = parse_time (value, &p->cut_at_us);
      goto out;
    }
  if (g_str_equal (key, "cut-for"))
    {
      ok = parse_time (value, &p->cut_for_us);
      goto out;
    }

  if (g_str_has_prefix (key, "down-"))
    first = last = DOWN, name = key + 5;
  else if (g_str_has_prefix (key, "up-"))
    first = last = UP, name = key + 3;

  for (int d = first; d <= last && ok; d++)
    {
      DirParams *dp = &p->dir[d];
      double v;
      gint64 t;

      if (g_str_equal (name, "rate"))
        ok = parse_rate (value, &dp->rate_bps);
      else if (g_str_equal (name, "delay"))
        ok = parse_time (value, &dp->delay_us);
      else if (g_str_equal (name, "rtt"))
        {
          /* Half each way: "rtt" on one direction sets that one's half. */
          if ((ok = parse_time (value, &t)))
            dp->delay_us = t / 2;
        }
      else if (g_str_equal (name, "jitter"))
        ok = parse_time (value, &dp->jitter_us);
      else if (g_str_equal (name, "loss"))
        {
          const char *v_end = value;
          g_autofree char *number = NULL;
          while (*v_end != '\0' && *v_end != '%')
            v_end++;
          number = g_strndup (value, v_end - value);
          ok = (*v_end == '\0' || g_str_equal (v_end, "%"))
               && parse_double (number, &v) && v >= 0 && v <= 100;
          if (ok)
            dp->loss = v / 100.0;
        }
      else if (g_str_equal (name, "burst"))
        {
          if ((ok = parse_double (value, &v) && v >= 0))
            dp->burst = v;
        }
      else if (g_str_equal (name, "queue"))
        {
          if (g_str_has_suffix (value, "s"))
            {
              if ((ok = parse_time (value, &t)))
                dp->queue_us = t, dp->queue_bytes = 0;
            }
          else if ((ok = parse_bytes (value, &t)))
            dp->queue_bytes = t;
        }
      else if (g_str_equal (name, "bucket"))
        ok = parse_bytes (value, &dp->bucket_bytes) && dp->bucket_bytes > 0;
      else if (g_str_equal (name, "reorder"))
        ok = parse_bool (value, &dp->reorder);
      else if (g_str_equal (name, "rtp"))
        {
          if (g_str_equal (value, "pass"))
            dp->drop_rtp = FALSE;
          else if (g_str_equal (value, "drop"))
            dp->drop_rtp = TRUE;
          else
            ok = FALSE;
        }
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                       "unknown setting “%s”", key);
          return FALSE;
        }
    }

out:
  if (!ok)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "bad value in “%s”", setting);
  return ok;
}

static gboolean
apply_settings (Params *p, const char *settings, GError **error)
{
  g_auto(GStrv) words = g_strsplit_set (settings, " \t", -1);
  for (char **w = words; *w != NULL; w++)
    if (**w != '\0' && !apply_setting (p, *w, error))
      return FALSE;
  return TRUE;
}

static gint64
queue_limit (const DirParams *dp)
{
  if (dp->queue_bytes > 0)
    return dp->queue_bytes;
  return MAX (MIN_QUEUE_BYTES, (gint64) (dp->rate_bps * dp->queue_us / 8e6));
}

/* ---- the link ----------------------------------------------------------- */

typedef struct
{
  gint64 t_us;       /* when it leaves the stage it waits in */
  gsize  len;
  guint8 data[];
} Packet;

typedef struct
{
  guint64 in_packets, in_bytes;
  guint64 forwarded_packets, forwarded_bytes;
  guint64 dropped_queue, dropped_loss, dropped_cut, dropped_filter;
  guint64 write_errors;
  gint64  queue_peak_bytes;
} Counters;

typedef struct
{
  int       in_fd, out_fd;
  GQueue    rate_q;          /* Packet, waiting for tokens */
  gint64    rate_q_bytes;
  double    tokens;
  gint64    tokens_t;
  GQueue    delay_q;         /* Packet, by t_us */
  gint64    last_delivery;
  gboolean  ge_bad;          /* Gilbert–Elliott state */
  GRand    *rand;
  gint64    cut_from, cut_until;  /* cut while cut_from <= now < cut_until */
  Counters  c;
} Dir;

typedef struct
{
  Params      params;
  char       *profile;
  guint32     seed;
  Dir         dir[N_DIRS];
  gint64      start;
  guint       cuts;
  char       *stats_path;
  char       *control_path;
  gboolean    control_created;
  int         control_fd;
  GString    *control_buf;
  int         signal_fd;
  gboolean    quit;
} Link;

static gboolean
dir_cut (const Dir *d, gint64 now)
{
  return d->cut_from <= now && now < d->cut_until;
}

static void
link_cut (Link *link, int first, int last, gint64 from, gint64 length_us)
{
  gint64 until = length_us > 0 ? from + length_us : G_MAXINT64;
  for (int d = first; d <= last; d++)
    link->dir[d].cut_from = from, link->dir[d].cut_until = until;
  link->cuts++;
  if (length_us > 0)
    g_printerr ("relais-link: cut (%s) for %.1f s\n",
                first == last ? dir_names[first] : "both ways", length_us / 1e6);
  else
    g_printerr ("relais-link: cut (%s) until restore\n",
                first == last ? dir_names[first] : "both ways");
}

static void
link_restore (Link *link, int first, int last)
{
  for (int d = first; d <= last; d++)
    link->dir[d].cut_from = link->dir[d].cut_until = 0;
  g_printerr ("relais-link: restored\n");
}

/* Whether @pkt passes the filter, going in direction @dir. Only TCP to the
 * port passes: the booth's firewall lets its outgoing connections to that
 * port through (up: destination port; down: their answers, source port). */
static gboolean
filter_pass (const Link *link, int dir, const guint8 *pkt, gsize len)
{
  guint port = link->params.filter_tcp_port;
  gsize l4;
  guint proto, sport, dport;

  if (port == 0)
    return TRUE;
  if (len < 1)
    return FALSE;
  if (pkt[0] >> 4 == 4)
    {
      if (len < 20)
        return FALSE;
      if ((((pkt[6] & 0x1f) << 8) | pkt[7]) != 0)
        return FALSE;   /* a later fragment: no ports to look at */
      l4 = (pkt[0] & 0x0f) * 4;
      proto = pkt[9];
    }
  else if (pkt[0] >> 4 == 6)
    {
      l4 = 40;          /* extension headers are not looked through */
      proto = len >= 40 ? pkt[6] : 0;
    }
  else
    return FALSE;
  if (proto != 6 || len < l4 + 4)
    return FALSE;
  sport = (pkt[l4] << 8) | pkt[l4 + 1];
  dport = (pkt[l4 + 2] << 8) | pkt[l4 + 3];
  return dir == UP ? dport == port : sport == port;
}

/* Whether @pkt is a UDP datagram carrying RTP (or SRTP: its header is
 * in clear): version 2 in the first byte, and a second byte (marker and
 * payload type) outside RTCP's 192–223 (RFC 5761). STUN (first byte 0–3),
 * DTLS (20–63) and RTCP are not RTP. IPv4 only (IPv6 is off in the
 * namespaces). */
static gboolean
is_rtp (const guint8 *pkt, gsize len)
{
  gsize l4;

  if (len < 20 || pkt[0] >> 4 != 4 || pkt[9] != 17)
    return FALSE;
  if ((((pkt[6] & 0x1f) << 8) | pkt[7]) != 0)
    return FALSE;
  l4 = (pkt[0] & 0x0f) * 4;
  if (len < l4 + 8 + 12)
    return FALSE;
  return (pkt[l4 + 8] >> 6) == 2 && (pkt[l4 + 9] < 192 || pkt[l4 + 9] > 223);
}

/* Gilbert–Elliott with a loss-free good state and a lossy bad state: the
 * bad state is left with probability 1/burst (mean burst length) and
 * entered with the probability that makes the stationary loss @loss. */
static gboolean
lose (Dir *d, const DirParams *dp)
{
  double r, p;

  if (dp->loss <= 0)
    return FALSE;
  if (dp->burst <= 1 || dp->loss >= 1)
    return g_rand_double (d->rand) < dp->loss;
  r = 1.0 / dp->burst;
  p = dp->loss * r / (1.0 - dp->loss);
  if (d->ge_bad)
    {
      if (g_rand_double (d->rand) < r)
        d->ge_bad = FALSE;
    }
  else if (g_rand_double (d->rand) < p)
    d->ge_bad = TRUE;
  return d->ge_bad;
}

/* A packet leaves the bottleneck at @t: loss, then the delay line. */
static void
after_rate (Link *link, int dir, Packet *pkt, gint64 t)
{
  Dir *d = &link->dir[dir];
  const DirParams *dp = &link->params.dir[dir];
  gint64 when;
  GList *l;

  if (lose (d, dp))
    {
      d->c.dropped_loss++;
      g_free (pkt);
      return;
    }
  when = t + dp->delay_us;
  if (dp->jitter_us > 0)
    when += g_rand_int_range (d->rand, (gint32) -dp->jitter_us, (gint32) dp->jitter_us + 1);
  when = MAX (when, t);
  if (!dp->reorder)
    when = MAX (when, d->last_delivery);
  d->last_delivery = MAX (d->last_delivery, when);
  pkt->t_us = when;

  /* Sorted by time; almost always at the tail. */
  for (l = d->delay_q.tail; l != NULL; l = l->prev)
    if (((Packet *) l->data)->t_us <= when)
      break;
  if (l == NULL)
    g_queue_push_head (&d->delay_q, pkt);
  else
    g_queue_insert_after (&d->delay_q, l, pkt);
}

static void
refill (Dir *d, const DirParams *dp, gint64 now)
{
  d->tokens = MIN ((double) dp->bucket_bytes,
                   d->tokens + (now - d->tokens_t) * dp->rate_bps / 8e6);
  d->tokens_t = now;
}

/* When the head of the queue has its tokens (µs). */
static gint64
head_ready (const Dir *d, const DirParams *dp)
{
  const Packet *pkt = g_queue_peek_head ((GQueue *) &d->rate_q);
  double need = MIN ((double) pkt->len, (double) dp->bucket_bytes) - d->tokens;

  /* A packet larger than the bucket passes on a full bucket; the tokens
   * go negative and the long-term rate holds. */
  if (need <= 0)
    return d->tokens_t;
  return d->tokens_t + (gint64) ceil (need * 8e6 / dp->rate_bps);
}

/* Packets that have their tokens leave the queue, each at the moment it
 * had them rather than when the loop woke up: a late wake-up on a loaded
 * machine neither loses tokens nor shifts the departures. */
static void
service_rate (Link *link, int dir, gint64 now)
{
  Dir *d = &link->dir[dir];
  const DirParams *dp = &link->params.dir[dir];

  if (g_queue_is_empty (&d->rate_q))
    return;
  if (dp->rate_bps <= 0)
    {
      /* The rate was lifted while packets waited. */
      Packet *pkt;
      while ((pkt = g_queue_pop_head (&d->rate_q)) != NULL)
        after_rate (link, dir, pkt, now);
      d->rate_q_bytes = 0;
      return;
    }
  while (!g_queue_is_empty (&d->rate_q))
    {
      gint64 t = head_ready (d, dp);
      Packet *pkt;

      if (t > now)
        break;
      refill (d, dp, MAX (t, d->tokens_t));
      pkt = g_queue_pop_head (&d->rate_q);
      d->rate_q_bytes -= pkt->len;
      d->tokens -= pkt->len;
      after_rate (link, dir, pkt, d->tokens_t);
    }
}

static gint64
rate_wake (const Link *link, int dir)
{
  const Dir *d = &link->dir[dir];
  const DirParams *dp = &link->params.dir[dir];

  if (g_queue_is_empty ((GQueue *) &d->rate_q))
    return G_MAXINT64;
  if (dp->rate_bps <= 0)
    return 0;
  return head_ready (d, dp);
}

static void
on_packet (Link *link, int dir, const guint8 *data, gsize len, gint64 now)
{
  Dir *d = &link->dir[dir];
  const DirParams *dp = &link->params.dir[dir];
  Packet *pkt;

  d->c.in_packets++;
  d->c.in_bytes += len;
  if (!filter_pass (link, dir, data, len) || (dp->drop_rtp && is_rtp (data, len)))
    {
      d->c.dropped_filter++;
      return;
    }
  if (dir_cut (d, now))
    {
      d->c.dropped_cut++;
      return;
    }
  if (dp->rate_bps > 0 && d->rate_q_bytes + (gint64) len > queue_limit (dp))
    {
      d->c.dropped_queue++;
      return;
    }
  pkt = g_malloc (sizeof (Packet) + len);
  pkt->len = len;
  pkt->t_us = now;
  memcpy (pkt->data, data, len);
  if (dp->rate_bps <= 0)
    {
      after_rate (link, dir, pkt, now);
      return;
    }
  if (g_queue_is_empty (&d->rate_q))
    refill (d, dp, now);   /* tokens earned while idle, up to the bucket */
  g_queue_push_tail (&d->rate_q, pkt);
  d->rate_q_bytes += len;
  d->c.queue_peak_bytes = MAX (d->c.queue_peak_bytes, d->rate_q_bytes);
}

/* Packets whose time has come are written to the other side. */
static void
service_delay (Link *link, int dir, gint64 now)
{
  Dir *d = &link->dir[dir];
  Packet *pkt;

  while ((pkt = g_queue_peek_head (&d->delay_q)) != NULL && pkt->t_us <= now)
    {
      g_queue_pop_head (&d->delay_q);
      if (dir_cut (d, now))
        d->c.dropped_cut++;
      else if (write (d->out_fd, pkt->data, pkt->len) == (gssize) pkt->len)
        {
          d->c.forwarded_packets++;
          d->c.forwarded_bytes += pkt->len;
        }
      else
        d->c.write_errors++;
      g_free (pkt);
    }
}

static void
read_device (Link *link, int dir)
{
  static guint8 buf[PACKET_MAX];
  Dir *d = &link->dir[dir];

  for (int i = 0; i < READ_BATCH; i++)
    {
      gssize n = read (d->in_fd, buf, sizeof buf);
      if (n < 0)
        {
          if (errno != EAGAIN && errno != EINTR)
            g_printerr ("relais-link: reading the %s device: %s\n",
                        dir == DOWN ? "center" : "booth", g_strerror (errno));
          return;
        }
      if (n > 0)
        {
          gint64 now = g_get_monotonic_time ();
          service_rate (link, dir, now);
          on_packet (link, dir, buf, (gsize) n, now);
          service_rate (link, dir, now);
        }
    }
}

/* ---- counters ----------------------------------------------------------- */

static char *
link_stats (Link *link)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  gint64 now = g_get_monotonic_time ();
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_key_file_set_string (kf, "link", "profile", link->profile);
  g_key_file_set_uint64 (kf, "link", "seed", link->seed);
  g_key_file_set_string (kf, "link", "elapsed",
                         g_ascii_formatd (buf, sizeof buf, "%.3f", (now - link->start) / 1e6));
  g_key_file_set_uint64 (kf, "link", "cuts", link->cuts);
  g_key_file_set_uint64 (kf, "link", "filter-tcp-port", link->params.filter_tcp_port);
  for (int dir = 0; dir < N_DIRS; dir++)
    {
      const char *g = dir_names[dir];
      const Dir *d = &link->dir[dir];
      const DirParams *dp = &link->params.dir[dir];

      g_key_file_set_string (kf, g, "rate-bps", g_ascii_formatd (buf, sizeof buf, "%.0f", dp->rate_bps));
      g_key_file_set_string (kf, g, "delay-ms", g_ascii_formatd (buf, sizeof buf, "%.3f", dp->delay_us / 1e3));
      g_key_file_set_string (kf, g, "jitter-ms", g_ascii_formatd (buf, sizeof buf, "%.3f", dp->jitter_us / 1e3));
      g_key_file_set_string (kf, g, "loss-percent", g_ascii_formatd (buf, sizeof buf, "%.3f", dp->loss * 100));
      g_key_file_set_string (kf, g, "burst", g_ascii_formatd (buf, sizeof buf, "%.2f", dp->burst));
      g_key_file_set_int64 (kf, g, "queue-bytes", dp->rate_bps > 0 ? queue_limit (dp) : 0);
      g_key_file_set_boolean (kf, g, "cut", dir_cut (d, now));
      g_key_file_set_uint64 (kf, g, "in-packets", d->c.in_packets);
      g_key_file_set_uint64 (kf, g, "in-bytes", d->c.in_bytes);
      g_key_file_set_uint64 (kf, g, "forwarded-packets", d->c.forwarded_packets);
      g_key_file_set_uint64 (kf, g, "forwarded-bytes", d->c.forwarded_bytes);
      g_key_file_set_uint64 (kf, g, "dropped-queue", d->c.dropped_queue);
      g_key_file_set_uint64 (kf, g, "dropped-loss", d->c.dropped_loss);
      g_key_file_set_uint64 (kf, g, "dropped-cut", d->c.dropped_cut);
      g_key_file_set_uint64 (kf, g, "dropped-filter", d->c.dropped_filter);
      g_key_file_set_uint64 (kf, g, "write-errors", d->c.write_errors);
      g_key_file_set_int64 (kf, g, "queue-peak-bytes", d->c.queue_peak_bytes);
      g_key_file_set_uint64 (kf, g, "in-flight", g_queue_get_length ((GQueue *) &d->rate_q)
                                                   + g_queue_get_length ((GQueue *) &d->delay_q));
    }
  return g_key_file_to_data (kf, NULL, NULL);
}

static void
link_report (Link *link)
{
  g_autofree char *stats = link_stats (link);
  g_autoptr(GError) error = NULL;

  g_printerr ("relais-link: counters\n%s", stats);
  if (link->stats_path != NULL
      && !g_file_set_contents (link->stats_path, stats, -1, &error))
    g_printerr ("relais-link: %s\n", error->message);
}

/* ---- control ------------------------------------------------------------ */

/* Parses "[up|down] [DURATION]" after "cut" or "restore". */
static gboolean
parse_cut_args (char **words, int *first, int *last, gint64 *length, gboolean *has_length)
{
  *first = DOWN, *last = UP, *has_length = FALSE;
  for (char **w = words; *w != NULL; w++)
    {
      if (**w == '\0')
        continue;
      if (g_str_equal (*w, "down"))
        *first = *last = DOWN;
      else if (g_str_equal (*w, "up"))
        *first = *last = UP;
      else if (length != NULL && parse_time (*w, length))
        *has_length = TRUE;
      else
        return FALSE;
    }
  return TRUE;
}

/* One line of the control FIFO:
 *   cut [down|up] [DURATION]   lose everything (for DURATION; without it
 *                              for cut-for, and with cut-for=0 until restore)
 *   restore [down|up]          end a cut
 *   set KEY=VALUE…             change settings now (profile=NAME too)
 *   stats                      print the counters (and rewrite --stats)
 *   quit                       print the counters and end */
static void
handle_command (Link *link, char *line)
{
  g_auto(GStrv) words = g_strsplit_set (g_strstrip (line), " \t", -1);
  gint64 now = g_get_monotonic_time ();
  int first, last;
  gint64 length = 0;
  gboolean has_length;

  if (words[0] == NULL || words[0][0] == '\0' || words[0][0] == '#')
    return;
  if (g_str_equal (words[0], "cut")
      && parse_cut_args (words + 1, &first, &last, &length, &has_length))
    link_cut (link, first, last, now, has_length ? length : link->params.cut_for_us);
  else if (g_str_equal (words[0], "restore")
           && parse_cut_args (words + 1, &first, &last, NULL, &has_length))
    link_restore (link, first, last);
  else if (g_str_equal (words[0], "set"))
    {
      for (char **w = words + 1; *w != NULL; w++)
        {
          g_autoptr(GError) error = NULL;
          Params p = link->params;
          if (**w == '\0')
            continue;
          if (!apply_setting (&p, *w, &error))
            {
              g_printerr ("relais-link: %s\n", error->message);
              return;
            }
          link->params = p;
          if (g_str_has_prefix (*w, "profile="))
            {
              g_free (link->profile);
              link->profile = g_strdup (*w + 8);
            }
          g_printerr ("relais-link: set %s\n", *w);
        }
      /* Tokens are counted from now at the new rate. */
      for (int d = 0; d < N_DIRS; d++)
        service_rate (link, d, now);
    }
  else if (g_str_equal (words[0], "stats"))
    link_report (link);
  else if (g_str_equal (words[0], "quit"))
    link->quit = TRUE;
  else
    g_printerr ("relais-link: unknown command “%s”\n", line);
}

static void
read_control (Link *link)
{
  char buf[4096];
  gssize n;
  char *nl;

  while ((n = read (link->control_fd, buf, sizeof buf)) > 0)
    g_string_append_len (link->control_buf, buf, n);
  while ((nl = memchr (link->control_buf->str, '\n', link->control_buf->len)) != NULL)
    {
      g_autofree char *line = g_strndup (link->control_buf->str, nl - link->control_buf->str);
      g_string_erase (link->control_buf, 0, nl - link->control_buf->str + 1);
      handle_command (link, line);
    }
  if (link->control_buf->len > 65536)
    g_string_truncate (link->control_buf, 0);
}

static void
read_signals (Link *link)
{
  struct signalfd_siginfo si;
  gint64 now = g_get_monotonic_time ();

  while (read (link->signal_fd, &si, sizeof si) == sizeof si)
    switch (si.ssi_signo)
      {
      case SIGUSR1:
        link_report (link);
        break;
      case SIGUSR2:
        if (dir_cut (&link->dir[DOWN], now) || dir_cut (&link->dir[UP], now))
          link_restore (link, DOWN, UP);
        else
          link_cut (link, DOWN, UP, now, link->params.cut_for_us);
        break;
      default:
        link->quit = TRUE;
        break;
      }
}

/* ---- set-up and the loop ------------------------------------------------ */

static int
open_tun (const char *name, GError **error)
{
  struct ifreq ifr;
  int fd = open ("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "/dev/net/tun: %s", g_strerror (errno));
      return -1;
    }
  memset (&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  g_strlcpy (ifr.ifr_name, name, IFNAMSIZ);
  if (ioctl (fd, TUNSETIFF, &ifr) < 0)
    {
      int errsv = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   "TUNSETIFF %s: %s", name, g_strerror (errsv));
      close (fd);
      return -1;
    }
  return fd;
}

static gint64
next_event (const Link *link, gint64 now)
{
  gint64 next = G_MAXINT64;

  if (link->params.cut_at_us >= 0)
    next = link->start + link->params.cut_at_us;
  for (int dir = 0; dir < N_DIRS; dir++)
    {
      const Dir *d = &link->dir[dir];
      const Packet *head = g_queue_peek_head ((GQueue *) &d->delay_q);
      next = MIN (next, rate_wake (link, dir));
      if (head != NULL)
        next = MIN (next, head->t_us);
      /* Wake at the edges of a cut only to say so on stderr. */
      if (d->cut_from > now)
        next = MIN (next, d->cut_from);
      if (d->cut_until > now && d->cut_until != G_MAXINT64)
        next = MIN (next, d->cut_until);
    }
  return next;
}

static void
run (Link *link)
{
  gboolean was_cut = FALSE;

  while (!link->quit)
    {
      struct pollfd fds[4];
      nfds_t n = 0;
      gint64 now = g_get_monotonic_time ();
      gint64 next = next_event (link, now);
      struct timespec ts, *tsp = NULL;
      gboolean cut;

      fds[n++] = (struct pollfd) { .fd = link->dir[DOWN].in_fd, .events = POLLIN };
      fds[n++] = (struct pollfd) { .fd = link->dir[UP].in_fd, .events = POLLIN };
      fds[n++] = (struct pollfd) { .fd = link->signal_fd, .events = POLLIN };
      if (link->control_fd >= 0)
        fds[n++] = (struct pollfd) { .fd = link->control_fd, .events = POLLIN };
      if (next != G_MAXINT64)
        {
          gint64 wait = MAX (next - now, 0);
          ts.tv_sec = wait / G_USEC_PER_SEC;
          ts.tv_nsec = (wait % G_USEC_PER_SEC) * 1000;
          tsp = &ts;
        }
      if (ppoll (fds, n, tsp, NULL) < 0 && errno != EINTR)
        {
          g_printerr ("relais-link: poll: %s\n", g_strerror (errno));
          break;
        }
      now = g_get_monotonic_time ();
      if (link->params.cut_at_us >= 0 && now - link->start >= link->params.cut_at_us)
        {
          link_cut (link, DOWN, UP, link->start + link->params.cut_at_us,
                    link->params.cut_for_us);
          link->params.cut_at_us = -1;
        }
      if (fds[2].revents & POLLIN)
        read_signals (link);
      if (n > 3 && (fds[3].revents & POLLIN))
        read_control (link);
      for (int dir = 0; dir < N_DIRS; dir++)
        {
          if (fds[dir].revents & (POLLERR | POLLHUP | POLLNVAL))
            {
              g_printerr ("relais-link: the %s device is gone\n",
                          dir == DOWN ? "center" : "booth");
              link->quit = TRUE;
            }
          if (fds[dir].revents & POLLIN)
            read_device (link, dir);
        }
      now = g_get_monotonic_time ();
      for (int dir = 0; dir < N_DIRS; dir++)
        {
          service_rate (link, dir, now);
          service_delay (link, dir, now);
        }
      cut = dir_cut (&link->dir[DOWN], now) || dir_cut (&link->dir[UP], now);
      if (was_cut && !cut)
        g_printerr ("relais-link: the cut is over\n");
      was_cut = cut;
    }
}

static void
dir_clear (Dir *d)
{
  g_queue_clear_full (&d->rate_q, g_free);
  g_queue_clear_full (&d->delay_q, g_free);
  g_clear_pointer (&d->rand, g_rand_free);
  if (d->in_fd >= 0)
    close (d->in_fd);
}

int
main (int argc, char **argv)
{
  g_autofree char *center_name = NULL;
  g_autofree char *booth_name = NULL;
  g_autofree char *ready_path = NULL;
  gint64 seed = -1;
  gboolean list = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) rest = NULL;
  Link link = { 0 };
  sigset_t mask;
  const GOptionEntry entries[] = {
    { "center-tun", 0, 0, G_OPTION_ARG_STRING, &center_name, "Center device (default relais-center)", "NAME" },
    { "booth-tun", 0, 0, G_OPTION_ARG_STRING, &booth_name, "Booth device (default relais-booth)", "NAME" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the random losses and jitter", "N" },
    { "control", 0, 0, G_OPTION_ARG_FILENAME, &link.control_path, "Control FIFO (made if missing)", "PATH" },
    { "stats", 0, 0, G_OPTION_ARG_FILENAME, &link.stats_path, "Counters file, written on SIGUSR1, `stats` and exit", "PATH" },
    { "ready", 0, 0, G_OPTION_ARG_FILENAME, &ready_path, "File created once both devices exist", "PATH" },
    { "list-profiles", 0, 0, G_OPTION_ARG_NONE, &list, "List the profiles", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };
  int status = 0;

  context = g_option_context_new ("[PROFILE] [KEY=VALUE…]");
  g_option_context_set_summary (context,
    "Emulates a link between two TUN devices: rate, queue, delay, jitter, loss, cuts.\n"
    "KEY (both directions, or with a down-/up- prefix): rate, delay, rtt, jitter,\n"
    "loss (%), burst (mean loss burst, packets), queue (bytes or time), bucket,\n"
    "reorder, rtp (pass, drop); and filter (none, tcp:PORT), cut-at, cut-for.\n"
    "See README-link.md.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("relais-link: %s\n", error->message);
      return 2;
    }
  if (list)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (profiles); i++)
        g_print ("%-12s %s\n%-12s   %s\n", profiles[i].name, profiles[i].summary, "",
                 profiles[i].settings[0] != '\0' ? profiles[i].settings : "(nothing)");
      return 0;
    }

  params_init (&link.params);
  link.profile = g_strdup ("clean");
  for (char **r = rest; r != NULL && *r != NULL; r++)
    {
      if (strchr (*r, '=') == NULL)
        {
          g_free (link.profile);
          link.profile = g_strdup (*r);
          {
            g_autofree char *s = g_strconcat ("profile=", *r, NULL);
            if (!apply_setting (&link.params, s, &error))
              break;
          }
        }
      else if (!apply_setting (&link.params, *r, &error))
        break;
    }
  if (error != NULL)
    {
      g_printerr ("relais-link: %s\n", error->message);
      g_free (link.profile);
      return 2;
    }

  link.seed = seed >= 0 ? (guint32) seed : g_random_int ();
  link.control_fd = link.signal_fd = -1;
  link.dir[DOWN].in_fd = link.dir[UP].in_fd = -1;
  for (int d = 0; d < N_DIRS; d++)
    link.dir[d].rand = g_rand_new_with_seed (link.seed * 2u + (guint32) d);
  link.control_buf = g_string_new (NULL);

  sigemptyset (&mask);
  sigaddset (&mask, SIGUSR1);
  sigaddset (&mask, SIGUSR2);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGHUP);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  link.signal_fd = signalfd (-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

  link.dir[DOWN].in_fd = open_tun (center_name ? center_name : "relais-center", &error);
  if (link.dir[DOWN].in_fd >= 0)
    link.dir[UP].in_fd = open_tun (booth_name ? booth_name : "relais-booth", &error);
  if (error == NULL && link.control_path != NULL)
    {
      if (mkfifo (link.control_path, 0600) == 0)
        link.control_created = TRUE;
      else if (errno != EEXIST)
        g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno),
                     "%s: %s", link.control_path, g_strerror (errno));
      /* Read-write: the FIFO never reports end of file between writers. */
      if (error == NULL
          && (link.control_fd = open (link.control_path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
        g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno),
                     "%s: %s", link.control_path, g_strerror (errno));
    }
  if (error == NULL && link.signal_fd < 0)
    g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno),
                 "signalfd: %s", g_strerror (errno));

  if (error != NULL)
    {
      g_printerr ("relais-link: %s\n", error->message);
      status = 1;
    }
  else
    {
      link.dir[DOWN].out_fd = link.dir[UP].in_fd;
      link.dir[UP].out_fd = link.dir[DOWN].in_fd;
      link.start = g_get_monotonic_time ();
      g_printerr ("relais-link: profile %s, seed %u\n", link.profile, link.seed);
      if (ready_path != NULL && !g_file_set_contents (ready_path, "", 0, &error))
        {
          g_printerr ("relais-link: %s\n", error->message);
          status = 1;
        }
      else
        {
          run (&link);
          link_report (&link);
        }
    }

  for (int d = 0; d < N_DIRS; d++)
    dir_clear (&link.dir[d]);
  if (link.control_fd >= 0)
    close (link.control_fd);
  if (link.control_created)
    g_unlink (link.control_path);
  if (link.signal_fd >= 0)
    close (link.signal_fd);
  g_string_free (link.control_buf, TRUE);
  g_free (link.profile);
  g_free (link.control_path);
  g_free (link.stats_path);
  return status;
}
