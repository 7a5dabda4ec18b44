/*
 * Read the configured eID service.
 */
#include <string.h>

#include "idp/store/eid/eid_rows.h"

const struct store_stmt store_stmt_eid_service_select = {
	.name = "eid_service_select",
	.sql = "SELECT entity_id, metadata_xml, metadata_url, attr_pseudonym,"
	       " attr_family_name, attr_given_names, attr_birth_date,"
	       " attr_place_of_birth, attr_address, attr_document_type,"
	       " floor(extract(epoch FROM updated_at))::bigint"
	       " FROM eid_service",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_eid_service_select(struct store *s, struct store_eid_service *out)
{
	PGresult *res = NULL;
	bool ok;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_exec(s, &store_stmt_eid_service_select, NULL, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NO_ROW;
		goto out;
	}
	ok = PQntuples(res) == 1 &&
	     store_row_text(res, 0, 0, false, &out->entity_id) &&
	     store_row_text(res, 0, 1, false, &out->metadata_xml) &&
	     store_row_text(res, 0, 2, true, &out->metadata_url);
	for (int i = 0; ok && i < STORE_EID_ATTR_COUNT; i++)
		ok = store_row_text(res, 0, 3 + i, false, &out->attr[i]);
	ok = ok && store_row_int64(res, 0, 10, &out->updated_at);
	if (!ok) {
		store_eid_service_clear(out);
		rc = store_fail(s, store_stmt_eid_service_select.name, NULL);
		goto out;
	}
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
