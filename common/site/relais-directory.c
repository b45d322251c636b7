/* relais-directory.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "relais-directory"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "relais-directory.h"
#include "relais-error.h"
#include "relais-json-guard.h"

/* The only version this code reads. A future format gets a new number so
 * that an old kiosk refuses it instead of misreading it. */
#define DIRECTORY_VERSION 1

#define MAX_QUOTED_CHARS 60

/* json-glib's own messages quote the input (a whole string constant):
 * shown on screen, they are cut at this many characters. */
#define MAX_PARSER_MESSAGE_CHARS 200

/* The directory is also downloaded: bounds checked before json-glib sees
 * the text (it parses recursively; deep nesting overflows the stack). A
 * real directory is a few tens of kilobytes and 6 levels deep. */
#define MAX_DIRECTORY_SIZE  (2 * 1024 * 1024)
#define MAX_DIRECTORY_DEPTH 32

struct _RelaisDirectory
{
  GObject parent_instance;

  char      *source;
  gboolean   sample;
  GPtrArray *services;   /* of RelaisService */
};

G_DEFINE_FINAL_TYPE (RelaisDirectory, relais_directory, G_TYPE_OBJECT)

/* Everything the walk over the JSON needs: the source name for messages
 * and the list of problems found so far. */
typedef struct
{
  const char *source;
  GString    *errors;
} Checker;

static const char * const weekday_keys[] = {
  "mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

static const struct
{
  const char     *name;
  RelaisChannels  channel;
} channel_names[] = {
  { "visio",     RELAIS_CHANNEL_VISIO },
  { "phone",     RELAIS_CHANNEL_PHONE },
  { "mail",      RELAIS_CHANNEL_MAIL },
  { "in-person", RELAIS_CHANNEL_IN_PERSON },
};

static void
contact_clear (RelaisContact *contact)
{
  g_clear_pointer (&contact->phone, g_free);
  g_clear_pointer (&contact->email, g_free);
  g_clear_pointer (&contact->address, g_free);
  g_clear_pointer (&contact->web, g_free);
}

static gboolean
contact_is_empty (const RelaisContact *contact)
{
  return contact->phone == NULL && contact->email == NULL &&
         contact->address == NULL && contact->web == NULL;
}

static void
subservice_free (gpointer data)
{
  RelaisSubservice *subservice = data;

  g_free (subservice->id);
  g_free (subservice->name);
  g_free (subservice->description);
  contact_clear (&subservice->contact);
  g_clear_pointer (&subservice->hours, g_array_unref);
  g_free (subservice);
}

static void
service_free (gpointer data)
{
  RelaisService *service = data;

  g_free (service->id);
  g_free (service->name);
  g_free (service->description);
  contact_clear (&service->contact);
  g_clear_pointer (&service->hours, g_array_unref);
  g_clear_pointer (&service->subservices, g_ptr_array_unref);
  g_free (service);
}

static char *
quote_value (const char *value)
{
  return relais_error_printable (value, MAX_QUOTED_CHARS);
}

/* Every message of this file goes through here: whatever went into it, the
 * error handed out is valid UTF-8. */
static void
set_directory_error (GError     **error,
                     const char  *message)
{
  g_autofree char *valid = g_utf8_make_valid (message, -1);

  g_set_error_literal (error, RELAIS_ERROR, RELAIS_ERROR_DIRECTORY, valid);
}

static void set_directory_error_printf (GError     **error,
                                        const char  *format,
                                        ...) G_GNUC_PRINTF (2, 3);

static void
set_directory_error_printf (GError     **error,
                            const char  *format,
                            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  set_directory_error (error, message);
}

static void problem (Checker    *checker,
                     const char *path,
                     const char *format,
                     ...) G_GNUC_PRINTF (3, 4);

static void
problem (Checker    *checker,
         const char *path,
         const char *format,
         ...)
{
  va_list args;

  relais_error_append_line (checker->errors, "%s: %s : ", checker->source,
                            *path != '\0' ? path : _("(racine)"));
  va_start (args, format);
  g_string_append_vprintf (checker->errors, format, args);
  va_end (args);
}

static char *
member_path (const char *parent,
             const char *member)
{
  if (*parent == '\0')
    return g_strdup (member);
  return g_strdup_printf ("%s.%s", parent, member);
}

static const char *
node_kind (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return _("un objet");
    case JSON_NODE_ARRAY:
      return _("un tableau");
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return _("un texte");
        case G_TYPE_BOOLEAN:
          return _("un booléen");
        default:
          return _("un nombre");
        }
    }
}

