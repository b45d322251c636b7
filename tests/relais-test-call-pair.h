/* relais-test-call-pair.h: two RelaisCalls of this process talking over
 * loopback, no gateway, no display (test code: failures assert)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "relais-call.h"

G_BEGIN_DECLS

typedef struct _RelaisTestCallPair RelaisTestCallPair;

/* One call with test sources (160x120, 10 fps), no video output, its
 * preview started. */
RelaisCall         *relais_test_call_new        (void);
/* Iterates the default main context until *@flag or @seconds pass;
 * returns *@flag. */
gboolean            relais_test_call_pair_wait  (const gboolean *flag,
                                                 guint           seconds);

/* Two calls with test sources (160x120), @a offering to @b; returns once
 * both are connected and their data channels have settled. */
RelaisTestCallPair *relais_test_call_pair_new   (void);
/* The same, @before_offer called once both calls have their peer (their
 * send chains built) and before @a offers. */
typedef void (*RelaisTestCallPairHook) (RelaisCall *a,
                                        RelaisCall *b,
                                        gpointer    user_data);
RelaisTestCallPair *relais_test_call_pair_new_full (RelaisTestCallPairHook before_offer,
                                                    gpointer               user_data);
RelaisCall         *relais_test_call_pair_get_a (RelaisTestCallPair *pair);
RelaisCall         *relais_test_call_pair_get_b (RelaisTestCallPair *pair);
/* Hangs both up and asserts both calls are finalized: drop every other
 * reference first. */
void                relais_test_call_pair_free  (RelaisTestCallPair *pair);

G_END_DECLS
