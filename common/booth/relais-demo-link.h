/* relais-demo-link.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "relais-advisor-link.h"
#include "relais-demo-advisor.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_DEMO_LINK (relais_demo_link_get_type ())
G_DECLARE_FINAL_TYPE (RelaisDemoLink, relais_demo_link, RELAIS, DEMO_LINK, GObject)

/* The advisor of the embedded demo (RelaisDemoAdvisor, in-process, over
 * loopback): always there, no server to reach. The advisor is made during
 * the pre-call check and connected on "Commencer l'appel". */
RelaisAdvisorLink *relais_demo_link_new        (void);

/* What a gateway does, for the tests: the link is lost, then comes back
 * ("reconnected": the owner gives a fresh call). */
void               relais_demo_link_reconnect  (RelaisDemoLink *self);
/* The demo advisor of the current call (NULL before the check), for the
 * tests: what the advisor receives. */
RelaisDemoAdvisor *relais_demo_link_get_advisor (RelaisDemoLink *self);
/* The demo advisor hangs up ("remote-left"). */
void               relais_demo_link_leave      (RelaisDemoLink *self);

G_END_DECLS
