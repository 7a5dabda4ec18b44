/*
 * Every signing key, for `idpctl keys list`.
 */
#include "idp/store/keys/keys_rows.h"

const struct store_stmt store_stmt_keys_iterate = {
	.name = "keys_iterate",
	.sql = "SELECT " STORE_KEYS_COLUMNS_BRIEF
	       " FROM signing_keys ORDER BY id",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_keys_iterate(struct store *s, store_key_cb cb, void *cls)
{
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_keys_iterate, NULL, &res);
	if (rc < 0)
		return rc;
	rc = store_keys_rows_visit(res, store_stmt_keys_iterate.name, cb, cls);
	PQclear(res);
	return rc;
}
