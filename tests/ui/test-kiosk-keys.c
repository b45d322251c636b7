/* test-kiosk-keys.c: a passer-by with a keyboard and a mouse, on every
 * page a person sees
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Runs under Xvfb and a private session bus (see meson.build), with no
 * window manager. The real application runs in a subprocess (demo mode);
 * xdotool types the keys and clicks through the X server, as a keyboard
 * plugged into the kiosk would (issue 12, item 1). A page's keys go in
 * one xdotool run (and its clicks in another), so what one key opens a
 * later one could close (Escape, Alt+F4): the checks watch events, not
 * only the state at the end. Over each series no toplevel was added to
 * GTK's list, no native but the kiosk's window (popover, menu, emoji
 * chooser, Inspector) was mapped, the window was not unmapped nor resized,
 * its page did not change, and no action of the application ran; at the
 * end the window is still the only toplevel, the same size, on the same
 * page, with nothing open inside it, and the X server maps no window but
 * the kiosk's (xdotool search).
 *
 * RELAIS_UI_SHOTS=dir saves a PNG of each page tried.
 */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>

#include "relais-application.h"
#include "relais-call-page.h"
#include "relais-session-record.h"
#include "relais-window.h"

#include "relais-test-ui.h"
#include "../relais-test-utils.h"

static char *tmp_dir;
static char *config_path;

/* What a curious passer-by, or someone who knows desktops, types: the GTK
 * Inspector, closing, quitting, menus, help, switching windows, settings,
 * printing, opening, the emoji chooser, Unicode entry, a window manager's
 * menu and the X server's own exits. */
static const char *keys[] = {
  "ctrl+shift+i", "ctrl+shift+d", "alt+F4", "ctrl+w", "ctrl+q", "F10", "F1",
  "Menu", "Escape", "ctrl+alt+BackSpace", "ctrl+alt+Delete", "alt+Tab",
  "super", "super+d", "ctrl+comma", "shift+F10", "ctrl+p", "ctrl+o",
  "ctrl+period", "ctrl+semicolon", "ctrl+shift+e", "ctrl+shift+u", "alt+space",
  "F11", "ctrl+f", "ctrl+n", "ctrl+s", "ctrl+z", "alt+F2", "ctrl+alt+t",
};

typedef struct
{
  RelaisApplication *app;
  RelaisWindow      *window;
  Window             xid;
  int                width;
  int                height;
  guint              activations;   /* of any action of the application */
  GtkStack          *pages;         /* the window's, to see its page change */
  GString           *seen;          /* what happened since the last check */
  char              *last_key;      /* the last key the window got */
} Passerby;

typedef void (*Scenario) (Passerby *p);

/* ---- xdotool --------------------------------------------------------- */

typedef struct
{
  gboolean  done;
  char     *out;
  GError   *error;
} Run;

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &run->out, NULL, &run->error);
  if (run->error == NULL && !g_subprocess_get_successful (G_SUBPROCESS (object)))
    run->error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "exit status %d",
                              g_subprocess_get_exit_status (G_SUBPROCESS (object)));
  run->done = TRUE;
}

static gboolean
run_is_done (gpointer data)
{
  return ((Run *) data)->done;
}

/* Runs xdotool with @args while the kiosk's main loop goes on (it has to
 * answer the X server meanwhile); returns its standard output. With
 * @check, a failure of xdotool fails the test. */
static char *
run_xdotool (const char * const *args,
             gboolean            check)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };

  g_ptr_array_add (argv, (gpointer) "xdotool");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, run_done_cb, &run);
  if (!relais_test_wait_for (run_is_done, &run, 20000))
    g_error ("xdotool %s: no answer in 20 s", args[0]);
  if (run.error != NULL && check)
    g_error ("xdotool %s: %s", args[0], run.error->message);
  g_clear_error (&run.error);

  return run.out;
}

static void
xdotool (const char * const *args)
{
  g_free (run_xdotool (args, TRUE));
}

/* The X windows a person sees: mapped children of the root, the root
 * itself aside. Popovers and menus are such windows too (override
 * redirect). */
