/*
 * The route table of idpd and the handlers behind it. Handlers use the
 * idp/http request and reply API only; they never see libmicrohttpd.
 */
#ifndef IDP_HANDLERS_HANDLERS_H
#define IDP_HANDLERS_HANDLERS_H

#include <stddef.h>

#include "idp/http/http.h"

/* idpd's routes; static, lives for the whole process. */
const struct http_route *handlers_routes(size_t *n);

/* health.c */
void handle_healthz(struct http_request *req);
void handle_readyz(struct http_request *req);
void handle_metrics(struct http_request *req);

/* pages.c */
void handle_home(struct http_request *req);
void handle_privacy(struct http_request *req);
void handle_stylesheet(struct http_request *req);

/* register.c */
void handle_register_form(struct http_request *req);
void handle_register(struct http_request *req);
void handle_verify(struct http_request *req);
void handle_verify_resend(struct http_request *req);

/* login.c */
void handle_login_form(struct http_request *req);
void handle_login(struct http_request *req);
void handle_logout(struct http_request *req);

/* password.c */
void handle_forgot_form(struct http_request *req);
void handle_forgot(struct http_request *req);
void handle_reset_form(struct http_request *req);
void handle_reset(struct http_request *req);

/* account.c */
void handle_account(struct http_request *req);
void handle_profile_form(struct http_request *req);
void handle_profile(struct http_request *req);
void handle_password_form(struct http_request *req);
void handle_password_change(struct http_request *req);
void handle_email_form(struct http_request *req);
void handle_email_change(struct http_request *req);
void handle_email_confirm(struct http_request *req);
void handle_delete_form(struct http_request *req);
void handle_delete(struct http_request *req);
void handle_export(struct http_request *req);
void handle_sessions_end(struct http_request *req);
void handle_sessions_end_others(struct http_request *req);

/* saml_sso.c */
void handle_saml_metadata(struct http_request *req);
void handle_saml_sso(struct http_request *req);
void handle_saml_continue(struct http_request *req);
void handle_saml_sso_init(struct http_request *req);
void handle_autosubmit_js(struct http_request *req);

/* eid.c: the eID service's side of the round trip (docs/eid.md) */
void handle_eid_metadata(struct http_request *req);
void handle_eid_acs(struct http_request *req);
void handle_eid_acs_finish(struct http_request *req);

/* saml_slo.c */
void handle_saml_slo(struct http_request *req);
void handle_saml_slo_status(struct http_request *req);
/* Send a single logout step (saml.h) as page, form or redirect page. */
/*
 * eID (idp/handlers/eid_flows.c): act on a verified eID response for its
 * purpose (link the card, log in, step up for a portal) and answer the
 * browser. Called by the /eid/acs/finish handler after eid_acs() said 0;
 * takes the identity over and clears @r.
 */
struct eid_result;
void handle_eid_result(struct http_request *req, struct eid_result *r);

/* eid_account.c: /account/eid (the card of the account, link, unlink) */
void handle_account_eid(struct http_request *req);
void handle_account_eid_link(struct http_request *req);
void handle_account_eid_unlink(struct http_request *req);

/* eid_login_pages.c: log in, register, step up with the card */
void handle_login_eid(struct http_request *req);
void handle_register_eid_form(struct http_request *req);
void handle_register_eid(struct http_request *req);
void handle_eid_step_up(struct http_request *req);
void handle_eid_step_up_cancel(struct http_request *req);

struct saml_slo_reply;
void handlers_slo_reply_send(struct http_request *req,
			     const struct saml_slo_reply *r);

#endif
