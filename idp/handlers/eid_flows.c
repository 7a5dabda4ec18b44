/*
 * The end of every eID round trip: act on the verified identity for the
 * purpose its request was started with (link the card, log in, step up
 * for a portal) and answer the browser. Called by /eid/acs/finish
 * (idp/handlers/eid.c) once eid_acs() has checked the response.
 */
#include <string.h>

#include "idp/account/account_eid.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/handlers/eid_flows.h"
#include "idp/handlers/handlers.h"
#include "idp/log/log.h"
#include "idp/saml/saml.h"

const char *
eid_flows_pending(const char *pending)
{
	return saml_pending_id_valid(pending) ? pending : NULL;
}

void
eid_flows_message(struct http_request *req, unsigned status,
		  const char *title_key, const char *text_key, const char *href,
		  const char *link_key)
{
	const char *lang = http_request_lang(req);
	struct session_info si;
	struct page_vars *v;

	/* The header shows the login state; a lookup failure shows none. */
	memset(&si, 0, sizeof(si));
	if (session_lookup(http_request_worker(req),
			   http_request_cookie(req, SESSION_COOKIE), &si) != 0)
		si.valid = false;
	v = citizen_vars(si.valid ? &si : NULL);
	page_vars_set(v, "title", page_text(lang, title_key));
	page_vars_set(v, "text", page_text(lang, text_key));
	if (href != NULL) {
		page_vars_set(v, "link_href", href);
		page_vars_set(v, "link_text", page_text(lang, link_key));
	}
	http_reply_render(req, status, "message", v);
	page_vars_free(v);
	session_info_clear(&si);
}

void
eid_flows_start(struct http_request *req, enum eid_purpose purpose,
		const struct session_info *si, const char *pending)
{
	struct eid_start_reply out;
	int rc;

	memset(&out, 0, sizeof(out));
	rc = eid_start(http_request_worker(req), purpose, si, pending,
		       http_request_cookie(req, EID_BIND_COOKIE),
		       http_request_client(req), &out);
	if (rc != 0 || out.redirect_url == NULL) {
		const struct eid_error_info *info = eid_error_info(
			rc != 0 ? (enum eid_error)rc : EID_E_INTERNAL);
		char *title = g_strconcat(info->text_key, ".title", NULL);
		char *text = g_strconcat(info->text_key, ".text", NULL);

		log_kv(LOG_LEVEL_WARN, "eid_start_failed", "purpose",
		       eid_purpose_name(purpose), "error", info->name, NULL);
		eid_start_reply_clear(&out);
		eid_flows_message(req, info->http_status, title, text, NULL,
				  NULL);
		g_free(title);
		g_free(text);
		return;
	}
	if (out.bind_cookie[0] != '\0')
		http_reply_cookie(req, EID_BIND_COOKIE, out.bind_cookie,
				  EID_REQUEST_TTL_S, 0);
	http_reply_redirect_external(req, out.redirect_url);
	eid_start_reply_clear(&out);
}

/* The page for a card that could not be linked, by outcome. */
static void
link_refused(struct http_request *req, enum account_eid_outcome o)
{
	const char *key = "eid.link_unusable";

	switch (o) {
	case ACCOUNT_EID_TAKEN:
		key = "eid.link_taken";
		break;
	case ACCOUNT_EID_MISMATCH:
		key = "eid.link_mismatch";
		break;
	case ACCOUNT_EID_GONE:
		key = "eid.hold_gone";
		break;
	case ACCOUNT_EID_UNUSABLE:
		key = "eid.link_unusable";
		break;
	case ACCOUNT_EID_LINKED:
	case ACCOUNT_EID_REFRESHED:
	case ACCOUNT_EID_REPLACED:
		break;
	}
	char *title = g_strconcat(key, ".title", NULL);
	char *text = g_strconcat(key, ".text", NULL);
	eid_flows_message(req, 409, title, text, "/account/eid",
			  "eid.back_to_eid");
	g_free(title);
	g_free(text);
}

/*
 * LINK and STEP_UP act on the session that started the request, and only
 * in the browser that holds it: the eID binding cookie already ties the
 * response to this browser, and this check ties it to the session too
 * (a logout and another login in between must not link the card to the
 * other account).
 */
static bool
same_session(struct http_request *req, const struct eid_result *r,
	     struct session_info *si)
{
	if (!citizen_session(req, si))
		return false;
	if (!si->valid || r->session_id == 0 ||
	    si->session.id != r->session_id) {
		log_kv(LOG_LEVEL_INFO, "eid_result_refused", "purpose",
		       eid_purpose_name(r->purpose), "reason",
		       "not the session that started it", NULL);
		eid_flows_message(req, 403, "eid.session_mismatch.title",
				  "eid.session_mismatch.text", "/login",
				  "nav.login");
		return false;
	}
	return true;
}

