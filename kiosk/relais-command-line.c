/* relais-command-line.c
 *
 * The modes of `relais-kiosk` that answer a technician on a terminal
 * (--check-config, --hash-pin, --export-csv, --version), the options, and
 * the start of the kiosk itself once the configuration is known good.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-command-line"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "relais-agent-lock.h"
#include "relais-figures-store.h"
#include "relais-command-line.h"
#include "relais-config.h"
#include "relais-directory.h"
#include "relais-store.h"

static char *
read_pin_from_stdin (void)
{
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  char buffer[128] = { 0 };
  char *result = NULL;

  if (tty)
    {
      g_printerr ("%s", _("Code (6 à 12 chiffres) : "));
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~ECHO;
      tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
    }

  if (fgets (buffer, sizeof buffer, stdin) != NULL)
    {
      buffer[strcspn (buffer, "\r\n")] = '\0';
      result = g_strdup (buffer);
    }

  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &saved);
      g_printerr ("\n");
    }

  memset (buffer, 0, sizeof buffer);

  return result;
}

static int
hash_pin (void)
{
  g_autofree char *pin = read_pin_from_stdin ();
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;

  if (pin == NULL)
    {
      g_printerr ("%s\n", _("Aucun code lu sur l'entrée standard."));
      return 1;
    }

  for (const char *p = pin; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        {
          g_printerr ("%s\n", _("Le code ne doit contenir que des chiffres."));
          return 1;
        }
    }

  hash = relais_agent_lock_hash_pin (pin, &error);
  memset (pin, 0, strlen (pin));
  if (hash == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("pin-hash=%s\n", hash);
  return 0;
}

static RelaisConfig *
load_config (const char  *explicit_path,
             GError     **error)
{
  g_autofree char *path = relais_config_find_file (explicit_path);

  if (path == NULL)
    return relais_config_new_default ();

  return relais_config_new_from_file (path, error);
}

static int
check_config (const char *path)
{
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(RelaisDirectory) directory = NULL;
  g_autoptr(GError) error = NULL;

  config = relais_config_new_from_file (path, &error);
  if (config == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  directory = relais_directory_new_from_file (relais_config_get_directory_file (config), &error);
  if (directory == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print (_("%s : configuration valide (%s, %u services dans l'annuaire).\n"),
           path,
           relais_config_is_demo (config) ? _("mode démonstration") : relais_config_get_janus_url (config),
           relais_directory_get_n_services (directory));
  return 0;
}

/* `--export-csv FILE`: every recorded session, anonymous columns only,
 * from the kiosk's store (it may be running: the store is WAL). */
static int
export_csv (const char *config_path,
            const char *path)
{
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(RelaisStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  guint n_rows = 0;

  config = load_config (config_path, &error);
  if (config == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  store = relais_store_new (relais_config_get_store_path (config), &error);
  if (store == NULL || (csv = relais_figures_csv_from_store (store, &n_rows, &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (!g_file_set_contents (path, csv, -1, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "%s : %u séance écrite (CSV).\n",
                        "%s : %u séances écrites (CSV).\n",
                        n_rows),
           path, n_rows);
  return 0;
}

static void
apply_language (RelaisConfig *config)
{
  /* An explicit LANGUAGE (a technician testing, say) wins over the
   * configuration. */
  if (g_getenv ("LANGUAGE") != NULL)
    return;

  g_setenv ("LANGUAGE", relais_config_get_language (config), TRUE);
  /* Makes gettext drop what it cached under the previous language. */
  setlocale (LC_MESSAGES, "");
}

void
relais_command_line_init_i18n (void)
{
  const char *localedir = g_getenv ("RELAIS_LOCALEDIR");
  const char *locale = setlocale (LC_ALL, "");

  /* glibc ignores LANGUAGE under the plain "C" locale, which is what a
   * bare kiosk session or CI gets: C.UTF-8 behaves the same otherwise. */
  if (locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");

  if (localedir == NULL)
    {
      g_autofree char *installed = g_build_filename (LOCALEDIR, "en", "LC_MESSAGES",
                                                     GETTEXT_PACKAGE ".mo", NULL);

      localedir = g_file_test (installed, G_FILE_TEST_EXISTS) ? LOCALEDIR : BUILD_LOCALEDIR;
    }

  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

int
relais_kiosk_main (int                argc,
                   char             **argv,
                   RelaisKioskHook    hook,
                   gpointer           hook_data)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelaisApplication) app = NULL;
  g_autoptr(RelaisConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *check_path = NULL;
  g_autofree char *export_path = NULL;
  gboolean want_hash_pin = FALSE;
  gboolean want_version = FALSE;
  char *app_argv[] = { argv[0], NULL };
  int status;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      N_("Fichier de configuration à utiliser"), N_("FICHIER") },
    { "check-config", 0, 0, G_OPTION_ARG_FILENAME, &check_path,
      N_("Vérifier un fichier de configuration et quitter"), N_("FICHIER") },
    { "export-csv", 0, 0, G_OPTION_ARG_FILENAME, &export_path,
      N_("Écrire les chiffres anonymes de toutes les séances dans un fichier CSV et quitter"), N_("FICHIER") },
    { "hash-pin", 0, 0, G_OPTION_ARG_NONE, &want_hash_pin,
      N_("Lire un code agent sur l'entrée standard et afficher sa ligne pin-hash"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &want_version,
      N_("Afficher la version et quitter"), NULL },
    { NULL }
  };

  /* Parsed here rather than by GApplication: --check-config and
   * --hash-pin run on a technician's terminal with no display, and
   * GtkApplication wants one before it hands over its options. */
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Borne Relais : rendez-vous en visio avec les services publics."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (want_version)
    {
      g_print ("relais-kiosk %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (want_hash_pin)
    return hash_pin ();

  if (check_path != NULL)
    return check_config (check_path);

  if (export_path != NULL)
    return export_csv (config_path, export_path);

  /* A kiosk never starts half-configured: a bad file stops it here, with
   * every problem listed, before any window shows. */
  config = load_config (config_path, &error);
  if (config == NULL)
    {
      g_printerr ("%s\n", error->message);
      g_printerr ("%s\n", _("Le kiosque ne démarre pas tant que la configuration est fausse."));
      return 1;
    }

  apply_language (config);

  app = relais_application_new (config);
  if (hook != NULL)
    hook (app, hook_data);

  status = g_application_run (G_APPLICATION (app), 1, app_argv);
  if (status == 0)
    status = relais_application_get_exit_status (app);

  return status;
}
