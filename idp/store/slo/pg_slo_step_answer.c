/*
 * Record a portal's LogoutResponse on the step that is waiting for it.
 */
#include "idp/store/slo/slo_rows.h"

/*
 * All three must fit: the chain (from our RelayState), the portal that
 * answered (the response's verified issuer) and the request it answers
 * (InResponseTo); and the step must still wait, so an answer counts once.
 */
const struct store_stmt store_stmt_slo_step_answer = {
	.name = "slo_step_answer",
	.sql = "UPDATE saml_logout_steps SET status = $4"
	       " WHERE chain_id = $1 AND sp_entity_id = $2"
	       " AND request_id = $3 AND status = 'sent'",
	.nparams = 4,
	.tier = STORE_TIER_APP,
};

int
store_slo_step_answer(struct store *s, int64_t chain_id,
		      const char *sp_entity_id, const char *request_id,
		      const char *status)
{
	char id[STORE_INT64_PARAM_BYTES];
	const char *params[4] = {store_int64_param(id, chain_id), sp_entity_id,
				 request_id, status};
	PGresult *res = NULL;
	int64_t n = 0;
	int rc;

	rc = store_exec(s, &store_stmt_slo_step_answer, params, &res);
	if (rc == 0)
		rc = !store_row_count(res, &n) ? STORE_HARD_ERROR
		     : n == 1		       ? STORE_ONE_ROW
					       : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
