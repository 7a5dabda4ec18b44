/*
 * Claim the periodic metadata refresh of one relying party that is due.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/store/sp/sp_rows.h"

/*
 * One statement, outside any transaction, so the claim is committed
 * before the download starts and other nodes see it at once. FOR UPDATE
 * SKIP LOCKED lets two nodes that claim at the same moment take
 * different rows instead of waiting for each other; a node whose
 * snapshot predates another's committed claim re-checks the row after
 * locking it (READ COMMITTED re-evaluates the WHERE clause on the newest
 * version), so the condition on refresh_claimed_at holds for exactly one
 * of them per interval. The oldest claim goes first, so no SP starves.
 */
const struct store_stmt store_stmt_sp_refresh_claim = {
	.name = "sp_refresh_claim",
	.sql = "UPDATE relying_parties SET refresh_claimed_at = now()"
	       " WHERE id = (SELECT id FROM relying_parties"
	       " WHERE metadata_url IS NOT NULL"
	       " AND (refresh_claimed_at IS NULL"
	       " OR refresh_claimed_at <= now() - $1::bigint"
	       " * interval '1 second')"
	       " ORDER BY refresh_claimed_at NULLS FIRST, id"
	       " LIMIT 1 FOR UPDATE SKIP LOCKED)"
	       " AND metadata_url IS NOT NULL"
	       " AND (refresh_claimed_at IS NULL"
	       " OR refresh_claimed_at <= now() - $1::bigint"
	       " * interval '1 second')"
	       " RETURNING entity_id",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_sp_refresh_claim(struct store *s, unsigned interval_s, char **entity_id)
{
	char ibuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(ibuf, interval_s)};
	PGresult *res;
	int rc;

	*entity_id = NULL;
	rc = store_exec(s, &store_stmt_sp_refresh_claim, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_NO_ROW;
	if (PQntuples(res) == 1 && PQnfields(res) == 1 &&
	    !PQgetisnull(res, 0, 0)) {
		*entity_id = strdup(PQgetvalue(res, 0, 0));
		rc = *entity_id != NULL ? STORE_ONE_ROW : STORE_HARD_ERROR;
	} else if (PQntuples(res) != 0) {
		rc = store_fail(s, store_stmt_sp_refresh_claim.name, NULL);
	}
	PQclear(res);
	return rc;
}
