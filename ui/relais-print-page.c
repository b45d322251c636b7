/* relais-print-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-print-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-print-page.h"
#include "relais-dossier.h"
#include "relais-pdf-sandbox.h"

/* Pages are drawn this many pixels high, about twice the room the preview
 * has on a 1280x800 screen: sharp text without drawing at every resize.
 * An A4 page is then ~636x900 (2.3 MB) and takes 20 to 80 ms to draw on
 * a cheap PC, in the PDF helper's process (the document came from the
 * network: issue 12, item 6). A page wider than twice its height comes
 * back narrower than 900 high, within RENDER_WIDTH. */
#define RENDER_HEIGHT 900
#define RENDER_WIDTH  1800
#define PULSE_MS 120
/* px/s: slower drags are taken for a tap that moved. */
#define SWIPE_MIN_VELOCITY 300.0

struct _RelaisPrintPage
{
  RelaisContextPage parent_instance;

  RelaisDossier    *dossier;       /* the context's: the document lives there */
  RelaisPdfSandbox *sandbox;       /* draws the pages, out of our process */

  char             *path;
  guint             generation;    /* bumped with each document */
  GCancellable     *cancellable;   /* of the document's renders */
  guint             n_pages;
  guint             current;
  GPtrArray        *textures;      /* GdkTexture or NULL, by page */
  gboolean          rendering;
  gboolean          broken;

  RelaisPrintState  state;
  guint             pulse_id;

  GtkWidget        *root;
  GtkStack         *views;
  GtkStack         *preview_stack;
  GtkPicture       *picture;
  GtkLabel         *preview_error;
  GtkWidget        *prev_button;
  GtkWidget        *next_button;
  GtkLabel         *page_label;
  GtkWidget        *print_button;
  GtkImage         *state_icon;
  GtkLabel         *state_title;
  GtkLabel         *state_detail;
  GtkProgressBar   *progress;
  GtkWidget        *cancel_button;
  GtkWidget        *retry_button;
  GtkWidget        *close_button;
  GtkLabel         *close_label;
  GtkImage         *close_icon;
  GtkAspectFrame   *paper_frame;
};

G_DEFINE_FINAL_TYPE (RelaisPrintPage, relais_print_page, RELAIS_TYPE_CONTEXT_PAGE)

static void render_next (RelaisPrintPage *self);
static void set_document (RelaisPrintPage *self,
                          const char      *pdf_path);
static void set_state    (RelaisPrintPage  *self,
                          RelaisPrintState  state,
                          const char       *message);

/* The dossier's document and its printing: what the page shows. */
static void
dossier_document_cb (RelaisPrintPage *self)
{
  set_document (self, relais_dossier_get_document_path (self->dossier));
}

static void
dossier_print_state_cb (RelaisPrintPage *self)
{
  set_state (self, relais_dossier_get_print_state (self->dossier),
             relais_dossier_get_print_failure (self->dossier));
}

static void
unref_texture (gpointer texture)
{
  if (texture != NULL)
    g_object_unref (texture);
}

static void
update_navigation (RelaisPrintPage *self)
{
  gboolean several = self->n_pages > 1;
  g_autofree char *label = NULL;

  gtk_widget_set_visible (self->prev_button, several);
  gtk_widget_set_visible (self->next_button, several);
  gtk_widget_set_sensitive (self->prev_button, self->current > 0);
  gtk_widget_set_sensitive (self->next_button, self->current + 1 < self->n_pages);
  /* A document that cannot be shown is not printed blind: only
   * "Ne pas imprimer" is left. */
  gtk_widget_set_visible (self->print_button, self->path != NULL && !self->broken);

  if (self->n_pages > 0)
    /* Translators: the page of the preview shown, and how many there are. */
    label = g_strdup_printf (_("Page %u sur %u"), self->current + 1, self->n_pages);
  gtk_label_set_label (self->page_label, label != NULL ? label : "");
}

