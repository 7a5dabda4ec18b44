/*
 * Read the failure counter of one throttle key.
 */
#include "idp/store/account/account_rows.h"

/*
 * A counter whose last failure is older than the window is reported as
 * zero (and not blocked), matching store_throttle_fail(), which starts
 * it over. blocked_until is rounded up, as in store_throttle_fail().
 */
const struct store_stmt store_stmt_throttle_select = {
	.name = "throttle_select",
	.sql = "SELECT CASE WHEN stale THEN 0 ELSE failures END,"
	       " CASE WHEN stale THEN 0"
	       " ELSE ceil(extract(epoch FROM blocked_until))::bigint END"
	       " FROM (SELECT failures, blocked_until, last_failure_at"
	       " < now() - $2::bigint * interval '1 second' AS stale"
	       " FROM login_throttle WHERE key = $1) AS t",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_throttle_select(struct store *s, const char *key, int64_t reset_after_s,
		      int64_t *failures, int64_t *blocked_until)
{
	char resetbuf[STORE_INT64_PARAM_BYTES];
	const char *params[2] = {key,
				 store_int64_param(resetbuf, reset_after_s)};
	PGresult *res;
	int rc;

	*failures = 0;
	*blocked_until = 0;
	rc = store_exec(s, &store_stmt_throttle_select, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_NO_ROW;
	if (PQntuples(res) == 1) {
		rc = STORE_ONE_ROW;
		if (!store_row_int64(res, 0, 0, failures) ||
		    !store_row_int64(res, 0, 1, blocked_until)) {
			*failures = 0;
			*blocked_until = 0;
			rc = STORE_HARD_ERROR;
		}
	}
	PQclear(res);
	return rc;
}
