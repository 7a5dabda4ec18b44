/*
 * Every step of a logout chain, in order.
 */
#include "idp/store/slo/slo_rows.h"

const struct store_stmt store_stmt_slo_step_iterate = {
	.name = "slo_step_iterate",
	.sql = "SELECT sp_entity_id, nameid, nameid_format, session_index,"
	       " status, ord FROM saml_logout_steps WHERE chain_id = $1"
	       " ORDER BY ord",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_slo_step_iterate(struct store *s, int64_t chain_id, store_slo_step_cb cb,
		       void *cls)
{
	char id[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(id, chain_id)};
	PGresult *res = NULL;
	int rc, n;

	rc = store_exec(s, &store_stmt_slo_step_iterate, params, &res);
	if (rc < 0)
		return rc;
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		struct store_slo_step st;
		if (!store_slo_step_row(res, i, 0, &st)) {
			PQclear(res);
			return STORE_HARD_ERROR;
		}
		cb(&st, cls);
		store_slo_step_clear(&st);
	}
	PQclear(res);
	return n;
}
