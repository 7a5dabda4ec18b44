/*
 * Take the next pending step of a logout chain.
 */
#include <string.h>

#include "idp/store/slo/slo_rows.h"

/*
 * The outer "status = 'pending'" makes the take atomic: of two
 * concurrent calls that chose the same row, the second finds it changed
 * after waiting for the first's row lock and updates nothing.
 */
const struct store_stmt store_stmt_slo_step_next = {
	.name = "slo_step_next",
	.sql = "UPDATE saml_logout_steps SET status = 'sent', request_id = $2"
	       " WHERE chain_id = $1 AND status = 'pending' AND ord ="
	       " (SELECT min(ord) FROM saml_logout_steps"
	       " WHERE chain_id = $1 AND status = 'pending')"
	       " RETURNING sp_entity_id, nameid, nameid_format,"
	       " session_index, status, ord",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_slo_step_next(struct store *s, int64_t chain_id, const char *request_id,
		    struct store_slo_step *out)
{
	char id[STORE_INT64_PARAM_BYTES];
	const char *params[2] = {store_int64_param(id, chain_id), request_id};
	PGresult *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_exec(s, &store_stmt_slo_step_next, params, &res);
	if (rc == 0) {
		if (PQntuples(res) != 1)
			rc = STORE_NO_ROW;
		else
			rc = store_slo_step_row(res, 0, 0, out)
				     ? STORE_ONE_ROW
				     : STORE_HARD_ERROR;
	}
	PQclear(res);
	return rc;
}
