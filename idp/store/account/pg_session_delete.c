/*
 * End the session of a cookie (logout).
 */
#include <string.h>

#include "idp/store/account/account_rows.h"

const struct store_stmt store_stmt_session_delete = {
	.name = "session_delete",
	.sql = "DELETE FROM sessions WHERE token_hash = decode($1, 'hex')",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_session_delete(struct store *s, const uint8_t hash[STORE_HASH_BYTES])
{
	char hex[STORE_HASH_HEX_BYTES];
	const char *params[1] = {store_hash_hex(hash, hex)};
	PGresult *res = NULL;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_session_delete, params, &res);
	if (rc < 0)
		goto out;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
out:
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
