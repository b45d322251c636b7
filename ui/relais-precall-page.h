/* relais-precall-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gst/gst.h>
#include <gtk/gtk.h>

#include "relais-context-page.h"
#include "relais-video-paintable.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_PRECALL_PAGE (relais_precall_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisPrecallPage, relais_precall_page, RELAIS, PRECALL_PAGE, RelaisContextPage)

/* The check before the call, in plain words with pictograms: the person
 * sees themself, sees the microphone level move, hears a test sound, and
 * a network line says whether the advisor can be reached. One large
 * "Commencer l'appel" (app.start-call) and "Annuler" (app.finish-session).
 *
 * It watches the context's booth (relais_context_get_booth): its call's
 * picture (during the pre-call check), simulated devices and microphone
 * level, "media-error" and the network check. With a NULL context (the UI
 * tests) it shows only what the setters give it. */
GtkWidget            *relais_precall_page_new              (RelaisContext     *context);
/* Back to "nothing checked yet": no image, no level, checks pending. */
void                  relais_precall_page_reset            (RelaisPrecallPage *self);
void                  relais_precall_page_set_local_sink   (RelaisPrecallPage *self,
                                                            GstElement        *appsink);
RelaisVideoPaintable *relais_precall_page_get_local_paintable (RelaisPrecallPage *self);
/* dB, -100 (silence) … 0. */
void                  relais_precall_page_set_mic_level    (RelaisPrecallPage *self,
                                                            double             level_db);
double                relais_precall_page_get_mic_fraction (RelaisPrecallPage *self);
/* Says so in plain words when the camera or microphone is a test source. */
void                  relais_precall_page_set_simulated    (RelaisPrecallPage *self,
                                                            gboolean           video,
                                                            gboolean           audio);
/* The camera and microphone could not start: what happened and what to
 * do; NULL clears it. "Commencer l'appel" is the kiosk's to disable. */
void                  relais_precall_page_set_media_error  (RelaisPrecallPage *self,
                                                            const char        *message);
/* The network line's result (a green check or an orange warning, and
 * @text); before it, a spinner says it is in progress. */
void                  relais_precall_page_set_network_status   (RelaisPrecallPage *self,
                                                                gboolean           ok,
                                                                const char        *text);
const char           *relais_precall_page_get_network_text     (RelaisPrecallPage *self);
/* Plays the short test tone, as the button does. */
void                  relais_precall_page_play_test_sound  (RelaisPrecallPage *self);
gboolean              relais_precall_page_is_playing_sound (RelaisPrecallPage *self);

G_END_DECLS
