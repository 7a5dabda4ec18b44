/*
 * Re-authentication of a logged-in citizen by the current password, before
 * a change that a stolen session alone must not be enough for.
 */
#include "idp/account/account_internal.h"
#include "idp/log/log.h"
#include "idp/throttle/throttle.h"

int
account_reauth(struct store *s, const struct store_account *a,
	       const char *password, const struct account_actor *who,
	       const char *fail_event, enum account_result *res,
	       unsigned *retry_after)
{
	struct throttle_keys keys;
	int64_t wait = 0, failures = 0;
	int rc;

	*res = ACCOUNT_FAILED;
	*retry_after = 0;
	/*
	 * The login's counters: the account's address and the client, so
	 * that guesses here and at the login form count together and a
	 * stolen session gives no unthrottled oracle for the password.
	 */
	throttle_keys_make(a->email, who->client, &keys);
	rc = throttle_wait(s, &keys, &wait);
	if (rc < 0)
		return rc;
	if (wait > 0) {
		/* No password check at all: a flood costs no Argon2id. */
		*res = ACCOUNT_THROTTLED;
		*retry_after = (unsigned)wait;
		log_kv(LOG_LEVEL_INFO, "reauth_throttled", "client",
		       who->client, NULL);
		return rc;
	}
	if (account_password_ok(a, password)) {
		*res = ACCOUNT_OK;
		return throttle_success(s, &keys);
	}
	rc = throttle_fail(s, &keys, &failures);
	if (rc >= 0 && fail_event != NULL)
		rc = account_audit(s, fail_event, a->audit_ref, who, "reason",
				   "wrong password");
	return rc;
}
