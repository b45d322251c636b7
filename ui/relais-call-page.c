/* relais-call-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-call-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-call-page.h"
#include "relais-booth.h"
#include "relais-ui-util.h"

struct _RelaisCallPage
{
  RelaisContextPage     parent_instance;

  RelaisVideoPaintable *remote_paintable;
  RelaisVideoPaintable *local_paintable;
  /* The conversation, in order: "Vous : …" / "Conseiller : …". Personal
   * data: in memory only, dropped by reset(). */
  GPtrArray            *lines;
  guint                 scroll_tick_id;
  int                   scroll_frames;

  GtkWidget            *root;
  GtkPicture           *remote_view;
  GtkPicture           *local_view;
  GtkWidget            *camera_off_box;
  GtkWidget            *status_box;
  GtkWidget            *status_icon;
  GtkSpinner           *status_spinner;
  GtkLabel             *status_label;
  GtkWidget            *failure_box;
  GtkLabel             *failure_label;
  GtkRevealer          *chat_revealer;
  GtkScrolledWindow    *chat_scroller;
  GtkWidget            *chat_box;
  GtkWidget            *chat_empty;
  GtkEntry             *chat_entry;
  GtkImage             *mic_icon;
  GtkLabel             *mic_label;
  GtkImage             *camera_icon;
  GtkLabel             *camera_label;
  GtkWidget            *mic_button;
  GtkWidget            *camera_button;
  GtkWidget            *chat_button;
};

G_DEFINE_FINAL_TYPE (RelaisCallPage, relais_call_page, RELAIS_TYPE_CONTEXT_PAGE)

/* The conversation grew: show its end, where the newest line is. The new
 * line's height is only known once laid out (wrapped labels take a frame
 * or two to settle), so keep scrolling for a few frames. */
#define SCROLL_FRAMES 6

/* The conversation kept on screen (and in memory) within one call: the
 * last lines only, so that a long or hostile call cannot grow it without
 * bound. Far more than a person scrolls back through. */
#define CHAT_MAX_LINES 200

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  RelaisCallPage *self = RELAIS_CALL_PAGE (user_data);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->chat_scroller);

  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment)
                            - gtk_adjustment_get_page_size (adjustment));

  if (--self->scroll_frames > 0)
    return G_SOURCE_CONTINUE;

  self->scroll_tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
scroll_to_end (RelaisCallPage *self)
{
  self->scroll_frames = SCROLL_FRAMES;
  if (self->scroll_tick_id == 0)
    self->scroll_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->chat_scroller),
                                                         scroll_tick_cb, self, NULL);
}

/* The self-view is a quarter of the call's width, in the top-right corner,
 * whatever the camera's resolution (a GtkPicture would ask for all of it). */
static gboolean
get_child_position_cb (GtkOverlay     *overlay,
                       GtkWidget      *child,
                       GdkRectangle   *allocation,
                       RelaisCallPage *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (overlay));

  if (child != GTK_WIDGET (self->local_view) && child != self->camera_off_box)
    return FALSE;

  allocation->width = CLAMP (width / 4, 160, 320);
  allocation->height = allocation->width * 3 / 4;
  allocation->x = width - allocation->width - 16;
  allocation->y = 16;

  return TRUE;
}

static void
send_cb (RelaisCallPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->chat_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (*stripped == '\0')
    return;

  /* The application sends it and, once it left, adds it to the list. */
  if (gtk_widget_activate_action (GTK_WIDGET (self), "app.send-chat", "s", stripped))
    gtk_editable_set_text (GTK_EDITABLE (self->chat_entry), "");
}

static RelaisBooth *
get_booth (RelaisCallPage *self)
{
  return relais_context_get_booth (relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self)));
}

/* The call's pictures show here in the call (the pre-call page has the
 * person's own before it: an appsink feeds one paintable). */
static void
sync_sinks (RelaisCallPage *self)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisCall *call = relais_booth_get_call (get_booth (self));

  switch (relais_session_get_state (relais_context_get_session (context)))
    {
    case RELAIS_SESSION_PRECALL:
      relais_call_page_set_local_sink (self, NULL);
      break;

    case RELAIS_SESSION_IN_CALL:
      if (call == NULL)
        break;
      relais_call_page_set_local_sink (self, relais_call_get_local_video_sink (call));
      relais_call_page_set_remote_sink (self, relais_call_get_remote_video_sink (call));
      break;

    default:
      /* The agent at the desk: the call goes on behind. */
      break;
    }
}

