/* test-config.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-config"
#define _XOPEN_SOURCE 700

#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "relais-config.h"
#include "relais-error.h"

/* The hash of "4321", made once with crypto_pwhash_str (interactive
 * limits). */
#define HASH_4321 "$argon2id$v=19$m=65536,t=2,p=1$XzlazTfMw2HdfySafGlM1w$WKneHopDGKnRH2nhVFIKrGb4uz0DYoB+3H/iAUzYUcQ"

/* main() points the XDG directories at a temporary tree before GLib
 * caches them, and removes the tree at the end. (G_TEST_OPTION_ISOLATE_DIRS
 * would do it per test, but g_set_user_dirs() leaks the old values on
 * purpose and LeakSanitizer reports them.) */
static char *test_root;

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                flag,
              struct FTW        *ftw)
{
  return remove (path);
}

static char *
write_file (const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "relais-test", NULL);
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_no_errno (g_mkdir_with_parents (parent, 0700));
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return path;
}

/* Parses @data, expects failure, and returns the message. */
static char *
parse_error (const char *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = NULL;

  config = relais_config_new_from_data (data, "/etc/relais/kiosk.conf", &error);
  g_assert_null (config);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG);
  g_test_message ("%s", error->message);

  return g_strdup (error->message);
}

static void
assert_error_line (const char *data,
                   const char *expected)
{
  g_autofree char *message = parse_error (data);

  g_assert_cmpstr (message, ==, expected);
}

static RelaisConfig *
parse_ok (const char *data)
{
  g_autoptr(GError) error = NULL;
  RelaisConfig *config;

  config = relais_config_new_from_data (data, "/etc/relais/kiosk.conf", &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);

  return config;
}

static void
test_defaults (void)
{
  g_autoptr(RelaisConfig) config = relais_config_new_default ();
  g_autofree char *store = g_build_filename (g_get_user_data_dir (), "relais", "relais.db", NULL);
  const char *directory;

  g_assert_null (relais_config_get_source (config));
  g_assert_true (relais_config_is_demo (config));
  g_assert_cmpstr (relais_config_get_site_name (config), ==, "Point d'accueil Relais (démonstration)");
  g_assert_cmpstr (relais_config_get_language (config), ==, "fr");
  g_assert_cmpstr (relais_config_get_store_path (config), ==, store);
  g_assert_true (g_str_has_prefix (relais_config_get_pin_hash (config), "$argon2id$"));
  g_assert_cmpstr (relais_config_get_demo_pin (config), ==, "1234");
  g_assert_cmpuint (relais_config_get_idle_lock_seconds (config), ==, 120);
  g_assert_cmpuint (relais_config_get_max_pin_attempts (config), ==, 3);
  g_assert_cmpuint (relais_config_get_lockout_seconds (config), ==, 60);
  g_assert_cmpuint (relais_config_get_retention_days (config), ==, 90);
  g_assert_null (relais_config_get_janus_url (config));
  g_assert_null (relais_config_get_ca_file (config));

  directory = relais_config_get_directory_file (config);
  g_assert_true (g_path_is_absolute (directory));
  g_assert_true (g_str_has_suffix (directory, "/directory.sample.json"));
  g_assert_true (g_file_test (directory, G_FILE_TEST_IS_REGULAR));
}

static void
test_demo_pin_hash (void)
{
  g_autoptr(RelaisConfig) config = relais_config_new_default ();
  const char *hash = relais_config_get_pin_hash (config);

  g_assert_cmpint (sodium_init (), >=, 0);
  g_assert_cmpint (crypto_pwhash_str_verify (hash, "1234", 4), ==, 0);
  g_assert_cmpint (crypto_pwhash_str_verify (hash, "1235", 4), !=, 0);
  g_assert_cmpint (crypto_pwhash_str_verify (hash, "0000", 4), !=, 0);
}

static void
test_empty_file_is_demo (void)
{
  g_autoptr(RelaisConfig) config = parse_ok ("# nothing\n\n");

  g_assert_cmpstr (relais_config_get_source (config), ==, "/etc/relais/kiosk.conf");
  g_assert_true (relais_config_is_demo (config));
  g_assert_cmpstr (relais_config_get_demo_pin (config), ==, "1234");
}

