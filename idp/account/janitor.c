/*
 * The janitor: a thread per idpd that removes what has expired (unverified
 * accounts, sessions, throttle counters) every ACCOUNT_JANITOR_INTERVAL_S.
 * Several nodes may run it at once; the deletes are idempotent.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "idp/account/account.h"
#include "idp/common/worker.h"
#include "idp/log/log.h"

#define ACCOUNT_JANITOR_INTERVAL_S 300

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping, running;

static void *
janitor(void *cls)
{
	struct worker *w = cls;

	pthread_mutex_lock(&lock);
	while (!stopping) {
		pthread_mutex_unlock(&lock);
		if (store_ensure(w->store) == 0)
			account_purge(w);
		pthread_mutex_lock(&lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += ACCOUNT_JANITOR_INTERVAL_S;
		while (!stopping &&
		       pthread_cond_timedwait(&wake, &lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&lock);
	store_free(w->store);
	free(w);
	return NULL;
}

int
account_janitor_start(const struct cfg *cfg)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return IDP_ERR_NOMEM;
	w->cfg = cfg;
	w->store = store_new(cfg->db_conninfo, cfg->db_tx_retries,
			     cfg->db_statement_timeout_ms);
	if (w->store == NULL) {
		free(w);
		return IDP_ERR_NOMEM;
	}
	stopping = false;
	if (pthread_create(&thread, NULL, janitor, w) != 0) {
		store_free(w->store);
		free(w);
		return IDP_ERR_INTERNAL;
	}
	running = true;
	return 0;
}

void
account_janitor_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = false;
}
