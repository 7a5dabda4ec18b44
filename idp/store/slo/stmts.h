/*
 * Statements of the single logout domain: X(<what>) for each
 * idp/store/slo/pg_<what>.c, in the order they are prepared. Public
 * functions are in idp/store/store_slo.h.
 */
#ifndef IDP_STORE_SLO_STMTS_H
#define IDP_STORE_SLO_STMTS_H

#define STORE_STMT_LIST_SLO(X)                                                 \
	X(slo_participant_select)                                              \
	X(slo_session_delete)                                                  \
	X(slo_chain_insert)                                                    \
	X(slo_steps_copy)                                                      \
	X(slo_chain_select)                                                    \
	X(slo_chain_finish)                                                    \
	X(slo_step_next)                                                       \
	X(slo_step_update)                                                     \
	X(slo_step_answer)                                                     \
	X(slo_step_iterate)                                                    \
	X(slo_purge)

#endif
