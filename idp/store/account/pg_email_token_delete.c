/*
 * Invalidate the unused links of one purpose of an account.
 */
#include "idp/log/log.h"
#include "idp/store/account/account_rows.h"

/*
 * The rows stay, expired now, rather than being deleted: a resend or
 * a new reset request invalidates the old links, and
 * store_email_token_count() must still see them to limit how many links
 * an account gets per window. store_email_token_purge() removes them
 * later.
 */
const struct store_stmt store_stmt_email_token_delete = {
	.name = "email_token_delete",
	.sql = "UPDATE email_tokens SET expires_at = now()"
	       " WHERE account_id = $1 AND purpose = $2"
	       " AND used_at IS NULL AND expires_at > now()",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_email_token_delete(struct store *s, int64_t account_id,
			 enum store_token_purpose purpose)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[2] = {store_int64_param(idbuf, account_id),
				 store_token_purpose_name(purpose)};
	PGresult *res;
	int64_t n;
	int rc;

	if (params[1] == NULL) {
		log_kv(LOG_LEVEL_ERROR, "store_bad_argument", "statement",
		       store_stmt_email_token_delete.name, "argument",
		       "purpose", NULL);
		return STORE_HARD_ERROR;
	}
	rc = store_exec(s, &store_stmt_email_token_delete, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
