/* Registration, e-mail verification and resending the link. */
#include <string.h>

#include "idp/account/account_internal.h"
#include "idp/common/limits.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/mail/mail.h"
#include "idp/page/page.h"
#include "idp/throttle/throttle.h"

static char *
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0' ? (char *)(uintptr_t)s : NULL;
}

struct register_tx {
	const struct account_registration *r;
	const struct account_actor *who;
	const struct cfg *cfg;
	const char *password_hash;
	char audit_ref[33];
};

static int
register_cb(struct store *s, void *cls)
{
	struct register_tx *t = cls;
	struct store_account a, existing;
	struct account_token tok;
	struct page_vars *v = page_vars_new();
	char *link = NULL, *link2 = NULL;
	int rc;

	memset(&existing, 0, sizeof(existing));
	rc = store_account_select_by_email(s, t->r->email, &existing);
	if (rc < 0)
		goto out;
	if (rc == STORE_ONE_ROW) {
		bool send = false;

		/*
		 * Taken: the page says the same as for a new address; the
		 * owner learns of the attempt by mail instead, but only of
		 * the first few in a row (anybody can type the address).
		 */
		rc = throttle_notice(s, existing.email, &send);
		if (rc < 0)
			goto out;
		link = g_strdup_printf("%s/login", t->cfg->public_url);
		link2 = g_strdup_printf("%s/password/forgot",
					t->cfg->public_url);
		page_vars_set(v, "given_name", existing.given_name);
		page_vars_set(v, "link_login", link);
		page_vars_set(v, "link_forgot", link2);
		if (send)
			rc = account_mail(s, existing.email, "exists",
					  t->who->lang, v);
		if (rc >= 0)
			rc = account_audit(s, "registration_existing_email",
					   existing.audit_ref, t->who,
					   "notice", send ? "sent" : "limit");
		goto out;
	}

	memset(&a, 0, sizeof(a));
	a.audit_ref = t->audit_ref;
	a.email = (char *)(uintptr_t)t->r->email;
	a.password_hash = (char *)(uintptr_t)t->password_hash;
	a.given_name = (char *)(uintptr_t)t->r->profile.given_name;
	a.family_name = (char *)(uintptr_t)t->r->profile.family_name;
	a.birth_date = nonempty(t->r->profile.birth_date);
	a.street = nonempty(t->r->profile.street);
	a.postal_code = nonempty(t->r->profile.postal_code);
	a.city = nonempty(t->r->profile.city);
	rc = store_account_insert(s, &a);
	if (rc == STORE_NO_ROW) {
		/* Registered by someone else a moment ago: try once more. */
		rc = STORE_SOFT_ERROR;
		goto out;
	}
	if (rc < 0)
		goto out;
	account_token_new(&tok);
	rc = store_email_token_insert(s, tok.hash, a.id, STORE_TOKEN_VERIFY,
				      a.email, ACCOUNT_VERIFY_TTL_S);
	if (rc < 0)
		goto out;
	link = account_link(t->cfg, "/verify", tok.text);
	page_vars_set(v, "given_name", a.given_name);
	page_vars_set(v, "link", link);
	rc = account_mail(s, a.email, "verify", t->who->lang, v);
	if (rc >= 0)
		rc = account_audit(s, "account_registered", a.audit_ref,
				   t->who, NULL, NULL);
out:
	crypt_wipe(&tok, sizeof(tok));
	store_account_clear(&existing);
	page_vars_free(v);
	g_free(link);
	g_free(link2);
	return rc;
}

enum account_result
account_register(struct worker *w, const struct account_registration *r,
		 const struct account_actor *who, struct account_errors *errs)
{
	char hash[CRYPT_PWHASH_STRBYTES];
	char *nfc = NULL;
	uint8_t ref[16];
	int rc;

	if (r->email == NULL || !mail_address_valid(r->email))
		account_errors_add(errs, "email", "err.email_invalid");
	account_profile_validate(&r->profile, errs);
	account_new_password_check(r->password, r->password2, r->email,
				   r->profile.given_name,
				   r->profile.family_name, "password", errs,
				   &nfc);
	if (errs->n > 0) {
		crypt_password_free(nfc);
		return ACCOUNT_INVALID;
	}
	/* The slow part, outside the transaction. */
	if (crypt_password_hash(nfc, w->cfg->password_opslimit,
				w->cfg->password_memlimit, hash) != 0) {
		crypt_password_free(nfc);
		return ACCOUNT_ERROR;
	}
	crypt_password_free(nfc);

	struct register_tx t = { .r = r, .who = who, .cfg = w->cfg,
				 .password_hash = hash };
	crypt_random(ref, sizeof(ref));
	crypt_hex(ref, sizeof(ref), t.audit_ref, sizeof(t.audit_ref));
	rc = account_tx(w, "account_register", register_cb, &t);
	crypt_wipe(hash, sizeof(hash));
	return account_tx_result(rc);
}

static int
verify_act(struct store *s, const struct store_account *a, const char *email)
{
	/* The link is for the address it was sent to, and only that one. */
	if (g_ascii_strcasecmp(a->email, email) != 0)
		return STORE_NO_ROW;
	int rc = store_account_verify_email(s, a->id);
	return rc < 0 ? rc : STORE_ONE_ROW;
}

enum account_result
account_verify_email(struct worker *w, const char *token,
		     const struct account_actor *who)
{
	return account_link_use(w, token, STORE_TOKEN_VERIFY, "email_verified",
				verify_act, who);
}

struct resend_tx {
	const char *email;
	const struct account_actor *who;
	const struct cfg *cfg;
};

static int
resend_cb(struct store *s, void *cls)
{
	struct resend_tx *t = cls;
	struct store_account a;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = store_account_select_by_email(s, t->email, &a);
	/* Nothing to send for unknown or verified addresses; same answer. */
	if (rc == STORE_ONE_ROW && !a.email_verified)
		rc = account_send_link(s, t->cfg, &a, STORE_TOKEN_VERIFY,
				       ACCOUNT_VERIFY_TTL_S, "/verify",
				       "verify", t->who, "verification_resent",
				       "verification_resend_throttled");
	store_account_clear(&a);
	return rc;
}

enum account_result
account_resend_verification(struct worker *w, const char *email,
			    const struct account_actor *who)
{
	struct resend_tx t = { email, who, w->cfg };

	if (email == NULL || !mail_address_valid(email))
		return ACCOUNT_OK;
	return account_tx_result(
		account_tx(w, "account_resend", resend_cb, &t));
}
