/*
 * Record a migration as applied, in the transaction that applied it, so
 * that the schema and its version can never disagree.
 */
#include "idp/store/store_internal.h"

const struct store_stmt store_stmt_migration_insert = {
	.name = "migration_insert",
	.sql = "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
	.nparams = 2,
	.tier = STORE_TIER_VERSION,
};

int
store_migration_insert(struct store *s, const struct store_migration *m)
{
	char number[12];
	const char *params[2];
	PGresult *res;
	int rc;

	params[0] = store_int_param(number, m->number);
	params[1] = m->name;
	rc = store_exec(s, &store_stmt_migration_insert, params, &res);
	if (rc < 0)
		return rc;
	PQclear(res);
	return STORE_ONE_ROW;
}
