/*
 * Use an e-mail link token, once.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/store/account/account_rows.h"

/*
 * Check and mark in one UPDATE: of two requests with the same link, the
 * second waits for the first's row lock and then finds used_at set (READ
 * COMMITTED re-checks the WHERE clause on the new row version; under
 * SERIALIZABLE it fails with a serialization error and its retry finds
 * the same), so a link works exactly once.
 */
const struct store_stmt store_stmt_email_token_consume = {
	.name = "email_token_consume",
	.sql = "UPDATE email_tokens SET used_at = now()"
	       " WHERE token_hash = decode($1, 'hex') AND purpose = $2"
	       " AND used_at IS NULL AND expires_at > now()"
	       " RETURNING account_id, email",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

int
store_email_token_consume(struct store *s, const uint8_t hash[STORE_HASH_BYTES],
			  enum store_token_purpose purpose, int64_t *account_id,
			  char **email)
{
	char hex[STORE_HASH_HEX_BYTES];
	const char *params[2] = {store_hash_hex(hash, hex),
				 store_token_purpose_name(purpose)};
	PGresult *res = NULL;
	int rc;

	*account_id = 0;
	*email = NULL;
	if (params[1] == NULL) {
		log_kv(LOG_LEVEL_ERROR, "store_bad_argument", "statement",
		       store_stmt_email_token_consume.name, "argument",
		       "purpose", NULL);
		rc = STORE_HARD_ERROR;
		goto out;
	}
	rc = store_exec(s, &store_stmt_email_token_consume, params, &res);
	if (rc < 0)
		goto out;
	rc = STORE_NO_ROW;
	if (PQntuples(res) != 1)
		goto out;
	rc = STORE_HARD_ERROR;
	if (!store_row_int64(res, 0, 0, account_id) || PQgetisnull(res, 0, 1))
		goto out;
	*email = strdup(PQgetvalue(res, 0, 1));
	if (*email != NULL)
		rc = STORE_ONE_ROW;
out:
	if (rc != STORE_ONE_ROW)
		*account_id = 0;
	PQclear(res);
	explicit_bzero(hex, sizeof(hex));
	return rc;
}
