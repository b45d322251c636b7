/* test-transfer-janus.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Documents through the real gateway (Debian's /usr/bin/janus, started by
 * relais-test-janus.c) inside the network namespace of relais-netns-run:
 * a 3-page PDF scanned from the SANE test backend and made by
 * RelaisDocument goes from one `relais-kiosk --test-call --send-file` to
 * another `--test-call --receive-dir`, SHA-256 equal on both sides; then a
 * 4 MB file for the throughput through Janus.
 */
#define G_LOG_DOMAIN "test-transfer-janus"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "relais-document.h"
#include "relais-http-client.h"
#include "relais-scanner.h"
#include "relais-session-dir.h"
#include "relais-test-child.h"
#include "relais-test-janus.h"
#include "../relais-test-utils.h"
#include "../relais-test-document.h"

#define SESSION_TIMEOUT_S 30
#define SANE_TEST_BACKEND "/usr/lib/x86_64-linux-gnu/sane/libsane-test.so.1"

typedef struct
{
  GMainContext     *context;
  RelaisTestJanus  *gateway;
  RelaisHttpClient *client;
  const char       *kiosk;
  const char       *addr;
  char             *dir;          /* a temporary directory for this test */
} Fixture;

/* ---- children ----------------------------------------------------------- */

static RelaisTestChild *
spawn_kiosk (Fixture    *f,
             const char *name,
             guint64     room,
             guint       duration_s,
             const char *option,
             const char *value)
{
  g_autofree char *room_text = g_strdup_printf ("%" G_GUINT64_FORMAT, room);
  g_autofree char *duration = g_strdup_printf ("%u", duration_s);
  const char *argv[] = {
    f->kiosk, "--test-call",
    "--janus", relais_test_janus_get_base_url (f->gateway),
    "--room", room_text, "--create-room",
    "--duration", duration,
    "--display", name,
    "--ice-address", f->addr,
    option, value,
    NULL
  };

  return relais_test_child_spawn (name, argv);
}

/* The report (last JSON line of stdout), after its stderr as comments. */
static JsonObject *
child_report (RelaisTestChild *child)
{
  g_auto(GStrv) lines = g_strsplit (child->out != NULL ? child->out : "", "\n", -1);

  relais_test_child_log (child, 30);
  for (guint i = g_strv_length (lines); i > 0; i--)
    if (lines[i - 1][0] == '{')
      {
        g_autoptr(JsonNode) node = json_from_string (lines[i - 1], NULL);

        g_test_message ("%s report: %s", child->name, lines[i - 1]);
        if (g_getenv ("RELAIS_TEST_DUMP") != NULL)
          {
            g_autofree char *dump = g_strdup_printf ("%s/%s.out", g_getenv ("RELAIS_TEST_DUMP"), child->name);

            g_file_set_contents (dump, child->out, -1, NULL);
          }
        if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
          return json_object_ref (json_node_get_object (node));
      }
  g_error ("%s printed no report", child->name);
  return NULL;
}

/* ---- the document ------------------------------------------------------- */

/* Three pages from the SANE test backend's feeder, as the kiosk makes a
 * dossier: RelaisScanner → RelaisDocument. */
static GBytes *
scan_dossier (Fixture *f)
{
  RelaisScannerOptions options;
  g_autoptr(RelaisScanner) scanner = NULL;
  g_autoptr(RelaisDocument) document = relais_document_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dll = g_build_filename (f->dir, "dll.conf", NULL);
  g_autofree char *test = g_build_filename (f->dir, "test.conf", NULL);
  GBytes *pdf;

  g_file_set_contents (dll, "test\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (test, "geometry_max 300.0\nnumber_of_devices 1\n", -1, &error);
  g_assert_no_error (error);
  g_setenv ("SANE_CONFIG_DIR", f->dir, TRUE);

  relais_scanner_options_init (&options);
  options.device = g_strdup ("test:0");
  options.resolution_dpi = 150;
  scanner = relais_scanner_new (&options);
  relais_scanner_options_clear (&options);
  relais_scanner_set_backend_option (scanner, "test-picture", "Color pattern");

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GPtrArray) pages = NULL;

      relais_scanner_scan_async (scanner, NULL, relais_test_scanned_cb, &pages);
      while (pages == NULL)
        g_main_context_iteration (f->context, TRUE);
      relais_document_add_page (document, g_ptr_array_index (pages, 0));
    }

  pdf = NULL;
  relais_document_write_pdf_async (document, NULL, relais_test_written_cb, &pdf);
  while (pdf == NULL)
    g_main_context_iteration (f->context, TRUE);
  g_unlink (dll);
  g_unlink (test);
  return pdf;
}

static char *
write_temp (Fixture    *f,
            const char *name,
            GBytes     *contents)
{
  char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (contents, NULL), (gssize) g_bytes_get_size (contents), &error);
  g_assert_no_error (error);
  return path;
}

/* Sends @contents as @name from one test call to another; checks both
 * reports and the file; returns the sender's send_ms. */
