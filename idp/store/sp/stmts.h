/*
 * Statements of the relying-party domain: X(<what>) for each
 * idp/store/sp/pg_<what>.c, in the order they are prepared. Public
 * functions are in idp/store/store_sp.h.
 */
#ifndef IDP_STORE_SP_STMTS_H
#define IDP_STORE_SP_STMTS_H

#define STORE_STMT_LIST_SP(X)                                                  \
	X(sp_insert)                                                           \
	X(sp_select)                                                           \
	X(sp_iterate)                                                          \
	X(sp_update)                                                           \
	X(sp_fetch_update)                                                     \
	X(sp_refresh_claim)                                                    \
	X(sp_delete)

#endif
