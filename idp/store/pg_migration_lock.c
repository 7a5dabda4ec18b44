/*
 * Take the migration lock: a session-level advisory lock, so that it
 * spans the separate transaction of each migration, and so that the
 * server drops it when a run dies with its connection.
 */
#include "idp/store/store_internal.h"

const struct store_stmt store_stmt_migration_lock = {
	.name = "migration_lock",
	.sql = "SELECT pg_advisory_lock($1::bigint)",
	.nparams = 1,
	.tier = STORE_TIER_BOOT,
};

int
store_migration_lock(struct store *s)
{
	const char *params[1] = {STORE_MIGRATION_LOCK_KEY};
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_migration_lock, params, &res);
	if (rc < 0)
		return rc;
	PQclear(res);
	return STORE_ONE_ROW;
}
