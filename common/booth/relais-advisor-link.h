/* relais-advisor-link.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "relais-call.h"

#include "relais-booth-enums.h"

G_BEGIN_DECLS

/* Who the person at the booth is, for the advisor: computed once when the
 * person comes to the booth (RelaisBooth), never rebuilt from the queue.
 * Nothing here is personal: the ticket's code, the service and where the
 * call goes. */
typedef struct
{
  gint64  ticket_id;
  char   *ticket_code;    /* "C12" */
  char   *service_id;
  char   *service_name;
  char   *subservice_id;  /* may be NULL */
  gint64  room;           /* the fixed room: the sub-service's, else the service's lobby; 0: none */
  gint64  lobby_room;     /* the service's lobby room, 0: none */
  char   *site_name;
} RelaisVisit;

void         relais_visit_free (RelaisVisit *visit);
RelaisVisit *relais_visit_copy (const RelaisVisit *visit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelaisVisit, relais_visit_free)

typedef enum
{
  RELAIS_ADVISOR_LINK_IDLE,        /* not connected, or stopped */
  RELAIS_ADVISOR_LINK_CONNECTING,  /* joining the gateway */
  RELAIS_ADVISOR_LINK_WAITING,     /* in a lobby, until an advisor takes the person */
  RELAIS_ADVISOR_LINK_CONNECTED,   /* the advisor can see and hear the call */
  RELAIS_ADVISOR_LINK_LOST,        /* the gateway is out of reach: trying again */
  RELAIS_ADVISOR_LINK_FAILED,      /* see relais_advisor_link_get_failure() */
} RelaisAdvisorLinkState;

#define RELAIS_TYPE_ADVISOR_LINK (relais_advisor_link_get_type ())
G_DECLARE_INTERFACE (RelaisAdvisorLink, relais_advisor_link, RELAIS, ADVISOR_LINK, GObject)

/* One way to reach an advisor: the in-process demo advisor
 * (RelaisDemoLink), a fixed gateway room (RelaisRoomLink), or a service's
 * lobby where advisors take waiting kiosks (RelaisLobbyLink). RelaisBooth
 * picks one from the configuration and speaks only this interface.
 *
 * Properties: "state" (RelaisAdvisorLinkState) and "failure" (a sentence
 * in French: why it FAILED, or what went wrong while WAITING; NULL when
 * all is well). Signals, on the main context:
 * - "remote-left": the advisor left the call;
 * - "reconnected": the gateway came back after LOST; the call's peers
 *   died with it: the owner gives a fresh call with set_call() (NULL when
 *   none could be made);
 * - "taken" (advisor's display name): an advisor took the person out of
 *   the lobby (never logged: it is the advisor's name);
 * - "first-remote-frame" (gint64 µs from the join request to the first
 *   remote picture, -1 when unknown). */
struct _RelaisAdvisorLinkInterface
{
  GTypeInterface parent_iface;

  /* The pre-call check: whether the advisor can be reached. Finishes with
   * a sentence saying so, or an error whose message says what failed. */
  void      (*check_async)  (RelaisAdvisorLink    *self,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data);
  char     *(*check_finish) (RelaisAdvisorLink    *self,
                             GAsyncResult         *result,
                             GError              **error);
  /* Starts reaching an advisor for @visit with @call (in PREVIEW); FALSE
   * with @error when it cannot even start (no room for the service…).
   * What follows shows in "state". */
  gboolean  (*connect)      (RelaisAdvisorLink    *self,
                             RelaisCall           *call,
                             const RelaisVisit    *visit,
                             GError              **error);
  void      (*set_call)     (RelaisAdvisorLink    *self,
                             RelaisCall           *call);
  /* Leaves, in the background; back to IDLE, no signal afterwards. */
  void      (*stop)         (RelaisAdvisorLink    *self);
};

void                    relais_advisor_link_check_async  (RelaisAdvisorLink    *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
char                   *relais_advisor_link_check_finish (RelaisAdvisorLink    *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
gboolean                relais_advisor_link_connect      (RelaisAdvisorLink    *self,
                                                          RelaisCall           *call,
                                                          const RelaisVisit    *visit,
                                                          GError              **error);
void                    relais_advisor_link_set_call     (RelaisAdvisorLink    *self,
                                                          RelaisCall           *call);
void                    relais_advisor_link_stop         (RelaisAdvisorLink    *self);
RelaisAdvisorLinkState  relais_advisor_link_get_state    (RelaisAdvisorLink    *self);
/* transfer none; NULL when all is well. */
const char             *relais_advisor_link_get_failure  (RelaisAdvisorLink    *self);

G_END_DECLS
