/*
 * Keep a checked AuthnRequest while the citizen logs in.
 */
#include <string.h>

#include "idp/store/saml/saml_rows.h"

const struct store_stmt store_stmt_saml_pending_insert = {
	.name = "saml_pending_insert",
	.sql = "INSERT INTO saml_pending_requests (id_hash, sp_entity_id,"
	       " request_id, acs_url, relay_state, force_authn, is_passive,"
	       " nameid_format, allow_create, authn_comparison,"
	       " authn_class_refs, expires_at, binding_hash)"
	       " VALUES (decode($1, 'hex'), $2, $3, $4, $5, $6, $7, $8, $9,"
	       " $10, $11, now() + make_interval(secs => $12::bigint),"
	       " decode($13, 'hex'))",
	.nparams = 13,
	.tier = STORE_TIER_APP,
};

int
store_saml_pending_insert(struct store *s,
			  const uint8_t hash[STORE_SAML_HASH_BYTES],
			  const struct store_saml_pending *p, int64_t ttl_s)
{
	char hex[STORE_SAML_HASH_HEX_BYTES];
	char ttl[STORE_INT64_PARAM_BYTES];
	char bhex[STORE_SAML_HASH_HEX_BYTES];
	const char *params[13] = {
		store_saml_hash_hex(hash, hex),
		p->sp_entity_id,
		p->request_id,
		p->acs_url,
		p->relay_state,
		p->force_authn ? "true" : "false",
		p->is_passive ? "true" : "false",
		p->nameid_format,
		p->allow_create ? "true" : "false",
		p->authn_comparison,
		p->authn_class_refs,
		store_int64_param(ttl, ttl_s),
		p->has_binding ? store_saml_hash_hex(p->binding_hash, bhex)
			       : NULL,
	};
	PGresult *res = NULL;
	int rc;

	rc = store_exec(s, &store_stmt_saml_pending_insert, params, &res);
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	explicit_bzero(bhex, sizeof(bhex));
	return rc < 0 ? rc : STORE_ONE_ROW;
}
