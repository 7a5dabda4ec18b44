/*
 * Set statement_timeout for the session, right after connecting: a query
 * that hangs (a lock held by a stuck transaction, a bad plan) must not
 * hold a worker thread forever.
 */
#include <stdio.h>

#include "idp/store/store_internal.h"

/*
 * set_config() rather than SET because SET takes no parameters. A bare
 * number is milliseconds; 0 turns the timeout off, overriding any default
 * of the server or role, which is what "0: none" in the config promises.
 */
const struct store_stmt store_stmt_statement_timeout_update = {
	.name = "statement_timeout_update",
	.sql = "SELECT set_config('statement_timeout', $1, false)",
	.nparams = 1,
	.tier = STORE_TIER_BOOT,
};

int
store_statement_timeout_update(struct store *s, unsigned ms)
{
	char buf[16];
	const char *params[1];
	PGresult *res;
	int rc;

	(void)snprintf(buf, sizeof(buf), "%u", ms);
	params[0] = buf;
	rc = store_exec(s, &store_stmt_statement_timeout_update, params, &res);
	if (rc < 0)
		return rc;
	PQclear(res);
	return STORE_ONE_ROW;
}
