/*
 * Find the live session of a cookie, with its account.
 */
#include <string.h>

#include "idp/store/account/account_rows.h"

/*
 * Everything that makes a session unusable is checked here, in one
 * place: either expiry passed, the account locked, or its address not
 * (or no longer) verified. Session columns first, then the account's, as
 * store_row_session() and store_row_account() expect them. The token
 * hash itself is not returned.
 */
const struct store_stmt store_stmt_session_select = {
	.name = "session_select",
	.sql = "SELECT s.id, s.handle, s.account_id, s.auth_method, s.loa,"
	       " floor(extract(epoch FROM s.created_at))::bigint"
	       " AS created_at,"
	       " floor(extract(epoch FROM s.last_seen_at))::bigint"
	       " AS last_seen_at,"
	       " floor(extract(epoch FROM s.idle_expires_at))::bigint"
	       " AS idle_expires_at,"
	       " floor(extract(epoch FROM s.absolute_expires_at))::bigint"
	       " AS absolute_expires_at,"
	       " s.client, s.user_agent, true AS current,"
	       " a.id, a.audit_ref, a.email,"
	       " a.email_verified_at IS NOT NULL AS email_verified,"
	       " a.pending_email, a.password_hash, a.given_name,"
	       " a.family_name,"
	       " to_char(a.birth_date, 'YYYY-MM-DD') AS birth_date,"
	       " a.street, a.postal_code, a.city, a.name_source,"
	       " a.birth_date_source, a.address_source,"
	       " a.status = 'locked' AS locked,"
	       " floor(extract(epoch FROM a.created_at))::bigint"
	       " AS created_at"
	       " FROM sessions AS s JOIN accounts AS a ON a.id = s.account_id"
	       " WHERE s.token_hash = decode($1, 'hex')"
	       " AND s.idle_expires_at > now()"
	       " AND s.absolute_expires_at > now()"
	       " AND a.status = 'active' AND a.email_verified_at IS NOT NULL",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_session_select(struct store *s, const uint8_t hash[STORE_HASH_BYTES],
		     struct store_session *ss, struct store_account *a)
{
	char hex[STORE_HASH_HEX_BYTES];
	const char *params[1] = {store_hash_hex(hash, hex)};
	PGresult *res = NULL;
	int rc;

	memset(ss, 0, sizeof(*ss));
	memset(a, 0, sizeof(*a));
	rc = store_exec(s, &store_stmt_session_select, params, &res);
	if (rc < 0)
		goto out;
	rc = STORE_NO_ROW;
	if (PQntuples(res) != 1)
		goto out;
	rc = store_row_session(res, 0, 0, ss);
	if (rc != STORE_ONE_ROW)
		goto out;
	rc = store_row_account(res, 0, STORE_SESSION_COLUMNS, a);
	if (rc != STORE_ONE_ROW)
		store_session_clear(ss);
out:
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
