/*
 * Release the migration lock taken by store_migration_lock().
 */
#include <string.h>

#include "idp/log/log.h"
#include "idp/store/store_internal.h"

const struct store_stmt store_stmt_migration_unlock = {
	.name = "migration_unlock",
	.sql = "SELECT pg_advisory_unlock($1::bigint)",
	.nparams = 1,
	.tier = STORE_TIER_BOOT,
};

int
store_migration_unlock(struct store *s)
{
	const char *params[1] = {STORE_MIGRATION_LOCK_KEY};
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_migration_unlock, params, &res);
	if (rc < 0)
		return rc;
	/* false: we did not hold it, which is a bug in the runner. */
	rc = strcmp(PQgetvalue(res, 0, 0), "t") == 0 ? STORE_ONE_ROW
						     : STORE_HARD_ERROR;
	PQclear(res);
	if (rc != STORE_ONE_ROW)
		log_kv(LOG_LEVEL_ERROR, "store_migration_unlock_not_held",
		       NULL);
	return rc;
}
