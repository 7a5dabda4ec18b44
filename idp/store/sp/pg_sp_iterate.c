/*
 * Every relying party, for idpctl sp list and for loading the registry.
 */
#include "idp/store/sp/sp_rows.h"

/*
 * The registry is small (tens to a few hundred portals, each at most
 * 1 MiB of metadata by the table's CHECK), so one result holds it all.
 */
const struct store_stmt store_stmt_sp_iterate = {
	.name = "sp_iterate",
	.sql = STORE_SP_SELECT " ORDER BY entity_id",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_sp_iterate(struct store *s, store_sp_cb cb, void *cls)
{
	struct store_sp sp;
	PGresult *res = NULL;
	int rc, n;

	rc = store_exec(s, &store_stmt_sp_iterate, NULL, &res);
	if (rc < 0)
		goto out;
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		rc = store_row_sp(res, i, &sp);
		if (rc != STORE_ONE_ROW)
			goto out;
		cb(&sp, cls);
		store_sp_clear(&sp);
	}
	rc = n;
out:
	PQclear(res);
	return rc;
}
