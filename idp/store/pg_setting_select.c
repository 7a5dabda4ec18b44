/*
 * Read one cluster-wide setting.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/store/store_internal.h"

const struct store_stmt store_stmt_setting_select = {
	.name = "setting_select",
	.sql = "SELECT value FROM settings WHERE key = $1",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_setting_select(struct store *s, const char *key, char **value)
{
	const char *params[1] = {key};
	PGresult *res;
	int rc;

	*value = NULL;
	rc = store_exec(s, &store_stmt_setting_select, params, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NO_ROW;
		goto out;
	}
	*value = strdup(PQgetvalue(res, 0, 0));
	rc = *value != NULL ? STORE_ONE_ROW : STORE_HARD_ERROR;
out:
	PQclear(res);
	return rc;
}
