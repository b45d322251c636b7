/* relais-config.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-config"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "relais-config.h"
#include "relais-error.h"

/* The demo PIN and its hash, computed once with crypto_pwhash_str()
 * (OPSLIMIT_INTERACTIVE, MEMLIMIT_INTERACTIVE): hashing at start-up would
 * cost 64 MiB and about 0.3 s on a kiosk PC for a value that never changes. */
#define DEMO_PIN      "1234"
#define DEMO_PIN_HASH "$argon2id$v=19$m=65536,t=2,p=1$lQ4diUORo2tozGMEeErUhQ$oRtI51aiHk+iu90cImGmcALjB4+dvgGU1U502phfDPI"

#define DIRECTORY_SAMPLE "directory.sample.json"

/* Longest value quoted back in an error message: a pasted blob must not
 * bury the other errors. */
#define MAX_QUOTED_CHARS 60

struct _RelaisConfig
{
  GObject parent_instance;

  char *source;

  char *site_name;       /* NULL: the translated default */
  char *language;
  char *store_path;

  char *pin_hash;        /* NULL: demo hash */
  guint idle_lock_seconds;
  guint max_pin_attempts;
  guint lockout_seconds;

  guint retention_days;

  char *directory_file;

  char *janus_url;
  char *ca_file;
  char *stun_server;
  char *turn_server;     /* holds a password: never logged; one or more, ';'-separated */
  gboolean force_relay;
  guint give_up_seconds;

  /* [media]: NULL or 0 when not set, so the call's own defaults apply. */
  char *camera;
  char *microphone;
  guint width;
  guint height;
  guint framerate;
  guint video_bitrate_kbps;
  char *video_codec;
  guint jitter_latency_ms;

  /* [printer] */
  char *printer_name;        /* NULL: CUPS's default destination */
  guint printer_copies;
  gboolean printer_duplex;
  guint printer_max_pages;
  /* [figures] */
  char *upload_url;      /* NULL: no upload */
  char *upload_token;    /* secret: never logged or quoted in an error */

  /* [scanner] */
  char *scanner_device;      /* "auto" or a SANE device name */
  guint scanner_resolution;
  char *scanner_mode;        /* "grey" | "colour" */
  char *scanner_source;      /* "flatbed" | "feeder" */

  /* [gateway] lobby-pin: the presence work (PROTOCOL.md) */
  char *lobby_pin;
  /* [gateway] test-only-plain-http: the integration tests' gateway is on
   * a namespace's private address without TLS. */
  gboolean test_only_plain_http;
  /* [gateway] test-only-shared-room: a gateway without lobby-pin, each
   * call in the directory's own room (shared by every kiosk of the
   * service), for the tests of that room call only. */
  gboolean test_only_shared_room;
};

G_DEFINE_FINAL_TYPE (RelaisConfig, relais_config, G_TYPE_OBJECT)

typedef enum
{
  KEY_STRING,
  KEY_LANGUAGE,
  KEY_ABSOLUTE_PATH,
  KEY_READABLE_FILE,
  KEY_PIN_HASH,
  KEY_UINT,
  KEY_EVEN_UINT,
  KEY_HTTP_URL,
  KEY_STUN_URL,
  KEY_TURN_URL,
  KEY_CAMERA,
  KEY_MICROPHONE,
  KEY_VIDEO_CODEC,
  KEY_PRINTER_NAME,
  KEY_BOOLEAN,
  KEY_HTTPS_URL,
  KEY_SECRET,
  KEY_CHOICE,
} KeyKind;

typedef struct
{
  const char *group;
  const char *key;
  KeyKind     kind;
  guint       min;       /* KEY_UINT and KEY_EVEN_UINT only */
  guint       max;
  gsize       offset;    /* of the field in RelaisConfig */
  const char * const *choices;   /* KEY_CHOICE only: the values allowed */
} KeySpec;

static const char * const scanner_modes[] = { "grey", "colour", NULL };
static const char * const scanner_sources[] = { "flatbed", "feeder", NULL };

#define FIELD(name) G_STRUCT_OFFSET (RelaisConfig, name)

/* The whole schema: a key missing here is an error in the file. Keep
 * packaging/kiosk.conf.example in step. */
