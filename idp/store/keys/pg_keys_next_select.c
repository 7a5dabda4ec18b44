/*
 * The next key of a purpose, locked for a state change.
 */
#include "idp/store/keys/keys_rows.h"

const struct store_stmt store_stmt_keys_next_select = {
	.name = "keys_next_select",
	.sql = "SELECT " STORE_KEYS_COLUMNS_FULL
	       " FROM signing_keys WHERE state = 'next' AND purpose = $1"
	       " FOR UPDATE",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_keys_next_select(struct store *s, const char *purpose, store_key_cb cb,
		       void *cls)
{
	const char *params[1] = {purpose};
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_keys_next_select, params, &res);
	if (rc < 0)
		return rc;
	rc = store_keys_rows_visit(res, store_stmt_keys_next_select.name, cb,
				   cls);
	PQclear(res);
	/* The unique index allows no second row. */
	return rc > STORE_ONE_ROW ? STORE_HARD_ERROR : rc;
}
