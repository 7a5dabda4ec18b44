/* /password/forgot and /password/reset. */
#include <string.h>

#include "idp/common/worker.h"
#include "idp/handlers/citizen.h"
#include "idp/handlers/handlers.h"

void
handle_forgot_form(struct http_request *req)
{
	struct page_vars *v = citizen_vars(NULL);

	http_reply_render(req, 200, "forgot", v);
	page_vars_free(v);
}

void
handle_forgot(struct http_request *req)
{
	struct account_actor who;

	citizen_actor(req, &who);
	enum account_result res = account_forgot(
		http_request_worker(req), http_request_form(req, "email"), &who);
	if (res != ACCOUNT_OK) {
		citizen_fail(req, res);
		return;
	}
	/* The same page whether or not the address has an account. */
	struct page_vars *v = citizen_vars(NULL);
	http_reply_render(req, 200, "forgot_done", v);
	page_vars_free(v);
}

void
handle_reset_form(struct http_request *req)
{
	const char *token = http_request_query(req, "token");
	struct page_vars *v = citizen_vars(NULL);

	/*
	 * The token is only checked for form here; it is used (and can fail)
	 * on submit, so that opening the link twice does no harm.
	 */
	if (account_reset_token_plausible(token))
		page_vars_set(v, "token", token);
	else
		page_vars_set_bool(v, "invalid", true);
	http_reply_render(req, 200, "reset", v);
	page_vars_free(v);
}

void
handle_reset(struct http_request *req)
{
	struct account_errors errs = { .n = 0 };
	struct account_actor who;
	const char *token = http_request_form(req, "token");
	struct page_vars *v = citizen_vars(NULL);
	const char *lang = http_request_lang(req);

	citizen_actor(req, &who);
	enum account_result res = account_reset(
		http_request_worker(req), token,
		http_request_form(req, "password"),
		http_request_form(req, "password2"), &who, &errs);
	switch (res) {
	case ACCOUNT_OK:
		page_vars_set(v, "title", page_text(lang, "reset.done_title"));
		page_vars_set(v, "text", page_text(lang, "reset.done_text"));
		page_vars_set(v, "link_href", "/login");
		page_vars_set(v, "link_text", page_text(lang, "nav.login"));
		http_reply_render(req, 200, "message", v);
		break;
	case ACCOUNT_INVALID:
		page_vars_set(v, "token", token);
		citizen_errors(req, v, &errs);
		http_reply_render(req, 422, "reset", v);
		break;
	case ACCOUNT_FAILED:
		page_vars_set_bool(v, "invalid", true);
		http_reply_render(req, 400, "reset", v);
		break;
	case ACCOUNT_THROTTLED:
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		citizen_fail(req, res);
		break;
	}
	page_vars_free(v);
}
