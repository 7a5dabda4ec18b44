/* Shared plumbing of the account services: tokens, links, mail, audit. */
#include <string.h>

#include "idp/account/account_internal.h"
#include "idp/audit/audit.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/mail/mail.h"
#include "idp/page/page.h"
#include "idp/store/store.h"

void
account_token_new(struct account_token *t)
{
	uint8_t raw[CRYPT_TOKEN_BYTES];

	crypt_token_new(raw);
	crypt_token_format(raw, t->text);
	crypt_token_hash(raw, t->hash);
	crypt_wipe(raw, sizeof(raw));
}

bool
account_token_hash(const char *text, uint8_t hash[STORE_HASH_BYTES])
{
	uint8_t raw[CRYPT_TOKEN_BYTES];

	if (text == NULL || crypt_token_parse(text, raw) != 0)
		return false;
	crypt_token_hash(raw, hash);
	crypt_wipe(raw, sizeof(raw));
	return true;
}

char *
account_link(const struct cfg *cfg, const char *path, const char *token)
{
	/*
	 * Links are built from the configured public URL only, never from
	 * the Host header: a forged Host must not redirect a reset link.
	 */
	return g_strdup_printf("%s%s?token=%s", cfg->public_url, path, token);
}

int
account_mail(struct store *s, const char *to, const char *tmpl,
	     const char *lang, const struct page_vars *vars)
{
	char *subject = NULL, *body = NULL;
	int rc;

	if (page_render_mail(tmpl, lang, vars, &subject, &body) != 0) {
		log_kv(LOG_LEVEL_ERROR, "mail_render_failed", "template", tmpl,
		       NULL);
		return STORE_HARD_ERROR;
	}
	rc = mail_enqueue(s, to, subject, body);
	g_free(subject);
	g_free(body);
	return rc;
}

int
account_audit(struct store *s, const char *event, const char *audit_ref,
	      const struct account_actor *who, const char *k1, const char *v1)
{
	/* NULL details (a bad key) fail the transaction in audit_append(). */
	char *details = k1 ? audit_details(k1, v1, NULL) : g_strdup("{}");
	int rc = audit_append(s, event, "citizen", audit_ref,
			      who ? who->client : NULL, details);

	g_free(details);
	return rc;
}

enum account_result
account_tx_result(int rc)
{
	if (rc >= 0)
		return ACCOUNT_OK;
	return ACCOUNT_UNAVAILABLE;
}

int
account_tx(struct worker *w, const char *name,
	   int (*cb)(struct store *, void *), void *cls)
{
	return store_run_tx(w->store, name, false, cb, cls);
}

bool
account_password_ok(const struct store_account *a, const char *password)
{
	char *nfc = NULL;
	bool ok = false;

	/* Oversized or malformed input fails without hashing... */
	if (password == NULL || strlen(password) > CRYPT_PW_MAX_BYTES ||
	    crypt_password_normalize(password, strlen(password), &nfc) != 0) {
		/* ...but still costs one verification, like every failure. */
		crypt_password_dummy_verify("");
		return false;
	}
	if (a == NULL || a->password_hash == NULL)
		crypt_password_dummy_verify(nfc);
	else
		ok = crypt_password_verify(a->password_hash, nfc);
	crypt_password_free(nfc);
	return ok;
}