static void
show_current (RelaisPrintPage *self)
{
  GdkTexture *texture = NULL;

  if (self->broken)
    {
      gtk_stack_set_visible_child_name (self->preview_stack, "broken");
      return;
    }

  if (self->textures != NULL && self->current < self->textures->len)
    texture = g_ptr_array_index (self->textures, self->current);

  if (texture != NULL)
    {
      gtk_aspect_frame_set_ratio (self->paper_frame,
                                  (float) gdk_texture_get_width (texture) / gdk_texture_get_height (texture));
      gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
      gtk_stack_set_visible_child_name (self->preview_stack, "page");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->preview_stack, "loading");
    }
}

typedef struct
{
  RelaisPrintPage *self;
  guint            generation;
} RenderRequest;

static void
render_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autofree RenderRequest *request = user_data;
  g_autoptr(RelaisPrintPage) self = request->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisPdfImage) image = NULL;
  GdkTexture *texture = NULL;

  image = relais_pdf_sandbox_render_finish (RELAIS_PDF_SANDBOX (source), res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Only the renders of the document on screen count. */
  if (request->generation != self->generation)
    return;

  self->rendering = FALSE;

  if (image != NULL && (self->textures == NULL || image->n_pages == self->n_pages))
    texture = gdk_memory_texture_new (image->width, image->height, GDK_MEMORY_DEFAULT,
                                      image->pixels, image->stride);

  /* A page that cannot be drawn (broken, a helper that died or ran out
   * of time, a picture GTK refuses) makes the document broken: said
   * once, never drawn again (before, a NULL texture was asked for again
   * and again). */
  if (texture == NULL)
    {
      g_debug ("The document cannot be shown: %s",
               error != NULL ? error->message : "no picture");
      self->broken = TRUE;
      update_navigation (self);
      show_current (self);
      return;
    }

  if (self->textures == NULL)
    {
      self->n_pages = image->n_pages;
      self->textures = g_ptr_array_new_full (self->n_pages, unref_texture);
      g_ptr_array_set_size (self->textures, self->n_pages);
      update_navigation (self);
    }

  if (image->index < self->textures->len)
    {
      if (g_ptr_array_index (self->textures, image->index) != NULL)
        g_object_unref (g_ptr_array_index (self->textures, image->index));
      g_ptr_array_index (self->textures, image->index) = texture;
    }
  else
    g_object_unref (texture);

  show_current (self);
  render_next (self);
}

/* One render at a time: the page asked for first, then the one after it,
 * so that › answers at once. */
static void
render_next (RelaisPrintPage *self)
{
  RenderRequest *request;
  guint index;

  if (self->rendering || self->path == NULL || self->broken)
    return;

  if (self->textures == NULL)
    index = 0;
  else if (g_ptr_array_index (self->textures, self->current) == NULL)
    index = self->current;
  else if (self->current + 1 < self->textures->len &&
           g_ptr_array_index (self->textures, self->current + 1) == NULL)
    index = self->current + 1;
  else
    return;

  request = g_new0 (RenderRequest, 1);
  request->self = g_object_ref (self);
  request->generation = self->generation;

  self->rendering = TRUE;
  relais_pdf_sandbox_render_async (self->sandbox, self->path, index, RENDER_WIDTH, RENDER_HEIGHT,
                                   self->cancellable, render_cb, request);
}

static gboolean
pulse_cb (gpointer user_data)
{
  RelaisPrintPage *self = user_data;

  gtk_progress_bar_pulse (self->progress);
  return G_SOURCE_CONTINUE;
}

static void
prev_cb (RelaisPrintPage *self)
{
  if (self->current > 0)
    relais_print_page_show_page (self, self->current - 1);
}

static void
next_cb (RelaisPrintPage *self)
{
  if (self->current + 1 < self->n_pages)
    relais_print_page_show_page (self, self->current + 1);
}

/* On a touchscreen, people turn pages the way they do on a phone. */
static void
swipe_cb (GtkGestureSwipe *gesture,
          double           velocity_x,
          double           velocity_y,
          RelaisPrintPage *self)
{
  if (ABS (velocity_x) < SWIPE_MIN_VELOCITY || ABS (velocity_x) < ABS (velocity_y))
    return;
  if (velocity_x < 0)
    next_cb (self);
  else
    prev_cb (self);
}

