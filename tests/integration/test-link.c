/* test-link.c: the emulated link (relais-link between two namespaces)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each case runs relais-link-run with a profile and this program twice
 * more: `test-link --center` in the center namespace (a UDP echo, a UDP
 * sink that counts what arrives, a UDP blaster on request, TCP echoes on
 * ports 443 and 8443) and `test-link --booth SCENARIO …` in the booth
 * namespace, which measures and prints key=value lines. The center prints
 * its counts when relais-link-run stops it (SIGTERM) after the booth ends;
 * the link writes its counters to a file. The test reads all three and
 * checks behaviour with tolerances, not timings to the millisecond:
 * round trip within ±30 % of the profile's, a bulk sender's rate under the
 * cap and above 60 % of it, random and bursty loss near the setting over
 * thousands of packets, a cut loses everything while it lasts, and
 * udp-blocked lets only TCP to port 443 through.
 *
 * The center and the booth share CLOCK_MONOTONIC (no time namespace), so
 * the booth's timestamps are comparable on both sides.
 */
#define _GNU_SOURCE   /* ppoll, accept4 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#define UDP_PORT        7000
#define TCP_PORT_OPEN   443
#define TCP_PORT_OTHER  8443
#define MAGIC           0x524c4e4bu   /* "RLNK" */
#define IP_UDP_HEADERS  28            /* what the link counts besides the payload */
#define BULK_SIZE       1200          /* payload of the rate tests */
#define SEED            "20261207"
#define MAX_CLIENTS     16

enum { MSG_ECHO = 1, MSG_SINK, MSG_BLAST, MSG_DATA };

typedef struct
{
  guint32 magic;
  guint8  type;
  guint8  phase;
  guint16 reserved;
  guint32 seq;
  gint64  sent_us;
  guint32 rate_bps;       /* MSG_BLAST: what to send back */
  guint32 duration_ms;
  guint32 size;
} Msg;

/* ---- both sides --------------------------------------------------------- */

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

static void out (const char *side, const char *key, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

/* One result line, "side.key=value", on stdout at once. */
static void
out (const char *side, const char *key, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *value = NULL;

  va_start (ap, fmt);
  value = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  printf ("%s.%s=%s\n", side, key, value);
  fflush (stdout);
}

static int
udp_socket (guint16 port)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int size = 4 << 20;

  if (fd < 0)
    g_error ("socket: %s", g_strerror (errno));
  setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  setsockopt (fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int) { 1 }, sizeof (int));
  if (port != 0 && bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    g_error ("bind UDP %u: %s", port, g_strerror (errno));
  return fd;
}

static void
send_msg (int fd, const struct sockaddr_in *to, Msg *m, gsize size)
{
  guint8 buf[2048] = { 0 };

  size = CLAMP (size, sizeof *m, sizeof buf);
  m->magic = MAGIC;
  memcpy (buf, m, sizeof *m);
  /* A full buffer is like a lost packet here. */
  (void) !sendto (fd, buf, size, 0, (const struct sockaddr *) to, sizeof *to);
}

/* Reads the next message of ours into @m (and its datagram into @raw);
 * its size in *@len. FALSE when none is waiting. */
static gboolean
recv_msg_stamped (int fd, Msg *m, guint8 *raw, gsize raw_size, gsize *len, struct sockaddr_in *from,
                  gint64 *stamp_us)
{
  for (;;)
    {
      struct iovec iov = { .iov_base = raw, .iov_len = raw_size };
      union { char buf[CMSG_SPACE (sizeof (struct timespec))]; struct cmsghdr align; } control;
      struct msghdr mh = {
        .msg_name = from, .msg_namelen = sizeof *from, .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control.buf, .msg_controllen = sizeof control.buf,
      };
      gssize n = recvmsg (fd, &mh, 0);

      if (stamp_us != NULL)
        {
          /* When the kernel queued it (SO_TIMESTAMPNS), not when this
           * process, maybe descheduled on a loaded machine, got to it. */
          *stamp_us = now_us ();
          for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); n >= 0 && c != NULL; c = CMSG_NXTHDR (&mh, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS)
              {
                struct timespec ts;

                memcpy (&ts, CMSG_DATA (c), sizeof ts);
                *stamp_us = (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
              }
        }
      if (n < 0)
        {
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return FALSE;
          continue;   /* an ICMP error of an earlier datagram */
        }
      if (n < (gssize) sizeof *m)
        continue;
      memcpy (m, raw, sizeof *m);
      if (m->magic != MAGIC)
        continue;
      *len = (gsize) n;
      return TRUE;
    }
}

static gboolean
recv_msg (int fd, Msg *m, guint8 *raw, gsize raw_size, gsize *len, struct sockaddr_in *from)
{
  return recv_msg_stamped (fd, m, raw, raw_size, len, from, NULL);
}

/* Waits for @fd to be readable until @until (monotonic µs). */
static gboolean
wait_readable (int fd, gint64 until)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };
  gint64 wait = until - now_us ();
  int ms = wait <= 0 ? 0 : (int) MIN ((wait + 999) / 1000, 1000000);
  return poll (&p, 1, ms) > 0;
}

static void
sleep_until (gint64 until)
{
  gint64 wait = until - now_us ();
  if (wait > 0)
    g_usleep ((gulong) wait);
}

