/* relais-attract-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-attract-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "relais-advisor-presence.h"
#include "relais-attract-page.h"
#include "relais-figures-store.h"
#include "relais-queue-watch.h"
#include "relais-ui-util.h"

/* How far back the estimated waits look. */
#define WAIT_FIGURES_DAYS 14

struct _RelaisAttractPage
{
  RelaisContextPage parent_instance;

  RelaisQueueWatch *watch;
  guint             clock_id;

  GtkWidget        *root;
  GtkLabel         *site_label;
  GtkWidget        *demo_label;
  GtkLabel         *clock_label;
  GtkStack         *hero_stack;
  GtkLabel         *called_code_label;
  GtkLabel         *called_text_label;
  GtkStack         *board_stack;
  GtkFlowBox       *board;
  GtkWidget        *estimate_note;

  gint64            seconds_per_person;
  char             *board_signature;
};

G_DEFINE_FINAL_TYPE (RelaisAttractPage, relais_attract_page, RELAIS_TYPE_CONTEXT_PAGE)

/* What one card on the board says. */
typedef struct
{
  char *code;
  char *service;
  char *rank;
  char *wait;
  gboolean next;
} BoardEntry;

static void
board_entry_clear (BoardEntry *entry)
{
  g_free (entry->code);
  g_free (entry->service);
  g_free (entry->rank);
  g_free (entry->wait);
}

static GtkWidget *
make_label (const char *text,
            const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, css_class);
  gtk_widget_set_name (label, css_class);
  return label;
}

/* How the cards are laid out, so that 1 to 12 tickets fit on a 1280x800
 * screen without scrolling (nobody scrolls a kiosk) and stay readable
 * from a chair: up to 3, large cards in one row; up to 6, wide cards in
 * two rows of 3; up to 12, short cards (no service name: the code's
 * letter says it) in three rows of 4. */
typedef enum
{
  CARDS_LARGE,
  CARDS_WIDE,
  CARDS_SHORT,
} CardStyle;

static CardStyle
card_style_for (guint n_tickets)
{
  if (n_tickets <= 3)
    return CARDS_LARGE;
  if (n_tickets <= 6)
    return CARDS_WIDE;
  return CARDS_SHORT;
}

static GtkWidget *
make_ticket_card (const BoardEntry *entry,
                  CardStyle         style)
{
  gboolean large = style == CARDS_LARGE;
  GtkWidget *card = gtk_box_new (large ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL,
                                 large ? 2 : 12);
  GtkWidget *details = large ? card : gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *code;
  GtkWidget *rank;
  GtkWidget *wait_row;
  GtkWidget *wait;
  GtkWidget *clock;

  gtk_widget_add_css_class (card, "ticket-card");
  if (!large)
    gtk_widget_add_css_class (card, "compact");
  if (entry->next)
    gtk_widget_add_css_class (card, "next");

  /* The code first: dup_board_text() reads it there. */
  code = make_label (entry->code, "ticket-code");
  gtk_box_append (GTK_BOX (card), code);

  if (!large)
    {
      gtk_widget_set_valign (details, GTK_ALIGN_CENTER);
      gtk_widget_set_hexpand (details, TRUE);
      gtk_box_append (GTK_BOX (card), details);
    }

  if (style != CARDS_SHORT)
    {
      GtkWidget *service = make_label (entry->service, "ticket-service");

      gtk_label_set_ellipsize (GTK_LABEL (service), PANGO_ELLIPSIZE_END);
      if (!large)
        gtk_label_set_xalign (GTK_LABEL (service), 0);
      gtk_box_append (GTK_BOX (details), service);
    }

  rank = make_label (entry->rank, "ticket-rank");
  gtk_label_set_wrap (GTK_LABEL (rank), TRUE);
  if (large)
    gtk_label_set_justify (GTK_LABEL (rank), GTK_JUSTIFY_CENTER);
  else
    gtk_label_set_xalign (GTK_LABEL (rank), 0);
  gtk_box_append (GTK_BOX (details), rank);

  wait_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (wait_row, large ? GTK_ALIGN_CENTER : GTK_ALIGN_START);
  /* Four short cards a row leave no width for the pictogram. */
  if (style != CARDS_SHORT)
    {
      clock = gtk_image_new_from_icon_name ("alarm-symbolic");
      gtk_image_set_pixel_size (GTK_IMAGE (clock), 20);
      gtk_box_append (GTK_BOX (wait_row), clock);
    }
  /* Wrapping lets a long wait ("environ 2 h 45") take two lines rather
   * than push the board wider than the screen in a longer language. */
  wait = make_label (entry->wait, "ticket-wait");
  gtk_label_set_wrap (GTK_LABEL (wait), TRUE);
  gtk_label_set_xalign (GTK_LABEL (wait), 0);
  gtk_box_append (GTK_BOX (wait_row), wait);
  gtk_box_append (GTK_BOX (details), wait_row);

  return card;
}

