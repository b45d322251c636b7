/* fuzz-call-stubs.c — what RelaisTransfer calls of RelaisCall, for the
 * fuzzers that compile the receiver without GStreamer (libFuzzer builds
 * only; the replay builds link the real library). The receiver under
 * fuzzing has no call: none of these is ever reached.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "relais-call.h"

GType
relais_call_get_type (void)
{
  return G_TYPE_OBJECT;
}

gboolean
relais_call_send_message (RelaisCall  *self,
                          const char  *text,
                          GError     **error)
{
  g_assert_not_reached ();
  return FALSE;
}

gboolean
relais_call_send_data (RelaisCall  *self,
                       GBytes      *data,
                       GError     **error)
{
  g_assert_not_reached ();
  return FALSE;
}

gsize
relais_call_get_send_queue_bytes (RelaisCall *self)
{
  g_assert_not_reached ();
  return 0;
}
