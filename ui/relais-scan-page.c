/* relais-scan-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-scan-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-scan-page.h"
#include "relais-dossier.h"

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
  RelaisContextPage parent_instance;

  RelaisDossier  *dossier;        /* the context's: the pages live there */
  int             selected;       /* page shown large */
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

G_DEFINE_FINAL_TYPE (RelaisScanPage, relais_scan_page, RELAIS_TYPE_CONTEXT_PAGE)

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
  guint n = relais_dossier_get_n_pages (self->dossier);
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
      g_autoptr(GdkTexture) texture = page_texture (relais_dossier_get_page (self->dossier, i), THUMB_HEIGHT);
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
    g_autoptr(GdkTexture) texture = page_texture (relais_dossier_get_page (self->dossier, (guint) self->selected),
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
  gboolean adding = relais_dossier_get_n_pages (self->dossier) > 0;
  gboolean camera = relais_dossier_get_camera (self->dossier);

  gtk_image_set_from_icon_name (self->place_icon, camera ? "camera-photo-symbolic" : "scanner-symbolic");
  gtk_image_set_from_icon_name (self->scan_button_icon, camera ? "camera-photo-symbolic" : "scanner-symbolic");
  gtk_label_set_label (self->place_title,
                       camera ? _("Posez votre feuille sous la caméra")
                                    : _("Posez votre feuille sur le scanner"));
  gtk_label_set_label (self->place_hint,
                       camera ? _("Face écrite vers le haut, bien à plat, toute la feuille dans le cadre.")
                                    : _("Face écrite contre la vitre, en haut à gauche. Puis fermez le capot."));
  gtk_label_set_label (self->scan_button_label, camera ? _("Photographier") : _("Numériser"));
  /* While adding or retaking, going back means the pages already there
   * (place_back_clicked_cb); else back to the call. */
  gtk_button_set_label (GTK_BUTTON (self->place_back_button),
                        adding ? _("Revenir aux pages") : _("Retour à l’appel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->place_back_button),
                                  adding ? NULL : "app.close-scan");
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
  /* Réessayer sends again, or goes back to "place the paper" (retry_clicked_cb). */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->outcome_retry_button),
                                  failed == FAILED_SEND ? "app.send-document" : NULL);
  gtk_stack_set_visible_child_name (self->stack, "outcome");
}

static void
clear_pictures (RelaisScanPage *self)
{
  GtkWidget *child;

  /* Nothing of the person's pages stays on screen either. */
  gtk_picture_set_paintable (self->preview, NULL);
  while ((child = gtk_widget_get_first_child (self->thumbnails)) != NULL)
    gtk_box_remove (GTK_BOX (self->thumbnails), child);
}

static void
show_progress (RelaisScanPage *self)
{
  RelaisDossierState state = relais_dossier_get_state (self->dossier);
  double fraction = relais_dossier_get_progress (self->dossier);
  gboolean camera = relais_dossier_get_camera (self->dossier);
  g_autofree char *title = NULL;
  g_autofree char *text = g_strdup_printf ("%d %%", (int) (CLAMP (fraction, 0.0, 1.0) * 100 + 0.5));

  if (state == RELAIS_DOSSIER_SCANNING)
    {
      title = camera ? g_strdup (_("Photo en cours…"))
                     : g_strdup_printf (_("Numérisation de la page %u…"),
                                        relais_dossier_get_scanning_page (self->dossier) + 1);
      gtk_image_set_from_icon_name (self->progress_icon, camera ? "camera-photo-symbolic" : "scanner-symbolic");
      gtk_label_set_label (self->progress_hint, _("Ne soulevez pas le capot pendant la numérisation."));
      gtk_widget_set_visible (GTK_WIDGET (self->progress_hint), !camera);
    }
  else
    {
      title = g_strdup (_("Envoi au conseiller…"));
      gtk_image_set_from_icon_name (self->progress_icon, "document-send-symbolic");
      gtk_label_set_label (self->progress_hint, _("Vous pouvez continuer à parler pendant l’envoi."));
      gtk_widget_set_visible (GTK_WIDGET (self->progress_hint), TRUE);
    }
  gtk_label_set_label (self->progress_title, title);
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_widget_set_visible (self->cancel_button, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "progress");
}

/* "la Caisse d’allocations familiales": named in the consent question. */
static char *
service_name (RelaisScanPage *self)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisTicket *current = relais_queue_get_current (relais_context_get_queue (context));
  const RelaisService *service = NULL;

  if (current != NULL)
    service = relais_directory_find_service (relais_context_get_directory (context),
                                             relais_ticket_get_service_id (current));
  return g_strdup (service != NULL ? service->name : _("votre service"));
}

/* ---- The dossier -------------------------------------------------------- */

