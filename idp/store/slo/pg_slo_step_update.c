/*
 * Set a step's status outright (no endpoint, could not be sent).
 */
#include "idp/store/slo/slo_rows.h"

const struct store_stmt store_stmt_slo_step_update = {
	.name = "slo_step_update",
	.sql = "UPDATE saml_logout_steps SET status = $3"
	       " WHERE chain_id = $1 AND ord = $2",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_slo_step_update(struct store *s, int64_t chain_id, int ord,
		      const char *status)
{
	char id[STORE_INT64_PARAM_BYTES], o[12];
	const char *params[3] = {store_int64_param(id, chain_id),
				 store_int_param(o, ord), status};
	PGresult *res = NULL;
	int64_t n = 0;
	int rc;

	rc = store_exec(s, &store_stmt_slo_step_update, params, &res);
	if (rc == 0)
		rc = !store_row_count(res, &n) ? STORE_HARD_ERROR
		     : n == 1		       ? STORE_ONE_ROW
					       : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
