/*
 * Per-worker-thread context. Each libmicrohttpd worker thread owns one,
 * created on its first request and freed when the thread ends; nothing in
 * it is shared with other threads.
 */
#ifndef IDP_COMMON_WORKER_H
#define IDP_COMMON_WORKER_H

#include "idp/cfg/cfg.h"
#include "idp/store/store.h"

struct saml_worker;

struct worker {
	struct store *store; /* this thread's database connection */
	const struct cfg *cfg; /* config at start; immutable */
	/*
	 * SAML: this thread's lasso server and relying-party policies,
	 * built on the first SAML request and rebuilt when the database
	 * says they changed (idp/saml); NULL until then. Freed with
	 * saml_worker_free() when the thread ends.
	 */
	struct saml_worker *saml;
};

#endif
