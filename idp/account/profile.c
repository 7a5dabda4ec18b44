/* Profile changes, e-mail change, deletion and the data export. */
#include <string.h>

#include "idp/account/account_internal.h"
#include "idp/common/limits.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/mail/mail.h"
#include "idp/page/page.h"
#include "idp/store/store_eidlink.h"
#include "idp/store/store_saml.h"

struct profile_tx {
	struct store_account a;
	const struct account_actor *who;
};

static int
profile_cb(struct store *s, void *cls)
{
	struct profile_tx *t = cls;
	int rc = store_account_update_profile(s, &t->a);

	if (rc < 0)
		return rc;
	return account_audit(s, "profile_changed", t->a.audit_ref, t->who,
			     NULL, NULL);
}

static char *
opt(const char *s)
{
	return s != NULL && s[0] != '\0' ? (char *)(uintptr_t)s : NULL;
}

enum account_result
account_update_profile(struct worker *w, int64_t account_id,
		       const struct account_profile_input *p,
		       const struct account_actor *who,
		       struct account_errors *errs)
{
	struct store_account cur;
	struct profile_tx t;
	int rc;

	account_profile_validate(p, errs);
	if (errs->n > 0)
		return ACCOUNT_INVALID;
	memset(&cur, 0, sizeof(cur));
	rc = store_account_select_by_id(w->store, account_id, &cur);
	if (rc != STORE_ONE_ROW)
		return rc < 0 ? ACCOUNT_UNAVAILABLE : ACCOUNT_ERROR;
	memset(&t, 0, sizeof(t));
	t.who = who;
	t.a.id = account_id;
	t.a.audit_ref = cur.audit_ref;
	t.a.given_name = (char *)(uintptr_t)p->given_name;
	t.a.family_name = (char *)(uintptr_t)p->family_name;
	t.a.birth_date = opt(p->birth_date);
	t.a.street = opt(p->street);
	t.a.postal_code = opt(p->postal_code);
	t.a.city = opt(p->city);
	rc = account_tx(w, "account_profile", profile_cb, &t);
	store_account_clear(&cur);
	return account_tx_result(rc);
}

struct email_tx {
	int64_t id;
	const char *new_email;
	const char *password;
	const struct account_actor *who;
	const struct cfg *cfg;
	enum account_result res; /* out */
	bool same;		 /* out: the new address is the current one */
	unsigned retry_after;	 /* out */
};

static int
email_cb(struct store *s, void *cls)
{
	struct email_tx *t = cls;
	struct store_account a;
	struct account_token tok;
	struct page_vars *v = page_vars_new();
	char *link = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&tok, 0, sizeof(tok));
	t->res = ACCOUNT_ERROR;
	t->same = false;
	rc = store_account_select_by_id(s, t->id, &a);
	if (rc != STORE_ONE_ROW)
		goto out;
	rc = account_reauth(s, &a, t->password, t->who, NULL, &t->res,
			    &t->retry_after);
	if (rc < 0 || t->res != ACCOUNT_OK)
		goto out;
	if (g_ascii_strcasecmp(a.email, t->new_email) == 0) {
		t->same = true;
		goto out;
	}
	rc = store_account_update_pending_email(s, t->id, t->new_email);
	if (rc < 0)
		goto out;
	rc = store_email_token_delete(s, t->id, STORE_TOKEN_EMAIL_CHANGE);
	if (rc < 0)
		goto out;
	account_token_new(&tok);
	rc = store_email_token_insert(s, tok.hash, t->id,
				      STORE_TOKEN_EMAIL_CHANGE, t->new_email,
				      ACCOUNT_EMAIL_CHANGE_TTL_S);
	if (rc < 0)
		goto out;
	/*
	 * The link goes to the new address even when it belongs to another
	 * account: whether it does is only checked when the link is used,
	 * so this form reveals nothing about other accounts.
	 */
	link = account_link(t->cfg, "/account/email/confirm", tok.text);
	page_vars_set(v, "given_name", a.given_name);
	page_vars_set(v, "link", link);
	page_vars_set(v, "new_email", t->new_email);
	rc = account_mail(s, t->new_email, "email_change_verify",
			  t->who->lang, v);
	if (rc < 0)
		goto out;
	rc = account_mail(s, a.email, "email_changed_old", t->who->lang, v);
	if (rc >= 0)
		rc = account_audit(s, "email_change_requested", a.audit_ref,
				   t->who, NULL, NULL);
out:
	crypt_wipe(&tok, sizeof(tok));
	store_account_clear(&a);
	page_vars_free(v);
	g_free(link);
	return rc;
}

