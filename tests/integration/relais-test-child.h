/* relais-test-child.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A process of an integration test (a `relais-kiosk --test-call`, a
 * headless Chromium participant, a kiosk window script): spawned with its
 * stdout and stderr captured, killed with the test, waited for on the
 * test's main context, its stderr shown as TAP comments and its report
 * (a JSON line of stdout) read. Test code: failures assert.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char  *name;          /* static: the test's own label */
  GSubprocess *process;
  gint64       started_at;    /* monotonic, µs */
  gint64       exited_at;
  gboolean     done;
  char        *out;
  char        *err;
  int          status;        /* exit status, or 128 + signal */
} RelaisTestChild;

/* A GSpawnChildSetupFunc: the child gets SIGKILL when the test dies (an
 * assertion aborts). */
void             relais_test_child_setup (gpointer            data);

RelaisTestChild *relais_test_child_spawn (const char         *name,
                                          const char * const *argv);
/* Iterates @context until @child exits; after @timeout_ms (from its
 * start) it is killed and FALSE returned. */
gboolean         relais_test_child_wait  (GMainContext       *context,
                                          RelaisTestChild    *child,
                                          guint               timeout_ms);
/* Up to @max_lines of its stderr as TAP comments, without the sound
 * stack's and the session bus's chatter. */
void             relais_test_child_log   (RelaisTestChild    *child,
                                          guint               max_lines);
/* The last line of stdout that parses as a JSON object (whose "type" is
 * @type, unless NULL); NULL when there is none. */
JsonObject      *relais_test_child_json  (RelaisTestChild    *child,
                                          const char         *type);
/* Kills it if it still runs, then frees it. */
void             relais_test_child_free  (RelaisTestChild    *child);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaisTestChild, relais_test_child_free)

G_END_DECLS
