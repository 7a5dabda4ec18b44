/*
 * Statements of the audit domain: X(<what>) for each
 * idp/store/audit/pg_<what>.c, in the order they are prepared.
 */
#ifndef IDP_STORE_AUDIT_STMTS_H
#define IDP_STORE_AUDIT_STMTS_H

#define STORE_STMT_LIST_AUDIT(X)                                               \
	X(audit_insert)                                                        \
	X(audit_head_select)                                                   \
	X(audit_iterate)                                                       \
	X(audit_tail_iterate)

#endif
