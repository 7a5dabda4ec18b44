/*
 * eID flows on a logged-in account: link a card (the first, the same
 * again, a renewed one), unlink it, step a session up, and the read-only
 * rule of the fields a card confirmed.
 */
#include <stdio.h>
#include <string.h>

#include "idp/account/account_eid_internal.h"
#include "idp/common/worker.h"
#include "idp/eid/eid.h"
#include "idp/log/log.h"
#include "idp/page/page.h"
#include "idp/session/session.h"

const char *
account_eid_outcome_name(enum account_eid_outcome o)
{
	switch (o) {
	case ACCOUNT_EID_LINKED:
		return "linked";
	case ACCOUNT_EID_REFRESHED:
		return "refreshed";
	case ACCOUNT_EID_REPLACED:
		return "replaced";
	case ACCOUNT_EID_TAKEN:
		return "card linked to another account";
	case ACCOUNT_EID_MISMATCH:
		return "names or date of birth differ";
	case ACCOUNT_EID_GONE:
		return "held identity expired";
	case ACCOUNT_EID_UNUSABLE:
		return "card data does not fit an account";
	}
	return "unknown";
}

/* Characters (not bytes) of a UTF-8 string, at most @max; NULL is fine. */
static bool
fits(const char *s, long max)
{
	return s == NULL ||
	       (g_utf8_validate(s, -1, NULL) && g_utf8_strlen(s, -1) <= max);
}

/* A full, valid "YYYY-MM-DD" (a card may give "1964-08-  " or less). */
static bool
full_date(const char *s)
{
	unsigned y, m, d;
	char end;

	if (s == NULL || strlen(s) != 10 ||
	    sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &end) != 3 || y < 1 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	return g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y);
}

bool
account_eid_person_ok(const struct store_eid_person *p)
{
	return p->family_name != NULL && p->family_name[0] != '\0' &&
	       p->given_names != NULL && p->given_names[0] != '\0' &&
	       fits(p->family_name, ACCOUNT_NAME_MAX_CHARS) &&
	       fits(p->given_names, ACCOUNT_NAME_MAX_CHARS) &&
	       fits(p->place_of_birth, ACCOUNT_CITY_MAX_CHARS) &&
	       fits(p->street, ACCOUNT_STREET_MAX_CHARS) &&
	       fits(p->postal_code, ACCOUNT_POSTAL_CODE_MAX_CHARS) &&
	       fits(p->city, ACCOUNT_CITY_MAX_CHARS);
}

bool
account_eid_person(const struct eid_identity *id, struct store_eid_person *p)
{
	memset(p, 0, sizeof(*p));
	p->family_name = id->family_name;
	p->given_names = id->given_names;
	p->birth_date = full_date(id->birth_date) ? id->birth_date : NULL;
	p->place_of_birth = id->place_of_birth;
	p->street = id->street;
	p->postal_code = id->postal_code;
	p->city = id->city;
	p->document_type =
		id->document_type != NULL && strlen(id->document_type) <= 16
			? id->document_type
			: NULL;
	return account_eid_person_ok(p);
}

int
account_eid_hash(struct worker *w, const struct eid_identity *id,
		 uint8_t hash[STORE_HASH_BYTES])
{
	if (id->pseudonym == NULL || id->pseudonym[0] == '\0' ||
	    eid_pseudonym_hash(w->store, id->pseudonym, hash) != 0) {
		log_kv(LOG_LEVEL_ERROR, "eid_pseudonym_hash_failed", NULL);
		return -1;
	}
	return 0;
}

static bool
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
notice_mail(struct store *s, const struct store_account *a, const char *tmpl,
	    const struct account_actor *who)
{
	struct page_vars *v = page_vars_new();
	int rc;

	page_vars_set(v, "given_name", a->given_name);
	rc = account_mail(s, a->email, tmpl, who->lang, v);
	page_vars_free(v);
	return rc;
}

