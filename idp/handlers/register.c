/* /register, /verify and /verify/resend. */
#include <string.h>

#include "idp/common/worker.h"
#include "idp/handlers/citizen.h"
#include "idp/handlers/handlers.h"
#include "idp/saml/saml.h"

static const char *const register_fields[] = {
	"email", "given_name", "family_name", "birth_date",
	"street", "postal_code", "city", "pending", NULL,
};

void
handle_register_form(struct http_request *req)
{
	struct session_info si;

	if (!citizen_session(req, &si))
		return;
	struct page_vars *v = citizen_vars(&si);
	const char *pending = http_request_query(req, "pending");
	page_vars_set(v, "pending",
		      saml_pending_id_valid(pending) ? pending : NULL);
	http_reply_render(req, 200, "register", v);
	page_vars_free(v);
	session_info_clear(&si);
}

void
handle_register(struct http_request *req)
{
	struct account_registration r;
	struct account_errors errs = { .n = 0 };
	struct account_actor who;
	struct page_vars *v = NULL;

	r.email = http_request_form(req, "email");
	r.password = http_request_form(req, "password");
	r.password2 = http_request_form(req, "password2");
	r.profile.given_name = http_request_form(req, "given_name");
	r.profile.family_name = http_request_form(req, "family_name");
	r.profile.birth_date = http_request_form(req, "birth_date");
	r.profile.street = http_request_form(req, "street");
	r.profile.postal_code = http_request_form(req, "postal_code");
	r.profile.city = http_request_form(req, "city");
	citizen_actor(req, &who);

	enum account_result res =
		account_register(http_request_worker(req), &r, &who, &errs);
	switch (res) {
	case ACCOUNT_OK:
		v = citizen_vars(NULL);
		page_vars_set(v, "email", r.email);
		/*
		 * A pending SAML login survives the e-mail round trip in a
		 * cookie: the verification link cannot carry it (the mail
		 * is made by the account service and may be opened later).
		 */
		if (saml_pending_id_valid(http_request_form(req, "pending"))) {
			http_reply_cookie(req, SAML_PENDING_COOKIE,
					  http_request_form(req, "pending"),
					  SAML_PENDING_TTL_S, 0);
			page_vars_set(v, "pending",
				      http_request_form(req, "pending"));
		}
		http_reply_render(req, 200, "register_done", v);
		break;
	case ACCOUNT_INVALID:
		/* Passwords are never sent back into the form. */
		v = citizen_vars(NULL);
		citizen_keep(req, v, register_fields);
		citizen_errors(req, v, &errs);
		http_reply_render(req, 422, "register", v);
		break;
	case ACCOUNT_FAILED:
	case ACCOUNT_THROTTLED:
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		citizen_fail(req, res);
		return;
	}
	page_vars_free(v);
}

void
handle_verify(struct http_request *req)
{
	struct account_actor who;
	struct page_vars *v;

	citizen_actor(req, &who);
	enum account_result res =
		account_verify_email(http_request_worker(req),
				     http_request_query(req, "token"), &who);
	if (res == ACCOUNT_UNAVAILABLE || res == ACCOUNT_ERROR) {
		citizen_fail(req, res);
		return;
	}
	v = citizen_vars(NULL);
	page_vars_set_bool(v, "ok", res == ACCOUNT_OK);
	/* Back to the portal after the login, when registration began there. */
	const char *pending = http_request_cookie(req, SAML_PENDING_COOKIE);
	if (res == ACCOUNT_OK && saml_pending_id_valid(pending))
		page_vars_set(v, "pending", pending);
	http_reply_render(req, res == ACCOUNT_OK ? 200 : 400, "verify_result",
			  v);
	page_vars_free(v);
}

void
handle_verify_resend(struct http_request *req)
{
	struct account_actor who;
	const char *email = http_request_form(req, "email");

	citizen_actor(req, &who);
	enum account_result res = account_resend_verification(
		http_request_worker(req), email, &who);
	if (res != ACCOUNT_OK) {
		citizen_fail(req, res);
		return;
	}
	struct page_vars *v = citizen_vars(NULL);
	page_vars_set(v, "email", email);
	page_vars_set(v, "notice",
		      page_text(http_request_lang(req), "notice.resent"));
	http_reply_render(req, 200, "register_done", v);
	page_vars_free(v);
}
