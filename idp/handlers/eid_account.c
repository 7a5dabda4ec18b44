/*
 * /account/eid: the card linked to the account, linking one (current
 * password, then the eID service) and unlinking it (current password).
 */
#include <string.h>

#include "idp/account/account_eid.h"
#include "idp/common/worker.h"
#include "idp/handlers/eid_flows.h"
#include "idp/handlers/handlers.h"

static char *
day(int64_t t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = dt ? g_date_time_format(dt, "%Y-%m-%d") : g_strdup("");

	if (dt != NULL)
		g_date_time_unref(dt);
	return s;
}

/*
 * The page with the account's eID state, a notice and form errors; or,
 * with @throttled_field, the throttled message on that password field.
 */
static void
eid_page_throttled(struct http_request *req, const struct session_info *si,
		   unsigned status, const char *notice,
		   const struct account_errors *errs,
		   const char *throttled_field, unsigned retry_after)
{
	struct store_eidlink l;
	struct page_vars *v;
	char *linked_at = NULL;

	enum account_result res =
		account_eid_state(http_request_worker(req), si->account.id, &l);
	if (res != ACCOUNT_OK) {
		citizen_fail(req, res == ACCOUNT_FAILED ? ACCOUNT_ERROR : res);
		return;
	}
	v = citizen_vars(si);
	page_vars_set_bool(v, "linked", l.linked);
	if (l.linked) {
		linked_at = day(l.linked_at);
		page_vars_set(v, "linked_at", linked_at);
		page_vars_set(v, "document_type", l.document_type);
	}
	page_vars_set(v, "place_of_birth", l.place_of_birth);
	page_vars_set(v, "given_name", si->account.given_name);
	page_vars_set(v, "family_name", si->account.family_name);
	page_vars_set(v, "birth_date", si->account.birth_date);
	if (notice != NULL)
		page_vars_set(v, "notice",
			      page_text(http_request_lang(req), notice));
	if (errs != NULL)
		citizen_errors(req, v, errs);
	if (throttled_field != NULL)
		citizen_throttled(req, v, throttled_field, retry_after);
	http_reply_render(req, status, "eid_account", v);
	page_vars_free(v);
	g_free(linked_at);
	store_eidlink_clear(&l);
}

static void
eid_page(struct http_request *req, const struct session_info *si,
	 unsigned status, const char *notice, const struct account_errors *errs)
{
	eid_page_throttled(req, si, status, notice, errs, NULL, 0);
}

static const struct {
	const char *done;
	const char *key;
} notices[] = {
	{"linked", "notice.eid_linked"},
	{"replaced", "notice.eid_replaced"},
	{"unlinked", "notice.eid_unlinked"},
};

void
handle_account_eid(struct http_request *req)
{
	const char *done = http_request_query(req, "done");
	const char *notice = NULL;
	struct session_info si;

	if (!citizen_require(req, &si))
		return;
	for (size_t i = 0; done != NULL && i < G_N_ELEMENTS(notices); i++)
		if (strcmp(done, notices[i].done) == 0)
			notice = notices[i].key;
	eid_page(req, &si, 200, notice, NULL);
	session_info_clear(&si);
}

void
handle_account_eid_link(struct http_request *req)
{
	struct account_errors errs = {.n = 0};
	struct account_actor who;
	unsigned retry = 0;
	struct session_info si;

	if (!citizen_require(req, &si))
		return;
	citizen_actor(req, &who);
	enum account_result res = account_eid_reauth(
		http_request_worker(req), si.account.id,
		http_request_form(req, "password"), &who, &errs, &retry);
	switch (res) {
	case ACCOUNT_OK:
		eid_flows_start(req, EID_PURPOSE_LINK, &si, NULL);
		break;
	case ACCOUNT_INVALID:
		eid_page(req, &si, 422, NULL, &errs);
		break;
	case ACCOUNT_THROTTLED:
		eid_page_throttled(req, &si, 429, NULL, NULL, "password",
				   retry);
		break;
	case ACCOUNT_FAILED:
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		citizen_fail(req, res);
		break;
	}
	session_info_clear(&si);
}

void
handle_account_eid_unlink(struct http_request *req)
{
	struct account_errors errs = {.n = 0};
	struct account_actor who;
	unsigned retry = 0;
	struct session_info si;

	if (!citizen_require(req, &si))
		return;
	citizen_actor(req, &who);
	enum account_result res = account_eid_unlink(
		http_request_worker(req), si.account.id,
		http_request_form(req, "unlink_password"), &who, &errs, &retry);
	switch (res) {
	case ACCOUNT_OK:
	case ACCOUNT_FAILED: /* nothing was linked: the same page */
		http_reply_redirect(req, "/account/eid?done=unlinked");
		break;
	case ACCOUNT_INVALID:
		/* The field of the unlink form, not the link form's. */
		for (size_t i = 0; i < errs.n; i++)
			errs.e[i].field = "unlink_password";
		eid_page(req, &si, 422, NULL, &errs);
		break;
	case ACCOUNT_THROTTLED:
		eid_page_throttled(req, &si, 429, NULL, NULL, "unlink_password",
				   retry);
		break;
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		citizen_fail(req, res);
		break;
	}
	session_info_clear(&si);
}
