/* relais-survey-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context-page.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_SURVEY_PAGE (relais_survey_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisSurveyPage, relais_survey_page, RELAIS, SURVEY_PAGE, RelaisContextPage)

/* After the call: "Êtes-vous satisfait ?" and five large faces, very
 * unhappy to very happy, each with its word under it. A tap activates
 * app.survey with 1…5; "Ne pas répondre" with 0. The page holds no
 * answer itself. Under the faces, the seconds left before the kiosk goes
 * back to the attract screen: the context's session record counts them
 * ("survey-remaining"). */
GtkWidget *relais_survey_page_new          (RelaisContext    *context);
/* Draws face @mood (1 very unhappy … 5 very happy) in the square of side
 * @size at (0, 0); also used by the figures page. */
void       relais_survey_draw_face         (cairo_t          *cr,
                                            int               mood,
                                            double            size);
/* The colour of face @mood (1…5). */
void       relais_survey_face_color        (int               mood,
                                            GdkRGBA          *color);
/* The word under face @mood, translated. */
const char *relais_survey_face_label       (int               mood);

G_END_DECLS
