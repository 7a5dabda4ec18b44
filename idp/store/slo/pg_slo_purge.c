/*
 * Forget expired logout chains (their steps go by cascade).
 */
#include "idp/store/slo/slo_rows.h"

const struct store_stmt store_stmt_slo_purge = {
	.name = "slo_purge",
	.sql = "DELETE FROM saml_logout_chains WHERE expires_at <= now()",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_slo_purge(struct store *s)
{
	PGresult *res = NULL;
	int rc;

	rc = store_exec(s, &store_stmt_slo_purge, NULL, &res);
	PQclear(res);
	return rc < 0 ? rc : STORE_ONE_ROW;
}
