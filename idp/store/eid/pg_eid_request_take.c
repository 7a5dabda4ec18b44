/*
 * Use up the eID request a response answers.
 */
#include <string.h>

#include "idp/store/eid/eid_rows.h"

/*
 * One DELETE: of two responses answering one request, the second waits
 * for the first's row lock and then finds the row gone, so a request is
 * answered at most once. The binding is compared by the caller (in
 * constant time): a response delivered to the wrong browser uses the
 * request up as well, so that it cannot be tried again elsewhere.
 */
const struct store_stmt store_stmt_eid_request_take = {
	.name = "eid_request_take",
	.sql = "DELETE FROM eid_requests"
	       " WHERE id_hash = decode($1, 'hex') AND expires_at > now()"
	       " RETURNING purpose, session_id, encode(pending_sealed, 'hex'),"
	       " encode(binding_hash, 'hex')",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

static const char *
purpose_static(const char *p)
{
	static const char *const names[] = {"link", "login", "step_up"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(p, names[i]) == 0)
			return names[i];
	return NULL;
}

int
store_eid_request_take(struct store *s,
		       const uint8_t id_hash[STORE_EID_HASH_BYTES],
		       struct store_eid_request *out)
{
	char hex[STORE_EID_HASH_HEX_BYTES];
	const char *params[1] = {store_hex(id_hash, STORE_EID_HASH_BYTES, hex)};
	PGresult *res = NULL;
	size_t got = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_exec(s, &store_stmt_eid_request_take, params, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NO_ROW;
		goto out;
	}
	out->purpose = purpose_static(PQgetvalue(res, 0, 0));
	if (PQntuples(res) != 1 || out->purpose == NULL ||
	    (!PQgetisnull(res, 0, 1) &&
	     !store_row_int64(res, 0, 1, &out->session_id)) ||
	    !store_eid_row_hex(res, 0, 3, out->binding_hash,
			       STORE_EID_HASH_BYTES, &got) ||
	    got != STORE_EID_HASH_BYTES) {
		rc = store_fail(s, store_stmt_eid_request_take.name, NULL);
		goto out;
	}
	if (!PQgetisnull(res, 0, 2)) {
		if (!store_eid_row_hex(res, 0, 2, out->pending_sealed,
				       STORE_EID_SEALED_MAX,
				       &out->pending_sealed_len)) {
			rc = store_fail(s, store_stmt_eid_request_take.name,
					NULL);
			goto out;
		}
		out->has_pending = true;
	}
	rc = STORE_ONE_ROW;
out:
	if (rc != STORE_ONE_ROW)
		memset(out, 0, sizeof(*out));
	PQclear(res);
	return rc;
}