static void
test_demo_with_own_pin (void)
{
  g_autoptr(RelaisConfig) config = parse_ok ("[agent]\npin-hash=" HASH_4321 "\n");

  /* The lock screen must not advertise 1234 when it would not work. */
  g_assert_true (relais_config_is_demo (config));
  g_assert_null (relais_config_get_demo_pin (config));
  g_assert_cmpstr (relais_config_get_pin_hash (config), ==, HASH_4321);
}

static void
test_all_keys (void)
{
  g_autofree char *ca = write_file ("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  g_autofree char *directory = write_file ("annuaire.json", "{}");
  g_autofree char *data = NULL;
  g_autoptr(RelaisConfig) config = NULL;

  data = g_strdup_printf ("# Relais\n"
                          "[kiosk]\n"
                          "site-name = France services de Exempleville\n"
                          "language=en\n"
                          "store-path=/var/lib/relais/kiosk.db\n"
                          "\n"
                          "[agent]\n"
                          "pin-hash=" HASH_4321 "\n"
                          "idle-lock-seconds=300\n"
                          "max-pin-attempts=5\n"
                          "lockout-seconds= 600 \n"
                          "[queue]\n"
                          "retention-days=30\n"
                          "[directory]\n"
                          "file=%s\n"
                          "[gateway]\n"
                          "janus-url=https://visio.exemple.fr/janus\n"
                          "ca-file=%s\n",
                          directory, ca);
  config = parse_ok (data);

  g_assert_false (relais_config_is_demo (config));
  g_assert_cmpstr (relais_config_get_site_name (config), ==, "France services de Exempleville");
  g_assert_cmpstr (relais_config_get_language (config), ==, "en");
  g_assert_cmpstr (relais_config_get_store_path (config), ==, "/var/lib/relais/kiosk.db");
  g_assert_cmpstr (relais_config_get_pin_hash (config), ==, HASH_4321);
  g_assert_null (relais_config_get_demo_pin (config));
  g_assert_cmpuint (relais_config_get_idle_lock_seconds (config), ==, 300);
  g_assert_cmpuint (relais_config_get_max_pin_attempts (config), ==, 5);
  g_assert_cmpuint (relais_config_get_lockout_seconds (config), ==, 600);
  g_assert_cmpuint (relais_config_get_retention_days (config), ==, 30);
  g_assert_cmpstr (relais_config_get_directory_file (config), ==, directory);
  g_assert_cmpstr (relais_config_get_janus_url (config), ==, "https://visio.exemple.fr/janus");
  g_assert_cmpstr (relais_config_get_ca_file (config), ==, ca);
}

static void
test_gateway_default_site_name (void)
{
  g_autoptr(RelaisConfig) config = parse_ok ("[gateway]\njanus-url=http://10.77.0.1:8088/janus\n"
                                             "[agent]\npin-hash=" HASH_4321 "\n");

  g_assert_false (relais_config_is_demo (config));
  g_assert_cmpstr (relais_config_get_site_name (config), ==, "Point d'accueil Relais");
}

/* The presence work: [gateway] lobby-pin; ignored without a gateway. */
static void
test_lobby_pin (void)
{
  g_autoptr(RelaisConfig) gateway = parse_ok ("[gateway]\njanus-url=http://10.77.0.1:8088/janus\nlobby-pin=s3cret lobby\n"
                                              "[agent]\npin-hash=" HASH_4321 "\n");
  g_autoptr(RelaisConfig) none = parse_ok ("[gateway]\njanus-url=http://10.77.0.1:8088/janus\n"
                                           "[agent]\npin-hash=" HASH_4321 "\n");
  g_autoptr(RelaisConfig) demo = parse_ok ("[gateway]\nlobby-pin=s3cret\n");

  g_assert_cmpstr (relais_config_get_lobby_pin (gateway), ==, "s3cret lobby");
  g_assert_null (relais_config_get_lobby_pin (none));
  g_assert_true (relais_config_is_demo (demo));
  g_assert_null (relais_config_get_lobby_pin (demo));
}

static void
test_range_limits (void)
{
  g_autoptr(RelaisConfig) low = parse_ok ("[agent]\nidle-lock-seconds=15\nmax-pin-attempts=1\nlockout-seconds=5\n"
                                          "[queue]\nretention-days=1\n");
  g_autoptr(RelaisConfig) high = parse_ok ("[agent]\nidle-lock-seconds=3600\nmax-pin-attempts=10\nlockout-seconds=3600\n"
                                           "[queue]\nretention-days=3650\n");

  g_assert_cmpuint (relais_config_get_idle_lock_seconds (low), ==, 15);
  g_assert_cmpuint (relais_config_get_max_pin_attempts (low), ==, 1);
  g_assert_cmpuint (relais_config_get_lockout_seconds (low), ==, 5);
  g_assert_cmpuint (relais_config_get_retention_days (low), ==, 1);
  g_assert_cmpuint (relais_config_get_idle_lock_seconds (high), ==, 3600);
  g_assert_cmpuint (relais_config_get_max_pin_attempts (high), ==, 10);
  g_assert_cmpuint (relais_config_get_lockout_seconds (high), ==, 3600);
  g_assert_cmpuint (relais_config_get_retention_days (high), ==, 3650);
}

static void
test_error_bad_int (void)
{
  assert_error_line ("[agent]\nidle-lock-seconds=abc\n",
                     "/etc/relais/kiosk.conf: [agent] idle-lock-seconds : nombre entier entre 15 et 3600 attendu, « abc » trouvé");
  assert_error_line ("[agent]\nmax-pin-attempts=-1\n",
                     "/etc/relais/kiosk.conf: [agent] max-pin-attempts : nombre entier entre 1 et 10 attendu, « -1 » trouvé");
  assert_error_line ("[queue]\nretention-days=12.5\n",
                     "/etc/relais/kiosk.conf: [queue] retention-days : nombre entier entre 1 et 3650 attendu, « 12.5 » trouvé");
  assert_error_line ("[queue]\nretention-days=\n",
                     "/etc/relais/kiosk.conf: [queue] retention-days : valeur vide : commentez la ligne pour garder la valeur par défaut");
}

static void
test_error_out_of_range (void)
{
  assert_error_line ("[agent]\nidle-lock-seconds=14\n",
                     "/etc/relais/kiosk.conf: [agent] idle-lock-seconds : nombre entier entre 15 et 3600 attendu, « 14 » trouvé");
  assert_error_line ("[agent]\nmax-pin-attempts=11\n",
                     "/etc/relais/kiosk.conf: [agent] max-pin-attempts : nombre entier entre 1 et 10 attendu, « 11 » trouvé");
  assert_error_line ("[agent]\nlockout-seconds=4\n",
                     "/etc/relais/kiosk.conf: [agent] lockout-seconds : nombre entier entre 5 et 3600 attendu, « 4 » trouvé");
  assert_error_line ("[queue]\nretention-days=3651\n",
                     "/etc/relais/kiosk.conf: [queue] retention-days : nombre entier entre 1 et 3650 attendu, « 3651 » trouvé");
  assert_error_line ("[queue]\nretention-days=99999999999999999999999\n",
                     "/etc/relais/kiosk.conf: [queue] retention-days : nombre entier entre 1 et 3650 attendu, « 99999999999999999999999 » trouvé");
}

static void
test_error_bad_enum (void)
{
  assert_error_line ("[kiosk]\nlanguage=de\n",
                     "/etc/relais/kiosk.conf: [kiosk] language : « fr » ou « en » attendu, « de » trouvé");
  assert_error_line ("[kiosk]\nlanguage=FR\n",
                     "/etc/relais/kiosk.conf: [kiosk] language : « fr » ou « en » attendu, « FR » trouvé");
}

static void
test_error_empty_value (void)
{
  assert_error_line ("[kiosk]\nsite-name=\n",
                     "/etc/relais/kiosk.conf: [kiosk] site-name : valeur vide : commentez la ligne pour garder la valeur par défaut");
}

static void
test_error_store_path (void)
{
  assert_error_line ("[kiosk]\nstore-path=relais.db\n",
                     "/etc/relais/kiosk.conf: [kiosk] store-path : chemin absolu attendu, « relais.db » trouvé");
}

static void
test_error_unknown_key (void)
{
  assert_error_line ("[agent]\nidle-lock-second=120\n",
                     "/etc/relais/kiosk.conf: [agent] idle-lock-second : clé inconnue dans ce groupe");
  /* A key valid in another group is still wrong here. */
  assert_error_line ("[kiosk]\nretention-days=10\n",
                     "/etc/relais/kiosk.conf: [kiosk] retention-days : clé inconnue dans ce groupe");
  /* Localised keys are not supported: better said than ignored. */
  assert_error_line ("[kiosk]\nsite-name[en]=Relais point\n",
                     "/etc/relais/kiosk.conf: [kiosk] site-name[en] : clé inconnue dans ce groupe");
}

static void
test_error_unknown_group (void)
{
  assert_error_line ("[Kiosk]\nsite-name=Relais\n",
                     "/etc/relais/kiosk.conf: [Kiosk] : groupe inconnu (attendu : [kiosk], [agent], [queue], [directory] ou [gateway])");
}

static void
test_error_missing_pin_hash (void)
{
  assert_error_line ("[gateway]\njanus-url=https://visio.exemple.fr/janus\n",
                     "/etc/relais/kiosk.conf: [agent] pin-hash : obligatoire quand [gateway] janus-url est défini "
                     "(créez-le avec « relais-kiosk --hash-pin »), absent");
}

static void
test_error_bad_pin_hash (void)
{
  const char *bad[] = {
    "1234",
    "$argon2i$v=19$m=65536,t=2,p=1$XzlazTfMw2HdfySafGlM1w$WKneHopDGKnRH2nhVFIKrGb4uz0DYoB+3H/iAUzYUcQ",
    "$argon2id$garbage",
    "$argon2id$v=19$m=65536,t=2,p=1$",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *data = g_strdup_printf ("[agent]\npin-hash=%s\n", bad[i]);
      g_autofree char *message = parse_error (data);

      g_assert_true (g_str_has_prefix (message,
                                       "/etc/relais/kiosk.conf: [agent] pin-hash : hachage Argon2id attendu"));
      g_assert_nonnull (strstr (message, "relais-kiosk --hash-pin"));
      /* It may be the PIN in clear: never repeated. */
      g_assert_null (strstr (message, bad[i]));
      /* One error only: not also "missing". */
      g_assert_null (strchr (message, '\n'));
    }

  {
    /* A bad hash with a gateway is reported once, as bad, not as missing. */
    g_autofree char *message = parse_error ("[agent]\npin-hash=1234\n"
                                            "[gateway]\njanus-url=https://visio.exemple.fr/\n");

    g_assert_null (strchr (message, '\n'));
    g_assert_null (strstr (message, "obligatoire"));
  }

  {
    /* A pasted blob is cut short in the message. */
    g_autofree char *long_value = g_strnfill (500, 'x');
    g_autofree char *data = g_strdup_printf ("[kiosk]\nlanguage=%s\n", long_value);
    g_autofree char *message = parse_error (data);

    g_assert_nonnull (strstr (message, "…"));
    g_assert_cmpuint (strlen (message), <, 400);
  }
}

static void
test_error_bad_url (void)
{
  const char *bad[] = { "ftp://visio.exemple.fr/janus", "visio.exemple.fr/janus", "https://", "http//x" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *data = g_strdup_printf ("[agent]\npin-hash=" HASH_4321 "\n"
                                               "[gateway]\njanus-url=%s\n", bad[i]);
      g_autofree char *expected = g_strdup_printf ("/etc/relais/kiosk.conf: [gateway] janus-url : "
                                                   "adresse http:// ou https:// attendue, « %s » trouvé",
                                                   bad[i]);

      assert_error_line (data, expected);
    }
}

static void
test_error_missing_ca_file (void)
{
  assert_error_line ("[gateway]\nca-file=/nonexistent/relais/ca.pem\n",
                     "/etc/relais/kiosk.conf: [gateway] ca-file : fichier lisible attendu, "
                     "« /nonexistent/relais/ca.pem » introuvable ou illisible");
  /* A directory is not a file. */
  assert_error_line ("[gateway]\nca-file=/\n",
                     "/etc/relais/kiosk.conf: [gateway] ca-file : fichier lisible attendu, "
                     "« / » introuvable ou illisible");
}

static void
test_error_missing_directory_file (void)
{
  /* Relative to the configuration's own directory, and named in full so
   * that IT staff see where it was looked for. */
  assert_error_line ("[directory]\nfile=annuaire.json\n",
                     "/etc/relais/kiosk.conf: [directory] file : fichier lisible attendu, "
                     "« /etc/relais/annuaire.json » introuvable ou illisible");
}

static void
test_error_syntax (void)
{
  assert_error_line ("[kiosk]\nlanguage=fr\nceci n'est pas une clé\n",
                     "/etc/relais/kiosk.conf:3: ligne invalide : « clé=valeur », « [groupe] » ou « # commentaire » "
                     "attendu, « ceci n'est pas une clé » trouvé");
  assert_error_line ("# début\n[kiosk\nlanguage=fr\n",
                     "/etc/relais/kiosk.conf:2: en-tête de groupe invalide : « [groupe] » attendu, « [kiosk » trouvé");
  assert_error_line ("language=fr\n[kiosk]\n",
                     "/etc/relais/kiosk.conf:1: clé hors de tout groupe : le fichier doit commencer par un groupe, "
                     "par exemple « [kiosk] »");
  assert_error_line ("[kiosk]\nlanguage=fr\n\n[agent]\n[kiosk]\nlanguage = en\n",
                     "/etc/relais/kiosk.conf:6: [kiosk] language : clé déjà définie ligne 2");
  /* GKeyFile takes spaces in key names; the schema does not. */
  assert_error_line ("[kiosk]\nsite name=Relais\n",
                     "/etc/relais/kiosk.conf: [kiosk] site name : clé inconnue dans ce groupe");
  assert_error_line ("[kiosk]\nsite-name=Caf\xe9\n",
                     "/etc/relais/kiosk.conf:2: ligne invalide : texte UTF-8 attendu");

  {
    /* What our line check lets through, GKeyFile still refuses. */
    g_autofree char *message = parse_error ("[kiosk]x]\nlanguage=fr\n");

    g_assert_true (g_str_has_prefix (message, "/etc/relais/kiosk.conf: erreur de syntaxe : "));
  }
}

static void
test_bom (void)
{
  /* Notepad's byte order mark, with its CRLF line ends. */
  g_autoptr(RelaisConfig) config =
    parse_ok ("\xEF\xBB\xBF[kiosk]\r\nsite-name=Mairie de Pontivy\r\nlanguage=en\r\n");

  g_assert_cmpstr (relais_config_get_site_name (config), ==, "Mairie de Pontivy");
  g_assert_cmpstr (relais_config_get_language (config), ==, "en");

  /* Errors still point at the right line, the BOM's included. */
  assert_error_line ("\xEF\xBB\xBF[kiosk]\nlanguage=fr\nceci n'est pas une clé\n",
                     "/etc/relais/kiosk.conf:3: ligne invalide : « clé=valeur », « [groupe] » ou « # commentaire » "
                     "attendu, « ceci n'est pas une clé » trouvé");
  assert_error_line ("\xEF\xBB\xBFlanguage=fr\n[kiosk]\n",
                     "/etc/relais/kiosk.conf:1: clé hors de tout groupe : le fichier doit commencer par un groupe, "
                     "par exemple « [kiosk] »");

  /* Only one is a byte order mark; a second one is text in a group
   * header that does not exist. */
  {
    g_autofree char *message = parse_error ("\xEF\xBB\xBF\xEF\xBB\xBF[kiosk]\nlanguage=fr\n");

    g_assert_true (g_str_has_prefix (message, "/etc/relais/kiosk.conf:1: "));
  }
}

static void
test_several_errors (void)
{
  g_autofree char *message = parse_error ("[kiosk]\n"
                                          "language=de\n"
                                          "colour=blue\n"
                                          "[agent]\n"
                                          "idle-lock-seconds=abc\n"
                                          "max-pin-attempts=0\n"
                                          "[gateway]\n"
                                          "janus-url=ftp://x\n"
                                          "[printer]\n"
                                          "name=cups\n");
  g_auto(GStrv) lines = g_strsplit (message, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [kiosk] language : « fr » ou « en » attendu, « de » trouvé"));
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [kiosk] colour : clé inconnue dans ce groupe"));
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [agent] idle-lock-seconds : nombre entier entre 15 et 3600 attendu, « abc » trouvé"));
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [agent] max-pin-attempts : nombre entier entre 1 et 10 attendu, « 0 » trouvé"));
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [gateway] janus-url : adresse http:// ou https:// attendue, « ftp://x » trouvé"));
  g_assert_true (g_strv_contains ((const char * const *) lines,
                                  "/etc/relais/kiosk.conf: [printer] : groupe inconnu (attendu : [kiosk], [agent], [queue], [directory] ou [gateway])"));

  {
    g_autofree char *syntax = parse_error ("[kiosk]\noops\n[agent]\nalso wrong\n");
    g_auto(GStrv) syntax_lines = g_strsplit (syntax, "\n", -1);

    g_assert_cmpuint (g_strv_length (syntax_lines), ==, 2);
    g_assert_true (g_str_has_prefix (syntax_lines[0], "/etc/relais/kiosk.conf:2: "));
    g_assert_true (g_str_has_prefix (syntax_lines[1], "/etc/relais/kiosk.conf:4: "));
  }
}

static void
test_relative_directory_file (void)
{
  g_autofree char *directory = write_file ("site/annuaires/local.json", "{}");
  g_autofree char *conf = write_file ("site/kiosk.conf", "[directory]\nfile=annuaires/local.json\n");
  g_autofree char *ca = write_file ("site/certs/ca.pem", "pem");
  g_autofree char *conf2 = write_file ("site/other.conf", "[gateway]\nca-file=./certs/../certs/ca.pem\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(RelaisConfig) config2 = NULL;

  config = relais_config_new_from_file (conf, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relais_config_get_source (config), ==, conf);
  g_assert_cmpstr (relais_config_get_directory_file (config), ==, directory);

  config2 = relais_config_new_from_file (conf2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relais_config_get_ca_file (config2), ==, ca);
}

static void
test_relative_config_path (void)
{
  g_autofree char *directory = write_file ("rel/annuaire.json", "{}");
  g_autofree char *conf = write_file ("rel/kiosk.conf", "[directory]\nfile=annuaire.json\n");
  g_autofree char *old_cwd = g_get_current_dir ();
  g_autofree char *dir = g_path_get_dirname (conf);
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = NULL;

  /* --config kiosk.conf from the shell: the name is relative to the
   * working directory, and the file's own paths to the file. */
  g_assert_no_errno (g_chdir (dir));
  config = relais_config_new_from_file ("kiosk.conf", &error);
  g_assert_no_errno (g_chdir (old_cwd));

  g_assert_no_error (error);
  g_assert_cmpstr (relais_config_get_source (config), ==, conf);
  g_assert_cmpstr (relais_config_get_directory_file (config), ==, directory);
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = NULL;

  config = relais_config_new_from_file ("/nonexistent/relais/kiosk.conf", &error);
  g_assert_null (config);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG);
  g_assert_true (g_str_has_prefix (error->message,
                                   "/nonexistent/relais/kiosk.conf: impossible de lire le fichier de configuration : "));
}

static void
test_find_file (void)
{
  g_autofree char *explicit_path = NULL;
  g_autofree char *found = NULL;
  g_autofree char *user_file = g_build_filename (g_get_user_config_dir (), "relais", "kiosk.conf", NULL);

  /* --config wins, even over a file that exists, and even when it does
   * not exist itself: the error must then name it. */
  explicit_path = relais_config_find_file ("/nonexistent/kiosk.conf");
  g_assert_cmpstr (explicit_path, ==, "/nonexistent/kiosk.conf");

  /* No user file: the system file if this machine has one, else demo. */
  found = relais_config_find_file (NULL);
  if (g_file_test (RELAIS_CONFIG_SYSTEM_FILE, G_FILE_TEST_EXISTS))
    g_assert_cmpstr (found, ==, RELAIS_CONFIG_SYSTEM_FILE);
  else
    g_assert_null (found);
  g_clear_pointer (&found, g_free);

  /* The per-user file, under the isolated XDG_CONFIG_HOME, comes next. */
  {
    g_autofree char *parent = g_path_get_dirname (user_file);
    g_autoptr(GError) error = NULL;

    g_assert_no_errno (g_mkdir_with_parents (parent, 0700));
    g_file_set_contents (user_file, "[kiosk]\n", -1, &error);
    g_assert_no_error (error);
  }
  found = relais_config_find_file (NULL);
  g_assert_cmpstr (found, ==, user_file);
  g_clear_pointer (&found, g_free);

  found = relais_config_find_file ("/srv/kiosk.conf");
  g_assert_cmpstr (found, ==, "/srv/kiosk.conf");

  g_assert_no_errno (g_remove (user_file));
}

static void
test_example_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelaisConfig) config = NULL;
  const char *path = g_test_get_filename (G_TEST_DIST, "..", "packaging", "kiosk.conf.example", NULL);

  /* The shipped example, all commented out, is the demo. */
  config = relais_config_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (relais_config_is_demo (config));
}

