/*
 * Statements of the SAML domain: X(<what>) for each
 * idp/store/saml/pg_<what>.c, in the order they are prepared. Public
 * functions are in idp/store/store_saml.h.
 */
#ifndef IDP_STORE_SAML_STMTS_H
#define IDP_STORE_SAML_STMTS_H

#define STORE_STMT_LIST_SAML(X)                                                \
	X(saml_pending_insert)                                                 \
	X(saml_pending_select)                                                 \
	X(saml_pending_delete)                                                 \
	X(saml_replay_insert)                                                  \
	X(saml_purge)                                                          \
	X(saml_pairwise_select)                                                \
	X(saml_pairwise_insert)                                                \
	X(saml_pairwise_iterate)                                               \
	X(saml_participant_insert)                                             \
	X(saml_generation_select)

#endif