/* Unknown members are errors so that a typo ("lobby-room") does not
 * silently drop a value. Members starting with "_" are for people
 * ("_about", "_note") and are skipped. */
static void
check_members (Checker            *checker,
               JsonObject         *object,
               const char         *path,
               const char * const *known)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    {
      gboolean found = FALSE;

      if (name[0] == '_')
        continue;
      for (guint i = 0; known[i] != NULL && !found; i++)
        found = g_str_equal (name, known[i]);
      if (!found)
        {
          g_autofree char *quoted = quote_value (name);
          g_autofree char *expected = g_strjoinv (", ", (char **) known);

          problem (checker, path, _("membre inconnu « %s » (attendu : %s)"), quoted, expected);
        }
    }
}

/* Returns the member, or NULL when absent or null (both mean "not
 * given"); reports it when it is required. */
static JsonNode *
get_member (Checker    *checker,
            JsonObject *object,
            const char *path,
            const char *name,
            gboolean    required)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    node = NULL;
  if (node == NULL && required)
    {
      g_autofree char *child = member_path (path, name);

      problem (checker, child, _("membre obligatoire manquant"));
    }
  return node;
}

/* A non-empty string, or NULL (reported unless merely absent). */
static char *
get_string (Checker    *checker,
            JsonObject *object,
            const char *path,
            const char *name,
            gboolean    required)
{
  JsonNode *node = get_member (checker, object, path, name, required);
  g_autofree char *child = NULL;
  g_autofree char *value = NULL;

  if (node == NULL)
    return NULL;

  child = member_path (path, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      problem (checker, child, _("texte attendu, %s trouvé"), node_kind (node));
      return NULL;
    }

  value = g_strstrip (json_node_dup_string (node));
  if (*value == '\0')
    {
      problem (checker, child, _("texte non vide attendu"));
      return NULL;
    }
  return g_steal_pointer (&value);
}

/* A positive integer, 0 when absent, -1 when wrong (and reported): the
 * checks that depend on a room then stay quiet rather than pile a second
 * message on the first. A directory with errors is never handed out. */
static gint64
get_room (Checker    *checker,
          JsonObject *object,
          const char *path,
          const char *name)
{
  JsonNode *node = get_member (checker, object, path, name, FALSE);
  g_autofree char *child = NULL;

  if (node == NULL)
    return 0;

  child = member_path (path, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      problem (checker, child, _("numéro de salle attendu (entier positif), %s trouvé"), node_kind (node));
      return -1;
    }
  if (json_node_get_int (node) <= 0)
    {
      /* Formatted first: a G_GINT64_FORMAT inside _() cannot be translated. */
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

      problem (checker, child, _("numéro de salle attendu (entier positif), %s trouvé"), number);
      return -1;
    }
  return json_node_get_int (node);
}

static JsonObject *
get_object (Checker    *checker,
            JsonObject *object,
            const char *path,
            const char *name,
            gboolean    required)
{
  JsonNode *node = get_member (checker, object, path, name, required);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *child = member_path (path, name);

      problem (checker, child, _("objet attendu, %s trouvé"), node_kind (node));
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
get_array (Checker    *checker,
           JsonObject *object,
           const char *path,
           const char *name,
           gboolean    required)
{
  JsonNode *node = get_member (checker, object, path, name, required);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *child = member_path (path, name);

      problem (checker, child, _("tableau attendu, %s trouvé"), node_kind (node));
      return NULL;
    }
  return json_node_get_array (node);
}

