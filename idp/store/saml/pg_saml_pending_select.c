/*
 * Read a pending AuthnRequest without using it up.
 */
#include <string.h>

#include "idp/crypto/crypt.h"
#include "idp/store/saml/saml_rows.h"

const struct store_stmt store_stmt_saml_pending_select = {
	.name = "saml_pending_select",
	.sql = "SELECT sp_entity_id, request_id, acs_url, relay_state,"
	       " force_authn, is_passive, nameid_format, allow_create, "
	       "authn_comparison,"
	       " authn_class_refs,"
	       " floor(extract(epoch FROM created_at))::bigint,"
	       " floor(extract(epoch FROM expires_at))::bigint,"
	       " encode(binding_hash, 'hex')"
	       " FROM saml_pending_requests"
	       " WHERE id_hash = decode($1, 'hex') AND expires_at > now()",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

/* The binding hash (column 12), when the row has one. */
static bool
binding_of(const PGresult *res, struct store_saml_pending *out)
{
	out->has_binding = false;
	if (PQgetisnull(res, 0, 12))
		return true;
	if (!crypt_unhex(PQgetvalue(res, 0, 12), out->binding_hash,
			 sizeof(out->binding_hash)))
		return false;
	out->has_binding = true;
	return true;
}

int
store_saml_pending_select(struct store *s,
			  const uint8_t hash[STORE_SAML_HASH_BYTES],
			  struct store_saml_pending *out)
{
	char hex[STORE_SAML_HASH_HEX_BYTES];
	const char *params[1] = {store_saml_hash_hex(hash, hex)};
	PGresult *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_exec(s, &store_stmt_saml_pending_select, params, &res);
	if (rc < 0)
		goto out;
	rc = STORE_NO_ROW;
	if (PQntuples(res) != 1)
		goto out;
	rc = STORE_HARD_ERROR;
	if (!store_row_text(res, 0, 0, false, &out->sp_entity_id) ||
	    !store_row_text(res, 0, 1, true, &out->request_id) ||
	    !store_row_text(res, 0, 2, false, &out->acs_url) ||
	    !store_row_text(res, 0, 3, true, &out->relay_state) ||
	    !store_row_bool(res, 0, 4, &out->force_authn) ||
	    !store_row_bool(res, 0, 5, &out->is_passive) ||
	    !store_row_text(res, 0, 6, false, &out->nameid_format) ||
	    !store_row_bool(res, 0, 7, &out->allow_create) ||
	    !store_row_text(res, 0, 8, false, &out->authn_comparison) ||
	    !store_row_text(res, 0, 9, false, &out->authn_class_refs) ||
	    !store_row_int64(res, 0, 10, &out->created_at) ||
	    !store_row_int64(res, 0, 11, &out->expires_at) ||
	    !binding_of(res, out)) {
		store_saml_pending_clear(out);
		goto out;
	}
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
