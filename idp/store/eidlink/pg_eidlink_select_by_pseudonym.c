/*
 * The account a card is linked to.
 */
#include <string.h>

#include "idp/store/eidlink/eidlink_rows.h"

const struct store_stmt store_stmt_eidlink_select_by_pseudonym = {
	.name = "eidlink_select_by_pseudonym",
	.sql = "SELECT account_id FROM eid_links"
	       " WHERE pseudonym_hash = decode($1, 'hex')",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_eidlink_select_by_pseudonym(
	struct store *s, const uint8_t pseudonym_hash[STORE_HASH_BYTES],
	int64_t *account_id)
{
	char hex[EIDLINK_HEX_BYTES];
	const char *params[1] = {
		store_hex(pseudonym_hash, STORE_HASH_BYTES, hex)};
	PGresult *res = NULL;
	int rc;

	*account_id = 0;
	rc = store_exec(s, &store_stmt_eidlink_select_by_pseudonym, params,
			&res);
	if (rc < 0)
		goto out;
	rc = STORE_NO_ROW;
	if (PQntuples(res) == 1)
		rc = store_row_int64(res, 0, 0, account_id) ? STORE_ONE_ROW
							    : STORE_HARD_ERROR;
out:
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