static gboolean
is_valid_id (const char *id)
{
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return *id != '\0';
}

static char *
get_id (Checker    *checker,
        JsonObject *object,
        const char *path)
{
  g_autofree char *id = get_string (checker, object, path, "id", TRUE);

  if (id != NULL && !is_valid_id (id))
    {
      g_autofree char *child = member_path (path, "id");
      g_autofree char *quoted = quote_value (id);

      problem (checker, child,
               _("identifiant invalide « %s » (attendu : lettres minuscules sans accent, chiffres et « - »)"),
               quoted);
      return NULL;
    }
  return g_steal_pointer (&id);
}

static void
parse_contact (Checker       *checker,
               JsonObject    *parent,
               const char    *parent_path,
               RelaisContact *contact)
{
  static const char * const known[] = { "phone", "email", "address", "web", NULL };
  g_autofree char *path = member_path (parent_path, "contact");
  JsonObject *object = get_object (checker, parent, parent_path, "contact", FALSE);

  if (object == NULL)
    return;

  check_members (checker, object, path, known);
  contact->phone = get_string (checker, object, path, "phone", FALSE);
  contact->email = get_string (checker, object, path, "email", FALSE);
  contact->address = get_string (checker, object, path, "address", FALSE);
  contact->web = get_string (checker, object, path, "web", FALSE);

  if (contact->phone != NULL && strpbrk (contact->phone, "0123456789") == NULL)
    {
      g_autofree char *child = member_path (path, "phone");

      problem (checker, child, _("numéro de téléphone attendu (au moins un chiffre)"));
    }

  if (contact->email != NULL &&
      (strchr (contact->email, '@') == NULL || strpbrk (contact->email, " \t") != NULL))
    {
      g_autofree char *child = member_path (path, "email");
      g_autofree char *quoted = quote_value (contact->email);

      problem (checker, child, _("adresse électronique attendue, « %s » trouvé"), quoted);
    }

  if (contact->web != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (contact->web, G_URI_FLAGS_NONE, NULL);

      if (uri == NULL ||
          (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 &&
           g_strcmp0 (g_uri_get_scheme (uri), "http") != 0) ||
          g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
        {
          g_autofree char *child = member_path (path, "web");
          g_autofree char *quoted = quote_value (contact->web);

          problem (checker, child, _("adresse web http:// ou https:// attendue, « %s » trouvé"), quoted);
        }
    }
}

/* "HH:MM", 00:00 to 24:00. */
static gboolean
parse_time (const char *text,
            guint16    *minutes)
{
  guint hours, mins;

  if (!g_ascii_isdigit (text[0]) || !g_ascii_isdigit (text[1]) || text[2] != ':' ||
      !g_ascii_isdigit (text[3]) || !g_ascii_isdigit (text[4]))
    return FALSE;

  hours = (guint) (text[0] - '0') * 10 + (guint) (text[1] - '0');
  mins = (guint) (text[3] - '0') * 10 + (guint) (text[4] - '0');
  if (mins > 59 || hours > 24 || (hours == 24 && mins != 0))
    return FALSE;

  *minutes = (guint16) (hours * 60 + mins);
  return TRUE;
}

static gboolean
parse_slot (const char        *text,
            guint8             weekday,
            RelaisOpeningSlot *slot)
{
  if (strlen (text) != 11 || text[5] != '-')
    return FALSE;
  if (!parse_time (text, &slot->start_min) || !parse_time (text + 6, &slot->end_min))
    return FALSE;
  slot->weekday = weekday;
  return TRUE;
}

static int
compare_slots (gconstpointer a,
               gconstpointer b)
{
  const RelaisOpeningSlot *slot_a = a;
  const RelaisOpeningSlot *slot_b = b;

  if (slot_a->weekday != slot_b->weekday)
    return slot_a->weekday < slot_b->weekday ? -1 : 1;
  if (slot_a->start_min != slot_b->start_min)
    return slot_a->start_min < slot_b->start_min ? -1 : 1;
  return 0;
}

/* Returns NULL when "hours" is absent; an array sorted by day and start
 * time otherwise (possibly partial when there were problems). */
static GArray *
parse_hours (Checker    *checker,
             JsonObject *parent,
             const char *parent_path)
{
  static const char * const known[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };
  g_autofree char *path = member_path (parent_path, "hours");
  JsonObject *object = get_object (checker, parent, parent_path, "hours", FALSE);
  g_autoptr(GArray) hours = NULL;
  gsize errors_before = checker->errors->len;

  if (object == NULL)
    return NULL;

  hours = g_array_new (FALSE, FALSE, sizeof (RelaisOpeningSlot));
  check_members (checker, object, path, known);

  for (guint day = 0; day < G_N_ELEMENTS (weekday_keys); day++)
    {
      g_autofree char *day_path = member_path (path, weekday_keys[day]);
      JsonArray *slots = get_array (checker, object, path, weekday_keys[day], FALSE);
      guint first = hours->len;

      if (slots == NULL)
        continue;

      for (guint i = 0; i < json_array_get_length (slots); i++)
        {
          JsonNode *node = json_array_get_element (slots, i);
          g_autofree char *slot_path = g_strdup_printf ("%s[%u]", day_path, i);
          RelaisOpeningSlot slot = { 0 };
          gboolean overlaps;
          const char *text;

          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
            {
              problem (checker, slot_path, _("créneau « HH:MM-HH:MM » attendu, %s trouvé"), node_kind (node));
              continue;
            }

          text = json_node_get_string (node);
          if (!parse_slot (text, (guint8) (day + 1), &slot))
            {
              g_autofree char *quoted = quote_value (text);

              problem (checker, slot_path, _("créneau « HH:MM-HH:MM » attendu, « %s » trouvé"), quoted);
              continue;
            }
          if (slot.start_min >= slot.end_min)
            {
              problem (checker, slot_path, _("le créneau « %s » finit avant de commencer"), text);
              continue;
            }

          /* A few slots a day: a linear scan is enough, and it lets the
           * message name the slot this one collides with. */
          overlaps = FALSE;
          for (guint j = first; j < hours->len && !overlaps; j++)
            {
              const RelaisOpeningSlot *other = &g_array_index (hours, RelaisOpeningSlot, j);

              if (slot.start_min < other->end_min && other->start_min < slot.end_min)
                {
                  problem (checker, slot_path,
                           _("le créneau « %s » chevauche le créneau %02u:%02u-%02u:%02u"),
                           text,
                           other->start_min / 60u, other->start_min % 60u,
                           other->end_min / 60u, other->end_min % 60u);
                  overlaps = TRUE;
                }
            }
          if (!overlaps)
            g_array_append_val (hours, slot);
        }
    }

  /* An object with no slot would read as "closed every day", which is
   * rarely meant; unknown hours are written by leaving "hours" out. */
  if (checker->errors->len == errors_before && hours->len == 0)
    problem (checker, path, _("au moins un créneau attendu (omettez « hours » si les horaires ne sont pas connus)"));

  g_array_sort (hours, compare_slots);
  return g_steal_pointer (&hours);
}

static RelaisChannels
parse_channels (Checker    *checker,
                JsonObject *parent,
                const char *parent_path)
{
  g_autofree char *path = member_path (parent_path, "channels");
  JsonArray *array = get_array (checker, parent, parent_path, "channels", TRUE);
  RelaisChannels channels = 0;

  if (array == NULL)
    return 0;

  if (json_array_get_length (array) == 0)
    {
      problem (checker, path, _("au moins un canal attendu (visio, phone, mail, in-person)"));
      return 0;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autofree char *item_path = g_strdup_printf ("%s[%u]", path, i);
      RelaisChannels channel = 0;
      const char *name;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          problem (checker, item_path, _("nom de canal attendu, %s trouvé"), node_kind (node));
          continue;
        }

      name = json_node_get_string (node);
      for (guint j = 0; j < G_N_ELEMENTS (channel_names); j++)
        if (g_str_equal (name, channel_names[j].name))
          channel = channel_names[j].channel;

      if (channel == 0)
        {
          g_autofree char *quoted = quote_value (name);

          problem (checker, item_path,
                   _("canal inconnu « %s » (attendu : visio, phone, mail, in-person)"), quoted);
        }
      else if (channels & channel)
        {
          problem (checker, item_path, _("canal « %s » en double"), name);
        }
      channels |= channel;
    }

  return channels;
}

