/* test-directory.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-directory"

#include "config.h"

#include <string.h>

#include "relais-directory.h"
#include "relais-error.h"

/* Inline documents are written with ' for " to stay readable. */
static char *
unquote (const char *json)
{
  char *out = g_strdup (json);

  g_strdelimit (out, "'", '"');
  return out;
}

/* One valid service around @subservices (a JSON array body). */
#define DOC(services) "{'version': 1, 'services': [" services "]}"
#define SERVICE(extra, subservices) \
  "{'id': 'caf', 'name': 'CAF', 'letter': 'C', 'lobby_room': 5002, " extra " 'subservices': [" subservices "]}"
#define SUB(extra) "{'id': 'rsa', 'name': 'RSA', 'channels': ['visio'] " extra "}"

static RelaisDirectory *
load_ok (const char *json)
{
  g_autofree char *data = unquote (json);
  g_autoptr(GError) error = NULL;
  RelaisDirectory *directory;

  directory = relais_directory_new_from_data (data, -1, "test.json", &error);
  g_assert_no_error (error);
  g_assert_nonnull (directory);
  return directory;
}

static char *
load_error (const char *json)
{
  g_autofree char *data = unquote (json);
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisDirectory) directory = NULL;

  directory = relais_directory_new_from_data (data, -1, "test.json", &error);
  g_assert_null (directory);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_DIRECTORY);
  g_test_message ("%s", error->message);
  return g_strdup (error->message);
}

static void
assert_error (const char *json,
              const char *expected)
{
  g_autofree char *message = load_error (json);

  g_assert_cmpstr (message, ==, expected);
}

static RelaisDirectory *
load_sample (void)
{
  const char *datadir = g_getenv ("RELAIS_SOURCE_DATADIR");
  g_autofree char *path = g_build_filename (datadir != NULL ? datadir : SOURCE_DATADIR,
                                            "directory.sample.json", NULL);
  g_autoptr(GError) error = NULL;
  RelaisDirectory *directory;

  directory = relais_directory_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (directory);
  return directory;
}

static GDateTime *
local_time (int year, int month, int day, int hour, int minute)
{
  GDateTime *when = g_date_time_new_local (year, month, day, hour, minute, 0);

  g_assert_nonnull (when);
  return when;
}

static gboolean
open_at (const RelaisSubservice *subservice,
         int day, int hour, int minute)
{
  /* March 2024: the 4th is a Monday, and no DST change that week. */
  g_autoptr(GDateTime) when = local_time (2024, 3, day, hour, minute);

  return relais_subservice_is_open_at (subservice, when);
}

static void
test_sample_loads (void)
{
  g_autoptr(RelaisDirectory) directory = load_sample ();
  guint n = relais_directory_get_n_services (directory);
  gboolean letters[26] = { FALSE };

  g_assert_true (relais_directory_is_sample (directory));
  g_assert_cmpuint (n, >=, 8);

  for (guint i = 0; i < n; i++)
    {
      const RelaisService *service = relais_directory_get_service (directory, i);

      g_assert_nonnull (service->id);
      g_assert_nonnull (service->name);
      g_assert_cmpint (service->letter, >=, 'A');
      g_assert_cmpint (service->letter, <=, 'Z');
      g_assert_false (letters[service->letter - 'A']);
      letters[service->letter - 'A'] = TRUE;
      g_assert_nonnull (service->hours);
      g_assert_cmpuint (service->subservices->len, >=, 3);
      g_assert_cmpuint (service->subservices->len, <=, 5);
      g_assert_true (relais_directory_find_service (directory, service->id) == service);

      for (guint j = 0; j < service->subservices->len; j++)
        {
          const RelaisSubservice *sub = g_ptr_array_index (service->subservices, j);
          const RelaisContact *own = &sub->contact;
          const RelaisContact *inherited = &service->contact;

          g_assert_true (sub->service == service);
          g_assert_cmpuint (sub->channels, !=, 0);
          g_assert_true (relais_directory_find_subservice (directory, service->id, sub->id) == sub);

          if (sub->channels & RELAIS_CHANNEL_VISIO)
            g_assert_true (sub->room > 0 || service->lobby_room > 0);
          else
            g_assert_true (own->phone || own->email || own->address || own->web ||
                           inherited->phone || inherited->email || inherited->address || inherited->web);
        }
    }
}

