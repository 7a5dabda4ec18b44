/*
 * Statements of the account domain: X(<what>) for each
 * idp/store/account/pg_<what>.c, in the order they are prepared.
 */
#ifndef IDP_STORE_ACCOUNT_STMTS_H
#define IDP_STORE_ACCOUNT_STMTS_H

#define STORE_STMT_LIST_ACCOUNT(X)                                             \
	X(account_insert)                                                      \
	X(account_select_by_email)                                             \
	X(account_select_by_id)                                                \
	X(account_verify_email)                                                \
	X(account_update_profile)                                              \
	X(account_update_password)                                             \
	X(account_update_pending_email)                                        \
	X(account_update_email)                                                \
	X(account_update_status)                                               \
	X(account_delete)                                                      \
	X(account_purge_unverified)                                            \
	X(email_token_insert)                                                  \
	X(email_token_consume)                                                 \
	X(email_token_delete)                                                  \
	X(email_token_count)                                                   \
	X(email_token_purge)                                                   \
	X(session_insert)                                                      \
	X(session_select)                                                      \
	X(session_touch)                                                       \
	X(session_delete)                                                      \
	X(session_delete_handle)                                               \
	X(session_delete_account)                                              \
	X(session_purge)                                                       \
	X(session_iterate)                                                     \
	X(throttle_select)                                                     \
	X(throttle_fail)                                                       \
	X(throttle_reset)                                                      \
	X(throttle_purge)                                                      \
	X(now)

#endif
