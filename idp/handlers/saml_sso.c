/*
 * /saml/metadata, /saml/sso (HTTP-Redirect and HTTP-POST), /saml/sso/init
 * (IdP-initiated), /saml/continue and the auto-submit script. The SAML
 * work is idp/saml's; these only translate requests into its calls and
 * its replies into pages.
 */
#include <string.h>

#include "idp/common/worker.h"
#include "idp/handlers/citizen.h"
#include "idp/handlers/handlers.h"
#include "idp/saml/saml.h"

/* static/autosubmit.js, embedded at build time (embed_js.py). */
extern const char saml_autosubmit_js[];
extern const size_t saml_autosubmit_js_len;

static void
error_page(struct http_request *req, enum saml_error e)
{
	const struct saml_error_info *info = saml_error_info(e);
	const char *lang = http_request_lang(req);
	char *title = g_strconcat(info->text_key, ".title", NULL);
	char *text = g_strconcat(info->text_key, ".text", NULL);

	http_reply_page(req, info->http_status, page_text(lang, title),
			page_text(lang, text));
	g_free(title);
	g_free(text);
}

static void
send_reply(struct http_request *req, const struct saml_reply *r)
{
	struct page_vars *v;
	char *loc;

	switch (r->kind) {
	case SAML_REPLY_PAGE:
		error_page(req, r->error);
		return;
	case SAML_REPLY_POST:
		v = page_vars_new();
		page_vars_set(v, "acs_url", r->acs_url);
		page_vars_set(v, "saml_response", r->saml_response);
		page_vars_set(v, "relay_state", r->relay_state);
		http_reply_csp_form_post(req, r->acs_origin);
		http_reply_render(req, 200, "saml_post", v);
		page_vars_free(v);
		return;
	case SAML_REPLY_LOGIN:
		/* The pending request is bound to this browser. */
		if (r->bind_cookie[0] != '\0')
			http_reply_cookie(req, SAML_PENDING_BIND_COOKIE,
					  r->bind_cookie, SAML_PENDING_TTL_S,
					  0);
		loc = g_strdup_printf("%s?pending=%s",
				      r->via_continue ? "/saml/continue"
						      : "/login",
				      r->pending);
		http_reply_redirect(req, loc);
		g_free(loc);
		return;
	}
}

void
handle_saml_metadata(struct http_request *req)
{
	char *xml = NULL;
	int rc = saml_metadata(http_request_worker(req), &xml);

	if (rc != 0) {
		error_page(req, (enum saml_error)rc);
		return;
	}
	http_reply_data(req, 200, "application/samlmetadata+xml", xml,
			strlen(xml));
	g_free(xml);
}

void
handle_saml_sso(struct http_request *req)
{
	struct saml_sso_input in = {0};
	struct saml_reply out = {0};
	struct session_info si;

	/*
	 * A HEAD (a link checker, a prefetch) must not use up the request's
	 * ID in the replay cache before the browser's GET arrives.
	 */
	if (http_request_method(req) == HTTP_METHOD_HEAD) {
		http_reply_data(req, 200, "text/html; charset=utf-8", "", 0);
		return;
	}
	if (http_request_method(req) == HTTP_METHOD_POST) {
		in.binding = SAML_SSO_POST;
		in.saml_request = http_request_form(req, "SAMLRequest");
		in.relay_state = http_request_form(req, "RelayState");
	} else {
		in.binding = SAML_SSO_REDIRECT;
		in.raw_query = http_request_raw_query(req);
	}
	in.client = http_request_client(req);
	/* Not sent along with a cross-site POST (SameSite=Lax): NULL then. */
	in.bind_cookie = http_request_cookie(req, SAML_PENDING_BIND_COOKIE);
	if (!citizen_session(req, &si))
		return;
	saml_sso_receive(http_request_worker(req), &in, &si, &out);
	send_reply(req, &out);
	saml_reply_clear(&out);
	session_info_clear(&si);
}

void
handle_saml_continue(struct http_request *req)
{
	struct saml_reply out = {0};
	struct session_info si;

	if (!citizen_session(req, &si))
		return;
	saml_sso_continue(http_request_worker(req),
			  http_request_query(req, "pending"),
			  http_request_cookie(req, SAML_PENDING_BIND_COOKIE),
			  &si, http_request_client(req), &out);
	send_reply(req, &out);
	saml_reply_clear(&out);
	session_info_clear(&si);
}

void
handle_saml_sso_init(struct http_request *req)
{
	struct saml_init_input in = {0};
	struct saml_reply out = {0};
	struct session_info si;

	/*
	 * A HEAD (a link checker, a prefetch) must not issue an assertion
	 * or store a pending request.
	 */
	if (http_request_method(req) == HTTP_METHOD_HEAD) {
		http_reply_data(req, 200, "text/html; charset=utf-8", "", 0);
		return;
	}
	in.sp = http_request_query(req, "sp");
	in.relay_state = http_request_query(req, "RelayState");
	in.bind_cookie = http_request_cookie(req, SAML_PENDING_BIND_COOKIE);
	in.client = http_request_client(req);
	if (!citizen_session(req, &si))
		return;
	saml_sso_init(http_request_worker(req), &in, &si, &out);
	send_reply(req, &out);
	saml_reply_clear(&out);
	session_info_clear(&si);
}

void
handle_autosubmit_js(struct http_request *req)
{
	http_reply_data(req, 200, "text/javascript; charset=utf-8",
			saml_autosubmit_js, saml_autosubmit_js_len);
}
