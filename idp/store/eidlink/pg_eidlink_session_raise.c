/*
 * Raise a session's authentication method and level after an eID.
 */
#include "idp/store/eidlink/eidlink_rows.h"

const struct store_stmt store_stmt_eidlink_session_raise = {
	.name = "eidlink_session_raise",
	.sql = "UPDATE sessions SET auth_method = $2, loa = $3"
	       " WHERE id = $1 AND idle_expires_at > now()"
	       " AND absolute_expires_at > now()",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_eidlink_session_raise(struct store *s, int64_t session_id,
			    const char *auth_method, const char *loa)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[3] = {store_int64_param(idbuf, session_id),
				 auth_method, loa};
	PGresult *res;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_eidlink_session_raise, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
