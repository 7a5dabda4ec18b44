/*
 * Look a relying party up by its entity ID.
 */
#include <string.h>

#include "idp/store/sp/sp_rows.h"

/* entity_id is unique, so its index answers this. */
const struct store_stmt store_stmt_sp_select = {
	.name = "sp_select",
	.sql = STORE_SP_SELECT " WHERE entity_id = $1",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_sp_select(struct store *s, const char *entity_id, struct store_sp *out)
{
	const char *params[1] = {entity_id};
	PGresult *res;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_exec(s, &store_stmt_sp_select, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_NO_ROW;
	if (PQntuples(res) == 1)
		rc = store_row_sp(res, 0, out);
	PQclear(res);
	return rc;
}
