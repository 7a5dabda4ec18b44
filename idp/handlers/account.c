/* The account pages under /account. */
#include <string.h>

#include "idp/account/account_eid.h"
#include "idp/common/worker.h"
#include "idp/handlers/citizen.h"
#include "idp/handlers/handlers.h"

static const char *const profile_fields[] = {
	"given_name", "family_name", "birth_date",
	"street", "postal_code", "city", NULL,
};

static void
profile_vars(struct page_vars *v, const struct store_account *a)
{
	page_vars_set(v, "email", a->email);
	page_vars_set(v, "pending_email", a->pending_email);
	page_vars_set(v, "given_name", a->given_name);
	page_vars_set(v, "family_name", a->family_name);
	page_vars_set(v, "birth_date", a->birth_date);
	page_vars_set(v, "street", a->street);
	page_vars_set(v, "postal_code", a->postal_code);
	page_vars_set(v, "city", a->city);
	page_vars_set_bool(v, "verified_by_eid",
			   strcmp(a->name_source, "eid") == 0);
	/* What an eID card confirmed is shown, not editable. */
	page_vars_set_bool(v, "ro_name", strcmp(a->name_source, "eid") == 0);
	page_vars_set_bool(v, "ro_birth_date",
			   strcmp(a->birth_date_source, "eid") == 0);
	page_vars_set_bool(v, "ro_address",
			   strcmp(a->address_source, "eid") == 0);
}

static char *
when(int64_t t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M UTC") :
		       g_strdup("");

	if (dt != NULL)
		g_date_time_unref(dt);
	return s;
}

static void
session_row(const struct store_session *ss, void *cls)
{
	struct page_vars *row = page_vars_add_row(cls, "sessions");
	char *c = when(ss->created_at), *l = when(ss->last_seen_at);

	page_vars_set(row, "handle", ss->handle);
	page_vars_set(row, "created", c);
	page_vars_set(row, "last_seen", l);
	page_vars_set(row, "client", ss->client);
	page_vars_set(row, "user_agent", ss->user_agent);
	page_vars_set_bool(row, "current", ss->current);
	g_free(c);
	g_free(l);
}

/* The account overview, with an optional notice (translation key). */
static void
overview(struct http_request *req, const struct session_info *si,
	 const char *notice)
{
	struct page_vars *v = citizen_vars(si);

	profile_vars(v, &si->account);
	if (notice != NULL)
		page_vars_set(v, "notice",
			      page_text(http_request_lang(req), notice));
	struct store_eidlink l;
	if (account_eid_state(http_request_worker(req), si->account.id, &l) !=
	    ACCOUNT_OK) {
		page_vars_free(v);
		http_reply_error(req, IDP_E_UNAVAILABLE);
		return;
	}
	page_vars_set_bool(v, "eid_linked", l.linked);
	page_vars_set(v, "place_of_birth", l.place_of_birth);
	store_eidlink_clear(&l);
	if (session_list(http_request_worker(req), si->account.id, si->hash,
			 session_row, v) != 0) {
		page_vars_free(v);
		http_reply_error(req, IDP_E_UNAVAILABLE);
		return;
	}
	http_reply_render(req, 200, "account", v);
	page_vars_free(v);
}

/*
 * Changes end with a redirect to /account?done=<what> (post, redirect,
 * get: a reload does not resubmit); only these values show a notice.
 */
static const struct {
	const char *done;
	const char *key;
} notices[] = {
	{ "profile", "notice.profile_saved" },
	{ "password", "notice.password_changed" },
	{ "email", "notice.email_link_sent" },
	{ "session", "notice.session_ended" },
	{ "sessions", "notice.sessions_ended" },
};

void
handle_account(struct http_request *req)
{
	const char *done = http_request_query(req, "done");
	const char *notice = NULL;
	struct session_info si;

	if (!citizen_require(req, &si))
		return;
	for (size_t i = 0; done != NULL && i < G_N_ELEMENTS(notices); i++)
		if (strcmp(done, notices[i].done) == 0)
			notice = notices[i].key;
	overview(req, &si, notice);
	session_info_clear(&si);
}

