/*
 * Delete an account with its tokens and sessions.
 */
#include "idp/store/account/account_rows.h"

/* email_tokens and sessions follow by ON DELETE CASCADE. */
const struct store_stmt store_stmt_account_delete = {
	.name = "account_delete",
	.sql = "DELETE FROM accounts WHERE id = $1",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_account_delete(struct store *s, int64_t id)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(idbuf, id)};
	PGresult *res;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_account_delete, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
