/* relais-chart.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-chart"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "relais-chart.h"

#define MIN_WIDTH  300
#define MIN_HEIGHT 170
#define GAP        10.0
#define LEGEND_LINE 30

struct _RelaisChart
{
  GtkWidget             parent_instance;

  guint                 n_categories;
  char                **categories;
  guint                 n_series;
  char                **series;
  double               *values;
  RelaisChartValueKind  kind;
  char                 *description;
  GdkRGBA              *category_colors;
  guint                 n_category_colors;
};

G_DEFINE_FINAL_TYPE (RelaisChart, relais_chart, GTK_TYPE_WIDGET)

/* Series colours: strong, told apart also by people with the commonest
 * colour blindness (blue, orange, green-teal, purple, brown, grey). */
static const char * const palette[] = {
  "#003189", "#e07b00", "#00897b", "#7b3fa0", "#8d5524", "#5f6b73",
  "#c2185b", "#9e9d24", "#29b6f6",
};

static void
series_color (RelaisChart *self,
              guint        series,
              guint        category,
              GdkRGBA     *color)
{
  if (self->n_category_colors > 0)
    *color = self->category_colors[category % self->n_category_colors];
  else
    gdk_rgba_parse (color, palette[series % G_N_ELEMENTS (palette)]);
}

char *
relais_chart_format_value (RelaisChartValueKind kind,
                           double               value)
{
  long seconds;

  if (value < 0 || isnan (value))
    return g_strdup ("–");

  if (kind == RELAIS_CHART_COUNT)
    return g_strdup_printf ("%.0f", value);

  seconds = lround (value);
  if (seconds < 60)
    return g_strdup_printf (_("%ld s"), seconds);
  if (seconds < 3600)
    return g_strdup_printf (_("%ld min"), (seconds + 30) / 60);
  return g_strdup_printf (_("%ld h %02ld"), seconds / 3600, (seconds % 3600) / 60);
}

static double
total_of (RelaisChart *self,
          guint        category)
{
  double total = 0;
  gboolean any = FALSE;

  for (guint s = 0; s < self->n_series; s++)
    {
      double v = self->values[s * self->n_categories + category];

      if (v >= 0)
        {
          total += v;
          any = TRUE;
        }
    }

  return any ? total : -1;
}

/* Returns the width drawn. */
static int
show_text (GtkWidget   *widget,
           cairo_t     *cr,
           const char  *text,
           double       x,
           double       y,
           double       max_width,
           int          size_pt,
           gboolean     bold,
           const GdkRGBA *color,
           double       x_align,   /* 0 left, 0.5 centre */
           double       y_align)   /* 0 top, 1 bottom */
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  PangoFontDescription *font = pango_font_description_new ();
  int width, height;

  pango_font_description_set_absolute_size (font, size_pt * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  if (max_width > 0)
    {
      /* Up to two lines, then an ellipsis: "Très mécontent" under a
       * narrow bar. */
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
      pango_layout_set_height (layout, -2);
      pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  pango_layout_get_pixel_size (layout, &width, &height);

  /* With a width set, Pango centres each line inside it: place the box,
   * not the text. */
  gdk_cairo_set_source_rgba (cr, color);
  cairo_move_to (cr, x - (max_width > 0 ? max_width : width) * x_align, y - height * y_align);
  pango_cairo_show_layout (cr, layout);

  return width;
}

static int
text_width (GtkWidget  *widget,
            const char *text,
            int         size)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  PangoFontDescription *font = pango_font_description_new ();
  int width;

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_get_pixel_size (layout, &width, NULL);

  return width;
}

/* The legend's height once laid out in @width: 0 with a single series. */
static double
legend_height (RelaisChart *self,
               double       width)
{
  double x = 0;
  guint lines = 1;

  if (self->n_series < 2 || self->n_category_colors > 0)
    return 0;

  for (guint s = 0; s < self->n_series; s++)
    {
      int w = text_width (GTK_WIDGET (self), self->series[s], 18);

      if (x > 0 && x + 28 + w > width)
        {
          x = 0;
          lines++;
        }
      x += 28 + w + 28;
    }

  return lines * LEGEND_LINE + 4;
}

