/* relais-scan-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-scan-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-scan-page.h"

/* Thumbnails and the preview are made from the page's pixels at most this
 * tall: enough for a 1280x800 screen, cheap to convert. */
#define PREVIEW_HEIGHT 700
#define THUMB_HEIGHT   200

typedef enum
{
  FAILED_NOTHING,
  FAILED_SCAN,
  FAILED_SEND,
} Failed;

struct _RelaisScanPage
{
  GtkWidget       parent_instance;

  RelaisDocument *document;
  char           *service_name;
  gboolean        camera;
  int             selected;       /* page shown large */
  int             retake;         /* page the next scan replaces, or -1 */
  Failed          failed;

  GtkStack       *stack;
  GtkImage       *place_icon;
  GtkLabel       *place_title;
  GtkLabel       *place_hint;
  GtkWidget      *place_back_button;
  GtkImage       *scan_button_icon;
  GtkLabel       *scan_button_label;
  GtkImage       *progress_icon;
  GtkLabel       *progress_title;
  GtkProgressBar *progress_bar;
  GtkLabel       *progress_hint;
  GtkWidget      *cancel_button;
  GtkLabel       *review_title;
  GtkWidget      *thumbnails;
  GtkPicture     *preview;
  GtkWidget      *remove_button;
  GtkLabel       *consent_question;
  GtkLabel       *consent_hint;
  GtkImage       *outcome_icon;
  GtkLabel       *outcome_title;
  GtkLabel       *outcome_text;
  GtkWidget      *outcome_retry_button;
};

G_DEFINE_FINAL_TYPE (RelaisScanPage, relais_scan_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_SCAN_REQUESTED,
  SIGNAL_CANCEL_REQUESTED,
  SIGNAL_SEND_REQUESTED,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Pictures ----------------------------------------------------------- */

/* A page as a texture at most @max_height tall (box-averaged down). */
static GdkTexture *
page_texture (RelaisPage *page,
              guint       max_height)
{
  guint factor = MAX (1, (page->height + max_height - 1) / max_height);
  guint width = page->width / factor;
  guint height = page->height / factor;
  const guint8 *pixels = g_bytes_get_data (page->pixels, NULL);
  guint channels = page->colour ? 3 : 1;
  guint8 *rgb = g_malloc ((gsize) width * height * 3);
  g_autoptr(GBytes) bytes = NULL;

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      for (guint c = 0; c < 3; c++)
        {
          guint sum = 0;

          for (guint dy = 0; dy < factor; dy++)
            for (guint dx = 0; dx < factor; dx++)
              sum += pixels[(gsize) (y * factor + dy) * page->stride
                            + (gsize) (x * factor + dx) * channels + (channels == 3 ? c : 0)];
          rgb[((gsize) y * width + x) * 3 + c] = (guint8) (sum / (factor * factor));
        }

  bytes = g_bytes_new_take (rgb, (gsize) width * height * 3);
  return gdk_memory_texture_new ((int) width, (int) height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

/* ---- Views -------------------------------------------------------------- */

static void thumbnail_clicked_cb (GtkButton      *button,
                                  RelaisScanPage *self);

static void
show_review (RelaisScanPage *self)
{
  guint n = relais_document_get_n_pages (self->document);
  GtkWidget *child;
  g_autofree char *title = NULL;

  if (n == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "place");
      return;
    }

  self->selected = CLAMP (self->selected, 0, (int) n - 1);
  while ((child = gtk_widget_get_first_child (self->thumbnails)) != NULL)
    gtk_box_remove (GTK_BOX (self->thumbnails), child);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GdkTexture) texture = page_texture (relais_document_get_page (self->document, i), THUMB_HEIGHT);
      g_autofree char *label = g_strdup_printf (_("Page %u"), i + 1);
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));

      gtk_widget_set_size_request (picture, 140, 190);
      gtk_box_append (GTK_BOX (box), picture);
      gtk_box_append (GTK_BOX (box), gtk_label_new (label));
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "scan-thumbnail");
      if ((int) i == self->selected)
        gtk_widget_add_css_class (button, "selected");
      g_object_set_data (G_OBJECT (button), "page-index", GUINT_TO_POINTER (i));
      g_signal_connect (button, "clicked", G_CALLBACK (thumbnail_clicked_cb), self);
      gtk_box_append (GTK_BOX (self->thumbnails), button);
    }

  {
    g_autoptr(GdkTexture) texture = page_texture (relais_document_get_page (self->document, (guint) self->selected),
                                                  PREVIEW_HEIGHT);

    gtk_picture_set_paintable (self->preview, GDK_PAINTABLE (texture));
  }

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u page", "%u pages", n), n);
  gtk_label_set_label (self->review_title, title);
  gtk_stack_set_visible_child_name (self->stack, "review");
}

