/*
 * Delete expired held identities (the janitor).
 */
#include "idp/store/eidlink/eidlink_rows.h"

const struct store_stmt store_stmt_eidlink_hold_purge = {
	.name = "eidlink_hold_purge",
	.sql = "DELETE FROM eid_held_identities WHERE expires_at <= now()",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_eidlink_hold_purge(struct store *s, int64_t *n)
{
	PGresult *res;
	int rc;

	*n = 0;
	rc = store_exec(s, &store_stmt_eidlink_hold_purge, NULL, &res);
	if (rc < 0)
		return rc;
	rc = store_row_count(res, n) ? STORE_ONE_ROW : STORE_HARD_ERROR;
	PQclear(res);
	return rc;
}
