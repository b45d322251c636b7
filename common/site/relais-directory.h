/* relais-directory.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  RELAIS_CHANNEL_VISIO     = 1 << 0,
  RELAIS_CHANNEL_PHONE     = 1 << 1,
  RELAIS_CHANNEL_MAIL      = 1 << 2,
  RELAIS_CHANNEL_IN_PERSON = 1 << 3,
} RelaisChannels;

typedef struct
{
  guint8  weekday;    /* 1 = Monday … 7 = Sunday (GDateTime's numbering) */
  guint16 start_min;  /* minutes since midnight, local time */
  guint16 end_min;    /* > start_min */
} RelaisOpeningSlot;

typedef struct
{
  char *phone;        /* all may be NULL */
  char *email;
  char *address;
  char *web;
} RelaisContact;

typedef struct _RelaisService RelaisService;

typedef struct
{
  char           *id;
  char           *name;
  char           *description;   /* may be NULL */
  RelaisChannels  channels;      /* never 0 */
  RelaisContact   contact;       /* at least one field set when not visio */
  gint64          room;          /* gateway room, 0: the service's lobby */
  GArray         *hours;         /* of RelaisOpeningSlot; NULL: the service's */
  RelaisService  *service;       /* back pointer, not owned */
} RelaisSubservice;

struct _RelaisService
{
  char          *id;
  char          *name;
  char          *description;    /* may be NULL */
  char           letter;         /* 'A'..'Z', unique in the directory */
  gint64         lobby_room;     /* gateway lobby room, 0: none */
  RelaisContact  contact;
  GArray        *hours;          /* of RelaisOpeningSlot, may be empty */
  GPtrArray     *subservices;    /* of RelaisSubservice, never empty */
};

#define RELAIS_TYPE_DIRECTORY (relais_directory_get_type ())
G_DECLARE_FINAL_TYPE (RelaisDirectory, relais_directory, RELAIS, DIRECTORY, GObject)

/* Loads and validates a directory (JSON, see data/directory.sample.json).
 * Every problem is reported with RELAIS_ERROR_DIRECTORY and the JSON path
 * of the offending member ("services[2].subservices[0].channels"), one
 * line per problem. */
RelaisDirectory        *relais_directory_new_from_file (const char  *path,
                                                        GError     **error);
RelaisDirectory        *relais_directory_new_from_data (const char  *data,
                                                        gssize       length,
                                                        const char  *source_name,
                                                        GError     **error);

/* TRUE when the file says it is sample data ("sample": true). */
gboolean                relais_directory_is_sample     (RelaisDirectory *self);
guint                   relais_directory_get_n_services (RelaisDirectory *self);
const RelaisService    *relais_directory_get_service   (RelaisDirectory *self,
                                                        guint            index);
const RelaisService    *relais_directory_find_service  (RelaisDirectory *self,
                                                        const char      *service_id);
const RelaisSubservice *relais_directory_find_subservice (RelaisDirectory *self,
                                                          const char      *service_id,
                                                          const char      *subservice_id);

/* Whether the sub-service (its hours, else its service's) is open at @when.
 * No hours at all means always open. */
gboolean                relais_subservice_is_open_at   (const RelaisSubservice *subservice,
                                                        GDateTime              *when);
/* "Lundi : 9h00–12h00, 13h30–16h30\nMardi : …" in the current language. */
char                   *relais_opening_hours_format    (GArray                 *hours);

G_END_DECLS
