/* relais-context-page.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "relais-context.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_CONTEXT_PAGE (relais_context_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (RelaisContextPage, relais_context_page, RELAIS, CONTEXT_PAGE, GtkWidget)

/* The parent of the pages that read the site's context (attract,
 * unlock, desk, your turn): it holds their construct-only "context"
 * property, set before the page's constructed() runs and dropped when
 * the page is disposed. */
struct _RelaisContextPageClass
{
  GtkWidgetClass parent_class;
};

RelaisContext *relais_context_page_get_context (RelaisContextPage *self);

G_END_DECLS
