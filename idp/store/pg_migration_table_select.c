/*
 * Whether schema_migrations exists, asked of the catalog: on an empty
 * database the version table is not there yet, and a statement naming it
 * could not even be prepared.
 */
#include <string.h>

#include "idp/store/store_internal.h"

/* Resolved through search_path, like the names in the migrations. */
const struct store_stmt store_stmt_migration_table_select = {
	.name = "migration_table_select",
	.sql = "SELECT to_regclass('schema_migrations') IS NOT NULL",
	.nparams = 0,
	.tier = STORE_TIER_BOOT,
};

int
store_migration_table_select(struct store *s, bool *exists)
{
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_migration_table_select, NULL, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return STORE_HARD_ERROR;
	}
	*exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return STORE_ONE_ROW;
}