static const KeySpec key_specs[] = {
  { "kiosk",     "site-name",         KEY_STRING,        0,    0,    FIELD (site_name) },
  { "kiosk",     "language",          KEY_LANGUAGE,      0,    0,    FIELD (language) },
  { "kiosk",     "store-path",        KEY_ABSOLUTE_PATH, 0,    0,    FIELD (store_path) },
  { "agent",     "pin-hash",          KEY_PIN_HASH,      0,    0,    FIELD (pin_hash) },
  { "agent",     "idle-lock-seconds", KEY_UINT,          15,   3600, FIELD (idle_lock_seconds) },
  { "agent",     "max-pin-attempts",  KEY_UINT,          1,    10,   FIELD (max_pin_attempts) },
  { "agent",     "lockout-seconds",   KEY_UINT,          5,    3600, FIELD (lockout_seconds) },
  { "queue",     "retention-days",    KEY_UINT,          1,    3650, FIELD (retention_days) },
  { "directory", "file",              KEY_READABLE_FILE, 0,    0,    FIELD (directory_file) },
  { "gateway",   "janus-url",         KEY_HTTP_URL,      0,    0,    FIELD (janus_url) },
  { "gateway",   "ca-file",           KEY_READABLE_FILE, 0,    0,    FIELD (ca_file) },
  { "gateway",   "stun-server",       KEY_STUN_URL,      0,    0,    FIELD (stun_server) },
  { "gateway",   "turn-server",       KEY_TURN_URL,      0,    0,    FIELD (turn_server) },
  /* Media through the TURN servers only, never straight (a network that
   * lets nothing else out, or a policy that wants the relay). */
  { "gateway",   "force-relay",       KEY_BOOLEAN,       0,    0,    FIELD (force_relay) },
  /* How long a call waits for a lost gateway before it ends. */
  { "gateway",   "give-up-seconds",   KEY_UINT,          10,   600,  FIELD (give_up_seconds) },
  { "media",     "camera",            KEY_CAMERA,        0,    0,    FIELD (camera) },
  { "media",     "microphone",        KEY_MICROPHONE,    0,    0,    FIELD (microphone) },
  /* Even sizes: 4:2:0 pictures (I420, what VP8 and H.264 encode) have
   * half-size colour planes. */
  { "media",     "width",             KEY_EVEN_UINT,     160,  1920, FIELD (width) },
  { "media",     "height",            KEY_EVEN_UINT,     120,  1080, FIELD (height) },
  { "media",     "framerate",         KEY_UINT,          5,    30,   FIELD (framerate) },
  /* Below 100 kbit/s a 640x480 picture is a slideshow; REMB from the
   * gateway lowers the target further when the link needs it. */
  { "media",     "video-bitrate-kbps", KEY_UINT,         100,  4000, FIELD (video_bitrate_kbps) },
  { "media",     "video-codec",       KEY_VIDEO_CODEC,   0,    0,    FIELD (video_codec) },
  { "media",     "jitter-latency-ms", KEY_UINT,          10,   1000, FIELD (jitter_latency_ms) },
  { "printer",   "name",              KEY_PRINTER_NAME,  0,    0,    FIELD (printer_name) },
  { "printer",   "copies",            KEY_UINT,          1,    5,    FIELD (printer_copies) },
  { "printer",   "duplex",            KEY_BOOLEAN,       0,    0,    FIELD (printer_duplex) },
  /* A kiosk printer is small and shared: a long document goes by post. */
  { "printer",   "max-pages",         KEY_UINT,          1,    200,  FIELD (printer_max_pages) },
  /* [figures]: the optional upload of the anonymous session records. */
  { "figures",   "upload-url",        KEY_HTTPS_URL,     0,    0,    FIELD (upload_url) },
  { "figures",   "upload-token",      KEY_SECRET,        0,    0,    FIELD (upload_token) },
  /* [scanner] */
  { "scanner",   "device",            KEY_STRING,        0,    0,    FIELD (scanner_device) },
  { "scanner",   "resolution-dpi",    KEY_UINT,          75,   600,  FIELD (scanner_resolution) },
  { "scanner",   "mode",              KEY_CHOICE,        0,    0,    FIELD (scanner_mode), scanner_modes },
  { "scanner",   "source",            KEY_CHOICE,        0,    0,    FIELD (scanner_source), scanner_sources },
  /* The presence work: the lobby rooms' pin (common/PROTOCOL.md). */
  { "gateway",   "lobby-pin",         KEY_STRING,        0,    0,    FIELD (lobby_pin) },
  /* Plain http:// to a gateway that is not this machine, for the test
   * suite's network namespaces only: never in a deployment. */
  { "gateway",   "test-only-plain-http", KEY_BOOLEAN,    0,    0,    FIELD (test_only_plain_http) },
  /* The directory's rooms are shared by every kiosk of a service: two
   * people's calls would mix. For the test suite only. */
  { "gateway",   "test-only-shared-room", KEY_BOOLEAN,   0,    0,    FIELD (test_only_shared_room) },
};

static const char * const known_groups[] = {
  "kiosk", "agent", "queue", "directory", "gateway", "media",
  "printer", "figures", "scanner",
};

static gboolean
is_known_group (const char *group)
{
  for (gsize i = 0; i < G_N_ELEMENTS (known_groups); i++)
    if (g_str_equal (group, known_groups[i]))
      return TRUE;
  return FALSE;
}

static const KeySpec *
find_key_spec (const char *group,
               const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (key_specs); i++)
    if (g_str_equal (group, key_specs[i].group) && g_str_equal (key, key_specs[i].key))
      return &key_specs[i];
  return NULL;
}

/* Returns the value as it can be shown in an error: valid UTF-8, one
 * line, and not longer than MAX_QUOTED_CHARS. */
static char *
quote_value (const char *value)
{
  return relais_error_printable (value, MAX_QUOTED_CHARS);
}

