/*
 * Forget expired pending requests and replay cache entries.
 */
#include "idp/store/saml/saml_rows.h"

/* One statement for both tables: the purge is one round trip. */
const struct store_stmt store_stmt_saml_purge = {
	.name = "saml_purge",
	.sql = "WITH p AS (DELETE FROM saml_pending_requests"
	       " WHERE expires_at <= now() RETURNING 1),"
	       " r AS (DELETE FROM saml_replay_cache"
	       " WHERE expires_at <= now() RETURNING 1)"
	       " SELECT (SELECT count(*) FROM p) + (SELECT count(*) FROM r)",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_saml_purge(struct store *s, int64_t *n)
{
	PGresult *res = NULL;
	int rc;

	*n = 0;
	rc = store_exec(s, &store_stmt_saml_purge, NULL, &res);
	if (rc == 0)
		rc = PQntuples(res) == 1 && store_row_int64(res, 0, 0, n)
			     ? STORE_ONE_ROW
			     : STORE_HARD_ERROR;
	PQclear(res);
	return rc;
}
