/* relais-test-utils.h: the plumbing the test programs share
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * GLib and GIO only (no GTK): the unit, UI and integration tests all link
 * it. Test code: failures assert.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* ---- a main context of the test's own ---------------------------------- */

/* A new main context, pushed as the thread default. */
GMainContext *relais_test_context_push (void);
/* Dispatches what is still pending on @context, pops it and drops it. */
void          relais_test_context_pop  (GMainContext  *context);
/* Iterates @context until the caller's reference to @object (which it
 * gives) is the last one, then asserts that dropping it finalizes it. */
void          relais_test_finalize_iterating (GMainContext *context,
                                              gpointer      object);

/* Iterates @context for @ms milliseconds. */
void          relais_test_iterate_for  (GMainContext  *context,
                                        guint          ms);
/* Iterates @context until *@counter is non-zero or @timeout_ms passed;
 * TRUE when it became non-zero. */
gboolean      relais_test_wait_counter (GMainContext  *context,
                                        guint         *counter,
                                        guint          timeout_ms);
/* A GAsyncReadyCallback keeping the result in *@user_data (a
 * GAsyncResult **, which must be empty). */
void          relais_test_result_cb    (GObject       *object,
                                        GAsyncResult  *result,
                                        gpointer       user_data);
/* Iterates @context until relais_test_result_cb filled *@result. */
GAsyncResult *relais_test_wait_result  (GMainContext  *context,
                                        GAsyncResult **result);

/* ---- the default main context, polled (UI tests) ----------------------- */

/* Iterates until @predicate (@data) holds; FALSE after @timeout_ms. */
gboolean      relais_test_wait_for     (gboolean     (*predicate) (gpointer),
                                        gpointer       data,
                                        guint          timeout_ms);
/* Iterates for @ms milliseconds. */
void          relais_test_spin         (guint          ms);
/* With RELAIS_UI_SHOTS=dir: after @settle_ms of iterations (a few frames
 * drawn), what the X server shows (ImageMagick's import) to dir/@name.png. */
void          relais_test_shoot        (const char    *name,
                                        guint          settle_ms);

/* ---- files and sockets ------------------------------------------------- */

/* A new temporary directory from @tmpl (g_dir_make_tmp) and the path of a
 * store file in it, relais.db (not created). */
void          relais_test_store_dir    (const char    *tmpl,
                                        char         **dir,
                                        char         **store_path);
/* Removes @dir and the plain files in it; a missing @dir is fine. */
void          relais_test_remove_dir   (const char    *dir);
/* Sends all of @data on a blocking @socket, or stops at the first error
 * (the peer hung up: the test reads what it got). */
void          relais_test_send_all     (GSocket       *socket,
                                        const char    *data,
                                        gsize          len);

/* A line of a child's stderr that is the library critical the tests let
 * pass (GStreamer 1.22's rtpsession, see relais-test-tolerate.c). */
gboolean      relais_test_is_tolerated_line (const char *line);

G_END_DECLS