/* Render a form page of the account area with the profile filled in. */
static void
account_form(struct http_request *req, const char *tmpl)
{
	struct session_info si;

	if (!citizen_require(req, &si))
		return;
	struct page_vars *v = citizen_vars(&si);
	profile_vars(v, &si.account);
	http_reply_render(req, 200, tmpl, v);
	page_vars_free(v);
	session_info_clear(&si);
}

void
handle_profile_form(struct http_request *req)
{
	account_form(req, "profile_edit");
}

void
handle_password_form(struct http_request *req)
{
	account_form(req, "password_change");
}

void
handle_email_form(struct http_request *req)
{
	account_form(req, "email_change");
}

void
handle_delete_form(struct http_request *req)
{
	account_form(req, "delete");
}

/*
 * After a service call from an account form: back to the overview with a
 * notice, the form again with its errors, or an error page.
 */
static void
account_result_throttled(struct http_request *req, struct session_info *si,
			 enum account_result res, const char *tmpl,
			 const struct account_errors *errs,
			 const char *const *keep, const char *done_location,
			 const char *pw_field, unsigned retry_after)
{
	struct page_vars *v;

	switch (res) {
	case ACCOUNT_OK:
		http_reply_redirect(req, done_location);
		return;
	case ACCOUNT_INVALID:
		v = citizen_vars(si);
		profile_vars(v, &si->account);
		if (keep != NULL)
			citizen_keep(req, v, keep);
		citizen_errors(req, v, errs);
		http_reply_render(req, 422, tmpl, v);
		page_vars_free(v);
		return;
	case ACCOUNT_THROTTLED:
		if (pw_field == NULL)
			break;
		/* Like the login page: 429 with the minutes to wait. */
		v = citizen_vars(si);
		profile_vars(v, &si->account);
		if (keep != NULL)
			citizen_keep(req, v, keep);
		citizen_throttled(req, v, pw_field, retry_after);
		http_reply_render(req, 429, tmpl, v);
		page_vars_free(v);
		return;
	case ACCOUNT_FAILED:
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		break;
	}
	citizen_fail(req, res);
}

static void
account_result(struct http_request *req, struct session_info *si,
	       enum account_result res, const char *tmpl,
	       const struct account_errors *errs, const char *const *keep,
	       const char *done_location)
{
	account_result_throttled(req, si, res, tmpl, errs, keep, done_location,
				 NULL, 0);
}

void
handle_profile(struct http_request *req)
{
	struct account_errors errs = { .n = 0 };
	struct account_profile_input p;
	struct account_actor who;
	struct session_info si;

	if (!citizen_require(req, &si))
		return;
	p.given_name = http_request_form(req, "given_name");
	p.family_name = http_request_form(req, "family_name");
	p.birth_date = http_request_form(req, "birth_date");
	p.street = http_request_form(req, "street");
	p.postal_code = http_request_form(req, "postal_code");
	p.city = http_request_form(req, "city");
	citizen_actor(req, &who);
	/*
	 * Fields an eID card confirmed cannot be changed here: the form
	 * shows them disabled (so they are not sent), and a value sent
	 * anyway must be the stored one. A field not sent keeps its value.
	 */
	account_eid_readonly_check(&si.account, &p, &errs);
	if (strcmp(si.account.name_source, "eid") == 0) {
		p.given_name = si.account.given_name;
		p.family_name = si.account.family_name;
	}
	if (strcmp(si.account.birth_date_source, "eid") == 0)
		p.birth_date = si.account.birth_date;
	if (strcmp(si.account.address_source, "eid") == 0) {
		p.street = si.account.street;
		p.postal_code = si.account.postal_code;
		p.city = si.account.city;
	}
	enum account_result res =
		errs.n > 0 ? ACCOUNT_INVALID
			   : account_update_profile(http_request_worker(req),
						    si.account.id, &p, &who,
						    &errs);
	account_result(req, &si, res, "profile_edit", &errs, profile_fields,
		       "/account?done=profile");
	session_info_clear(&si);
}