static void
relais_print_page_constructed (GObject *object)
{
  RelaisPrintPage *self = (RelaisPrintPage *)object;
  RelaisContext *context;

  G_OBJECT_CLASS (relais_print_page_parent_class)->constructed (object);

  context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  g_return_if_fail (context != NULL);
  self->dossier = g_object_ref (relais_context_get_dossier (context));
  g_signal_connect_object (self->dossier, "notify::document",
                           G_CALLBACK (dossier_document_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dossier, "notify::print-state",
                           G_CALLBACK (dossier_print_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dossier, "notify::print-failure",
                           G_CALLBACK (dossier_print_state_cb), self, G_CONNECT_SWAPPED);
  if (relais_dossier_get_document_path (self->dossier) != NULL)
    dossier_document_cb (self);
  dossier_print_state_cb (self);
}

static void
relais_print_page_dispose (GObject *object)
{
  RelaisPrintPage *self = (RelaisPrintPage *)object;

  g_clear_object (&self->dossier);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), RELAIS_TYPE_PRINT_PAGE);
  g_clear_pointer (&self->textures, g_ptr_array_unref);

  G_OBJECT_CLASS (relais_print_page_parent_class)->dispose (object);
}

static void
relais_print_page_finalize (GObject *object)
{
  RelaisPrintPage *self = (RelaisPrintPage *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->sandbox);
  g_free (self->path);

  G_OBJECT_CLASS (relais_print_page_parent_class)->finalize (object);
}

static void
relais_print_page_class_init (RelaisPrintPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = relais_print_page_constructed;
  object_class->dispose = relais_print_page_dispose;
  object_class->finalize = relais_print_page_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-print-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, root);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, views);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, preview_stack);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, picture);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, preview_error);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, prev_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, next_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, page_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, print_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, state_icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, state_title);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, state_detail);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, progress);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, close_button);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, close_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, close_icon);
  gtk_widget_class_bind_template_child (widget_class, RelaisPrintPage, paper_frame);
  gtk_widget_class_bind_template_callback (widget_class, prev_cb);
  gtk_widget_class_bind_template_callback (widget_class, next_cb);
}

static void
relais_print_page_init (RelaisPrintPage *self)
{
  GtkGesture *swipe;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->sandbox = relais_pdf_sandbox_new ();

  swipe = gtk_gesture_swipe_new ();
  g_signal_connect (swipe, "swipe", G_CALLBACK (swipe_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->preview_stack), GTK_EVENT_CONTROLLER (swipe));
  update_navigation (self);
}

GtkWidget *
relais_print_page_new (RelaisContext *context)
{
  g_return_val_if_fail (RELAIS_IS_CONTEXT (context), NULL);

  return g_object_new (RELAIS_TYPE_PRINT_PAGE, "context", context, NULL);
}

/* Shows @pdf_path (NULL: nothing) from its first page, in the preview
 * state. */
static void
set_document (RelaisPrintPage *self,
              const char      *pdf_path)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  self->rendering = FALSE;
  self->broken = FALSE;
  self->n_pages = 0;
  self->current = 0;
  g_clear_pointer (&self->textures, g_ptr_array_unref);
  gtk_picture_set_paintable (self->picture, NULL);
  g_free (self->path);
  self->path = g_strdup (pdf_path);

  set_state (self, RELAIS_PRINT_STATE_IDLE, NULL);
  update_navigation (self);
  show_current (self);
  render_next (self);
}

/* @message: the printer's error, shown with FAILED. IDLE goes back to
 * the preview. */
