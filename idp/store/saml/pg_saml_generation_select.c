/*
 * What a node's lasso server is built from, condensed to one value.
 */
#include <string.h>

#include "idp/store/saml/saml_rows.h"

/*
 * Every change idpctl makes to a relying party bumps its revision (and
 * removing one drops its row); every key change moves its state. So the
 * list of (id, revision) and (id, state) pairs changes exactly when a
 * node must rebuild, and its md5 is a short stand-in. Both tables hold a
 * handful of rows, so this costs far less than the request it guards.
 */
const struct store_stmt store_stmt_saml_generation_select = {
	.name = "saml_generation_select",
	.sql = "SELECT md5(coalesce((SELECT string_agg(id || ':' || revision,"
	       " ',' ORDER BY id) FROM relying_parties), '')"
	       " || '|' || coalesce((SELECT string_agg(id || ':' || state,"
	       " ',' ORDER BY id) FROM signing_keys"
	       " WHERE state <> 'retired'), '')),"
	       " floor(extract(epoch FROM now()))::bigint",
	.nparams = 0,
	.tier = STORE_TIER_APP,
};

int
store_saml_generation_select(struct store *s,
			     char gen[STORE_SAML_GENERATION_LEN + 1],
			     int64_t *now)
{
	PGresult *res = NULL;
	int rc;

	gen[0] = '\0';
	*now = 0;
	rc = store_exec(s, &store_stmt_saml_generation_select, NULL, &res);
	if (rc < 0)
		goto out;
	rc = STORE_HARD_ERROR;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0) ||
	    (size_t)PQgetlength(res, 0, 0) != STORE_SAML_GENERATION_LEN ||
	    !store_row_int64(res, 0, 1, now))
		goto out;
	memcpy(gen, PQgetvalue(res, 0, 0), STORE_SAML_GENERATION_LEN + 1);
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