static void
test_sample_content (void)
{
  g_autoptr(RelaisDirectory) directory = load_sample ();
  const RelaisService *france_travail = relais_directory_find_service (directory, "france-travail");
  const RelaisService *ants = relais_directory_find_service (directory, "ants");
  const RelaisSubservice *carte_grise = relais_directory_find_subservice (directory, "ants", "carte-grise");
  const RelaisSubservice *rsa = relais_directory_find_subservice (directory, "caf", "rsa");

  g_assert_nonnull (france_travail);
  g_assert_cmpint (france_travail->letter, ==, 'F');
  g_assert_cmpstr (france_travail->contact.phone, ==, "3949");
  g_assert_cmpint (france_travail->lobby_room, ==, 5001);

  g_assert_nonnull (ants);
  g_assert_nonnull (carte_grise);
  g_assert_false (carte_grise->channels & RELAIS_CHANNEL_VISIO);
  g_assert_nonnull (carte_grise->contact.web);
  g_assert_nonnull (carte_grise->contact.address);

  g_assert_nonnull (rsa);
  g_assert_cmpstr (rsa->service->id, ==, "caf");
  g_assert_cmpuint (rsa->channels, ==, RELAIS_CHANNEL_VISIO | RELAIS_CHANNEL_IN_PERSON);
  g_assert_null (rsa->hours);
  g_assert_cmpint (rsa->room, ==, 0);

  g_assert_null (relais_directory_find_service (directory, "pole-emploi"));
  g_assert_null (relais_directory_find_subservice (directory, "caf", "carte-grise"));
  g_assert_null (relais_directory_find_subservice (directory, "nope", "rsa"));
}

static void
test_minimal (void)
{
  g_autoptr(RelaisDirectory) directory = load_ok ("{'version': 1, '_about': 'ignored', '_extra': [1, 2],"
                                                  " 'services': [" SERVICE ("", SUB ("")) "]}");
  const RelaisService *service = relais_directory_get_service (directory, 0);
  const RelaisSubservice *sub = relais_directory_find_subservice (directory, "caf", "rsa");

  g_assert_false (relais_directory_is_sample (directory));
  g_assert_cmpuint (relais_directory_get_n_services (directory), ==, 1);
  g_assert_null (service->description);
  g_assert_cmpuint (service->hours->len, ==, 0);
  g_assert_true (sub->service == service);
  g_assert_null (sub->contact.phone);
  g_assert_null (sub->hours);

  /* No hours anywhere: always open. */
  g_assert_true (open_at (sub, 10, 3, 0));
}

static void
test_file_fixture (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisDirectory) directory = NULL;
  const char *path = g_test_get_filename (G_TEST_DIST, "unit", "data", "directory-minimal.json", NULL);

  directory = relais_directory_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (relais_directory_get_n_services (directory), ==, 2);
  g_assert_true (relais_directory_is_sample (directory));
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisDirectory) directory = NULL;

  directory = relais_directory_new_from_file ("/nonexistent/annuaire.json", &error);
  g_assert_null (directory);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_DIRECTORY);
  g_assert_true (g_str_has_prefix (error->message, "/nonexistent/annuaire.json: impossible de lire"));
}

static void
test_is_open_at (void)
{
  g_autoptr(RelaisDirectory) directory = load_sample ();
  const RelaisSubservice *inscription = relais_directory_find_subservice (directory, "france-travail", "inscription");
  const RelaisSubservice *avocat = relais_directory_find_subservice (directory, "point-justice", "consultation-avocat");
  const RelaisSubservice *info = relais_directory_find_subservice (directory, "point-justice", "information-juridique");
  const RelaisSubservice *carte_grise = relais_directory_find_subservice (directory, "ants", "carte-grise");

  /* France Travail: Mon–Wed 8:30–12:30 and 13:30–16:30, Thu morning,
   * Fri 8:30–12:30 and 13:30–15:30. */
  g_assert_true (open_at (inscription, 4, 10, 0));     /* Monday morning */
  g_assert_true (open_at (inscription, 4, 8, 30));     /* opening minute */
  g_assert_false (open_at (inscription, 4, 8, 29));
  g_assert_false (open_at (inscription, 4, 12, 30));   /* end is exclusive */
  g_assert_false (open_at (inscription, 4, 13, 0));    /* lunch */
  g_assert_true (open_at (inscription, 4, 16, 29));
  g_assert_true (open_at (inscription, 7, 11, 0));     /* Thursday morning */
  g_assert_false (open_at (inscription, 7, 14, 0));    /* Thursday afternoon */
  g_assert_false (open_at (inscription, 8, 16, 0));    /* Friday, after 15:30 */
  g_assert_false (open_at (inscription, 9, 10, 0));    /* Saturday */
  g_assert_false (open_at (inscription, 10, 10, 0));   /* Sunday */

  /* A sub-service's own hours replace its service's. */
  g_assert_true (open_at (avocat, 6, 10, 0));          /* Wednesday morning */
  g_assert_false (open_at (avocat, 5, 10, 0));         /* Tuesday: the service is open, the lawyer is not */
  g_assert_true (open_at (info, 5, 10, 0));

  /* No hours known at all: treated as open. */
  g_assert_null (carte_grise->hours);
  g_assert_cmpuint (carte_grise->service->hours->len, ==, 0);
  g_assert_true (open_at (carte_grise, 10, 3, 0));

  {
    /* The hours are the kiosk's local time, whatever the zone of @when. */
    g_autoptr(GDateTime) local = local_time (2024, 3, 4, 10, 0);
    g_autoptr(GDateTime) utc = g_date_time_to_utc (local);

    g_assert_true (relais_subservice_is_open_at (inscription, utc));
  }
}