void
handle_password_change(struct http_request *req)
{
	struct account_errors errs = { .n = 0 };
	struct account_actor who;
	unsigned retry = 0;
	struct session_info si;

	if (!citizen_require(req, &si))
		return;
	citizen_actor(req, &who);
	enum account_result res = account_change_password(
		http_request_worker(req), si.account.id, si.hash,
		http_request_form(req, "current_password"),
		http_request_form(req, "password"),
		http_request_form(req, "password2"), &who, &errs, &retry);
	account_result_throttled(req, &si, res, "password_change", &errs, NULL,
				 "/account?done=password", "current_password",
				 retry);
	session_info_clear(&si);
}

void
handle_email_change(struct http_request *req)
{
	static const char *const keep[] = { "new_email", NULL };
	struct account_errors errs = { .n = 0 };
	struct account_actor who;
	unsigned retry = 0;
	struct session_info si;

	if (!citizen_require(req, &si))
		return;
	citizen_actor(req, &who);
	enum account_result res =
		account_change_email(http_request_worker(req), si.account.id,
				     http_request_form(req, "new_email"),
				     http_request_form(req, "current_password"),
				     &who, &errs, &retry);
	account_result_throttled(req, &si, res, "email_change", &errs, keep,
				 "/account?done=email", "current_password",
				 retry);
	session_info_clear(&si);
}

void
handle_email_confirm(struct http_request *req)
{
	struct account_actor who;
	const char *lang = http_request_lang(req);

	citizen_actor(req, &who);
	enum account_result res = account_confirm_email(
		http_request_worker(req), http_request_query(req, "token"),
		&who);
	if (res == ACCOUNT_UNAVAILABLE || res == ACCOUNT_ERROR) {
		citizen_fail(req, res);
		return;
	}
	struct page_vars *v = citizen_vars(NULL);
	bool ok = res == ACCOUNT_OK;
	page_vars_set(v, "title",
		      page_text(lang, ok ? "email.changed_title" :
					   "email.link_invalid_title"));
	page_vars_set(v, "text",
		      page_text(lang, ok ? "email.changed_text" :
					   "email.link_invalid_text"));
	page_vars_set(v, "link_href", "/account");
	page_vars_set(v, "link_text", page_text(lang, "nav.account"));
	http_reply_render(req, ok ? 200 : 400, "message", v);
	page_vars_free(v);
}

void
handle_delete(struct http_request *req)
{
	struct account_errors errs = { .n = 0 };
	struct account_actor who;
	unsigned retry = 0;
	struct session_info si;
	const char *lang = http_request_lang(req);

	if (!citizen_require(req, &si))
		return;
	citizen_actor(req, &who);
	enum account_result res = account_delete(
		http_request_worker(req), si.account.id,
		http_request_form(req, "password"), &who, &errs, &retry);
	if (res == ACCOUNT_OK) {
		session_info_clear(&si);
		citizen_session_cookie(req, NULL);
		http_csrf_rotate(req);
		struct page_vars *v = citizen_vars(NULL);
		page_vars_set(v, "title", page_text(lang, "delete.done_title"));
		page_vars_set(v, "text", page_text(lang, "delete.done_text"));
		http_reply_render(req, 200, "message", v);
		page_vars_free(v);
		return;
	}
	account_result_throttled(req, &si, res, "delete", &errs, NULL, "/",
				 "password", retry);
	session_info_clear(&si);
}

void
handle_export(struct http_request *req)
{
	struct session_info si;
	char *json = NULL;

	if (!citizen_require(req, &si))
		return;
	enum account_result res =
		account_export(http_request_worker(req), si.account.id, &json);
	session_info_clear(&si);
	if (res != ACCOUNT_OK) {
		citizen_fail(req, res);
		return;
	}
	http_reply_data(req, 200, "application/json; charset=utf-8", json,
			strlen(json));
	g_free(json);
}