static RelaisSubservice *
parse_subservice (Checker       *checker,
                  JsonNode      *node,
                  const char    *path,
                  RelaisService *service)
{
  static const char * const known[] = {
    "id", "name", "description", "channels", "room", "contact", "hours", NULL
  };
  RelaisSubservice *subservice;
  JsonObject *object;
  const RelaisContact *own, *inherited;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problem (checker, path, _("objet attendu, %s trouvé"), node_kind (node));
      return NULL;
    }
  object = json_node_get_object (node);

  subservice = g_new0 (RelaisSubservice, 1);
  subservice->service = service;

  check_members (checker, object, path, known);
  subservice->id = get_id (checker, object, path);
  subservice->name = get_string (checker, object, path, "name", TRUE);
  subservice->description = get_string (checker, object, path, "description", FALSE);
  subservice->channels = parse_channels (checker, object, path);
  subservice->room = get_room (checker, object, path, "room");
  parse_contact (checker, object, path, &subservice->contact);
  subservice->hours = parse_hours (checker, object, path);

  /* The agent must always have something to tell the person: a room to
   * call, or the details to reach the service another way. */
  own = &subservice->contact;
  inherited = &service->contact;

  if ((subservice->channels & RELAIS_CHANNEL_VISIO) &&
      subservice->room == 0 && service->lobby_room == 0)
    {
      g_autofree char *channels_path = member_path (path, "channels");

      problem (checker, channels_path,
               _("le canal « visio » demande une salle (« room » du sous-service ou « lobby_room » du service)"));
    }

  if (subservice->channels != 0 && !(subservice->channels & RELAIS_CHANNEL_VISIO) &&
      contact_is_empty (own) && contact_is_empty (inherited))
    problem (checker, path,
             _("sans visio, des coordonnées sont nécessaires (« contact » du sous-service ou du service)"));

  if ((subservice->channels & RELAIS_CHANNEL_PHONE) && own->phone == NULL && inherited->phone == NULL)
    problem (checker, path,
             _("le canal « phone » demande un numéro (« contact.phone » du sous-service ou du service)"));

  if ((subservice->channels & RELAIS_CHANNEL_MAIL) &&
      own->email == NULL && own->address == NULL &&
      inherited->email == NULL && inherited->address == NULL)
    problem (checker, path,
             _("le canal « mail » demande une adresse électronique ou postale (« contact.email » ou « contact.address »)"));

  if ((subservice->channels & RELAIS_CHANNEL_IN_PERSON) && own->address == NULL && inherited->address == NULL)
    problem (checker, path,
             _("le canal « in-person » demande une adresse (« contact.address » du sous-service ou du service)"));

  return subservice;
}

