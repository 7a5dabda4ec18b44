/*
 * The janitor: a thread per idpd that removes what has expired (unverified
 * accounts, used links, sessions, throttle counters, SAML pending requests
 * and replay entries) every ACCOUNT_JANITOR_INTERVAL_S, and refreshes the
 * metadata of relying parties every [saml] sp_metadata_refresh_interval.
 * Several nodes may run it at once; the deletes are idempotent, and each
 * SP's refresh is claimed in the database by one node per interval.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "idp/account/account.h"
#include "idp/account/account_eid.h"
#include "idp/cfg/cfg.h"
#include "idp/common/limits.h"
#include "idp/common/worker.h"
#include "idp/log/log.h"
#include "idp/saml/saml_sp_refresh_due.h"
#include "idp/store/store_account.h"
#include "idp/store/store_eid.h"
#include "idp/store/store_saml.h"
#include "idp/store/store_slo.h"

#define ACCOUNT_JANITOR_INTERVAL_S 300

/*
 * At most this long on metadata downloads per round (plus one download
 * of at most SAML_SP_FETCH_TIMEOUT_MS), so that slow SPs cannot hold up
 * the purge for long; the SPs left over are due at the next round.
 */
#define JANITOR_REFRESH_BUDGET_S 60

void
account_purge(struct worker *w)
{
	int64_t accounts = 0, sessions = 0, counters = 0, tokens = 0, saml = 0;

	/*
	 * Used and expired links go after the rate-limit window that counts
	 * them (ACCOUNT_MAIL_WINDOW_S); they hold e-mail addresses.
	 */
	if (store_account_purge_unverified(w->store, ACCOUNT_VERIFY_TTL_S,
					   &accounts) < 0 ||
	    store_email_token_purge(w->store, 2 * ACCOUNT_MAIL_WINDOW_S,
				    &tokens) < 0 ||
	    store_session_purge(w->store, &sessions) < 0 ||
	    store_saml_purge(w->store, &saml) < 0 ||
	    store_slo_purge(w->store) < 0 ||
	    account_eid_purge(w->store, &(int64_t){0}) < 0 ||
	    store_eid_purge(w->store, &(int64_t){0}) < 0 ||
	    store_throttle_purge(w->store, THROTTLE_RESET_S, &counters) < 0) {
		log_kv(LOG_LEVEL_WARN, "purge_failed", NULL);
		return;
	}
	if (accounts + sessions + counters + tokens + saml > 0) {
		char a[24], s[24], c[24], t[24], q[24];
		snprintf(a, sizeof(a), "%lld", (long long)accounts);
		snprintf(s, sizeof(s), "%lld", (long long)sessions);
		snprintf(c, sizeof(c), "%lld", (long long)counters);
		snprintf(t, sizeof(t), "%lld", (long long)tokens);
		snprintf(q, sizeof(q), "%lld", (long long)saml);
		log_kv(LOG_LEVEL_INFO, "purged", "unverified_accounts", a,
		       "sessions", s, "throttle_counters", c, "email_tokens",
		       t, "saml_pending_and_replay", q, NULL);
	}
}

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping, running;

/* Whether account_janitor_stop() has not been called. */
static bool
going(void)
{
	bool go;

	pthread_mutex_lock(&lock);
	go = !stopping;
	pthread_mutex_unlock(&lock);
	return go;
}

static int64_t
monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static void *
janitor(void *cls)
{
	struct worker *w = cls;
	unsigned refresh = w->cfg->saml_sp_refresh_interval_s;
	/*
	 * Wake often enough for the refresh; which SP is due is decided in
	 * the database, so waking early only costs one small UPDATE.
	 */
	unsigned tick = refresh > 0 && refresh < ACCOUNT_JANITOR_INTERVAL_S
				? refresh
				: ACCOUNT_JANITOR_INTERVAL_S;
	int64_t purged = 0;
	bool first = true;

	pthread_mutex_lock(&lock);
	while (!stopping) {
		pthread_mutex_unlock(&lock);
		if (store_ensure(w->store) == 0) {
			if (first || monotonic_s() - purged >=
					     ACCOUNT_JANITOR_INTERVAL_S) {
				account_purge(w);
				purged = monotonic_s();
				first = false;
			}
			if (saml_sp_refresh_due(w->store, refresh,
						JANITOR_REFRESH_BUDGET_S,
						going) < 0)
				log_kv(LOG_LEVEL_WARN,
				       "sp_refresh_round_failed", NULL);
		}
		pthread_mutex_lock(&lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += tick;
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
