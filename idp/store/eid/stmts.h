/*
 * Statements of the eID domain: X(<what>) for each
 * idp/store/eid/pg_<what>.c, in the order they are prepared. Public
 * functions are in idp/store/store_eid.h.
 */
#ifndef IDP_STORE_EID_STMTS_H
#define IDP_STORE_EID_STMTS_H

#define STORE_STMT_LIST_EID(X)                                                 \
	X(eid_service_select)                                                  \
	X(eid_service_upsert)                                                  \
	X(eid_service_delete)                                                  \
	X(eid_request_insert)                                                  \
	X(eid_request_take)                                                    \
	X(eid_replay_insert)                                                   \
	X(eid_purge)                                                           \
	X(eid_generation_select)

#endif