/* The board as the turn rule would call people now, each with an
 * estimated wait: the people ahead in that order, plus the person in the
 * booth if any. */
static GArray *
compute_board (RelaisAttractPage *self)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisDirectory *directory = relais_context_get_directory (context);
  RelaisQueue *queue = relais_context_get_queue (context);
  RelaisTicket *current = relais_queue_get_current (queue);
  g_autoptr(GPtrArray) order = relais_queue_list_turn_order (queue);
  GArray *board = g_array_sized_new (FALSE, TRUE, sizeof (BoardEntry), order->len);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 booth_elapsed = 0;

  g_array_set_clear_func (board, (GDestroyNotify)board_entry_clear);

  if (current != NULL)
    booth_elapsed = now - relais_ticket_get_called_at (current);

  for (guint i = 0; i < order->len; i++)
    {
      RelaisTicket *ticket = g_ptr_array_index (order, i);
      BoardEntry entry = { 0 };
      guint minutes = relais_turn_estimate_wait_minutes (i, current != NULL, booth_elapsed,
                                                         self->seconds_per_person);

      entry.code = g_strdup (relais_ticket_get_code (ticket));
      entry.service = g_strdup (relais_ui_service_name (directory,
                                                        relais_ticket_get_service_id (ticket)));
      entry.next = i == 0;
      if (i == 0)
        entry.rank = g_strdup (_("Vous êtes le prochain"));
      else
        entry.rank = g_strdup_printf (_("%uᵉ"), i + 1);
      entry.wait = relais_turn_format_wait (minutes);
      g_array_append_val (board, entry);
    }

  return board;
}

static char *
board_signature (GArray *board)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < board->len; i++)
    {
      BoardEntry *entry = &g_array_index (board, BoardEntry, i);

      g_string_append_printf (text, "%s\x1f%s\x1f%s\x1f%s\x1e",
                              entry->code, entry->service, entry->rank, entry->wait);
    }

  return g_string_free (text, FALSE);
}

/* Rebuilds the board's cards only when what they say changed: the clock
 * asks every few seconds (waits age, advisors come and go). */
static void
update_board (RelaisAttractPage *self,
              gboolean           force)
{
  g_autoptr(GArray) board = compute_board (self);
  g_autofree char *signature = board_signature (board);
  GtkWidget *child;
  CardStyle style;
  guint per_line;

  if (!force && g_strcmp0 (signature, self->board_signature) == 0)
    return;

  g_free (self->board_signature);
  self->board_signature = g_steal_pointer (&signature);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->board))) != NULL)
    gtk_flow_box_remove (self->board, child);

  style = card_style_for (board->len);
  per_line = style == CARDS_SHORT ? (board->len <= 12 ? 4 : 5) : 3;
  gtk_flow_box_set_min_children_per_line (self->board, per_line);
  gtk_flow_box_set_max_children_per_line (self->board, per_line);

  for (guint i = 0; i < board->len; i++)
    gtk_flow_box_append (self->board, make_ticket_card (&g_array_index (board, BoardEntry, i), style));

  gtk_stack_set_visible_child_name (self->board_stack, board->len > 0 ? "board" : "empty");
  gtk_widget_set_visible (self->estimate_note, board->len > 0);
}

static void
rebuild (RelaisAttractPage *self)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisQueue *queue = relais_context_get_queue (context);
  RelaisTicket *current = relais_queue_get_current (queue);

  update_board (self, TRUE);

  if (current != NULL)
    {
      gtk_label_set_label (self->called_code_label, relais_ticket_get_code (current));
      gtk_label_set_label (self->called_text_label,
                           relais_ticket_get_state (current) == RELAIS_TICKET_CALLED
                           ? _("C'est votre tour : installez-vous dans la cabine.")
                           : _("En rendez-vous dans la cabine."));
    }
  gtk_stack_set_visible_child_name (self->hero_stack, current != NULL ? "called" : "welcome");
}

static gboolean
update_clock (gpointer user_data)
{
  RelaisAttractPage *self = user_data;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *text = g_date_time_format (now, "%H:%M");

  gtk_label_set_label (self->clock_label, text);
  update_board (self, FALSE);

  return G_SOURCE_CONTINUE;
}

/* The estimated waits come from the booth times of the last 14 days
 * (the figures' store reads them), each time the kiosk comes back to
 * this page. */
static void
update_seconds_per_person (RelaisAttractPage *self)
{
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  gint64 since = g_get_real_time () / G_USEC_PER_SEC - WAIT_FIGURES_DAYS * 24 * 3600;
  g_autoptr(GError) error = NULL;
  gint64 seconds;

  seconds = relais_figures_seconds_per_person_from_store (relais_context_get_store (context),
                                                          since, &error);
  if (seconds <= 0)
    {
      if (error != NULL)
        g_warning ("No recent figures for the estimated waits: %s", error->message);
      seconds = RELAIS_TURN_DEFAULT_SECONDS_PER_PERSON;
    }

  if (self->seconds_per_person == seconds)
    return;

  self->seconds_per_person = seconds;
  update_board (self, FALSE);
}

