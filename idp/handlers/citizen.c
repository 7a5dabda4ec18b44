#include <stdio.h>
#include <string.h>

#include "idp/common/worker.h"
#include "idp/handlers/citizen.h"
#include "idp/log/log.h"

void
citizen_actor(struct http_request *req, struct account_actor *who)
{
	who->client = http_request_client(req);
	who->user_agent = http_request_header(req, "User-Agent");
	who->lang = http_request_lang(req);
}

bool
citizen_session(struct http_request *req, struct session_info *si)
{
	if (session_lookup(http_request_worker(req),
			   http_request_cookie(req, SESSION_COOKIE), si) != 0) {
		http_reply_error(req, IDP_E_UNAVAILABLE);
		return false;
	}
	return true;
}

bool
citizen_require(struct http_request *req, struct session_info *si)
{
	if (!citizen_session(req, si))
		return false;
	if (!si->valid) {
		http_reply_redirect(req, "/login");
		return false;
	}
	return true;
}

struct page_vars *
citizen_vars(const struct session_info *si)
{
	struct page_vars *v = page_vars_new();

	if (si != NULL && si->valid) {
		page_vars_set_bool(v, "logged_in", true);
		page_vars_set(v, "display_name", si->account.given_name);
	}
	return v;
}

void
citizen_keep(struct http_request *req, struct page_vars *v,
	     const char *const *fields)
{
	for (size_t i = 0; fields[i] != NULL; i++)
		page_vars_set(v, fields[i], http_request_form(req, fields[i]));
}

void
citizen_errors(struct http_request *req, struct page_vars *v,
	       const struct account_errors *errs)
{
	const char *lang = http_request_lang(req);

	for (size_t i = 0; i < errs->n; i++) {
		const char *msg = page_text(lang, errs->e[i].key);
		char *name = g_strdup_printf("err_%s", errs->e[i].field);
		struct page_vars *row = page_vars_add_row(v, "errors");

		page_vars_set(v, name, msg);
		page_vars_set(row, "field", errs->e[i].field);
		page_vars_set(row, "message", msg);
		g_free(name);
	}
}

void
citizen_throttled(struct http_request *req, struct page_vars *v,
		  const char *field, unsigned retry_after)
{
	char mins[16];
	char *name = g_strdup_printf("err_%s", field);
	struct page_vars *row = page_vars_add_row(v, "errors");

	snprintf(mins, sizeof(mins), "%u", (retry_after + 59) / 60);
	/*
	 * page_text() gives the raw text and the forms show their errors as
	 * plain values, so the one placeholder is filled in here (the login
	 * page has its own template text for this).
	 */
	char **parts = g_strsplit(
		page_text(http_request_lang(req), "reauth.throttled"),
		"{{retry_minutes}}", -1);
	char *msg = g_strjoinv(mins, parts);

	page_vars_set(v, name, msg);
	page_vars_set(row, "field", field);
	page_vars_set(row, "message", msg);
	g_strfreev(parts);
	g_free(msg);
	g_free(name);
}

void
citizen_fail(struct http_request *req, enum account_result r)
{
	switch (r) {
	case ACCOUNT_UNAVAILABLE:
		http_reply_error(req, IDP_E_UNAVAILABLE);
		return;
	case ACCOUNT_OK:
	case ACCOUNT_INVALID:
	case ACCOUNT_FAILED:
	case ACCOUNT_THROTTLED:
	case ACCOUNT_ERROR:
		break;
	}
	http_reply_error(req, IDP_E_INTERNAL);
}

void
citizen_session_cookie(struct http_request *req, const char *value)
{
	/*
	 * A session cookie in the browser's sense (no Max-Age): the server
	 * decides expiry. SameSite=Lax keeps it off cross-site POSTs; the
	 * SAML POST binding will need its own handling.
	 */
	http_reply_cookie(req, SESSION_COOKIE, value, 0, 0);
}
