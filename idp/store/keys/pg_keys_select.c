/*
 * One signing key by id, locked for a state change.
 */
#include "idp/store/keys/keys_rows.h"

const struct store_stmt store_stmt_keys_select = {
	.name = "keys_select",
	.sql = "SELECT " STORE_KEYS_COLUMNS_FULL
	       " FROM signing_keys WHERE id = $1 FOR UPDATE",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_keys_select(struct store *s, int64_t id, store_key_cb cb, void *cls)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(idbuf, id)};
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_keys_select, params, &res);
	if (rc < 0)
		return rc;
	rc = store_keys_rows_visit(res, store_stmt_keys_select.name, cb, cls);
	PQclear(res);
	return rc;
}
