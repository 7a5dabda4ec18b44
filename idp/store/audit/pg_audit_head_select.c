/*
 * Read the end of the audit chain.
 */
#include <string.h>

#include "idp/log/log.h"
#include "idp/store/audit/audit_rows.h"

const struct store_stmt store_stmt_audit_head_select = {
	.name = "audit_head_select",
	.sql = "SELECT seq, encode(hash, 'hex') FROM audit_head WHERE id",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_audit_head_select(struct store *s, int64_t *seq,
			char hash[STORE_AUDIT_HASH_HEX_LEN + 1])
{
	const char *h;
	PGresult *res;
	int rc;

	*seq = 0;
	hash[0] = '\0';
	rc = store_exec(s, &store_stmt_audit_head_select, NULL, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NO_ROW;
		goto out;
	}
	if (!store_row_int64(res, 0, 0, seq) || PQgetisnull(res, 0, 1)) {
		store_error_count_add();
		log_kv(LOG_LEVEL_ERROR, "store_bad_row", "statement",
		       store_stmt_audit_head_select.name, NULL);
		rc = STORE_HARD_ERROR;
		goto out;
	}
	h = PQgetvalue(res, 0, 1);
	if (strlen(h) == STORE_AUDIT_HASH_HEX_LEN)
		memcpy(hash, h, STORE_AUDIT_HASH_HEX_LEN + 1);
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