static RelaisService *
parse_service (Checker    *checker,
               JsonNode   *node,
               const char *path)
{
  static const char * const known[] = {
    "id", "name", "letter", "description", "lobby_room", "contact", "hours", "subservices", NULL
  };
  g_autofree char *letter = NULL;
  g_autofree char *subservices_path = NULL;
  g_autoptr(GHashTable) ids = NULL;
  RelaisService *service;
  JsonObject *object;
  JsonArray *subservices;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problem (checker, path, _("objet attendu, %s trouvé"), node_kind (node));
      return NULL;
    }
  object = json_node_get_object (node);

  service = g_new0 (RelaisService, 1);
  service->subservices = g_ptr_array_new_with_free_func (subservice_free);

  check_members (checker, object, path, known);
  service->id = get_id (checker, object, path);
  service->name = get_string (checker, object, path, "name", TRUE);
  service->description = get_string (checker, object, path, "description", FALSE);
  service->lobby_room = get_room (checker, object, path, "lobby_room");
  parse_contact (checker, object, path, &service->contact);
  service->hours = parse_hours (checker, object, path);
  if (service->hours == NULL)
    service->hours = g_array_new (FALSE, FALSE, sizeof (RelaisOpeningSlot));

  letter = get_string (checker, object, path, "letter", TRUE);
  if (letter != NULL)
    {
      if (strlen (letter) == 1 && letter[0] >= 'A' && letter[0] <= 'Z')
        {
          service->letter = letter[0];
        }
      else
        {
          g_autofree char *letter_path = member_path (path, "letter");
          g_autofree char *quoted = quote_value (letter);

          problem (checker, letter_path, _("une lettre majuscule de A à Z attendue, « %s » trouvé"), quoted);
        }
    }

  subservices_path = member_path (path, "subservices");
  subservices = get_array (checker, object, path, "subservices", TRUE);
  if (subservices != NULL && json_array_get_length (subservices) == 0)
    problem (checker, subservices_path, _("au moins un sous-service attendu"));

  ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; subservices != NULL && i < json_array_get_length (subservices); i++)
    {
      g_autofree char *item_path = g_strdup_printf ("%s[%u]", subservices_path, i);
      RelaisSubservice *subservice;

      subservice = parse_subservice (checker, json_array_get_element (subservices, i), item_path, service);
      if (subservice == NULL)
        continue;

      if (subservice->id != NULL)
        {
          if (g_hash_table_contains (ids, subservice->id))
            {
              g_autofree char *id_path = member_path (item_path, "id");

              problem (checker, id_path, _("identifiant « %s » déjà utilisé dans ce service"),
                       subservice->id);
            }
          g_hash_table_add (ids, subservice->id);
        }
      g_ptr_array_add (service->subservices, subservice);
    }

  return service;
}

