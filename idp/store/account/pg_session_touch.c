/*
 * Record activity on a session: move its idle expiry forward.
 */
#include "idp/store/account/account_rows.h"

/*
 * least() keeps the idle expiry within the absolute one, whatever
 * @idle_s is. Only a live session is touched: activity must not revive
 * one whose idle expiry has passed (its cookie may come back after a
 * long pause), so that case is "no row".
 */
const struct store_stmt store_stmt_session_touch = {
	.name = "session_touch",
	.sql = "UPDATE sessions SET last_seen_at = now(),"
	       " idle_expires_at = least(now() + $2::bigint"
	       " * interval '1 second', absolute_expires_at)"
	       " WHERE id = $1 AND idle_expires_at > now()"
	       " AND absolute_expires_at > now()",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_session_touch(struct store *s, int64_t session_id, int64_t idle_s)
{
	char idbuf[STORE_INT64_PARAM_BYTES], idlebuf[STORE_INT64_PARAM_BYTES];
	const char *params[2] = {store_int64_param(idbuf, session_id),
				 store_int64_param(idlebuf, idle_s)};
	PGresult *res;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_session_touch, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
