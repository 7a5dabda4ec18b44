/*
 * Change a relying party's settings and metadata, and announce it.
 */
#include "idp/store/sp/sp_rows.h"

/*
 * The revision in the WHERE clause makes this a compare-and-set: a
 * caller that decided on a row it read earlier (the refresh, which
 * fetches between reading and writing) cannot overwrite a change that
 * came in between; it gets no row and reads again. $9 says where the
 * metadata comes from ('keep', 'file', 'fetched'); a 'fetched' update
 * without a URL breaks the table's CHECK and fails. The notification
 * rides in the same statement and is delivered at COMMIT.
 */
const struct store_stmt store_stmt_sp_update = {
	.name = "sp_update",
	.sql = "WITH r AS (UPDATE relying_parties SET"
	       " enabled = $3::boolean,"
	       " release_attributes = string_to_array($4, ','),"
	       " attribute_profile = $5, nameid_format = $6,"
	       " require_signed_requests = $7::boolean,"
	       " encrypt_assertions = $8::boolean,"
	       " metadata = CASE WHEN $9 = 'keep' THEN metadata"
	       " ELSE $10 END,"
	       " metadata_url = CASE $9 WHEN 'keep' THEN metadata_url"
	       " WHEN 'file' THEN NULL ELSE $11 END,"
	       " fetched_at = CASE $9 WHEN 'keep' THEN fetched_at"
	       " WHEN 'file' THEN NULL ELSE now() END,"
	       " refresh_failed_at = CASE WHEN $9 = 'keep'"
	       " THEN refresh_failed_at END,"
	       " refresh_error = CASE WHEN $9 = 'keep' THEN refresh_error END,"
	       " revision = revision + 1, updated_at = now()"
	       " WHERE id = $1 AND revision = $2"
	       " AND $9 IN ('keep', 'file', 'fetched')"
	       " RETURNING entity_id, revision, fetched_at, updated_at)"
	       " SELECT revision,"
	       " floor(extract(epoch FROM fetched_at))::bigint,"
	       " floor(extract(epoch FROM updated_at))::bigint,"
	       " pg_notify('" STORE_SP_CHANNEL "', entity_id) FROM r",
	.nparams = 11,
	.tier = STORE_TIER_APP,
};

static const char *
source_name(enum store_sp_source source)
{
	switch (source) {
	case STORE_SP_SOURCE_KEEP:
		return "keep";
	case STORE_SP_SOURCE_FILE:
		return "file";
	case STORE_SP_SOURCE_FETCHED:
		return "fetched";
	}
	return "invalid";
}

int
store_sp_update(struct store *s, struct store_sp *sp,
		enum store_sp_source source)
{
	char id[STORE_INT64_PARAM_BYTES], rev[STORE_INT64_PARAM_BYTES];
	const char *params[11] = {
		store_int64_param(id, sp->id),
		store_int64_param(rev, sp->revision),
		sp->enabled ? "true" : "false",
		sp->release_attributes != NULL ? sp->release_attributes : "",
		sp->attribute_profile,
		sp->nameid_format,
		sp->require_signed_requests ? "true" : "false",
		sp->encrypt_assertions ? "true" : "false",
		source_name(source),
		sp->metadata,
		sp->metadata_url,
	};
	PGresult *res;
	int64_t fetched = 0;
	int rc;

	rc = store_exec(s, &store_stmt_sp_update, params, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NO_ROW;
		goto out;
	}
	if (PQntuples(res) != 1 || !store_row_int64(res, 0, 0, &sp->revision) ||
	    (!PQgetisnull(res, 0, 1) &&
	     !store_row_int64(res, 0, 1, &fetched)) ||
	    !store_row_int64(res, 0, 2, &sp->updated_at)) {
		rc = store_fail(s, store_stmt_sp_update.name, NULL);
		goto out;
	}
	sp->fetched_at = fetched;
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
