/*
 * End one session of an account by its public handle ("end this session"
 * on the account page).
 */
#include "idp/store/account/account_rows.h"

/*
 * The account is part of the condition: a handle is not a secret, and a
 * citizen may end only their own sessions.
 */
const struct store_stmt store_stmt_session_delete_handle = {
	.name = "session_delete_handle",
	.sql = "DELETE FROM sessions WHERE account_id = $1 AND handle = $2",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_session_delete_handle(struct store *s, int64_t account_id,
			    const char *handle)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[2] = {store_int64_param(idbuf, account_id), handle};
	PGresult *res;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_session_delete_handle, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
