/*
 * The database's clock.
 */
#include "idp/store/account/account_rows.h"

/*
 * floor: a Unix time names the second that has begun. Inside a
 * transaction now() is the transaction's start, like every other now()
 * in the statements of that transaction.
 */
const struct store_stmt store_stmt_now = {
	.name = "now",
	.sql = "SELECT floor(extract(epoch FROM now()))::bigint",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_now(struct store *s, int64_t *now)
{
	PGresult *res;
	int rc;

	*now = 0;
	rc = store_exec(s, &store_stmt_now, NULL, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (PQntuples(res) == 1 && store_row_int64(res, 0, 0, now))
		rc = STORE_ONE_ROW;
	PQclear(res);
	return rc;
}
