/*
 * Record a refresh that changed nothing the IdP serves: the metadata at
 * the URL was the same, or the new copy was refused and the old one kept.
 */
#include <string.h>

#include "idp/store/sp/sp_rows.h"

/* refresh_error's CHECK. */
#define ERROR_MAX 512

/*
 * No new revision and no notification: nothing an IdP node serves has
 * changed. Only a row that still has the URL that was fetched: a
 * refresh that raced with an operator's change of the source leaves
 * that row alone.
 */
const struct store_stmt store_stmt_sp_fetch_update = {
	.name = "sp_fetch_update",
	.sql = "UPDATE relying_parties SET"
	       " fetched_at = CASE WHEN $2::text IS NULL THEN now()"
	       " ELSE fetched_at END,"
	       " refresh_failed_at = CASE WHEN $2::text IS NULL THEN NULL"
	       " ELSE now() END,"
	       " refresh_error = $2::text"
	       " WHERE id = $1 AND metadata_url = $3",
	.nparams = 3,
	.tier = STORE_TIER_APP,
};

int
store_sp_fetch_update(struct store *s, int64_t id, const char *url,
		      const char *error)
{
	char idbuf[STORE_INT64_PARAM_BYTES], line[ERROR_MAX + 1];
	const char *params[3] = {store_int64_param(idbuf, id), NULL, url};
	PGresult *res;
	int64_t n;
	size_t i;
	int rc;

	if (error != NULL) {
		/*
		 * The text comes from libcurl or the metadata parser and may
		 * quote the document: keep one line of plain ASCII so that
		 * it fits the column and cannot drive a terminal later.
		 */
		for (i = 0; error[i] != '\0' && error[i] != '\n' &&
			    error[i] != '\r' && i < ERROR_MAX;
		     i++)
			line[i] = error[i] >= 0x20 && error[i] < 0x7f ? error[i]
								      : '?';
		line[i] = '\0';
		if (i == 0)
			(void)strcpy(line, "?");
		params[1] = line;
	}
	rc = store_exec(s, &store_stmt_sp_fetch_update, params, &res);
	if (rc < 0)
		return rc;
	if (!store_row_count(res, &n))
		rc = store_fail(s, store_stmt_sp_fetch_update.name, NULL);
	else
		rc = n > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
	PQclear(res);
	return rc;
}
