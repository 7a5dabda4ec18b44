/*
 * Read an unexpired logout chain by the hash of its id.
 */
#include <string.h>

#include "idp/store/slo/slo_rows.h"

const struct store_stmt store_stmt_slo_chain_select = {
	.name = "slo_chain_select",
	.sql = "SELECT id, audit_ref, initiator_sp, initiator_request_id,"
	       " initiator_relay_state, finished FROM saml_logout_chains"
	       " WHERE id_hash = decode($1, 'hex') AND expires_at > now()",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_slo_chain_select(struct store *s,
		       const uint8_t hash[STORE_SLO_HASH_BYTES],
		       struct store_slo_chain *out)
{
	char hex[STORE_SLO_HASH_HEX_BYTES];
	const char *params[1] = {store_hex(hash, STORE_SLO_HASH_BYTES, hex)};
	PGresult *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_exec(s, &store_stmt_slo_chain_select, params, &res);
	if (rc < 0)
		goto out;
	rc = STORE_NO_ROW;
	if (PQntuples(res) != 1)
		goto out;
	rc = STORE_HARD_ERROR;
	if (!store_row_int64(res, 0, 0, &out->id) ||
	    !store_row_text(res, 0, 1, true, &out->audit_ref) ||
	    !store_row_text(res, 0, 2, true, &out->initiator_sp) ||
	    !store_row_text(res, 0, 3, true, &out->initiator_request_id) ||
	    !store_row_text(res, 0, 4, true, &out->relay_state) ||
	    !store_row_bool(res, 0, 5, &out->finished)) {
		store_slo_chain_clear(out);
		goto out;
	}
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
