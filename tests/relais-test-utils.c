/* relais-test-utils.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-test-utils"

#include "config.h"

#include <glib/gstdio.h>

#include "relais-test-utils.h"

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

GMainContext *
relais_test_context_push (void)
{
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  return context;
}

void
relais_test_context_pop (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

void
relais_test_finalize_iterating (GMainContext *context,
                                gpointer      object)
{
  while (G_OBJECT (object)->ref_count > 1)
    g_main_context_iteration (context, TRUE);
  g_assert_finalize_object (object);
}

void
relais_test_iterate_for (GMainContext *context,
                         guint         ms)
{
  gboolean done = FALSE;
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, flag_cb, &done, NULL);
  g_source_attach (source, context);
  while (!done)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (source);
  g_source_unref (source);
}

gboolean
relais_test_wait_counter (GMainContext *context,
                          guint        *counter,
                          guint         timeout_ms)
{
  gboolean expired = FALSE;
  GSource *source = g_timeout_source_new (timeout_ms);

  g_source_set_callback (source, flag_cb, &expired, NULL);
  g_source_attach (source, context);
  while (*counter == 0 && !expired)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (source);
  g_source_unref (source);
  return *counter != 0;
}

void
relais_test_result_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

GAsyncResult *
relais_test_wait_result (GMainContext  *context,
                         GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (context, TRUE);
  return *result;
}

gboolean
relais_test_wait_for (gboolean (*predicate) (gpointer),
                      gpointer   data,
                      guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

void
relais_test_spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

void
relais_test_shoot (const char *name,
                   guint       settle_ms)
{
  const char *dir = g_getenv ("RELAIS_UI_SHOTS");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL)
    return;

  relais_test_spin (settle_ms);
  path = g_build_filename (dir, name, NULL);
  command = g_strdup_printf ("import -window root %s.png", path);
  if (!g_spawn_command_line_sync (command, NULL, NULL, NULL, &error))
    g_test_message ("No screenshot: %s", error->message);
}

void
relais_test_store_dir (const char  *tmpl,
                       char       **dir,
                       char       **store_path)
{
  g_autoptr(GError) error = NULL;

  *dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  *store_path = g_build_filename (*dir, "relais.db", NULL);
}

void
relais_test_remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_assert_no_errno (g_unlink (path));
    }

  g_assert_no_errno (g_rmdir (dir));
}

void
relais_test_send_all (GSocket    *socket,
                      const char *data,
                      gsize       len)
{
  while (len > 0)
    {
      gssize n = g_socket_send (socket, data, len, NULL, NULL);

      if (n <= 0)
        return;
      data += n;
      len -= (gsize) n;
    }
}
