/*
 * Delete accounts whose address was never verified.
 */
#include "idp/store/account/account_rows.h"

/*
 * The partial index accounts_unverified covers exactly these rows. The
 * age is given in seconds and multiplied, so that no interval text is
 * built from input.
 */
const struct store_stmt store_stmt_account_purge_unverified = {
	.name = "account_purge_unverified",
	.sql = "DELETE FROM accounts WHERE email_verified_at IS NULL"
	       " AND created_at < now() - $1::bigint * interval '1 second'",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_account_purge_unverified(struct store *s, int64_t max_age_s, int64_t *n)
{
	char agebuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(agebuf, max_age_s)};
	PGresult *res;
	int rc;

	*n = 0;
	rc = store_exec(s, &store_stmt_account_purge_unverified, params, &res);
	if (rc < 0)
		return rc;
	rc = store_row_count(res, n) ? STORE_ONE_ROW : STORE_HARD_ERROR;
	PQclear(res);
	return rc;
}
