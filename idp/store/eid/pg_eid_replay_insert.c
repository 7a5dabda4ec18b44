/*
 * The eID replay cache: remember a response or assertion ID, or find it
 * known.
 */
#include "idp/store/eid/eid_rows.h"

/*
 * ON CONFLICT makes the check and the insert one atomic step: of two
 * concurrent responses with one ID, the second waits for the first's row
 * and then takes the DO UPDATE branch, which changes nothing (and returns
 * no row) unless the entry had expired.
 */
const struct store_stmt store_stmt_eid_replay_insert = {
	.name = "eid_replay_insert",
	.sql = "INSERT INTO eid_replay_cache (kind, id, expires_at)"
	       " VALUES ($1, $2, now() + make_interval(secs => $3::bigint))"
	       " ON CONFLICT (kind, id) DO UPDATE"
	       " SET expires_at = EXCLUDED.expires_at"
	       " WHERE eid_replay_cache.expires_at <= now()"
	       " RETURNING 1",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_eid_replay_insert(struct store *s, const char *kind, const char *id,
			int64_t ttl_s)
{
	char ttl[STORE_INT64_PARAM_BYTES];
	const char *params[3] = {kind, id, store_int64_param(ttl, ttl_s)};
	PGresult *res = NULL;
	int rc;

	rc = store_exec(s, &store_stmt_eid_replay_insert, params, &res);
	if (rc == 0)
		rc = PQntuples(res) == 1 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
