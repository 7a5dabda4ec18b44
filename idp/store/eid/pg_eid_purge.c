/*
 * Forget expired eID requests and replay cache entries.
 */
#include "idp/store/eid/eid_rows.h"

/* One statement for both tables: the purge is one round trip. */
const struct store_stmt store_stmt_eid_purge = {
	.name = "eid_purge",
	.sql = "WITH q AS (DELETE FROM eid_requests"
	       " WHERE expires_at <= now() RETURNING 1),"
	       " r AS (DELETE FROM eid_replay_cache"
	       " WHERE expires_at <= now() RETURNING 1)"
	       " SELECT (SELECT count(*) FROM q) + (SELECT count(*) FROM r)",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_eid_purge(struct store *s, int64_t *n)
{
	PGresult *res = NULL;
	int rc;

	*n = 0;
	rc = store_exec(s, &store_stmt_eid_purge, NULL, &res);
	if (rc == 0)
		rc = PQntuples(res) == 1 && store_row_int64(res, 0, 0, n)
			     ? STORE_ONE_ROW
			     : STORE_HARD_ERROR;
	PQclear(res);
	return rc;
}