/* ---- the center --------------------------------------------------------- */

typedef struct
{
  guint64 packets, bytes, first_bytes;
  gint64  first_us, last_us;
  gint64  next_seq;
  guint64 gaps, gap_lost;
  gint64  delay_sum_us;
} Sink;

static int
tcp_listener (guint16 port)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };
  int one = 1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    g_error ("socket: %s", g_strerror (errno));
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen (fd, 8) < 0)
    g_error ("listen TCP %u: %s", port, g_strerror (errno));
  return fd;
}

/* @now: this process's clock (the delay); @stamp: the kernel's receive
 * time (the rate's span). */
static void
sink_add (Sink *s, const Msg *m, gsize len, gint64 now, gint64 stamp)
{
  guint64 ip_bytes = len + IP_UDP_HEADERS;

  if (s->packets == 0)
    s->first_us = stamp, s->first_bytes = ip_bytes;
  s->packets++;
  s->bytes += ip_bytes;
  s->last_us = stamp;
  s->delay_sum_us += now - m->sent_us;
  if ((gint64) m->seq > s->next_seq)
    {
      s->gaps++;
      s->gap_lost += m->seq - s->next_seq;
    }
  s->next_seq = MAX (s->next_seq, (gint64) m->seq + 1);
}

static void
sink_print (const char *side, const char *name, int phase, const Sink *s)
{
  g_autofree char *p = g_strdup_printf ("%s%d", name, phase);
  double span = (double) (s->last_us - s->first_us);

  out (side, p, "%" G_GUINT64_FORMAT, s->packets);
  g_free (p);
  p = g_strdup_printf ("%s%d.bytes", name, phase);
  out (side, p, "%" G_GUINT64_FORMAT, s->bytes);
  g_free (p);
  p = g_strdup_printf ("%s%d.rate-bps", name, phase);
  out (side, p, "%.0f", span > 0 ? (s->bytes - s->first_bytes) * 8e6 / span : 0.0);
  g_free (p);
  p = g_strdup_printf ("%s%d.gaps", name, phase);
  out (side, p, "%" G_GUINT64_FORMAT, s->gaps);
  g_free (p);
  p = g_strdup_printf ("%s%d.gap-lost", name, phase);
  out (side, p, "%" G_GUINT64_FORMAT, s->gap_lost);
  g_free (p);
  p = g_strdup_printf ("%s%d.delay-ms", name, phase);
  out (side, p, "%.1f", s->packets > 0 ? s->delay_sum_us / 1e3 / s->packets : 0.0);
}

