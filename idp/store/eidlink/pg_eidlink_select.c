/*
 * The eID link and place of birth of an account.
 */
#include <string.h>

#include "idp/store/eidlink/eidlink_rows.h"

const struct store_stmt store_stmt_eidlink_select = {
	.name = "eidlink_select",
	.sql = "SELECT l.account_id IS NOT NULL AS linked,"
	       " encode(l.pseudonym_hash, 'hex') AS pseudonym_hash,"
	       " l.document_type,"
	       " coalesce(floor(extract(epoch FROM l.linked_at))::bigint, 0),"
	       " coalesce(floor(extract(epoch FROM l.replaced_at))::bigint, 0),"
	       " a.place_of_birth, a.place_of_birth_source"
	       " FROM accounts a LEFT JOIN eid_links l ON l.account_id = a.id"
	       " WHERE a.id = $1",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_eidlink_select(struct store *s, int64_t account_id,
		     struct store_eidlink *out)
{
	char idbuf[STORE_INT64_PARAM_BYTES];
	const char *params[1] = {store_int64_param(idbuf, account_id)};
	PGresult *res;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_exec(s, &store_stmt_eidlink_select, params, &res);
	if (rc < 0)
		return rc;
	rc = STORE_NO_ROW;
	if (PQntuples(res) != 1)
		goto out;
	rc = STORE_HARD_ERROR;
	if (PQnfields(res) != 7 || !store_row_bool(res, 0, 0, &out->linked))
		goto out;
	if (out->linked &&
	    !eidlink_unhex(PQgetvalue(res, 0, 1), out->pseudonym_hash))
		goto out;
	if (!store_row_text(res, 0, 2, true, &out->document_type) ||
	    !store_row_int64(res, 0, 3, &out->linked_at) ||
	    !store_row_int64(res, 0, 4, &out->replaced_at) ||
	    !store_row_text(res, 0, 5, true, &out->place_of_birth) ||
	    !store_row_text(res, 0, 6, false, &out->place_of_birth_source))
		goto out;
	rc = STORE_ONE_ROW;
out:
	if (rc == STORE_HARD_ERROR)
		store_eidlink_clear(out);
	PQclear(res);
	return rc;
}
