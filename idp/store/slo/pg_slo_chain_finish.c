/*
 * Mark a logout chain finished, once.
 */
#include "idp/store/slo/slo_rows.h"

const struct store_stmt store_stmt_slo_chain_finish = {
	.name = "slo_chain_finish",
	.sql = "UPDATE saml_logout_chains SET finished = true"
	       " WHERE id = $1 AND NOT finished",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_slo_chain_finish(struct store *s, int64_t chain_id)
{
	char id[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(id, chain_id)};
	PGresult *res = NULL;
	int64_t n = 0;
	int rc;

	rc = store_exec(s, &store_stmt_slo_chain_finish, params, &res);
	if (rc == 0)
		rc = !store_row_count(res, &n) ? STORE_HARD_ERROR
		     : n == 1		       ? STORE_ONE_ROW
					       : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
