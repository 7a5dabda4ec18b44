/*
 * Walk the audit chain in seq order, one bounded batch at a time.
 */
#include "idp/log/log.h"
#include "idp/store/audit/audit_rows.h"

const struct store_stmt store_stmt_audit_iterate = {
	.name = "audit_iterate",
	.sql = "SELECT " STORE_AUDIT_COLUMNS " FROM audit_log"
	       " WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_audit_iterate(struct store *s, int64_t after, int64_t upto, int limit,
		    store_audit_row_cb cb, void *cls)
{
	char a[21], u[21], l[12];
	const char *params[3];
	PGresult *res;
	int rc;

	/* The bound keeps one result, and so our memory, small. */
	if (limit < 1 || limit > STORE_AUDIT_BATCH_MAX) {
		log_kv(LOG_LEVEL_ERROR, "bug_audit_batch_size", NULL);
		return STORE_HARD_ERROR;
	}
	params[0] = store_int64_param(a, after);
	params[1] = store_int64_param(u, upto);
	params[2] = store_int_param(l, limit);
	rc = store_exec(s, &store_stmt_audit_iterate, params, &res);
	if (rc < 0)
		return rc;
	rc = store_audit_rows_visit(res, store_stmt_audit_iterate.name, cb,
				    cls);
	PQclear(res);
	return rc;
}