static void
booth_call_cb (RelaisCallPage *self)
{
  /* The person is gone: their pictures and conversation with them. A
   * replaced call (the gateway came back) keeps the conversation. */
  if (relais_booth_get_call (get_booth (self)) == NULL)
    relais_call_page_reset (self);
  else
    sync_sinks (self);
}

static void
booth_state_cb (RelaisCallPage *self)
{
  RelaisBooth *booth = get_booth (self);

  if (relais_booth_get_call (booth) == NULL)
    return;
  relais_call_page_set_state (self, relais_booth_get_call_state (booth),
                              relais_booth_get_status_text (booth));
  relais_ui_trace ("call-status", relais_call_page_get_status_text (self));
}

static void
booth_switches_cb (RelaisCallPage *self)
{
  RelaisBooth *booth = get_booth (self);

  relais_call_page_set_muted (self, relais_booth_get_muted (booth));
  relais_call_page_set_camera_off (self, relais_booth_get_camera_off (booth));
}

static void
booth_chat_received_cb (RelaisCallPage *self,
                        const char     *text)
{
  relais_call_page_add_message (self, text, FALSE);
}

static void
booth_chat_sent_cb (RelaisCallPage *self,
                    const char     *text)
{
  relais_call_page_add_message (self, text, TRUE);
}

static void
relais_call_page_constructed (GObject *object)
{
  RelaisCallPage *self = (RelaisCallPage *)object;
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisBooth *booth;

  G_OBJECT_CLASS (relais_call_page_parent_class)->constructed (object);

  /* Without a context (the UI tests), the page shows what it is given. */
  if (context == NULL)
    return;

  booth = relais_context_get_booth (context);
  g_signal_connect_object (relais_context_get_session (context), "notify::state",
                           G_CALLBACK (sync_sinks), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "notify::call", G_CALLBACK (booth_call_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "notify::call-state", G_CALLBACK (booth_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "notify::status-text", G_CALLBACK (booth_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "notify::muted", G_CALLBACK (booth_switches_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "notify::camera-off", G_CALLBACK (booth_switches_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "chat-received", G_CALLBACK (booth_chat_received_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "chat-sent", G_CALLBACK (booth_chat_sent_cb), self, G_CONNECT_SWAPPED);
}

static void
relais_call_page_dispose (GObject *object)
{
  RelaisCallPage *self = (RelaisCallPage *)object;

  if (self->scroll_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->chat_scroller), self->scroll_tick_id);
      self->scroll_tick_id = 0;
    }
  if (self->remote_paintable != NULL)
    relais_video_paintable_set_sink (self->remote_paintable, NULL);
  if (self->local_paintable != NULL)
    relais_video_paintable_set_sink (self->local_paintable, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RELAIS_TYPE_CALL_PAGE);
  g_clear_object (&self->remote_paintable);
  g_clear_object (&self->local_paintable);
  g_clear_pointer (&self->lines, g_ptr_array_unref);

  G_OBJECT_CLASS (relais_call_page_parent_class)->dispose (object);
}

static void
relais_call_page_class_init (RelaisCallPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = relais_call_page_constructed;
  object_class->dispose = relais_call_page_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-call-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, root);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, remote_view);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, local_view);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, camera_off_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, status_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, failure_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, failure_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, chat_revealer);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, chat_scroller);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, chat_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, chat_empty);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, chat_entry);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, mic_icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, mic_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, camera_icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, camera_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, mic_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, camera_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisCallPage, chat_button);
  gtk_widget_class_bind_template_callback (widget_class, send_cb);
  gtk_widget_class_bind_template_callback (widget_class, get_child_position_cb);
}

static void
relais_call_page_init (RelaisCallPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  relais_ui_lock_down_entry (self->chat_entry);

  self->lines = g_ptr_array_new_with_free_func (g_free);
  self->remote_paintable = relais_video_paintable_new (NULL);
  self->local_paintable = relais_video_paintable_new (NULL);
  gtk_picture_set_paintable (self->remote_view, GDK_PAINTABLE (self->remote_paintable));
  gtk_picture_set_paintable (self->local_view, GDK_PAINTABLE (self->local_paintable));

  relais_call_page_reset (self);
}

GtkWidget *
relais_call_page_new (RelaisContext *context)
{
  g_return_val_if_fail (context == NULL || RELAIS_IS_CONTEXT (context), NULL);

  return g_object_new (RELAIS_TYPE_CALL_PAGE, "context", context, NULL);
}