/* The first escape of @value (which it takes) that GKeyFile does not
 * know, as text ("\\q", or "\\" at the end), or NULL. GLib 2.74's
 * g_key_file_get_string() keeps an unknown escape as it is, but sets its
 * error once per bad escape, the second over the first (a warning and a
 * leak): we say it ourselves before asking GKeyFile for the string. */
static char *
find_bad_escape (char *value)
{
  g_autofree char *owned = value;

  for (const char *p = owned; p != NULL && *p != '\0'; p++)
    {
      if (*p != '\\')
        continue;
      p++;
      if (*p == '\0')
        return g_strdup ("\\");
      if (strchr ("sntr\\", *p) == NULL)
        return g_strndup (p - 1, g_utf8_next_char (p) - (p - 1));
    }

  return NULL;
}

static void add_key_error (GString    *errors,
                           const char *source,
                           const char *group,
                           const char *key,
                           const char *format,
                           ...) G_GNUC_PRINTF (5, 6);

static void
add_key_error (GString    *errors,
               const char *source,
               const char *group,
               const char *key,
               const char *format,
               ...)
{
  va_list args;

  if (key != NULL)
    relais_error_append_line (errors, "%s: [%s] %s : ", source, group, key);
  else
    relais_error_append_line (errors, "%s: [%s] : ", source, group);
  va_start (args, format);
  g_string_append_vprintf (errors, format, args);
  va_end (args);
}

static void add_line_error (GString    *errors,
                            const char *source,
                            guint       line,
                            const char *format,
                            ...) G_GNUC_PRINTF (4, 5);

static void
add_line_error (GString    *errors,
                const char *source,
                guint       line,
                const char *format,
                ...)
{
  va_list args;

  relais_error_append_line (errors, "%s:%u: ", source, line);
  va_start (args, format);
  g_string_append_vprintf (errors, format, args);
  va_end (args);
}

/* GKeyFile says what is wrong with a line but not which line it is, and
 * it silently keeps the last of two identical keys. This pass, which
 * follows GKeyFile's own rules for lines, gives IT staff a line number
 * and catches a key set twice. Returns FALSE if it found a problem. */
static gboolean
check_lines (const char *data,
             const char *source,
             GString    *errors)
{
  g_auto(GStrv) lines = g_strsplit (data, "\n", -1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *group = NULL;
  gboolean in_broken_group = FALSE;
  gboolean ok = TRUE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint line_number = i + 1;
      const char *line = lines[i];
      g_autofree char *stripped = NULL;
      const char *equal;

      if (!g_utf8_validate (line, -1, NULL))
        {
          add_line_error (errors, source, line_number,
                          _("ligne invalide : texte UTF-8 attendu"));
          ok = FALSE;
          continue;
        }

      stripped = g_strstrip (g_strdup (line));
      if (*stripped == '\0' || *stripped == '#')
        continue;

      if (*stripped == '[')
        {
          gsize len = strlen (stripped);

          if (len < 3 || stripped[len - 1] != ']')
            {
              g_autofree char *quoted = quote_value (stripped);

              add_line_error (errors, source, line_number,
                              _("en-tête de groupe invalide : « [groupe] » attendu, « %s » trouvé"),
                              quoted);
              ok = FALSE;
              /* Its keys belong to the broken header: say nothing more
               * about them. */
              in_broken_group = TRUE;
              continue;
            }
          g_free (group);
          group = g_strndup (stripped + 1, len - 2);
          in_broken_group = FALSE;
          continue;
        }

      equal = strchr (stripped, '=');
      if (equal == NULL || equal == stripped)
        {
          g_autofree char *quoted = quote_value (stripped);

          add_line_error (errors, source, line_number,
                          _("ligne invalide : « clé=valeur », « [groupe] » ou « # commentaire » attendu, « %s » trouvé"),
                          quoted);
          ok = FALSE;
          continue;
        }

      if (in_broken_group)
        continue;

      if (group == NULL)
        {
          add_line_error (errors, source, line_number,
                          _("clé hors de tout groupe : le fichier doit commencer par un groupe, par exemple « [kiosk] »"));
          ok = FALSE;
          continue;
        }

      {
        g_autofree char *key = g_strstrip (g_strndup (stripped, equal - stripped));
        char *id = g_strdup_printf ("%s\n%s", group, key);
        guint previous = GPOINTER_TO_UINT (g_hash_table_lookup (seen, id));

        if (previous != 0)
          {
            add_line_error (errors, source, line_number,
                            _("[%s] %s : clé déjà définie ligne %u"),
                            group, key, previous);
            ok = FALSE;
            g_free (id);
          }
        else
          {
            g_hash_table_insert (seen, id, GUINT_TO_POINTER (line_number));
          }
      }
    }

  return ok;
}

static gboolean
is_readable_file (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) && access (path, R_OK) == 0;
}

/* "stun://host:port" or, with credentials, "turn://user:password@host:port"
 * (webrtcbin's stun-server and turn-server). The port may be left out. */