static void
show_place (RelaisScanPage *self)
{
  gboolean adding = relais_document_get_n_pages (self->document) > 0;

  gtk_image_set_from_icon_name (self->place_icon, self->camera ? "camera-photo-symbolic" : "scanner-symbolic");
  gtk_image_set_from_icon_name (self->scan_button_icon, self->camera ? "camera-photo-symbolic" : "scanner-symbolic");
  gtk_label_set_label (self->place_title,
                       self->camera ? _("Posez votre feuille sous la caméra")
                                    : _("Posez votre feuille sur le scanner"));
  gtk_label_set_label (self->place_hint,
                       self->camera ? _("Face écrite vers le haut, bien à plat, toute la feuille dans le cadre.")
                                    : _("Face écrite contre la vitre, en haut à gauche. Puis fermez le capot."));
  gtk_label_set_label (self->scan_button_label, self->camera ? _("Photographier") : _("Numériser"));
  /* While adding or retaking, going back means the pages already there. */
  gtk_button_set_label (GTK_BUTTON (self->place_back_button),
                        adding ? _("Revenir aux pages") : _("Retour à l’appel"));
  gtk_stack_set_visible_child_name (self->stack, "place");
}

static void
show_outcome (RelaisScanPage *self,
              const char     *icon,
              const char     *title,
              const char     *text,
              Failed          failed)
{
  self->failed = failed;
  gtk_image_set_from_icon_name (self->outcome_icon, icon);
  if (failed != FAILED_NOTHING)
    gtk_widget_add_css_class (GTK_WIDGET (self->outcome_icon), "failure");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->outcome_icon), "failure");
  gtk_label_set_label (self->outcome_title, title);
  gtk_label_set_label (self->outcome_text, text);
  gtk_widget_set_visible (self->outcome_retry_button, failed != FAILED_NOTHING);
  gtk_stack_set_visible_child_name (self->stack, "outcome");
}

/* ---- Callbacks ---------------------------------------------------------- */

static void
thumbnail_clicked_cb (GtkButton      *button,
                      RelaisScanPage *self)
{
  self->selected = (int) GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "page-index"));
  show_review (self);
}

static void
scan_clicked_cb (RelaisScanPage *self)
{
  relais_scan_page_set_scan_progress (self, 0, 0.0);
  g_signal_emit (self, signals[SIGNAL_SCAN_REQUESTED], 0);
}

static void
cancel_clicked_cb (RelaisScanPage *self)
{
  g_signal_emit (self, signals[SIGNAL_CANCEL_REQUESTED], 0);
}

static void
add_clicked_cb (RelaisScanPage *self)
{
  self->retake = -1;
  show_place (self);
}

static void
retake_clicked_cb (RelaisScanPage *self)
{
  self->retake = self->selected;
  show_place (self);
}

static void
remove_clicked_cb (RelaisScanPage *self)
{
  if (self->selected < (int) relais_document_get_n_pages (self->document))
    relais_document_remove_page (self->document, (guint) self->selected);
  if (self->selected > 0)
    self->selected--;
  if (relais_document_get_n_pages (self->document) == 0)
    show_place (self);
  else
    show_review (self);
}

static void
send_clicked_cb (RelaisScanPage *self)
{
  guint n = relais_document_get_n_pages (self->document);
  g_autofree char *question = NULL;

  /* The explicit consent: what goes, to whom, and what happens to it. */
  if (n == 1)
    question = g_strdup_printf (_("Envoyer cette page à votre conseiller de %s ?"), self->service_name);
  else
    question = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Envoyer cette %u page à votre conseiller de %s ?",
                                             "Envoyer ces %u pages à votre conseiller de %s ?", n),
                                n, self->service_name);
  gtk_label_set_label (self->consent_question, question);
  gtk_label_set_label (self->consent_hint,
                       _("Seul votre conseiller les verra. Rien ne reste sur cette borne : "
                         "tout est effacé à la fin du rendez-vous."));
  gtk_stack_set_visible_child_name (self->stack, "consent");
}

