/*
 * Count one failed login for a throttle key and compute its delay.
 */
#include "idp/store/account/account_rows.h"

/*
 * One upsert, so that failures on several nodes at once are all counted:
 * the insert of a new key and the update of an existing one both take
 * the row lock, and ON CONFLICT ... DO UPDATE computes from the row as
 * the previous writer committed it. The sub-SELECT names the new count n
 * once, so that blocked_until is computed from it in the same step.
 *
 * The delay, with $3 free failures and at most $4 seconds: 0 while
 * n < $3, else min(2^(n - $3), $4). The exponent is capped at 62 so that
 * the shift stays within bigint whatever the count; the count is capped
 * below the integer column's limit. blocked_until is rounded up to the
 * second, so that a caller comparing it with store_now() never lets an
 * attempt through early.
 */
const struct store_stmt store_stmt_throttle_fail = {
	.name = "throttle_fail",
	.sql = "INSERT INTO login_throttle AS t"
	       " (key, failures, last_failure_at, blocked_until)"
	       " SELECT $1, n, now(), now() + CASE WHEN n < $3::bigint"
	       " THEN 0 ELSE least(1::bigint << greatest(0,"
	       " least(n - $3::bigint, 62))::integer, $4::bigint) END"
	       " * interval '1 second'"
	       " FROM (VALUES (1)) AS f (n)"
	       " ON CONFLICT (key) DO UPDATE SET"
	       " (failures, last_failure_at, blocked_until) ="
	       " (SELECT n, now(), now() + CASE WHEN n < $3::bigint"
	       " THEN 0 ELSE least(1::bigint << greatest(0,"
	       " least(n - $3::bigint, 62))::integer, $4::bigint) END"
	       " * interval '1 second'"
	       " FROM (SELECT CASE WHEN t.last_failure_at"
	       " < now() - $2::bigint * interval '1 second' THEN 1"
	       " ELSE least(t.failures, 2147483646) + 1 END) AS g (n))"
	       " RETURNING failures,"
	       " ceil(extract(epoch FROM blocked_until))::bigint",
	.nparams = 4,
	.tier = STORE_TIER_APP,
};

int
store_throttle_fail(struct store *s, const char *key, int64_t reset_after_s,
		    int64_t free_failures, int64_t max_delay_s,
		    int64_t *failures, int64_t *blocked_until)
{
	char resetbuf[STORE_INT64_PARAM_BYTES],
		freebuf[STORE_INT64_PARAM_BYTES];
	char maxbuf[STORE_INT64_PARAM_BYTES];
	const char *params[4] = {
		key,
		store_int64_param(resetbuf, reset_after_s),
		store_int64_param(freebuf, free_failures),
		store_int64_param(maxbuf, max_delay_s),
	};
	PGresult *res;
	int rc;

	*failures = 0;
	*blocked_until = 0;
	rc = store_exec(s, &store_stmt_throttle_fail, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (PQntuples(res) == 1 && store_row_int64(res, 0, 0, failures) &&
	    store_row_int64(res, 0, 1, blocked_until))
		rc = STORE_ONE_ROW;
	PQclear(res);
	return rc;
}
