/*
 * A key is retired and its private key deleted.
 */
#include "idp/store/keys/keys_rows.h"

/*
 * The sealed key goes with the state: a retired key never signs again,
 * so keeping it would only give a future leak of the master key more to
 * open.
 */
const struct store_stmt store_stmt_keys_update_retired = {
	.name = "keys_update_retired",
	.sql = "UPDATE signing_keys SET state = 'retired',"
	       " retired_at = now(), sealed_key = NULL"
	       " WHERE id = $1 AND state <> 'retired'",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_keys_update_retired(struct store *s, int64_t id)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(idbuf, id)};
	PGresult *res;
	int64_t n = 0;
	int rc;

	rc = store_exec(s, &store_stmt_keys_update_retired, params, &res);
	if (rc < 0)
		return rc;
	if (!store_row_count(res, &n) || n > 1)
		rc = store_fail(s, store_stmt_keys_update_retired.name, NULL);
	else
		rc = n == 1 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
