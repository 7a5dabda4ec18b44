/*
 * A round trip to the database for /readyz. Prepared like every other
 * statement, so that it also proves the connection's statements exist.
 */
#include "idp/store/store_internal.h"

const struct store_stmt store_stmt_ping = {
	.name = "ping",
	.sql = "SELECT 1",
	.nparams = 0,
	.tier = STORE_TIER_BOOT,
};

int
store_ping(struct store *s)
{
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_ping, NULL, &res);
	if (rc < 0)
		return rc;
	PQclear(res);
	return STORE_ONE_ROW;
}
