/*
 * Store a new key as the next key of its purpose.
 */
#include <stdlib.h>

#include "idp/store/keys/keys_rows.h"

/* The partial unique index that keeps the next key of a purpose unique. */
#define ONE_NEXT "signing_keys_one_next"

/*
 * NOT EXISTS makes "a next key exists" an ordinary empty result; a next
 * key that another transaction inserts at the same moment is invisible
 * to it and meets the unique index instead, which store_exec_unique()
 * turns into a retry of the caller's transaction.
 */
const struct store_stmt store_stmt_keys_insert = {
	.name = "keys_insert",
	.sql = "INSERT INTO signing_keys (purpose, state, bits, fingerprint,"
	       " certificate, sealed_key, not_before, not_after)"
	       " SELECT $1, 'next', $2, $3, $4, decode($5, 'hex'),"
	       " to_timestamp($6::bigint), to_timestamp($7::bigint)"
	       " WHERE NOT EXISTS (SELECT 1 FROM signing_keys"
	       " WHERE state = 'next' AND purpose = $1)"
	       " RETURNING id,"
	       " floor(extract(epoch FROM published_at))::bigint",
	.nparams = 7,
	.tier = STORE_TIER_APP,
};

int
store_keys_insert(struct store *s, const char *purpose, int bits,
		  const char *fingerprint, const char *certificate,
		  const uint8_t *sealed, size_t sealed_len, int64_t not_before,
		  int64_t not_after, int64_t *id, int64_t *published_at)
{
	char b[12], nb[STORE_INT64_PARAM_BYTES], na[STORE_INT64_PARAM_BYTES];
	char *hex = store_keys_hex(sealed, sealed_len);
	const char *params[7] = {
		purpose,
		store_int_param(b, bits),
		fingerprint,
		certificate,
		hex,
		store_int64_param(nb, not_before),
		store_int64_param(na, not_after),
	};
	PGresult *res = NULL;
	int rc;

	*id = 0;
	*published_at = 0;
	if (hex == NULL)
		return store_fail(s, store_stmt_keys_insert.name, NULL);
	rc = store_exec_unique(s, &store_stmt_keys_insert, params, ONE_NEXT,
			       &res);
	if (rc != STORE_ONE_ROW)
		goto out;
	if (PQntuples(res) == 0)
		rc = STORE_NO_ROW;
	else if (PQntuples(res) != 1 || !store_row_int64(res, 0, 0, id) ||
		 !store_row_int64(res, 0, 1, published_at))
		rc = store_fail(s, store_stmt_keys_insert.name, NULL);
out:
	PQclear(res);
	free(hex);
	return rc;
}