static gboolean
load_root (RelaisDirectory  *self,
           JsonNode         *root,
           GError          **error)
{
  static const char * const known[] = { "version", "sample", "services", NULL };
  g_autoptr(GString) errors = g_string_new (NULL);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  RelaisService *letters[26] = { NULL };
  Checker checker = { self->source, errors };
  JsonObject *object;
  JsonNode *node;
  JsonArray *services;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      problem (&checker, "", _("objet JSON attendu, %s trouvé"),
               root != NULL ? node_kind (root) : _("un document vide"));
      set_directory_error (error, errors->str);
      return FALSE;
    }
  object = json_node_get_object (root);
  check_members (&checker, object, "", known);

  node = get_member (&checker, object, "", "version", TRUE);
  if (node != NULL &&
      (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
       json_node_get_int (node) != DIRECTORY_VERSION))
    {
      g_autofree char *found = json_to_string (node, FALSE);
      g_autofree char *quoted = quote_value (found);

      problem (&checker, "version", _("version %d attendue, « %s » trouvé"), DIRECTORY_VERSION, quoted);
    }

  node = get_member (&checker, object, "", "sample", FALSE);
  if (node != NULL)
    {
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        self->sample = json_node_get_boolean (node);
      else
        problem (&checker, "sample", _("true ou false attendu, %s trouvé"), node_kind (node));
    }

  services = get_array (&checker, object, "", "services", TRUE);
  if (services != NULL && json_array_get_length (services) == 0)
    problem (&checker, "services", _("au moins un service attendu"));

  for (guint i = 0; services != NULL && i < json_array_get_length (services); i++)
    {
      g_autofree char *path = g_strdup_printf ("services[%u]", i);
      RelaisService *service = parse_service (&checker, json_array_get_element (services, i), path);

      if (service == NULL)
        continue;

      if (service->id != NULL)
        {
          if (g_hash_table_contains (ids, service->id))
            {
              g_autofree char *id_path = member_path (path, "id");

              problem (&checker, id_path, _("identifiant de service « %s » déjà utilisé"), service->id);
            }
          g_hash_table_add (ids, service->id);
        }

      if (service->letter != '\0')
        {
          RelaisService *other = letters[service->letter - 'A'];

          if (other != NULL)
            {
              g_autofree char *letter_path = member_path (path, "letter");

              g_autofree char *other_name = quote_value (other->name != NULL ? other->name : "?");

              problem (&checker, letter_path, _("lettre « %c » déjà prise par le service « %s »"),
                       service->letter, other_name);
            }
          else
            {
              letters[service->letter - 'A'] = service;
            }
        }

      g_ptr_array_add (self->services, service);
    }

  if (errors->len > 0)
    {
      set_directory_error (error, errors->str);
      return FALSE;
    }

  return TRUE;
}