static gboolean
is_ice_server_url (const char *value,
                   const char *scheme,
                   gboolean    credentials)
{
  const char *query;
  g_autoptr(GUri) uri = NULL;
  const char *host;
  const char *user;
  const char *password;

  uri = g_uri_parse (value, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_NON_DNS, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), scheme) != 0)
    return FALSE;

  host = g_uri_get_host (uri);
  user = g_uri_get_user (uri);
  password = g_uri_get_password (uri);
  if (host == NULL || *host == '\0')
    return FALSE;
  /* Nothing after the port (webrtcbin would take it for the host) but,
   * for TURN, the transport of the kiosk's leg: "?transport=tcp" where
   * only TCP passes (TURN over TLS is not an option: libnice 0.1.21's
   * "turns" is the pseudo-TLS of old Google relays, not TLS). */
  query = g_uri_get_query (uri);
  if ((*g_uri_get_path (uri) != '\0' && !g_str_equal (g_uri_get_path (uri), "/")) ||
      g_uri_get_fragment (uri) != NULL)
    return FALSE;
  if (query != NULL &&
      (!credentials || (!g_str_equal (query, "transport=tcp") && !g_str_equal (query, "transport=udp"))))
    return FALSE;
  if (credentials)
    return user != NULL && *user != '\0' && password != NULL && *password != '\0';
  return user == NULL && password == NULL;
}

/* One TURN server or several, separated by ';' (tried together: ICE
 * keeps what works). */
static gboolean
is_turn_server_list (const char *value)
{
  g_auto(GStrv) servers = g_strsplit (value, ";", -1);

  if (servers[0] == NULL)
    return FALSE;
  for (guint i = 0; servers[i] != NULL; i++)
    if (!is_ice_server_url (servers[i], "turn", TRUE) && !is_ice_server_url (servers[i], "turns", TRUE))
      return FALSE;
  return TRUE;
}

/* "auto", "test" or a PulseAudio/PipeWire source name: those are made of
 * ASCII letters, digits and ._-:@ — never spaces, which is how a device's
 * description (what a settings panel shows) gives itself away. */
