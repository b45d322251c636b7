/* fuzz-janus-event.c — libFuzzer target for the gateway's long poll.
 *
 * What the gateway answers to GET /janus/<session> is network input from a
 * server we do not control: a JSON array of messages (or one message),
 * read as RelaisHttpClient reads every reply (the nesting guard, then
 * json-glib), then dispatched one by one by RelaisJanus (events of our
 * transactions, plugin events to the "event" signal, webrtcup, media,
 * hangup, slowlink, detached, timeout, error). The plugin data of each
 * "event" then goes through the VideoRoom parsers its listeners use
 * (publishers, gone, joined). Nothing may crash, leak, warn, or hand a
 * listener something that breaks relais-janus.h's promises.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "relais-http-client.h"
#include "relais-janus-private.h"
#include "relais-json-guard.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* RelaisHttpClient's own limit on a reply's nesting. */
#define MAX_JSON_DEPTH 32

static void
check_videoroom_data (JsonNode *data)
{
  g_autoptr(GPtrArray) publishers = relais_janus_videoroom_parse_publishers (data);
  guint64 private_id;

  for (guint i = 0; i < publishers->len; i++)
    {
      RelaisJanusPublisher *publisher = g_ptr_array_index (publishers, i);

      g_assert (publisher->id > 0 && publisher->id <= G_MAXINT64);
    }
  g_assert (relais_janus_videoroom_parse_gone (data) <= G_MAXINT64);
  if (JSON_NODE_HOLDS_OBJECT (data) &&
      _relais_janus_videoroom_parse_joined (json_node_get_object (data), &private_id) == 0)
    g_assert (private_id == 0);
}

static void
event_cb (RelaisJanus *janus,
          guint64      sender,
          JsonNode    *data,
          JsonNode    *jsep,
          gpointer     user_data)
{
  g_assert (data != NULL && JSON_NODE_HOLDS_OBJECT (data));
  check_videoroom_data (data);
}

static void
text_cb (RelaisJanus *janus,
         guint64      sender,
         const char  *text)
{
  /* hangup's reason: NULL or a string json-glib made (valid UTF-8). */
  g_assert (text == NULL || g_utf8_validate (text, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static RelaisHttpClient *client;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(RelaisJanus) janus = NULL;
  JsonNode *root;

  if (client == NULL)
    client = relais_http_client_new ();

  if (!relais_json_guard_check ((const char *) data, size, 0, MAX_JSON_DEPTH, NULL))
    return 0;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, size > 0 ? (const char *) data : "", (gssize) size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL)
    return 0;

  /* A session as after "create": connected, long-polling. */
  janus = relais_janus_new (client, "http://127.0.0.1:9/janus", NULL);
  g_signal_connect (janus, "event", G_CALLBACK (event_cb), NULL);
  g_signal_connect (janus, "hangup", G_CALLBACK (text_cb), NULL);
  janus->session_id = 42;
  janus->session_cancellable = g_cancellable_new ();
  _relais_janus_set_state (janus, RELAIS_JANUS_STATE_CONNECTED);

  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      /* As long_poll_cb: stop when a message ended the session. */
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          _relais_janus_dispatch_event (janus, json_array_get_element (array, i));
          if (relais_janus_get_state (janus) != RELAIS_JANUS_STATE_CONNECTED)
            break;
        }
    }
  else
    {
      _relais_janus_dispatch_event (janus, root);
    }

  /* No "destroy" to send: the session was never real. */
  janus->session_id = 0;
  g_clear_object (&janus);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}