static GArray *
visible_x_windows (void)
{
  /* xdotool search exits 1 when nothing matches: not checked. */
  g_autofree char *out = run_xdotool ((const char * const []) { "search", "--maxdepth", "1", "--onlyvisible",
                                                                "--name", "", NULL },
                                      FALSE);
  g_auto(GStrv) lines = g_strsplit (out != NULL ? out : "", "\n", -1);
  GArray *windows = g_array_new (FALSE, FALSE, sizeof (Window));
  Window root = gdk_x11_display_get_xrootwindow (gdk_display_get_default ());

  for (guint i = 0; lines[i] != NULL; i++)
    {
      Window id;

      if (*lines[i] == '\0')
        continue;
      id = g_ascii_strtoull (lines[i], NULL, 10);
      if (id != root)
        g_array_append_val (windows, id);
    }

  return windows;
}

/* ---- what must not change -------------------------------------------- */

/* A mapped native (a popover, a menu, the emoji chooser) inside the
 * window's widget tree, other than the window itself. */
static GtkWidget *
find_open_native (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_NATIVE (child) && gtk_widget_get_mapped (child))
        return child;
      found = find_open_native (child);
      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
action_activated_cb (GAction  *action,
                     GVariant *parameter,
                     Passerby *p)
{
  g_test_message ("action app.%s ran", g_action_get_name (action));
  p->activations++;
}

/* ---- what happens meanwhile -------------------------------------------- */

static void
note (Passerby   *p,
      const char *what)
{
  g_string_append_printf (p->seen, "%s%s (the window's last key: %s)", p->seen->len > 0 ? "; " : "",
                          what, p->last_key != NULL ? p->last_key : "none");
}

/* GtkWidget::map of any widget: a popover, a menu, the emoji chooser or
 * a window (the Inspector) is a GtkNative being mapped. */
static gboolean
map_hook_cb (GSignalInvocationHint *hint,
             guint                  n_values,
             const GValue          *values,
             gpointer               user_data)
{
  Passerby *p = user_data;
  GObject *widget = g_value_get_object (&values[0]);

  if (GTK_IS_NATIVE (widget) && widget != G_OBJECT (p->window))
    {
      g_autofree char *what = g_strdup_printf ("a %s was shown", G_OBJECT_TYPE_NAME (widget));

      note (p, what);
    }

  return TRUE;
}

static void
toplevels_changed_cb (GListModel *toplevels,
                      guint       position,
                      guint       removed,
                      guint       added,
                      Passerby   *p)
{
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, position + i);
      g_autofree char *what = g_strdup_printf ("a window %s \"%s\" opened", G_OBJECT_TYPE_NAME (window),
                                               gtk_window_get_title (window));

      note (p, what);
    }
}

static void
page_changed_cb (GtkStack   *pages,
                 GParamSpec *pspec,
                 Passerby   *p)
{
  g_autofree char *what = g_strdup_printf ("the page %s was shown", gtk_stack_get_visible_child_name (pages));

  note (p, what);
}

static void
window_unmapped_cb (GtkWidget *window,
                    Passerby  *p)
{
  note (p, "the kiosk's window was unmapped");
}

static void
layout_cb (GdkSurface *surface,
           int         width,
           int         height,
           Passerby   *p)
{
  if (width != p->width || height != p->height)
    {
      g_autofree char *what = g_strdup_printf ("the window became %d×%d", width, height);

      note (p, what);
    }
}

/* Only to say which key did it: the window's capture phase sees each key
 * first, and lets it go on. */
static gboolean
key_seen_cb (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             Passerby              *p)
{
  g_free (p->last_key);
  p->last_key = gtk_accelerator_name (keyval, state);

  return FALSE;
}

/* The window's stack of pages: the one with an "attract" page. */
static GtkStack *
find_pages (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkStack *found;

      if (GTK_IS_STACK (child) && gtk_stack_get_child_by_name (GTK_STACK (child), "attract") != NULL)
        return GTK_STACK (child);
      found = find_pages (child);
      if (found != NULL)
        return found;
    }

  return NULL;
}

/* What the X server shows: the kiosk's window alone. Asked of xdotool,
 * which takes a while on a loaded machine: once a series of keys or
 * clicks is over (each step checks GTK's own windows and popovers). */
