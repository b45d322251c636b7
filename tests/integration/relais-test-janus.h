/* relais-test-janus.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The Janus gateway of the integration tests: Debian's /usr/bin/janus
 * started with the templates of tests/integration/janus/ in a temporary
 * directory (VideoRoom and HTTP transport only), on an address of the
 * network namespace relais-netns-run made. Test code: failures assert.
 */
#pragma once

#include <glib.h>

#include "relais-http-client.h"

G_BEGIN_DECLS

#define RELAIS_TEST_JANUS_BINARY "/usr/bin/janus"
#define RELAIS_TEST_JANUS_PORT   8088

typedef struct _RelaisTestJanus RelaisTestJanus;

/* NULL when the gateway can run here, else why not (a sentence that says
 * how to get it): a test that cannot run fails, it never skips. */
const char      *relais_test_janus_missing      (void);
/* The address of the network namespace (RELAIS_TEST_ADDR) when both it
 * and the gateway are there; else NULL after g_test_fail_printf() saying
 * what is missing (the fixture then returns and the test does nothing:
 * it has failed, it never skips). */
const char      *relais_test_janus_addr_or_fail (void);

/* Lays out a configuration directory for a gateway listening on @addr
 * (HTTP API on RELAIS_TEST_JANUS_PORT) with @session_timeout_s. Needs
 * RELAIS_INTEGRATION_DIR (set by tests/integration/meson.build). */
RelaisTestJanus *relais_test_janus_new          (const char       *addr,
                                                 guint             session_timeout_s);
/* The same with the HTTP API on @port (443 where only TCP to 443 passes). */
RelaisTestJanus *relais_test_janus_new_on_port  (const char       *addr,
                                                 guint             port,
                                                 guint             session_timeout_s);
/* Starts the gateway (it dies with the test) and iterates the
 * thread-default main context until GET /janus/info answers through
 * @client; returns how long that took, in ms. */
double           relais_test_janus_start        (RelaisTestJanus  *self,
                                                 RelaisHttpClient *client);
/* SIGKILL, then reaps it. Does nothing when it is not running. */
void             relais_test_janus_kill         (RelaisTestJanus  *self);
gboolean         relais_test_janus_is_running   (RelaisTestJanus  *self);
/* http://ADDR:8088/janus */
const char      *relais_test_janus_get_base_url (RelaisTestJanus  *self);
const char      *relais_test_janus_get_dir      (RelaisTestJanus  *self);
/* Kills the gateway; removes its directory unless the test failed (then
 * says where its log is). */
void             relais_test_janus_free         (RelaisTestJanus  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaisTestJanus, relais_test_janus_free)

G_END_DECLS
