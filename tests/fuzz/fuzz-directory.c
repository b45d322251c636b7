/* fuzz-directory.c — libFuzzer target for the service directory parser.
 *
 * The directory is also downloaded, so relais_directory_new_from_data()
 * parses network input: it must never crash, leak, or hand back a
 * directory that breaks the promises of relais-directory.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>

#include "relais-directory.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static GDateTime *probe_times[3];

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A critical or warning from a parser fed bad input is a bug. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  /* Monday morning, Saturday evening, Sunday midnight (local time). */
  probe_times[0] = g_date_time_new_local (2024, 1, 8, 10, 30, 0);
  probe_times[1] = g_date_time_new_local (2024, 1, 13, 18, 0, 0);
  probe_times[2] = g_date_time_new_local (2024, 1, 14, 0, 0, 0);

  return 0;
}

static void
check_contact (const RelaisContact *contact)
{
  const char *fields[] = { contact->phone, contact->email, contact->address, contact->web };

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    g_assert (fields[i] == NULL || g_utf8_validate (fields[i], -1, NULL));
}

static void
check_hours (GArray *hours)
{
  g_autofree char *text = NULL;

  if (hours == NULL)
    return;

  for (guint i = 0; i < hours->len; i++)
    {
      const RelaisOpeningSlot *slot = &g_array_index (hours, RelaisOpeningSlot, i);

      g_assert (slot->weekday >= 1 && slot->weekday <= 7);
      g_assert (slot->start_min < slot->end_min);
      g_assert (slot->end_min <= 24 * 60);
    }

  text = relais_opening_hours_format (hours);
  g_assert (text != NULL && g_utf8_validate (text, -1, NULL));
}

static void
check_directory (RelaisDirectory *directory)
{
  guint n = relais_directory_get_n_services (directory);

  (void) relais_directory_is_sample (directory);

  for (guint i = 0; i < n; i++)
    {
      const RelaisService *service = relais_directory_get_service (directory, i);

      g_assert (service != NULL);
      g_assert (service->id != NULL && service->name != NULL);
      g_assert (g_utf8_validate (service->name, -1, NULL));
      g_assert (service->letter >= 'A' && service->letter <= 'Z');
      g_assert (service->lobby_room >= 0);
      g_assert (relais_directory_find_service (directory, service->id) == service);
      g_assert (service->hours != NULL);
      g_assert (service->subservices != NULL && service->subservices->len > 0);
      check_contact (&service->contact);
      check_hours (service->hours);

      for (guint j = 0; j < i; j++)
        g_assert (relais_directory_get_service (directory, j)->letter != service->letter);

      for (guint j = 0; j < service->subservices->len; j++)
        {
          const RelaisSubservice *sub = g_ptr_array_index (service->subservices, j);

          g_assert (sub->id != NULL && sub->name != NULL);
          g_assert (sub->channels != 0);
          g_assert ((sub->channels & ~(RELAIS_CHANNEL_VISIO | RELAIS_CHANNEL_PHONE |
                                       RELAIS_CHANNEL_MAIL | RELAIS_CHANNEL_IN_PERSON)) == 0);
          g_assert (sub->room >= 0);
          g_assert (sub->service == service);
          g_assert (relais_directory_find_subservice (directory, service->id, sub->id) == sub);
          check_contact (&sub->contact);
          check_hours (sub->hours);

          for (gsize k = 0; k < G_N_ELEMENTS (probe_times); k++)
            (void) relais_subservice_is_open_at (sub, probe_times[k]);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisDirectory) directory = NULL;

  if (size > G_MAXSSIZE)
    return 0;

  /* The bytes as they come, not NUL-terminated: a download hands over a
   * buffer and its length. */
  directory = relais_directory_new_from_data (size > 0 ? (const char *) data : "",
                                              (gssize) size, "fuzz.json", &error);

  if (directory == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->message != NULL && g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  g_assert (error == NULL);
  check_directory (directory);

  return 0;
}