void
relais_call_page_reset (RelaisCallPage *self)
{
  GtkWidget *child;

  g_return_if_fail (RELAIS_IS_CALL_PAGE (self));

  relais_video_paintable_set_sink (self->remote_paintable, NULL);
  relais_video_paintable_set_sink (self->local_paintable, NULL);

  /* Every message of the conversation goes: the next person sees none. */
  g_ptr_array_set_size (self->lines, 0);
  child = gtk_widget_get_first_child (self->chat_box);
  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (child != self->chat_empty)
        gtk_box_remove (GTK_BOX (self->chat_box), child);
      child = next;
    }
  gtk_widget_set_visible (self->chat_empty, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->chat_entry), "");
  gtk_revealer_set_reveal_child (self->chat_revealer, FALSE);

  relais_call_page_set_muted (self, FALSE);
  relais_call_page_set_camera_off (self, FALSE);
  relais_call_page_set_state (self, RELAIS_CALL_IDLE, NULL);
}

void
relais_call_page_set_remote_sink (RelaisCallPage *self,
                                  GstElement     *appsink)
{
  g_return_if_fail (RELAIS_IS_CALL_PAGE (self));

  relais_video_paintable_set_sink (self->remote_paintable, appsink);
}

/* The self-view in the corner is small: 15 pictures a second are plenty,
 * and each one redraws the window (software rendering on a PC without a
 * graphics chip: that is most of the window's CPU). The pre-call page,
 * where it is large, takes the full rate back. */
#define SELF_VIEW_INTERVAL_NS (GST_SECOND / 15)

void
relais_call_page_set_local_sink (RelaisCallPage *self,
                                 GstElement     *appsink)
{
  g_return_if_fail (RELAIS_IS_CALL_PAGE (self));

  if (appsink != NULL)
    g_object_set (appsink, "throttle-time", (guint64) SELF_VIEW_INTERVAL_NS, NULL);
  relais_video_paintable_set_sink (self->local_paintable, appsink);
}

RelaisVideoPaintable *
relais_call_page_get_remote_paintable (RelaisCallPage *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL_PAGE (self), NULL);

  return self->remote_paintable;
}

RelaisVideoPaintable *
relais_call_page_get_local_paintable (RelaisCallPage *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL_PAGE (self), NULL);

  return self->local_paintable;
}

void
relais_call_page_set_state (RelaisCallPage  *self,
                            RelaisCallState  state,
                            const char      *failure)
{
  const char *status = NULL;
  gboolean busy = FALSE;
  gboolean failed = state == RELAIS_CALL_FAILED;
  gboolean cut = FALSE;

  g_return_if_fail (RELAIS_IS_CALL_PAGE (self));

  switch (state)
    {
    case RELAIS_CALL_IDLE:
    case RELAIS_CALL_PREVIEW:
    case RELAIS_CALL_CONNECTING:
      status = _("Connexion avec votre conseiller…");
      busy = TRUE;
      break;

    case RELAIS_CALL_RECONNECTING:
      /* The application says more when it knows more (the gateway is
       * gone rather than the link weak): then big, in the middle. */
      cut = failure != NULL && *failure != '\0';
      status = cut ? failure : _("La connexion est faible, nous essayons de la rétablir…");
      busy = TRUE;
      break;

    case RELAIS_CALL_ENDED:
      status = _("L'appel est terminé.");
      break;

    case RELAIS_CALL_CONNECTED:
    case RELAIS_CALL_FAILED:
    default:
      break;
    }

  gtk_label_set_label (self->status_label, status ? status : "");
  gtk_widget_set_visible (self->status_box, status != NULL);
  gtk_spinner_set_spinning (self->status_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), busy);
  gtk_widget_set_visible (self->status_icon, cut);
  gtk_widget_set_valign (self->status_box, cut ? GTK_ALIGN_CENTER : GTK_ALIGN_END);
  if (cut)
    gtk_widget_add_css_class (self->status_box, "cut");
  else
    gtk_widget_remove_css_class (self->status_box, "cut");

  gtk_label_set_label (self->failure_label,
                       failure && *failure ? failure : _("L'appel s'est interrompu."));
  gtk_widget_set_visible (self->failure_box, failed);

  /* Nothing to mute or hang up once it failed: the way out is the
   * failure box's button. */
  gtk_widget_set_sensitive (self->mic_button, !failed);
  gtk_widget_set_sensitive (self->camera_button, !failed);
}

const char *
relais_call_page_get_status_text (RelaisCallPage *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL_PAGE (self), NULL);

  if (gtk_widget_get_visible (self->failure_box))
    return gtk_label_get_label (self->failure_label);

  return gtk_label_get_label (self->status_label);
}

