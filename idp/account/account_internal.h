/* Helpers shared by the files of idp/account. */
#ifndef IDP_ACCOUNT_ACCOUNT_INTERNAL_H
#define IDP_ACCOUNT_ACCOUNT_INTERNAL_H

#include <glib.h>

#include "idp/account/account.h"
#include "idp/store/store_account.h"

struct page_vars;
struct store;
struct cfg;

/* A fresh e-mail token: its text for the link and its hash for the store. */
struct account_token {
	char text[44];
	uint8_t hash[STORE_HASH_BYTES];
};
void account_token_new(struct account_token *t);
/* Hash a token from a link; false when malformed. */
bool account_token_hash(const char *text, uint8_t hash[STORE_HASH_BYTES]);

/*
 * Use the link token with hash @hash for @purpose and load its account.
 * STORE_ONE_ROW with *a filled (store_account_clear()) and *email the
 * address the link went to (free()); STORE_NO_ROW for an unknown, used,
 * expired or foreign-purpose token.
 */
int account_token_use(struct store *s, const uint8_t hash[STORE_HASH_BYTES],
		      enum store_token_purpose purpose,
		      struct store_account *a, char **email);

/*
 * What a single-use link does once its token checked out: act on account
 * @a (the link went to @email). Returns STORE_ONE_ROW when done,
 * STORE_NO_ROW to refuse the link, or an error.
 */
typedef int (*account_link_act_cb)(struct store *s,
				   const struct store_account *a,
				   const char *email);

/*
 * Use the link token @token of @purpose in one transaction: the token,
 * @act, and the audit row @event. ACCOUNT_OK, ACCOUNT_FAILED (malformed,
 * unknown, used, expired or refused by @act) or ACCOUNT_UNAVAILABLE.
 */
enum account_result account_link_use(struct worker *w, const char *token,
				     enum store_token_purpose purpose,
				     const char *event,
				     account_link_act_cb act,
				     const struct account_actor *who);

/* "<public_url><path>?token=<token>", g_free(). */
char *account_link(const struct cfg *cfg, const char *path,
		   const char *token);

/*
 * Render mail template @tmpl in @lang with @vars and put it into the outbox
 * inside the running transaction. Returns a STORE_* value.
 */
int account_mail(struct store *s, const char *to, const char *tmpl,
		 const char *lang, const struct page_vars *vars);

/*
 * Mail @a a link (@path?token=...) of @purpose valid for @ttl_s, rendered
 * from mail template @tmpl, and audit @sent_event; unless the account got
 * ACCOUNT_MAIL_MAX_PER_WINDOW such links in the window or one within
 * ACCOUNT_MAIL_MIN_INTERVAL_S: then only @throttled_event is audited.
 * Inside the running transaction; returns a STORE_* value.
 */
int account_send_link(struct store *s, const struct cfg *cfg,
		      const struct store_account *a,
		      enum store_token_purpose purpose, int64_t ttl_s,
		      const char *path, const char *tmpl,
		      const struct account_actor *who, const char *sent_event,
		      const char *throttled_event);

/* Audit row inside the running transaction. Returns a STORE_* value. */
int account_audit(struct store *s, const char *event, const char *audit_ref,
		  const struct account_actor *who, const char *k1,
		  const char *v1);

/* Map the result of store_run_tx to a service result. */
enum account_result account_tx_result(int rc);

/* Run @cb in a transaction named @name on the worker's store. */
int account_tx(struct worker *w, const char *name, int (*cb)(struct store *,
							      void *),
	       void *cls);

/*
 * Verify @password against the account's hash with uniform cost (a dummy
 * verification when @a is NULL or has no password). @password is the raw
 * form value; normalised here.
 */
bool account_password_ok(const struct store_account *a, const char *password);

/*
 * Re-authenticate the logged-in citizen of account @a by its current
 * @password (raw form value), inside the running transaction on @s;
 * throttled with the login's counters (throttle_keys_make() of the
 * account's address and the client), so failures here and at the login
 * count together. Sets *@res:
 *   ACCOUNT_THROTTLED: too many failures; *@retry_after seconds to wait.
 *     No password work is done.
 *   ACCOUNT_OK: the password is right; the address counter is forgotten.
 *   ACCOUNT_FAILED: wrong; the failure is counted and, unless @fail_event
 *     is NULL, audited as @fail_event with reason "wrong password".
 * The caller acts only on ACCOUNT_OK, but lets the transaction commit in
 * every case (the counters must stay). Returns a STORE_* value; < 0 when
 * the transaction failed (then *@res means nothing).
 * Thread-safety: like the store, one struct store per thread.
 */
IDP_WUR int account_reauth(struct store *s, const struct store_account *a,
			   const char *password,
			   const struct account_actor *who,
			   const char *fail_event, enum account_result *res,
			   unsigned *retry_after);

#endif
