/* Forgotten password (reset by mail link) and password change. */
#include <string.h>

#include "idp/account/account_internal.h"
#include "idp/common/limits.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/mail/mail.h"
#include "idp/page/page.h"

struct forgot_tx {
	const char *email;
	const struct account_actor *who;
	const struct cfg *cfg;
};

static int
forgot_cb(struct store *s, void *cls)
{
	struct forgot_tx *t = cls;
	struct store_account a;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = store_account_select_by_email(s, t->email, &a);
	/* The page says the same whether or not a mail goes out. */
	if (rc == STORE_ONE_ROW && a.email_verified && !a.locked)
		rc = account_send_link(s, t->cfg, &a, STORE_TOKEN_RESET,
				       ACCOUNT_RESET_TTL_S, "/password/reset",
				       "reset", t->who,
				       "password_reset_requested",
				       "password_reset_throttled");
	store_account_clear(&a);
	return rc;
}

enum account_result
account_forgot(struct worker *w, const char *email,
	       const struct account_actor *who)
{
	struct forgot_tx t = { email, who, w->cfg };

	if (email == NULL || !mail_address_valid(email))
		return ACCOUNT_OK;
	return account_tx_result(
		account_tx(w, "account_forgot", forgot_cb, &t));
}

bool
account_reset_token_plausible(const char *token)
{
	uint8_t h[STORE_HASH_BYTES];

	return account_token_hash(token, h);
}

struct reset_tx {
	uint8_t hash[STORE_HASH_BYTES];
	const char *password;	/* raw, checked inside against the account */
	const char *password2;
	const struct account_actor *who;
	const struct cfg *cfg;
	struct account_errors *errs;
	bool ok;
};

static int
reset_cb(struct store *s, void *cls)
{
	struct reset_tx *t = cls;
	struct store_account a;
	struct page_vars *v = NULL;
	char hash[CRYPT_PWHASH_STRBYTES];
	char *email = NULL, *nfc = NULL;
	int64_t n;
	int rc;

	memset(&a, 0, sizeof(a));
	t->ok = false;
	t->errs->n = 0;
	rc = account_token_use(s, t->hash, STORE_TOKEN_RESET, &a, &email);
	if (rc != STORE_ONE_ROW)
		goto out;
	/*
	 * The policy needs the account's names, known only now; a refused
	 * password rolls the transaction back, so the link stays usable.
	 */
	if (!account_new_password_check(t->password, t->password2, a.email,
					a.given_name, a.family_name,
					"password", t->errs, &nfc)) {
		rc = STORE_HARD_ERROR;
		goto out;
	}
	if (crypt_password_hash(nfc, t->cfg->password_opslimit,
				t->cfg->password_memlimit, hash) != 0) {
		rc = STORE_HARD_ERROR;
		goto out;
	}
	rc = store_account_update_password(s, a.id, hash);
	if (rc < 0)
		goto out;
	rc = store_session_delete_account(s, a.id, NULL, &n);
	if (rc < 0)
		goto out;
	rc = store_email_token_delete(s, a.id, STORE_TOKEN_RESET);
	if (rc < 0)
		goto out;
	v = page_vars_new();
	page_vars_set(v, "given_name", a.given_name);
	rc = account_mail(s, a.email, "password_reset_done", t->who->lang, v);
	if (rc >= 0)
		rc = account_audit(s, "password_reset", a.audit_ref, t->who,
				   NULL, NULL);
	t->ok = rc >= 0;
out:
	crypt_wipe(hash, sizeof(hash));
	crypt_password_free(nfc);
	free(email);
	store_account_clear(&a);
	page_vars_free(v);
	return rc;
}

enum account_result
account_reset(struct worker *w, const char *token, const char *password,
	      const char *password2, const struct account_actor *who,
	      struct account_errors *errs)
{
	struct reset_tx t = { .password = password,
			      .password2 = password2,
			      .who = who,
			      .cfg = w->cfg,
			      .errs = errs };
	int rc;