static void
assert_x_alone (Passerby   *p,
                const char *page,
                const char *what)
{
  g_autoptr(GArray) x_windows = visible_x_windows ();

  if (x_windows->len != 1 || g_array_index (x_windows, Window, 0) != p->xid)
    g_error ("%s on %s: %u X windows mapped, not only the kiosk's", what, page, x_windows->len);
}

static void
assert_untouched (Passerby   *p,
                  const char *page,
                  const char *what)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWidget *open;

  g_test_message ("%s on %s", what, page);

  /* The kiosk's window, alone, whole, on the same page. */
  g_assert_true (relais_application_get_main_window (p->app) == GTK_WINDOW (p->window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (p->window)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (p->window)), ==, p->width);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (p->window)), ==, p->height);
  if (g_list_model_get_n_items (toplevels) != 1)
    {
      g_autoptr(GtkWindow) other = g_list_model_get_item (toplevels, 0);

      if (other == GTK_WINDOW (p->window))
        {
          g_object_unref (g_steal_pointer (&other));
          other = g_list_model_get_item (toplevels, 1);
        }
      g_error ("%s on %s opened a window: %s \"%s\"", what, page,
               G_OBJECT_TYPE_NAME (other), gtk_window_get_title (other));
    }
  g_assert_cmpstr (relais_window_get_page (p->window), ==, page);

  /* No popover, menu or emoji chooser inside it. */
  open = find_open_native (GTK_WIDGET (p->window));
  if (open != NULL)
    g_error ("%s on %s opened a %s", what, page, G_OBJECT_TYPE_NAME (open));

  if (p->activations > 0)
    g_error ("%s on %s ran an action of the kiosk", what, page);

  /* Nor anything that came and went meanwhile. */
  if (p->seen->len > 0)
    g_error ("%s on %s: %s", what, page, p->seen->str);
}

/* What xdotool sent reaches the kiosk's queue; the kiosk handles it and
 * what it starts on idle. */
static void
settle (void)
{
  gdk_display_sync (gdk_display_get_default ());
  relais_test_spin (300);
}

/* ---- the passer-by --------------------------------------------------- */

static void
focus_kiosk (Passerby *p)
{
  g_autofree char *id = g_strdup_printf ("%lu", p->xid);

  xdotool ((const char * const []) { "windowfocus", "--sync", id, NULL });
}

/* Every key of keys[], in one run of xdotool (its default 12 ms apart:
 * the X server queues them, the kiosk takes them in order). */
static void
press_keys (Passerby   *p,
            const char *page,
            const char *what)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (gpointer) "key");
  g_ptr_array_add (args, (gpointer) "--clearmodifiers");
  g_ptr_array_add (args, (gpointer) "--delay");
  g_ptr_array_add (args, (gpointer) "12");
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_ptr_array_add (args, (gpointer) keys[i]);
  g_ptr_array_add (args, NULL);

  g_clear_pointer (&p->last_key, g_free);
  xdotool ((const char * const *) args->pdata);
  settle ();
  assert_untouched (p, page, what);
}

static gboolean
inside_button (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    {
      if (GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_SWITCH (widget))
        return TRUE;
    }

  return FALSE;
}

/* A right click, or a long press (1.2 s), at @x,@y, then @pause (in
 * seconds): xdotool commands, to chain with others in one run. */
static void
add_click (GPtrArray  *args,
           double      x,
           double      y,
           gboolean    long_press,
           const char *pause)
{
  /* Not --sync: it waits forever when the pointer is there already. */
  g_ptr_array_add (args, g_strdup ("mousemove"));
  g_ptr_array_add (args, g_strdup_printf ("%d", (int) x));
  g_ptr_array_add (args, g_strdup_printf ("%d", (int) y));
  g_ptr_array_add (args, g_strdup ("sleep"));
  g_ptr_array_add (args, g_strdup ("0.05"));
  if (long_press)
    {
      g_ptr_array_add (args, g_strdup ("mousedown"));
      g_ptr_array_add (args, g_strdup ("1"));
      g_ptr_array_add (args, g_strdup ("sleep"));
      g_ptr_array_add (args, g_strdup ("1.2"));
      g_ptr_array_add (args, g_strdup ("mouseup"));
      g_ptr_array_add (args, g_strdup ("1"));
    }
  else
    {
      g_ptr_array_add (args, g_strdup ("click"));
      g_ptr_array_add (args, g_strdup ("3"));
    }
  g_ptr_array_add (args, g_strdup ("sleep"));
  g_ptr_array_add (args, g_strdup (pause));
}

