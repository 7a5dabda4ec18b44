/*
 * After an unlink: the values stay, their source goes back to 'self'.
 */
#include "idp/store/eidlink/eidlink_rows.h"

const struct store_stmt store_stmt_eidlink_account_unsource = {
	.name = "eidlink_account_unsource",
	.sql = "UPDATE accounts SET name_source = 'self',"
	       " birth_date_source = 'self', address_source = 'self',"
	       " place_of_birth_source = 'self', updated_at = now()"
	       " WHERE id = $1",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_eidlink_account_unsource(struct store *s, int64_t account_id)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(idbuf, account_id)};
	PGresult *res;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_eidlink_account_unsource, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
