/*
 * /saml/slo (HTTP-Redirect as GET, HTTP-POST as POST): LogoutRequests
 * and LogoutResponses of portals; /saml/slo/status: go on with a logout
 * chain a portal did not send the browser back from. The SAML work is
 * idp/saml's (saml_slo_*); these translate requests into its calls and
 * its replies into pages, cookies and forms. handle_logout (login.c)
 * starts the chain of a logout here.
 */
#include <string.h>

#include "idp/common/worker.h"
#include "idp/handlers/citizen.h"
#include "idp/handlers/handlers.h"
#include "idp/saml/saml.h"

static void
add_list(struct page_vars *v, const char *list, char **names)
{
	for (size_t i = 0; names != NULL && names[i] != NULL; i++)
		page_vars_set(page_vars_add_row(v, list), "portal", names[i]);
}

void
handlers_slo_reply_send(struct http_request *req,
			const struct saml_slo_reply *r)
{
	const char *lang = http_request_lang(req);
	struct page_vars *v;
	char *title, *text;

	/*
	 * The chain id rides in a cookie so that /saml/slo/status can go
	 * on when a portal keeps the browser; Lax: it is needed only on
	 * top-level navigations to us.
	 */
	if (r->chain[0] != '\0')
		http_reply_cookie(req, SAML_SLO_COOKIE, r->chain,
				  SAML_SLO_TTL_S, 0);
	else if (r->chain_done)
		http_reply_cookie(req, SAML_SLO_COOKIE, NULL, 0, 0);
	switch (r->kind) {
	case SAML_SLO_PAGE:
		title = g_strconcat(r->text_key, ".title", NULL);
		text = g_strconcat(r->text_key, ".text", NULL);
		http_reply_page(req, saml_error_info(r->error)->http_status,
				page_text(lang, title), page_text(lang, text));
		g_free(title);
		g_free(text);
		return;
	case SAML_SLO_REDIRECT:
		/*
		 * HTTP-Redirect binding: straight to the portal's
		 * SingleLogoutService from its metadata with our signed
		 * query. A portal that keeps the browser: the citizen goes
		 * on at /saml/slo/status (the cookie above).
		 */
		http_reply_redirect_external(req, r->url);
		return;
	case SAML_SLO_POST:
		v = citizen_vars(NULL);
		page_vars_set(v, "slo_url", r->url);
		page_vars_set(v, "field", r->field);
		page_vars_set(v, "message", r->message);
		page_vars_set(v, "relay_state", r->relay_state);
		http_reply_csp_form_post(req, r->origin);
		http_reply_render(req, 200, "slo_post", v);
		page_vars_free(v);
		return;
	case SAML_SLO_RESULT:
		v = citizen_vars(NULL);
		add_list(v, "ok", r->ok);
		add_list(v, "failed", r->failed);
		add_list(v, "no_answer", r->no_answer);
		add_list(v, "no_endpoint", r->no_endpoint);
		page_vars_set_bool(
			v, "not_all",
			(r->failed && r->failed[0]) ||
				(r->no_answer && r->no_answer[0]) ||
				(r->no_endpoint && r->no_endpoint[0]));
		http_reply_render(req, 200, "slo_result", v);
		page_vars_free(v);
		return;
	case SAML_SLO_LOGGED_OUT:
		v = citizen_vars(NULL);
		page_vars_set(v, "title", page_text(lang, "logout.title"));
		page_vars_set(v, "text", page_text(lang, "logout.text"));
		page_vars_set(v, "link_href", "/login");
		page_vars_set(v, "link_text", page_text(lang, "logout.again"));
		http_reply_render(req, 200, "message", v);
		page_vars_free(v);
		return;
	}
}

void
handle_saml_slo(struct http_request *req)
{
	struct saml_sso_input in = {0};
	struct saml_slo_reply out = {0};
	bool response;

	/* A prefetch must not use up the message's ID. */
	if (http_request_method(req) == HTTP_METHOD_HEAD) {
		http_reply_data(req, 200, "text/html; charset=utf-8", "", 0);
		return;
	}
	if (http_request_method(req) == HTTP_METHOD_POST) {
		in.binding = SAML_SSO_POST;
		in.saml_request = http_request_form(req, "SAMLRequest");
		response = in.saml_request == NULL;
		if (response)
			in.saml_request =
				http_request_form(req, "SAMLResponse");
		in.relay_state = http_request_form(req, "RelayState");
	} else {
		in.binding = SAML_SSO_REDIRECT;
		in.raw_query = http_request_raw_query(req);
		response = http_request_query(req, "SAMLRequest") == NULL &&
			   http_request_query(req, "SAMLResponse") != NULL;
	}
	in.client = http_request_client(req);
	saml_slo_receive(http_request_worker(req), &in, response,
			 http_request_cookie(req, SAML_SLO_COOKIE), &out);
	handlers_slo_reply_send(req, &out);
	saml_slo_reply_clear(&out);
}

void
handle_saml_slo_status(struct http_request *req)
{
	struct saml_slo_reply out = {0};

	saml_slo_continue(http_request_worker(req),
			  http_request_cookie(req, SAML_SLO_COOKIE),
			  http_request_client(req), &out);
	handlers_slo_reply_send(req, &out);
	saml_slo_reply_clear(&out);
}