/* Echoes, counts and blasts until SIGTERM, then prints its counts. */
static int
run_center (void)
{
  int udp = udp_socket (UDP_PORT);
  int listeners[2] = { tcp_listener (TCP_PORT_OPEN), tcp_listener (TCP_PORT_OTHER) };
  int clients[MAX_CLIENTS];
  int n_clients = 0;
  g_autofree Sink *sinks = g_new0 (Sink, 256);
  gboolean blasted[256] = { FALSE };
  struct { gboolean on; guint8 phase; struct sockaddr_in to; gint64 next, end, interval;
           guint32 seq, size; } blast = { 0 };
  sigset_t mask;
  int sfd;
  gboolean quit = FALSE;

  sigemptyset (&mask);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  sfd = signalfd (-1, &mask, SFD_CLOEXEC);

  while (!quit)
    {
      struct pollfd fds[4 + MAX_CLIENTS];
      int n = 0, timeout = -1;
      guint8 raw[2048];
      Msg m;
      gsize len;
      struct sockaddr_in from;
      gint64 now, stamp;

      fds[n++] = (struct pollfd) { .fd = sfd, .events = POLLIN };
      fds[n++] = (struct pollfd) { .fd = udp, .events = POLLIN };
      fds[n++] = (struct pollfd) { .fd = listeners[0], .events = POLLIN };
      fds[n++] = (struct pollfd) { .fd = listeners[1], .events = POLLIN };
      for (int i = 0; i < n_clients; i++)
        fds[n++] = (struct pollfd) { .fd = clients[i], .events = POLLIN };
      if (blast.on)
        timeout = (int) CLAMP ((blast.next - now_us () + 999) / 1000, 0, 1000);
      if (poll (fds, n, timeout) < 0 && errno != EINTR)
        g_error ("poll: %s", g_strerror (errno));

      if (fds[0].revents & POLLIN)
        quit = TRUE;
      while (recv_msg_stamped (udp, &m, raw, sizeof raw, &len, &from, &stamp))
        {
          now = now_us ();
          switch (m.type)
            {
            case MSG_ECHO:
              (void) !sendto (udp, raw, len, 0, (struct sockaddr *) &from, sizeof from);
              break;
            case MSG_SINK:
              sink_add (&sinks[m.phase], &m, len, now, stamp);
              break;
            case MSG_BLAST:
              if (blasted[m.phase] || blast.on)
                break;
              blasted[m.phase] = TRUE;
              blast.on = TRUE;
              blast.phase = m.phase;
              blast.to = from;
              blast.size = CLAMP (m.size, sizeof (Msg), 1400);
              blast.interval = MAX (1, (gint64) ((blast.size + IP_UDP_HEADERS) * 8e6 / MAX (m.rate_bps, 1000)));
              blast.next = now;
              blast.end = now + m.duration_ms * G_TIME_SPAN_MILLISECOND;
              blast.seq = 0;
              break;
            default:
              break;
            }
        }
      for (int l = 0; l < 2; l++)
        if (fds[2 + l].revents & POLLIN)
          {
            int c = accept4 (listeners[l], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (c >= 0 && n_clients < MAX_CLIENTS)
              clients[n_clients++] = c;
            else if (c >= 0)
              close (c);
          }
      for (int i = 4; i < n; i++)
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
          {
            char buf[4096];
            gssize r = read (fds[i].fd, buf, sizeof buf);
            if (r > 0)
              (void) !write (fds[i].fd, buf, r);
            else if (r == 0 || (errno != EAGAIN && errno != EINTR))
              {
                close (fds[i].fd);
                for (int j = 0; j < n_clients; j++)
                  if (clients[j] == fds[i].fd)
                    clients[j] = clients[--n_clients];
              }
          }
      now = now_us ();
      while (blast.on && now >= blast.next)
        {
          Msg d = { .type = MSG_DATA, .phase = blast.phase, .seq = blast.seq++, .sent_us = now };
          send_msg (udp, &blast.to, &d, blast.size);
          blast.next += blast.interval;
          if (blast.next >= blast.end)
            blast.on = FALSE;
        }
    }

  for (int p = 0; p < 256; p++)
    if (sinks[p].packets > 0)
      sink_print ("center", "sink", p, &sinks[p]);
  out ("center", "done", "1");
  for (int i = 0; i < n_clients; i++)
    close (clients[i]);
  close (listeners[0]);
  close (listeners[1]);
  close (udp);
  close (sfd);
  return 0;
}

/* ---- the booth ---------------------------------------------------------- */

typedef struct
{
  int                fd;
  struct sockaddr_in center;
  guint32            sync_sent;
} Booth;

static void
drain (Booth *b)
{
  guint8 raw[2048];
  Msg m;
  gsize len;
  struct sockaddr_in from;
  while (recv_msg (b->fd, &m, raw, sizeof raw, &len, &from))
    ;
}

/* Echoes until the center answers (it may start after us). */
static void
booth_sync (Booth *b)
{
  gint64 start = now_us (), deadline = start + 15 * G_TIME_SPAN_SECOND;

  while (now_us () < deadline)
    {
      Msg m = { .type = MSG_ECHO, .phase = 0, .seq = b->sync_sent++, .sent_us = now_us () };
      gint64 until = now_us () + 100 * G_TIME_SPAN_MILLISECOND;
      send_msg (b->fd, &b->center, &m, sizeof m);
      while (wait_readable (b->fd, until))
        {
          guint8 raw[2048];
          Msg r;
          gsize len;
          struct sockaddr_in from;
          while (recv_msg (b->fd, &r, raw, sizeof raw, &len, &from))
            if (r.type == MSG_ECHO && r.phase == 0)
              {
                out ("booth", "sync-ms", "%.0f", (now_us () - start) / 1e3);
                out ("booth", "sync-sent", "%u", b->sync_sent);
                /* Late answers to earlier probes. */
                g_usleep (300 * G_TIME_SPAN_MILLISECOND);
                drain (b);
                return;
              }
        }
    }
  out ("booth", "sync-ms", "-1");
  g_printerr ("test-link: the center never answered\n");
  exit (1);
}

static int
cmp_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* @count echoes @spacing_ms apart; prints the round trips. */
static void
booth_rtt (Booth *b, guint8 phase, guint count, guint spacing_ms, guint wait_ms)
{
  g_autoptr(GArray) rtts = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 start = now_us (), next = start;
  gint64 deadline = start + (gint64) (count * spacing_ms + wait_ms) * G_TIME_SPAN_MILLISECOND;
  guint sent = 0;
  g_autofree char *key = NULL;

  while (now_us () < deadline && rtts->len < count)
    {
      guint8 raw[2048];
      Msg r;
      gsize len;
      struct sockaddr_in from;

      if (sent < count && now_us () >= next)
        {
          Msg m = { .type = MSG_ECHO, .phase = phase, .seq = sent++, .sent_us = now_us () };
          send_msg (b->fd, &b->center, &m, 64);
          next += spacing_ms * G_TIME_SPAN_MILLISECOND;
        }
      wait_readable (b->fd, sent < count ? next : deadline);
      while (recv_msg (b->fd, &r, raw, sizeof raw, &len, &from))
        if (r.type == MSG_ECHO && r.phase == phase)
          {
            gint64 rtt = now_us () - r.sent_us;
            g_array_append_val (rtts, rtt);
          }
    }
  g_array_sort (rtts, cmp_int64);
  key = g_strdup_printf ("rtt%u.count", phase);
  out ("booth", key, "%u", rtts->len);
  if (rtts->len > 0)
    {
      g_free (key);
      key = g_strdup_printf ("rtt%u.median-ms", phase);
      out ("booth", key, "%.2f", g_array_index (rtts, gint64, rtts->len / 2) / 1e3);
      g_free (key);
      key = g_strdup_printf ("rtt%u.min-ms", phase);
      out ("booth", key, "%.2f", g_array_index (rtts, gint64, 0) / 1e3);
      g_free (key);
      key = g_strdup_printf ("rtt%u.max-ms", phase);
      out ("booth", key, "%.2f", g_array_index (rtts, gint64, rtts->len - 1) / 1e3);
    }
}

/* @count datagrams of @size bytes @interval_us apart to the center's sink. */
static void
booth_sink (Booth *b, guint8 phase, guint count, gint64 interval_us, gsize size)
{
  gint64 start = now_us ();
  g_autofree char *key = g_strdup_printf ("sink%u.sent", phase);

  for (guint i = 0; i < count; i++)
    {
      Msg m = { .type = MSG_SINK, .phase = phase, .seq = i };
      sleep_until (start + i * interval_us);
      m.sent_us = now_us ();
      send_msg (b->fd, &b->center, &m, size);
    }
  out ("booth", key, "%u", count);
}

/* Asks the center to blast @rate_bps for @duration_ms and measures what
 * arrives. */
static void
booth_blast (Booth *b, guint8 phase, double rate_bps, guint duration_ms)
{
  Sink s = { 0 };
  gint64 start = now_us (), next_request = start;
  gint64 deadline = start + (duration_ms + 8000) * G_TIME_SPAN_MILLISECOND;
  gint64 idle_until = G_MAXINT64;

  while (now_us () < MIN (deadline, idle_until))
    {
      guint8 raw[2048];
      Msg r;
      gsize len;
      struct sockaddr_in from;

      if (s.packets == 0 && now_us () >= next_request)
        {
          Msg m = { .type = MSG_BLAST, .phase = phase, .sent_us = now_us (),
                    .rate_bps = (guint32) rate_bps, .duration_ms = duration_ms,
                    .size = BULK_SIZE };
          send_msg (b->fd, &b->center, &m, sizeof m);
          next_request += 300 * G_TIME_SPAN_MILLISECOND;
        }
      wait_readable (b->fd, s.packets == 0 ? next_request : MIN (deadline, idle_until));
      gint64 stamp;

      while (recv_msg_stamped (b->fd, &r, raw, sizeof raw, &len, &from, &stamp))
        if (r.type == MSG_DATA && r.phase == phase)
          {
            gint64 now = now_us ();
            sink_add (&s, &r, len, now, stamp);
            /* Done when nothing came for 600 ms. */
            idle_until = now + 600 * G_TIME_SPAN_MILLISECOND;
          }
    }
  sink_print ("booth", "blast", phase, &s);
}

static void
control (const char *command)
{
  const char *path = g_getenv ("RELAIS_LINK_CONTROL");
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  int fd;

  if (path == NULL || (fd = open (path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
    g_error ("the link's control FIFO: %s", path ? g_strerror (errno) : "RELAIS_LINK_CONTROL unset");
  if (write (fd, line, strlen (line)) != (gssize) strlen (line))
    g_error ("writing to the control FIFO: %s", g_strerror (errno));
  close (fd);
}

/* profile UP_BPS DOWN_BPS RTT_MS: the round trip, then the uplink and the
 * downlink each loaded at twice its rate for 1.2 s. */
static void
scenario_profile (Booth *b, char **args)
{
  double up = g_ascii_strtod (args[0], NULL), down = g_ascii_strtod (args[1], NULL);
  guint rtt_ms = (guint) g_ascii_strtoull (args[2], NULL, 10);
  gint64 interval = (gint64) ((BULK_SIZE + IP_UDP_HEADERS) * 8e6 / (2 * up));
  guint duration_ms = 1200;

  booth_sync (b);
  booth_rtt (b, 1, 20, 50, rtt_ms * 13 / 10 + 300);
  booth_sink (b, 2, (guint) (duration_ms * 1000 / interval), interval, BULK_SIZE);
  /* Let the uplink's queue drain before loading the downlink. */
  g_usleep ((rtt_ms + 500) * G_TIME_SPAN_MILLISECOND);
  drain (b);
  booth_blast (b, 3, 2 * down, duration_ms);
}

/* loss: 2000 datagrams with the link's random loss, then 4000 after
 * `set up-loss=3 up-burst=4` (bursty: Gilbert–Elliott). */
static void
scenario_loss (Booth *b, char **args)
{
  (void) args;
  booth_sync (b);
  booth_sink (b, 1, 2000, 500, 200);
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  control ("set up-loss=3 up-burst=4");
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  booth_sink (b, 2, 4000, 400, 200);
  g_usleep (500 * G_TIME_SPAN_MILLISECOND);
}

/* cut: echoes every 20 ms for 7 s; `cut` at 4 s, `restore` at 5 s; the
 * link's own timed cut (cut-at) comes before. Prints the silences. */
static void
scenario_cut (Booth *b, char **args)
{
  const guint spacing_ms = 20, count = 350;
  g_autofree gboolean *answered = g_new0 (gboolean, count);
  gint64 start, next, deadline;
  guint sent = 0, gaps = 0, after = 0, after_answered = 0;
  gint64 last_gap_end = 0;
  gboolean cut_sent = FALSE, restore_sent = FALSE;

  (void) args;
  booth_sync (b);
  start = next = now_us ();
  deadline = start + (count * spacing_ms + 500) * G_TIME_SPAN_MILLISECOND;
  while (now_us () < deadline)
    {
      guint8 raw[2048];
      Msg r;
      gsize len;
      struct sockaddr_in from;
      gint64 t = now_us () - start;

      if (!cut_sent && t >= 4 * G_TIME_SPAN_SECOND)
        control ("cut"), cut_sent = TRUE, out ("booth", "cut.command-ms", "%.0f", t / 1e3);
      if (!restore_sent && t >= 5 * G_TIME_SPAN_SECOND)
        control ("restore"), restore_sent = TRUE, out ("booth", "cut.restore-ms", "%.0f", t / 1e3);
      if (sent < count && now_us () >= next)
        {
          Msg m = { .type = MSG_ECHO, .phase = 1, .seq = sent++, .sent_us = now_us () };
          send_msg (b->fd, &b->center, &m, 64);
          next += spacing_ms * G_TIME_SPAN_MILLISECOND;
        }
      wait_readable (b->fd, sent < count ? next : deadline);
      while (recv_msg (b->fd, &r, raw, sizeof raw, &len, &from))
        if (r.type == MSG_ECHO && r.phase == 1 && r.seq < count)
          answered[r.seq] = TRUE;
    }

  /* Silences: runs of unanswered probes. */
  for (guint i = 0; i < count;)
    {
      guint j = i;
      if (answered[i])
        {
          i++;
          continue;
        }
      while (j < count && !answered[j])
        j++;
      if (j < count)   /* a run that ends before the stream does */
        {
          g_autofree char *k1 = g_strdup_printf ("cut.gap%u.start-ms", gaps);
          g_autofree char *k2 = g_strdup_printf ("cut.gap%u.length-ms", gaps);
          out ("booth", k1, "%u", i * spacing_ms);
          out ("booth", k2, "%u", (j - i) * spacing_ms);
          gaps++;
          last_gap_end = j;
        }
      i = j;
    }
  for (guint i = (guint) last_gap_end; i < count - 10; i++)
    after++, after_answered += answered[i];
  out ("booth", "cut.gaps", "%u", gaps);
  out ("booth", "cut.after", "%u", after);
  out ("booth", "cut.after-answered", "%u", after_answered);
}

/* Connects to the center's TCP @port within @timeout_ms; "ok" when the
 * echo came back, else "refused", "timeout" or "error". */
static const char *
tcp_try (Booth *b, guint16 port, guint timeout_ms)
{
  struct sockaddr_in to = b->center;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  gint64 deadline = now_us () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  struct pollfd p = { .fd = fd, .events = POLLOUT };
  int err = 0;
  socklen_t errlen = sizeof err;
  char buf[16];
  gsize got = 0;
  const char *result = "timeout";

  to.sin_port = htons (port);
  if (connect (fd, (struct sockaddr *) &to, sizeof to) < 0 && errno != EINPROGRESS)
    {
      close (fd);
      return errno == ECONNREFUSED ? "refused" : "error";
    }
  if (poll (&p, 1, timeout_ms) <= 0)
    goto done;
  getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &errlen);
  if (err != 0)
    {
      result = err == ECONNREFUSED ? "refused" : "error";
      goto done;
    }
  if (write (fd, "relais\n", 7) != 7)
    {
      result = "error";
      goto done;
    }
  while (got < 7 && wait_readable (fd, deadline))
    {
      gssize r = read (fd, buf + got, sizeof buf - got);
      if (r <= 0)
        break;
      got += r;
    }
  result = got == 7 && memcmp (buf, "relais\n", 7) == 0 ? "ok" : "timeout";
done:
  close (fd);
  return result;
}

/* blocked: TCP 443 (retried until the center listens), ten UDP echoes,
 * TCP 8443. */
static void
scenario_blocked (Booth *b, char **args)
{
  gint64 deadline = now_us () + 15 * G_TIME_SPAN_SECOND;
  const char *r443 = "error";
  guint replies = 0;

  (void) args;
  while (now_us () < deadline)
    {
      r443 = tcp_try (b, TCP_PORT_OPEN, 2000);
      if (g_str_equal (r443, "ok") || g_str_equal (r443, "timeout"))
        break;
      g_usleep (100 * G_TIME_SPAN_MILLISECOND);
    }
  out ("booth", "tcp443", "%s", r443);

  for (guint i = 0; i < 10; i++)
    {
      Msg m = { .type = MSG_ECHO, .phase = 1, .seq = i, .sent_us = now_us () };
      send_msg (b->fd, &b->center, &m, 64);
      g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    }
  deadline = now_us () + 500 * G_TIME_SPAN_MILLISECOND;
  while (wait_readable (b->fd, deadline))
    {
      guint8 raw[2048];
      Msg r;
      gsize len;
      struct sockaddr_in from;
      while (recv_msg (b->fd, &r, raw, sizeof raw, &len, &from))
        replies += r.type == MSG_ECHO;
    }
  out ("booth", "udp-sent", "%u", 10);
  out ("booth", "udp-replies", "%u", replies);
  out ("booth", "tcp8443", "%s", tcp_try (b, TCP_PORT_OTHER, 1500));
}

static int
run_booth (int argc, char **argv)
{
  static const struct { const char *name; int args; void (*run) (Booth *, char **); } scenarios[] = {
    { "profile", 3, scenario_profile },
    { "loss", 0, scenario_loss },
    { "cut", 0, scenario_cut },
    { "blocked", 0, scenario_blocked },
  };
  const char *center = g_getenv ("RELAIS_LINK_CENTER_ADDR");
  Booth b = { 0 };

  if (argc < 1 || center == NULL)
    g_error ("usage: test-link --booth SCENARIO [ARGS…] (under relais-link-run)");
  b.fd = udp_socket (0);
  b.center.sin_family = AF_INET;
  b.center.sin_port = htons (UDP_PORT);
  if (inet_pton (AF_INET, center, &b.center.sin_addr) != 1)
    g_error ("bad RELAIS_LINK_CENTER_ADDR %s", center);
  for (gsize i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (g_str_equal (argv[0], scenarios[i].name))
      {
        if (argc - 1 < scenarios[i].args)
          g_error ("%s needs %d arguments", argv[0], scenarios[i].args);
        scenarios[i].run (&b, argv + 1);
        out ("booth", "done", "1");
        close (b.fd);
        return 0;
      }
  g_error ("unknown scenario %s", argv[0]);
  return 1;
}

/* ---- the tests ---------------------------------------------------------- */

typedef struct
{
  GHashTable *values;   /* "side.key" → value */
  GKeyFile   *stats;    /* the link's counters */
} Run;

static void
run_free (Run *run)
{
  g_hash_table_unref (run->values);
  g_key_file_unref (run->stats);
  g_free (run);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

/* relais-link-run LINK_ARGS… -- test-link --center ::: test-link --booth BOOTH_ARGS… */
static Run *
run_link (const char *const *link_args, const char *const *booth_args)
{
  const char *script = g_getenv ("RELAIS_LINK_RUN");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = g_dir_make_tmp ("relais-test-link-XXXXXX", NULL);
  g_autofree char *stats_path = g_build_filename (dir, "stats.ini", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *stdout_text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  Run *run = g_new0 (Run, 1);

  g_assert_nonnull (script);
  g_assert_nonnull (self);
  g_assert_nonnull (dir);
  g_ptr_array_add (argv, (char *) "bash");
  g_ptr_array_add (argv, (char *) script);
  g_ptr_array_add (argv, (char *) "--seed");
  g_ptr_array_add (argv, (char *) SEED);
  g_ptr_array_add (argv, (char *) "--check-center");
  g_ptr_array_add (argv, (char *) "--stats");
  g_ptr_array_add (argv, stats_path);
  for (const char *const *a = link_args; *a != NULL; a++)
    g_ptr_array_add (argv, (char *) *a);
  g_ptr_array_add (argv, (char *) "--");
  g_ptr_array_add (argv, self);
  g_ptr_array_add (argv, (char *) "--center");
  g_ptr_array_add (argv, (char *) ":::");
  g_ptr_array_add (argv, self);
  g_ptr_array_add (argv, (char *) "--booth");
  for (const char *const *a = booth_args; *a != NULL; a++)
    g_ptr_array_add (argv, (char *) *a);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
                NULL, NULL, &stdout_text, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);

  run->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (stdout_text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      char *eq = strchr (*l, '=');
      if (eq != NULL)
        g_hash_table_replace (run->values, g_strndup (*l, eq - *l), g_strdup (eq + 1));
    }
  run->stats = g_key_file_new ();
  g_key_file_load_from_file (run->stats, stats_path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  g_unlink (stats_path);
  g_rmdir (dir);

  g_assert_true (g_hash_table_contains (run->values, "booth.done"));
  g_assert_true (g_hash_table_contains (run->values, "center.done"));
  return run;
}

static const char *
value (Run *run, const char *key)
{
  const char *v = g_hash_table_lookup (run->values, key);
  if (v == NULL)
    g_error ("no %s in the run's output", key);
  return v;
}

static double
number (Run *run, const char *key)
{
  return g_ascii_strtod (value (run, key), NULL);
}

static guint64
counter (Run *run, const char *dir, const char *key)
{
  g_autoptr(GError) error = NULL;
  guint64 v = g_key_file_get_uint64 (run->stats, dir, key, &error);
  g_assert_no_error (error);
  return v;
}

/* Every packet that went in is accounted for, and none failed to be written. */
static void
check_counters (Run *run)
{
  for (int d = 0; d < 2; d++)
    {
      const char *dir = d == 0 ? "down" : "up";
      guint64 in = counter (run, dir, "in-packets");
      guint64 accounted = counter (run, dir, "forwarded-packets")
                          + counter (run, dir, "dropped-queue")
                          + counter (run, dir, "dropped-loss")
                          + counter (run, dir, "dropped-cut")
                          + counter (run, dir, "dropped-filter")
                          + counter (run, dir, "write-errors")
                          + counter (run, dir, "in-flight");
      g_assert_cmpuint (in, ==, accounted);
      g_assert_cmpuint (counter (run, dir, "write-errors"), ==, 0);
      g_assert_cmpuint (in, >, 0);
    }
}

typedef struct
{
  const char *name;
  double      down_bps, up_bps;
  guint       rtt_ms;
} ProfileCase;

/* The figures (issue 10), not read back from relais-link. */
static const ProfileCase profile_cases[] = {
  { "adsl",      1e6, 4e5, 50 },
  { "lossy",     1e6, 1e6, 150 },
  { "satellite", 2e6, 5e5, 600 },
  { "thin",      3e5, 1.5e5, 100 },
};

static void
check_rate (const char *profile, const char *what, double measured, double cap)
{
  g_test_message ("%s: %s %.0f kbit/s (cap %.0f)", profile, what, measured / 1e3, cap / 1e3);
  /* Under the cap (3 %: the measurement's own rounding), above 60 % of it. */
  g_assert_cmpfloat (measured, <=, cap * 1.03);
  g_assert_cmpfloat (measured, >=, cap * 0.6);
}

static void
test_profile (gconstpointer data)
{
  const ProfileCase *pc = data;
  g_autofree char *up = g_strdup_printf ("%.0f", pc->up_bps);
  g_autofree char *down = g_strdup_printf ("%.0f", pc->down_bps);
  g_autofree char *rtt = g_strdup_printf ("%u", pc->rtt_ms);
  const char *link_args[] = { pc->name, NULL };
  const char *booth_args[] = { "profile", up, down, rtt, NULL };
  g_autoptr(Run) run = run_link (link_args, booth_args);
  double median = number (run, "booth.rtt1.median-ms");

  g_test_message ("%s: round trip median %.1f ms (min %.1f, max %.1f, %s of 20 answered; profile %u ms)",
                  pc->name, median, number (run, "booth.rtt1.min-ms"),
                  number (run, "booth.rtt1.max-ms"), value (run, "booth.rtt1.count"), pc->rtt_ms);
  g_assert_cmpfloat (number (run, "booth.rtt1.count"), >=, 5);
  g_assert_cmpfloat (median, >=, pc->rtt_ms * 0.7);
  g_assert_cmpfloat (median, <=, pc->rtt_ms * 1.3);

  check_rate (pc->name, "up", number (run, "center.sink2.rate-bps"), pc->up_bps);
  check_rate (pc->name, "down", number (run, "booth.blast3.rate-bps"), pc->down_bps);
  /* Offered twice the rate, both queues overflowed. */
  g_assert_cmpuint (counter (run, "up", "dropped-queue"), >, 0);
  g_assert_cmpuint (counter (run, "down", "dropped-queue"), >, 0);
  g_test_message ("%s: queue drops up %" G_GUINT64_FORMAT ", down %" G_GUINT64_FORMAT
                  "; loss drops up %" G_GUINT64_FORMAT ", down %" G_GUINT64_FORMAT,
                  pc->name, counter (run, "up", "dropped-queue"), counter (run, "down", "dropped-queue"),
                  counter (run, "up", "dropped-loss"), counter (run, "down", "dropped-loss"));
  check_counters (run);
}

static void
test_loss (void)
{
  const char *link_args[] = { "clean", "up-loss=5", NULL };
  const char *booth_args[] = { "loss", NULL };
  g_autoptr(Run) run = run_link (link_args, booth_args);
  double sent1 = number (run, "booth.sink1.sent"), sent2 = number (run, "booth.sink2.sent");
  double lost1 = sent1 - number (run, "center.sink1");
  double lost2 = sent2 - number (run, "center.sink2");
  double p1 = lost1 / sent1, p2 = lost2 / sent2;
  double sigma1 = sqrt (0.05 * 0.95 / sent1);
  /* Gilbert–Elliott, mean burst b = 4: about n·p/b bursts, each of a
   * geometric length (variance (1 − 1/b)·b²), so the loss rate's relative
   * deviation is about √((1 + (b − 1)/b) / (n·p/b)). */
  double bursts = sent2 * 0.03 / 4;
  double sigma2 = 0.03 * sqrt ((1 + 0.75) / bursts);
  double burst1 = number (run, "center.sink1.gaps") > 0
                  ? number (run, "center.sink1.gap-lost") / number (run, "center.sink1.gaps") : 0;
  double burst2 = number (run, "center.sink2.gaps") > 0
                  ? number (run, "center.sink2.gap-lost") / number (run, "center.sink2.gaps") : 0;
  guint64 dropped = counter (run, "up", "dropped-loss");

  g_test_message ("random loss 5 %%: %.2f %% of %.0f (mean burst %.2f); "
                  "bursty loss 3 %% (bursts of 4): %.2f %% of %.0f (mean burst %.2f)",
                  p1 * 100, sent1, burst1, p2 * 100, sent2, burst2);
  g_assert_cmpfloat (fabs (p1 - 0.05), <=, 4 * sigma1);
  g_assert_cmpfloat (burst1, <, 1.5);
  g_assert_cmpfloat (fabs (p2 - 0.03), <=, 3 * sigma2);
  g_assert_cmpfloat (burst2, >=, 2);
  g_assert_cmpfloat (burst2, <=, 8);
  /* The link's loss counter: these losses, and perhaps some of the probes
   * that waited for the center. */
  g_assert_cmpfloat (dropped, >=, lost1 + lost2);
  g_assert_cmpfloat (dropped, <=, lost1 + lost2 + number (run, "booth.sync-sent"));
  g_assert_cmpuint (counter (run, "down", "dropped-loss"), ==, 0);
  check_counters (run);
}

static void
test_cut (void)
{
  /* A timed cut 2.5 s after the link starts (before the booth's `cut` at
   * 4 s of its stream), both 1 s long: the profile's 10 s are the kiosk
   * tests' business. */
  const char *link_args[] = { "cut", "cut-at=2.5s", "cut-for=1s", NULL };
  const char *booth_args[] = { "cut", NULL };
  g_autoptr(Run) run = run_link (link_args, booth_args);
  double gaps = number (run, "booth.cut.gaps");

  g_test_message ("cut: %.0f silences", gaps);
  for (int i = 0; i < (int) gaps; i++)
    {
      g_autofree char *k1 = g_strdup_printf ("booth.cut.gap%d.start-ms", i);
      g_autofree char *k2 = g_strdup_printf ("booth.cut.gap%d.length-ms", i);
      g_test_message ("cut: silence %d from %.0f ms, %.0f ms long", i, number (run, k1), number (run, k2));
    }
  g_test_message ("cut: %.0f of %.0f probes answered after the last silence",
                  number (run, "booth.cut.after-answered"), number (run, "booth.cut.after"));
  /* The timed cut and the commanded one, and no other loss. */
  g_assert_cmpfloat (gaps, ==, 2);
  g_assert_cmpfloat (number (run, "booth.cut.gap0.length-ms"), >=, 700);
  g_assert_cmpfloat (number (run, "booth.cut.gap0.length-ms"), <=, 1300);
  g_assert_cmpfloat (number (run, "booth.cut.gap1.start-ms"), >=, 3800);
  g_assert_cmpfloat (number (run, "booth.cut.gap1.start-ms"), <=, 4300);
  g_assert_cmpfloat (number (run, "booth.cut.gap1.length-ms"), >=, 700);
  g_assert_cmpfloat (number (run, "booth.cut.gap1.length-ms"), <=, 1300);
  /* Traffic is back after the cut. */
  g_assert_cmpfloat (number (run, "booth.cut.after"), >=, 50);
  g_assert_cmpfloat (number (run, "booth.cut.after-answered"), ==, number (run, "booth.cut.after"));
  g_assert_cmpuint (counter (run, "up", "dropped-cut"), >, 0);
  g_assert_cmpuint (counter (run, "up", "dropped-loss") + counter (run, "down", "dropped-loss"), ==, 0);
  g_assert_cmpint (g_key_file_get_integer (run->stats, "link", "cuts", NULL), ==, 2);
  check_counters (run);
}

static void
test_udp_blocked (void)
{
  const char *link_args[] = { "udp-blocked", NULL };
  const char *booth_args[] = { "blocked", NULL };
  g_autoptr(Run) run = run_link (link_args, booth_args);

  g_test_message ("udp-blocked: TCP 443 %s, UDP %s of %s answered, TCP 8443 %s",
                  value (run, "booth.tcp443"), value (run, "booth.udp-replies"),
                  value (run, "booth.udp-sent"), value (run, "booth.tcp8443"));
  g_assert_cmpstr (value (run, "booth.tcp443"), ==, "ok");
  g_assert_cmpstr (value (run, "booth.udp-replies"), ==, "0");
  g_assert_cmpstr (value (run, "booth.tcp8443"), ==, "timeout");
  g_assert_cmpuint (counter (run, "up", "dropped-filter"), >=, 10);
  g_assert_cmpuint (counter (run, "up", "forwarded-packets"), >, 0);
  check_counters (run);
}

/* Bad settings are refused before any device is made. */
static void
test_options (void)
{
  const char *link = g_getenv ("RELAIS_LINK");
  const char *bad[][3] = {
    { "adsl", "rate=fast", NULL },
    { "nosuchprofile", NULL, NULL },
    { "loss=150", NULL, NULL },
    { "thin", "colour=blue", NULL },
  };
  g_autofree char *list = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (link);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *argv[] = { link, "--center-tun", "relais-none", bad[i][0], bad[i][1], NULL };
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, NULL, NULL, &status, &error);
      g_assert_no_error (error);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
    }
  {
    const char *argv[] = { link, "--list-profiles", NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT,
                  NULL, NULL, &list, NULL, &status, &error);
    g_assert_no_error (error);
    for (const char *const *p = (const char *const[]) { "adsl", "lossy", "satellite", "thin",
                                                       "cut", "udp-blocked", NULL }; *p; p++)
      g_assert_nonnull (strstr (list, *p));
  }
}

int
main (int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "--center"))
    return run_center ();
  if (argc >= 2 && g_str_equal (argv[1], "--booth"))
    return run_booth (argc - 2, argv + 2);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/link/options", test_options);
  for (gsize i = 0; i < G_N_ELEMENTS (profile_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/link/profile/%s", profile_cases[i].name);
      g_test_add_data_func (path, &profile_cases[i], test_profile);
    }
  g_test_add_func ("/link/loss", test_loss);
  g_test_add_func ("/link/cut", test_cut);
  g_test_add_func ("/link/udp-blocked", test_udp_blocked);
  return g_test_run ();
}
