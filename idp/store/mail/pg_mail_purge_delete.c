/*
 * Delete finished mails after the retention time.
 */
#include <stdio.h>
#include <stdlib.h>

#include "idp/store/store_internal.h"
#include "idp/store/store_mail.h"

/* The OR repeats the predicate of index mail_outbox_done, so it is used. */
const struct store_stmt store_stmt_mail_purge_delete = {
	.name = "mail_purge_delete",
	.sql = "DELETE FROM mail_outbox"
	       " WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL)"
	       " AND coalesce(sent_at, failed_at)"
	       " < now() - make_interval(days => $1)",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_mail_purge_delete(struct store *s, unsigned days)
{
	char p_days[16];
	const char *params[1];
	PGresult *res;
	long n;
	int rc;

	(void)snprintf(p_days, sizeof(p_days), "%u", days);
	params[0] = p_days;
	rc = store_exec(s, &store_stmt_mail_purge_delete, params, &res);
	if (rc < 0)
		return rc;
	n = strtol(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	/* A count beyond int is still "many"; the caller only logs it. */
	return n > 0x7fffffffL ? 0x7fffffff : (int)n;
}