static void
draw (RelaisChart *self,
      cairo_t     *cr,
      double       width,
      double       height)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GdkRGBA ink, muted, grid;
  double legend_h = legend_height (self, width);
  double label_h = self->n_category_colors > 0 ? 52 : 30;
  double value_h = 34;
  double top = legend_h + value_h;
  double bottom = height - label_h;
  double plot_h = bottom - top;
  double slot;
  double bar_w;
  double max = 0;
  double axis_top;

  gdk_rgba_parse (&ink, "#1c1c1c");
  gdk_rgba_parse (&muted, "#555555");
  gdk_rgba_parse (&grid, "#d8d2c4");

  if (self->n_categories == 0 || plot_h < 20)
    return;

  for (guint c = 0; c < self->n_categories; c++)
    max = MAX (max, total_of (self, c));
  /* No grid lines: the numbers are written on the bars, so the tallest
   * bar may use the whole height. */
  axis_top = max > 0 ? max : 1;

  /* Legend, one swatch and word per series, on as many lines as it
   * takes. */
  if (legend_h > 0)
    {
      double x = 0;
      double y = 16;

      for (guint s = 0; s < self->n_series; s++)
        {
          GdkRGBA color;
          int w = text_width (widget, self->series[s], 18);

          if (x > 0 && x + 28 + w > width)
            {
              x = 0;
              y += LEGEND_LINE;
            }
          series_color (self, s, 0, &color);
          gdk_cairo_set_source_rgba (cr, &color);
          cairo_rectangle (cr, x, y - 10, 20, 20);
          cairo_fill (cr);
          show_text (widget, cr, self->series[s], x + 28, y, 0, 18, FALSE, &ink, 0, 0.5);
          x += 28 + w + 28;
        }
    }

  /* Base line. */
  gdk_cairo_set_source_rgba (cr, &grid);
  cairo_set_line_width (cr, 2);
  cairo_move_to (cr, 0, bottom + 1);
  cairo_line_to (cr, width, bottom + 1);
  cairo_stroke (cr);

  slot = width / self->n_categories;
  bar_w = MIN (slot - GAP * 2, 120);

  for (guint c = 0; c < self->n_categories; c++)
    {
      double x = slot * c + (slot - bar_w) / 2;
      double y = bottom;
      double total = total_of (self, c);
      g_autofree char *text = relais_chart_format_value (self->kind, total);

      for (guint s = 0; s < self->n_series; s++)
        {
          double v = self->values[s * self->n_categories + c];
          double h;
          GdkRGBA color;

          if (v <= 0)
            continue;
          h = plot_h * v / axis_top;
          series_color (self, s, c, &color);
          gdk_cairo_set_source_rgba (cr, &color);
          cairo_rectangle (cr, x, y - h, bar_w, h);
          cairo_fill (cr);
          /* A thin light line between stacked parts. */
          if (self->n_series > 1)
            {
              cairo_set_source_rgb (cr, 1, 1, 1);
              cairo_set_line_width (cr, 1.5);
              cairo_move_to (cr, x, y - h);
              cairo_line_to (cr, x + bar_w, y - h);
              cairo_stroke (cr);
            }
          y -= h;
        }

      /* One line, as large as the slot allows ("30 min" under narrow
       * bars). */
      {
        int size = 24;

        while (size > 14 && text_width (widget, text, size) * 1.08 > slot - 4)
          size--;
        show_text (widget, cr, text, slot * c + slot / 2, y - 4, 0, size, TRUE,
                   total < 0 ? &muted : &ink, 0.5, 1);
      }
      show_text (widget, cr, self->categories[c], slot * c + slot / 2, bottom + 6, slot - 4, 18, FALSE,
                 &muted, 0.5, 0);
    }
}

static void
relais_chart_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  RelaisChart *self = RELAIS_CHART (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw (self, cr, width, height);
  cairo_destroy (cr);
}

static void
relais_chart_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? MIN_WIDTH : MIN_HEIGHT;
}

static void
relais_chart_finalize (GObject *object)
{
  RelaisChart *self = (RelaisChart *) object;

  g_strfreev (self->categories);
  g_strfreev (self->series);
  g_free (self->values);
  g_free (self->category_colors);
  g_free (self->description);

  G_OBJECT_CLASS (relais_chart_parent_class)->finalize (object);
}

static void
relais_chart_class_init (RelaisChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = relais_chart_finalize;
  widget_class->snapshot = relais_chart_snapshot;
  widget_class->measure = relais_chart_measure;

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
relais_chart_init (RelaisChart *self)
{
  self->kind = RELAIS_CHART_COUNT;
}

GtkWidget *
relais_chart_new (void)
{
  return g_object_new (RELAIS_TYPE_CHART, NULL);
}

void
relais_chart_set_data (RelaisChart         *self,
                       guint                n_categories,
                       const char * const  *categories,
                       guint                n_series,
                       const char * const  *series,
                       const double        *values)
{
  g_autoptr(GString) description = g_string_new (NULL);

  g_return_if_fail (RELAIS_IS_CHART (self));
  g_return_if_fail (n_categories == 0 || (categories != NULL && values != NULL));
  g_return_if_fail (n_series > 0 || n_categories == 0);

  g_strfreev (self->categories);
  g_strfreev (self->series);
  g_free (self->values);

  self->n_categories = n_categories;
  self->categories = g_new0 (char *, n_categories + 1);
  for (guint c = 0; c < n_categories; c++)
    self->categories[c] = g_strdup (categories[c]);
  self->n_series = n_series;
  self->series = g_new0 (char *, n_series + 1);
  for (guint s = 0; s < n_series; s++)
    self->series[s] = g_strdup (series != NULL ? series[s] : "");
  self->values = g_memdup2 (values, sizeof (double) * n_series * n_categories);

  /* What a screen reader (and the UI tests) read: "label: value" per
   * category. */
  for (guint c = 0; c < n_categories; c++)
    {
      g_autofree char *text = relais_chart_format_value (self->kind, total_of (self, c));

      g_string_append_printf (description, "%s%s : %s", c > 0 ? " ; " : "", self->categories[c], text);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                  -1);
  g_free (self->description);
  self->description = g_strdup (description->str);

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
relais_chart_set_value_kind (RelaisChart          *self,
                             RelaisChartValueKind  kind)
{
  g_return_if_fail (RELAIS_IS_CHART (self));

  self->kind = kind;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
relais_chart_set_category_colors (RelaisChart   *self,
                                  const GdkRGBA *colors,
                                  guint          n_colors)
{
  g_return_if_fail (RELAIS_IS_CHART (self));

  g_free (self->category_colors);
  self->category_colors = n_colors > 0 ? g_memdup2 (colors, sizeof (GdkRGBA) * n_colors) : NULL;
  self->n_category_colors = n_colors;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

char *
relais_chart_get_description (RelaisChart *self)
{
  g_return_val_if_fail (RELAIS_IS_CHART (self), NULL);

  return g_strdup (self->description != NULL ? self->description : "");
}