/* The clicks @args holds, in one run of xdotool. */
static void
click_all (Passerby   *p,
           const char *page,
           GPtrArray  *args,
           const char *what)
{
  g_ptr_array_add (args, NULL);
  g_clear_pointer (&p->last_key, g_free);
  xdotool ((const char * const *) args->pdata);
  settle ();
  assert_untouched (p, page, what);
}

static void
collect_texts (GtkWidget *widget,
               GPtrArray *texts)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_TEXT (child) && gtk_widget_is_drawable (child))
        g_ptr_array_add (texts, child);
      collect_texts (child, texts);
    }
}

/* Every key on @page (with the focus where the page puts it, then in each
 * text field it shows), a right click on a grid of points and on each
 * field, and a long press on each field and in the middle of the page
 * (unless a button is there: a long press on a button is a tap). */
static void
try_everything (Passerby   *p,
                const char *page)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  g_autofree char *shot = g_strdup_printf ("keys-%s", page);
  g_autoptr(GPtrArray) clicks = g_ptr_array_new_with_free_func (g_free);

  relais_test_ui_assert_page (p->app, page, 10000);
  relais_test_spin (300);
  relais_test_shoot (shot, 1500);
  /* Without a window manager the X focus stays where it is put. */
  focus_kiosk (p);
  /* What the test itself showed is not the passer-by's doing. */
  g_string_truncate (p->seen, 0);
  assert_untouched (p, page, "nothing");
  assert_x_alone (p, page, "nothing");

  press_keys (p, page, "the keys");
  assert_x_alone (p, page, "the keys");

  collect_texts (GTK_WIDGET (p->window), texts);
  for (guint t = 0; t < texts->len; t++)
    {
      GtkWidget *text = g_ptr_array_index (texts, t);
      g_autoptr(GPtrArray) field_clicks = g_ptr_array_new_with_free_func (g_free);
      graphene_point_t centre;

      g_assert_true (gtk_widget_compute_point (text, GTK_WIDGET (p->window),
                                               &GRAPHENE_POINT_INIT (gtk_widget_get_width (text) / 2.0,
                                                                     gtk_widget_get_height (text) / 2.0),
                                               &centre));
      gtk_widget_grab_focus (text);
      relais_test_spin (100);
      g_assert_true (gtk_widget_has_focus (text));
      press_keys (p, page, "the keys in a field");
      /* Two clicks at one place, not a double click: more than GTK's
       * 400 ms apart. */
      add_click (field_clicks, centre.x, centre.y, FALSE, "0.5");
      add_click (field_clicks, centre.x, centre.y, TRUE, "0.1");
      click_all (p, page, field_clicks, "a right click and a long press in a field");
      assert_x_alone (p, page, "the keys and clicks in a field");
    }

  for (int gx = 1; gx <= 3; gx++)
    for (int gy = 1; gy <= 3; gy++)
      add_click (clicks, p->width * gx / 4.0, p->height * gy / 4.0, FALSE, "0.1");

  /* A long press in the middle, unless a button is there. */
  if (!inside_button (gtk_widget_pick (GTK_WIDGET (p->window), p->width / 2.0, p->height / 2.0,
                                       GTK_PICK_DEFAULT)))
    add_click (clicks, p->width / 2.0, p->height / 2.0, TRUE, "0.1");
  click_all (p, page, clicks, "right clicks on a grid and a long press");
  assert_x_alone (p, page, "the clicks");
}

/* ---- scenarios ------------------------------------------------------- */

static void
unlock (RelaisApplication *app)
{
  relais_test_ui_activate (app, "agent", NULL);
  relais_test_ui_assert_page (app, "unlock", 10000);
  relais_test_ui_activate (app, "unlock", g_variant_new_string ("1234"));
  relais_test_ui_assert_page (app, "desk", 10000);
}