static void
relais_directory_finalize (GObject *object)
{
  RelaisDirectory *self = (RelaisDirectory *) object;

  g_free (self->source);
  g_clear_pointer (&self->services, g_ptr_array_unref);

  G_OBJECT_CLASS (relais_directory_parent_class)->finalize (object);
}

static void
relais_directory_class_init (RelaisDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = relais_directory_finalize;
}

static void
relais_directory_init (RelaisDirectory *self)
{
  self->services = g_ptr_array_new_with_free_func (service_free);
}

RelaisDirectory *
relais_directory_new_from_file (const char  *path,
                                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_autofree char *display_name = g_filename_display_name (path);

      set_directory_error_printf (error, _("%s: impossible de lire l'annuaire des services : %s"),
                                  display_name, local_error->message);
      return NULL;
    }

  return relais_directory_new_from_data (data, (gssize) length, path, error);
}

RelaisDirectory *
relais_directory_new_from_data (const char  *data,
                                gssize       length,
                                const char  *source_name,
                                GError     **error)
{
  g_autoptr(RelaisDirectory) self = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (RELAIS_TYPE_DIRECTORY, NULL);
  /* A file name need not be UTF-8; it goes into every message. */
  self->source = g_utf8_make_valid (source_name != NULL ? source_name : "<annuaire>", -1);

  if (length < 0)
    length = (gssize) strlen (data);

  /* Before json-glib: it would crash on deep nesting and silently wrap
   * integers too large for 64 bits (a room of 99999999999999999999 would
   * read as -1, and -9223372036854775809 as a valid room). */
  if (!relais_json_guard_check (data, (gsize) length, MAX_DIRECTORY_SIZE, MAX_DIRECTORY_DEPTH,
                                &local_error) ||
      !relais_json_guard_check_integers (data, (gsize) length, &local_error))
    {
      set_directory_error_printf (error, _("%s: annuaire refusé : %s"), self->source,
                                  local_error->message);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      /* json-glib names the input "<data>:line:column: …"; put our
       * source name in its place so the position can be found. Its
       * message quotes the input, and may cut it inside a character. */
      g_autofree char *message = relais_error_printable (local_error->message, MAX_PARSER_MESSAGE_CHARS);
      const char *rest;

      if (g_str_has_prefix (message, "<data>:") &&
          (rest = strstr (message + strlen ("<data>:"), ": ")) != NULL)
        {
          g_autofree char *position = g_strndup (message + strlen ("<data>:"),
                                                 rest - message - strlen ("<data>:"));

          set_directory_error_printf (error, _("%s:%s: JSON invalide : %s"),
                                      self->source, position, rest + 2);
        }
      else
        {
          set_directory_error_printf (error, _("%s: JSON invalide : %s"), self->source, message);
        }
      return NULL;
    }

  if (!load_root (self, json_parser_get_root (parser), error))
    return NULL;

  g_debug ("Directory %s: %u services%s", self->source, self->services->len,
           self->sample ? " (sample)" : "");

  return g_steal_pointer (&self);
}

gboolean
relais_directory_is_sample (RelaisDirectory *self)
{
  g_return_val_if_fail (RELAIS_IS_DIRECTORY (self), FALSE);

  return self->sample;
}

guint
relais_directory_get_n_services (RelaisDirectory *self)
{
  g_return_val_if_fail (RELAIS_IS_DIRECTORY (self), 0);

  return self->services->len;
}