static gboolean
is_source_name (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-:@+", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* A CUPS queue name (lpadmin -p): printable ASCII without space, "/",
 * "#", "\\" or quotes, at most 127 characters. */
static gboolean
is_printer_name (const char *value)
{
  if (strlen (value) > 127)
    return FALSE;
  for (const char *p = value; *p != '\0'; p++)
    if (*p <= ' ' || *p >= 127 || strchr ("/#\\'\"", *p) != NULL)
      return FALSE;
  return TRUE;
}

/* Whether @url names this machine: 127.0.0.0/8, ::1 or "localhost". The
 * host is read as written (percent-escapes are not decoded: "%31…" is no
 * loopback), as libcurl will connect to it. */
static gboolean
is_loopback_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GInetAddress) address = NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (host == NULL || strchr (host, '%') != NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Stores @value (taken) in a string field: the end of every check of a
 * string that passed. */
static gboolean
take_string (char **field,
             char  *value)
{
  g_free (*field);
  *field = value;
  return TRUE;
}

/* Checks one value against its spec and stores it. Returns FALSE (with a
 * line added to @errors) when the value is not acceptable. */
static gboolean
parse_value (RelaisConfig  *self,
             const KeySpec *spec,
             const char    *raw,
             const char    *base_dir,
             GString       *errors)
{
  g_autofree char *value = g_strstrip (g_strdup (raw));
  g_autofree char *quoted = quote_value (value);
  gpointer field = G_STRUCT_MEMBER_P (self, spec->offset);
  char **string_field = field;

  if (*value == '\0')
    {
      add_key_error (errors, self->source, spec->group, spec->key,
                     _("valeur vide : commentez la ligne pour garder la valeur par défaut"));
      return FALSE;
    }

  switch (spec->kind)
    {
    case KEY_STRING:
      return take_string (string_field, g_steal_pointer (&value));

    case KEY_LANGUAGE:
      if (!g_str_equal (value, "fr") && !g_str_equal (value, "en"))
        {
          add_key_error (errors, self->source, spec->group, spec->key,
                         _("« fr » ou « en » attendu, « %s » trouvé"), quoted);
          return FALSE;
        }
      return take_string (string_field, g_steal_pointer (&value));

    case KEY_ABSOLUTE_PATH:
      if (!g_path_is_absolute (value))
        {
          add_key_error (errors, self->source, spec->group, spec->key,
                         _("chemin absolu attendu, « %s » trouvé"), quoted);
          return FALSE;
        }
      return take_string (string_field, g_canonicalize_filename (value, NULL));

    case KEY_READABLE_FILE:
      {
        g_autofree char *path = g_canonicalize_filename (value, base_dir);

        if (!is_readable_file (path))
          {
            g_autofree char *quoted_path = quote_value (path);

            add_key_error (errors, self->source, spec->group, spec->key,
                           _("fichier lisible attendu, « %s » introuvable ou illisible"),
                           quoted_path);
            return FALSE;
          }
        return take_string (string_field, g_steal_pointer (&path));
      }

    case KEY_PIN_HASH:
      {
        /* libsodium reads the hash as a char[crypto_pwhash_STRBYTES];
         * hand it one. */
        char buffer[crypto_pwhash_STRBYTES] = { 0 };
        gsize len = strlen (value);

        if (g_str_has_prefix (value, "$argon2id$") && len < sizeof buffer)
          memcpy (buffer, value, len);

        if (buffer[0] == '\0' ||
            crypto_pwhash_str_needs_rehash (buffer,
                                            crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                            crypto_pwhash_MEMLIMIT_INTERACTIVE) == -1)
          {
            /* The value is not repeated: someone may have typed the PIN
             * itself here, and this message reaches logs and screens. */
            add_key_error (errors, self->source, spec->group, spec->key,
                           _("hachage Argon2id attendu (« $argon2id$… », produit par « relais-kiosk --hash-pin »), "
                             "autre chose trouvé (non recopié ici : ce pourrait être le code PIN lui-même)"));
            return FALSE;
          }
        return take_string (string_field, g_steal_pointer (&value));
      }

    case KEY_UINT:
      {
        guint64 number = 0;

        if (!g_ascii_string_to_unsigned (value, 10, spec->min, spec->max, &number, NULL))
          {
            add_key_error (errors, self->source, spec->group, spec->key,
                           _("nombre entier entre %u et %u attendu, « %s » trouvé"),
                           spec->min, spec->max, quoted);
            return FALSE;
          }
        *(guint *) field = (guint) number;
        return TRUE;
      }

    case KEY_EVEN_UINT:
      {
        guint64 number = 0;

        if (!g_ascii_string_to_unsigned (value, 10, spec->min, spec->max, &number, NULL) ||
            number % 2 != 0)
          {
            add_key_error (errors, self->source, spec->group, spec->key,
                           _("nombre entier pair entre %u et %u attendu, « %s » trouvé"),
                           spec->min, spec->max, quoted);
            return FALSE;
          }
        *(guint *) field = (guint) number;
        return TRUE;
      }

    case KEY_STUN_URL:
      if (!is_ice_server_url (value, "stun", FALSE))
        {
          add_key_error (errors, self->source, spec->group, spec->key,
                         _("adresse stun://hôte:port attendue, « %s » trouvé"), quoted);
          return FALSE;
        }
      return take_string (string_field, g_steal_pointer (&value));

    case KEY_TURN_URL:
      if (!is_turn_server_list (value))
        {
          /* Not repeated: it holds the TURN password, and this message
           * reaches logs and screens. */
          add_key_error (errors, self->source, spec->group, spec->key,
                         _("adresse turn://utilisateur:mot-de-passe@hôte:port (ou turns://…) attendue, "
                           "autre chose trouvé (non recopié ici : elle peut contenir un mot de passe)"));
          return FALSE;
        }
      return take_string (string_field, g_steal_pointer (&value));

    case KEY_CAMERA:
      if (!g_str_equal (value, "auto") && !g_str_equal (value, "test") &&
          (!g_path_is_absolute (value) || !g_str_has_prefix (value, "/dev/")))
        {
          add_key_error (errors, self->source, spec->group, spec->key,
                         _("« auto », « test » ou le chemin d'une caméra (par exemple /dev/video0) attendu, « %s » trouvé"),
                         quoted);
          return FALSE;
        }
      return take_string (string_field, g_steal_pointer (&value));

    case KEY_MICROPHONE:
      if (!is_source_name (value))
        {
          add_key_error (errors, self->source, spec->group, spec->key,
                         _("« auto », « test » ou le nom d'une source PulseAudio/PipeWire "
                           "(colonne 2 de « pactl list short sources ») attendu, « %s » trouvé"),
                         quoted);
          return FALSE;
        }
      return take_string (string_field, g_steal_pointer (&value));

    case KEY_VIDEO_CODEC:
      if (!g_str_equal (value, "vp8") && !g_str_equal (value, "h264"))
        {
          add_key_error (errors, self->source, spec->group, spec->key,
                         _("« vp8 » ou « h264 » attendu, « %s » trouvé"), quoted);
          return FALSE;
        }
      return take_string (string_field, g_steal_pointer (&value));

    case KEY_PRINTER_NAME:
      if (!is_printer_name (value))
        {
          add_key_error (errors, self->source, spec->group, spec->key,
                         _("nom d'une file d'impression CUPS (colonne 2 de « lpstat -p ») attendu, « %s » trouvé"),
                         quoted);
          return FALSE;
        }
      return take_string (string_field, g_steal_pointer (&value));

    case KEY_BOOLEAN:
      if (g_str_equal (value, "true") || g_str_equal (value, "false"))
        {
          *(gboolean *) field = g_str_equal (value, "true");
          return TRUE;
        }
      add_key_error (errors, self->source, spec->group, spec->key,
                     _("« true » ou « false » attendu, « %s » trouvé"), quoted);
      return FALSE;

    case KEY_HTTP_URL:
      {
        g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
        const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
        const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

        if (scheme == NULL ||
            (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
            host == NULL || *host == '\0')
          {
            add_key_error (errors, self->source, spec->group, spec->key,
                           _("adresse http:// ou https:// attendue, « %s » trouvé"), quoted);
            return FALSE;
          }
        return take_string (string_field, g_steal_pointer (&value));
      }

    case KEY_HTTPS_URL:
      {
        g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
        const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
        const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

        /* The records are anonymous, but the token travels with them. */
        if (scheme == NULL || g_ascii_strcasecmp (scheme, "https") != 0 ||
            host == NULL || *host == '\0' || g_uri_get_userinfo (uri) != NULL)
          {
            add_key_error (errors, self->source, spec->group, spec->key,
                           _("adresse https:// attendue (sans identifiant dans l'adresse : utilisez upload-token), « %s » trouvé"),
                           uri != NULL && g_uri_get_userinfo (uri) != NULL ? "https://…@…" : quoted);
            return FALSE;
          }
        return take_string (string_field, g_steal_pointer (&value));
      }

    case KEY_SECRET:
      if (strpbrk (value, "\r\n") != NULL || !g_utf8_validate (value, -1, NULL))
        {
          /* Never repeated: it is a secret. */
          add_key_error (errors, self->source, spec->group, spec->key,
                         _("jeton sur une seule ligne attendu (non recopié ici)"));
          return FALSE;
        }
      return take_string (string_field, g_steal_pointer (&value));

    case KEY_CHOICE:
      if (!g_strv_contains (spec->choices, value))
        {
          g_autofree char *allowed = g_strjoinv (" | ", (char **) spec->choices);

          add_key_error (errors, self->source, spec->group, spec->key,
                         _("une de ces valeurs attendue : %s ; « %s » trouvé"), allowed, quoted);
          return FALSE;
        }
      return take_string (string_field, g_steal_pointer (&value));

    default:
      g_assert_not_reached ();
    }
}

static char *
default_directory_file (void)
{
  g_autofree char *installed = g_build_filename (PKGDATADIR, DIRECTORY_SAMPLE, NULL);

  if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&installed);
  return g_build_filename (SOURCE_DATADIR, DIRECTORY_SAMPLE, NULL);
}

static void
relais_config_finalize (GObject *object)
{
  RelaisConfig *self = (RelaisConfig *) object;

  g_free (self->source);
  g_free (self->site_name);
  g_free (self->language);
  g_free (self->store_path);
  g_free (self->pin_hash);
  g_free (self->directory_file);
  g_free (self->janus_url);
  g_free (self->ca_file);
  g_free (self->stun_server);
  g_free (self->turn_server);
  g_free (self->camera);
  g_free (self->microphone);
  g_free (self->video_codec);
  g_free (self->printer_name);
  g_free (self->upload_url);
  if (self->upload_token != NULL)
    memset (self->upload_token, 0, strlen (self->upload_token));
  g_free (self->upload_token);
  g_free (self->scanner_device);
  g_free (self->scanner_mode);
  g_free (self->scanner_source);
  g_free (self->lobby_pin);

  G_OBJECT_CLASS (relais_config_parent_class)->finalize (object);
}

static void
relais_config_class_init (RelaisConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = relais_config_finalize;
}

static void
relais_config_init (RelaisConfig *self)
{
  self->language = g_strdup ("fr");
  self->store_path = g_build_filename (g_get_user_data_dir (), "relais", "relais.db", NULL);
  self->idle_lock_seconds = 120;
  self->give_up_seconds = 60;
  self->max_pin_attempts = 3;
  self->lockout_seconds = 60;
  self->retention_days = 90;
  self->directory_file = default_directory_file ();
  self->printer_copies = 1;
  self->printer_max_pages = 20;
  self->scanner_device = g_strdup ("auto");
  self->scanner_resolution = 150;
  self->scanner_mode = g_strdup ("grey");
  self->scanner_source = g_strdup ("flatbed");
}

char *
relais_config_find_file (const char *explicit_path)
{
  g_autofree char *user_file = NULL;

  if (explicit_path != NULL)
    return g_strdup (explicit_path);

  user_file = g_build_filename (g_get_user_config_dir (), "relais", "kiosk.conf", NULL);
  if (g_file_test (user_file, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&user_file);

  if (g_file_test (RELAIS_CONFIG_SYSTEM_FILE, G_FILE_TEST_EXISTS))
    return g_strdup (RELAIS_CONFIG_SYSTEM_FILE);

  return NULL;
}

RelaisConfig *
relais_config_new_default (void)
{
  return g_object_new (RELAIS_TYPE_CONFIG, NULL);
}

RelaisConfig *
relais_config_new_from_file (const char  *path,
                             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *absolute = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &data, NULL, &local_error))
    {
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG,
                   _("%s: impossible de lire le fichier de configuration : %s"),
                   path, local_error->message);
      return NULL;
    }

  /* Relative paths inside the file are resolved against its directory,
   * so the name must be absolute. */
  absolute = g_canonicalize_filename (path, NULL);

  return relais_config_new_from_data (data, absolute, error);
}