/* Actions run by the test itself are not the passer-by's. */
static void
act (Passerby   *p,
     const char *action,
     GVariant   *parameter)
{
  relais_test_ui_activate (p->app, action, parameter);
  p->activations = 0;
  g_string_truncate (p->seen, 0);
}

static void
scenario_locked (Passerby *p)
{
  try_everything (p, "attract");

  /* The PIN pad: the way to the desk, and nothing else. */
  act (p, "agent", NULL);
  try_everything (p, "unlock");
  act (p, "lock", NULL);
  relais_test_ui_assert_page (p->app, "attract", 10000);
}

static void
scenario_person (Passerby *p)
{
  RelaisTestUiWait start_enabled = { p->app, "start-call" };

  unlock (p->app);
  act (p, "new-ticket", g_variant_new ("(ssss)", "caf", "prime-activite", "Jeanne", "Dossier en cours"));
  act (p, "call-next", NULL);
  try_everything (p, "your-turn");

  act (p, "start-session", NULL);
  try_everything (p, "precall");

  g_assert_true (relais_test_wait_for (relais_test_ui_action_enabled, &start_enabled, 30000));
  act (p, "start-call", NULL);
  relais_test_ui_assert_page (p->app, "call", 10000);
  /* The written messages open, with their field. */
  relais_call_page_set_chat_visible (relais_window_get_call_page (p->window), TRUE);
  try_everything (p, "call");

  /* What is shown over the call: waiting for an advisor, scanning a
   * paper, the advisor's document. */
  relais_window_set_waiting (p->window, TRUE);
  try_everything (p, "wait");
  relais_window_set_waiting (p->window, FALSE);
  relais_window_set_overlay (p->window, RELAIS_WINDOW_OVERLAY_SCAN);
  try_everything (p, "scan");
  relais_window_set_overlay (p->window, RELAIS_WINDOW_OVERLAY_PRINT);
  try_everything (p, "print");
  relais_window_set_overlay (p->window, RELAIS_WINDOW_OVERLAY_NONE);

  act (p, "hang-up", NULL);
  try_everything (p, "call-ended");
  /* The survey goes by itself after 30 s: more than the keys take on a
   * loaded machine. */
  relais_session_record_set_survey_seconds (relais_context_get_session_record (relais_application_get_context (p->app)),
                                            3600);
  act (p, "finish-session", NULL);
  try_everything (p, "survey");
  act (p, "survey", g_variant_new_int32 (0));
  try_everything (p, "attract");
}

/* ---- running the kiosk ----------------------------------------------- */

static gboolean
window_ready (gpointer data)
{
  return relais_test_ui_window_ready (data);
}

