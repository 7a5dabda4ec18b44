/*
 * /eid/metadata, /eid/acs and /eid/acs/finish: the eID service's side of
 * the round trip (docs/eid.md). The protocol is idp/eid's; these only
 * translate requests into its calls. What to do with a verified identity
 * is handle_eid_result()'s (eid_flows.c).
 *
 * Why two steps: the eID service's page posts the response cross-site,
 * and our cookies (SameSite=Lax) do not come with that POST. /eid/acs
 * therefore only relays the SAMLResponse -- size-checked, not parsed, no
 * state changed -- in a form that goes on to /eid/acs/finish from our own
 * origin, with the binding and session cookies and our CSRF token.
 */
#include <string.h>

#include "idp/common/worker.h"
#include "idp/eid/eid.h"
#include "idp/handlers/handlers.h"
#include "idp/log/log.h"
#include "idp/page/page.h"

static void
error_page(struct http_request *req, enum eid_error e)
{
	const struct eid_error_info *info = eid_error_info(e);
	const char *lang = http_request_lang(req);
	char *title = g_strconcat(info->text_key, ".title", NULL);
	char *text = g_strconcat(info->text_key, ".text", NULL);

	http_reply_page(req, info->http_status, page_text(lang, title),
			page_text(lang, text));
	g_free(title);
	g_free(text);
}

void
handle_eid_metadata(struct http_request *req)
{
	char *xml = NULL;
	int rc = eid_metadata(http_request_worker(req), &xml);

	if (rc != 0) {
		error_page(req, (enum eid_error)rc);
		return;
	}
	http_reply_data(req, 200, "application/samlmetadata+xml", xml,
			strlen(xml));
	g_free(xml);
}

/*
 * Only base64 characters (and the line breaks some encoders add) get
 * into the relay page: the template escapes anyway, but a value that
 * cannot be a response is refused here rather than carried around.
 */
static bool
relayable(const char *s, size_t *len)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (n >= EID_RESPONSE_B64_MAX)
			return false;
		if (!g_ascii_isalnum(c) && c != '+' && c != '/' && c != '=' &&
		    c != '\r' && c != '\n')
			return false;
	}
	*len = n;
	return n > 0;
}

void
handle_eid_acs(struct http_request *req)
{
	const char *resp = http_request_form(req, "SAMLResponse");
	const struct worker *w = http_request_worker(req);
	struct page_vars *v;
	size_t len = 0;

	if (resp == NULL) {
		eid_audit_relay_refused(http_request_worker(req),
					EID_E_MISSING_RESPONSE,
					http_request_client(req));
		error_page(req, EID_E_MISSING_RESPONSE);
		return;
	}
	if (!relayable(resp, &len)) {
		enum eid_error e = strlen(resp) > EID_RESPONSE_B64_MAX
					   ? EID_E_TOO_LARGE
					   : EID_E_BAD_BASE64;
		eid_audit_relay_refused(http_request_worker(req), e,
					http_request_client(req));
		error_page(req, e);
		return;
	}
	v = page_vars_new();
	page_vars_set(v, "saml_response", resp);
	/* The auto-submit script, and the form to our own origin only. */
	http_reply_csp_form_post(req, w->cfg->public_url);
	http_reply_render(req, 200, "eid_relay", v);
	page_vars_free(v);
}

void
handle_eid_acs_finish(struct http_request *req)
{
	const char *resp = http_request_form(req, "SAMLResponse");
	struct eid_result r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = eid_acs(http_request_worker(req), resp,
		     resp != NULL ? strlen(resp) : 0,
		     http_request_cookie(req, EID_BIND_COOKIE),
		     http_request_client(req), &r);
	if (rc != 0) {
		error_page(req, (enum eid_error)rc);
		return;
	}
	handle_eid_result(req, &r);
	eid_result_clear(&r);
}
