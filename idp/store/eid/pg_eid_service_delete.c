/*
 * Remove the eID service and announce it.
 */
#include "idp/store/eid/eid_rows.h"

/* The notification rides in the statement: only when a row went. */
const struct store_stmt store_stmt_eid_service_delete = {
	.name = "eid_service_delete",
	.sql = "WITH d AS (DELETE FROM eid_service RETURNING entity_id)"
	       " SELECT pg_notify('" STORE_EID_CHANNEL "', entity_id) FROM d",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_eid_service_delete(struct store *s)
{
	PGresult *res = NULL;
	int rc;

	rc = store_exec(s, &store_stmt_eid_service_delete, NULL, &res);
	if (rc == 0)
		rc = PQntuples(res) == 1 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
