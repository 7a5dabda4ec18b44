/*
 * The schema version: the highest applied migration, 0 on a database that
 * has never been migrated.
 */
#include "idp/log/log.h"
#include "idp/store/store_internal.h"

const struct store_stmt store_stmt_schema_version_select = {
	.name = "schema_version_select",
	.sql = "SELECT coalesce(max(version), 0) FROM schema_migrations",
	.nparams = 0,
	.tier = STORE_TIER_VERSION,
};

int
store_schema_version_select(struct store *s, int *version)
{
	PGresult *res;
	bool exists;
	int rc;

	rc = store_migration_table_select(s, &exists);
	if (rc < 0)
		return rc;
	if (!exists) {
		*version = 0;
		return STORE_ONE_ROW;
	}
	if (!s->prepared[STORE_TIER_VERSION]) {
		/*
		 * schema_migrations appeared after this connection opened
		 * (a migration ran meanwhile), so the statements naming it
		 * could not be prepared at connect.
		 */
		if (store_prepare_tier(s, STORE_TIER_VERSION) != 0) {
			store_error_count_add();
			log_kv(LOG_LEVEL_ERROR, "store_prepare_failed", "error",
			       s->error, NULL);
			return STORE_HARD_ERROR;
		}
	}
	rc = store_exec(s, &store_stmt_schema_version_select, NULL, &res);
	if (rc < 0)
		return rc;
	rc = STORE_ONE_ROW;
	if (PQntuples(res) != 1 || !store_get_int(res, 0, 0, version))
		rc = STORE_HARD_ERROR;
	PQclear(res);
	return rc;
}
