/*
 * Freeing the rows that the mail claim returns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/store/store_internal.h"
#include "idp/store/store_mail.h"

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