static void
test_format_hours (void)
{
  g_autoptr(RelaisDirectory) directory = load_sample ();
  const RelaisService *france_travail = relais_directory_find_service (directory, "france-travail");
  const RelaisService *ants = relais_directory_find_service (directory, "ants");
  g_autofree char *text = relais_opening_hours_format (france_travail->hours);
  g_autofree char *none = relais_opening_hours_format (ants->hours);
  g_autofree char *null = relais_opening_hours_format (NULL);

  g_assert_cmpstr (text, ==,
                   "Lundi : 8h30–12h30, 13h30–16h30\n"
                   "Mardi : 8h30–12h30, 13h30–16h30\n"
                   "Mercredi : 8h30–12h30, 13h30–16h30\n"
                   "Jeudi : 8h30–12h30\n"
                   "Vendredi : 8h30–12h30, 13h30–15h30\n"
                   "Samedi : Fermé\n"
                   "Dimanche : Fermé");
  g_assert_cmpstr (none, ==, "Horaires non communiqués");
  g_assert_cmpstr (null, ==, "Horaires non communiqués");
}

static void
test_hours_sorted (void)
{
  g_autoptr(RelaisDirectory) directory =
    load_ok (DOC (SERVICE ("'hours': {'sun': ['10:00-11:00'], 'mon': ['14:00-24:00', '00:00-08:00']},",
                           SUB (""))));
  const RelaisService *service = relais_directory_get_service (directory, 0);
  g_autofree char *text = relais_opening_hours_format (service->hours);

  g_assert_cmpstr (text, ==,
                   "Lundi : 0h00–8h00, 14h00–24h00\n"
                   "Mardi : Fermé\nMercredi : Fermé\nJeudi : Fermé\nVendredi : Fermé\nSamedi : Fermé\n"
                   "Dimanche : 10h00–11h00");
  g_assert_true (open_at (g_ptr_array_index (service->subservices, 0), 4, 23, 59));
  g_assert_false (open_at (g_ptr_array_index (service->subservices, 0), 5, 0, 0));
}

static void
test_error_malformed (void)
{
  g_autofree char *message = load_error ("{'version': 1, 'services': [}");

  g_assert_cmpstr (message, ==, "test.json:1:29: JSON invalide : Parse error: unexpected character `}', expected character `]'");

  {
    g_autofree char *multiline = load_error ("{'version': 1,\n 'services': [\n  {'id': 'caf',,}]}");

    g_assert_true (g_str_has_prefix (multiline, "test.json:3:"));
  }

  assert_error ("[1, 2]", "test.json: (racine) : objet JSON attendu, un tableau trouvé");
}

static void
test_error_version (void)
{
  assert_error ("{'version': 2, 'services': [" SERVICE ("", SUB ("")) "]}",
                "test.json: version : version 1 attendue, « 2 » trouvé");
  assert_error ("{'version': '1', 'services': [" SERVICE ("", SUB ("")) "]}",
                "test.json: version : version 1 attendue, « \"1\" » trouvé");
  assert_error ("{'services': [" SERVICE ("", SUB ("")) "]}",
                "test.json: version : membre obligatoire manquant");
  assert_error ("{'version': 1, 'sample': 'yes', 'services': [" SERVICE ("", SUB ("")) "]}",
                "test.json: sample : true ou false attendu, un texte trouvé");
}

static void
test_error_unknown_member (void)
{
  assert_error ("{'version': 1, 'servics': [], 'services': [" SERVICE ("", SUB ("")) "]}",
                "test.json: (racine) : membre inconnu « servics » (attendu : version, sample, services)");
  assert_error (DOC (SERVICE ("'lobby-room': 3,", SUB (""))),
                "test.json: services[0] : membre inconnu « lobby-room » (attendu : id, name, letter, description, "
                "lobby_room, contact, hours, subservices)");
  assert_error (DOC (SERVICE ("", SUB (", 'chanels': []"))),
                "test.json: services[0].subservices[0] : membre inconnu « chanels » (attendu : id, name, description, "
                "channels, room, contact, hours)");
  assert_error (DOC (SERVICE ("'contact': {'fax': '0100'},", SUB (""))),
                "test.json: services[0].contact : membre inconnu « fax » (attendu : phone, email, address, web)");
}