RelaisConfig *
relais_config_new_from_data (const char  *data,
                             const char  *source_name,
                             GError     **error)
{
  g_autoptr(RelaisConfig) self = NULL;
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) errors = NULL;
  g_auto(GStrv) groups = NULL;
  g_autofree char *base_dir = NULL;
  gboolean pin_hash_ok = TRUE;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Notepad saves UTF-8 with a byte order mark; it is not part of the
   * first line (GKeyFile would read "\xEF\xBB\xBF[kiosk]" as a key). Only
   * one: a second would be text. */
  if (g_str_has_prefix (data, "\xEF\xBB\xBF"))
    data += 3;

  self = g_object_new (RELAIS_TYPE_CONFIG, NULL);
  self->source = g_strdup (source_name != NULL ? source_name : "<config>");
  errors = g_string_new (NULL);

  if (source_name != NULL && g_path_is_absolute (source_name))
    base_dir = g_path_get_dirname (source_name);
  else
    base_dir = g_get_current_dir ();

  if (!check_lines (data, self->source, errors))
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG, errors->str);
      return NULL;
    }

  key_file = g_key_file_new ();
  /* KEEP_TRANSLATIONS: otherwise "site-name[de]" would vanish without a
   * word instead of being reported as an unknown key. */
  if (!g_key_file_load_from_data (key_file, data, (gsize) -1, G_KEY_FILE_KEEP_TRANSLATIONS, &local_error))
    {
      /* check_lines() should have caught it; keep GKeyFile's word for
       * whatever it did not. */
      g_set_error (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG,
                   _("%s: erreur de syntaxe : %s"), self->source, local_error->message);
      return NULL;
    }

  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_auto(GStrv) keys = NULL;

      if (!is_known_group (groups[i]))
        {
          g_autofree char *quoted = quote_value (groups[i]);
          g_autoptr(GString) expected = g_string_new (NULL);

          /* Built from the table so that a new group cannot be forgotten
           * in the message. */
          for (guint g = 0; g < G_N_ELEMENTS (known_groups); g++)
            g_string_append_printf (expected, "%s[%s]", g > 0 ? ", " : "", known_groups[g]);
          relais_error_append_line (errors, _("%s: [%s] : groupe inconnu (attendu : %s)"),
                                    self->source, quoted, expected->str);
          continue;
        }

      keys = g_key_file_get_keys (key_file, groups[i], NULL, NULL);
      for (guint j = 0; keys != NULL && keys[j] != NULL; j++)
        {
          const KeySpec *spec = find_key_spec (groups[i], keys[j]);
          g_autofree char *raw = NULL;
          g_autofree char *bad_escape = NULL;

          if (spec == NULL)
            {
              g_autofree char *quoted = quote_value (keys[j]);

              relais_error_append_line (errors, _("%s: [%s] %s : clé inconnue dans ce groupe"),
                                        self->source, groups[i], quoted);
              continue;
            }

          bad_escape = find_bad_escape (g_key_file_get_value (key_file, groups[i], keys[j], NULL));
          if (bad_escape != NULL)
            {
              g_autofree char *quoted = quote_value (bad_escape);

              add_key_error (errors, self->source, spec->group, spec->key,
                             _("séquence « %s » invalide (seules \\s, \\n, \\t, \\r et \\\\ sont permises)"),
                             quoted);
              if (spec->kind == KEY_PIN_HASH)
                pin_hash_ok = FALSE;
              continue;
            }

          /* get_string rather than get_value: it undoes GKeyFile's
           * escapes (\s, \\), as IT staff would expect for a path. */
          raw = g_key_file_get_string (key_file, groups[i], keys[j], &local_error);
          if (raw == NULL)
            {
              add_key_error (errors, self->source, spec->group, spec->key,
                             _("valeur illisible : %s"), local_error->message);
              g_clear_error (&local_error);
              if (spec->kind == KEY_PIN_HASH)
                pin_hash_ok = FALSE;
              continue;
            }

          if (!parse_value (self, spec, raw, base_dir, errors) && spec->kind == KEY_PIN_HASH)
            pin_hash_ok = FALSE;
        }
    }

  /* The lobby pin, the rooms' pins and secrets travel in every request to
   * the gateway: in clear only to this machine itself. */
  if (self->janus_url != NULL && g_ascii_strncasecmp (self->janus_url, "http:", 5) == 0 &&
      !is_loopback_url (self->janus_url) && !self->test_only_plain_http)
    {
      g_autofree char *quoted = quote_value (self->janus_url);

      add_key_error (errors, self->source, "gateway", "janus-url",
                     _("adresse https:// attendue : en http:// les codes des salles de visio passeraient en clair sur le réseau (http:// n'est admis que vers la borne elle-même : 127.0.0.1, ::1 ou localhost), « %s » trouvé"),
                     quoted);
    }

  /* Without the lobby, a call would take place in the directory's room of
   * its service, where every kiosk of that service goes: two people's
   * calls would mix. With it, each call has a private room of its own. */
  if (self->janus_url != NULL && self->lobby_pin == NULL && !self->test_only_shared_room)
    add_key_error (errors, self->source, "gateway", "lobby-pin",
                   _("obligatoire quand [gateway] janus-url est défini : chaque appel a alors sa propre salle privée (sans lui, les bornes d'un même service se retrouveraient dans la même salle d'appel) ; mettez le code des salles d'attente que les conseillers tapent dans leur console, absent"));

  /* Relay only, with no relay: no call could ever connect. */
  if (self->force_relay && self->turn_server == NULL)
    add_key_error (errors, self->source, "gateway", "force-relay",
                   _("demande de passer par un serveur TURN, mais [gateway] turn-server est absent : ajoutez-le, ou mettez force-relay=false"));

  if (self->janus_url != NULL && self->pin_hash == NULL && pin_hash_ok)
    add_key_error (errors, self->source, "agent", "pin-hash",
                   _("obligatoire quand [gateway] janus-url est défini (créez-le avec « relais-kiosk --hash-pin »), absent"));

  if (errors->len > 0)
    {
      g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_CONFIG, errors->str);
      return NULL;
    }

  g_debug ("Configuration read from %s (%s)", self->source,
           self->janus_url != NULL ? "gateway" : "demo");

  return g_steal_pointer (&self);
}

