/*
 * Store the hash of a new e-mail link token.
 */
#include <string.h>

#include "idp/log/log.h"
#include "idp/store/account/account_rows.h"

/*
 * The expiry is computed by the database's clock, the one clock that
 * every node shares and that store_email_token_consume() compares with.
 */
const struct store_stmt store_stmt_email_token_insert = {
	.name = "email_token_insert",
	.sql = "INSERT INTO email_tokens (token_hash, account_id, purpose,"
	       " email, expires_at)"
	       " VALUES (decode($1, 'hex'), $2, $3, $4,"
	       " now() + $5::bigint * interval '1 second')",
	.nparams = 5,
	.tier = STORE_TIER_APP,
};

int
store_email_token_insert(struct store *s, const uint8_t hash[STORE_HASH_BYTES],
			 int64_t account_id, enum store_token_purpose purpose,
			 const char *email, int64_t ttl_s)
{
	char hex[STORE_HASH_HEX_BYTES];
	char idbuf[STORE_INT64_PARAM_BYTES], ttlbuf[STORE_INT64_PARAM_BYTES];
	const char *params[5] = {
		store_hash_hex(hash, hex),
		store_int64_param(idbuf, account_id),
		store_token_purpose_name(purpose),
		email,
		store_int64_param(ttlbuf, ttl_s),
	};
	PGresult *res;
	int rc;

	if (params[2] == NULL) {
		log_kv(LOG_LEVEL_ERROR, "store_bad_argument", "statement",
		       store_stmt_email_token_insert.name, "argument",
		       "purpose", NULL);
		rc = STORE_HARD_ERROR;
		goto out;
	}
	rc = store_exec(s, &store_stmt_email_token_insert, params, &res);
	if (rc < 0)
		goto out;
	PQclear(res);
	rc = STORE_ONE_ROW;
out:
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
