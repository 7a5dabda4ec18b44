/*
 * End every session of an account, or every one but the caller's.
 */
#include <string.h>

#include "idp/store/account/account_rows.h"

/*
 * With $2 NULL, decode() is NULL and IS DISTINCT FROM is true for every
 * row: all sessions end.
 */
const struct store_stmt store_stmt_session_delete_account = {
	.name = "session_delete_account",
	.sql = "DELETE FROM sessions WHERE account_id = $1"
	       " AND token_hash IS DISTINCT FROM decode($2, 'hex')",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_session_delete_account(struct store *s, int64_t account_id,
			     const uint8_t *keep_hash, int64_t *n)
{
	char hex[STORE_HASH_HEX_BYTES];
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[2] = {
		store_int64_param(idbuf, account_id),
		keep_hash != NULL ? store_hash_hex(keep_hash, hex) : NULL,
	};
	PGresult *res = NULL;
	int rc;

	*n = 0;
	rc = store_exec(s, &store_stmt_session_delete_account, params, &res);
	if (rc < 0)
		goto out;
	rc = store_row_count(res, n) ? STORE_ONE_ROW : STORE_HARD_ERROR;
out:
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
