/*
 * Every persistent NameID of an account, for the citizen's data export.
 */
#include "idp/store/saml/saml_rows.h"

const struct store_stmt store_stmt_saml_pairwise_iterate = {
	.name = "saml_pairwise_iterate",
	.sql = "SELECT sp_entity_id, nameid,"
	       " extract(epoch FROM created_at)::bigint"
	       " FROM saml_pairwise_ids WHERE account_id = $1"
	       " ORDER BY created_at, sp_entity_id",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_saml_pairwise_iterate(struct store *s, int64_t account_id,
			    store_saml_pairwise_cb cb, void *cls)
{
	char id[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(id, account_id)};
	PGresult *res = NULL;
	int rc, n;

	rc = store_exec(s, &store_stmt_saml_pairwise_iterate, params, &res);
	if (rc < 0)
		return rc;
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		int64_t created;

		if (!store_row_int64(res, i, 2, &created)) {
			PQclear(res);
			return STORE_HARD_ERROR;
		}
		cb(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), created, cls);
	}
	PQclear(res);
	return n;
}