static void
test_error_ids (void)
{
  assert_error (DOC ("{'id': 'France Travail', 'name': 'FT', 'letter': 'F', 'lobby_room': 1, 'subservices': [" SUB ("") "]}"),
                "test.json: services[0].id : identifiant invalide « France Travail » (attendu : lettres minuscules "
                "sans accent, chiffres et « - »)");
  assert_error (DOC ("{'name': 'FT', 'letter': 'F', 'lobby_room': 1, 'subservices': [" SUB ("") "]}"),
                "test.json: services[0].id : membre obligatoire manquant");
  assert_error (DOC ("{'id': '', 'name': 'FT', 'letter': 'F', 'lobby_room': 1, 'subservices': [" SUB ("") "]}"),
                "test.json: services[0].id : texte non vide attendu");
  assert_error (DOC (SERVICE ("", SUB ("") "," SUB (""))),
                "test.json: services[0].subservices[1].id : identifiant « rsa » déjà utilisé dans ce service");
  assert_error (DOC (SERVICE ("", SUB ("")) ","
                     "{'id': 'caf', 'name': 'CAF bis', 'letter': 'D', 'lobby_room': 1, 'subservices': [" SUB ("") "]}"),
                "test.json: services[1].id : identifiant de service « caf » déjà utilisé");

  {
    /* The same sub-service id in two services is fine. */
    g_autoptr(RelaisDirectory) directory =
      load_ok (DOC (SERVICE ("", SUB ("")) ","
                    "{'id': 'msa', 'name': 'MSA', 'letter': 'A', 'lobby_room': 1, 'subservices': [" SUB ("") "]}"));

    g_assert_true (relais_directory_find_subservice (directory, "msa", "rsa")->service ==
                   relais_directory_find_service (directory, "msa"));
  }
}

static void
test_error_letters (void)
{
  assert_error (DOC ("{'id': 'caf', 'name': 'CAF', 'letter': 'CA', 'lobby_room': 1, 'subservices': [" SUB ("") "]}"),
                "test.json: services[0].letter : une lettre majuscule de A à Z attendue, « CA » trouvé");
  assert_error (DOC ("{'id': 'caf', 'name': 'CAF', 'letter': 'c', 'lobby_room': 1, 'subservices': [" SUB ("") "]}"),
                "test.json: services[0].letter : une lettre majuscule de A à Z attendue, « c » trouvé");
  assert_error (DOC ("{'id': 'caf', 'name': 'CAF', 'letter': 'É', 'lobby_room': 1, 'subservices': [" SUB ("") "]}"),
                "test.json: services[0].letter : une lettre majuscule de A à Z attendue, « É » trouvé");
  assert_error (DOC (SERVICE ("", SUB ("")) ","
                     "{'id': 'cpam', 'name': 'CPAM', 'letter': 'C', 'lobby_room': 1, 'subservices': [" SUB ("") "]}"),
                "test.json: services[1].letter : lettre « C » déjà prise par le service « CAF »");
}

static void
test_error_names_and_types (void)
{
  assert_error (DOC ("{'id': 'caf', 'name': '  ', 'letter': 'C', 'lobby_room': 1, 'subservices': [" SUB ("") "]}"),
                "test.json: services[0].name : texte non vide attendu");
  assert_error (DOC ("{'id': 'caf', 'name': 12, 'letter': 'C', 'lobby_room': 1, 'subservices': [" SUB ("") "]}"),
                "test.json: services[0].name : texte attendu, un nombre trouvé");
  assert_error (DOC ("{'id': 'caf', 'name': 'CAF', 'letter': 'C', 'lobby_room': '5002', 'subservices': [" SUB ("") "]}"),
                "test.json: services[0].lobby_room : numéro de salle attendu (entier positif), un texte trouvé");
  assert_error (DOC (SERVICE ("", SUB (", 'room': -4"))),
                "test.json: services[0].subservices[0].room : numéro de salle attendu (entier positif), -4 trouvé");
  assert_error (DOC ("{'id': 'caf', 'name': 'CAF', 'letter': 'C', 'lobby_room': 1, 'subservices': {}}"),
                "test.json: services[0].subservices : tableau attendu, un objet trouvé");
  assert_error (DOC ("{'id': 'caf', 'name': 'CAF', 'letter': 'C', 'lobby_room': 1, 'subservices': []}"),
                "test.json: services[0].subservices : au moins un sous-service attendu");
  assert_error (DOC ("'caf'"),
                "test.json: services[0] : objet attendu, un texte trouvé");
  assert_error ("{'version': 1, 'services': []}",
                "test.json: services : au moins un service attendu");

  {
    /* null reads as absent for optional members. */
    g_autoptr(RelaisDirectory) directory = load_ok (DOC (SERVICE ("'description': null,", SUB (""))));

    g_assert_null (relais_directory_get_service (directory, 0)->description);
  }
}