static void
consent_no_clicked_cb (RelaisScanPage *self)
{
  show_review (self);
}

static void
consent_yes_clicked_cb (RelaisScanPage *self)
{
  relais_scan_page_set_send_progress (self, 0.0);
  g_signal_emit (self, signals[SIGNAL_SEND_REQUESTED], 0);
}

static void
retry_clicked_cb (RelaisScanPage *self)
{
  if (self->failed == FAILED_SEND)
    consent_yes_clicked_cb (self);
  else
    show_place (self);
}

static void
close_clicked_cb (RelaisScanPage *self)
{
  /* From "place the paper" while adding or retaking: back to the pages. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "place") == 0 &&
      relais_document_get_n_pages (self->document) > 0)
    {
      self->retake = -1;
      show_review (self);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

/* ---- GObject ------------------------------------------------------------ */

static void
relais_scan_page_dispose (GObject *object)
{
  RelaisScanPage *self = (RelaisScanPage *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), RELAIS_TYPE_SCAN_PAGE);
  g_clear_object (&self->document);

  G_OBJECT_CLASS (relais_scan_page_parent_class)->dispose (object);
}

static void
relais_scan_page_finalize (GObject *object)
{
  RelaisScanPage *self = (RelaisScanPage *) object;

  g_free (self->service_name);

  G_OBJECT_CLASS (relais_scan_page_parent_class)->finalize (object);
}

