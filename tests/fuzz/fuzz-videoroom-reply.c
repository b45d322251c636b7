/* fuzz-videoroom-reply.c — libFuzzer target for the gateway's answers to
 * our requests.
 *
 * An answer to "create"/"attach", to a plugin "message" (a VideoRoom
 * join, configure, subscribe, listparticipants, kick…) or to a trickle,
 * whether it comes back on the POST or later as the transaction's event,
 * is completed by _relais_janus_request_complete_with(): Janus errors and
 * plugin errors become our French sentences (never the gateway's words:
 * issue 12, item 14), success hands the plugin data and JSEP on. The data
 * then goes through the VideoRoom parsers (joined, publishers, gone).
 *
 * Input: the first byte chooses the request the answer is for, the rest
 * is the answer's JSON, read as RelaisHttpClient reads every reply.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "relais-error.h"
#include "relais-http-client.h"
#include "relais-janus-private.h"
#include "relais-json-guard.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_JSON_DEPTH 32

static const Op ops[] = { OP_MESSAGE, OP_ATTACH, OP_CREATE, OP_TRICKLE };

typedef struct
{
  gboolean  done;
  Op        op;
} Outcome;

static void
request_data_free (gpointer data)
{
  Request *req = data;

  g_clear_pointer (&req->body, json_node_unref);
  g_clear_pointer (&req->early_event, json_node_unref);
  g_free (req);
}

/* Every sentence a reply can end with (relais-janus-request.c,
 * relais-janus-videoroom.c): the person reads one of these, never the
 * gateway's words. */
static const char * const sentences[] = {
  "Cet identifiant est déjà utilisé dans la salle de visio.",
  "Déjà présent dans la salle de visio.",
  "Il faut d'abord entrer dans la salle de visio.",
  "L'accès à la salle de visio a été refusé (code d'accès incorrect).",
  "L'image et le son ne sont pas diffusés dans la salle de visio.",
  "L'image et le son sont déjà diffusés dans la salle de visio.",
  "La personne demandée ne diffuse plus dans la salle de visio.",
  "La salle de visio est complète.",
  "La salle de visio existe déjà sur le serveur.",
  "La salle de visio n'existe pas sur le serveur.",
  "La session avec le serveur de visio a expiré.",
  "Le serveur de visio a refusé l'accès (secret ou jeton incorrect).",
  "Le serveur de visio a refusé la demande.",
  "Le serveur de visio a refusé la description de la communication (SDP).",
  "Le serveur de visio ne reconnaît plus cette communication.",
  "Le service de visio demandé n'est pas disponible sur le serveur.",
  "Réponse inattendue du serveur de visio.",
};

static void
check_message (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (sentences); i++)
    if (g_strcmp0 (text, sentences[i]) == 0)
      return;
  g_error ("Not one of our sentences: %s", text);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Outcome *outcome = user_data;
  g_autoptr(GError) error = NULL;
  gpointer value;

  outcome->done = TRUE;
  value = g_task_propagate_pointer (G_TASK (result), &error);
  if (value == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->domain == RELAIS_ERROR);
      check_message (error->message);
      return;
    }

  switch (outcome->op)
    {
    case OP_MESSAGE:
      {
        MessageResult *res = value;
        g_autoptr(GPtrArray) publishers = NULL;
        guint64 private_id;
        guint64 id;

        g_assert (res->data != NULL && JSON_NODE_HOLDS_OBJECT (res->data));
        id = _relais_janus_videoroom_parse_joined (json_node_get_object (res->data), &private_id);
        g_assert (id <= G_MAXINT64 && private_id <= G_MAXINT64);
        g_assert (id != 0 || private_id == 0);
        publishers = relais_janus_videoroom_parse_publishers (res->data);
        for (guint i = 0; i < publishers->len; i++)
          g_assert (((RelaisJanusPublisher *) g_ptr_array_index (publishers, i))->id > 0);
        relais_janus_videoroom_parse_gone (res->data);
        _relais_janus_message_result_free (res);
      }
      break;

    case OP_CREATE:
    case OP_ATTACH:
      g_assert (*(gint64 *) value > 0);
      g_free (value);
      break;

    default:
      g_assert (value == GINT_TO_POINTER (TRUE));
      break;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static RelaisHttpClient *client;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(RelaisJanus) janus = NULL;
  g_autoptr(GTask) task = NULL;
  Outcome outcome = { FALSE, 0 };
  Request *req;
  JsonNode *root;

  if (size < 1)
    return 0;
  outcome.op = ops[data[0] % G_N_ELEMENTS (ops)];
  data++;
  size--;

  if (client == NULL)
    client = relais_http_client_new ();

  if (!relais_json_guard_check ((const char *) data, size, 0, MAX_JSON_DEPTH, NULL))
    return 0;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, size > 0 ? (const char *) data : "", (gssize) size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;

  janus = relais_janus_new (client, "http://127.0.0.1:9/janus", NULL);
  req = g_new0 (Request, 1);
  req->op = outcome.op;
  req->acked = TRUE;
  task = g_task_new (janus, NULL, done_cb, &outcome);
  g_task_set_task_data (task, req, request_data_free);

  _relais_janus_request_complete_with (task, json_node_get_object (root));
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);

  g_clear_object (&task);
  g_clear_object (&janus);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}
