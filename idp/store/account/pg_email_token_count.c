/*
 * How many links of one purpose an account got lately.
 */
#include "idp/log/log.h"
#include "idp/store/account/account_rows.h"

/*
 * Counts used and invalidated links too: the limit is on mails sent.
 * An aggregate without GROUP BY always gives one row.
 */
const struct store_stmt store_stmt_email_token_count = {
	.name = "email_token_count",
	.sql = "SELECT count(*),"
	       " coalesce(floor(extract(epoch FROM max(created_at))), 0)"
	       "::bigint"
	       " FROM email_tokens WHERE account_id = $1 AND purpose = $2"
	       " AND created_at > now() - $3::bigint * interval '1 second'",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_email_token_count(struct store *s, int64_t account_id,
			enum store_token_purpose purpose, int64_t window_s,
			int64_t *count, int64_t *newest)
{
	char idbuf[STORE_INT64_PARAM_BYTES], winbuf[STORE_INT64_PARAM_BYTES];
	const char *params[3] = {store_int64_param(idbuf, account_id),
				 store_token_purpose_name(purpose),
				 store_int64_param(winbuf, window_s)};
	PGresult *res;
	int rc;

	*count = 0;
	*newest = 0;
	if (params[1] == NULL) {
		log_kv(LOG_LEVEL_ERROR, "store_bad_argument", "statement",
		       store_stmt_email_token_count.name, "argument", "purpose",
		       NULL);
		return STORE_HARD_ERROR;
	}
	rc = store_exec(s, &store_stmt_email_token_count, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (PQntuples(res) == 1 && store_row_int64(res, 0, 0, count) &&
	    store_row_int64(res, 0, 1, newest))
		rc = STORE_ONE_ROW;
	PQclear(res);
	return rc;
}
