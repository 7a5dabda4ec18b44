/*
 * Put one mail into the outbox and wake the senders.
 */
#include "idp/store/store_internal.h"
#include "idp/store/store_mail.h"

/*
 * The notification rides in the same statement: one round trip, and like
 * the row it is delivered only when the caller's transaction commits.
 * PostgreSQL folds identical notifications of one transaction into one.
 */
const struct store_stmt store_stmt_mail_insert = {
	.name = "mail_insert",
	.sql = "WITH m AS (INSERT INTO mail_outbox (recipient, subject, body)"
	       " VALUES ($1, $2, $3) RETURNING id)"
	       " SELECT m.id, pg_notify('" STORE_MAIL_CHANNEL "', '') FROM m",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_mail_insert(struct store *s, const char *recipient, const char *subject,
		  const char *body, int64_t *id)
{
	const char *params[3] = {recipient, subject, body};
	PGresult *res;
	int64_t v;
	int rc;

	rc = store_exec(s, &store_stmt_mail_insert, params, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) != 1 || !store_row_int64(res, 0, 0, &v)) {
		rc = store_fail(s, store_stmt_mail_insert.name, NULL);
		goto out;
	}
	if (id != NULL)
		*id = v;
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
