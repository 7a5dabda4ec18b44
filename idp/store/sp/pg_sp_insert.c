/*
 * Register a new relying party and announce it.
 */
#include "idp/store/sp/sp_rows.h"

/*
 * ON CONFLICT on the unique entity_id turns a taken entity ID into "no
 * row" without an error, also when another operator inserts the same
 * entity at the same moment (the insert waits for that transaction and
 * then does nothing), and without aborting the caller's transaction.
 * The notification rides in the same statement, so that it exists
 * exactly when the row does: both take effect at COMMIT.
 */
const struct store_stmt store_stmt_sp_insert = {
	.name = "sp_insert",
	.sql = "WITH r AS (INSERT INTO relying_parties (entity_id, metadata,"
	       " metadata_url, fetched_at, enabled, release_attributes,"
	       " attribute_profile, nameid_format, require_signed_requests,"
	       " encrypt_assertions)"
	       " VALUES ($1, $2, $3::text,"
	       " CASE WHEN $3::text IS NULL THEN NULL ELSE now() END,"
	       " $4::boolean, string_to_array($5, ','), $6, $7,"
	       " $8::boolean, $9::boolean)"
	       " ON CONFLICT (entity_id) DO NOTHING"
	       " RETURNING id, entity_id, revision, fetched_at, created_at,"
	       " updated_at)"
	       " SELECT id, revision,"
	       " floor(extract(epoch FROM fetched_at))::bigint,"
	       " floor(extract(epoch FROM created_at))::bigint,"
	       " floor(extract(epoch FROM updated_at))::bigint,"
	       " pg_notify('" STORE_SP_CHANNEL "', entity_id) FROM r",
	.nparams = 9,
	.tier = STORE_TIER_APP,
};

int
store_sp_insert(struct store *s, struct store_sp *sp)
{
	const char *params[9] = {
		sp->entity_id,
		sp->metadata,
		sp->metadata_url,
		sp->enabled ? "true" : "false",
		sp->release_attributes != NULL ? sp->release_attributes : "",
		sp->attribute_profile,
		sp->nameid_format,
		sp->require_signed_requests ? "true" : "false",
		sp->encrypt_assertions ? "true" : "false",
	};
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_sp_insert, params, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NO_ROW;
		goto out;
	}
	sp->fetched_at = 0;
	if (PQntuples(res) != 1 || !store_row_int64(res, 0, 0, &sp->id) ||
	    !store_row_int64(res, 0, 1, &sp->revision) ||
	    (!PQgetisnull(res, 0, 2) &&
	     !store_row_int64(res, 0, 2, &sp->fetched_at)) ||
	    !store_row_int64(res, 0, 3, &sp->created_at) ||
	    !store_row_int64(res, 0, 4, &sp->updated_at)) {
		rc = store_fail(s, store_stmt_sp_insert.name, NULL);
		goto out;
	}
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
