/* /account/sessions/...: ending sessions from the account page. */
#include "idp/common/worker.h"
#include "idp/handlers/citizen.h"
#include "idp/handlers/handlers.h"

void
handle_sessions_end(struct http_request *req)
{
	struct session_info si;

	const char *handle = http_request_form(req, "session");

	if (!citizen_require(req, &si))
		return;
	/* Without a handle this would end all others: refuse instead. */
	int rc = handle == NULL ? IDP_ERR_INVALID :
				  session_end_other(http_request_worker(req),
						    &si, handle,
						    http_request_client(req));
	if (rc == IDP_ERR_UNAVAILABLE)
		http_reply_error(req, IDP_E_UNAVAILABLE);
	else if (rc != 0)
		http_reply_error(req, IDP_E_BAD_REQUEST);
	else
		http_reply_redirect(req, "/account?done=session");
	session_info_clear(&si);
}

void
handle_sessions_end_others(struct http_request *req)
{
	struct session_info si;

	if (!citizen_require(req, &si))
		return;
	int rc = session_end_other(http_request_worker(req), &si, NULL,
				   http_request_client(req));
	if (rc != 0)
		http_reply_error(req, IDP_E_UNAVAILABLE);
	else
		http_reply_redirect(req, "/account?done=sessions");
	session_info_clear(&si);
}