static void
queue_changed_cb (RelaisAttractPage *self)
{
  rebuild (self);
}

static void
session_state_cb (RelaisAttractPage *self,
                  GParamSpec        *pspec,
                  RelaisSession     *session)
{
  if (relais_session_get_state (session) == RELAIS_SESSION_ATTRACT)
    update_seconds_per_person (self);
}

/* Advisors coming or going change who goes next (relais-turn.h): the
 * board's order and waits follow at once. */
static void
presence_changed_cb (RelaisAttractPage *self)
{
  update_board (self, FALSE);
}

static void
relais_attract_page_constructed (GObject *object)
{
  RelaisAttractPage *self = (RelaisAttractPage *)object;
  RelaisContext *context = relais_context_page_get_context (RELAIS_CONTEXT_PAGE (self));
  RelaisConfig *config = relais_context_get_config (context);

  G_OBJECT_CLASS (relais_attract_page_parent_class)->constructed (object);

  gtk_label_set_label (self->site_label, relais_config_get_site_name (config));
  gtk_widget_set_visible (self->demo_label, relais_config_is_demo (config));

  self->watch = relais_queue_watch_new (relais_context_get_queue (context));
  g_signal_connect_object (self->watch, "changed",
                           G_CALLBACK (queue_changed_cb), self, G_CONNECT_SWAPPED);
  rebuild (self);

  g_signal_connect_object (relais_context_get_advisor_presence (context), "changed",
                           G_CALLBACK (presence_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (relais_context_get_session (context), "notify::state",
                           G_CALLBACK (session_state_cb), self, G_CONNECT_SWAPPED);
  session_state_cb (self, NULL, relais_context_get_session (context));

  self->clock_id = g_timeout_add_seconds (10, update_clock, self);
  update_clock (self);
}

static void
relais_attract_page_dispose (GObject *object)
{
  RelaisAttractPage *self = (RelaisAttractPage *)object;

  g_clear_handle_id (&self->clock_id, g_source_remove);
  g_clear_object (&self->watch);
  gtk_widget_dispose_template (GTK_WIDGET (self), RELAIS_TYPE_ATTRACT_PAGE);

  G_OBJECT_CLASS (relais_attract_page_parent_class)->dispose (object);
}

static void
relais_attract_page_finalize (GObject *object)
{
  RelaisAttractPage *self = (RelaisAttractPage *)object;

  g_free (self->board_signature);

  G_OBJECT_CLASS (relais_attract_page_parent_class)->finalize (object);
}

static void
relais_attract_page_class_init (RelaisAttractPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = relais_attract_page_constructed;
  object_class->dispose = relais_attract_page_dispose;
  object_class->finalize = relais_attract_page_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relais/Kiosk/relais-attract-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, root);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, site_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, demo_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, clock_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, hero_stack);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, called_code_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, called_text_label);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, board_stack);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, board);
  gtk_widget_class_bind_template_child (widget_class, RelaisAttractPage, estimate_note);
}

static void
relais_attract_page_init (RelaisAttractPage *self)
{
  self->seconds_per_person = RELAIS_TURN_DEFAULT_SECONDS_PER_PERSON;
  gtk_widget_init_template (GTK_WIDGET (self));
}

static const char *
card_label (GtkWidget  *widget,
            const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *text;

      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        return gtk_label_get_label (GTK_LABEL (child));
      if ((text = card_label (child, name)) != NULL)
        return text;
    }

  return NULL;
}

/* A card's ticket code: the card box's first label. */
static char *
card_code_text (GtkWidget *card)
{
  return g_strdup (gtk_label_get_label (GTK_LABEL (gtk_widget_get_first_child (card))));
}

/* "C1: 2ᵉ, environ 15 min" */
static char *
card_wait_text (GtkWidget *card)
{
  return g_strdup_printf ("%s: %s, %s",
                          card_label (card, "ticket-code"),
                          card_label (card, "ticket-rank"),
                          card_label (card, "ticket-wait"));
}

/* What @card_text makes of each card on the board, in order, with
 * @separator between them. */
static char *
board_text (RelaisAttractPage *self,
            const char        *separator,
            char            *(*card_text) (GtkWidget *card))
{
  GString *text = g_string_new (NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->board));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      /* flowbox child → card box */
      GtkWidget *card = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
      g_autofree char *one = card_text (card);

      if (text->len > 0)
        g_string_append (text, separator);
      g_string_append (text, one);
    }

  return g_string_free (text, FALSE);
}

char *
relais_attract_page_dup_board_text (RelaisAttractPage *self)
{
  g_return_val_if_fail (RELAIS_IS_ATTRACT_PAGE (self), NULL);

  return board_text (self, " ", card_code_text);
}

char *
relais_attract_page_dup_wait_text (RelaisAttractPage *self)
{
  g_return_val_if_fail (RELAIS_IS_ATTRACT_PAGE (self), NULL);

  return board_text (self, "; ", card_wait_text);
}
