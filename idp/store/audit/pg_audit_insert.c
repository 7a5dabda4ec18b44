/*
 * Append one row to the audit chain.
 */
#include "idp/log/log.h"
#include "idp/store/audit/audit_rows.h"

/*
 * One statement, so that no step can be forgotten or reordered. The
 * UPDATE takes audit_head's row lock (held until the transaction ends:
 * appends from all nodes queue here, and the chain cannot fork); its SET
 * expressions all read the old head, so the new hash is computed from
 * the previous row's hash, which the head also keeps as prev_hash for
 * RETURNING. Under READ COMMITTED a waiting append re-reads the head
 * that the winner committed; under SERIALIZABLE it fails with 40001 and
 * the transaction runner retries.
 *
 * The previous hash must come from the locked head, not from audit_log:
 * a row committed while this statement waited for the lock is not in its
 * snapshot, but the head row it locked is the newest version.
 *
 * statement_timestamp() is the same value wherever it occurs in one
 * statement, so the time hashed and the time stored are equal.
 */
const struct store_stmt store_stmt_audit_insert = {
	.name = "audit_insert",
	.sql = "WITH head AS ("
	       " UPDATE audit_head"
	       " SET seq = seq + 1, prev_hash = hash,"
	       " hash = audit_hash(hash, seq + 1, statement_timestamp(),"
	       " $1, $2, $3, $4, $5::jsonb)"
	       " WHERE id"
	       " RETURNING seq, prev_hash, hash)"
	       " INSERT INTO audit_log (seq, at, event, actor, subject, client,"
	       " details, prev_hash, hash)"
	       " SELECT seq, statement_timestamp(), $1, $2, $3, $4, $5::jsonb,"
	       " prev_hash, hash FROM head"
	       " RETURNING seq",
	.nparams = 5,
	.tier = STORE_TIER_APP,
};

int
store_audit_insert(struct store *s, const char *event, const char *actor,
		   const char *subject, const char *client, const char *details,
		   int64_t *seq)
{
	const char *params[5] = {event, actor, subject, client, details};
	PGresult *res;
	int rc;

	*seq = 0;
	rc = store_exec(s, &store_stmt_audit_insert, params, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) != 1 || !store_row_int64(res, 0, 0, seq)) {
		/* No head row: the chain's anchor is gone. */
		store_error_count_add();
		log_kv(LOG_LEVEL_ERROR, "audit_head_missing", NULL);
		rc = STORE_HARD_ERROR;
		goto out;
	}
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
