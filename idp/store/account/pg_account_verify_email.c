/*
 * Mark an account's e-mail address verified.
 */
#include "idp/store/account/account_rows.h"

/*
 * coalesce keeps the time of the first verification, so that a second
 * use of the flow neither fails nor rewrites history.
 */
const struct store_stmt store_stmt_account_verify_email = {
	.name = "account_verify_email",
	.sql = "UPDATE accounts"
	       " SET email_verified_at = coalesce(email_verified_at, now()),"
	       " updated_at = now()"
	       " WHERE id = $1",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_account_verify_email(struct store *s, int64_t id)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(idbuf, id)};
	PGresult *res;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_account_verify_email, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
