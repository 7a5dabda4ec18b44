/*
 * eID flows without a session: log in with a linked card; hold the
 * verified identity of an unknown card, then either register a new
 * account pre-filled with it or link it after a password login.
 */
#include <string.h>

#include "idp/account/account_eid_internal.h"
#include "idp/common/limits.h"
#include "idp/common/worker.h"
#include "idp/eid/eid.h"
#include "idp/log/log.h"
#include "idp/mail/mail.h"
#include "idp/page/page.h"
#include "idp/session/session.h"

/* The hash of a hold handle from a cookie; false when malformed. */
static bool
handle_hash(const char *handle, uint8_t hash[STORE_HASH_BYTES])
{
	uint8_t raw[CRYPT_TOKEN_BYTES];

	if (handle == NULL || crypt_token_parse(handle, raw) != 0)
		return false;
	crypt_token_hash(raw, hash);
	crypt_wipe(raw, sizeof(raw));
	return true;
}

/* --- login --- */

struct login_tx {
	const struct cfg *cfg;
	const uint8_t *hash;
	const struct store_eid_person *p;
	const char *pending;
	const char *old_cookie;
	const struct account_actor *who;
	enum account_eid_login_result res;
	char *cookie;
	char *handle;
};

static int
hold_new(struct store *s, struct login_tx *t)
{
	struct store_eid_hold h;
	uint8_t raw[CRYPT_TOKEN_BYTES], hh[STORE_HASH_BYTES];
	int rc;

	memset(&h, 0, sizeof(h));
	memcpy(h.pseudonym_hash, t->hash, STORE_HASH_BYTES);
	h.person = *t->p;
	h.pending = (char *)(uintptr_t)t->pending;
	crypt_token_new(raw);
	crypt_token_hash(raw, hh);
	rc = store_eidlink_hold_insert(s, hh, &h, ACCOUNT_EID_HOLD_TTL_S);
	if (rc >= 0) {
		crypt_token_format(raw, t->handle);
		t->res = ACCOUNT_EID_LOGIN_UNKNOWN;
		/* No account yet: the row names none. */
		rc = account_audit(s, "eid_identity_held", NULL, t->who, NULL,
				   NULL);
	}
	crypt_wipe(raw, sizeof(raw));
	crypt_wipe(hh, sizeof(hh));
	explicit_bzero(&h, sizeof(h));
	return rc;
}

static int
login_cb(struct store *s, void *cls)
{
	struct login_tx *t = cls;
	struct store_account a;
	uint8_t old[STORE_HASH_BYTES];
	int64_t id = 0;
	int rc;

	memset(&a, 0, sizeof(a));
	t->cookie[0] = '\0';
	t->handle[0] = '\0';
	rc = store_eidlink_select_by_pseudonym(s, t->hash, &id);
	if (rc < 0)
		goto out;
	if (rc == STORE_NO_ROW && t->p->family_name == NULL) {
		t->res = ACCOUNT_EID_LOGIN_UNUSABLE;
		goto out;
	}
	if (rc == STORE_NO_ROW) {
		rc = hold_new(s, t);
		goto out;
	}
	rc = store_account_select_by_id(s, id, &a);
	if (rc != STORE_ONE_ROW) {
		rc = rc < 0 ? rc : STORE_HARD_ERROR;
		goto out;
	}
	if (a.locked || !a.email_verified) {
		/* The same refusal as a failed password login. */
		t->res = ACCOUNT_EID_LOGIN_REFUSED;
		rc = account_audit(s, "login_failed", a.audit_ref, t->who,
				   "method", "eid");
		goto out;
	}
	/* The browser's previous session ends: no fixation, no mix-up. */
	if (t->old_cookie != NULL && session_cookie_hash(t->old_cookie, old)) {
		rc = store_session_delete(s, old);
		if (rc < 0)
			goto out;
	}
	rc = session_create(s, t->cfg->session_idle_s,
			    t->cfg->session_absolute_s, a.id, "eid", "high",
			    t->who->client, t->who->user_agent, t->cookie);
	if (rc < 0)
		goto out;
	t->res = ACCOUNT_EID_LOGIN_OK;
	rc = account_audit(s, "login_succeeded", a.audit_ref, t->who, "method",
			   "eid");
out:
	store_account_clear(&a);
	crypt_wipe(old, sizeof(old));
	return rc;
}

