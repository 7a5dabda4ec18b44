/*
 * End a session by its key: the one a verified LogoutRequest named.
 */
#include "idp/store/slo/slo_rows.h"

const struct store_stmt store_stmt_slo_session_delete = {
	.name = "slo_session_delete",
	.sql = "DELETE FROM sessions WHERE id = $1",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_slo_session_delete(struct store *s, int64_t session_id)
{
	char id[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(id, session_id)};
	PGresult *res = NULL;
	int64_t n = 0;
	int rc;

	rc = store_exec(s, &store_stmt_slo_session_delete, params, &res);
	if (rc == 0)
		rc = !store_row_count(res, &n) ? STORE_HARD_ERROR
		     : n == 1		       ? STORE_ONE_ROW
					       : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