static void
activate_after_cb (GApplication *application,
                   gpointer      user_data)
{
  RelaisApplication *app = RELAIS_APPLICATION (application);
  Scenario scenario = user_data;
  g_auto(GStrv) names = NULL;
  Passerby p = { app };
  GdkRectangle geometry;
  g_autoptr(GdkMonitor) monitor = NULL;
  GtkEventController *keys_seen;
  guint map_signal = g_signal_lookup ("map", GTK_TYPE_WIDGET);
  gulong map_hook;

  g_assert_true (relais_test_wait_for (window_ready, app, 10000));
  p.window = relais_test_ui_window_of (app);
  p.xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (p.window)));
  monitor = g_list_model_get_item (gdk_display_get_monitors (gdk_display_get_default ()), 0);
  gdk_monitor_get_geometry (monitor, &geometry);
  p.width = geometry.width;
  p.height = geometry.height;

  /* Any action the kiosk runs, whatever starts it. */
  names = g_action_group_list_actions (G_ACTION_GROUP (app));
  for (guint i = 0; names[i] != NULL; i++)
    g_signal_connect (g_action_map_lookup_action (G_ACTION_MAP (app), names[i]), "activate",
                      G_CALLBACK (action_activated_cb), &p);

  /* Whatever comes and goes between two checks. */
  p.seen = g_string_new (NULL);
  p.pages = find_pages (GTK_WIDGET (p.window));
  g_assert_nonnull (p.pages);
  map_hook = g_signal_add_emission_hook (map_signal, 0, map_hook_cb, &p, NULL);
  g_signal_connect (gtk_window_get_toplevels (), "items-changed", G_CALLBACK (toplevels_changed_cb), &p);
  g_signal_connect (p.pages, "notify::visible-child-name", G_CALLBACK (page_changed_cb), &p);
  g_signal_connect (p.window, "unmap", G_CALLBACK (window_unmapped_cb), &p);
  g_signal_connect (gtk_native_get_surface (GTK_NATIVE (p.window)), "layout", G_CALLBACK (layout_cb), &p);
  keys_seen = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys_seen, GTK_PHASE_CAPTURE);
  g_signal_connect (keys_seen, "key-pressed", G_CALLBACK (key_seen_cb), &p);
  gtk_widget_add_controller (GTK_WIDGET (p.window), keys_seen);

  scenario (&p);

  gtk_widget_remove_controller (GTK_WIDGET (p.window), keys_seen);
  g_signal_handlers_disconnect_by_data (gtk_native_get_surface (GTK_NATIVE (p.window)), &p);
  g_signal_handlers_disconnect_by_data (p.window, &p);
  g_signal_handlers_disconnect_by_data (p.pages, &p);
  g_signal_handlers_disconnect_by_data (gtk_window_get_toplevels (), &p);
  g_signal_remove_emission_hook (map_signal, map_hook);
  for (guint i = 0; names[i] != NULL; i++)
    g_signal_handlers_disconnect_by_data (g_action_map_lookup_action (G_ACTION_MAP (app), names[i]), &p);
  g_string_free (p.seen, TRUE);
  g_free (p.last_key);
  g_application_quit (application);
}

static void
hook_cb (RelaisApplication *app,
         gpointer           user_data)
{
  g_signal_connect_after (app, "activate", G_CALLBACK (activate_after_cb), user_data);
}

static void
scenario (gconstpointer data)
{
  char *argv[] = { (char *) "relais-kiosk", (char *) "--config", config_path, NULL };

  /* Only ever run as a subprocess of the tests below. */
  if (!g_test_subprocess ())
    return;

  g_assert_cmpint (relais_kiosk_main (3, argv, hook_cb, (gpointer) data), ==, 0);
}

static void
run_scenario (const char *path,
              guint       seconds)
{
  g_test_trap_subprocess (path, seconds * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_locked (void)
{
  run_scenario ("/keys/scenario/locked", 200);
}

static void
test_person (void)
{
  run_scenario ("/keys/scenario/person", 600);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL;
  g_autofree char *contents = NULL;
  int ret;

  relais_command_line_init_i18n ();
  g_test_init (&argc, &argv, NULL);

  /* One directory for the whole run, shared with the subprocesses. */
  if (g_getenv ("RELAIS_KEYS_TEST_DIR") == NULL)
    {
      char *dir = g_dir_make_tmp ("relais-keys-XXXXXX", &error);

      g_assert_no_error (error);
      g_setenv ("RELAIS_KEYS_TEST_DIR", dir, TRUE);
      g_free (dir);
    }
  tmp_dir = g_strdup (g_getenv ("RELAIS_KEYS_TEST_DIR"));
  config_path = g_build_filename (tmp_dir, "kiosk.conf", NULL);
  store = g_build_filename (tmp_dir, "relais.db", NULL);
  if (!g_test_subprocess ())
    {
      contents = g_strdup_printf ("[kiosk]\nsite-name=Mairie de Test\nstore-path=%s\n", store);
      g_file_set_contents (config_path, contents, -1, &error);
      g_assert_no_error (error);
    }

  g_test_add_data_func ("/keys/scenario/locked", scenario_locked, scenario);
  g_test_add_data_func ("/keys/scenario/person", scenario_person, scenario);
  g_test_add_func ("/keys/locked", test_locked);
  g_test_add_func ("/keys/person", test_person);

  ret = g_test_run ();

  if (!g_test_subprocess ())
    {
      const char *suffixes[] = { "", "-wal", "-shm" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *path = g_strconcat (store, suffixes[i], NULL);

          g_unlink (path);
        }
      g_unlink (config_path);
      g_rmdir (tmp_dir);
    }

  g_free (config_path);
  g_free (tmp_dir);

  return ret;
}
