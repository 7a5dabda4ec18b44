/*
 * Statements of the account domain: X(<what>) for each
 * idp/store/account/pg_<what>.c, in the order they are prepared.
 */
#ifndef IDP_STORE_ACCOUNT_STMTS_H
#define IDP_STORE_ACCOUNT_STMTS_H

#define STORE_STMT_LIST_ACCOUNT(X)

#endif
