#include "idp/handlers/handlers.h"

/*
 * One table for every endpoint: name (for logs and metrics), path,
 * methods, handler, body limit, flags. Keep it sorted by path.
 */
/*
 * Citizen forms: a POST body of at most this size. Two passwords of up to
 * 4 KiB each (1024 characters) plus names and address, percent-encoded.
 */
#define FORM_MAX (32 * 1024)
/*
 * A SAML HTTP-POST AuthnRequest: the base64 request (at most
 * SAML_REQUEST_B64_MAX) and a RelayState, percent-encoded.
 */
#define SAML_FORM_MAX (3 * 64 * 1024 + 1024)
/*
 * An eID response: the base64 SAMLResponse (at most EID_RESPONSE_B64_MAX;
 * '+', '/' and '=' percent-encoded take three bytes each) and a CSRF
 * token.
 */
#define EID_FORM_MAX (3 * 192 * 1024 + 1024)
#define FORM (HTTP_ROUTE_FORM | HTTP_ROUTE_CSRF | HTTP_ROUTE_DB)
#define GET_DB HTTP_ROUTE_DB
#define GET HTTP_METHOD_GET
#define POST HTTP_METHOD_POST

static const struct http_route routes[] = {
	{ "home", "/", GET, handle_home, 0, 0 },
	{ "account", "/account", GET, handle_account, 0, GET_DB },
	{ "account_delete_form", "/account/delete", GET, handle_delete_form,
	  0, GET_DB },
	{ "account_delete", "/account/delete", POST, handle_delete, FORM_MAX,
	  FORM },
	{ "account_eid", "/account/eid", GET, handle_account_eid, 0, GET_DB },
	{ "account_eid_link", "/account/eid/link", POST,
	  handle_account_eid_link, FORM_MAX, FORM },
	{ "account_eid_unlink", "/account/eid/unlink", POST,
	  handle_account_eid_unlink, FORM_MAX, FORM },
	{ "account_email_form", "/account/email", GET, handle_email_form, 0,
	  GET_DB },
	{ "account_email", "/account/email", POST, handle_email_change,
	  FORM_MAX, FORM },
	{ "account_email_confirm", "/account/email/confirm", GET,
	  handle_email_confirm, 0, GET_DB },
	{ "account_export", "/account/export", GET, handle_export, 0,
	  GET_DB },
	{ "account_password_form", "/account/password", GET,
	  handle_password_form, 0, GET_DB },
	{ "account_password", "/account/password", POST,
	  handle_password_change, FORM_MAX, FORM },
	{ "account_profile_form", "/account/profile", GET,
	  handle_profile_form, 0, GET_DB },
	{ "account_profile", "/account/profile", POST, handle_profile,
	  FORM_MAX, FORM },
	{ "account_session_end", "/account/sessions/end", POST,
	  handle_sessions_end, FORM_MAX, FORM },
	{ "account_sessions_end_others", "/account/sessions/end-others", POST,
	  handle_sessions_end_others, FORM_MAX, FORM },
	/*
	 * The eID service's response (docs/eid.md, "The relay"): posted
	 * cross-site to /eid/acs, which only relays it, unparsed, to
	 * /eid/acs/finish, a same-site form with our CSRF token, where
	 * eid_acs() checks it.
	 */
	{ "eid_acs", "/eid/acs", POST, handle_eid_acs, EID_FORM_MAX,
	  HTTP_ROUTE_FORM | HTTP_ROUTE_DB },
	{ "eid_acs_finish", "/eid/acs/finish", POST, handle_eid_acs_finish,
	  EID_FORM_MAX, FORM },
	{ "eid_metadata", "/eid/metadata", GET, handle_eid_metadata, 0,
	  GET_DB },
	/* eID step-up for a portal's pending request (docs/eid.md). */
	{ "eid_step_up", "/eid/step-up", POST, handle_eid_step_up, FORM_MAX,
	  FORM },
	{ "eid_step_up_cancel", "/eid/step-up/cancel", POST,
	  handle_eid_step_up_cancel, FORM_MAX, FORM },
	{ "healthz", "/healthz", HTTP_METHOD_GET, handle_healthz, 0, 0 },
	{ "login_form", "/login", GET, handle_login_form, 0, GET_DB },
	{ "login", "/login", POST, handle_login, FORM_MAX, FORM },
	{ "login_eid", "/login/eid", POST, handle_login_eid, FORM_MAX, FORM },
	{ "logout", "/logout", POST, handle_logout, FORM_MAX, FORM },
	{ "metrics", "/metrics", HTTP_METHOD_GET, handle_metrics, 0, 0 },
	{ "forgot_form", "/password/forgot", GET, handle_forgot_form, 0, 0 },
	{ "forgot", "/password/forgot", POST, handle_forgot, FORM_MAX, FORM },
	{ "reset_form", "/password/reset", GET, handle_reset_form, 0, 0 },
	{ "reset", "/password/reset", POST, handle_reset, FORM_MAX, FORM },
	{ "privacy", "/privacy", GET, handle_privacy, 0, 0 },
	{ "readyz", "/readyz", HTTP_METHOD_GET, handle_readyz, 0, 0 },
	{ "register_form", "/register", GET, handle_register_form, 0,
	  GET_DB },
	{ "register", "/register", POST, handle_register, FORM_MAX, FORM },
	{ "register_eid_form", "/register/eid", GET, handle_register_eid_form,
	  0, GET_DB },
	{ "register_eid", "/register/eid", POST, handle_register_eid,
	  FORM_MAX, FORM },
	{ "saml_continue", "/saml/continue", GET, handle_saml_continue, 0,
	  GET_DB },
	{ "saml_metadata", "/saml/metadata", GET, handle_saml_metadata, 0,
	  GET_DB },
	/*
	 * The AuthnRequest comes from the SP's site: HTTP-Redirect as a GET,
	 * HTTP-POST as a form without our CSRF token (the SP cannot have
	 * one); the request's own checks (issuer, signature, replay) stand
	 * in for it.
	 */
	/*
	 * Single logout messages come from the portal's site like the
	 * AuthnRequest: signed (always), checked for issuer, Destination
	 * and replay instead of a CSRF token.
	 */
	{ "saml_slo", "/saml/slo", GET | POST, handle_saml_slo, SAML_FORM_MAX,
	  HTTP_ROUTE_FORM | HTTP_ROUTE_DB },
	{ "saml_slo_status", "/saml/slo/status", GET, handle_saml_slo_status,
	  0, GET_DB },
	{ "saml_sso", "/saml/sso", GET | POST, handle_saml_sso, SAML_FORM_MAX,
	  HTTP_ROUTE_FORM | HTTP_ROUTE_DB },
	{ "saml_sso_init", "/saml/sso/init", GET, handle_saml_sso_init, 0,
	  GET_DB },
	{ "autosubmit_js", "/static/autosubmit.js", GET, handle_autosubmit_js,
	  0, HTTP_ROUTE_CACHEABLE },
	{ "stylesheet", "/static/style.css", GET, handle_stylesheet, 0,
	  HTTP_ROUTE_CACHEABLE },
	{ "verify", "/verify", GET, handle_verify, 0, GET_DB },
	{ "verify_resend", "/verify/resend", POST, handle_verify_resend,
	  FORM_MAX, FORM },
};

const struct http_route *
handlers_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}
