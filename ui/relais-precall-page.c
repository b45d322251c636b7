/* relais-precall-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-precall-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-precall-page.h"
#include "relais-booth.h"

/* About a second and a half of a 660 Hz tone: long enough to notice,
 * short enough not to startle. */
#define TONE_RATE       44100
#define TONE_BUFFERS    15
#define TONE_SAMPLES    4410

struct _RelaisPrecallPage
{
  RelaisContextPage     parent_instance;

  RelaisVideoPaintable *local_paintable;
  gboolean              video_simulated;
  gboolean              audio_simulated;
  double                mic_fraction;

  GstElement           *tone;
  guint                 tone_watch_id;

  GtkWidget            *root;
  GtkPicture           *self_view;
  GtkWidget            *camera_wait_box;
  GtkSpinner           *camera_spinner;
  GtkLabel             *camera_wait_label;
  GtkLabel             *camera_label;
  GtkImage             *camera_status;
  GtkLevelBar          *mic_level;
  GtkLabel             *mic_label;
  GtkImage             *mic_status;
  GtkLabel             *sound_label;
  GtkButton            *sound_button;
  GtkLabel             *sound_button_label;
  GtkLabel             *network_label;
  GtkStack             *network_stack;
  GtkSpinner           *network_spinner;
  GtkImage             *network_status;
  GtkWidget            *error_box;
  GtkLabel             *error_label;
  GtkButton            *start_button;
};

G_DEFINE_FINAL_TYPE (RelaisPrecallPage, relais_precall_page, RELAIS_TYPE_CONTEXT_PAGE)

static void
set_check (GtkImage *image,
           gboolean  ok)
{
  gtk_image_set_from_icon_name (image, ok ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_widget_remove_css_class (GTK_WIDGET (image), ok ? "check-warning" : "check-ok");
  gtk_widget_add_css_class (GTK_WIDGET (image), ok ? "check-ok" : "check-warning");
  gtk_accessible_update_property (GTK_ACCESSIBLE (image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, ok ? _("Vérifié") : _("Attention"),
                                  -1);
}

static void
clear_check (GtkImage *image)
{
  gtk_image_clear (image);
  gtk_widget_remove_css_class (GTK_WIDGET (image), "check-ok");
  gtk_widget_remove_css_class (GTK_WIDGET (image), "check-warning");
}

static void
update_camera (RelaisPrecallPage *self)
{
  gboolean has_sink = relais_video_paintable_get_sink (self->local_paintable) != NULL;
  gboolean has_image = relais_video_paintable_get_frames (self->local_paintable) > 0;

  gtk_widget_set_visible (self->camera_wait_box, !has_image);
  gtk_spinner_set_spinning (self->camera_spinner, has_sink && !has_image);
  gtk_widget_set_visible (GTK_WIDGET (self->camera_spinner), has_sink);
  gtk_label_set_label (self->camera_wait_label,
                       has_sink ? _("La caméra démarre…") : _("Pas d'image pour l'instant"));

  if (!has_image)
    {
      gtk_label_set_label (self->camera_label, _("L'image arrive dans un instant."));
      clear_check (self->camera_status);
    }
  else if (self->video_simulated)
    {
      gtk_label_set_label (self->camera_label, _("Pas de caméra détectée : l'image est simulée."));
      set_check (self->camera_status, FALSE);
    }
  else
    {
      gtk_label_set_label (self->camera_label, _("Vous vous voyez à gauche : c'est ce que verra votre conseiller."));
      set_check (self->camera_status, TRUE);
    }
}

static void
update_mic (RelaisPrecallPage *self)
{
  gboolean has_sink = relais_video_paintable_get_sink (self->local_paintable) != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->mic_label), self->audio_simulated);
  if (!has_sink)
    clear_check (self->mic_status);
  else if (self->audio_simulated)
    {
      gtk_label_set_label (self->mic_label, _("Pas de micro détecté : le son est simulé."));
      set_check (self->mic_status, FALSE);
    }
  else
    set_check (self->mic_status, TRUE);
}

static void
frames_cb (RelaisPrecallPage *self)
{
  /* Only the first frame changes what the page says. */
  if (relais_video_paintable_get_frames (self->local_paintable) <= 1)
    update_camera (self);
}

