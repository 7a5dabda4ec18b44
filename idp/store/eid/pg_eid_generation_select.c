/*
 * What a worker's eID lasso server is built from, condensed to one value.
 */
#include <string.h>

#include "idp/store/eid/eid_rows.h"

/*
 * The eID service row's updated_at (microseconds: every change moves it)
 * and the (id, state) pairs of the eID keys change exactly when a worker
 * must rebuild; the md5 is a short stand-in. Both tables are tiny.
 */
const struct store_stmt store_stmt_eid_generation_select = {
	.name = "eid_generation_select",
	.sql = "SELECT md5(coalesce((SELECT entity_id || '@' ||"
	       " extract(epoch FROM updated_at)::text FROM eid_service), '')"
	       " || '|' || coalesce((SELECT string_agg(id || ':' || state,"
	       " ',' ORDER BY id) FROM signing_keys"
	       " WHERE state <> 'retired'"
	       " AND purpose IN ('eid-signing', 'eid-encryption')), '')),"
	       " floor(extract(epoch FROM now()))::bigint",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_eid_generation_select(struct store *s,
			    char gen[STORE_EID_GENERATION_LEN + 1],
			    int64_t *now)
{
	PGresult *res = NULL;
	int rc;

	gen[0] = '\0';
	*now = 0;
	rc = store_exec(s, &store_stmt_eid_generation_select, NULL, &res);
	if (rc < 0)
		goto out;
	rc = STORE_HARD_ERROR;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0) ||
	    (size_t)PQgetlength(res, 0, 0) != STORE_EID_GENERATION_LEN ||
	    !store_row_int64(res, 0, 1, now))
		goto out;
	memcpy(gen, PQgetvalue(res, 0, 0), STORE_EID_GENERATION_LEN + 1);
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
