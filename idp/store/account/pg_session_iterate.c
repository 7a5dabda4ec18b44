/*
 * The live sessions of an account, for the account page.
 */
#include <string.h>

#include "idp/store/account/account_rows.h"

/*
 * The caller's own session is marked by comparing hashes here, in SQL,
 * so that no token hash ever reaches C from this statement. Newest
 * first; id breaks ties between sessions of the same second.
 */
const struct store_stmt store_stmt_session_iterate = {
	.name = "session_iterate",
	.sql = "SELECT id, handle, account_id, auth_method, loa,"
	       " floor(extract(epoch FROM created_at))::bigint"
	       " AS created_at,"
	       " floor(extract(epoch FROM last_seen_at))::bigint"
	       " AS last_seen_at,"
	       " floor(extract(epoch FROM idle_expires_at))::bigint"
	       " AS idle_expires_at,"
	       " floor(extract(epoch FROM absolute_expires_at))::bigint"
	       " AS absolute_expires_at,"
	       " client, user_agent,"
	       " coalesce(token_hash = decode($2, 'hex'), false) AS current"
	       " FROM sessions WHERE account_id = $1"
	       " AND idle_expires_at > now() AND absolute_expires_at > now()"
	       " ORDER BY created_at DESC, id DESC",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_session_iterate(struct store *s, int64_t account_id,
		      const uint8_t *current_hash, store_session_cb cb,
		      void *cls)
{
	char hex[STORE_HASH_HEX_BYTES];
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[2] = {
		store_int64_param(idbuf, account_id),
		current_hash != NULL ? store_hash_hex(current_hash, hex) : NULL,
	};
	struct store_session ss;
	PGresult *res = NULL;
	int rc, n;

	rc = store_exec(s, &store_stmt_session_iterate, params, &res);
	if (rc < 0)
		goto out;
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		rc = store_row_session(res, i, 0, &ss);
		if (rc != STORE_ONE_ROW)
			goto out;
		cb(&ss, cls);
		store_session_clear(&ss);
	}
	rc = n;
out:
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