static void
test_error_channels (void)
{
  assert_error (DOC (SERVICE ("", "{'id': 'rsa', 'name': 'RSA', 'channels': ['visio', 'fax']}")),
                "test.json: services[0].subservices[0].channels[1] : canal inconnu « fax » "
                "(attendu : visio, phone, mail, in-person)");
  assert_error (DOC (SERVICE ("", "{'id': 'rsa', 'name': 'RSA', 'channels': []}")),
                "test.json: services[0].subservices[0].channels : au moins un canal attendu "
                "(visio, phone, mail, in-person)");
  assert_error (DOC (SERVICE ("", "{'id': 'rsa', 'name': 'RSA'}")),
                "test.json: services[0].subservices[0].channels : membre obligatoire manquant");
  assert_error (DOC (SERVICE ("", "{'id': 'rsa', 'name': 'RSA', 'channels': ['visio', 'visio']}")),
                "test.json: services[0].subservices[0].channels[1] : canal « visio » en double");
  assert_error (DOC (SERVICE ("", "{'id': 'rsa', 'name': 'RSA', 'channels': [1]}")),
                "test.json: services[0].subservices[0].channels[0] : nom de canal attendu, un nombre trouvé");
}

static void
test_error_visio_room (void)
{
  assert_error (DOC ("{'id': 'caf', 'name': 'CAF', 'letter': 'C', 'subservices': [" SUB ("") "]}"),
                "test.json: services[0].subservices[0].channels : le canal « visio » demande une salle "
                "(« room » du sous-service ou « lobby_room » du service)");

  {
    /* A room of its own is enough. */
    g_autoptr(RelaisDirectory) directory =
      load_ok (DOC ("{'id': 'caf', 'name': 'CAF', 'letter': 'C', 'subservices': [" SUB (", 'room': 7001") "]}"));

    g_assert_cmpint (relais_directory_find_subservice (directory, "caf", "rsa")->room, ==, 7001);
  }
}

static void
test_error_contact (void)
{
  assert_error (DOC (SERVICE ("", "{'id': 'rsa', 'name': 'RSA', 'channels': ['in-person']}")),
                "test.json: services[0].subservices[0] : sans visio, des coordonnées sont nécessaires "
                "(« contact » du sous-service ou du service)\n"
                "test.json: services[0].subservices[0] : le canal « in-person » demande une adresse "
                "(« contact.address » du sous-service ou du service)");
  assert_error (DOC (SERVICE ("'contact': {'web': 'https://www.caf.fr'},",
                              "{'id': 'rsa', 'name': 'RSA', 'channels': ['phone']}")),
                "test.json: services[0].subservices[0] : le canal « phone » demande un numéro "
                "(« contact.phone » du sous-service ou du service)");
  assert_error (DOC (SERVICE ("", "{'id': 'rsa', 'name': 'RSA', 'channels': ['mail'], 'contact': {'phone': '3230'}}")),
                "test.json: services[0].subservices[0] : le canal « mail » demande une adresse électronique ou "
                "postale (« contact.email » ou « contact.address »)");
  assert_error (DOC (SERVICE ("'contact': {'email': 'caf.exemple.fr'},", SUB (""))),
                "test.json: services[0].contact.email : adresse électronique attendue, « caf.exemple.fr » trouvé");
  assert_error (DOC (SERVICE ("'contact': {'web': 'ftp://caf.fr'},", SUB (""))),
                "test.json: services[0].contact.web : adresse web http:// ou https:// attendue, « ftp://caf.fr » trouvé");
  assert_error (DOC (SERVICE ("'contact': {'phone': 'bientôt'},", SUB (""))),
                "test.json: services[0].contact.phone : numéro de téléphone attendu (au moins un chiffre)");

  {
    /* The service's details serve its sub-services. */
    g_autoptr(RelaisDirectory) directory =
      load_ok (DOC (SERVICE ("'contact': {'phone': '3230', 'address': '1 rue de l’Exemple'},",
                             "{'id': 'rsa', 'name': 'RSA', 'channels': ['phone', 'mail', 'in-person']}")));
    const RelaisSubservice *sub = relais_directory_find_subservice (directory, "caf", "rsa");

    g_assert_cmpuint (sub->channels, ==, RELAIS_CHANNEL_PHONE | RELAIS_CHANNEL_MAIL | RELAIS_CHANNEL_IN_PERSON);
    g_assert_cmpstr (sub->service->contact.phone, ==, "3230");
  }
}

