/* relais-layer-choice.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Loss-based, like the sending side (common/call/relais-call-rate.c): a
 * downlink too thin for a layer shows as loss within a second or two, so
 * the layer steps down at once; a step up is tried after a run of clean
 * seconds, and a failed try doubles the run asked before the next one
 * (up to a minute), so a thin link does not flap between two layers.
 */
#define G_LOG_DOMAIN "relais-layer-choice"

#include <string.h>

#include <gst/sdp/sdp.h>

#include "relais-layer-choice.h"

/* Above this loss in a second, the layer is too big for the downlink. */
#define LOSS_DOWN     0.05
/* Below it, the second counts as clean. */
#define LOSS_CLEAN    0.01
#define UP_AFTER_S    5
#define UP_AFTER_MAX_S 60

void
relais_layer_choice_init (RelaisLayerChoice *choice)
{
  g_return_if_fail (choice != NULL);

  /* The middle layer first: it fits an ADSL line, and on a thin one the
   * first second's loss brings it down. */
  *choice = (RelaisLayerChoice) {
    .substream = RELAIS_LAYER_MEDIUM,
    .up_after_s = UP_AFTER_S,
  };
}

gboolean
relais_layer_choice_tick (RelaisLayerChoice *choice,
                          guint64            received,
                          gint64             lost)
{
  guint64 got;
  gint64 missed;
  double loss;

  g_return_val_if_fail (choice != NULL, FALSE);

  if (!choice->have_counts || received < choice->last_received)
    {
      /* The first counts, or a new call's: nothing to compare yet. */
      choice->have_counts = TRUE;
      choice->last_received = received;
      choice->last_lost = lost;
      return FALSE;
    }
  got = received - choice->last_received;
  missed = MAX (lost - choice->last_lost, 0);
  choice->last_received = received;
  choice->last_lost = MAX (lost, choice->last_lost);
  if (got + (guint64) missed == 0)
    return FALSE;   /* nothing came: the link is cut, not thin */

  loss = (double) missed / (double) (got + (guint64) missed);
  if (loss > LOSS_DOWN)
    {
      choice->good_seconds = 0;
      if (choice->substream == RELAIS_LAYER_LOW)
        return FALSE;
      choice->substream--;
      /* A try that failed: wait twice as long before the next one. */
      choice->up_after_s = MIN (choice->up_after_s * 2, UP_AFTER_MAX_S);
      g_debug ("%.1f %% lost: layer %d", loss * 100, choice->substream);
      return TRUE;
    }
  if (loss >= LOSS_CLEAN)
    {
      choice->good_seconds = 0;
      return FALSE;
    }
  if (choice->substream == RELAIS_LAYER_HIGH || ++choice->good_seconds < choice->up_after_s)
    return FALSE;
  choice->good_seconds = 0;
  choice->substream++;
  g_debug ("%u clean seconds: layer %d", choice->up_after_s, choice->substream);
  return TRUE;
}

char **
relais_layer_choice_video_mids (const char *sdp)
{
  g_autoptr(GStrvBuilder) mids = g_strv_builder_new ();
  GstSDPMessage *message = NULL;

  g_return_val_if_fail (sdp != NULL, NULL);

  if (gst_sdp_message_new (&message) != GST_SDP_OK)
    return NULL;
  if (gst_sdp_message_parse_buffer ((const guint8 *) sdp, (guint) strlen (sdp), message) != GST_SDP_OK)
    {
      gst_sdp_message_free (message);
      return NULL;
    }
  for (guint i = 0; i < gst_sdp_message_medias_len (message); i++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (message, i);
      const char *mid = gst_sdp_media_get_attribute_val (media, "mid");

      if (g_strcmp0 (gst_sdp_media_get_media (media), "video") == 0 && mid != NULL)
        g_strv_builder_add (mids, mid);
    }
  gst_sdp_message_free (message);
  return g_strv_builder_end (mids);
}