static void
relais_scan_page_class_init (RelaisScanPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = relais_scan_page_dispose;
  object_class->finalize = relais_scan_page_finalize;

  signals[SIGNAL_SCAN_REQUESTED] =
    g_signal_new ("scan-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CANCEL_REQUESTED] =
    g_signal_new ("cancel-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SEND_REQUESTED] =
    g_signal_new ("send-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-scan-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, place_icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, place_title);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, place_hint);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, place_back_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, scan_button_icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, scan_button_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, progress_icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, progress_title);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, progress_hint);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, review_title);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, thumbnails);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, preview);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, remove_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, consent_question);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, consent_hint);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, outcome_icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, outcome_title);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, outcome_text);
  gtk_widget_class_bind_template_child (widget_class, RelaisScanPage, outcome_retry_button);
  gtk_widget_class_bind_template_callback (widget_class, scan_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, retake_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, send_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, consent_no_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, consent_yes_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
relais_scan_page_init (RelaisScanPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->document = relais_document_new ();
  self->service_name = g_strdup (_("votre service"));
  self->retake = -1;
  show_place (self);
}

/* ---- Public ------------------------------------------------------------- */

GtkWidget *
relais_scan_page_new (void)
{
  return g_object_new (RELAIS_TYPE_SCAN_PAGE, NULL);
}

void
relais_scan_page_set_service_name (RelaisScanPage *self,
                                   const char     *service_name)
{
  g_return_if_fail (RELAIS_IS_SCAN_PAGE (self));
  g_return_if_fail (service_name != NULL);

  g_free (self->service_name);
  self->service_name = g_strdup (service_name);
}

void
relais_scan_page_set_camera_mode (RelaisScanPage *self,
                                  gboolean        camera)
{
  g_return_if_fail (RELAIS_IS_SCAN_PAGE (self));

  self->camera = !!camera;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "place") == 0)
    show_place (self);
}

RelaisDocument *
relais_scan_page_get_document (RelaisScanPage *self)
{
  g_return_val_if_fail (RELAIS_IS_SCAN_PAGE (self), NULL);

  return self->document;
}

int
relais_scan_page_get_retake_index (RelaisScanPage *self)
{
  g_return_val_if_fail (RELAIS_IS_SCAN_PAGE (self), -1);

  return self->retake;
}

void
relais_scan_page_set_scan_progress (RelaisScanPage *self,
                                    guint           page,
                                    double          fraction)
{
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (RELAIS_IS_SCAN_PAGE (self));

  title = self->camera ? g_strdup (_("Photo en cours…"))
                       : g_strdup_printf (_("Numérisation de la page %u…"),
                                          (self->retake >= 0 ? (guint) self->retake
                                                             : relais_document_get_n_pages (self->document)) + page + 1);
  text = g_strdup_printf ("%d %%", (int) (CLAMP (fraction, 0.0, 1.0) * 100 + 0.5));
  gtk_image_set_from_icon_name (self->progress_icon, self->camera ? "camera-photo-symbolic" : "scanner-symbolic");
  gtk_label_set_label (self->progress_title, title);
  gtk_label_set_label (self->progress_hint, _("Ne soulevez pas le capot pendant la numérisation."));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_hint), !self->camera);
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_widget_set_visible (self->cancel_button, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "progress");
}

void
relais_scan_page_scan_done (RelaisScanPage *self,
                            GPtrArray      *pages)
{
  g_return_if_fail (RELAIS_IS_SCAN_PAGE (self));
  g_return_if_fail (pages != NULL);

  for (guint i = 0; i < pages->len; i++)
    {
      RelaisPage *page = g_ptr_array_index (pages, i);

      if (i == 0 && self->retake >= 0 && self->retake < (int) relais_document_get_n_pages (self->document))
        {
          relais_document_replace_page (self->document, (guint) self->retake, page);
          self->selected = self->retake;
        }
      else
        {
          relais_document_add_page (self->document, page);
          self->selected = (int) relais_document_get_n_pages (self->document) - 1;
        }
    }
  self->retake = -1;
  show_review (self);
}

void
relais_scan_page_scan_failed (RelaisScanPage *self,
                              const char     *message)
{
  g_return_if_fail (RELAIS_IS_SCAN_PAGE (self));

  if (message == NULL)
    {
      /* Cancelled: back where the person was. */
      if (relais_document_get_n_pages (self->document) > 0)
        show_review (self);
      else
        show_place (self);
      return;
    }
  show_outcome (self, "dialog-warning-symbolic", _("La numérisation n’a pas marché"), message, FAILED_SCAN);
}

void
relais_scan_page_set_send_progress (RelaisScanPage *self,
                                    double          fraction)
{
  g_autofree char *text = NULL;

  g_return_if_fail (RELAIS_IS_SCAN_PAGE (self));

  text = g_strdup_printf ("%d %%", (int) (CLAMP (fraction, 0.0, 1.0) * 100 + 0.5));
  gtk_image_set_from_icon_name (self->progress_icon, "document-send-symbolic");
  gtk_label_set_label (self->progress_title, _("Envoi au conseiller…"));
  gtk_label_set_label (self->progress_hint, _("Vous pouvez continuer à parler pendant l’envoi."));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_hint), TRUE);
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_widget_set_visible (self->cancel_button, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "progress");
}

void
relais_scan_page_send_done (RelaisScanPage *self)
{
  g_return_if_fail (RELAIS_IS_SCAN_PAGE (self));

  show_outcome (self, "emblem-ok-symbolic", _("Votre conseiller a bien reçu le document"),
                _("Il a été vérifié à l’arrivée. Vous pouvez reprendre vos feuilles."), FAILED_NOTHING);
}

void
relais_scan_page_send_failed (RelaisScanPage *self,
                              const char     *message)
{
  g_return_if_fail (RELAIS_IS_SCAN_PAGE (self));

  if (message == NULL)
    {
      show_review (self);
      return;
    }
  show_outcome (self, "dialog-warning-symbolic", _("Le document n’est pas parti"), message, FAILED_SEND);
}

void
relais_scan_page_reset (RelaisScanPage *self)
{
  g_return_if_fail (RELAIS_IS_SCAN_PAGE (self));

  relais_document_clear (self->document);
  gtk_picture_set_paintable (self->preview, NULL);
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (self->thumbnails)) != NULL)
      gtk_box_remove (GTK_BOX (self->thumbnails), child);
  }
  self->selected = 0;
  self->retake = -1;
  self->failed = FAILED_NOTHING;
  show_place (self);
}
