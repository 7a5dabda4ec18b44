#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "idp/common/html.h"
#include "idp/http/http_internal.h"
#include "idp/log/log.h"
#include "idp/page/page.h"

/*
 * The content security policy forbids inline script and every source but
 * our own origin; pages cannot be framed (clickjacking on the login form).
 * The SAML POST form will widen form-action per response.
 */
#define CSP_DEFAULT                                                          \
	"default-src 'none'; style-src 'self'; img-src 'self'; "             \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* HSTS only means something over https; one year, as browsers expect. */
#define HSTS_VALUE "max-age=31536000; includeSubDomains"

void
http_reply_clear(struct http_reply *reply)
{
	free(reply->body);
	g_free(reply->location);
	g_free(reply->csp);
	for (size_t i = 0; i < reply->n_set_cookie; i++) {
		/* Set-Cookie lines carry session ids: zero them. */
		sodium_memzero(reply->set_cookie[i],
			       strlen(reply->set_cookie[i]));
		g_free(reply->set_cookie[i]);
	}
	memset(reply, 0, sizeof(*reply));
}

/* An origin fit for a CSP source list: http(s)://host[:port], nothing else. */
static bool
origin_valid(const char *o)
{
	const char *host;

	if (o == NULL)
		return false;
	if (strncmp(o, "https://", 8) == 0)
		host = o + 8;
	else if (strncmp(o, "http://", 7) == 0)
		host = o + 7;
	else
		return false;
	if (*host == '\0' || strlen(o) > 300)
		return false;
	for (const char *p = host; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' &&
		    *p != ':' && *p != '[' && *p != ']')
			return false;
	return true;
}

void
http_reply_csp_form_post(struct http_request *req, const char *origin)
{
	if (!origin_valid(origin)) {
		log_kv(LOG_LEVEL_ERROR, "bug_csp_origin", "request_id",
		       req->id, NULL);
		return;
	}
	g_free(req->reply.csp);
	req->reply.csp = g_strdup_printf(
		"default-src 'none'; script-src 'self'; style-src 'self'; "
		"img-src 'self'; form-action 'self' %s; "
		"frame-ancestors 'none'; base-uri 'none'",
		origin);
}

/* A handler sets one reply; a second one is our bug, the first one wins. */
bool
http_reply_begin(struct http_request *req)
{
	if (req->reply.set) {
		log_kv(LOG_LEVEL_ERROR, "bug_double_reply", "request_id",
		       req->id, NULL);
		return false;
	}
	return true;
}

void
http_reply_data(struct http_request *req, unsigned status,
		const char *content_type, const char *body, size_t len)
{
	if (!http_reply_begin(req))
		return;
	req->reply.body = malloc(len + 1);
	if (req->reply.body == NULL) {
		/* Out of memory: an empty 500 is all we can still do. */
		req->reply.status = 500;
		req->reply.content_type = "text/plain; charset=utf-8";
		req->reply.len = 0;
		req->reply.set = true;
		return;
	}
	if (len > 0)
		memcpy(req->reply.body, body, len);
	req->reply.body[len] = '\0';
	req->reply.len = len;
	req->reply.status = status;
	req->reply.content_type = content_type;
	req->reply.set = true;
}

void
http_reply_page(struct http_request *req, unsigned status, const char *title,
		const char *text)
{
	struct page_vars *v;
	char *html;

	if (!http_reply_begin(req))
		return;
	/*
	 * These pages carry no CSRF token and set no cookie: they have no
	 * form (the layout's logout form needs "logged_in"), and an error
	 * must not change the browser's state.
	 */
	v = page_vars_new();
	page_vars_set(v, "title", title);
	page_vars_set(v, "text", text);
	if (http_reply_template(req, status, status >= 400 ? "error" :
							     "message",
				v) == 0) {
		page_vars_free(v);
		return;
	}
	page_vars_free(v);
	/*
	 * Without templates (page_init() not run, or a broken template,
	 * logged) the built-in page still tells the citizen what happened.
	 */
	html = html_page_simple(req->lang, title, text,
				status >= 400 ? req->id : NULL);
	http_reply_data(req, status, "text/html; charset=utf-8", html,
			strlen(html));
	g_free(html);
}

void
http_reply_error(struct http_request *req, enum idp_error e)
{
	const struct idp_error_info *info = idp_error_info(e);
	bool en = strcmp(req->lang, "en") == 0;

	http_reply_page(req, info->status, en ? info->title_en : info->title_de,
			en ? info->text_en : info->text_de);
}

static bool
add_header(struct MHD_Response *r, const char *name, const char *value)
{
	return MHD_add_response_header(r, name, value) == MHD_YES;
}

enum MHD_Result
http_reply_queue(struct http_request *req)
{
	struct http_reply *rp = &req->reply;
	struct MHD_Response *r;
	enum MHD_Result ret;
	bool ok = true;
	bool cacheable = req->route != NULL &&
			 (req->route->flags & HTTP_ROUTE_CACHEABLE) &&
			 rp->status < 400;

	if (!rp->set) {
		log_kv(LOG_LEVEL_ERROR, "bug_no_reply", "request_id", req->id,
		       "route", req->route ? req->route->name : "-", NULL);
		http_reply_error(req, IDP_E_INTERNAL);
	}
	r = MHD_create_response_from_buffer(rp->len, rp->body,
					    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	ok = ok && add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
			      rp->content_type);
	ok = ok && add_header(r, "Content-Security-Policy",
			      rp->csp != NULL ? rp->csp : CSP_DEFAULT);
	ok = ok && add_header(r, "X-Content-Type-Options", "nosniff");
	ok = ok && add_header(r, "X-Frame-Options", "DENY");
	ok = ok && add_header(r, "Referrer-Policy", "no-referrer");
	ok = ok && add_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	ok = ok && add_header(r, "X-Request-Id", req->id);
	ok = ok && add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
			      cacheable ? "public, max-age=3600" : "no-store");
	if (req->srv->cfg->public_https)
		ok = ok && add_header(r, "Strict-Transport-Security",
				      HSTS_VALUE);
	if (rp->status == 405) {
		char allow[32];
		http_methods_format(rp->allow, allow, sizeof(allow));
		ok = ok && add_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	}
	if (rp->location != NULL)
		ok = ok && add_header(r, MHD_HTTP_HEADER_LOCATION,
				      rp->location);
	for (size_t i = 0; i < rp->n_set_cookie; i++)
		ok = ok && add_header(r, MHD_HTTP_HEADER_SET_COOKIE,
				      rp->set_cookie[i]);
	if (!ok) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(req->con, rp->status, r);
	MHD_destroy_response(r);
	if (ret == MHD_YES)
		req->queued = true;
	return ret;
}