enum account_result
account_change_email(struct worker *w, int64_t account_id,
		     const char *new_email, const char *password,
		     const struct account_actor *who,
		     struct account_errors *errs, unsigned *retry_after)
{
	struct email_tx t = {.id = account_id,
			     .new_email = new_email,
			     .password = password,
			     .who = who,
			     .cfg = w->cfg};
	int rc;

	*retry_after = 0;
	if (new_email == NULL || !mail_address_valid(new_email)) {
		account_errors_add(errs, "new_email", "err.email_invalid");
		return ACCOUNT_INVALID;
	}
	rc = account_tx(w, "account_email", email_cb, &t);
	if (rc < 0)
		return ACCOUNT_UNAVAILABLE;
	switch (t.res) {
	case ACCOUNT_OK:
		break;
	case ACCOUNT_THROTTLED:
		*retry_after = t.retry_after;
		return ACCOUNT_THROTTLED;
	case ACCOUNT_FAILED:
		account_errors_add(errs, "current_password",
				   "err.password_wrong");
		return ACCOUNT_INVALID;
	case ACCOUNT_INVALID:
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		/* No such account: the session outlived it. */
		return ACCOUNT_ERROR;
	}
	if (t.same) {
		account_errors_add(errs, "new_email", "err.email_same");
		return ACCOUNT_INVALID;
	}
	return ACCOUNT_OK;
}

static int
confirm_act(struct store *s, const struct store_account *a, const char *email)
{
	/* Taken meanwhile, or superseded by a newer request: refused. */
	return store_account_update_email(s, a->id, email);
}

enum account_result
account_confirm_email(struct worker *w, const char *token,
		      const struct account_actor *who)
{
	return account_link_use(w, token, STORE_TOKEN_EMAIL_CHANGE,
				"email_changed", confirm_act, who);
}

struct delete_tx {
	const struct store_account *a;
	const char *password;
	const struct account_actor *who;
	enum account_result res; /* out */
	unsigned retry_after;	 /* out */
};

static int
delete_cb(struct store *s, void *cls)
{
	struct delete_tx *t = cls;
	struct page_vars *v = NULL;
	int rc;

	rc = account_reauth(s, t->a, t->password, t->who, NULL, &t->res,
			    &t->retry_after);
	if (rc < 0 || t->res != ACCOUNT_OK)
		return rc;
	/* The mail is rendered and queued before the data is gone. */
	v = page_vars_new();
	page_vars_set(v, "given_name", t->a->given_name);
	rc = account_mail(s, t->a->email, "account_deleted", t->who->lang, v);
	page_vars_free(v);
	if (rc < 0)
		return rc;
	rc = store_account_delete(s, t->a->id);
	if (rc < 0)
		return rc;
	/* Only the pseudonymous reference stays, in the audit log. */
	return account_audit(s, "account_deleted", t->a->audit_ref, t->who,
			     NULL, NULL);
}

enum account_result
account_delete(struct worker *w, int64_t account_id, const char *password,
	       const struct account_actor *who, struct account_errors *errs,
	       unsigned *retry_after)
{
	struct store_account a;
	int rc;

	*retry_after = 0;
	memset(&a, 0, sizeof(a));
	rc = store_account_select_by_id(w->store, account_id, &a);
	if (rc != STORE_ONE_ROW)
		return rc < 0 ? ACCOUNT_UNAVAILABLE : ACCOUNT_ERROR;
	struct delete_tx t = {.a = &a, .password = password, .who = who};
	rc = account_tx(w, "account_delete", delete_cb, &t);
	store_account_clear(&a);
	if (rc < 0)
		return ACCOUNT_UNAVAILABLE;
	switch (t.res) {
	case ACCOUNT_OK:
		return ACCOUNT_OK;
	case ACCOUNT_THROTTLED:
		*retry_after = t.retry_after;
		return ACCOUNT_THROTTLED;
	case ACCOUNT_FAILED:
		account_errors_add(errs, "password", "err.password_wrong");
		return ACCOUNT_INVALID;
	case ACCOUNT_INVALID:
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		break;
	}
	return ACCOUNT_ERROR;
}

static void
json_member(GString *out, const char *key, const char *value, bool *first)
{
	char buf[4096];
	size_t len = 0;

	g_string_append(out, *first ? "\n  \"" : ",\n  \"");
	*first = false;
	g_string_append(out, key);
	g_string_append(out, "\": ");
	if (value == NULL) {
		g_string_append(out, "null");
		return;
	}
	buf[0] = '\0';
	log_json_escape(buf, sizeof(buf), &len, value);
	g_string_append_c(out, '"');
	g_string_append(out, buf);
	g_string_append_c(out, '"');
}

