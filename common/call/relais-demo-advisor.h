/* relais-demo-advisor.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-call.h"

G_BEGIN_DECLS

#define RELAIS_TYPE_DEMO_ADVISOR (relais_demo_advisor_get_type ())
G_DECLARE_FINAL_TYPE (RelaisDemoAdvisor, relais_demo_advisor, RELAIS, DEMO_ADVISOR, GObject)

/* The advisor of the embedded demo: a second webrtcbin in this process with
 * a test pattern, a quiet tone and a chat bot. It talks to the kiosk's
 * RelaisCall through the public API only, over loopback, so the demo works
 * on a machine without network. "message-received" (text) is emitted for
 * each chat message it gets, on the main context. The picture's size can
 * be set with the "width", "height" and "framerate" properties before
 * connecting. */
RelaisDemoAdvisor *relais_demo_advisor_new                 (void);

/* Adds a "sendrecv" peer to @call and negotiates with it (the call offers).
 * The advisor follows the call: it stops when the call ends or fails. */
gboolean           relais_demo_advisor_connect             (RelaisDemoAdvisor  *self,
                                                            RelaisCall         *call,
                                                            GError            **error);
/* Stops the advisor's media and forgets the call. Idempotent. */
void               relais_demo_advisor_disconnect          (RelaisDemoAdvisor  *self);

/* Video frames the advisor decoded from the kiosk (tests, diagnostics). */
guint64            relais_demo_advisor_get_frames_received (RelaisDemoAdvisor  *self);

G_END_DECLS
