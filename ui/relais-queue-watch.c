/* relais-queue-watch.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-queue-watch"

#include "config.h"

#include "relais-queue-watch.h"

struct _RelaisQueueWatch
{
  GObject      parent_instance;

  RelaisQueue *queue;
  GListModel  *model;
  GPtrArray   *watched;   /* tickets we listen to */
  guint        idle_id;
};

G_DEFINE_FINAL_TYPE (RelaisQueueWatch, relais_queue_watch, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void rewatch (RelaisQueueWatch *self);

static gboolean
emit_changed (gpointer user_data)
{
  RelaisQueueWatch *self = user_data;

  self->idle_id = 0;
  rewatch (self);
  g_signal_emit (self, signals[CHANGED], 0);

  return G_SOURCE_REMOVE;
}

static void
schedule (RelaisQueueWatch *self)
{
  if (self->idle_id == 0)
    self->idle_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, emit_changed, self, NULL);
}

static void
ticket_notify_cb (RelaisQueueWatch *self)
{
  schedule (self);
}

static void
unwatch_all (RelaisQueueWatch *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->watched, i), self);
  g_ptr_array_set_size (self->watched, 0);
}

static void
rewatch (RelaisQueueWatch *self)
{
  guint n = g_list_model_get_n_items (self->model);

  unwatch_all (self);

  for (guint i = 0; i < n; i++)
    {
      RelaisTicket *ticket = g_list_model_get_item (self->model, i);

      g_signal_connect_swapped (ticket, "notify::state", G_CALLBACK (ticket_notify_cb), self);
      g_signal_connect_swapped (ticket, "notify::position", G_CALLBACK (ticket_notify_cb), self);
      g_ptr_array_add (self->watched, ticket);
    }
}

static void
items_changed_cb (RelaisQueueWatch *self)
{
  schedule (self);
}

static void
relais_queue_watch_dispose (GObject *object)
{
  RelaisQueueWatch *self = (RelaisQueueWatch *)object;

  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->watched != NULL)
    unwatch_all (self);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  self->model = NULL;
  g_clear_object (&self->queue);

  G_OBJECT_CLASS (relais_queue_watch_parent_class)->dispose (object);
}

static void
relais_queue_watch_finalize (GObject *object)
{
  RelaisQueueWatch *self = (RelaisQueueWatch *)object;

  g_clear_pointer (&self->watched, g_ptr_array_unref);

  G_OBJECT_CLASS (relais_queue_watch_parent_class)->finalize (object);
}

static void
relais_queue_watch_class_init (RelaisQueueWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_queue_watch_dispose;
  object_class->finalize = relais_queue_watch_finalize;

  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
relais_queue_watch_init (RelaisQueueWatch *self)
{
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
}

RelaisQueueWatch *
relais_queue_watch_new (RelaisQueue *queue)
{
  RelaisQueueWatch *self;

  g_return_val_if_fail (RELAIS_IS_QUEUE (queue), NULL);

  self = g_object_new (RELAIS_TYPE_QUEUE_WATCH, NULL);
  self->queue = g_object_ref (queue);
  self->model = relais_queue_get_model (queue);
  g_signal_connect_swapped (self->model, "items-changed", G_CALLBACK (items_changed_cb), self);
  rewatch (self);

  return self;
}