const char *
relais_config_get_source (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->source;
}

gboolean
relais_config_is_demo (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), TRUE);

  return self->janus_url == NULL;
}

const char *
relais_config_get_site_name (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  if (self->site_name != NULL)
    return self->site_name;
  /* Translated on each call: the language may be chosen after the
   * configuration is read. */
  if (relais_config_is_demo (self))
    return _("Point d'accueil Relais (démonstration)");
  return _("Point d'accueil Relais");
}

const char *
relais_config_get_language (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->language;
}

const char *
relais_config_get_store_path (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->store_path;
}

const char *
relais_config_get_pin_hash (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  if (self->pin_hash != NULL)
    return self->pin_hash;
  /* Outside demo mode a missing hash fails parsing, so this is the demo. */
  return DEMO_PIN_HASH;
}

const char *
relais_config_get_demo_pin (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  if (relais_config_is_demo (self) && self->pin_hash == NULL)
    return DEMO_PIN;
  return NULL;
}

guint
relais_config_get_idle_lock_seconds (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 0);

  return self->idle_lock_seconds;
}

guint
relais_config_get_max_pin_attempts (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 0);

  return self->max_pin_attempts;
}

guint
relais_config_get_lockout_seconds (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 0);

  return self->lockout_seconds;
}

guint
relais_config_get_retention_days (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 0);

  return self->retention_days;
}

