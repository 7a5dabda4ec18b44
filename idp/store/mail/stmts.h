/*
 * Statements of the mail domain: X(<what>) for each
 * idp/store/mail/pg_<what>.c, in the order they are prepared; and the
 * small helpers these files share (mail_row.c). Public functions are in
 * idp/store/store_mail.h.
 */
#ifndef IDP_STORE_MAIL_STMTS_H
#define IDP_STORE_MAIL_STMTS_H

#define STORE_STMT_LIST_MAIL(X)                                                \
	X(mail_insert)                                                         \
	X(mail_claim_update)                                                   \
	X(mail_sent_update)                                                    \
	X(mail_attempt_update)                                                 \
	X(mail_release_update)                                                 \
	X(mail_purge_delete)

/*
 * Helpers of idp/store/mail/ (mail_row.c). They take the libpq result as
 * const void * so that this header, which store_internal.h includes
 * before it defines anything, needs no libpq types.
 */
#include <stdbool.h>
#include <stdint.h>

/* Decode a bigint column; false when NULL or not a number (a bug). */
bool store_mail_get_id(const void *res, int row, int col, int64_t *out);

/* Format @v as a text parameter; @buf needs 21 bytes. */
const char *store_mail_id_param(char buf[21], int64_t v);

#endif
