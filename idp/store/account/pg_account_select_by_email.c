/*
 * Look an account up by its e-mail address, without regard to case.
 */
#include <string.h>

#include "idp/store/account/account_rows.h"

/*
 * lower(email) = lower($1) is the expression of the unique index
 * accounts_email_lower, so the lookup uses it. Columns as
 * store_row_account() expects them; the birth date formatted here so
 * that the server's DateStyle does not matter.
 */
const struct store_stmt store_stmt_account_select_by_email = {
	.name = "account_select_by_email",
	.sql = "SELECT id, audit_ref, email,"
	       " email_verified_at IS NOT NULL AS email_verified,"
	       " pending_email, password_hash, given_name, family_name,"
	       " to_char(birth_date, 'YYYY-MM-DD') AS birth_date,"
	       " street, postal_code, city, name_source, birth_date_source,"
	       " address_source, status = 'locked' AS locked,"
	       " floor(extract(epoch FROM created_at))::bigint AS created_at"
	       " FROM accounts WHERE lower(email) = lower($1)",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_account_select_by_email(struct store *s, const char *email,
			      struct store_account *out)
{
	const char *params[1] = {email};
	PGresult *res;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_exec(s, &store_stmt_account_select_by_email, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_NO_ROW;
	if (PQntuples(res) == 1)
		rc = store_row_account(res, 0, 0, out);
	PQclear(res);
	return rc;
}
