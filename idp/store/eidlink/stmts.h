/*
 * Statements of the eID link domain: X(<what>) for each
 * idp/store/eidlink/pg_<what>.c, in the order they are prepared.
 */
#ifndef IDP_STORE_EIDLINK_STMTS_H
#define IDP_STORE_EIDLINK_STMTS_H

#define STORE_STMT_LIST_EIDLINK(X)                                             \
	X(eidlink_select)                                                      \
	X(eidlink_select_by_pseudonym)                                         \
	X(eidlink_insert)                                                      \
	X(eidlink_replace)                                                     \
	X(eidlink_delete)                                                      \
	X(eidlink_account_update)                                              \
	X(eidlink_account_unsource)                                            \
	X(eidlink_hold_insert)                                                 \
	X(eidlink_hold_select)                                                 \
	X(eidlink_hold_take)                                                   \
	X(eidlink_hold_purge)                                                  \
	X(eidlink_session_raise)

#endif
