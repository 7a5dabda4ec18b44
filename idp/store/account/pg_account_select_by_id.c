/*
 * Look an account up by its internal id.
 */
#include <string.h>

#include "idp/store/account/account_rows.h"

/* Columns as store_row_account() expects them. */
const struct store_stmt store_stmt_account_select_by_id = {
	.name = "account_select_by_id",
	.sql = "SELECT id, audit_ref, email,"
	       " email_verified_at IS NOT NULL AS email_verified,"
	       " pending_email, password_hash, given_name, family_name,"
	       " to_char(birth_date, 'YYYY-MM-DD') AS birth_date,"
	       " street, postal_code, city, name_source, birth_date_source,"
	       " address_source, status = 'locked' AS locked,"
	       " floor(extract(epoch FROM created_at))::bigint AS created_at"
	       " FROM accounts WHERE id = $1",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_account_select_by_id(struct store *s, int64_t id,
			   struct store_account *out)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(idbuf, id)};
	PGresult *res;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_exec(s, &store_stmt_account_select_by_id, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_NO_ROW;
	if (PQntuples(res) == 1)
		rc = store_row_account(res, 0, 0, out);
	PQclear(res);
	return rc;
}
