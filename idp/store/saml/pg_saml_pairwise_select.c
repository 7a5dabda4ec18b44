/*
 * The persistent NameID of an account at a relying party.
 */
#include <string.h>

#include "idp/store/saml/saml_rows.h"

const struct store_stmt store_stmt_saml_pairwise_select = {
	.name = "saml_pairwise_select",
	.sql = "SELECT nameid FROM saml_pairwise_ids"
	       " WHERE account_id = $1 AND sp_entity_id = $2",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_saml_pairwise_select(struct store *s, int64_t account_id,
			   const char *sp_entity_id,
			   char nameid[STORE_SAML_NAMEID_LEN + 1])
{
	char id[STORE_INT64_PARAM_BYTES];
	const char *params[2] = {store_int64_param(id, account_id),
				 sp_entity_id};
	PGresult *res = NULL;
	int rc;

	nameid[0] = '\0';
	rc = store_exec(s, &store_stmt_saml_pairwise_select, params, &res);
	if (rc < 0)
		goto out;
	rc = STORE_NO_ROW;
	if (PQntuples(res) != 1)
		goto out;
	rc = STORE_HARD_ERROR;
	/* The table's CHECK promises 43 characters; a broken row is a bug. */
	if (PQgetisnull(res, 0, 0) ||
	    (size_t)PQgetlength(res, 0, 0) != STORE_SAML_NAMEID_LEN)
		goto out;
	memcpy(nameid, PQgetvalue(res, 0, 0), STORE_SAML_NAMEID_LEN + 1);
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
