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
 * XDG_RUNTIME_DIR is unset: relais_session_dir_check_memory() then says
 * no, and documents are refused.) */
char     *relais_session_dir_get_default (void);

/* TRUE when @path is on a file system kept in memory (tmpfs, ramfs), the
 * only place a person's documents may be written: a power cut, a crash
 * or a disk taken away then leaves none of them behind (issue 12, item
 * 13). Else FALSE with @error: a sentence for the person (it names no
 * file), and a warning in the log that says why and what IT can do.
 * RELAIS_TEST_DISK_SESSION_DIR=1 in the environment lets a test's
 * directory on a disk through (tests/meson.build sets it; never a
 * kiosk). */
gboolean  relais_session_dir_check_memory (const char  *path,
                                           GError     **error);
/* The decision alone, on statfs()'s f_type (tests). */
gboolean  relais_session_dir_fs_type_is_memory (unsigned long fs_type);

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