static void
test_example_file_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) uncommented = g_string_new (NULL);
  g_autoptr(RelaisConfig) config = NULL;
  const char *path = g_test_get_filename (G_TEST_DIST, "..", "packaging", "kiosk.conf.example", NULL);
  g_auto(GStrv) errors = NULL;

  /* Uncommenting every "#key=value" line must only give errors for the
   * placeholders that stand for site-specific files and secrets, never
   * "unknown key": the example documents the real schema. */
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (line[0] == '#' && g_ascii_islower (line[1]) && strchr (line, '=') != NULL && strchr (line, ' ') == NULL)
        line++;
      else if (line[0] == '#' && g_str_has_prefix (line, "#site-name="))
        line++;
      g_string_append_printf (uncommented, "%s\n", line);
    }

  config = relais_config_new_from_data (uncommented->str, "/etc/relais/kiosk.conf", &error);
  g_assert_null (config);
  g_assert_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG);
  g_test_message ("%s", error->message);
  g_assert_null (strstr (error->message, "inconnu"));
  errors = g_strsplit (error->message, "\n", -1);
  for (guint i = 0; errors[i] != NULL; i++)
    g_assert_true (strstr (errors[i], "[agent] pin-hash") != NULL ||
                   strstr (errors[i], "[directory] file") != NULL ||
                   strstr (errors[i], "[gateway] ca-file") != NULL);
  g_assert_cmpuint (g_strv_length (errors), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_root = g_dir_make_tmp ("relais-test-config-XXXXXX", NULL);
  g_assert_nonnull (test_root);
  for (const char * const *name = (const char * const[]) { "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", NULL };
       *name != NULL; name++)
    {
      g_autofree char *dir = g_build_filename (test_root, *name, NULL);

      g_setenv (*name, dir, TRUE);
    }

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/demo-pin-hash", test_demo_pin_hash);
  g_test_add_func ("/config/empty-file-is-demo", test_empty_file_is_demo);
  g_test_add_func ("/config/demo-with-own-pin", test_demo_with_own_pin);
  g_test_add_func ("/config/all-keys", test_all_keys);
  g_test_add_func ("/config/gateway-default-site-name", test_gateway_default_site_name);
  g_test_add_func ("/config/lobby-pin", test_lobby_pin);
  g_test_add_func ("/config/range-limits", test_range_limits);
  g_test_add_func ("/config/error/bad-int", test_error_bad_int);
  g_test_add_func ("/config/error/out-of-range", test_error_out_of_range);
  g_test_add_func ("/config/error/bad-enum", test_error_bad_enum);
  g_test_add_func ("/config/error/empty-value", test_error_empty_value);
  g_test_add_func ("/config/error/store-path", test_error_store_path);
  g_test_add_func ("/config/error/unknown-key", test_error_unknown_key);
  g_test_add_func ("/config/error/unknown-group", test_error_unknown_group);
  g_test_add_func ("/config/error/missing-pin-hash", test_error_missing_pin_hash);
  g_test_add_func ("/config/error/bad-pin-hash", test_error_bad_pin_hash);
  g_test_add_func ("/config/error/bad-url", test_error_bad_url);
  g_test_add_func ("/config/error/missing-ca-file", test_error_missing_ca_file);
  g_test_add_func ("/config/error/missing-directory-file", test_error_missing_directory_file);
  g_test_add_func ("/config/error/syntax", test_error_syntax);
  g_test_add_func ("/config/error/several", test_several_errors);
  g_test_add_func ("/config/bom", test_bom);
  g_test_add_func ("/config/relative-directory-file", test_relative_directory_file);
  g_test_add_func ("/config/relative-config-path", test_relative_config_path);
  g_test_add_func ("/config/missing-file", test_missing_file);
  g_test_add_func ("/config/find-file", test_find_file);
  g_test_add_func ("/config/example-file", test_example_file);
  g_test_add_func ("/config/example-file-keys", test_example_file_keys);

  status = g_test_run ();

  nftw (test_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  g_free (test_root);

  return status;
}