static void
set_state (RelaisPrintPage  *self,
           RelaisPrintState  state,
           const char       *message)
{
  const char *icon = NULL;
  const char *title = NULL;
  const char *detail = NULL;
  gboolean busy = FALSE;

  self->state = state;
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "check-ok");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "print-error");

  switch (state)
    {
    case RELAIS_PRINT_STATE_IDLE:
      g_clear_handle_id (&self->pulse_id, g_source_remove);
      gtk_stack_set_visible_child_name (self->views, "preview");
      return;

    case RELAIS_PRINT_STATE_SENDING:
      icon = "document-send-symbolic";
      title = _("Envoi à l'imprimante…");
      detail = _("Un instant, s'il vous plaît.");
      busy = TRUE;
      break;

    case RELAIS_PRINT_STATE_QUEUED:
      icon = "printer-symbolic";
      title = _("L'imprimante se prépare…");
      detail = _("Vos feuilles vont bientôt sortir.");
      busy = TRUE;
      break;

    case RELAIS_PRINT_STATE_PRINTING:
      icon = "printer-printing-symbolic";
      title = _("Impression en cours…");
      detail = _("Vos feuilles sortent de l'imprimante.");
      busy = TRUE;
      break;

    case RELAIS_PRINT_STATE_DONE:
      icon = "emblem-ok-symbolic";
      title = _("C'est imprimé");
      detail = _("Prenez vos feuilles dans l'imprimante.");
      gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), "check-ok");
      break;

    case RELAIS_PRINT_STATE_FAILED:
    default:
      icon = "printer-error-symbolic";
      title = _("Le document n'a pas été imprimé");
      detail = message != NULL ? message : _("Demandez à l'agent d'accueil de vérifier l'imprimante.");
      gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), "print-error");
      break;
    }

  gtk_image_set_from_icon_name (self->state_icon, icon);
  gtk_label_set_label (self->state_title, title);
  gtk_label_set_label (self->state_detail, detail);

  gtk_widget_set_visible (GTK_WIDGET (self->progress), state != RELAIS_PRINT_STATE_FAILED);
  if (busy)
    {
      if (self->pulse_id == 0)
        self->pulse_id = g_timeout_add (PULSE_MS, pulse_cb, self);
    }
  else
    {
      g_clear_handle_id (&self->pulse_id, g_source_remove);
      gtk_progress_bar_set_fraction (self->progress, 1.0);
    }

  gtk_widget_set_visible (self->cancel_button, busy);
  gtk_widget_set_visible (self->retry_button, state == RELAIS_PRINT_STATE_FAILED);
  gtk_widget_set_visible (self->close_button, !busy);
  gtk_label_set_label (self->close_label,
                       state == RELAIS_PRINT_STATE_DONE ? _("Terminé") : _("Fermer"));
  gtk_image_set_from_icon_name (self->close_icon,
                                state == RELAIS_PRINT_STATE_DONE ? "emblem-ok-symbolic" : "window-close-symbolic");

  gtk_stack_set_visible_child_name (self->views, "progress");
}

RelaisPrintState
relais_print_page_get_state (RelaisPrintPage *self)
{
  g_return_val_if_fail (RELAIS_IS_PRINT_PAGE (self), RELAIS_PRINT_STATE_IDLE);

  return self->state;
}

guint
relais_print_page_get_n_pages (RelaisPrintPage *self)
{
  g_return_val_if_fail (RELAIS_IS_PRINT_PAGE (self), 0);

  return self->n_pages;
}

guint
relais_print_page_get_current_page (RelaisPrintPage *self)
{
  g_return_val_if_fail (RELAIS_IS_PRINT_PAGE (self), 0);

  return self->current;
}

void
relais_print_page_show_page (RelaisPrintPage *self,
                             guint            index)
{
  g_return_if_fail (RELAIS_IS_PRINT_PAGE (self));
  g_return_if_fail (index < self->n_pages);

  self->current = index;
  update_navigation (self);
  show_current (self);
  render_next (self);
}

gboolean
relais_print_page_is_page_shown (RelaisPrintPage *self)
{
  g_return_val_if_fail (RELAIS_IS_PRINT_PAGE (self), FALSE);

  return self->textures != NULL && self->current < self->textures->len &&
         g_ptr_array_index (self->textures, self->current) != NULL &&
         gtk_picture_get_paintable (self->picture) == g_ptr_array_index (self->textures, self->current);
}
