/*
 * Forget the failures of a throttle key.
 */
#include "idp/store/account/account_rows.h"

const struct store_stmt store_stmt_throttle_reset = {
	.name = "throttle_reset",
	.sql = "DELETE FROM login_throttle WHERE key = $1",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_throttle_reset(struct store *s, const char *key)
{
	const char *params[1] = {key};
	PGresult *res;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_throttle_reset, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
