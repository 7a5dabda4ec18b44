/*
 * The active key of a purpose steps down to previous.
 */
#include "idp/store/keys/keys_rows.h"

const struct store_stmt store_stmt_keys_update_previous = {
	.name = "keys_update_previous",
	.sql = "UPDATE signing_keys SET state = 'previous',"
	       " deactivated_at = now()"
	       " WHERE state = 'active' AND purpose = $1 RETURNING id",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_keys_update_previous(struct store *s, const char *purpose, int64_t *id)
{
	const char *params[1] = {purpose};
	PGresult *res;
	int rc;

	*id = 0;
	rc = store_exec(s, &store_stmt_keys_update_previous, params, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) == 0)
		rc = STORE_NO_ROW;
	else if (PQntuples(res) == 1 && store_row_int64(res, 0, 0, id))
		rc = STORE_ONE_ROW;
	else
		rc = store_fail(s, store_stmt_keys_update_previous.name, NULL);
	PQclear(res);
	return rc;
}
