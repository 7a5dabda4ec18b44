/*
 * Decoding audit_log rows, shared by the statements that read them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "idp/log/log.h"
#include "idp/store/audit/audit_rows.h"

#define N_COLUMNS 9

static const char *
text_or_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

int
store_audit_rows_visit(const PGresult *res, const char *what,
		       store_audit_row_cb cb, void *cls)
{
	int n = PQntuples(res), i, c;

	if (PQnfields(res) != N_COLUMNS)
		goto bad;
	/* Check every row before the first call: all or nothing. */
	for (i = 0; i < n; i++) {
		int64_t seq;

		if (!store_row_int64(res, i, 0, &seq))
			goto bad;
		for (c = 1; c < N_COLUMNS; c++)
			if (c != 4 && c != 5 && PQgetisnull(res, i, c))
				goto bad;
	}
	for (i = 0; i < n; i++) {
		struct store_audit_row r = {
			.at = PQgetvalue(res, i, 1),
			.event = PQgetvalue(res, i, 2),
			.actor = PQgetvalue(res, i, 3),
			.subject = text_or_null(res, i, 4),
			.client = text_or_null(res, i, 5),
			.details = PQgetvalue(res, i, 6),
			.prev_hash = PQgetvalue(res, i, 7),
			.hash = PQgetvalue(res, i, 8),
		};

		/* Checked above; the test only satisfies the compiler. */
		if (store_row_int64(res, i, 0, &r.seq))
			cb(&r, cls);
	}
	return n;
bad:
	store_error_count_add();
	log_kv(LOG_LEVEL_ERROR, "store_bad_row", "statement", what, NULL);
	return STORE_HARD_ERROR;
}