static void
stop_tone (RelaisPrecallPage *self)
{
  if (self->tone != NULL)
    {
      gst_element_set_state (self->tone, GST_STATE_NULL);
      g_clear_handle_id (&self->tone_watch_id, g_source_remove);
      g_clear_object (&self->tone);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->sound_button), TRUE);
  gtk_label_set_label (self->sound_button_label, _("Tester le son"));
}

static gboolean
tone_bus_cb (GstBus     *bus,
             GstMessage *message,
             gpointer    user_data)
{
  RelaisPrecallPage *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_EOS:
      self->tone_watch_id = 0;
      stop_tone (self);
      gtk_label_set_label (self->sound_label,
                           _("Vous avez entendu le son ? Sinon, montez le volume ou appelez l'agent d'accueil."));
      return G_SOURCE_REMOVE;

    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;

        gst_message_parse_error (message, &error, NULL);
        g_debug ("Test tone failed: %s", error->message);
        self->tone_watch_id = 0;
        stop_tone (self);
        gtk_label_set_label (self->sound_label,
                             _("Le son n'a pas pu être joué. Prévenez l'agent d'accueil : il vérifiera les haut-parleurs."));
        return G_SOURCE_REMOVE;
      }

    default:
      return G_SOURCE_CONTINUE;
    }
}

static GstElement *
make_tone (const char *sink)
{
  g_autofree char *description =
    g_strdup_printf ("audiotestsrc num-buffers=%d samplesperbuffer=%d freq=660 volume=0.4 ! "
                     "audio/x-raw,rate=%d ! audioconvert ! audioresample ! %s",
                     TONE_BUFFERS, TONE_SAMPLES, TONE_RATE, sink);
  g_autoptr(GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);

  if (pipeline == NULL)
    g_debug ("No test tone through %s: %s", sink, error->message);

  return pipeline;
}

static void
sound_clicked_cb (RelaisPrecallPage *self)
{
  relais_precall_page_play_test_sound (self);
}

static void relais_precall_page_set_network_checking (RelaisPrecallPage *self,
                                                      const char        *text);

static RelaisBooth *
get_booth (RelaisPrecallPage *self)
{
  return relais_context_get_booth (relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self)));
}

/* The call's own picture shows here during the pre-call check only (an
 * appsink feeds one paintable: the call page takes it in the call). */
static void
sync_sink (RelaisPrecallPage *self)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisCall *call = relais_booth_get_call (get_booth (self));

  switch (relais_session_get_state (relais_context_get_session (context)))
    {
    case RELAIS_SESSION_PRECALL:
      if (call != NULL)
        relais_precall_page_set_local_sink (self, relais_call_get_local_video_sink (call));
      break;

    case RELAIS_SESSION_IN_CALL:
      relais_precall_page_set_local_sink (self, NULL);
      break;

    default:
      break;
    }
}

static void
booth_call_cb (RelaisPrecallPage *self)
{
  RelaisCall *call = relais_booth_get_call (get_booth (self));

  /* Gone: no image or level of this person stays for the next one. */
  if (call == NULL)
    {
      relais_precall_page_reset (self);
      return;
    }
  relais_precall_page_set_simulated (self,
                                     relais_call_is_video_simulated (call),
                                     relais_call_is_audio_simulated (call));
  sync_sink (self);
}

static void
booth_mic_level_cb (RelaisPrecallPage *self)
{
  relais_precall_page_set_mic_level (self, relais_booth_get_mic_level (get_booth (self)));
}

static void
booth_media_error_cb (RelaisPrecallPage *self)
{
  relais_precall_page_set_media_error (self, relais_booth_get_media_error (get_booth (self)));
}

static void
booth_check_cb (RelaisPrecallPage *self)
{
  RelaisBooth *booth = get_booth (self);
  const char *text = relais_booth_get_check_text (booth);

  switch (relais_booth_get_check (booth))
    {
    case RELAIS_BOOTH_CHECK_RUNNING:
      relais_precall_page_set_network_checking (self, text);
      break;

    case RELAIS_BOOTH_CHECK_OK:
    case RELAIS_BOOTH_CHECK_WARNING:
      relais_precall_page_set_network_status (self,
                                              relais_booth_get_check (booth) == RELAIS_BOOTH_CHECK_OK,
                                              text);
      break;

    case RELAIS_BOOTH_CHECK_NONE:
    default:
      break;
    }
}

