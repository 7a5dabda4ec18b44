/*
 * Remember (or forget) the address an e-mail change is waiting for.
 */
#include "idp/store/account/account_rows.h"

const struct store_stmt store_stmt_account_update_pending_email = {
	.name = "account_update_pending_email",
	.sql = "UPDATE accounts SET pending_email = $2, updated_at = now()"
	       " WHERE id = $1",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_account_update_pending_email(struct store *s, int64_t id,
				   const char *pending_email)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[2] = {store_int64_param(idbuf, id), pending_email};
	PGresult *res;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_account_update_pending_email, params,
			&res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
