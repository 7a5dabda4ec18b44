/*
 * The next key becomes the active one.
 */
#include "idp/store/keys/keys_rows.h"

const struct store_stmt store_stmt_keys_update_active = {
	.name = "keys_update_active",
	.sql = "UPDATE signing_keys SET state = 'active', activated_at = now()"
	       " WHERE id = $1 AND state = 'next'",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_keys_update_active(struct store *s, int64_t id)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(idbuf, id)};
	PGresult *res;
	int64_t n = 0;
	int rc;

	rc = store_exec(s, &store_stmt_keys_update_active, params, &res);
	if (rc < 0)
		return rc;
	if (!store_row_count(res, &n) || n > 1)
		rc = store_fail(s, store_stmt_keys_update_active.name, NULL);
	else
		rc = n == 1 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
