/*
 * Register a new, unverified account.
 */
#include "idp/store/account/account_rows.h"

/*
 * ON CONFLICT on the case-insensitive e-mail index turns a taken address
 * into "no row" without an error, also when another node inserts the
 * same address at the same moment (the insert waits for that
 * transaction and then does nothing), and without aborting the caller's
 * transaction. "" in an optional field means "not given", as in the
 * profile update; sources default to 'self'.
 */
const struct store_stmt store_stmt_account_insert = {
	.name = "account_insert",
	.sql = "INSERT INTO accounts (audit_ref, email, pending_email,"
	       " password_hash, given_name, family_name, birth_date, street,"
	       " postal_code, city, name_source, birth_date_source,"
	       " address_source, status)"
	       " VALUES ($1, $2, nullif($3, ''), $4, $5, $6,"
	       " nullif($7, '')::date, nullif($8, ''), nullif($9, ''),"
	       " nullif($10, ''), coalesce($11, 'self'),"
	       " coalesce($12, 'self'), coalesce($13, 'self'),"
	       " CASE WHEN $14::boolean THEN 'locked' ELSE 'active' END)"
	       " ON CONFLICT ((lower(email))) DO NOTHING"
	       " RETURNING id, floor(extract(epoch FROM created_at))::bigint",
	.nparams = 14,
	.tier = STORE_TIER_APP,
};

int
store_account_insert(struct store *s, struct store_account *a)
{
	const char *params[14] = {
		a->audit_ref,	   a->email,
		a->pending_email,  a->password_hash,
		a->given_name,	   a->family_name,
		a->birth_date,	   a->street,
		a->postal_code,	   a->city,
		a->name_source,	   a->birth_date_source,
		a->address_source, a->locked ? "true" : "false",
	};
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_account_insert, params, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NO_ROW;
		goto out;
	}
	rc = STORE_ONE_ROW;
	if (!store_row_int64(res, 0, 0, &a->id) ||
	    !store_row_int64(res, 0, 1, &a->created_at))
		rc = STORE_HARD_ERROR;
out:
	PQclear(res);
	return rc;
}
