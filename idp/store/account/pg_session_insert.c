/*
 * Store a new session under the hash of its cookie value.
 */
#include <string.h>

#include "idp/store/account/account_rows.h"

/*
 * The idle expiry is clamped to the absolute one here, so that the
 * table's CHECK (idle before absolute) holds whatever the caller computed.
 */
const struct store_stmt store_stmt_session_insert = {
	.name = "session_insert",
	.sql = "INSERT INTO sessions (token_hash, handle, account_id,"
	       " auth_method, loa, idle_expires_at, absolute_expires_at,"
	       " client, user_agent)"
	       " VALUES (decode($1, 'hex'), $2, $3, $4, $5,"
	       " least(to_timestamp($6::bigint), to_timestamp($7::bigint)),"
	       " to_timestamp($7::bigint), $8, $9)"
	       " RETURNING id, floor(extract(epoch FROM created_at))::bigint,"
	       " floor(extract(epoch FROM idle_expires_at))::bigint",
	.nparams = 9,
	.tier = STORE_TIER_APP,
};

int
store_session_insert(struct store *s, const uint8_t hash[STORE_HASH_BYTES],
		     struct store_session *ss)
{
	char hex[STORE_HASH_HEX_BYTES];
	char idbuf[STORE_INT64_PARAM_BYTES], idlebuf[STORE_INT64_PARAM_BYTES];
	char absbuf[STORE_INT64_PARAM_BYTES];
	const char *params[9] = {
		store_hash_hex(hash, hex),
		ss->handle,
		store_int64_param(idbuf, ss->account_id),
		ss->auth_method,
		ss->loa,
		store_int64_param(idlebuf, ss->idle_expires_at),
		store_int64_param(absbuf, ss->absolute_expires_at),
		ss->client,
		ss->user_agent,
	};
	PGresult *res = NULL;
	int rc;

	rc = store_exec(s, &store_stmt_session_insert, params, &res);
	if (rc < 0)
		goto out;
	rc = STORE_HARD_ERROR;
	if (PQntuples(res) == 1 && store_row_int64(res, 0, 0, &ss->id) &&
	    store_row_int64(res, 0, 1, &ss->created_at) &&
	    store_row_int64(res, 0, 2, &ss->idle_expires_at)) {
		ss->last_seen_at = ss->created_at;
		rc = STORE_ONE_ROW;
	}
out:
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
