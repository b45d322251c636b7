/* relais-ui-util.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-directory.h"
#include "relais-ticket.h"

G_BEGIN_DECLS

/* "France Travail", or the id when the directory no longer knows it. */
const char *relais_ui_service_name      (RelaisDirectory *directory,
                                         const char      *service_id);
const char *relais_ui_subservice_name   (RelaisDirectory *directory,
                                         const char      *service_id,
                                         const char      *subservice_id);
/* A row of pictograms, one per channel, each with a tooltip and an
 * accessible label. */
GtkWidget  *relais_ui_channel_icons     (RelaisChannels   channels,
                                         int              pixel_size);
/* A vertical box with the contact details a person can use when the
 * service is not offered by visio. */
GtkWidget  *relais_ui_contact_box       (const RelaisContact *contact,
                                         const RelaisContact *fallback);
/* "il y a 12 min" */
char       *relais_ui_format_wait       (gint64           since,
                                         gint64           now);
void        relais_ui_clear_box         (GtkWidget       *box);
/* A text field on a page a person sees: typing, and nothing else. No
 * context menu (right click, the Menu key, Shift+F10) and no emoji
 * chooser (Ctrl+. and Ctrl+;): each is a popover over the kiosk, and the
 * issue's rule is that no key or gesture opens anything (issue 12). */
void        relais_ui_lock_down_entry   (GtkEntry        *entry);
/* RELAIS_TEST_TRACE=1: "relais-trace: WHAT: TEXT", one line on stderr,
 * each time what the screen says changes (the page, the notices, the
 * call's status line, the first remote frame), for the integration tests
 * and the benchmark. Never a name, a note or a chat line. */
void        relais_ui_trace             (const char      *what,
                                         const char      *text);

G_END_DECLS
