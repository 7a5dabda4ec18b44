/*
 * Claim due mails for one sender.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/store/store_internal.h"
#include "idp/store/store_mail.h"

/*
 * FOR UPDATE SKIP LOCKED lets concurrent senders pass each other's rows
 * instead of waiting; once a claim commits (this statement is its own
 * transaction), claimed_until keeps others away even though the row lock
 * is gone. A row that another sender claimed while we were looking is
 * re-checked against the newest version by PostgreSQL and dropped. ARRAY()
 * makes the inner query run exactly once (an InitPlan), so the LIMIT
 * holds.
 */
const struct store_stmt store_stmt_mail_claim_update = {
	.name = "mail_claim_update",
	.sql = "UPDATE mail_outbox"
	       " SET claimed_until = now() + make_interval(secs => $1)"
	       " WHERE id = ANY(ARRAY("
	       "SELECT id FROM mail_outbox"
	       " WHERE sent_at IS NULL AND failed_at IS NULL"
	       " AND next_attempt_at <= now()"
	       " AND (claimed_until IS NULL OR claimed_until <= now())"
	       " ORDER BY next_attempt_at LIMIT $2"
	       " FOR UPDATE SKIP LOCKED))"
	       " RETURNING id, attempts, recipient, subject, body",
	.nparams = 2,
	.tier = STORE_TIER_APP,
};

static char *
dup_value(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return strdup(PQgetvalue(res, row, col));
}

int
store_mail_claim_update(struct store *s, unsigned claim_s, unsigned limit,
			struct store_mail_row **rows, size_t *n)
{
	char p_claim[16], p_limit[16];
	const char *params[2];
	struct store_mail_row *out = NULL;
	PGresult *res;
	int rc, count;

	*rows = NULL;
	*n = 0;
	(void)snprintf(p_claim, sizeof(p_claim), "%u", claim_s);
	(void)snprintf(p_limit, sizeof(p_limit), "%u", limit);
	params[0] = p_claim;
	params[1] = p_limit;
	rc = store_exec(s, &store_stmt_mail_claim_update, params, &res);
	if (rc < 0)
		return rc;
	count = PQntuples(res);
	if (count == 0) {
		rc = STORE_NO_ROW;
		goto out;
	}
	out = calloc((size_t)count, sizeof(*out));
	if (out == NULL) {
		rc = STORE_HARD_ERROR;
		goto out;
	}
	for (int i = 0; i < count; i++) {
		struct store_mail_row *r = &out[i];

		r->recipient = dup_value(res, i, 2);
		r->subject = dup_value(res, i, 3);
		r->body = dup_value(res, i, 4);
		if (!store_row_int64(res, i, 0, &r->id) ||
		    !store_get_int(res, i, 1, &r->attempts) ||
		    r->recipient == NULL || r->subject == NULL ||
		    r->body == NULL) {
			/*
			 * Out of memory (the columns are NOT NULL). The
			 * claims lapse by themselves after claim_s.
			 */
			store_mail_rows_free(out, (size_t)count);
			out = NULL;
			rc = store_fail(s, store_stmt_mail_claim_update.name,
					NULL);
			goto out;
		}
	}
	*rows = out;
	*n = (size_t)count;
	rc = count;
out:
	/* The result holds the bodies too. */
	for (int i = 0; i < PQntuples(res); i++) {
		char *b = PQgetvalue(res, i, 4);

		explicit_bzero(b, strlen(b));
	}
	PQclear(res);
	return rc;
}
