/* relais-chart.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  RELAIS_CHART_COUNT,     /* whole numbers: "12" */
  RELAIS_CHART_DURATION,  /* seconds, shown as "45 s", "4 min", "1 h 10" */
} RelaisChartValueKind;

#define RELAIS_TYPE_CHART (relais_chart_get_type ())
G_DECLARE_FINAL_TYPE (RelaisChart, relais_chart, RELAIS, CHART, GtkWidget)

/* A bar chart drawn with cairo (gtk_snapshot_append_cairo): one bar per
 * category, stacked by series, the total written above each bar in large
 * type, the category under it, and a legend when there is more than one
 * series. A negative total means "no data" and shows a dash. Sized to be
 * read at arm's length. */
GtkWidget *relais_chart_new             (void);
/* @values: n_series × n_categories, series-major (values[s * n_categories + c]). */
void       relais_chart_set_data        (RelaisChart           *self,
                                         guint                  n_categories,
                                         const char * const    *categories,
                                         guint                  n_series,
                                         const char * const    *series,
                                         const double          *values);
void       relais_chart_set_value_kind  (RelaisChart           *self,
                                         RelaisChartValueKind   kind);
/* Each category gets its own colour (e.g. the five faces) instead of one
 * per series. */
void       relais_chart_set_category_colors (RelaisChart      *self,
                                             const GdkRGBA    *colors,
                                             guint             n_colors);
/* "category : value ; …", as given to screen readers (and read by the UI
 * tests). */
char      *relais_chart_get_description (RelaisChart           *self);
/* The text of a value as the chart writes it (for tests). */
char      *relais_chart_format_value    (RelaisChartValueKind   kind,
                                         double                 value);

G_END_DECLS
