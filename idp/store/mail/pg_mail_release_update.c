/*
 * Give a claimed mail back without counting an attempt.
 */
#include <string.h>

#include "idp/store/store_internal.h"
#include "idp/store/store_mail.h"

const struct store_stmt store_stmt_mail_release_update = {
	.name = "mail_release_update",
	.sql = "UPDATE mail_outbox SET claimed_until = NULL"
	       " WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL",
	.nparams = 1,
	.tier = STORE_TIER_APP,
};

int
store_mail_release_update(struct store *s, int64_t id)
{
	char p_id[21];
	const char *params[1] = {store_int64_param(p_id, id)};
	PGresult *res;
	int rc;

	rc = store_exec(s, &store_stmt_mail_release_update, params, &res);
	if (rc < 0)
		return rc;
	rc = strcmp(PQcmdTuples(res), "1") == 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
