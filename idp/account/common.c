/* Shared plumbing of the account services: tokens, links, mail, audit. */
#include <string.h>

#include "idp/account/account_internal.h"
#include "idp/audit/audit.h"
#include "idp/common/limits.h"
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

int
account_token_use(struct store *s, const uint8_t hash[STORE_HASH_BYTES],
		  enum store_token_purpose purpose, struct store_account *a,
		  char **email)
{
	int64_t id;
	int rc;

	*email = NULL;
	rc = store_email_token_consume(s, hash, purpose, &id, email);
	if (rc != STORE_ONE_ROW)
		return rc;
	return store_account_select_by_id(s, id, a);
}

struct link_tx {
	uint8_t hash[STORE_HASH_BYTES];
	enum store_token_purpose purpose;
	const char *event;
	account_link_act_cb act;
	const struct account_actor *who;
	bool ok;
};

static int
link_cb(struct store *s, void *cls)
{
	struct link_tx *t = cls;
	struct store_account a;
	char *email = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	t->ok = false;
	rc = account_token_use(s, t->hash, t->purpose, &a, &email);
	if (rc == STORE_ONE_ROW)
		rc = t->act(s, &a, email);
	if (rc == STORE_ONE_ROW) {
		rc = account_audit(s, t->event, a.audit_ref, t->who, NULL,
				   NULL);
		t->ok = rc >= 0;
	}
	free(email);
	store_account_clear(&a);
	return rc;
}

enum account_result
account_link_use(struct worker *w, const char *token,
		 enum store_token_purpose purpose, const char *event,
		 account_link_act_cb act, const struct account_actor *who)
{
	struct link_tx t = { .purpose = purpose,
			     .event = event,
			     .act = act,
			     .who = who };

	if (!account_token_hash(token, t.hash))
		return ACCOUNT_FAILED;
	if (account_tx(w, event, link_cb, &t) < 0)
		return ACCOUNT_UNAVAILABLE;
	return t.ok ? ACCOUNT_OK : ACCOUNT_FAILED;
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
account_send_link(struct store *s, const struct cfg *cfg,
		  const struct store_account *a,
		  enum store_token_purpose purpose, int64_t ttl_s,
		  const char *path, const char *tmpl,
		  const struct account_actor *who, const char *sent_event,
		  const char *throttled_event)
{
	struct account_token tok;
	struct page_vars *v = NULL;
	int64_t count = 0, newest = 0, now = 0;
	char *link = NULL;
	int rc;

	memset(&tok, 0, sizeof(tok));
	rc = store_email_token_count(s, a->id, purpose, ACCOUNT_MAIL_WINDOW_S,
				     &count, &newest);
	if (rc < 0)
		goto out;
	rc = store_now(s, &now);
	if (rc < 0)
		goto out;
	if (count >= ACCOUNT_MAIL_MAX_PER_WINDOW ||
	    now - newest < ACCOUNT_MAIL_MIN_INTERVAL_S) {
		rc = account_audit(s, throttled_event, a->audit_ref, who, NULL,
				   NULL);
		goto out;
	}
	account_token_new(&tok);
	rc = store_email_token_insert(s, tok.hash, a->id, purpose, a->email,
				      ttl_s);
	if (rc < 0)
		goto out;
	v = page_vars_new();
	link = account_link(cfg, path, tok.text);
	page_vars_set(v, "given_name", a->given_name);
	page_vars_set(v, "link", link);
	rc = account_mail(s, a->email, tmpl, who->lang, v);
	if (rc >= 0)
		rc = account_audit(s, sent_event, a->audit_ref, who, NULL,
				   NULL);
out:
	crypt_wipe(&tok, sizeof(tok));
	page_vars_free(v);
	g_free(link);
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
