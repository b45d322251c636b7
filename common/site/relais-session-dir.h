/* relais-session-dir.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where one person's files live while they are at the kiosk: scans, the
 * PDF made from them, documents the advisor sent. The default is
 * $XDG_RUNTIME_DIR/relais/session: a tmpfs owned by the kiosk's user
 * (mode 0700), so the files sit in memory and a power cut leaves none of
 * them on the disk. (GLib falls back to the cache dir when
 * XDG_RUNTIME_DIR is unset; the wipe at start-up covers that case.) */
char     *relais_session_dir_get_default (void);

/* Creates @path (and its parents) with mode 0700 if needed, and makes
 * sure it is a directory only its owner can enter. */
gboolean  relais_session_dir_ensure      (const char  *path,
                                          GError     **error);

/* Deletes everything inside @path (files, sub-directories, symbolic
 * links — never what they point to), keeping @path itself. Called at the
 * end of each session and at start-up, for what a crash left behind.
 * A missing @path is already wiped. */
gboolean  relais_session_dir_wipe        (const char  *path,
                                          GError     **error);

/* What the kiosk calls at start-up and whenever nobody is at the booth:
 * ensure + wipe of @path (NULL: the default). A failure is logged (it
 * names no file) and returned. */
gboolean  relais_session_dir_reset       (const char  *path);

/* Writes @contents into a new file of @dir (mode 0600) named @name, or
 * "stem (2).ext", "stem (3).ext"… when that name is taken: an existing
 * file is never replaced, a symbolic link never followed (O_EXCL). Two
 * writers of the session directory (the person's PDF, the advisor's
 * documents) may pick the same name. Returns the path written. */
char     *relais_session_dir_create_file (const char  *dir,
                                          const char  *name,
                                          GBytes      *contents,
                                          GError     **error);

/* TRUE when @path holds nothing (or does not exist). */
gboolean  relais_session_dir_is_empty    (const char  *path);

G_END_DECLS
