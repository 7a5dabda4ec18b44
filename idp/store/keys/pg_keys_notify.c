/*
 * Tell every node that the keys changed.
 */
#include "idp/store/keys/keys_rows.h"

/*
 * No payload: a node reloads all live keys (a handful of rows) rather
 * than trusting a message to say what changed. PostgreSQL folds equal
 * notifications of one transaction into one.
 */
const struct store_stmt store_stmt_keys_notify = {
	.name = "keys_notify",
	.sql = "SELECT pg_notify('" STORE_KEYS_CHANNEL "', '')",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_keys_notify(struct store *s)
{
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_keys_notify, NULL, &res);
	if (rc < 0)
		return rc;
	PQclear(res);
	return STORE_ONE_ROW;
}