const RelaisService *
relais_directory_get_service (RelaisDirectory *self,
                              guint            index)
{
  g_return_val_if_fail (RELAIS_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (index < self->services->len, NULL);

  return g_ptr_array_index (self->services, index);
}

const RelaisService *
relais_directory_find_service (RelaisDirectory *self,
                               const char      *service_id)
{
  g_return_val_if_fail (RELAIS_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (service_id != NULL, NULL);

  for (guint i = 0; i < self->services->len; i++)
    {
      const RelaisService *service = g_ptr_array_index (self->services, i);

      if (g_str_equal (service->id, service_id))
        return service;
    }
  return NULL;
}

const RelaisSubservice *
relais_directory_find_subservice (RelaisDirectory *self,
                                  const char      *service_id,
                                  const char      *subservice_id)
{
  const RelaisService *service;

  g_return_val_if_fail (RELAIS_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (subservice_id != NULL, NULL);

  service = relais_directory_find_service (self, service_id);
  if (service == NULL)
    return NULL;

  for (guint i = 0; i < service->subservices->len; i++)
    {
      const RelaisSubservice *subservice = g_ptr_array_index (service->subservices, i);

      if (g_str_equal (subservice->id, subservice_id))
        return subservice;
    }
  return NULL;
}

gboolean
relais_subservice_is_open_at (const RelaisSubservice *subservice,
                              GDateTime              *when)
{
  g_autoptr(GDateTime) local = NULL;
  GArray *hours;
  guint weekday, minute;

  g_return_val_if_fail (subservice != NULL, FALSE);
  g_return_val_if_fail (when != NULL, FALSE);

  hours = subservice->hours;
  if (hours == NULL && subservice->service != NULL)
    hours = subservice->service->hours;
  if (hours == NULL || hours->len == 0)
    return TRUE;

  /* The hours are the kiosk's wall-clock time. */
  local = g_date_time_to_local (when);
  weekday = (guint) g_date_time_get_day_of_week (local);
  minute = (guint) (g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local));

  for (guint i = 0; i < hours->len; i++)
    {
      const RelaisOpeningSlot *slot = &g_array_index (hours, RelaisOpeningSlot, i);

      if (slot->weekday == weekday && slot->start_min <= minute && minute < slot->end_min)
        return TRUE;
    }
  return FALSE;
}

static const char *
weekday_name (guint weekday)
{
  switch (weekday)
    {
    case 1: return _("Lundi");
    case 2: return _("Mardi");
    case 3: return _("Mercredi");
    case 4: return _("Jeudi");
    case 5: return _("Vendredi");
    case 6: return _("Samedi");
    case 7: return _("Dimanche");
    default: g_return_val_if_reached ("?");
    }
}

static void
append_time (GString *out,
             guint    minutes)
{
  /* Translators: a time of day in opening hours, hours then minutes:
   * "9h00" in French, "9:00" in English. */
  g_string_append_printf (out, _("%uh%02u"), minutes / 60u, minutes % 60u);
}

char *
relais_opening_hours_format (GArray *hours)
{
  g_autoptr(GString) out = NULL;

  if (hours == NULL || hours->len == 0)
    return g_strdup (_("Horaires non communiqués"));

  out = g_string_new (NULL);
  for (guint weekday = 1; weekday <= 7; weekday++)
    {
      g_autoptr(GString) slots = g_string_new (NULL);

      for (guint i = 0; i < hours->len; i++)
        {
          const RelaisOpeningSlot *slot = &g_array_index (hours, RelaisOpeningSlot, i);

          if (slot->weekday != weekday)
            continue;
          if (slots->len > 0)
            g_string_append (slots, ", ");
          append_time (slots, slot->start_min);
          g_string_append (slots, "–");
          append_time (slots, slot->end_min);
        }

      if (out->len > 0)
        g_string_append_c (out, '\n');
      /* Translators: a weekday and its opening hours, "Lundi : 9h00–12h00";
       * English drops the space before the colon. */
      g_string_append_printf (out, _("%s : %s"), weekday_name (weekday),
                              slots->len > 0 ? slots->str : _("Fermé"));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
