/*
 * Remove a relying party and announce it.
 */
#include "idp/store/sp/sp_rows.h"

/* The notification names the entity that is gone; delivered at COMMIT. */
const struct store_stmt store_stmt_sp_delete = {
	.name = "sp_delete",
	.sql = "WITH r AS (DELETE FROM relying_parties WHERE id = $1"
	       " RETURNING entity_id)"
	       " SELECT pg_notify('" STORE_SP_CHANNEL "', entity_id) FROM r",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_sp_delete(struct store *s, int64_t id)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(idbuf, id)};
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_sp_delete, params, &res);
	if (rc < 0)
		return rc;
	rc = PQntuples(res) > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
