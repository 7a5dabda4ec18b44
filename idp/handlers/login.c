/* /login and /logout. */
#include <stdio.h>
#include <string.h>

#include "idp/account/account_eid.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/handlers/citizen.h"
#include "idp/handlers/eid_flows.h"
#include "idp/handlers/handlers.h"
#include "idp/saml/saml.h"

/*
 * The pending SAML login this page carries, if any: only a well-formed
 * id travels on (anything else is dropped, never echoed).
 */
static const char *
pending_of(const char *value)
{
	return saml_pending_id_valid(value) ? value : NULL;
}

/* A portal needs level high: the eID step-up, or how to get there. */
static void
step_up_page(struct http_request *req, const struct session_info *si,
	     const char *pending)
{
	struct store_eidlink l;
	struct page_vars *v;

	/* Nothing to offer without an eID service: answer the portal now. */
	if (!eid_usable(http_request_worker(req))) {
		eid_flows_give_up(req, si, pending);
		return;
	}
	enum account_result res =
		account_eid_state(http_request_worker(req), si->account.id, &l);
	if (res != ACCOUNT_OK) {
		citizen_fail(req, res == ACCOUNT_FAILED ? ACCOUNT_ERROR : res);
		return;
	}
	v = citizen_vars(si);
	page_vars_set(v, "pending", pending);
	page_vars_set_bool(v, "linked", l.linked);
	http_reply_render(req, 200, "eid_step_up", v);
	page_vars_free(v);
	store_eidlink_clear(&l);
}

/*
 * After a password login from the page for an unknown card: link the
 * card held for this browser to the account just logged in to, with the
 * rules of a link from the account page. The citizen is logged in
 * whatever comes of it; the page says what did.
 */
static void
link_held(struct http_request *req, const char *cookie, const char *pending)
{
	enum account_eid_outcome o = ACCOUNT_EID_GONE;
	const char *lang = http_request_lang(req);
	struct account_actor who;
	struct session_info si;
	const char *key = "eid.link_unusable";
	char *loc = NULL, *title, *text;

	memset(&si, 0, sizeof(si));
	citizen_actor(req, &who);
	if (session_lookup(http_request_worker(req), cookie, &si) != 0 ||
	    !si.valid ||
	    account_eid_link_held(
		    http_request_worker(req), &si,
		    http_request_cookie(req, ACCOUNT_EID_HOLD_COOKIE), &who,
		    &o) != ACCOUNT_OK) {
		session_info_clear(&si);
		citizen_fail(req, ACCOUNT_UNAVAILABLE);
		return;
	}
	http_reply_cookie(req, ACCOUNT_EID_HOLD_COOKIE, NULL, 0, 0);
	switch (o) {
	case ACCOUNT_EID_LINKED:
	case ACCOUNT_EID_REFRESHED:
	case ACCOUNT_EID_REPLACED:
		key = "eid.linked_after_login";
		break;
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
	}
	struct page_vars *v = citizen_vars(&si);
	title = g_strconcat(key, ".title", NULL);
	text = g_strconcat(key, ".text", NULL);
	if (pending != NULL)
		loc = g_strdup_printf("/saml/continue?pending=%s", pending);
	page_vars_set(v, "title", page_text(lang, title));
	page_vars_set(v, "text", page_text(lang, text));
	page_vars_set(v, "link_href", loc != NULL ? loc : "/account/eid");
	page_vars_set(v, "link_text", page_text(lang, "message.continue"));
	http_reply_render(req, 200, "message", v);
	page_vars_free(v);
	g_free(loc);
	g_free(title);
	g_free(text);
	session_info_clear(&si);
}

void
handle_login_form(struct http_request *req)
{
	struct session_info si;

	const char *pending = pending_of(http_request_query(req, "pending"));

	if (!citizen_session(req, &si))
		return;
	/*
	 * With a pending SAML login the form is shown even to a logged-in
	 * citizen: the portal may have asked for a fresh login (ForceAuthn),
	 * and /saml/continue sent the citizen here for that.
	 */
	if (si.valid && pending == NULL) {
		session_info_clear(&si);
		http_reply_redirect(req, "/account");
		return;
	}
	/*
	 * Or the portal asks for more than this session has (eID step-up):
	 * offer the card, or tell how to link one.
	 */
	if (si.valid &&
	    saml_pending_step_up(
		    http_request_worker(req), pending,
		    http_request_cookie(req, SAML_PENDING_BIND_COOKIE), &si,
		    http_request_client(req))) {
		step_up_page(req, &si, pending);
		session_info_clear(&si);
		return;
	}
	session_info_clear(&si);
	struct page_vars *v = citizen_vars(NULL);
	page_vars_set(v, "pending", pending);
	http_reply_render(req, 200, "login", v);
	page_vars_free(v);
}