static void
result_link(struct http_request *req, struct eid_result *r)
{
	enum account_eid_outcome o = ACCOUNT_EID_UNUSABLE;
	struct account_actor who;
	struct session_info si;

	if (!same_session(req, r, &si)) {
		session_info_clear(&si);
		return;
	}
	citizen_actor(req, &who);
	enum account_result res = account_eid_link(http_request_worker(req),
						   &si, &r->id, &who, &o);
	session_info_clear(&si);
	if (res != ACCOUNT_OK) {
		citizen_fail(req, res);
		return;
	}
	switch (o) {
	case ACCOUNT_EID_LINKED:
	case ACCOUNT_EID_REFRESHED:
		http_reply_redirect(req, "/account/eid?done=linked");
		return;
	case ACCOUNT_EID_REPLACED:
		http_reply_redirect(req, "/account/eid?done=replaced");
		return;
	case ACCOUNT_EID_TAKEN:
	case ACCOUNT_EID_MISMATCH:
	case ACCOUNT_EID_GONE:
	case ACCOUNT_EID_UNUSABLE:
		link_refused(req, o);
		return;
	}
}

/* To the portal that waits, or to the account page. */
static void
onward(struct http_request *req, const char *pending)
{
	if (eid_flows_pending(pending) != NULL) {
		char *loc =
			g_strdup_printf("/saml/continue?pending=%s", pending);
		http_reply_cookie(req, SAML_PENDING_COOKIE, NULL, 0, 0);
		http_reply_redirect(req, loc);
		g_free(loc);
		return;
	}
	http_reply_redirect(req, "/account");
}

static void
result_login(struct http_request *req, struct eid_result *r)
{
	enum account_eid_login_result lr = ACCOUNT_EID_LOGIN_REFUSED;
	char cookie[ACCOUNT_COOKIE_LEN + 1];
	char handle[CRYPT_TOKEN_TEXT_LEN + 1];
	const char *pending = eid_flows_pending(r->pending);
	struct account_actor who;
	struct page_vars *v;

	citizen_actor(req, &who);
	enum account_result res =
		account_eid_login(http_request_worker(req), &r->id, pending,
				  http_request_cookie(req, SESSION_COOKIE),
				  &who, &lr, cookie, handle);
	if (res != ACCOUNT_OK) {
		citizen_fail(req, res);
		return;
	}
	switch (lr) {
	case ACCOUNT_EID_LOGIN_OK:
		/* As the password login: new session, new CSRF secret. */
		citizen_session_cookie(req, cookie);
		http_csrf_rotate(req);
		crypt_wipe(cookie, sizeof(cookie));
		onward(req, pending);
		return;
	case ACCOUNT_EID_LOGIN_UNKNOWN:
		http_reply_cookie(req, ACCOUNT_EID_HOLD_COOKIE, handle,
				  ACCOUNT_EID_HOLD_TTL_S, 0);
		crypt_wipe(handle, sizeof(handle));
		v = citizen_vars(NULL);
		page_vars_set(v, "pending", pending);
		http_reply_render(req, 200, "eid_unknown", v);
		page_vars_free(v);
		return;
	case ACCOUNT_EID_LOGIN_REFUSED:
		/* Locked or unverified: the password login's one message. */
		v = citizen_vars(NULL);
		page_vars_set(v, "pending", pending);
		page_vars_set_bool(v, "failed", true);
		http_reply_render(req, 401, "login", v);
		page_vars_free(v);
		return;
	case ACCOUNT_EID_LOGIN_UNUSABLE:
		link_refused(req, ACCOUNT_EID_UNUSABLE);
		return;
	}
}

static void
result_step_up(struct http_request *req, struct eid_result *r)
{
	struct account_actor who;
	struct session_info si;

	if (!same_session(req, r, &si)) {
		session_info_clear(&si);
		return;
	}
	citizen_actor(req, &who);
	enum account_result res = account_eid_step_up(http_request_worker(req),
						      &si, &r->id, &who);
	session_info_clear(&si);
	switch (res) {
	case ACCOUNT_OK:
		onward(req, r->pending);
		return;
	case ACCOUNT_FAILED:
		eid_flows_message(req, 403, "eid.step_up_refused.title",
				  "eid.step_up_refused.text", "/account/eid",
				  "eid.back_to_eid");
		return;
	case ACCOUNT_INVALID:
	case ACCOUNT_THROTTLED:
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		citizen_fail(req, res);
		return;
	}
}

void
handle_eid_result(struct http_request *req, struct eid_result *r)
{
	switch (r->purpose) {
	case EID_PURPOSE_LINK:
		result_link(req, r);
		break;
	case EID_PURPOSE_LOGIN:
		result_login(req, r);
		break;
	case EID_PURPOSE_STEP_UP:
		result_step_up(req, r);
		break;
	}
	eid_result_clear(r);
}
