/*
 * The transaction runner: every transaction of the program goes through
 * store_run_tx(), so that BEGIN, COMMIT, ROLLBACK and the retry on
 * serialization failure exist once.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "idp/log/log.h"
#include "idp/store/store_internal.h"

/*
 * Transaction control cannot be prepared (PREPARE takes only SELECT,
 * INSERT, UPDATE, DELETE, MERGE and VALUES); these fixed strings without
 * parameters are sent with PQexec.
 */
static const char sql_begin_read_committed[] =
	"BEGIN ISOLATION LEVEL READ COMMITTED";
static const char sql_begin_serializable[] =
	"BEGIN ISOLATION LEVEL SERIALIZABLE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";

/*
 * Before retry @attempt (1, 2, ...) wait a random time in [d/2, d] with
 * d = STORE_TX_BACKOFF_MS << (attempt - 1), capped. A retry that starts at
 * once tends to meet the transaction it lost to while that one is still
 * flushing its COMMIT, and to lose again: measured, immediate retries
 * burned through three retries in two milliseconds. The jitter keeps two
 * losers from colliding again in step.
 */
#define STORE_TX_BACKOFF_MS	2u
#define STORE_TX_BACKOFF_MAX_MS 100u

static void
backoff(struct store *s, unsigned attempt)
{
	struct timespec ts;
	unsigned d = STORE_TX_BACKOFF_MAX_MS, us;

	if (attempt <= 6 && (STORE_TX_BACKOFF_MS << (attempt - 1)) < d)
		d = STORE_TX_BACKOFF_MS << (attempt - 1);
	/* xorshift64: not for secrets, just to spread the retries. */
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	us = d * 500u + (unsigned)(s->rng % (d * 500u + 1));
	ts.tv_sec = us / 1000000u;
	ts.tv_nsec = (long)(us % 1000000u) * 1000;
	(void)nanosleep(&ts, NULL);
}

/*
 * Send one transaction control statement for transaction @name; 0 or a
 * STORE_*_ERROR.
 */
static int
tx_control(struct store *s, const char *name, const char *sql)
{
	char what[128];
	PGresult *res;
	int rc = 0;

	if (s->conn == NULL || s->lost) {
		store_error_count_add();
		return STORE_HARD_ERROR;
	}
	res = PQexec(s->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		/* "COMMIT of login", naming the step and the transaction. */
		(void)snprintf(what, sizeof(what), "%.*s of %s",
			       (int)strcspn(sql, " "), sql, name);
		rc = store_fail(s, what, res);
		goto out;
	}
	/*
	 * COMMIT of a transaction in which a statement failed succeeds and
	 * answers "ROLLBACK": the callback ignored an error. Nothing was
	 * written, which the caller must hear.
	 */
	if (sql == sql_commit && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		store_error_count_add();
		log_kv(LOG_LEVEL_ERROR, "store_tx_rolled_back", "tx", name,
		       "reason", "a statement failed but the callback went on",
		       NULL);
		rc = STORE_HARD_ERROR;
	}
out:
	PQclear(res);
	return rc;
}

int
store_run_tx(struct store *s, const char *name, bool serializable,
	     store_tx_cb cb, void *cls)
{
	char buf[12];
	unsigned attempt;
	int rc;

	/* Nested transactions are a bug in the caller. */
	assert(!s->in_tx);
	if (s->in_tx) {
		log_kv(LOG_LEVEL_ERROR, "store_tx_nested", "tx", name, NULL);
		return STORE_HARD_ERROR;
	}
	for (attempt = 0;; attempt++) {
		rc = tx_control(s, name,
				serializable ? sql_begin_serializable
					     : sql_begin_read_committed);
		if (rc != 0)
			return STORE_HARD_ERROR;
		s->in_tx = true;
		rc = cb(s, cls);
		if (rc < STORE_HARD_ERROR) {
			log_kv(LOG_LEVEL_ERROR, "store_tx_bad_return", "tx",
			       name, NULL);
			rc = STORE_HARD_ERROR;
		}
		if (rc >= STORE_NO_ROW) {
			/*
			 * Under SERIALIZABLE the conflict often shows only
			 * at COMMIT (40001), which is as retryable as one
			 * inside the callback.
			 */
			int crc = tx_control(s, name, sql_commit);

			if (crc != 0)
				rc = crc;
		} else {
			/*
			 * On a lost connection the server has rolled back
			 * already. Should ROLLBACK itself fail on a live
			 * one, the session's state is unknown: drop it, and
			 * the next store_ensure() starts a clean one.
			 */
			if (s->conn != NULL && !s->lost &&
			    tx_control(s, name, sql_rollback) != 0)
				s->lost = true;
		}
		s->in_tx = false;
		if (rc != STORE_SOFT_ERROR)
			return rc;
		if (attempt >= s->tx_retries) {
			(void)snprintf(buf, sizeof(buf), "%u", attempt + 1);
			log_kv(LOG_LEVEL_WARN, "store_tx_retries_exhausted",
			       "tx", name, "attempts", buf, NULL);
			return STORE_SOFT_ERROR;
		}
		backoff(s, attempt + 1);
	}
}
