/*
 * Configure the eID service (insert or replace its one row) and announce
 * it.
 */
#include "idp/store/eid/eid_rows.h"

/*
 * Every column is given: the caller merges the attribute names the
 * operator chose with the stored ones (or the defaults) first, in the
 * same transaction. The notification rides in the same statement, so it
 * exists exactly when the row does; clock_timestamp() rather than now()
 * so that two changes in one second-long test still differ in the
 * generation value (which reads the microseconds).
 */
const struct store_stmt store_stmt_eid_service_upsert = {
	.name = "eid_service_upsert",
	.sql = "WITH u AS (INSERT INTO eid_service (entity_id, metadata_xml,"
	       " metadata_url, attr_pseudonym, attr_family_name,"
	       " attr_given_names, attr_birth_date, attr_place_of_birth,"
	       " attr_address, attr_document_type, updated_at)"
	       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
	       " clock_timestamp())"
	       " ON CONFLICT (id) DO UPDATE SET entity_id = EXCLUDED.entity_id,"
	       " metadata_xml = EXCLUDED.metadata_xml,"
	       " metadata_url = EXCLUDED.metadata_url,"
	       " attr_pseudonym = EXCLUDED.attr_pseudonym,"
	       " attr_family_name = EXCLUDED.attr_family_name,"
	       " attr_given_names = EXCLUDED.attr_given_names,"
	       " attr_birth_date = EXCLUDED.attr_birth_date,"
	       " attr_place_of_birth = EXCLUDED.attr_place_of_birth,"
	       " attr_address = EXCLUDED.attr_address,"
	       " attr_document_type = EXCLUDED.attr_document_type,"
	       " updated_at = EXCLUDED.updated_at"
	       " RETURNING updated_at)"
	       " SELECT floor(extract(epoch FROM updated_at))::bigint,"
	       " pg_notify('" STORE_EID_CHANNEL "', $1) FROM u",
	.nparams = 10,
	.tier = STORE_TIER_APP,
};

int
store_eid_service_upsert(struct store *s, struct store_eid_service *svc)
{
	const char *params[10] = {svc->entity_id, svc->metadata_xml,
				  svc->metadata_url};
	PGresult *res = NULL;
	int rc;

	for (int i = 0; i < STORE_EID_ATTR_COUNT; i++)
		params[3 + i] = svc->attr[i];
	rc = store_exec(s, &store_stmt_eid_service_upsert, params, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) != 1 ||
	    !store_row_int64(res, 0, 0, &svc->updated_at)) {
		rc = store_fail(s, store_stmt_eid_service_upsert.name, NULL);
		goto out;
	}
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
