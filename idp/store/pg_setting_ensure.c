/*
 * Read a cluster-wide setting, creating it with a proposed value when it
 * does not exist yet. Atomic: when several nodes propose at once, all of
 * them get the one value that won.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/store/store_internal.h"

const struct store_stmt store_stmt_setting_ensure = {
	.name = "setting_ensure",
	/* The no-op update makes RETURNING yield the existing row. */
	.sql = "INSERT INTO settings (key, value) VALUES ($1, $2)"
	       " ON CONFLICT (key) DO UPDATE SET value = settings.value"
	       " RETURNING value",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_setting_ensure(struct store *s, const char *key, const char *proposed,
		     char **value)
{
	const char *params[2] = {key, proposed};
	PGresult *res;
	int rc;

	*value = NULL;
	rc = store_exec(s, &store_stmt_setting_ensure, params, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) != 1) {
		rc = STORE_HARD_ERROR;
		goto out;
	}
	*value = strdup(PQgetvalue(res, 0, 0));
	rc = *value != NULL ? STORE_ONE_ROW : STORE_HARD_ERROR;
out:
	PQclear(res);
	return rc;
}