void
relais_call_page_set_muted (RelaisCallPage *self,
                            gboolean        muted)
{
  g_return_if_fail (RELAIS_IS_CALL_PAGE (self));

  gtk_image_set_from_icon_name (self->mic_icon,
                                muted ? "microphone-disabled-symbolic" : "audio-input-microphone-symbolic");
  gtk_label_set_label (self->mic_label, muted ? _("Micro coupé") : _("Micro"));
  if (muted)
    gtk_widget_add_css_class (self->mic_button, "off");
  else
    gtk_widget_remove_css_class (self->mic_button, "off");
}

void
relais_call_page_set_camera_off (RelaisCallPage *self,
                                 gboolean        off)
{
  g_return_if_fail (RELAIS_IS_CALL_PAGE (self));

  gtk_image_set_from_icon_name (self->camera_icon,
                                off ? "camera-disabled-symbolic" : "camera-web-symbolic");
  gtk_label_set_label (self->camera_label, off ? _("Caméra coupée") : _("Caméra"));
  gtk_widget_set_visible (GTK_WIDGET (self->local_view), !off);
  gtk_widget_set_visible (self->camera_off_box, off);
  if (off)
    gtk_widget_add_css_class (self->camera_button, "off");
  else
    gtk_widget_remove_css_class (self->camera_button, "off");
}

void
relais_call_page_add_message (RelaisCallPage *self,
                              const char     *text,
                              gboolean        from_me)
{
  GtkWidget *bubble;
  GtkWidget *who;
  GtkWidget *body;

  g_return_if_fail (RELAIS_IS_CALL_PAGE (self));
  g_return_if_fail (text != NULL);

  bubble = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_add_css_class (bubble, "chat-bubble");
  gtk_widget_add_css_class (bubble, from_me ? "mine" : "theirs");
  gtk_widget_set_halign (bubble, from_me ? GTK_ALIGN_END : GTK_ALIGN_START);

  who = gtk_label_new (from_me ? _("Vous") : _("Conseiller"));
  gtk_widget_add_css_class (who, "chat-who");
  gtk_label_set_xalign (GTK_LABEL (who), 0.0);
  gtk_box_append (GTK_BOX (bubble), who);

  body = gtk_label_new (text);
  gtk_widget_add_css_class (body, "chat-text");
  gtk_label_set_wrap (GTK_LABEL (body), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (body), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (body), 0.0);
  gtk_label_set_max_width_chars (GTK_LABEL (body), 22);
  gtk_box_append (GTK_BOX (bubble), body);

  gtk_widget_set_visible (self->chat_empty, FALSE);
  gtk_box_append (GTK_BOX (self->chat_box), bubble);
  g_ptr_array_add (self->lines, g_strdup_printf ("%s : %s",
                                                 from_me ? _("Vous") : _("Conseiller"), text));

  /* Past the bound, the oldest line goes, its bubble with it. */
  while (self->lines->len > CHAT_MAX_LINES)
    {
      GtkWidget *oldest = gtk_widget_get_first_child (self->chat_box);

      if (oldest == self->chat_empty)
        oldest = gtk_widget_get_next_sibling (oldest);
      gtk_box_remove (GTK_BOX (self->chat_box), oldest);
      g_ptr_array_remove_index (self->lines, 0);
    }

  /* Written words are how a deaf person follows the call: show them at
   * once, without waiting for a tap on "Écrire". */
  if (!from_me)
    gtk_revealer_set_reveal_child (self->chat_revealer, TRUE);

  scroll_to_end (self);
}

gboolean
relais_call_page_is_chat_at_end (RelaisCallPage *self)
{
  GtkAdjustment *adjustment;

  g_return_val_if_fail (RELAIS_IS_CALL_PAGE (self), FALSE);

  adjustment = gtk_scrolled_window_get_vadjustment (self->chat_scroller);

  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment)
         >= gtk_adjustment_get_upper (adjustment) - 1.0;
}

gboolean
relais_call_page_get_chat_visible (RelaisCallPage *self)
{
  g_return_val_if_fail (RELAIS_IS_CALL_PAGE (self), FALSE);

  return gtk_revealer_get_reveal_child (self->chat_revealer);
}

void
relais_call_page_set_chat_visible (RelaisCallPage *self,
                                   gboolean        visible)
{
  g_return_if_fail (RELAIS_IS_CALL_PAGE (self));

  gtk_revealer_set_reveal_child (self->chat_revealer, visible);
}

char *
relais_call_page_dup_chat_text (RelaisCallPage *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (RELAIS_IS_CALL_PAGE (self), NULL);

  for (guint i = 0; i < self->lines->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, g_ptr_array_index (self->lines, i));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

void
relais_call_page_send_text (RelaisCallPage *self,
                            const char     *text)
{
  g_return_if_fail (RELAIS_IS_CALL_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->chat_entry), text);
  send_cb (self);
}
