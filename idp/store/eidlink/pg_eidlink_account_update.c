/*
 * Set the account fields an eID card confirms, with source 'eid'.
 */
#include "idp/store/eidlink/eidlink_rows.h"

/*
 * A group the card does not give keeps its value and source: a card
 * without an address (some documents have none) must not erase the
 * address the citizen typed, nor mark it verified.
 */
const struct store_stmt store_stmt_eidlink_account_update = {
	.name = "eidlink_account_update",
	.sql = "UPDATE accounts SET family_name = $2, given_name = $3,"
	       " name_source = 'eid',"
	       " birth_date = coalesce($4::date, birth_date),"
	       " birth_date_source = CASE WHEN $4::date IS NULL"
	       " THEN birth_date_source ELSE 'eid' END,"
	       " place_of_birth = coalesce($5, place_of_birth),"
	       " place_of_birth_source = CASE WHEN $5::text IS NULL"
	       " THEN place_of_birth_source ELSE 'eid' END,"
	       " street = CASE WHEN $8::text IS NULL THEN street ELSE $6 END,"
	       " postal_code = CASE WHEN $8::text IS NULL"
	       " THEN postal_code ELSE $7 END,"
	       " city = coalesce($8, city),"
	       " address_source = CASE WHEN $8::text IS NULL"
	       " THEN address_source ELSE 'eid' END,"
	       " updated_at = now()"
	       " WHERE id = $1",
	.nparams = 8,
	.tier = STORE_TIER_APP,
};

int
store_eidlink_account_update(struct store *s, int64_t account_id,
			     const struct store_eid_person *p)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[8] = {
		store_int64_param(idbuf, account_id),
		p->family_name,
		p->given_names,
		eidlink_opt(p->birth_date),
		eidlink_opt(p->place_of_birth),
		eidlink_opt(p->street),
		eidlink_opt(p->postal_code),
		eidlink_opt(p->city),
	};
	PGresult *res;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_eidlink_account_update, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
