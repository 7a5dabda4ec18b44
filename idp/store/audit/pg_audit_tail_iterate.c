/*
 * The newest rows of the audit log, for `idpctl audit tail`.
 */
#include "idp/log/log.h"
#include "idp/store/audit/audit_rows.h"

const struct store_stmt store_stmt_audit_tail_iterate = {
	.name = "audit_tail_iterate",
	.sql = "SELECT * FROM (SELECT " STORE_AUDIT_COLUMNS " FROM audit_log"
	       " ORDER BY seq DESC LIMIT $1) AS tail ORDER BY seq",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_audit_tail_iterate(struct store *s, int n, store_audit_row_cb cb,
			 void *cls)
{
	const char *params[1];
	char l[12];
	PGresult *res;
	int rc;

	if (n < 1 || n > STORE_AUDIT_BATCH_MAX) {
		log_kv(LOG_LEVEL_ERROR, "bug_audit_batch_size", NULL);
		return STORE_HARD_ERROR;
	}
	params[0] = store_int_param(l, n);
	rc = store_exec(s, &store_stmt_audit_tail_iterate, params, &res);
	if (rc < 0)
		return rc;
	rc = store_audit_rows_visit(res, store_stmt_audit_tail_iterate.name, cb,
				    cls);
	PQclear(res);
	return rc;
}
