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

#endif