static gint64
send_through_janus (Fixture    *f,
                    GBytes     *contents,
                    const char *name,
                    guint       duration_s)
{
  g_autofree char *path = write_temp (f, name, contents);
  g_autofree char *inbox = g_build_filename (f->dir, "inbox", NULL);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, contents);
  g_autofree char *received_path = g_build_filename (inbox, name, NULL);
  g_autofree char *received = NULL;
  gsize received_length = 0;
  g_autoptr(RelaisTestChild) sender = NULL;
  g_autoptr(RelaisTestChild) receiver = NULL;
  g_autoptr(JsonObject) sent_report = NULL;
  g_autoptr(JsonObject) received_report = NULL;
  JsonArray *list;
  JsonObject *entry;
  guint64 room = 100000 + g_random_int_range (0, 800000);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (inbox, 0700), ==, 0);
  receiver = spawn_kiosk (f, "receiver", room, duration_s, "--receive-dir", inbox);
  sender = spawn_kiosk (f, "sender", room, duration_s, "--send-file", path);
  relais_test_child_wait (f->context, sender, (duration_s + 20) * 1000);
  relais_test_child_wait (f->context, receiver, (duration_s + 20) * 1000);

  sent_report = child_report (sender);
  received_report = child_report (receiver);
  g_assert_cmpint (sender->status, ==, 0);
  g_assert_cmpint (receiver->status, ==, 0);

  g_assert_true (json_object_get_boolean_member (sent_report, "acknowledged"));
  g_assert_cmpstr (json_object_get_string_member (sent_report, "sent_sha256"), ==, sha);
  g_assert_false (json_object_has_member (sent_report, "received"));

  list = json_object_get_array_member (received_report, "received");
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  entry = json_array_get_object_element (list, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, name);
  g_assert_cmpint (json_object_get_int_member (entry, "size"), ==, (gint64) g_bytes_get_size (contents));
  g_assert_cmpstr (json_object_get_string_member (entry, "sha256"), ==, sha);
  g_assert_false (json_object_has_member (received_report, "acknowledged"));

  /* The very bytes, in the receive directory, and nothing else there. */
  g_file_get_contents (received_path, &received, &received_length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (received, received_length, g_bytes_get_data (contents, NULL), g_bytes_get_size (contents));
  {
    g_autoptr(GDir) dir = g_dir_open (inbox, 0, NULL);
    guint n = 0;

    while (g_dir_read_name (dir) != NULL)
      n++;
    g_assert_cmpuint (n, ==, 1);
  }

  g_assert_true (relais_session_dir_wipe (inbox, NULL));
  g_rmdir (inbox);
  g_unlink (path);
  return json_object_get_int_member (sent_report, "send_ms");
}

/* ---- fixture ------------------------------------------------------------ */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->context = relais_test_context_push ();
  f->client = relais_http_client_new ();

  /* Never a skip: a test that cannot run has failed. */
  f->addr = relais_test_janus_addr_or_fail ();
  if (f->addr == NULL)
    return;
  if (!g_file_test (SANE_TEST_BACKEND, G_FILE_TEST_EXISTS))
    {
      g_test_fail_printf ("The SANE test backend is missing: install the Debian package libsane1");
      return;
    }
  f->kiosk = g_getenv ("RELAIS_KIOSK");
  if (f->kiosk == NULL || !g_file_test (f->kiosk, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("relais-kiosk not found (RELAIS_KIOSK, set by tests/integration/meson.build)");
      return;
    }
  f->dir = g_dir_make_tmp ("relais-transfer-janus-XXXXXX", &error);
  g_assert_no_error (error);

  f->gateway = relais_test_janus_new (f->addr, SESSION_TIMEOUT_S);
  g_test_message ("Janus ready in %.0f ms", relais_test_janus_start (f->gateway, f->client));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->gateway != NULL)
    relais_test_janus_kill (f->gateway);
  relais_test_finalize_iterating (f->context, g_steal_pointer (&f->client));
  g_clear_pointer (&f->gateway, relais_test_janus_free);
  if (f->dir != NULL)
    {
      relais_session_dir_wipe (f->dir, NULL);
      g_rmdir (f->dir);
      g_free (f->dir);
    }
  relais_test_context_pop (f->context);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_scanned_dossier (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) pdf = NULL;
  gint64 send_ms;

  if (f->gateway == NULL)
    return;

  pdf = scan_dossier (f);
  g_assert_cmpmem (g_bytes_get_data (pdf, NULL), 5, "%PDF-", 5);
  send_ms = send_through_janus (f, pdf, "dossier.pdf", 15);
  g_test_message ("MEASURE 3-page scanned PDF (%" G_GSIZE_FORMAT " bytes) through Janus: %" G_GINT64_FORMAT
                  " ms from acceptance to acknowledgement",
                  g_bytes_get_size (pdf), send_ms);
}

static void
test_throughput (Fixture       *f,
                 gconstpointer  data)
{
  gsize size = 4 * 1024 * 1024;
  guint8 *bytes;
  g_autoptr(GBytes) contents = NULL;
  gint64 send_ms;

  if (f->gateway == NULL)
    return;

  bytes = g_malloc (size);
  memcpy (bytes, "\xff\xd8\xff\xe0", 4);
  for (gsize i = 4; i < size; i++)
    bytes[i] = (guint8) g_random_int ();
  contents = g_bytes_new_take (bytes, size);

  send_ms = send_through_janus (f, contents, "photo.jpg", 20);
  g_assert_cmpint (send_ms, >, 0);
  g_test_message ("MEASURE throughput through Janus, kiosk to kiosk: %.0f KB/s (%" G_GSIZE_FORMAT
                  " bytes in %" G_GINT64_FORMAT " ms, acceptance to acknowledgement)",
                  size / 1000.0 / (send_ms / 1000.0), size, send_ms);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/transfer-janus/scanned-dossier", Fixture, NULL, fixture_setup, test_scanned_dossier, fixture_teardown);
  g_test_add ("/transfer-janus/throughput", Fixture, NULL, fixture_setup, test_throughput, fixture_teardown);

  return g_test_run ();
}
