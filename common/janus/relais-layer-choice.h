/* relais-layer-choice.h: which simulcast layer of the advisor's picture the
 * kiosk's downlink carries.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Janus's simulcast substreams: 0 the smallest (janus.js: a quarter of the
 * size, 100 kbit/s), 1 half the size (300 kbit/s), 2 the whole picture
 * (900 kbit/s). */
#define RELAIS_LAYER_LOW    0
#define RELAIS_LAYER_MEDIUM 1
#define RELAIS_LAYER_HIGH   2

typedef struct
{
  int     substream;      /* asked of Janus */
  guint   good_seconds;   /* seconds in a row with little loss at it */
  guint   up_after_s;     /* good seconds needed before trying a layer up */
  gboolean have_counts;
  guint64 last_received;  /* the receiver's cumulative counters */
  gint64  last_lost;
} RelaisLayerChoice;

void     relais_layer_choice_init (RelaisLayerChoice *choice);
/* Once a second, with what the kiosk received of the remote streams so
 * far (packets received, packets lost; cumulative). Returns TRUE when the
 * layer to ask for changed (choice->substream). */
gboolean relais_layer_choice_tick (RelaisLayerChoice *choice,
                                   guint64            received,
                                   gint64             lost);

/* The mids of the video m-lines of @sdp (Janus's offer for a
 * subscription), NULL-terminated; NULL when it does not parse. */
char   **relais_layer_choice_video_mids (const char *sdp);

G_END_DECLS
