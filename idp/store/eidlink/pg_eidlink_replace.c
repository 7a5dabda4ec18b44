/*
 * Replace an account's card by a new one.
 */
#include <string.h>

#include "idp/store/eidlink/eidlink_rows.h"

/*
 * NOT EXISTS sees committed links; a concurrent link of the same card
 * shows up as a unique violation on eid_links_pseudonym_hash_key, which
 * store_exec_unique() turns into a retry (inside a transaction).
 */
const struct store_stmt store_stmt_eidlink_replace = {
	.name = "eidlink_replace",
	.sql = "UPDATE eid_links SET pseudonym_hash = decode($2, 'hex'),"
	       " document_type = $3, linked_at = now(), replaced_at = now(),"
	       " replacements = replacements + 1"
	       " WHERE account_id = $1 AND NOT EXISTS (SELECT 1 FROM eid_links"
	       " WHERE pseudonym_hash = decode($2, 'hex'))",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_eidlink_replace(struct store *s, int64_t account_id,
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

	rc = store_exec_unique(s, &store_stmt_eidlink_replace, params,
			       "eid_links_pseudonym_hash_key", &res);
	if (rc != STORE_ONE_ROW)
		goto out;
	rc = STORE_HARD_ERROR;
	if (store_row_count(res, &n))
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
out:
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
