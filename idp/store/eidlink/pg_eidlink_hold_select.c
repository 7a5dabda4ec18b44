/*
 * Read a held identity without using it up (the pre-filled form).
 */
#include <string.h>

#include "idp/store/eidlink/eidlink_rows.h"

const struct store_stmt store_stmt_eidlink_hold_select = {
	.name = "eidlink_hold_select",
	.sql = "SELECT " EIDLINK_HOLD_SELECT " FROM eid_held_identities"
	       " WHERE handle_hash = decode($1, 'hex') AND expires_at > now()",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_eidlink_hold_select(struct store *s,
			  const uint8_t handle_hash[STORE_HASH_BYTES],
			  struct store_eid_hold *out)
{
	char hex[EIDLINK_HEX_BYTES];
	const char *params[1] = {store_hex(handle_hash, STORE_HASH_BYTES, hex)};
	PGresult *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_exec(s, &store_stmt_eidlink_hold_select, params, &res);
	if (rc < 0)
		goto out;
	rc = STORE_NO_ROW;
	if (PQntuples(res) == 1)
		rc = eidlink_row_hold(res, out);
out:
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