	if (!account_token_hash(token, t.hash))
		return ACCOUNT_FAILED;
	rc = account_tx(w, "account_reset", reset_cb, &t);
	if (errs->n > 0)
		return ACCOUNT_INVALID;
	if (rc < 0 && rc != STORE_HARD_ERROR)
		return ACCOUNT_UNAVAILABLE;
	return t.ok ? ACCOUNT_OK : ACCOUNT_FAILED;
}

struct change_tx {
	const struct cfg *cfg;
	int64_t id;
	const uint8_t *keep;
	const char *current;
	const char *password;
	const char *password2;
	const struct account_actor *who;
	struct account_errors *errs;
	enum account_result res; /* out */
	unsigned retry_after;	 /* out */
};

static int
change_cb(struct store *s, void *cls)
{
	struct change_tx *t = cls;
	struct store_account a;
	struct page_vars *v = NULL;
	char hash[CRYPT_PWHASH_STRBYTES];
	char *nfc = NULL;
	int64_t n;
	int rc;

	memset(&a, 0, sizeof(a));
	hash[0] = '\0';
	t->res = ACCOUNT_ERROR;
	rc = store_account_select_by_id(s, t->id, &a);
	if (rc != STORE_ONE_ROW)
		goto out;
	/*
	 * The current password first: the policy of the new one (which
	 * names the address and the names) is only told to its owner.
	 */
	rc = account_reauth(s, &a, t->current, t->who, NULL, &t->res,
			    &t->retry_after);
	if (rc < 0 || t->res != ACCOUNT_OK)
		goto out;
	if (!account_new_password_check(t->password, t->password2, a.email,
					a.given_name, a.family_name, "password",
					t->errs, &nfc)) {
		t->res = ACCOUNT_INVALID;
		goto out;
	}
	/* Argon2id inside: a change is rare, and it needs the row read here. */
	if (crypt_password_hash(nfc, t->cfg->password_opslimit,
				t->cfg->password_memlimit, hash) != 0) {
		/* Nothing changes; the right password still counts. */
		t->res = ACCOUNT_ERROR;
		goto out;
	}
	rc = store_account_update_password(s, t->id, hash);
	if (rc < 0)
		goto out;
	rc = store_session_delete_account(s, t->id, t->keep, &n);
	if (rc < 0)
		goto out;
	v = page_vars_new();
	page_vars_set(v, "given_name", a.given_name);
	rc = account_mail(s, a.email, "password_changed", t->who->lang, v);
	if (rc >= 0)
		rc = account_audit(s, "password_changed", a.audit_ref, t->who,
				   NULL, NULL);
out:
	crypt_wipe(hash, sizeof(hash));
	crypt_password_free(nfc);
	store_account_clear(&a);
	page_vars_free(v);
	return rc;
}

enum account_result
account_change_password(struct worker *w, int64_t account_id,
			const uint8_t *session_hash, const char *current,
			const char *password, const char *password2,
			const struct account_actor *who,
			struct account_errors *errs, unsigned *retry_after)
{
	struct change_tx t = {.cfg = w->cfg,
			      .id = account_id,
			      .keep = session_hash,
			      .current = current,
			      .password = password,
			      .password2 = password2,
			      .who = who,
			      .errs = errs};
	int rc;

	*retry_after = 0;
	rc = account_tx(w, "account_password_change", change_cb, &t);
	if (rc < 0)
		return ACCOUNT_UNAVAILABLE;
	switch (t.res) {
	case ACCOUNT_OK:
	case ACCOUNT_INVALID:
		return t.res;
	case ACCOUNT_THROTTLED:
		*retry_after = t.retry_after;
		return ACCOUNT_THROTTLED;
	case ACCOUNT_FAILED:
		account_errors_add(errs, "current_password",
				   "err.password_wrong");
		return ACCOUNT_INVALID;
	case ACCOUNT_UNAVAILABLE:
	case ACCOUNT_ERROR:
		break;
	}
	return ACCOUNT_ERROR;
}
