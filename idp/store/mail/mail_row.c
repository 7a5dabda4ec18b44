/*
 * What the mail statements share: decoding and formatting row ids, and
 * freeing claimed rows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/store/store_internal.h"
#include "idp/store/store_mail.h"

bool
store_mail_get_id(const void *res, int row, int col, int64_t *out)
{
	const PGresult *r = res;
	const char *v;
	char *end;
	long long l;

	if (PQgetisnull(r, row, col))
		return false;
	v = PQgetvalue(r, row, col);
	errno = 0;
	l = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0')
		return false;
	*out = (int64_t)l;
	return true;
}

const char *
store_mail_id_param(char buf[21], int64_t v)
{
	(void)snprintf(buf, 21, "%lld", (long long)v);
	return buf;
}

void
store_mail_rows_free(struct store_mail_row *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		/* Bodies carry single-use links. */
		if (rows[i].body != NULL)
			explicit_bzero(rows[i].body, strlen(rows[i].body));
		free(rows[i].body);
		free(rows[i].subject);
		free(rows[i].recipient);
	}
	free(rows);
}
