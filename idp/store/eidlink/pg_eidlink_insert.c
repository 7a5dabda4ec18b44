/*
 * Link a card to an account that has none.
 */
#include <string.h>

#include "idp/store/eidlink/eidlink_rows.h"

/*
 * ON CONFLICT DO NOTHING without a target covers both unique rules (one
 * card per account, one account per card), also against a concurrent
 * insert: the loser gets no row instead of an error, and its transaction
 * goes on to tell the citizen.
 */
const struct store_stmt store_stmt_eidlink_insert = {
	.name = "eidlink_insert",
	.sql = "INSERT INTO eid_links (account_id, pseudonym_hash,"
	       " document_type) VALUES ($1, decode($2, 'hex'), $3)"
	       " ON CONFLICT DO NOTHING",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_eidlink_insert(struct store *s, int64_t account_id,
		     const uint8_t pseudonym_hash[STORE_HASH_BYTES],
		     const char *document_type)
{
	char idbuf[STORE_INT64_PARAM_BYTES], hex[EIDLINK_HEX_BYTES];
	const char *params[3] = {
		store_int64_param(idbuf, account_id),
		store_hex(pseudonym_hash, STORE_HASH_BYTES, hex),
		eidlink_opt(document_type),
	};
	PGresult *res = NULL;
	int64_t n;
	int rc;

	rc = store_exec(s, &store_stmt_eidlink_insert, params, &res);
	if (rc < 0)
		goto out;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
out:
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
