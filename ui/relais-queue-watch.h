/* relais-queue-watch.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "relais-queue.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_QUEUE_WATCH (relais_queue_watch_get_type ())
G_DECLARE_FINAL_TYPE (RelaisQueueWatch, relais_queue_watch, RELAIS, QUEUE_WATCH, GObject)

/* Emits "changed" once per main-loop turn after anything in the queue
 * changed: a ticket added or removed, or a ticket's state or position.
 * Views rebuild from the queue then, instead of each tracking every
 * ticket's notifications. */
RelaisQueueWatch *relais_queue_watch_new (RelaisQueue *queue);

G_END_DECLS
