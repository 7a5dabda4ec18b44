/*
 * Delete sessions that have ended by either expiry.
 */
#include "idp/store/account/account_rows.h"

/*
 * The table's CHECK keeps idle_expires_at <= absolute_expires_at, so
 * "either expiry passed" is "the idle expiry passed", which the index
 * sessions_expiry answers.
 */
const struct store_stmt store_stmt_session_purge = {
	.name = "session_purge",
	.sql = "DELETE FROM sessions WHERE idle_expires_at <= now()",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_session_purge(struct store *s, int64_t *n)
{
	PGresult *res;
	int rc;

	*n = 0;
	rc = store_exec(s, &store_stmt_session_purge, NULL, &res);
	if (rc < 0)
		return rc;
	rc = store_row_count(res, n) ? STORE_ONE_ROW : STORE_HARD_ERROR;
	PQclear(res);
	return rc;
}
