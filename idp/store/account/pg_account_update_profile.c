/*
 * Update the self-declared profile of an account.
 */
#include "idp/store/account/account_rows.h"

/*
 * What an eID has confirmed the citizen may not overwrite: each group of
 * fields keeps its value when its source is 'eid'. The rule lives in the
 * statement itself, so that no caller can forget it. "" clears an
 * optional field, like NULL.
 */
const struct store_stmt store_stmt_account_update_profile = {
	.name = "account_update_profile",
	.sql = "UPDATE accounts SET"
	       " given_name = CASE WHEN name_source = 'eid'"
	       " THEN given_name ELSE $2 END,"
	       " family_name = CASE WHEN name_source = 'eid'"
	       " THEN family_name ELSE $3 END,"
	       " birth_date = CASE WHEN birth_date_source = 'eid'"
	       " THEN birth_date ELSE nullif($4, '')::date END,"
	       " street = CASE WHEN address_source = 'eid'"
	       " THEN street ELSE nullif($5, '') END,"
	       " postal_code = CASE WHEN address_source = 'eid'"
	       " THEN postal_code ELSE nullif($6, '') END,"
	       " city = CASE WHEN address_source = 'eid'"
	       " THEN city ELSE nullif($7, '') END,"
	       " updated_at = now()"
	       " WHERE id = $1",
	.nparams = 7,
	.tier = STORE_TIER_APP,
};

int
store_account_update_profile(struct store *s, const struct store_account *a)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[7] = {
		store_int64_param(idbuf, a->id),
		a->given_name,
		a->family_name,
		a->birth_date,
		a->street,
		a->postal_code,
		a->city,
	};
	PGresult *res;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_account_update_profile, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
