/*
 * Delete throttle counters nobody has failed on for a while.
 */
#include "idp/store/account/account_rows.h"

/*
 * A counter whose block still runs stays, whatever its age, so that
 * cleanup never lifts a block early. Uses login_throttle_last.
 */
const struct store_stmt store_stmt_throttle_purge = {
	.name = "throttle_purge",
	.sql = "DELETE FROM login_throttle"
	       " WHERE last_failure_at < now() - $1::bigint"
	       " * interval '1 second' AND blocked_until <= now()",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_throttle_purge(struct store *s, int64_t max_age_s, int64_t *n)
{
	char agebuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(agebuf, max_age_s)};
	PGresult *res;
	int rc;

	*n = 0;
	rc = store_exec(s, &store_stmt_throttle_purge, params, &res);
	if (rc < 0)
		return rc;
	rc = store_row_count(res, n) ? STORE_ONE_ROW : STORE_HARD_ERROR;
	PQclear(res);
	return rc;
}
