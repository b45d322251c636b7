/* relais-test-child.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-test-child"

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <string.h>

#include "relais-test-child.h"
#include "../relais-test-utils.h"

void
relais_test_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Any warning or critical of one of our programs (GLib's "(relais-…:PID):
 * DOMAIN-WARNING **:" lines) fails the test, as it would have aborted the
 * child under G_DEBUG=fatal-warnings; the tolerated library critical is
 * said and let pass. */
static void
check_log (RelaisTestChild *child)
{
  g_auto(GStrv) lines = g_strsplit (child->err != NULL ? child->err : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "(relais-") == NULL ||
          (strstr (lines[i], "-WARNING **") == NULL && strstr (lines[i], "-CRITICAL **") == NULL))
        continue;
      if (relais_test_is_tolerated_line (lines[i]))
        g_test_message ("%s: tolerated library critical (tests/relais-test-tolerate.c): %s", child->name, lines[i]);
      else
        g_test_fail_printf ("%s printed: %s", child->name, lines[i]);
    }
}

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  RelaisTestChild *child = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result,
                                        &child->out, &child->err, &error);
  if (error != NULL)
    g_test_message ("%s: %s", child->name, error->message);
  /* Both pipes are closed: the process is gone or about to be. */
  g_subprocess_wait (child->process, NULL, NULL);
  child->status = g_subprocess_get_if_exited (child->process)
                  ? g_subprocess_get_exit_status (child->process)
                  : 128 + g_subprocess_get_term_sig (child->process);
  child->exited_at = g_get_monotonic_time ();
  child->done = TRUE;
  check_log (child);
}

RelaisTestChild *
relais_test_child_spawn (const char         *name,
                         const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  RelaisTestChild *child = g_new0 (RelaisTestChild, 1);

  child->name = name;
  /* Our programs' warnings and criticals are not fatal in the child: its
   * stderr is read for them when it ends (check_log), so that GStreamer
   * 1.22's known rtpsession critical (relais-test-tolerate.c) does not
   * kill a kiosk in the middle of a call (test-call-link, a fresh root)
   * while every other one still fails the test. */
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "gc-friendly", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, relais_test_child_setup, NULL, NULL);
  child->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  child->started_at = g_get_monotonic_time ();
  g_subprocess_communicate_utf8_async (child->process, NULL, NULL, communicate_cb, child);
  return child;
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
relais_test_child_wait (GMainContext    *context,
                        RelaisTestChild *child,
                        guint            timeout_ms)
{
  gint64 deadline = child->started_at + (gint64) timeout_ms * 1000;
  GSource *wake = g_timeout_source_new (50);

  /* Wakes the context up to look at the clock. */
  g_source_set_callback (wake, wake_cb, NULL, NULL);
  g_source_attach (wake, context);
  while (!child->done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (wake);
  g_source_unref (wake);
  if (child->done)
    return TRUE;
  g_test_message ("%s still running after %u ms: killed", child->name, timeout_ms);
  g_subprocess_force_exit (child->process);
  while (!child->done)
    g_main_context_iteration (context, TRUE);
  return FALSE;
}

void
relais_test_child_log (RelaisTestChild *child,
                       guint            max_lines)
{
  g_auto(GStrv) lines = g_strsplit (child->err != NULL ? child->err : "", "\n", -1);
  guint shown = 0;

  for (guint i = 0; lines[i] != NULL && shown < max_lines; i++)
    {
      if (*lines[i] == '\0' || g_str_has_prefix (lines[i], "ALSA lib") ||
          g_str_has_prefix (lines[i], "AL lib") || g_str_has_prefix (lines[i], "dbus-daemon["))
        continue;
      g_test_message ("%s stderr: %s", child->name, lines[i]);
      shown++;
    }
}

JsonObject *
relais_test_child_json (RelaisTestChild *child,
                        const char      *type)
{
  g_auto(GStrv) lines = g_strsplit (child->out != NULL ? child->out : "", "\n", -1);

  for (guint i = g_strv_length (lines); i > 0; i--)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *obj;

      if (lines[i - 1][0] != '{')
        continue;
      node = json_from_string (lines[i - 1], NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      obj = json_node_get_object (node);
      if (type != NULL && g_strcmp0 (json_object_get_string_member_with_default (obj, "type", NULL), type) != 0)
        continue;
      return json_object_ref (obj);
    }
  return NULL;
}

void
relais_test_child_free (RelaisTestChild *child)
{
  if (!child->done)
    {
      g_subprocess_force_exit (child->process);
      while (!child->done)
        g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
    }
  g_object_unref (child->process);
  g_free (child->out);
  g_free (child->err);
  g_free (child);
}
