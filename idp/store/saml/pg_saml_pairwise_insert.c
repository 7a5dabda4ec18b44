/*
 * Make the persistent NameID of an account at a relying party.
 */
#include "idp/store/saml/saml_rows.h"

/*
 * DO NOTHING on the primary key: a concurrent first visit of the same
 * account wins or loses without an error, and the loser reads the
 * winner's value with a new statement (READ COMMITTED sees it then).
 */
const struct store_stmt store_stmt_saml_pairwise_insert = {
	.name = "saml_pairwise_insert",
	.sql = "INSERT INTO saml_pairwise_ids (account_id, sp_entity_id, "
	       "nameid)"
	       " VALUES ($1, $2, $3)"
	       " ON CONFLICT (account_id, sp_entity_id) DO NOTHING"
	       " RETURNING 1",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_saml_pairwise_insert(struct store *s, int64_t account_id,
			   const char *sp_entity_id, const char *nameid)
{
	char id[STORE_INT64_PARAM_BYTES];
	const char *params[3] = {store_int64_param(id, account_id),
				 sp_entity_id, nameid};
	PGresult *res = NULL;
	int rc;

	rc = store_exec(s, &store_stmt_saml_pairwise_insert, params, &res);
	if (rc == 0)
		rc = PQntuples(res) == 1 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
