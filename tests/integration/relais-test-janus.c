/* relais-test-janus.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-test-janus"

#include "config.h"

#include <glob.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "relais-test-janus.h"
#include "../relais-test-utils.h"

#define READY_TIMEOUT_MS 10000

struct _RelaisTestJanus
{
  char        *dir;
  char        *addr;
  char        *base_url;
  guint        port;
  guint        session_timeout_s;
  GSubprocess *process;
};

static char *
find_janus_module (const char *kind,
                   const char *name)
{
  g_autofree char *pattern = g_strdup_printf ("/usr/lib/*/janus/%s/%s", kind, name);
  g_autofree char *plain = g_strdup_printf ("/usr/lib/janus/%s/%s", kind, name);
  char *found = NULL;
  glob_t g;

  if (glob (pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0)
    found = g_strdup (g.gl_pathv[0]);
  globfree (&g);
  if (found == NULL && g_file_test (plain, G_FILE_TEST_EXISTS))
    found = g_steal_pointer (&plain);
  return found;
}

static void
write_config (RelaisTestJanus *self,
              const char      *name)
{
  g_autofree char *template_path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *port = g_strdup_printf ("%u", self->port);
  g_autofree char *timeout = g_strdup_printf ("%u", self->session_timeout_s);
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) error = NULL;
  const char *srcdir = g_getenv ("RELAIS_INTEGRATION_DIR");

  g_assert_nonnull (srcdir);
  template_path = g_strdup_printf ("%s/janus/%s.jcfg.in", srcdir, name);
  g_file_get_contents (template_path, &contents, NULL, &error);
  g_assert_no_error (error);

  text = g_string_new (contents);
  g_string_replace (text, "@DIR@", self->dir, 0);
  g_string_replace (text, "@ADDR@", self->addr, 0);
  g_string_replace (text, "@PORT@", port, 0);
  g_string_replace (text, "@SESSION_TIMEOUT@", timeout, 0);

  out_path = g_strdup_printf ("%s/conf/%s.jcfg", self->dir, name);
  g_file_set_contents (out_path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
}

static void
link_module (RelaisTestJanus *self,
             const char      *kind,
             const char      *name)
{
  g_autofree char *target = find_janus_module (kind, name);
  g_autofree char *link = g_strdup_printf ("%s/%s/%s", self->dir, kind, name);

  g_assert_nonnull (target);
  g_assert_cmpint (symlink (target, link), ==, 0);
}

/* If the test dies (an assertion aborts), Janus goes with it. */
static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
info_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  guint *ready = user_data;
  g_autoptr(JsonNode) node = NULL;

  node = relais_http_client_get_json_finish (RELAIS_HTTP_CLIENT (object), result, NULL);
  *ready = node != NULL ? 1 : 2;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

const char *
relais_test_janus_missing (void)
{
  if (!g_file_test (RELAIS_TEST_JANUS_BINARY, G_FILE_TEST_IS_EXECUTABLE))
    return "Janus is not installed (Debian package janus): run packaging/relais-dev.sh test";
  return NULL;
}

const char *
relais_test_janus_addr_or_fail (void)
{
  const char *addr = g_getenv ("RELAIS_TEST_ADDR");

  if (addr == NULL)
    {
      g_test_fail_printf ("Needs the network namespace of relais-netns-run (RELAIS_TEST_ADDR)");
      return NULL;
    }
  if (relais_test_janus_missing () != NULL)
    {
      g_test_fail_printf ("%s", relais_test_janus_missing ());
      return NULL;
    }
  return addr;
}

RelaisTestJanus *
relais_test_janus_new (const char *addr,
                       guint       session_timeout_s)
{
  return relais_test_janus_new_on_port (addr, RELAIS_TEST_JANUS_PORT, session_timeout_s);
}

RelaisTestJanus *
relais_test_janus_new_on_port (const char *addr,
                               guint       port,
                               guint       session_timeout_s)
{
  g_autoptr(GError) error = NULL;
  const char *subdirs[] = { "conf", "plugins", "transports", "events", "loggers" };
  RelaisTestJanus *self = g_new0 (RelaisTestJanus, 1);

  g_assert_nonnull (addr);
  self->addr = g_strdup (addr);
  self->port = port;
  self->base_url = g_strdup_printf ("http://%s:%u/janus", addr, port);
  self->session_timeout_s = session_timeout_s;
  self->dir = g_dir_make_tmp ("relais-janus-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *path = g_build_filename (self->dir, subdirs[i], NULL);

      g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
    }
  write_config (self, "janus");
  write_config (self, "janus.transport.http");
  write_config (self, "janus.plugin.videoroom");
  link_module (self, "plugins", "libjanus_videoroom.so");
  link_module (self, "transports", "libjanus_http.so");
  return self;
}

double
relais_test_janus_start (RelaisTestJanus  *self,
                         RelaisHttpClient *client)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conf_dir = g_build_filename (self->dir, "conf", NULL);
  g_autofree char *conf = g_build_filename (self->dir, "conf", "janus.jcfg", NULL);
  g_autofree char *info_url = g_strdup_printf ("%s/info", self->base_url);
  g_autofree char *stdout_path = g_build_filename (self->dir, "janus.stdout", NULL);
  GMainContext *context = g_main_context_get_thread_default ();
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + READY_TIMEOUT_MS * 1000;

  g_assert_null (self->process);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, stdout_path);
  self->process = g_subprocess_launcher_spawn (launcher, &error,
                                               RELAIS_TEST_JANUS_BINARY, "-F", conf_dir,
                                               "-C", conf, NULL);
  g_assert_no_error (error);

  for (;;)
    {
      guint ready = 0;

      relais_http_client_get_json_async (client, info_url, 1000, NULL, info_cb, &ready);
      while (ready == 0)
        g_main_context_iteration (context, TRUE);
      if (ready == 1)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      /* Still running? GSubprocess reaps its child on its own and has no
       * identifier from then on (g_subprocess_get_if_exited() may only be
       * asked after a wait: on a running gateway it is a critical). */
      g_assert_nonnull (g_subprocess_get_identifier (self->process));
      relais_test_iterate_for (g_main_context_get_thread_default (), 50);
    }
  return (g_get_monotonic_time () - start) / 1000.0;
}

void
relais_test_janus_kill (RelaisTestJanus *self)
{
  g_autoptr(GSubprocess) process = g_steal_pointer (&self->process);

  if (process == NULL)
    return;
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, NULL);
}

gboolean
relais_test_janus_is_running (RelaisTestJanus *self)
{
  return self->process != NULL;
}

const char *
relais_test_janus_get_base_url (RelaisTestJanus *self)
{
  return self->base_url;
}

const char *
relais_test_janus_get_dir (RelaisTestJanus *self)
{
  return self->dir;
}

void
relais_test_janus_free (RelaisTestJanus *self)
{
  if (self == NULL)
    return;

  relais_test_janus_kill (self);
  if (g_test_failed ())
    g_test_message ("Janus log kept in %s", self->dir);
  else
    remove_tree (self->dir);
  g_free (self->dir);
  g_free (self->addr);
  g_free (self->base_url);
  g_free (self);
}
