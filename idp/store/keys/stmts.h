/*
 * Statements of the signing key domain: X(<what>) for each
 * idp/store/keys/pg_<what>.c, in the order they are prepared. Public
 * functions are in idp/store/store_keys.h.
 */
#ifndef IDP_STORE_KEYS_STMTS_H
#define IDP_STORE_KEYS_STMTS_H

#define STORE_STMT_LIST_KEYS(X)                                                \
	X(keys_insert)                                                         \
	X(keys_select)                                                         \
	X(keys_next_select)                                                    \
	X(keys_update_previous)                                                \
	X(keys_update_active)                                                  \
	X(keys_update_retired)                                                 \
	X(keys_iterate)                                                        \
	X(keys_live_iterate)                                                   \
	X(keys_notify)

#endif
