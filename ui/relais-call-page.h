/* relais-call-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gst/gst.h>
#include <gtk/gtk.h>

#include "relais-call.h"
#include "relais-context-page.h"
#include "relais-video-paintable.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_CALL_PAGE (relais_call_page_get_type ())
G_DECLARE_FINAL_TYPE (RelaisCallPage, relais_call_page, RELAIS, CALL_PAGE, RelaisContextPage)

/* The call: the advisor large, the person small in a corner, and five
 * large buttons with a pictogram and a word each: Micro (app.toggle-mute),
 * Caméra (app.toggle-camera), Écrire (the written messages, which are the
 * captions of a deaf person), Document (app.scan-document: the scan page), Raccrocher
 * (app.hang-up). A line says when the link is weak; a failure says what
 * happened and offers the way back (app.finish-session).
 *
 * It watches the context's booth (relais_context_get_booth): its call's
 * pictures (in the call), "call-state" and "status-text", mute and camera
 * off, and the chat lines both ways; when the booth drops the call, the
 * page empties. Messages live in the page only, the call's last 200
 * (older ones go as new ones come). With a NULL context (the
 * UI tests) it shows only what the setters give it. */
GtkWidget            *relais_call_page_new                  (RelaisContext   *context);
/* Empty again: no video, no messages, panel closed. */
void                  relais_call_page_reset                (RelaisCallPage  *self);
void                  relais_call_page_set_remote_sink      (RelaisCallPage  *self,
                                                             GstElement      *appsink);
void                  relais_call_page_set_local_sink       (RelaisCallPage  *self,
                                                             GstElement      *appsink);
RelaisVideoPaintable *relais_call_page_get_remote_paintable (RelaisCallPage  *self);
RelaisVideoPaintable *relais_call_page_get_local_paintable  (RelaisCallPage  *self);
/* @failure: the call's sentence in RECONNECTING and FAILED. */
void                  relais_call_page_set_state            (RelaisCallPage  *self,
                                                             RelaisCallState  state,
                                                             const char      *failure);
/* What the status line says now ("" when all is well). */
const char           *relais_call_page_get_status_text      (RelaisCallPage  *self);
void                  relais_call_page_set_muted            (RelaisCallPage  *self,
                                                             gboolean         muted);
void                  relais_call_page_set_camera_off       (RelaisCallPage  *self,
                                                             gboolean         off);
/* A line of the conversation; one from the advisor opens the panel. */
void                  relais_call_page_add_message          (RelaisCallPage  *self,
                                                             const char      *text,
                                                             gboolean         from_me);
/* Whether the newest line is in view (the list follows the conversation). */
gboolean              relais_call_page_is_chat_at_end       (RelaisCallPage  *self);
gboolean              relais_call_page_get_chat_visible     (RelaisCallPage  *self);
void                  relais_call_page_set_chat_visible     (RelaisCallPage  *self,
                                                             gboolean         visible);
/* The conversation as text, one "Vous : …"/"Conseiller : …" per line. */
char                 *relais_call_page_dup_chat_text        (RelaisCallPage  *self);
/* Types @text in the message field and sends it, as a person would. */
void                  relais_call_page_send_text            (RelaisCallPage  *self,
                                                             const char      *text);

G_END_DECLS
