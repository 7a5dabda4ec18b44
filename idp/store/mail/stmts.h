/*
 * Statements of the mail domain: X(<what>) for each
 * idp/store/mail/pg_<what>.c, in the order they are prepared.
 */
#ifndef IDP_STORE_MAIL_STMTS_H
#define IDP_STORE_MAIL_STMTS_H

#define STORE_STMT_LIST_MAIL(X)

#endif
