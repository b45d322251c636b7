/* relais-test-hang.c: a test that meson stops for its time prints where
 * every thread of it was.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * CI has stopped tests at their time limit with nothing but the last log
 * lines to read (test-transfer, 2026-12-07: the main loop went quiet after
 * a call pair's remote audio came). meson ends a test with SIGTERM and
 * half a second later SIGKILL: too short to attach a debugger, long
 * enough for the process to print its own stacks. A child of
 * g_test_trap_subprocess() that runs out of time gets SIGALRM. On either,
 * the handler
 * asks each thread (SIGUSR2, through /proc/self/task) to print its stack
 * to stderr, one after the other, then dies of the signal as before.
 * Names come from the dynamic symbol tables (a library's functions, ours
 * when exported); addr2line turns the rest into lines.
 *
 * Linked whole into every test program (tests/meson.build), armed only in
 * a g_test program (a helper binary that is stopped on purpose says
 * nothing).
 */
#include <execinfo.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define DUMP_SIGNAL SIGUSR2

static volatile sig_atomic_t dumped;

static void
write_string (const char *text)
{
  ssize_t ignored = write (STDERR_FILENO, text, strlen (text));

  (void) ignored;
}

static void
write_number (long value)
{
  char digits[24];
  int i = sizeof digits;

  digits[--i] = '\0';
  do
    digits[--i] = (char) ('0' + value % 10);
  while ((value /= 10) > 0 && i > 0);
  write_string (digits + i);
}

static void
dump_one_cb (int signum)
{
  void *frames[48];
  int n = backtrace (frames, G_N_ELEMENTS (frames));

  write_string ("--- thread ");
  write_number ((long) syscall (SYS_gettid));
  write_string ("\n");
  backtrace_symbols_fd (frames, n, STDERR_FILENO);
  dumped = 1;
}

static void
wait_dumped (void)
{
  const struct timespec step = { 0, 2 * 1000 * 1000 };

  for (int i = 0; i < 25 && !dumped; i++)
    nanosleep (&step, NULL);
}

static void
terminate_cb (int signum)
{
  char buffer[4096];
  long self = (long) syscall (SYS_gettid);
  int fd;

  if (g_test_initialized ())
    {
      write_string (signum == SIGALRM ? "\n=== Stopped (SIGALRM, g_test_trap_subprocess's time limit)"
                                      : "\n=== Stopped (SIGTERM)");
      write_string (": the stacks of every thread (tests/relais-test-hang.c)\n");
      dump_one_cb (signum);
      fd = open ("/proc/self/task", O_RDONLY | O_DIRECTORY);
      for (long got; fd >= 0 && (got = syscall (SYS_getdents64, fd, buffer, sizeof buffer)) > 0;)
        {
          for (long offset = 0; offset < got;)
            {
              unsigned short length;
              const char *name;
              long tid = 0;

              memcpy (&length, buffer + offset + 16, sizeof length);
              name = buffer + offset + 19;
              for (const char *p = name; *p >= '0' && *p <= '9'; p++)
                tid = tid * 10 + (*p - '0');
              offset += length;
              if (tid == 0 || tid == self)
                continue;
              dumped = 0;
              if (syscall (SYS_tgkill, (long) getpid (), tid, DUMP_SIGNAL) == 0)
                wait_dumped ();
            }
        }
      if (fd >= 0)
        close (fd);
      write_string ("=== end of stacks\n");
    }
  signal (signum, SIG_DFL);
  raise (signum);
}

static void
install (int    signum,
         void (*handler) (int))
{
  struct sigaction action = { 0 };

  action.sa_handler = handler;
  action.sa_flags = SA_RESTART;
  sigemptyset (&action.sa_mask);
  sigaction (signum, &action, NULL);
}

/* The SANE test backend's reader thread sets a SIGTERM handler of its own
 * for the whole process at every scan (test-dossier timed out in a fresh
 * root with no stacks printed): ours is put back within a second. */
static void *
keep_armed (void *data)
{
  for (;;)
    {
      struct sigaction current;

      sleep (1);
      if (sigaction (SIGTERM, NULL, &current) == 0 && current.sa_handler != terminate_cb)
        install (SIGTERM, terminate_cb);
      if (sigaction (SIGALRM, NULL, &current) == 0 && current.sa_handler != terminate_cb)
        install (SIGALRM, terminate_cb);
      if (sigaction (DUMP_SIGNAL, NULL, &current) == 0 && current.sa_handler != dump_one_cb)
        install (DUMP_SIGNAL, dump_one_cb);
    }
  return NULL;
}

__attribute__((constructor)) static void
relais_test_hang_arm (void)
{
  void *frames[2];
  pthread_t thread;
  pthread_attr_t attributes;

  /* backtrace() loads its unwinder on first use: not in a handler. */
  backtrace (frames, G_N_ELEMENTS (frames));
  install (DUMP_SIGNAL, dump_one_cb);
  install (SIGTERM, terminate_cb);
  install (SIGALRM, terminate_cb);
  pthread_attr_init (&attributes);
  pthread_attr_setdetachstate (&attributes, PTHREAD_CREATE_DETACHED);
  pthread_create (&thread, &attributes, keep_armed, NULL);
  pthread_attr_destroy (&attributes);
}
