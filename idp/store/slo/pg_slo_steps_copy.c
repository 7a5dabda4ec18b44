/*
 * Copy a session's participants into the steps of its logout chain,
 * before the session (and with it the participant rows) is deleted.
 */
#include "idp/store/slo/slo_rows.h"

const struct store_stmt store_stmt_slo_steps_copy = {
	.name = "slo_steps_copy",
	.sql = "INSERT INTO saml_logout_steps (chain_id, ord, sp_entity_id,"
	       " nameid, nameid_format, session_index)"
	       " SELECT $1, row_number() OVER (ORDER BY id), sp_entity_id,"
	       " nameid, nameid_format, session_index"
	       " FROM saml_session_participants"
	       " WHERE session_id = $2"
	       " AND session_index IS DISTINCT FROM $3",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_slo_steps_copy(struct store *s, int64_t chain_id, int64_t session_id,
		     const char *skip_session_index, int64_t *n)
{
	char c[STORE_INT64_PARAM_BYTES], sid[STORE_INT64_PARAM_BYTES];
	const char *params[3] = {store_int64_param(c, chain_id),
				 store_int64_param(sid, session_id),
				 skip_session_index};
	PGresult *res = NULL;
	int rc;

	*n = 0;
	rc = store_exec(s, &store_stmt_slo_steps_copy, params, &res);
	if (rc == 0)
		rc = store_row_count(res, n) ? STORE_ONE_ROW : STORE_HARD_ERROR;
	PQclear(res);
	return rc;
}
