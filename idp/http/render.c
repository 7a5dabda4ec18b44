/*
 * Pages from templates (idp/page) with the variables every page shares.
 */
#include <string.h>

#include "idp/http/http_internal.h"
#include "idp/log/log.h"
#include "idp/page/page.h"

int
http_reply_template(struct http_request *req, unsigned status, const char *name,
		    struct page_vars *vars)
{
	GString *out = g_string_sized_new(8192);
	int rc;

	page_vars_set(vars, "lang", req->lang);
	page_vars_set(vars, "lang_other",
		      strcmp(req->lang, "en") == 0 ? "de" : "en");
	page_vars_set(vars, "request_id", req->id);
	page_vars_set(vars, "path", req->path);
	rc = page_render(name, req->lang, vars, out);
	if (rc == 0)
		http_reply_data(req, status, "text/html; charset=utf-8",
				out->str, out->len);
	else
		/* A template that does not render is our bug. */
		log_kv(LOG_LEVEL_ERROR, "bug_page_render", "request_id",
		       req->id, "page", name, "error", idp_err_name(rc), NULL);
	g_string_free(out, TRUE);
	return rc;
}

void
http_reply_render(struct http_request *req, unsigned status, const char *name,
		  struct page_vars *vars)
{
	struct page_vars *own = NULL;

	if (!http_reply_begin(req))
		return;
	if (vars == NULL) {
		own = page_vars_new();
		vars = own;
	}
	/* Every page may hold a form; this also sets the cookie if new. */
	page_vars_set(vars, "csrf", http_request_csrf(req));
	if (http_reply_template(req, status, name, vars) != 0)
		http_reply_error(req, IDP_E_INTERNAL);
	page_vars_free(own);
}
