/*
 * Delete e-mail link tokens long past their expiry.
 */
#include "idp/store/account/account_rows.h"

/*
 * Uses email_tokens_expires. Also removes used and invalidated links,
 * whose expires_at has passed as well; they hold an e-mail address,
 * which is not kept longer than needed.
 */
const struct store_stmt store_stmt_email_token_purge = {
	.name = "email_token_purge",
	.sql = "DELETE FROM email_tokens"
	       " WHERE expires_at < now() - $1::bigint * interval '1 second'",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_email_token_purge(struct store *s, int64_t max_age_s, int64_t *n)
{
	char agebuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(agebuf, max_age_s)};
	PGresult *res;
	int rc;

	*n = 0;
	rc = store_exec(s, &store_stmt_email_token_purge, params, &res);
	if (rc < 0)
		return rc;
	rc = store_row_count(res, n) ? STORE_ONE_ROW : STORE_HARD_ERROR;
	PQclear(res);
	return rc;
}
