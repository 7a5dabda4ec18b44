/*
 * Record a failed delivery attempt: retry later, or give up.
 */
#include <stdio.h>
#include <string.h>

#include "idp/store/store_internal.h"
#include "idp/store/store_mail.h"

/*
 * One statement decides between retry and giving up, on the row's own
 * count, so that the decision and the count can never disagree.
 */
const struct store_stmt store_stmt_mail_attempt_update = {
	.name = "mail_attempt_update",
	.sql = "UPDATE mail_outbox SET attempts = attempts + 1,"
	       " last_error = $2, claimed_until = NULL,"
	       " next_attempt_at = now() + make_interval(secs => $3),"
	       " failed_at = CASE WHEN attempts + 1 >= $4 THEN now() END"
	       " WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL"
	       " RETURNING attempts, failed_at IS NOT NULL",
	.nparams = 4,
	.tier = STORE_TIER_APP,
};

/*
 * The text comes from libcurl or strerror(), which may quote what a server
 * said: keep one line of printable ASCII so that it fits the column and
 * is always valid UTF-8 (an invalid byte would fail the whole update).
 */
static void
clean_error(char out[STORE_MAIL_ERROR_MAX + 1], const char *error)
{
	size_t i;

	if (error == NULL)
		error = "";
	for (i = 0; i < STORE_MAIL_ERROR_MAX && error[i] != '\0' &&
		    error[i] != '\r' && error[i] != '\n';
	     i++) {
		unsigned char c = (unsigned char)error[i];

		out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[i] = '\0';
}

int
store_mail_attempt_update(struct store *s, int64_t id, const char *error,
			  unsigned delay_ms, unsigned max_attempts,
			  int *attempts, bool *gave_up)
{
	char p_id[21], p_delay[24], p_max[16];
	char p_error[STORE_MAIL_ERROR_MAX + 1];
	const char *params[4];
	PGresult *res;
	int rc;

	*attempts = 0;
	*gave_up = false;
	clean_error(p_error, error);
	(void)snprintf(p_delay, sizeof(p_delay), "%u.%03u", delay_ms / 1000,
		       delay_ms % 1000);
	(void)snprintf(p_max, sizeof(p_max), "%u", max_attempts);
	params[0] = store_int64_param(p_id, id);
	params[1] = p_error;
	params[2] = p_delay;
	params[3] = p_max;
	rc = store_exec(s, &store_stmt_mail_attempt_update, params, &res);
	if (rc < 0)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NO_ROW;
		goto out;
	}
	if (!store_get_int(res, 0, 0, attempts) || PQgetisnull(res, 0, 1)) {
		rc = store_fail(s, store_stmt_mail_attempt_update.name, NULL);
		goto out;
	}
	*gave_up = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	rc = STORE_ONE_ROW;
out:
	PQclear(res);
	return rc;
}