static void
relais_precall_page_constructed (GObject *object)
{
  RelaisPrecallPage *self = (RelaisPrecallPage *)object;
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisBooth *booth;

  G_OBJECT_CLASS (relais_precall_page_parent_class)->constructed (object);

  /* Without a context (the UI tests), the page shows what it is given. */
  if (context == NULL)
    return;

  booth = relais_context_get_booth (context);
  g_signal_connect_object (relais_context_get_session (context), "notify::state",
                           G_CALLBACK (sync_sink), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "notify::call", G_CALLBACK (booth_call_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "notify::mic-level", G_CALLBACK (booth_mic_level_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "notify::media-error", G_CALLBACK (booth_media_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "notify::check", G_CALLBACK (booth_check_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (booth, "notify::check-text", G_CALLBACK (booth_check_cb), self, G_CONNECT_SWAPPED);
}

static void
relais_precall_page_dispose (GObject *object)
{
  RelaisPrecallPage *self = (RelaisPrecallPage *)object;

  stop_tone (self);
  if (self->local_paintable != NULL)
    relais_video_paintable_set_sink (self->local_paintable, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RELAIS_TYPE_PRECALL_PAGE);
  g_clear_object (&self->local_paintable);

  G_OBJECT_CLASS (relais_precall_page_parent_class)->dispose (object);
}

static void
relais_precall_page_class_init (RelaisPrecallPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = relais_precall_page_constructed;
  object_class->dispose = relais_precall_page_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-precall-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, root);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, self_view);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, camera_wait_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, camera_spinner);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, camera_wait_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, camera_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, camera_status);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, mic_level);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, mic_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, mic_status);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, sound_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, sound_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, sound_button_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, network_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, network_stack);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, network_spinner);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, network_status);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, error_box);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrecallPage, start_button);
  gtk_widget_class_bind_template_callback (widget_class, sound_clicked_cb);
}

static void
relais_precall_page_init (RelaisPrecallPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_level_bar_add_offset_value (self->mic_level, GTK_LEVEL_BAR_OFFSET_LOW, 0.15);
  gtk_level_bar_add_offset_value (self->mic_level, GTK_LEVEL_BAR_OFFSET_HIGH, 0.9);

  self->local_paintable = relais_video_paintable_new (NULL);
  gtk_picture_set_paintable (self->self_view, GDK_PAINTABLE (self->local_paintable));
  g_signal_connect_object (self->local_paintable, "notify::frames",
                           G_CALLBACK (frames_cb), self, G_CONNECT_SWAPPED);

  relais_precall_page_reset (self);
}

GtkWidget *
relais_precall_page_new (RelaisContext *context)
{
  g_return_val_if_fail (context == NULL || RELAIS_IS_CONTEXT (context), NULL);

  return g_object_new (RELAIS_TYPE_PRECALL_PAGE, "context", context, NULL);
}

void
relais_precall_page_reset (RelaisPrecallPage *self)
{
  g_return_if_fail (RELAIS_IS_PRECALL_PAGE (self));

  stop_tone (self);
  relais_video_paintable_set_sink (self->local_paintable, NULL);
  self->video_simulated = FALSE;
  self->audio_simulated = FALSE;
  relais_precall_page_set_mic_level (self, -100.0);
  relais_precall_page_set_media_error (self, NULL);
  relais_precall_page_set_network_checking (self, _("Vérification de la connexion…"));
  gtk_label_set_label (self->sound_label, _("Touchez le bouton : vous devez entendre un son."));
  update_camera (self);
  update_mic (self);
}

void
relais_precall_page_set_local_sink (RelaisPrecallPage *self,
                                    GstElement        *appsink)
{
  g_return_if_fail (RELAIS_IS_PRECALL_PAGE (self));

  /* Every picture here, where the person checks how they look (the call
   * page thins them out). */
  if (appsink != NULL)
    g_object_set (appsink, "throttle-time", (guint64) 0, NULL);
  relais_video_paintable_set_sink (self->local_paintable, appsink);
  update_camera (self);
  update_mic (self);
}

RelaisVideoPaintable *
relais_precall_page_get_local_paintable (RelaisPrecallPage *self)
{
  g_return_val_if_fail (RELAIS_IS_PRECALL_PAGE (self), NULL);

  return self->local_paintable;
}

