/*
 * Complete an e-mail change: the pending address becomes the e-mail.
 */
#include "idp/store/account/account_rows.h"

/*
 * The pending address must still be the one the link went to (a later
 * change request replaces it), compared exactly: it is the same string
 * the service stored. NOT EXISTS refuses an address another account has
 * taken meanwhile without an error; when that other account takes it in
 * a transaction still running, only the unique index can see it, and
 * store_exec_unique() turns its violation into "no row" too.
 */
const struct store_stmt store_stmt_account_update_email = {
	.name = "account_update_email",
	.sql = "UPDATE accounts SET email = pending_email,"
	       " pending_email = NULL, updated_at = now()"
	       " WHERE id = $1 AND pending_email = $2"
	       " AND NOT EXISTS (SELECT 1 FROM accounts AS o"
	       " WHERE lower(o.email) = lower($2) AND o.id <> $1)",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_account_update_email(struct store *s, int64_t id, const char *email)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[2] = {store_int64_param(idbuf, id), email};
	PGresult *res;
	int64_t n;
	int rc;

	rc = store_exec_unique(s, &store_stmt_account_update_email, params,
			       "accounts_email_lower", &res);
	if (rc != STORE_ONE_ROW)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
