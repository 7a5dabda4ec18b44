/*
 * Helpers shared by the handlers of the eID flows (eid_flows.c,
 * eid_account.c, eid_login_pages.c); see docs/eid.md, "Flows".
 */
#ifndef IDP_HANDLERS_EID_FLOWS_H
#define IDP_HANDLERS_EID_FLOWS_H

#include "idp/eid/eid.h"
#include "idp/handlers/citizen.h"

/*
 * Start an eID round trip for @purpose (@si: the session, NULL for
 * LOGIN; @pending: a valid pending id or NULL) and reply: the redirect
 * to the eID service with the binding cookie, or an error page.
 */
void eid_flows_start(struct http_request *req, enum eid_purpose purpose,
		     const struct session_info *si, const char *pending);

/*
 * The "message" page with texts @title_key and @text_key, a link to
 * @href (may be NULL) labelled @link_key, and status @status.
 */
void eid_flows_message(struct http_request *req, unsigned status,
		       const char *title_key, const char *text_key,
		       const char *href, const char *link_key);

/* @pending when it has the shape of a pending id, else NULL. */
const char *eid_flows_pending(const char *pending);

/*
 * The citizen gives up on a portal's request that needs more than the
 * session has (or no eID can help): the portal gets NoAuthnContext at its
 * ACS (the POST form), or the page of the error when the request is gone.
 */
void eid_flows_give_up(struct http_request *req, const struct session_info *si,
		       const char *pending);

#endif