void
handle_login(struct http_request *req)
{
	static const char *const keep[] = { "email", "pending", "eid_link",
					    NULL };
	char cookie[ACCOUNT_COOKIE_LEN + 1];
	struct account_actor who;
	unsigned retry = 0;
	struct page_vars *v;

	citizen_actor(req, &who);
	enum account_result res = account_login(
		http_request_worker(req), http_request_form(req, "email"),
		http_request_form(req, "password"),
		http_request_cookie(req, SESSION_COOKIE), &who, cookie,
		&retry);
	switch (res) {
	case ACCOUNT_OK:
		/* New session, new CSRF secret: nothing from before login
		 * carries over (session fixation, token reuse). */
		citizen_session_cookie(req, cookie);
		http_csrf_rotate(req);
		if (g_strcmp0(http_request_form(req, "eid_link"), "1") == 0 &&
		    http_request_cookie(req, ACCOUNT_EID_HOLD_COOKIE) != NULL) {
			link_held(
				req, cookie,
				pending_of(http_request_form(req, "pending")));
			crypt_wipe(cookie, sizeof(cookie));
			return;
		}
		crypt_wipe(cookie, sizeof(cookie));
		/* Back to the portal that sent the citizen, if one did. */
		if (pending_of(http_request_form(req, "pending")) != NULL) {
			char *loc = g_strdup_printf(
				"/saml/continue?pending=%s",
				http_request_form(req, "pending"));
			http_reply_cookie(req, SAML_PENDING_COOKIE, NULL, 0, 0);
			http_reply_redirect(req, loc);
			g_free(loc);
			return;
		}
		http_reply_redirect(req, "/account");
		return;
	case ACCOUNT_FAILED:
	case ACCOUNT_THROTTLED:
		v = citizen_vars(NULL);
		citizen_keep(req, v, keep);
		if (res == ACCOUNT_FAILED) {
			page_vars_set_bool(v, "failed", true);
		} else {
			char mins[16];
			snprintf(mins, sizeof(mins), "%u", (retry + 59) / 60);
			page_vars_set_bool(v, "throttled", true);
			page_vars_set(v, "retry_minutes", mins);
		}
		http_reply_render(req, res == ACCOUNT_FAILED ? 401 : 429,
				  "login", v);
		page_vars_free(v);
		return;
	case ACCOUNT_INVALID:
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		citizen_fail(req, res);
		return;
	}
}

void
handle_logout(struct http_request *req)
{
	struct session_info si;
	struct account_actor who;
	struct saml_slo_reply out = {0};
	char chain[SAML_PENDING_ID_LEN + 1] = "";
	int64_t portals = 0;

	if (!citizen_session(req, &si))
		return;
	citizen_actor(req, &who);
	/*
	 * The portals of the session are copied into a single logout chain
	 * first (the session's rows go with it); a failure there must not
	 * keep the session alive, so the logout goes on without the chain.
	 */
	if (si.valid &&
	    saml_slo_start(http_request_worker(req), &si,
			   http_request_client(req), chain, &portals) != 0)
		portals = 0;
	if (si.valid &&
	    account_logout(http_request_worker(req), &si, &who) != ACCOUNT_OK) {
		session_info_clear(&si);
		http_reply_error(req, IDP_E_UNAVAILABLE);
		return;
	}
	session_info_clear(&si);
	citizen_session_cookie(req, NULL);
	http_csrf_rotate(req);
	if (portals > 0) {
		/* Now through every portal of the session, then the result. */
		saml_slo_continue(http_request_worker(req), chain,
				  http_request_client(req), &out);
		explicit_bzero(chain, sizeof(chain));
		handlers_slo_reply_send(req, &out);
		saml_slo_reply_clear(&out);
		return;
	}
	struct page_vars *v = citizen_vars(NULL);
	const char *lang = http_request_lang(req);
	page_vars_set(v, "title", page_text(lang, "logout.title"));
	page_vars_set(v, "text", page_text(lang, "logout.text"));
	page_vars_set(v, "link_href", "/login");
	page_vars_set(v, "link_text", page_text(lang, "logout.again"));
	http_reply_render(req, 200, "message", v);
	page_vars_free(v);
}