static void
test_error_hours (void)
{
  assert_error (DOC (SERVICE ("'hours': {'mon': ['9:00-12:00']},", SUB (""))),
                "test.json: services[0].hours.mon[0] : créneau « HH:MM-HH:MM » attendu, « 9:00-12:00 » trouvé");
  assert_error (DOC (SERVICE ("'hours': {'mon': ['09:00–12:00']},", SUB (""))),
                "test.json: services[0].hours.mon[0] : créneau « HH:MM-HH:MM » attendu, « 09:00–12:00 » trouvé");
  assert_error (DOC (SERVICE ("'hours': {'tue': ['09:00-12:60']},", SUB (""))),
                "test.json: services[0].hours.tue[0] : créneau « HH:MM-HH:MM » attendu, « 09:00-12:60 » trouvé");
  assert_error (DOC (SERVICE ("'hours': {'tue': ['24:00-24:30']},", SUB (""))),
                "test.json: services[0].hours.tue[0] : créneau « HH:MM-HH:MM » attendu, « 24:00-24:30 » trouvé");
  assert_error (DOC (SERVICE ("'hours': {'wed': ['14:00-12:00']},", SUB (""))),
                "test.json: services[0].hours.wed[0] : le créneau « 14:00-12:00 » finit avant de commencer");
  assert_error (DOC (SERVICE ("'hours': {'wed': ['12:00-12:00']},", SUB (""))),
                "test.json: services[0].hours.wed[0] : le créneau « 12:00-12:00 » finit avant de commencer");
  assert_error (DOC (SERVICE ("'hours': {'thu': ['09:00-12:00', '13:30-16:30', '11:00-14:00']},", SUB (""))),
                "test.json: services[0].hours.thu[2] : le créneau « 11:00-14:00 » chevauche le créneau 09:00-12:00");
  assert_error (DOC (SERVICE ("'hours': {'lun': ['09:00-12:00']},", SUB (""))),
                "test.json: services[0].hours : membre inconnu « lun » (attendu : mon, tue, wed, thu, fri, sat, sun)");
  assert_error (DOC (SERVICE ("'hours': {'mon': [], 'tue': []},", SUB (""))),
                "test.json: services[0].hours : au moins un créneau attendu (omettez « hours » si les horaires "
                "ne sont pas connus)");
  assert_error (DOC (SERVICE ("", SUB (", 'hours': {'fri': '09:00-12:00'}"))),
                "test.json: services[0].subservices[0].hours.fri : tableau attendu, un texte trouvé");
  assert_error (DOC (SERVICE ("", SUB (", 'hours': {'fri': [900]}"))),
                "test.json: services[0].subservices[0].hours.fri[0] : créneau « HH:MM-HH:MM » attendu, un nombre trouvé");

  {
    /* Touching slots are not overlapping. */
    g_autoptr(RelaisDirectory) directory =
      load_ok (DOC (SERVICE ("'hours': {'mon': ['12:00-14:00', '09:00-12:00']},", SUB (""))));

    g_assert_cmpuint (relais_directory_get_service (directory, 0)->hours->len, ==, 2);
  }
}

static void
test_several_errors (void)
{
  g_autofree char *message = load_error ("{'version': 3, 'services': ["
                                         "  {'id': 'caf', 'name': 'CAF', 'letter': 'C', 'subservices': ["
                                         "    {'id': 'rsa', 'name': '', 'channels': ['visio', 'fax']},"
                                         "    {'id': 'rsa', 'name': 'APL', 'channels': ['mail'], 'hours': {'mon': ['8-12']}}]},"
                                         "  {'id': 'CPAM', 'name': 'CPAM', 'letter': 'C', 'colour': 'blue', 'lobby_room': 2,"
                                         "   'subservices': [{'id': 'vitale', 'name': 'Carte Vitale', 'channels': ['visio']}]}"
                                         "]}");
  g_auto(GStrv) lines = g_strsplit (message, "\n", -1);
  const char * const expected[] = {
    "test.json: version : version 1 attendue, « 3 » trouvé",
    "test.json: services[0].subservices[0].name : texte non vide attendu",
    "test.json: services[0].subservices[0].channels[1] : canal inconnu « fax » (attendu : visio, phone, mail, in-person)",
    "test.json: services[0].subservices[0].channels : le canal « visio » demande une salle (« room » du sous-service ou « lobby_room » du service)",
    "test.json: services[0].subservices[1].hours.mon[0] : créneau « HH:MM-HH:MM » attendu, « 8-12 » trouvé",
    "test.json: services[0].subservices[1] : sans visio, des coordonnées sont nécessaires (« contact » du sous-service ou du service)",
    "test.json: services[0].subservices[1] : le canal « mail » demande une adresse électronique ou postale (« contact.email » ou « contact.address »)",
    "test.json: services[0].subservices[1].id : identifiant « rsa » déjà utilisé dans ce service",
    "test.json: services[1] : membre inconnu « colour » (attendu : id, name, letter, description, lobby_room, contact, hours, subservices)",
    "test.json: services[1].id : identifiant invalide « CPAM » (attendu : lettres minuscules sans accent, chiffres et « - »)",
    "test.json: services[1].letter : lettre « C » déjà prise par le service « CAF »",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    if (!g_strv_contains ((const char * const *) lines, expected[i]))
      g_error ("missing: %s", expected[i]);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (expected));
}

