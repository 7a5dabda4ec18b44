/*
 * Hold a verified identity for a login or registration to come.
 */
#include <string.h>

#include "idp/store/eidlink/eidlink_rows.h"

const struct store_stmt store_stmt_eidlink_hold_insert = {
	.name = "eidlink_hold_insert",
	.sql = "INSERT INTO eid_held_identities (handle_hash, pseudonym_hash,"
	       " family_name, given_names, birth_date, place_of_birth, street,"
	       " postal_code, city, document_type, pending, expires_at)"
	       " VALUES (decode($1, 'hex'), decode($2, 'hex'), $3, $4,"
	       " $5::date, $6, $7, $8, $9, $10, $11,"
	       " now() + make_interval(secs => $12::bigint))",
	.nparams = 12,
	.tier = STORE_TIER_APP,
};

int
store_eidlink_hold_insert(struct store *s,
			  const uint8_t handle_hash[STORE_HASH_BYTES],
			  const struct store_eid_hold *h, int64_t ttl_s)
{
	char hhex[EIDLINK_HEX_BYTES], phex[EIDLINK_HEX_BYTES];
	char ttlbuf[STORE_INT64_PARAM_BYTES];
	const char *params[12] = {
		store_hex(handle_hash, STORE_HASH_BYTES, hhex),
		store_hex(h->pseudonym_hash, STORE_HASH_BYTES, phex),
		eidlink_opt(h->person.family_name),
		eidlink_opt(h->person.given_names),
		eidlink_opt(h->person.birth_date),
		eidlink_opt(h->person.place_of_birth),
		eidlink_opt(h->person.street),
		eidlink_opt(h->person.postal_code),
		eidlink_opt(h->person.city),
		eidlink_opt(h->person.document_type),
		eidlink_opt(h->pending),
		store_int64_param(ttlbuf, ttl_s),
	};
	PGresult *res = NULL;
	int rc;

	rc = store_exec(s, &store_stmt_eidlink_hold_insert, params, &res);
	if (rc == 0)
		rc = STORE_ONE_ROW;
	PQclear(res);
	explicit_bzero(hhex, sizeof(hhex));
	explicit_bzero(phex, sizeof(phex));
	return rc;
}