enum account_result
account_eid_login(struct worker *w, const struct eid_identity *id,
		  const char *pending, const char *old_cookie,
		  const struct account_actor *who,
		  enum account_eid_login_result *res,
		  char cookie[ACCOUNT_COOKIE_LEN + 1],
		  char handle[CRYPT_TOKEN_TEXT_LEN + 1])
{
	uint8_t hash[STORE_HASH_BYTES];
	struct store_eid_person p;
	struct login_tx t = {.cfg = w->cfg,
			     .hash = hash,
			     .p = &p,
			     .pending = pending,
			     .old_cookie = old_cookie,
			     .who = who,
			     .cookie = cookie,
			     .handle = handle};
	int rc;

	cookie[0] = '\0';
	handle[0] = '\0';
	/*
	 * A card whose data does not fit an account can still log in to a
	 * linked account; it just cannot be held for a new one.
	 */
	if (!account_eid_person(id, &p))
		memset(&p, 0, sizeof(p));
	if (account_eid_hash(w, id, hash) != 0)
		return ACCOUNT_ERROR;
	rc = account_tx(w, "eid_login", login_cb, &t);
	crypt_wipe(hash, sizeof(hash));
	if (rc < 0) {
		crypt_wipe(cookie, ACCOUNT_COOKIE_LEN + 1);
		handle[0] = '\0';
		return ACCOUNT_UNAVAILABLE;
	}
	*res = t.res;
	return ACCOUNT_OK;
}

enum account_result
account_eid_hold_peek(struct worker *w, const char *handle,
		      struct store_eid_hold *out)
{
	uint8_t hh[STORE_HASH_BYTES];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!handle_hash(handle, hh))
		return ACCOUNT_FAILED;
	rc = store_eidlink_hold_select(w->store, hh, out);
	crypt_wipe(hh, sizeof(hh));
	if (rc < 0)
		return ACCOUNT_UNAVAILABLE;
	return rc == STORE_ONE_ROW ? ACCOUNT_OK : ACCOUNT_FAILED;
}

/* --- link after a password login --- */

struct held_tx {
	const struct session_info *si;
	const uint8_t *hh;
	const struct account_actor *who;
	enum account_eid_outcome out;
};

static int
held_cb(struct store *s, void *cls)
{
	struct held_tx *t = cls;
	struct store_eid_hold h;
	int rc;

	rc = store_eidlink_hold_take(s, t->hh, &h);
	if (rc == STORE_NO_ROW) {
		t->out = ACCOUNT_EID_GONE;
		return STORE_NO_ROW;
	}
	if (rc >= 0 && !account_eid_person_ok(&h.person)) {
		t->out = ACCOUNT_EID_UNUSABLE;
		goto out;
	}
	if (rc >= 0)
		rc = account_eid_link_tx(s, &t->si->account, h.pseudonym_hash,
					 &h.person, 0, NULL, t->who, &t->out);
out:
	store_eid_hold_clear(&h);
	return rc;
}

enum account_result
account_eid_link_held(struct worker *w, const struct session_info *si,
		      const char *handle, const struct account_actor *who,
		      enum account_eid_outcome *out)
{
	uint8_t hh[STORE_HASH_BYTES];
	struct held_tx t = {.si = si, .hh = hh, .who = who};
	int rc;

	*out = ACCOUNT_EID_GONE;
	if (!handle_hash(handle, hh))
		return ACCOUNT_OK;
	rc = account_tx(w, "eid_link_held", held_cb, &t);
	crypt_wipe(hh, sizeof(hh));
	*out = t.out;
	return account_tx_result(rc);
}

/* --- registration pre-filled from the card --- */

struct register_tx {
	const struct cfg *cfg;
	const uint8_t *hh;
	const char *email;
	const char *password_hash;
	const struct account_actor *who;
	char audit_ref[33];
	enum account_eid_outcome out;
	bool failed;
};

static int
register_existing(struct store *s, struct register_tx *t,
		  const struct store_account *existing)
{
	struct page_vars *v = page_vars_new();
	char *link = g_strdup_printf("%s/login", t->cfg->public_url);
	char *link2 = g_strdup_printf("%s/password/forgot", t->cfg->public_url);
	int rc;

	/* As account_register(): the same answer, a mail to the owner. */
	page_vars_set(v, "given_name", existing->given_name);
	page_vars_set(v, "link_login", link);
	page_vars_set(v, "link_forgot", link2);
	rc = account_mail(s, existing->email, "exists", t->who->lang, v);
	if (rc >= 0)
		rc = account_audit(s, "registration_existing_email",
				   existing->audit_ref, t->who, NULL, NULL);
	page_vars_free(v);
	g_free(link);
	g_free(link2);
	return rc;
}

