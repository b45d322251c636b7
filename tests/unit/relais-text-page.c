/* relais-text-page.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <cairo.h>

#include "relais-text-page.h"

static const char * const letter[] = {
  "Caisse d’allocations familiales",
  "Service des prestations — dossier n° 0000000",
  "",
  "Madame, Monsieur,",
  "",
  "Nous avons bien reçu votre déclaration trimestrielle de ressources et",
  "nous vous en remercions. Après examen de votre situation, le montant de",
  "votre prime d’activité est recalculé à compter du mois prochain. Le",
  "détail du calcul figure au verso de ce courrier : ressources du foyer,",
  "montant forfaitaire, bonification individuelle et forfait logement.",
  "",
  "Si votre situation change (naissance, séparation, reprise d’emploi,",
  "déménagement), déclarez-le sans attendre depuis votre espace en ligne",
  "ou dans un point d’accueil : un changement déclaré tardivement peut",
  "entraîner un rappel ou un indu qu’il faudra rembourser.",
  "",
  "Pièces à fournir avant la fin du mois :",
  "   – avis d’imposition de l’année précédente ;",
  "   – trois derniers bulletins de salaire ;",
  "   – attestation de loyer signée par le bailleur ;",
  "   – relevé d’identité bancaire à votre nom.",
  "",
  "Période          Ressources      Forfait       Montant versé",
  "Janvier             1 234,56 €      595,25 €         187,30 €",
  "Février             1 198,10 €      595,25 €         201,75 €",
  "Mars                1 305,00 €      595,25 €         162,40 €",
  "",
  "Vous pouvez contester cette décision dans un délai de deux mois à",
  "compter de sa réception, par écrit, auprès de la commission de recours",
  "amiable. Votre recours doit être motivé et accompagné des pièces",
  "justificatives utiles. Passé ce délai, la décision devient définitive.",
  "",
  "Nous vous prions d’agréer, Madame, Monsieur, nos salutations distinguées.",
  "",
  "Le directeur",
};

RelaisPage *
relais_text_page_new (double   dpi,
                      gboolean scanned)
{
  int width = (int) (210.0 / 25.4 * dpi);
  int height = (int) (297.0 / 25.4 * dpi);
  double point = dpi / 72.0;   /* pixels per typographic point */
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  const guint8 *argb;
  guint8 *grey;
  int stride;
  guint32 seed = 12345;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

  /* A letterhead block, then the letter in 11 pt with 16 pt lines. */
  cairo_rectangle (cr, 25 * point * 2.83, 20 * point * 2.83, 40 * point * 2.83, 12 * point * 2.83);
  cairo_fill (cr);
  cairo_set_font_size (cr, 11 * point);
  for (guint i = 0; i < G_N_ELEMENTS (letter); i++)
    {
      cairo_move_to (cr, 20 / 25.4 * dpi, 60 / 25.4 * dpi + i * 16 * point);
      cairo_show_text (cr, letter[i]);
    }
  /* A signature-like scribble. */
  cairo_set_line_width (cr, 1.5 * point);
  cairo_move_to (cr, 120 / 25.4 * dpi, 250 / 25.4 * dpi);
  for (int k = 0; k < 12; k++)
    cairo_rel_curve_to (cr, 8 * point, -20 * point, 14 * point, 20 * point, 20 * point, (k % 2 ? -4 : 4) * point);
  cairo_stroke (cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  argb = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  grey = g_malloc ((gsize) width * height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 pixel = *(const guint32 *) (argb + (gsize) y * stride + 4 * x);
        int value = (int) ((pixel >> 8) & 0xff);   /* green: the text is black on white */

        if (scanned)
          {
            /* Paper at about 236, ink at about 30, sensor noise ±6. */
            seed = seed * 1103515245 + 12345;
            value = 30 + value * 206 / 255 + (int) ((seed >> 16) % 13) - 6;
          }
        grey[(gsize) y * width + x] = (guint8) CLAMP (value, 0, 255);
      }
  cairo_surface_destroy (surface);

  {
    g_autoptr(GBytes) pixels = g_bytes_new_take (grey, (gsize) width * height);

    return relais_page_new ((guint) width, (guint) height, (guint) width, FALSE, dpi, pixels);
  }
}
