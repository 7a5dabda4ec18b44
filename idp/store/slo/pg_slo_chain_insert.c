/*
 * Start a logout chain.
 */
#include <string.h>

#include "idp/store/slo/slo_rows.h"

const struct store_stmt store_stmt_slo_chain_insert = {
	.name = "slo_chain_insert",
	.sql = "INSERT INTO saml_logout_chains (id_hash, audit_ref,"
	       " initiator_sp, initiator_request_id, initiator_relay_state,"
	       " expires_at) VALUES (decode($1, 'hex'), $2, $3, $4, $5,"
	       " now() + make_interval(secs => $6::bigint)) RETURNING id",
	.nparams = 6,
	.tier = STORE_TIER_APP,
};

int
store_slo_chain_insert(struct store *s,
		       const uint8_t hash[STORE_SLO_HASH_BYTES],
		       const char *audit_ref, const char *initiator_sp,
		       const char *initiator_request_id,
		       const char *relay_state, int64_t ttl_s,
		       int64_t *chain_id)
{
	char hex[STORE_SLO_HASH_HEX_BYTES], ttl[STORE_INT64_PARAM_BYTES];
	const char *params[6] = {store_hex(hash, STORE_SLO_HASH_BYTES, hex),
				 audit_ref,
				 initiator_sp,
				 initiator_request_id,
				 relay_state,
				 store_int64_param(ttl, ttl_s)};
	PGresult *res = NULL;
	int rc;

	*chain_id = 0;
	rc = store_exec(s, &store_stmt_slo_chain_insert, params, &res);
	if (rc == 0)
		rc = PQntuples(res) == 1 && store_row_int64(res, 0, 0, chain_id)
			     ? STORE_ONE_ROW
			     : STORE_HARD_ERROR;
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
