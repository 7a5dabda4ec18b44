/*
 * eID without an account session yet, and for portals: /login/eid (log
 * in with the card), /register/eid (a new account pre-filled from a card
 * no account has), /eid/step-up and /eid/step-up/cancel (a portal asks
 * for level high).
 */
#include <string.h>

#include "idp/account/account_eid.h"
#include "idp/common/worker.h"
#include "idp/handlers/eid_flows.h"
#include "idp/handlers/handlers.h"
#include "idp/saml/saml.h"

void
handle_login_eid(struct http_request *req)
{
	eid_flows_start(req, EID_PURPOSE_LOGIN, NULL,
			eid_flows_pending(http_request_form(req, "pending")));
}

/*
 * The registration form with the card's data: shown, never taken from
 * the form (the fields are disabled; the service reads the hold).
 */
static void
register_page(struct http_request *req, unsigned status,
	      const struct store_eid_hold *h, const struct account_errors *errs)
{
	static const char *const keep[] = {"email", NULL};
	struct page_vars *v = citizen_vars(NULL);

	page_vars_set_bool(v, "eid", true);
	page_vars_set_bool(v, "ro_name", true);
	page_vars_set_bool(v, "ro_birth_date", h->person.birth_date != NULL);
	page_vars_set_bool(v, "ro_address", h->person.city != NULL);
	page_vars_set(v, "given_name", h->person.given_names);
	page_vars_set(v, "family_name", h->person.family_name);
	page_vars_set(v, "birth_date", h->person.birth_date);
	page_vars_set(v, "place_of_birth", h->person.place_of_birth);
	page_vars_set(v, "street", h->person.street);
	page_vars_set(v, "postal_code", h->person.postal_code);
	page_vars_set(v, "city", h->person.city);
	page_vars_set(v, "pending", eid_flows_pending(h->pending));
	if (errs != NULL) {
		citizen_keep(req, v, keep);
		citizen_errors(req, v, errs);
	}
	http_reply_render(req, status, "register", v);
	page_vars_free(v);
}

static void
hold_gone(struct http_request *req)
{
	eid_flows_message(req, 410, "eid.hold_gone.title", "eid.hold_gone.text",
			  "/login", "nav.login");
}

void
handle_register_eid_form(struct http_request *req)
{
	struct store_eid_hold h;

	enum account_result res = account_eid_hold_peek(
		http_request_worker(req),
		http_request_cookie(req, ACCOUNT_EID_HOLD_COOKIE), &h);
	switch (res) {
	case ACCOUNT_OK:
		register_page(req, 200, &h, NULL);
		break;
	case ACCOUNT_FAILED:
		hold_gone(req);
		break;
	case ACCOUNT_INVALID:
	case ACCOUNT_THROTTLED:
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		citizen_fail(req, res);
		break;
	}
	store_eid_hold_clear(&h);
}

void
handle_register_eid(struct http_request *req)
{
	const char *handle = http_request_cookie(req, ACCOUNT_EID_HOLD_COOKIE);
	struct account_registration r;
	struct account_errors errs = {.n = 0};
	enum account_eid_outcome o = ACCOUNT_EID_GONE;
	struct account_actor who;
	struct store_eid_hold h;
	struct page_vars *v;
	const char *pending =
		eid_flows_pending(http_request_form(req, "pending"));

	memset(&r, 0, sizeof(r));
	memset(&h, 0, sizeof(h));
	r.email = http_request_form(req, "email");
	r.password = http_request_form(req, "password");
	r.password2 = http_request_form(req, "password2");
	citizen_actor(req, &who);
	enum account_result res = account_eid_register(
		http_request_worker(req), handle, &r, &who, &errs, &o);
	switch (res) {
	case ACCOUNT_OK:
		http_reply_cookie(req, ACCOUNT_EID_HOLD_COOKIE, NULL, 0, 0);
		v = citizen_vars(NULL);
		page_vars_set(v, "email", r.email);
		if (pending != NULL) {
			http_reply_cookie(req, SAML_PENDING_COOKIE, pending,
					  SAML_PENDING_TTL_S, 0);
			page_vars_set(v, "pending", pending);
		}
		http_reply_render(req, 200, "register_done", v);
		page_vars_free(v);
		break;
	case ACCOUNT_INVALID:
		if (account_eid_hold_peek(http_request_worker(req), handle,
					  &h) != ACCOUNT_OK) {
			hold_gone(req);
			break;
		}
		register_page(req, 422, &h, &errs);
		break;
	case ACCOUNT_FAILED:
		http_reply_cookie(req, ACCOUNT_EID_HOLD_COOKIE, NULL, 0, 0);
		if (o == ACCOUNT_EID_TAKEN)
			eid_flows_message(req, 409, "eid.link_taken.title",
					  "eid.link_taken.text", "/login",
					  "nav.login");
		else if (o == ACCOUNT_EID_UNUSABLE)
			eid_flows_message(req, 409, "eid.link_unusable.title",
					  "eid.link_unusable.text", NULL, NULL);
		else
			hold_gone(req);
		break;
	case ACCOUNT_THROTTLED:
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		citizen_fail(req, res);
		break;
	}
	store_eid_hold_clear(&h);
}

void
handle_eid_step_up(struct http_request *req)
{
	const char *pending =
		eid_flows_pending(http_request_form(req, "pending"));
	struct session_info si;

	if (!citizen_require(req, &si))
		return;
	if (pending == NULL) {
		session_info_clear(&si);
		http_reply_redirect(req, "/account");
		return;
	}
	eid_flows_start(req, EID_PURPOSE_STEP_UP, &si, pending);
	session_info_clear(&si);
}

/* The citizen gives the step-up up: the portal gets NoAuthnContext. */
void
eid_flows_give_up(struct http_request *req, const struct session_info *si,
		  const char *pending)
{
	struct saml_reply out = {0};
	struct page_vars *v;
	const struct saml_error_info *info;
	char *title, *text;

	saml_sso_give_up(http_request_worker(req), pending,
			 http_request_cookie(req, SAML_PENDING_BIND_COOKIE),
			 si, http_request_client(req), &out);
	switch (out.kind) {
	case SAML_REPLY_POST:
		v = page_vars_new();
		page_vars_set(v, "acs_url", out.acs_url);
		page_vars_set(v, "saml_response", out.saml_response);
		page_vars_set(v, "relay_state", out.relay_state);
		http_reply_csp_form_post(req, out.acs_origin);
		http_reply_render(req, 200, "saml_post", v);
		page_vars_free(v);
		break;
	case SAML_REPLY_PAGE:
	case SAML_REPLY_LOGIN:
		info = saml_error_info(out.kind == SAML_REPLY_PAGE
					       ? out.error
					       : SAML_E_PENDING_UNKNOWN);
		title = g_strconcat(info->text_key, ".title", NULL);
		text = g_strconcat(info->text_key, ".text", NULL);
		http_reply_page(req, info->http_status,
				page_text(http_request_lang(req), title),
				page_text(http_request_lang(req), text));
		g_free(title);
		g_free(text);
		break;
	}
	saml_reply_clear(&out);
}

void
handle_eid_step_up_cancel(struct http_request *req)
{
	struct session_info si;

	if (!citizen_session(req, &si))
		return;
	eid_flows_give_up(req, &si, http_request_form(req, "pending"));
	session_info_clear(&si);
}
