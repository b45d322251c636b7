/* relais-context-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-context-page"

#include "config.h"

#include "relais-context-page.h"

typedef struct
{
  RelaisContext *context;
} RelaisContextPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (RelaisContextPage, relais_context_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
relais_context_page_dispose (GObject *object)
{
  RelaisContextPage *self = (RelaisContextPage *)object;
  RelaisContextPagePrivate *priv = relais_context_page_get_instance_private (self);

  g_clear_object (&priv->context);

  G_OBJECT_CLASS (relais_context_page_parent_class)->dispose (object);
}

static void
relais_context_page_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  RelaisContextPage *self = RELAIS_CONTEXT_PAGE (object);
  RelaisContextPagePrivate *priv = relais_context_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      priv->context = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_context_page_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  RelaisContextPage *self = RELAIS_CONTEXT_PAGE (object);
  RelaisContextPagePrivate *priv = relais_context_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, priv->context);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relais_context_page_class_init (RelaisContextPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = relais_context_page_dispose;
  object_class->get_property = relais_context_page_get_property;
  object_class->set_property = relais_context_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         RELAIS_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
relais_context_page_init (RelaisContextPage *self)
{
}

RelaisContext *
relais_context_page_get_context (RelaisContextPage *self)
{
  RelaisContextPagePrivate *priv;

  g_return_val_if_fail (RELAIS_IS_CONTEXT_PAGE (self), NULL);

  priv = relais_context_page_get_instance_private (self);
  return priv->context;
}
