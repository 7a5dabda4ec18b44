/*
 * Write one cluster-wide setting, creating or replacing it.
 */
#include "idp/store/store_internal.h"

const struct store_stmt store_stmt_setting_upsert = {
	.name = "setting_upsert",
	.sql = "INSERT INTO settings (key, value) VALUES ($1, $2)"
	       " ON CONFLICT (key) DO UPDATE"
	       " SET value = EXCLUDED.value, updated_at = now()",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_setting_upsert(struct store *s, const char *key, const char *value)
{
	const char *params[2] = {key, value};
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_setting_upsert, params, &res);
	if (rc < 0)
		return rc;
	PQclear(res);
	return STORE_ONE_ROW;
}