/* Loads raw bytes (no ' → " rewriting) and expects a failure. */
static char *
load_error_raw (const char *data,
                gssize      length,
                const char *source_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisDirectory) directory = NULL;

  directory = relais_directory_new_from_data (data, length, source_name, &error);
  g_assert_null (directory);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_DIRECTORY);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_test_message ("%s", error->message);
  return g_strdup (error->message);
}

static void
test_error_message_utf8 (void)
{
  /* Found by fuzzing (tests/fuzz/corpus/directory/utf8-cut-message.json):
   * json-glib's message quotes the string constant and cuts it in the
   * middle of the "é" (c3 a9). The message is shown on screen. */
  static const char cut[] = "{\n\"\":\"Cr\xc3\xa9" "er son inscription eon r\xc3\xa9\"";
  g_autofree char *message = load_error_raw (cut, sizeof cut - 1, "test.json");

  g_assert_true (g_str_has_prefix (message, "test.json:2:"));
  g_assert_nonnull (strstr (message, "JSON invalide : "));
  g_assert_nonnull (strstr (message, "Créer son inscription"));

  {
    /* Same with a long string constant: still valid, kept short, and
     * its control characters blanked. */
    g_autoptr(GString) doc = g_string_new ("{\n\"\":\"\t");

    for (guint i = 0; i < 10000; i++)
      g_string_append (doc, "é");
    g_string_append (doc, "\x01\"");
    g_clear_pointer (&message, g_free);
    message = load_error_raw (doc->str, (gssize) doc->len, "test.json");
    g_assert_true (g_str_has_prefix (message, "test.json:2:"));
    g_assert_cmpuint (g_utf8_strlen (message, -1), <, 300);
    g_assert_null (strchr (message, '\t'));
  }

  {
    /* A source name that is not UTF-8 (a file name in Latin-1). */
    g_clear_pointer (&message, g_free);
    message = load_error_raw ("[", -1, "annuaire-\xe9t\xe9.json");
    g_assert_true (g_str_has_prefix (message, "annuaire-\xef\xbf\xbdt\xef\xbf\xbd.json:"));
  }

  {
    /* Values quoted from a valid document are cut after 60 characters,
     * at a character boundary. */
    g_autoptr(GString) doc =
      g_string_new ("{'version': 1, 'services': [{'id': 'caf', 'name': 'CAF', 'letter': 'C', "
                    "'lobby_room': 5002, 'subservices': [{'id': 'rsa', 'name': 'RSA', 'channels': ['");

    for (guint i = 0; i < 100; i++)
      g_string_append (doc, "ô");
    g_string_append (doc, "']}]}]}");
    g_clear_pointer (&message, g_free);
    message = load_error (doc->str);
    g_assert_true (g_utf8_validate (message, -1, NULL));
    g_assert_nonnull (strstr (message, "canal inconnu « ôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôôô… »"));
  }
}

static void
test_error_too_large (void)
{
  g_autofree char *minimal = unquote (DOC (SERVICE ("", SUB (""))));
  g_autoptr(GString) doc = g_string_new (minimal);
  g_autoptr(RelaisDirectory) directory = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  /* 2 MiB is allowed, */
  while (doc->len < 2 * 1024 * 1024)
    g_string_append_c (doc, ' ');
  directory = relais_directory_new_from_data (doc->str, (gssize) doc->len, "test.json", &error);
  g_assert_no_error (error);
  g_assert_nonnull (directory);

  /* one byte more is not, however valid the JSON. */
  g_string_append_c (doc, ' ');
  message = load_error_raw (doc->str, (gssize) doc->len, "test.json");
  g_assert_cmpstr (message, ==,
                   "test.json: annuaire refusé : document trop volumineux "
                   "(2097153 octets, au plus 2097152 octets)");
}