int
account_eid_link_tx(struct store *s, const struct store_account *a,
		    const uint8_t hash[STORE_HASH_BYTES],
		    const struct store_eid_person *p, int64_t session_id,
		    const char *session_method, const struct account_actor *who,
		    enum account_eid_outcome *out)
{
	struct store_eidlink link;
	int64_t owner = 0;
	const char *event;
	int rc;

	memset(&link, 0, sizeof(link));
	rc = store_eidlink_select_by_pseudonym(s, hash, &owner);
	if (rc < 0)
		goto out;
	if (rc == STORE_ONE_ROW && owner != a->id) {
		/*
		 * One card, one account: the citizen is told, the attempt
		 * is audited on the account that tried (not on the owner's,
		 * so the log does not tie the two accounts together).
		 */
		*out = ACCOUNT_EID_TAKEN;
		rc = account_audit(s, "eid_link_refused", a->audit_ref, who,
				   "reason", account_eid_outcome_name(*out));
		goto out;
	}
	rc = store_eidlink_select(s, a->id, &link);
	if (rc < 0)
		goto out;
	if (rc == STORE_NO_ROW) {
		rc = STORE_HARD_ERROR; /* the account is gone: retry finds out
					*/
		goto out;
	}
	if (owner == a->id) {
		*out = ACCOUNT_EID_REFRESHED;
		event = "eid_link_refreshed";
	} else if (link.linked) {
		/*
		 * A renewed card has a new pseudonym. It replaces the old one
		 * only for the same person: the names and date of birth the
		 * old card confirmed must be those of the new one, else a
		 * session thief could swap in a card of their own.
		 */
		if (!same(a->family_name, p->family_name) ||
		    !same(a->given_name, p->given_names) ||
		    !same(a->birth_date, p->birth_date)) {
			*out = ACCOUNT_EID_MISMATCH;
			rc = account_audit(s, "eid_link_refused", a->audit_ref,
					   who, "reason",
					   account_eid_outcome_name(*out));
			goto out;
		}
		rc = store_eidlink_replace(s, a->id, hash, p->document_type);
		if (rc == STORE_NO_ROW) {
			/* Linked elsewhere a moment ago. */
			*out = ACCOUNT_EID_TAKEN;
			rc = account_audit(s, "eid_link_refused", a->audit_ref,
					   who, "reason",
					   account_eid_outcome_name(*out));
			goto out;
		}
		if (rc < 0)
			goto out;
		*out = ACCOUNT_EID_REPLACED;
		event = "eid_link_replaced";
	} else {
		rc = store_eidlink_insert(s, a->id, hash, p->document_type);
		if (rc == STORE_NO_ROW) {
			*out = ACCOUNT_EID_TAKEN;
			rc = account_audit(s, "eid_link_refused", a->audit_ref,
					   who, "reason",
					   account_eid_outcome_name(*out));
			goto out;
		}
		if (rc < 0)
			goto out;
		*out = ACCOUNT_EID_LINKED;
		event = "eid_linked";
	}
	rc = store_eidlink_account_update(s, a->id, p);
	if (rc == STORE_ONE_ROW && session_id != 0)
		rc = store_eidlink_session_raise(s, session_id, session_method,
						 "high");
	if (rc < 0)
		goto out;
	rc = account_audit(s, event, a->audit_ref, who, "document_type",
			   p->document_type != NULL ? p->document_type : "");
	if (rc >= 0 && *out != ACCOUNT_EID_REFRESHED)
		rc = notice_mail(s, a, "eid_linked", who);
out:
	store_eidlink_clear(&link);
	return rc;
}

enum account_result
account_eid_state(struct worker *w, int64_t account_id,
		  struct store_eidlink *out)
{
	int rc = store_eidlink_select(w->store, account_id, out);

	if (rc < 0)
		return ACCOUNT_UNAVAILABLE;
	return rc == STORE_ONE_ROW ? ACCOUNT_OK : ACCOUNT_FAILED;
}

struct link_tx {
	const struct session_info *si;
	const uint8_t *hash;
	const struct store_eid_person *p;
	const struct account_actor *who;
	enum account_eid_outcome out;
};