static int
register_cb(struct store *s, void *cls)
{
	struct register_tx *t = cls;
	struct store_account a, existing;
	struct store_eid_hold h;
	struct account_token tok;
	struct page_vars *v = NULL;
	char *link = NULL;
	int64_t owner = 0;
	bool address;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&existing, 0, sizeof(existing));
	memset(&tok, 0, sizeof(tok));
	t->failed = false;
	rc = store_eidlink_hold_take(s, t->hh, &h);
	if (rc == STORE_NO_ROW) {
		t->failed = true;
		t->out = ACCOUNT_EID_GONE;
		goto out;
	}
	if (rc < 0)
		goto out;
	if (!account_eid_person_ok(&h.person)) {
		t->failed = true;
		t->out = ACCOUNT_EID_UNUSABLE;
		goto out;
	}
	rc = store_account_select_by_email(s, t->email, &existing);
	if (rc < 0)
		goto out;
	if (rc == STORE_ONE_ROW) {
		rc = register_existing(s, t, &existing);
		goto out;
	}
	rc = store_eidlink_select_by_pseudonym(s, h.pseudonym_hash, &owner);
	if (rc < 0)
		goto out;
	if (rc == STORE_ONE_ROW) {
		/* Linked since it was held (another tab): nothing to make. */
		t->failed = true;
		t->out = ACCOUNT_EID_TAKEN;
		rc = STORE_NO_ROW;
		goto out;
	}
	address = h.person.city != NULL;
	a.audit_ref = t->audit_ref;
	a.email = (char *)(uintptr_t)t->email;
	a.password_hash = (char *)(uintptr_t)t->password_hash;
	a.given_name = h.person.given_names;
	a.family_name = h.person.family_name;
	a.birth_date = h.person.birth_date;
	if (address) {
		a.street = h.person.street;
		a.postal_code = h.person.postal_code;
		a.city = h.person.city;
	}
	a.name_source = (char *)(uintptr_t) "eid";
	a.birth_date_source =
		(char *)(uintptr_t)(h.person.birth_date ? "eid" : "self");
	a.address_source = (char *)(uintptr_t)(address ? "eid" : "self");
	rc = store_account_insert(s, &a);
	if (rc == STORE_NO_ROW) {
		rc = STORE_SOFT_ERROR; /* the address was taken a moment ago */
		goto out;
	}
	if (rc >= 0)
		rc = store_eidlink_insert(s, a.id, h.pseudonym_hash,
					  h.person.document_type);
	if (rc == STORE_NO_ROW)
		rc = STORE_SOFT_ERROR; /* linked a moment ago: retry sees it */
	if (rc >= 0)
		rc = store_eidlink_account_update(s, a.id, &h.person);
	if (rc < 0)
		goto out;
	account_token_new(&tok);
	rc = store_email_token_insert(s, tok.hash, a.id, STORE_TOKEN_VERIFY,
				      a.email, ACCOUNT_VERIFY_TTL_S);
	if (rc < 0)
		goto out;
	v = page_vars_new();
	link = account_link(t->cfg, "/verify", tok.text);
	page_vars_set(v, "given_name", a.given_name);
	page_vars_set(v, "link", link);
	rc = account_mail(s, a.email, "verify", t->who->lang, v);
	if (rc >= 0)
		rc = account_audit(s, "account_registered", a.audit_ref, t->who,
				   "method", "eid");
	if (rc >= 0)
		rc = account_audit(
			s, "eid_linked", a.audit_ref, t->who, "document_type",
			h.person.document_type ? h.person.document_type : "");
	t->out = ACCOUNT_EID_LINKED;
out:
	crypt_wipe(&tok, sizeof(tok));
	store_account_clear(&existing);
	store_eid_hold_clear(&h);
	page_vars_free(v);
	g_free(link);
	return rc;
}

enum account_result
account_eid_register(struct worker *w, const char *handle,
		     const struct account_registration *r,
		     const struct account_actor *who,
		     struct account_errors *errs, enum account_eid_outcome *out)
{
	struct store_eid_hold peek;
	char hash[CRYPT_PWHASH_STRBYTES];
	uint8_t hh[STORE_HASH_BYTES], ref[16];
	char *nfc = NULL;
	int rc;

	*out = ACCOUNT_EID_GONE;
	memset(&peek, 0, sizeof(peek));
	if (!handle_hash(handle, hh))
		return ACCOUNT_FAILED;
	/* The names for the password rules: the card's, from the hold. */
	rc = store_eidlink_hold_select(w->store, hh, &peek);
	if (rc < 0)
		return ACCOUNT_UNAVAILABLE;
	if (rc == STORE_NO_ROW)
		return ACCOUNT_FAILED;
	if (r->email == NULL || !mail_address_valid(r->email))
		account_errors_add(errs, "email", "err.email_invalid");
	account_new_password_check(
		r->password, r->password2, r->email, peek.person.given_names,
		peek.person.family_name, "password", errs, &nfc);
	store_eid_hold_clear(&peek);
	if (errs->n > 0) {
		crypt_password_free(nfc);
		return ACCOUNT_INVALID;
	}
	if (crypt_password_hash(nfc, w->cfg->password_opslimit,
				w->cfg->password_memlimit, hash) != 0) {
		crypt_password_free(nfc);
		return ACCOUNT_ERROR;
	}
	crypt_password_free(nfc);

	struct register_tx t = {.cfg = w->cfg,
				.hh = hh,
				.email = r->email,
				.password_hash = hash,
				.who = who};
	crypt_random(ref, sizeof(ref));
	crypt_hex(ref, sizeof(ref), t.audit_ref, sizeof(t.audit_ref));
	rc = account_tx(w, "eid_register", register_cb, &t);
	crypt_wipe(hash, sizeof(hash));
	crypt_wipe(hh, sizeof(hh));
	*out = t.out;
	if (rc < 0)
		return ACCOUNT_UNAVAILABLE;
	return t.failed ? ACCOUNT_FAILED : ACCOUNT_OK;
}

int
account_eid_purge(struct store *s, int64_t *n)
{
	return store_eidlink_hold_purge(s, n);
}