void
relais_precall_page_set_mic_level (RelaisPrecallPage *self,
                                   double             level_db)
{
  g_return_if_fail (RELAIS_IS_PRECALL_PAGE (self));

  /* Speech sits around -40…-10 dB: show -60…0 dB across the bar so that
   * a normal voice fills half of it or more. */
  self->mic_fraction = CLAMP ((level_db + 60.0) / 60.0, 0.0, 1.0);
  gtk_level_bar_set_value (self->mic_level, self->mic_fraction);
}

double
relais_precall_page_get_mic_fraction (RelaisPrecallPage *self)
{
  g_return_val_if_fail (RELAIS_IS_PRECALL_PAGE (self), 0.0);

  return self->mic_fraction;
}

void
relais_precall_page_set_simulated (RelaisPrecallPage *self,
                                   gboolean           video,
                                   gboolean           audio)
{
  g_return_if_fail (RELAIS_IS_PRECALL_PAGE (self));

  self->video_simulated = !!video;
  self->audio_simulated = !!audio;
  update_camera (self);
  update_mic (self);
}

void
relais_precall_page_set_media_error (RelaisPrecallPage *self,
                                     const char        *message)
{
  g_return_if_fail (RELAIS_IS_PRECALL_PAGE (self));

  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (self->error_box, message != NULL);
  if (message != NULL)
    {
      gtk_spinner_set_spinning (self->camera_spinner, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->camera_spinner), FALSE);
      gtk_label_set_label (self->camera_wait_label, _("Pas d'image"));
    }
}

static void
relais_precall_page_set_network_checking (RelaisPrecallPage *self,
                                          const char        *text)
{
  gtk_label_set_label (self->network_label, text);
  gtk_stack_set_visible_child_name (self->network_stack, "checking");
  gtk_spinner_set_spinning (self->network_spinner, TRUE);
}

void
relais_precall_page_set_network_status (RelaisPrecallPage *self,
                                        gboolean           ok,
                                        const char        *text)
{
  g_return_if_fail (RELAIS_IS_PRECALL_PAGE (self));

  gtk_label_set_label (self->network_label, text);
  gtk_spinner_set_spinning (self->network_spinner, FALSE);
  set_check (self->network_status, ok);
  gtk_stack_set_visible_child_name (self->network_stack, "result");
}

const char *
relais_precall_page_get_network_text (RelaisPrecallPage *self)
{
  g_return_val_if_fail (RELAIS_IS_PRECALL_PAGE (self), NULL);

  return gtk_label_get_label (self->network_label);
}

void
relais_precall_page_play_test_sound (RelaisPrecallPage *self)
{
  g_autoptr(GstBus) bus = NULL;

  g_return_if_fail (RELAIS_IS_PRECALL_PAGE (self));

  if (self->tone != NULL)
    return;

  /* A booth without speakers (or CI) still goes through the motions:
   * fakesink plays the tone in real time, to nobody. */
  self->tone = make_tone ("autoaudiosink");
  if (self->tone == NULL
      || gst_element_set_state (self->tone, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      if (self->tone != NULL)
        gst_element_set_state (self->tone, GST_STATE_NULL);
      g_clear_object (&self->tone);
      self->tone = make_tone ("fakesink sync=true");
      if (self->tone == NULL
          || gst_element_set_state (self->tone, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
        {
          if (self->tone != NULL)
            gst_element_set_state (self->tone, GST_STATE_NULL);
          g_clear_object (&self->tone);
          gtk_label_set_label (self->sound_label,
                               _("Le son n'a pas pu être joué. Prévenez l'agent d'accueil : il vérifiera les haut-parleurs."));
          return;
        }
    }

  bus = gst_element_get_bus (self->tone);
  self->tone_watch_id = gst_bus_add_watch (bus, tone_bus_cb, self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->sound_button), FALSE);
  gtk_label_set_label (self->sound_button_label, _("Écoutez…"));
  gtk_label_set_label (self->sound_label, _("Un son joue en ce moment."));
}

gboolean
relais_precall_page_is_playing_sound (RelaisPrecallPage *self)
{
  g_return_val_if_fail (RELAIS_IS_PRECALL_PAGE (self), FALSE);

  return self->tone != NULL;
}
