/*
 * Find the assertion a LogoutRequest names, in a live session.
 */
#include <string.h>

#include "idp/store/slo/slo_rows.h"

const struct store_stmt store_stmt_slo_participant_select = {
	.name = "slo_participant_select",
	.sql = "SELECT s.id, s.handle, a.audit_ref"
	       " FROM saml_session_participants p"
	       " JOIN sessions s ON s.id = p.session_id"
	       " JOIN accounts a ON a.id = s.account_id"
	       " WHERE p.sp_entity_id = $1 AND p.nameid = $2"
	       " AND p.session_index = $3"
	       " AND s.idle_expires_at > now()"
	       " AND s.absolute_expires_at > now()",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_slo_participant_select(struct store *s, const char *sp_entity_id,
			     const char *nameid, const char *session_index,
			     struct store_slo_participant *out)
{
	const char *params[3] = {sp_entity_id, nameid, session_index};
	PGresult *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_exec(s, &store_stmt_slo_participant_select, params, &res);
	if (rc < 0)
		goto out;
	rc = STORE_NO_ROW;
	if (PQntuples(res) != 1)
		goto out;
	rc = STORE_HARD_ERROR;
	if (!store_row_int64(res, 0, 0, &out->session_id) ||
	    !store_row_text(res, 0, 1, false, &out->session_handle) ||
	    !store_row_text(res, 0, 2, false, &out->audit_ref)) {
		store_slo_participant_clear(out);
		goto out;
	}
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