struct export_ctx {
	GString *out;
	bool first;
};

static void
export_session(const struct store_session *ss, void *cls)
{
	struct export_ctx *c = cls;
	char *row = g_strdup_printf("%lld", (long long)ss->created_at);
	bool f = true;

	g_string_append(c->out, c->first ? "\n    {" : ",\n    {");
	c->first = false;
	json_member(c->out, "created_at", row, &f);
	g_free(row);
	json_member(c->out, "auth_method", ss->auth_method, &f);
	json_member(c->out, "level_of_assurance", ss->loa, &f);
	json_member(c->out, "client", ss->client, &f);
	json_member(c->out, "user_agent", ss->user_agent, &f);
	g_string_append(c->out, "}");
}

static void
export_pairwise(const char *sp, const char *nameid, int64_t created,
		void *cls)
{
	struct export_ctx *c = cls;
	char *when = g_strdup_printf("%lld", (long long)created);
	bool f = true;

	g_string_append(c->out, c->first ? "\n    {" : ",\n    {");
	c->first = false;
	json_member(c->out, "portal", sp, &f);
	json_member(c->out, "nameid", nameid, &f);
	json_member(c->out, "created_at", when, &f);
	g_free(when);
	g_string_append(c->out, "}");
}

enum account_result
account_export(struct worker *w, int64_t account_id, char **json)
{
	struct store_account a;
	GString *out;
	bool first = true;
	int rc;

	*json = NULL;
	memset(&a, 0, sizeof(a));
	rc = store_account_select_by_id(w->store, account_id, &a);
	if (rc != STORE_ONE_ROW)
		return rc < 0 ? ACCOUNT_UNAVAILABLE : ACCOUNT_ERROR;
	out = g_string_new("{");
	json_member(out, "email", a.email, &first);
	json_member(out, "email_verified", a.email_verified ? "yes" : "no",
		    &first);
	json_member(out, "pending_email", a.pending_email, &first);
	json_member(out, "given_name", a.given_name, &first);
	json_member(out, "family_name", a.family_name, &first);
	json_member(out, "name_source", a.name_source, &first);
	json_member(out, "birth_date", a.birth_date, &first);
	json_member(out, "birth_date_source", a.birth_date_source, &first);
	json_member(out, "street", a.street, &first);
	json_member(out, "postal_code", a.postal_code, &first);
	json_member(out, "city", a.city, &first);
	json_member(out, "address_source", a.address_source, &first);
	/* The eID part (sql/013): place of birth and the linked card. */
	struct store_eidlink l;
	rc = store_eidlink_select(w->store, account_id, &l);
	if (rc != STORE_ONE_ROW) {
		store_account_clear(&a);
		g_string_free(out, TRUE);
		return rc < 0 ? ACCOUNT_UNAVAILABLE : ACCOUNT_ERROR;
	}
	json_member(out, "place_of_birth", l.place_of_birth, &first);
	json_member(out, "place_of_birth_source", l.place_of_birth_source,
		    &first);
	json_member(out, "eid_linked", l.linked ? "yes" : "no", &first);
	if (l.linked) {
		char *at = g_strdup_printf("%lld", (long long)l.linked_at);
		json_member(out, "eid_document_type", l.document_type, &first);
		json_member(out, "eid_linked_at", at, &first);
		g_free(at);
	}
	store_eidlink_clear(&l);
	json_member(out, "status", a.locked ? "locked" : "active", &first);
	char *created = g_strdup_printf("%lld", (long long)a.created_at);
	json_member(out, "created_at", created, &first);
	g_free(created);
	json_member(out, "audit_reference", a.audit_ref, &first);
	g_string_append(out, ",\n  \"sessions\": [");
	struct export_ctx c = { out, true };
	rc = store_session_iterate(w->store, account_id, NULL, export_session,
				   &c);
	g_string_append(out, c.first ? "]" : "\n  ]");
	/* The pseudonyms each portal knows the citizen by. */
	g_string_append(out, ",\n  \"portal_identifiers\": [");
	c.first = true;
	if (rc >= 0)
		rc = store_saml_pairwise_iterate(w->store, account_id,
						 export_pairwise, &c);
	g_string_append(out, c.first ? "]\n}\n" : "\n  ]\n}\n");
	store_account_clear(&a);
	if (rc < 0) {
		g_string_free(out, TRUE);
		return ACCOUNT_UNAVAILABLE;
	}
	*json = g_string_free(out, FALSE);
	return ACCOUNT_OK;
}