static int
link_cb(struct store *s, void *cls)
{
	struct link_tx *t = cls;

	return account_eid_link_tx(s, &t->si->account, t->hash, t->p,
				   t->si->session.id,
				   t->si->session.auth_method, t->who, &t->out);
}

enum account_result
account_eid_link(struct worker *w, const struct session_info *si,
		 const struct eid_identity *id, const struct account_actor *who,
		 enum account_eid_outcome *out)
{
	uint8_t hash[STORE_HASH_BYTES];
	struct store_eid_person p;
	struct link_tx t = {.si = si, .hash = hash, .p = &p, .who = who};
	int rc;

	if (!account_eid_person(id, &p)) {
		*out = ACCOUNT_EID_UNUSABLE;
		return ACCOUNT_OK;
	}
	if (account_eid_hash(w, id, hash) != 0)
		return ACCOUNT_ERROR;
	rc = account_tx(w, "eid_link", link_cb, &t);
	crypt_wipe(hash, sizeof(hash));
	*out = t.out;
	return account_tx_result(rc);
}

/* --- unlink --- */

struct unlink_tx {
	int64_t account_id;
	const char *password;
	const struct account_actor *who;
	enum account_result res; /* out: of account_reauth() */
	unsigned retry_after;	 /* out */
	bool not_linked;
};

static int
unlink_cb(struct store *s, void *cls)
{
	struct unlink_tx *t = cls;
	struct store_account a;
	int rc;

	memset(&a, 0, sizeof(a));
	t->res = ACCOUNT_ERROR;
	t->not_linked = false;
	rc = store_account_select_by_id(s, t->account_id, &a);
	if (rc != STORE_ONE_ROW) {
		rc = rc < 0 ? rc : STORE_HARD_ERROR;
		goto out;
	}
	/*
	 * Argon2id inside the transaction: an unlink is rare, and checking
	 * the password against the row read here rules out a race with a
	 * password change.
	 */
	rc = account_reauth(s, &a, t->password, t->who, "eid_unlink_failed",
			    &t->res, &t->retry_after);
	if (rc < 0 || t->res != ACCOUNT_OK)
		goto out;
	rc = store_eidlink_delete(s, a.id);
	if (rc == STORE_NO_ROW) {
		t->not_linked = true;
		goto out;
	}
	if (rc >= 0)
		rc = store_eidlink_account_unsource(s, a.id);
	if (rc >= 0)
		rc = account_audit(s, "eid_unlinked", a.audit_ref, t->who, NULL,
				   NULL);
	if (rc >= 0)
		rc = notice_mail(s, &a, "eid_unlinked", t->who);
out:
	store_account_clear(&a);
	return rc;
}

