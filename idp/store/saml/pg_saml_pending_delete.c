/*
 * Use up a pending AuthnRequest.
 */
#include <string.h>

#include "idp/store/saml/saml_rows.h"

/*
 * One DELETE: of two requests with the same id, the second waits for the
 * first's row lock and then finds the row gone, so a pending request
 * gives at most one response.
 */
const struct store_stmt store_stmt_saml_pending_delete = {
	.name = "saml_pending_delete",
	.sql = "DELETE FROM saml_pending_requests"
	       " WHERE id_hash = decode($1, 'hex') AND expires_at > now()"
	       " RETURNING 1",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_saml_pending_delete(struct store *s,
			  const uint8_t hash[STORE_SAML_HASH_BYTES])
{
	char hex[STORE_SAML_HASH_HEX_BYTES];
	const char *params[1] = {store_saml_hash_hex(hash, hex)};
	PGresult *res = NULL;
	int rc;

	rc = store_exec(s, &store_stmt_saml_pending_delete, params, &res);
	if (rc == 0)
		rc = PQntuples(res) == 1 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