const char *
relais_config_get_directory_file (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->directory_file;
}

const char *
relais_config_get_janus_url (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->janus_url;
}

const char *
relais_config_get_ca_file (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->ca_file;
}

const char *
relais_config_get_stun_server (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->stun_server;
}

guint
relais_config_get_give_up_seconds (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 60);

  return self->give_up_seconds;
}

gboolean
relais_config_get_force_relay (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), FALSE);

  return self->force_relay;
}

const char *
relais_config_get_turn_server (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->turn_server;
}

const char *
relais_config_get_camera (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->camera != NULL ? self->camera : "auto";
}

const char *
relais_config_get_microphone (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->microphone != NULL ? self->microphone : "auto";
}

guint
relais_config_get_video_width (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 0);

  return self->width;
}

guint
relais_config_get_video_height (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 0);

  return self->height;
}

guint
relais_config_get_video_framerate (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 0);

  return self->framerate;
}

guint
relais_config_get_video_bitrate_kbps (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 0);

  return self->video_bitrate_kbps;
}

const char *
relais_config_get_video_codec (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->video_codec != NULL ? self->video_codec : "vp8";
}

guint
relais_config_get_jitter_latency_ms (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 0);

  return self->jitter_latency_ms;
}

/* [figures] */

const char *
relais_config_get_upload_url (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->upload_url;
}

const char *
relais_config_get_upload_token (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->upload_token;
}

const char *
relais_config_get_printer_name (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->printer_name;
}

guint
relais_config_get_printer_copies (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 1);

  return self->printer_copies;
}

gboolean
relais_config_get_printer_duplex (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), FALSE);

  return self->printer_duplex;
}

guint
relais_config_get_printer_max_pages (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 20);

  return self->printer_max_pages;
}

/* [scanner] */

const char *
relais_config_get_scanner_device (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->scanner_device;
}

guint
relais_config_get_scanner_resolution (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), 150);

  return self->scanner_resolution;
}

gboolean
relais_config_get_scanner_colour (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), FALSE);

  return g_str_equal (self->scanner_mode, "colour");
}

gboolean
relais_config_get_scanner_feeder (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), FALSE);

  return g_str_equal (self->scanner_source, "feeder");
}

/* The presence work */

const char *
relais_config_get_lobby_pin (RelaisConfig *self)
{
  g_return_val_if_fail (RELAIS_IS_CONFIG (self), NULL);

  return self->janus_url != NULL ? self->lobby_pin : NULL;
}
