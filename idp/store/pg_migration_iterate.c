/*
 * The applied migrations, for `idpctl db status`.
 */
#include "idp/store/store_internal.h"

/* applied_at as ISO 8601 in UTC, independent of the session's TimeZone. */
const struct store_stmt store_stmt_migration_iterate = {
	.name = "migration_iterate",
	.sql = "SELECT version, name,"
	       " to_char(applied_at AT TIME ZONE 'UTC',"
	       " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	       " FROM schema_migrations ORDER BY version",
	.nparams = 0,
	.tier = STORE_TIER_VERSION,
};

int
store_migration_iterate(struct store *s, store_migration_row_cb cb, void *cls)
{
	PGresult *res;
	int n, rc, version;

	rc = store_exec(s, &store_stmt_migration_iterate, NULL, &res);
	if (rc < 0)
		return rc;
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		if (!store_get_int(res, i, 0, &version)) {
			PQclear(res);
			return STORE_HARD_ERROR;
		}
		cb(version, PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), cls);
	}
	PQclear(res);
	return n;
}