static void
dossier_state_cb (RelaisScanPage *self)
{
  switch (relais_dossier_get_state (self->dossier))
    {
    case RELAIS_DOSSIER_IDLE:
      /* A scan done or stopped, or the pages dropped. */
      if (relais_dossier_get_n_pages (self->dossier) > 0)
        show_review (self);
      else
        show_place (self);
      break;

    case RELAIS_DOSSIER_SCANNING:
    case RELAIS_DOSSIER_SENDING:
      show_progress (self);
      break;

    case RELAIS_DOSSIER_SCAN_FAILED:
      show_outcome (self, "dialog-warning-symbolic", _("La numérisation n’a pas marché"),
                    relais_dossier_get_failure (self->dossier), FAILED_SCAN);
      break;

    case RELAIS_DOSSIER_SENT:
      show_outcome (self, "emblem-ok-symbolic", _("Votre conseiller a bien reçu le document"),
                    _("Il a été vérifié à l’arrivée. Vous pouvez reprendre vos feuilles."), FAILED_NOTHING);
      break;

    case RELAIS_DOSSIER_SEND_FAILED:
    default:
      show_outcome (self, "dialog-warning-symbolic", _("Le document n’est pas parti"),
                    relais_dossier_get_failure (self->dossier), FAILED_SEND);
      break;
    }
}

static void
dossier_progress_cb (RelaisScanPage *self)
{
  RelaisDossierState state = relais_dossier_get_state (self->dossier);

  if (state == RELAIS_DOSSIER_SCANNING || state == RELAIS_DOSSIER_SENDING)
    show_progress (self);
}

static void
dossier_camera_cb (RelaisScanPage *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "place") == 0)
    show_place (self);
}

static void
dossier_pages_changed_cb (RelaisScanPage *self,
                          guint           position,
                          guint           removed,
                          guint           added)
{
  guint n = relais_dossier_get_n_pages (self->dossier);

  if (added > 0)
    self->selected = (int) (position + added - 1);
  else if (self->selected > 0)
    self->selected--;

  if (n == 0)
    {
      self->selected = 0;
      self->failed = FAILED_NOTHING;
      clear_pictures (self);
    }
  /* A scan shows its pages once it is over ("state"). */
  if (relais_dossier_get_state (self->dossier) == RELAIS_DOSSIER_SCANNING)
    return;
  if (n == 0)
    show_place (self);
  else
    show_review (self);
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
add_clicked_cb (RelaisScanPage *self)
{
  relais_dossier_set_retake (self->dossier, -1);
  show_place (self);
}

static void
retake_clicked_cb (RelaisScanPage *self)
{
  relais_dossier_set_retake (self->dossier, self->selected);
  show_place (self);
}

static void
remove_clicked_cb (RelaisScanPage *self)
{
  if (self->selected >= 0)
    relais_dossier_remove_page (self->dossier, (guint) self->selected);
}

static void
send_clicked_cb (RelaisScanPage *self)
{
  guint n = relais_dossier_get_n_pages (self->dossier);
  g_autofree char *service = service_name (self);
  g_autofree char *question = NULL;

  /* The explicit consent: what goes, to whom, and what happens to it. */
  if (n == 1)
    question = g_strdup_printf (_("Envoyer cette page à votre conseiller de %s ?"), service);
  else
    question = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Envoyer cette %u page à votre conseiller de %s ?",
                                             "Envoyer ces %u pages à votre conseiller de %s ?", n),
                                n, service);
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

/* Réessayer after a failed scan (a failed sending has app.send-document). */
static void
retry_clicked_cb (RelaisScanPage *self)
{
  if (self->failed != FAILED_SEND)
    show_place (self);
}

/* From "place the paper" while adding or retaking: back to the pages
 * (otherwise the button is app.close-scan). */
static void
place_back_clicked_cb (RelaisScanPage *self)
{
  if (relais_dossier_get_n_pages (self->dossier) > 0)
    {
      relais_dossier_set_retake (self->dossier, -1);
      show_review (self);
    }
}

/* ---- GObject ------------------------------------------------------------ */

static void
relais_scan_page_constructed (GObject *object)
{
  RelaisScanPage *self = (RelaisScanPage *) object;
  RelaisContext *context;

  G_OBJECT_CLASS (relais_scan_page_parent_class)->constructed (object);

  context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  g_return_if_fail (context != NULL);
  self->dossier = g_object_ref (relais_context_get_dossier (context));
  g_signal_connect_object (self->dossier, "notify::state",
                           G_CALLBACK (dossier_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dossier, "notify::progress",
                           G_CALLBACK (dossier_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dossier, "notify::scanning-page",
                           G_CALLBACK (dossier_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dossier, "notify::camera",
                           G_CALLBACK (dossier_camera_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dossier, "pages-changed",
                           G_CALLBACK (dossier_pages_changed_cb), self, G_CONNECT_SWAPPED);
  dossier_state_cb (self);
}

static void
relais_scan_page_dispose (GObject *object)
{
  RelaisScanPage *self = (RelaisScanPage *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), RELAIS_TYPE_SCAN_PAGE);
  g_clear_object (&self->dossier);

  G_OBJECT_CLASS (relais_scan_page_parent_class)->dispose (object);
}

static void
relais_scan_page_class_init (RelaisScanPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = relais_scan_page_constructed;
  object_class->dispose = relais_scan_page_dispose;

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
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, retake_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, send_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, consent_no_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, place_back_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
relais_scan_page_init (RelaisScanPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ---- Public ------------------------------------------------------------- */

GtkWidget *
relais_scan_page_new (RelaisContext *context)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (context), NULL);

  return g_object_new (RELAIS_TYPE_SCAN_PAGE, "context", context, NULL);
}
