/*
 * Helpers shared by the handlers of the citizen pages (register, login,
 * password, account): the session of a request, form values, error
 * display. Handlers read top to bottom: parse -> validate -> service call
 * (one transaction) -> render.
 */
#ifndef IDP_HANDLERS_CITIZEN_H
#define IDP_HANDLERS_CITIZEN_H

#include "idp/account/account.h"
#include "idp/http/http.h"
#include "idp/page/page.h"
#include "idp/session/session.h"

/* The service-level view of who sends this request. */
void citizen_actor(struct http_request *req, struct account_actor *who);

/*
 * Look up the request's session. Returns false after replying 503 when the
 * database is unavailable; otherwise si->valid tells whether there is one.
 */
bool citizen_session(struct http_request *req, struct session_info *si);

/*
 * Like citizen_session(), but a request without a session is redirected
 * to /login (returns false: the reply is set).
 */
bool citizen_require(struct http_request *req, struct session_info *si);

/* New page vars with the header's login state filled in. */
struct page_vars *citizen_vars(const struct session_info *si);

/* Copy the named form fields (NULL-terminated) into @v as values. */
void citizen_keep(struct http_request *req, struct page_vars *v,
		  const char *const *fields);

/* err_<field> and the "errors" summary list from @errs, translated. */
void citizen_errors(struct http_request *req, struct page_vars *v,
		    const struct account_errors *errs);

/*
 * A re-authentication form refused as throttled (ACCOUNT_THROTTLED): the
 * message "try again in N minutes" (@retry_after seconds, rounded up) as
 * the error of the password @field and in the "errors" summary, like
 * citizen_errors(). The caller renders the form with status 429.
 */
void citizen_throttled(struct http_request *req, struct page_vars *v,
		       const char *field, unsigned retry_after);

/* The reply for a service failure that is not the citizen's fault. */
void citizen_fail(struct http_request *req, enum account_result r);

/* Set or delete (NULL) the session cookie. */
void citizen_session_cookie(struct http_request *req, const char *value);

#endif
