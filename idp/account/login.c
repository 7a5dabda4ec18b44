/* Password login with throttling, and logout. */
#include <stdio.h>
#include <string.h>

#include "idp/account/account_internal.h"
#include "idp/common/limits.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/page/page.h"
#include "idp/session/session.h"
#include "idp/throttle/throttle.h"

/* After the password check: record the outcome in one transaction. */
struct login_tx {
	const struct cfg *cfg;
	const struct account_actor *who;
	const struct throttle_keys *keys;
	const struct store_account *a; /* NULL: unknown address */
	bool ok;
	const char *new_hash;	/* rehash with current parameters, or NULL */
	const char *old_cookie;
	char *cookie;		/* out, on success */
};

static int
login_fail_cb(struct store *s, void *cls)
{
	struct login_tx *t = cls;
	struct page_vars *v = NULL;
	int64_t failures = 0;
	char count[24];
	int rc;

	rc = throttle_fail(s, t->keys, &failures);
	if (rc < 0 || t->a == NULL)
		return rc;
	snprintf(count, sizeof(count), "%lld", (long long)failures);
	rc = account_audit(s, "login_failed", t->a->audit_ref, t->who,
			   "failures", count);
	/* Tell the owner once per series, at the threshold. */
	if (rc >= 0 && failures == THROTTLE_NOTICE_AT && t->a->email_verified) {
		v = page_vars_new();
		page_vars_set(v, "given_name", t->a->given_name);
		page_vars_set(v, "count", count);
		page_vars_set(v, "client", t->who->client);
		rc = account_mail(s, t->a->email, "login_failures",
				  t->who->lang, v);
		page_vars_free(v);
	}
	return rc;
}

static int
login_ok_cb(struct store *s, void *cls)
{
	struct login_tx *t = cls;
	uint8_t old[STORE_HASH_BYTES];
	int rc;

	rc = throttle_success(s, t->keys);
	if (rc < 0)
		return rc;
	if (t->new_hash != NULL) {
		rc = store_account_update_password(s, t->a->id, t->new_hash);
		if (rc < 0)
			return rc;
	}
	/* The browser's previous session (another account, or this one). */
	if (t->old_cookie != NULL && session_cookie_hash(t->old_cookie, old)) {
		rc = store_session_delete(s, old);
		if (rc < 0)
			return rc;
	}
	rc = session_create(s, t->cfg->session_idle_s,
			    t->cfg->session_absolute_s, t->a->id, "password",
			    "low", t->who->client, t->who->user_agent,
			    t->cookie);
	if (rc < 0)
		return rc;
	return account_audit(s, "login_succeeded", t->a->audit_ref, t->who,
			     "method", "password");
}

enum account_result
account_login(struct worker *w, const char *email, const char *password,
	      const char *old_cookie, const struct account_actor *who,
	      char cookie[ACCOUNT_COOKIE_LEN + 1], unsigned *retry_after)
{
	struct throttle_keys keys;
	struct store_account a;
	struct login_tx t;
	char rehash[CRYPT_PWHASH_STRBYTES];
	bool found = false;
	int64_t wait = 0;
	int rc;

	*retry_after = 0;
	cookie[0] = '\0';
	memset(&a, 0, sizeof(a));
	throttle_keys_make(email, who->client, &keys);
	rc = throttle_wait(w->store, &keys, &wait);
	if (rc < 0)
		return ACCOUNT_UNAVAILABLE;
	if (wait > 0) {
		/*
		 * Throttled: no password check at all, so a flood costs us a
		 * lookup, not an Argon2id hash.
		 */
		*retry_after = (unsigned)wait;
		log_kv(LOG_LEVEL_INFO, "login_throttled", "client", who->client,
		       NULL);
		return ACCOUNT_THROTTLED;
	}
	if (email != NULL && email[0] != '\0' &&
	    strlen(email) <= ACCOUNT_EMAIL_MAX) {
		rc = store_account_select_by_email(w->store, email, &a);
		if (rc < 0)
			return ACCOUNT_UNAVAILABLE;
		found = rc == STORE_ONE_ROW;
	}

	/* Same work whether or not the address exists or is verified. */
	bool ok = account_password_ok(found ? &a : NULL, password);
	ok = ok && a.email_verified && !a.locked;

	memset(&t, 0, sizeof(t));
	t.cfg = w->cfg;
	t.who = who;
	t.keys = &keys;
	t.a = found ? &a : NULL;
	t.ok = ok;
	t.old_cookie = old_cookie;
	t.cookie = cookie;
	if (ok && crypt_password_needs_rehash(a.password_hash,
					      w->cfg->password_opslimit,
					      w->cfg->password_memlimit)) {
		char *nfc = NULL;
		if (crypt_password_normalize(password, strlen(password),
					     &nfc) == 0 &&
		    crypt_password_hash(nfc, w->cfg->password_opslimit,
					w->cfg->password_memlimit,
					rehash) == 0)
			t.new_hash = rehash;
		crypt_password_free(nfc);
	}
	rc = account_tx(w, ok ? "login_ok" : "login_fail",
			ok ? login_ok_cb : login_fail_cb, &t);
	crypt_wipe(rehash, sizeof(rehash));
	store_account_clear(&a);
	if (rc < 0) {
		cookie[0] = '\0';
		return ACCOUNT_UNAVAILABLE;
	}
	return ok ? ACCOUNT_OK : ACCOUNT_FAILED;
}

struct logout_tx {
	const struct session_info *si;
	const struct account_actor *who;
};

static int
logout_cb(struct store *s, void *cls)
{
	struct logout_tx *t = cls;
	int rc = store_session_delete(s, t->si->hash);

	if (rc < 0)
		return rc;
	return account_audit(s, "logout", t->si->account.audit_ref, t->who,
			     NULL, NULL);
}

enum account_result
account_logout(struct worker *w, const struct session_info *si,
	       const struct account_actor *who)
{
	struct logout_tx t = { si, who };

	return account_tx_result(account_tx(w, "logout", logout_cb, &t));
}