static void
test_error_too_deep (void)
{
  g_autofree char *brackets = g_strnfill (100000, '[');
  g_autofree char *message = NULL;

  /* json-glib would overflow the stack on this. */
  message = load_error_raw (brackets, -1, "test.json");
  g_assert_cmpstr (message, ==,
                   "test.json: annuaire refusé : ligne 1, colonne 33 : imbrication trop profonde "
                   "(plus de 32 niveaux de [ ] et { })");

  {
    /* The root object and 31 levels of comment: accepted. One more is
     * not, and the position is counted in characters. */
    g_autofree char *open = g_strnfill (31, '[');
    g_autofree char *close = g_strnfill (31, ']');
    g_autofree char *ok = g_strdup_printf ("{'version': 1, '_note': %s%s, 'services': [%s]}",
                                           open, close, SERVICE ("", SUB ("")));
    g_autofree char *deep = g_strdup_printf ("{'version': 1,\n 'name': 'é', '_note': [%s%s], 'services': [%s]}",
                                             open, close, SERVICE ("", SUB ("")));
    g_autoptr(RelaisDirectory) directory = load_ok (ok);

    g_assert_cmpuint (relais_directory_get_n_services (directory), ==, 1);
    g_clear_pointer (&message, g_free);
    message = load_error (deep);
    g_assert_cmpstr (message, ==,
                     "test.json: annuaire refusé : ligne 2, colonne 55 : imbrication trop profonde "
                     "(plus de 32 niveaux de [ ] et { })");
  }

  {
    /* Brackets inside strings (with escaped quotes) do not count. */
    g_autofree char *open = g_strnfill (100, '[');
    g_autofree char *doc = g_strdup_printf ("{\"version\": 1, \"_note\": \"\\\"%s{{{\", \"services\": [%s]}",
                                            open, "{\"id\": \"caf\", \"name\": \"CAF\", \"letter\": \"C\", "
                                            "\"lobby_room\": 5002, \"subservices\": [{\"id\": \"rsa\", "
                                            "\"name\": \"RSA\", \"channels\": [\"visio\"]}]}");
    g_autoptr(GError) error = NULL;
    g_autoptr(RelaisDirectory) directory = relais_directory_new_from_data (doc, -1, "test.json", &error);

    g_assert_no_error (error);
    g_assert_nonnull (directory);
  }
}

static void
test_error_room_too_large (void)
{
  /* json-glib reads this as -1; the message must show what was written. */
  assert_error (DOC ("{'id': 'caf', 'name': 'CAF', 'letter': 'C', 'lobby_room': 99999999999999999999, "
                     "'subservices': [" SUB ("") "]}"),
                "test.json: annuaire refusé : ligne 1, colonne 87 : nombre entier hors limites "
                "« 99999999999999999999 » (de -9223372036854775808 à 9223372036854775807)");
  /* and this as 9223372036854775807, a valid room. */
  assert_error (DOC (SERVICE ("", SUB (", 'room': -9223372036854775809"))),
                "test.json: annuaire refusé : ligne 1, colonne 171 : nombre entier hors limites "
                "« -9223372036854775809 » (de -9223372036854775808 à 9223372036854775807)");

  {
    /* The largest room json-glib reads right is accepted. */
    g_autoptr(RelaisDirectory) directory =
      load_ok (DOC (SERVICE ("", SUB (", 'room': 9223372036854775807"))));

    g_assert_cmpint (relais_directory_find_subservice (directory, "caf", "rsa")->room, ==, G_MAXINT64);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/directory/sample/loads", test_sample_loads);
  g_test_add_func ("/directory/sample/content", test_sample_content);
  g_test_add_func ("/directory/minimal", test_minimal);
  g_test_add_func ("/directory/file-fixture", test_file_fixture);
  g_test_add_func ("/directory/missing-file", test_missing_file);
  g_test_add_func ("/directory/is-open-at", test_is_open_at);
  g_test_add_func ("/directory/format-hours", test_format_hours);
  g_test_add_func ("/directory/hours-sorted", test_hours_sorted);
  g_test_add_func ("/directory/error/malformed", test_error_malformed);
  g_test_add_func ("/directory/error/version", test_error_version);
  g_test_add_func ("/directory/error/unknown-member", test_error_unknown_member);
  g_test_add_func ("/directory/error/ids", test_error_ids);
  g_test_add_func ("/directory/error/letters", test_error_letters);
  g_test_add_func ("/directory/error/names-and-types", test_error_names_and_types);
  g_test_add_func ("/directory/error/channels", test_error_channels);
  g_test_add_func ("/directory/error/visio-room", test_error_visio_room);
  g_test_add_func ("/directory/error/contact", test_error_contact);
  g_test_add_func ("/directory/error/hours", test_error_hours);
  g_test_add_func ("/directory/error/several", test_several_errors);
  g_test_add_func ("/directory/error/message-utf8", test_error_message_utf8);
  g_test_add_func ("/directory/error/too-large", test_error_too_large);
  g_test_add_func ("/directory/error/too-deep", test_error_too_deep);
  g_test_add_func ("/directory/error/room-too-large", test_error_room_too_large);

  return g_test_run ();
}
