/*
 * Public pages that need no form: the home page, the privacy notice
 * (Datenschutzhinweise) and the stylesheet.
 *
 * None of them is flagged HTTP_ROUTE_DB: the privacy notice and the home
 * page must stay reachable while the database is down. The header shows
 * the login state when a session cookie is present and the database
 * answers; otherwise the page is shown as to a visitor.
 */
#include "idp/common/worker.h"
#include "idp/handlers/citizen.h"
#include "idp/handlers/handlers.h"
#include "idp/page/page.h"

/* Page vars with the header's login state, best effort. */
static struct page_vars *
public_vars(struct http_request *req)
{
	const char *cookie = http_request_cookie(req, SESSION_COOKIE);
	struct worker *w = http_request_worker(req);
	struct session_info si = {0};
	struct page_vars *v;

	/* No cookie, no session: spare the database the question. */
	if (cookie == NULL || store_ensure(w->store) != 0)
		return citizen_vars(NULL);
	if (session_lookup(w, cookie, &si) != 0) {
		session_info_clear(&si);
		return citizen_vars(NULL);
	}
	v = citizen_vars(&si);
	session_info_clear(&si);
	return v;
}

void
handle_home(struct http_request *req)
{
	struct page_vars *v = public_vars(req);

	http_reply_render(req, 200, "home", v);
	page_vars_free(v);
}

void
handle_privacy(struct http_request *req)
{
	struct page_vars *v = public_vars(req);

	http_reply_render(req, 200, "privacy", v);
	page_vars_free(v);
}

/*
 * Embedded at build time and cacheable (HTTP_ROUTE_CACHEABLE): the only
 * stylesheet, since the CSP allows style-src 'self' and nothing inline.
 */
void
handle_stylesheet(struct http_request *req)
{
	size_t len;
	const char *css = page_stylesheet(&len);

	http_reply_data(req, 200, "text/css; charset=utf-8", css, len);
}