/* What a re-authentication came to, for the callers below. */
static enum account_result
reauth_result(enum account_result res, unsigned retry_after,
	      struct account_errors *errs, unsigned *retry_out)
{
	switch (res) {
	case ACCOUNT_OK:
		return ACCOUNT_OK;
	case ACCOUNT_THROTTLED:
		*retry_out = retry_after;
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

enum account_result
account_eid_unlink(struct worker *w, int64_t account_id, const char *password,
		   const struct account_actor *who, struct account_errors *errs,
		   unsigned *retry_after)
{
	struct unlink_tx t = {
		.account_id = account_id, .password = password, .who = who};
	enum account_result res;
	int rc;

	*retry_after = 0;
	rc = account_tx(w, "eid_unlink", unlink_cb, &t);
	if (rc < 0)
		return ACCOUNT_UNAVAILABLE;
	res = reauth_result(t.res, t.retry_after, errs, retry_after);
	if (res != ACCOUNT_OK)
		return res;
	return t.not_linked ? ACCOUNT_FAILED : ACCOUNT_OK;
}

/* --- step-up --- */

struct step_up_tx {
	const struct session_info *si;
	const uint8_t *hash;
	const struct account_actor *who;
	bool ok;
};

static int
step_up_cb(struct store *s, void *cls)
{
	struct step_up_tx *t = cls;
	int64_t owner = 0;
	int rc;

	t->ok = false;
	rc = store_eidlink_select_by_pseudonym(s, t->hash, &owner);
	if (rc < 0)
		return rc;
	if (rc == STORE_NO_ROW || owner != t->si->account.id)
		return account_audit(
			s, "eid_step_up_refused", t->si->account.audit_ref,
			t->who, "reason",
			rc == STORE_NO_ROW ? "card not linked"
					   : "card linked to another account");
	rc = store_eidlink_session_raise(s, t->si->session.id, "eid", "high");
	if (rc != STORE_ONE_ROW)
		return rc;
	t->ok = true;
	return account_audit(s, "eid_step_up", t->si->account.audit_ref, t->who,
			     "session", t->si->session.handle);
}

enum account_result
account_eid_step_up(struct worker *w, const struct session_info *si,
		    const struct eid_identity *id,
		    const struct account_actor *who)
{
	uint8_t hash[STORE_HASH_BYTES];
	struct step_up_tx t = {.si = si, .hash = hash, .who = who};
	int rc;

	if (account_eid_hash(w, id, hash) != 0)
		return ACCOUNT_ERROR;
	rc = account_tx(w, "eid_step_up", step_up_cb, &t);
	crypt_wipe(hash, sizeof(hash));
	if (rc < 0)
		return ACCOUNT_UNAVAILABLE;
	return t.ok ? ACCOUNT_OK : ACCOUNT_FAILED;
}

/* --- the read-only rule of the profile form --- */

static void
readonly_one(const char *typed, const char *stored, const char *field,
	     struct account_errors *errs)
{
	const char *t = typed != NULL ? typed : NULL;
	const char *st = stored != NULL ? stored : "";

	if (t != NULL && strcmp(t, st) != 0)
		account_errors_add(errs, field, "err.eid_readonly");
}

void
account_eid_readonly_check(const struct store_account *a,
			   const struct account_profile_input *p,
			   struct account_errors *errs)
{
	if (strcmp(a->name_source, "eid") == 0) {
		readonly_one(p->given_name, a->given_name, "given_name", errs);
		readonly_one(p->family_name, a->family_name, "family_name",
			     errs);
	}
	if (strcmp(a->birth_date_source, "eid") == 0)
		readonly_one(p->birth_date, a->birth_date, "birth_date", errs);
	if (strcmp(a->address_source, "eid") == 0) {
		readonly_one(p->street, a->street, "street", errs);
		readonly_one(p->postal_code, a->postal_code, "postal_code",
			     errs);
		readonly_one(p->city, a->city, "city", errs);
	}
}

/* --- the password before a link --- */

struct reauth_tx {
	int64_t account_id;
	const char *password;
	const struct account_actor *who;
	enum account_result res; /* out: of account_reauth() */
	unsigned retry_after;	 /* out */
};

static int
reauth_cb(struct store *s, void *cls)
{
	struct reauth_tx *t = cls;
	struct store_account a;
	int rc;

	memset(&a, 0, sizeof(a));
	t->res = ACCOUNT_ERROR;
	rc = store_account_select_by_id(s, t->account_id, &a);
	if (rc == STORE_ONE_ROW)
		rc = account_reauth(s, &a, t->password, t->who,
				    "eid_link_failed", &t->res,
				    &t->retry_after);
	else if (rc == STORE_NO_ROW)
		rc = STORE_HARD_ERROR;
	store_account_clear(&a);
	return rc;
}

enum account_result
account_eid_reauth(struct worker *w, int64_t account_id, const char *password,
		   const struct account_actor *who, struct account_errors *errs,
		   unsigned *retry_after)
{
	struct reauth_tx t = {
		.account_id = account_id, .password = password, .who = who};

	*retry_after = 0;
	if (account_tx(w, "eid_reauth", reauth_cb, &t) < 0)
		return ACCOUNT_UNAVAILABLE;
	return reauth_result(t.res, t.retry_after, errs, retry_after);
}
