/*
 * Per-worker-thread context. Each libmicrohttpd worker thread owns one,
 * created on its first request and freed when the thread ends; nothing in
 * it is shared with other threads.
 */
#ifndef IDP_COMMON_WORKER_H
#define IDP_COMMON_WORKER_H

#include "idp/cfg/cfg.h"
#include "idp/store/store.h"

struct worker {
	struct store *store; /* this thread's database connection */
	const struct cfg *cfg; /* config at start; immutable */
};

#endif
