/*
 * Keep an eID AuthnRequest we sent until its response arrives.
 */
#include <string.h>

#include "idp/store/eid/eid_rows.h"

const struct store_stmt store_stmt_eid_request_insert = {
	.name = "eid_request_insert",
	.sql = "INSERT INTO eid_requests (id_hash, purpose, session_id,"
	       " pending_sealed, binding_hash, expires_at)"
	       " VALUES (decode($1, 'hex'), $2, $3::bigint, decode($4, 'hex'),"
	       " decode($5, 'hex'),"
	       " now() + make_interval(secs => $6::bigint))",
	.nparams = 6,
	.tier = STORE_TIER_APP,
};

int
store_eid_request_insert(struct store *s,
			 const uint8_t id_hash[STORE_EID_HASH_BYTES],
			 const struct store_eid_request *r, int64_t ttl_s)
{
	char hex[STORE_EID_HASH_HEX_BYTES], bhex[STORE_EID_HASH_HEX_BYTES];
	char phex[2 * STORE_EID_SEALED_MAX + 1];
	char sid[STORE_INT64_PARAM_BYTES], ttl[STORE_INT64_PARAM_BYTES];
	const char *params[6];
	PGresult *res = NULL;
	int rc;

	if (r->has_pending && (r->pending_sealed_len == 0 ||
			       r->pending_sealed_len > STORE_EID_SEALED_MAX))
		return store_fail(s, store_stmt_eid_request_insert.name, NULL);
	params[0] = store_hex(id_hash, STORE_EID_HASH_BYTES, hex);
	params[1] = r->purpose;
	params[2] = r->session_id != 0 ? store_int64_param(sid, r->session_id)
				       : NULL;
	params[3] = r->has_pending ? store_hex(r->pending_sealed,
					       r->pending_sealed_len, phex)
				   : NULL;
	params[4] = store_hex(r->binding_hash, STORE_EID_HASH_BYTES, bhex);
	params[5] = store_int64_param(ttl, ttl_s);
	rc = store_exec(s, &store_stmt_eid_request_insert, params, &res);
	PQclear(res);
	explicit_bzero(bhex, sizeof(bhex));
	return rc < 0 ? rc : STORE_ONE_ROW;
}
