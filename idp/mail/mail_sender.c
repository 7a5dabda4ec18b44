/*
 * The sender thread: wait for a notification or the poll interval, claim
 * due mails, deliver each, record the outcome; purge old mails now and
 * then. One per idpd, with its own database connection.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "idp/log/log.h"
#include "idp/mail/mail_internal.h"
#include "idp/store/store_mail.h"

/*
 * Longest a delivery may take (libcurl's total timeout plus slack): a
 * mail is only started while the claim has at least this long to run,
 * so that no other sender can take it while we are still sending.
 */
#define SEND_MAX_MS (75u * 1000u)

/*
 * While the database is away, try to reconnect this often (or at the poll
 * interval, when that is shorter): mails committed right after it is back
 * should not wait for a long poll.
 */
#define RECONNECT_MS 1000u

/* Sent mails whose row could not be updated, kept to retry the update. */
#define UNMARKED_MAX 64

/* Longest error text kept for the table and the log. */
#define ERROR_MAX 512

struct mail_sender {
	const struct cfg *cfg; /* borrowed, outlives the sender */
	struct mail_sender_params p;
	char from_addr[MAIL_ADDRESS_MAX + 1];
	struct store *store;
	struct mail_smtp *smtp; /* smtp mode only */
	pthread_t thread;
	int wake[2]; /* pipe: mail_sender_free() writes a byte */
	atomic_bool stop;
	uint64_t rng;		/* xorshift state for jitter; never 0 */
	uint64_t last_purge_ms; /* 0: not yet */
	/*
	 * Delivered, but the row still says pending (the database went
	 * away at the wrong moment). Marked as soon as it is back, so that
	 * the mail is not sent again when its claim lapses.
	 */
	int64_t unmarked[UNMARKED_MAX];
	size_t n_unmarked;
};

static struct mail_sender *the_sender;

void
mail_sender_params_default(struct mail_sender_params *p)
{
	p->poll_ms = 5000;
	p->backoff_base_ms = 30 * 1000;
	p->backoff_max_ms = 60 * 60 * 1000;
	/* Long enough for a whole batch at SEND_MAX_MS each. */
	p->claim_s = 600;
	p->batch = 5;
	p->purge_interval_s = 3600;
}

unsigned
mail_backoff_ms(int failures, unsigned base_ms, unsigned max_ms, uint32_t rnd)
{
	uint64_t d = base_ms;

	for (int i = 1; i < failures && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	d -= rnd % (d / 4 + 1);
	return d > 0 ? (unsigned)d : 1;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint32_t
random32(struct mail_sender *ms)
{
	/* xorshift64: only to spread retries, not for secrets. */
	ms->rng ^= ms->rng << 13;
	ms->rng ^= ms->rng >> 7;
	ms->rng ^= ms->rng << 17;
	return (uint32_t)(ms->rng >> 32);
}

static const char *
id_text(char buf[21], int64_t id)
{
	(void)snprintf(buf, 21, "%lld", (long long)id);
	return buf;
}

/* Sleep up to @ms, or until mail_sender_free() wakes us. */
static void
sleep_wake(struct mail_sender *ms, unsigned ms_timeout)
{
	struct pollfd pfd = {.fd = ms->wake[0], .events = POLLIN};

	(void)poll(&pfd, 1, (int)ms_timeout);
}

static void
drain_wake(struct mail_sender *ms)
{
	char buf[16];

	while (read(ms->wake[0], buf, sizeof(buf)) > 0)
		;
}

static void
mark_unmarked(struct mail_sender *ms)
{
	char id[21];
	size_t kept = 0;

	for (size_t i = 0; i < ms->n_unmarked; i++) {
		int rc = store_mail_sent_update(ms->store, ms->unmarked[i]);

		if (rc < 0) {
			ms->unmarked[kept++] = ms->unmarked[i];
			continue;
		}
		log_kv(LOG_LEVEL_INFO, "mail_marked_late", "mail_id",
		       id_text(id, ms->unmarked[i]), NULL);
	}
	ms->n_unmarked = kept;
}

static void
record_sent(struct mail_sender *ms, const struct store_mail_row *row)
{
	char id[21], n[12];
	int rc;

	id_text(id, row->id);
	(void)snprintf(n, sizeof(n), "%d", row->attempts + 1);
	rc = store_mail_sent_update(ms->store, row->id);
	if (rc == STORE_ONE_ROW) {
		log_kv(LOG_LEVEL_INFO, "mail_sent", "mail_id", id, "attempt", n,
		       NULL);
		return;
	}
	if (rc == STORE_NO_ROW) {
		/* Our claim had lapsed and another sender finished it. */
		log_kv(LOG_LEVEL_WARN, "mail_sent_twice", "mail_id", id, NULL);
		return;
	}
	log_kv(LOG_LEVEL_WARN, "mail_sent_unrecorded", "mail_id", id, "hint",
	       "recorded when the database is back", NULL);
	if (ms->n_unmarked == UNMARKED_MAX) {
		/* Its claim lapses and it is sent once more: at least once. */
		memmove(ms->unmarked, ms->unmarked + 1,
			(UNMARKED_MAX - 1) * sizeof(ms->unmarked[0]));
		ms->n_unmarked--;
	}
	ms->unmarked[ms->n_unmarked++] = row->id;
}

/*
 * A failed attempt: retry after the backoff, or give up after
 * @max_attempts. The error text is libcurl's or the file's, never the
 * body or a password.
 */
static void
record_failure(struct mail_sender *ms, const struct store_mail_row *row,
	       const char *error, unsigned max_attempts)
{
	char id[21], n[12], delay_s[16];
	unsigned delay;
	bool gave_up;
	int attempts, rc;

	delay = mail_backoff_ms(row->attempts + 1, ms->p.backoff_base_ms,
				ms->p.backoff_max_ms, random32(ms));
	rc = store_mail_attempt_update(ms->store, row->id, error, delay,
				       max_attempts, &attempts, &gave_up);
	id_text(id, row->id);
	if (rc != STORE_ONE_ROW) {
		/* The claim lapses and the mail is tried again then. */
		log_kv(LOG_LEVEL_WARN, "mail_attempt_unrecorded", "mail_id", id,
		       "error", error, NULL);
		return;
	}
	(void)snprintf(n, sizeof(n), "%d", attempts);
	if (gave_up) {
		log_kv(LOG_LEVEL_ERROR, "mail_failed", "mail_id", id,
		       "attempts", n, "error", error, "hint",
		       "given up; see mail_outbox.last_error", NULL);
		return;
	}
	(void)snprintf(delay_s, sizeof(delay_s), "%u.%03u", delay / 1000,
		       delay % 1000);
	log_kv(LOG_LEVEL_WARN, "mail_attempt_failed", "mail_id", id, "attempts",
	       n, "retry_in_s", delay_s, "error", error, NULL);
}

/* Give the claim back: we are stopping or the claim is running out. */
static void
release(struct mail_sender *ms, const struct store_mail_row *row)
{
	if (store_mail_release_update(ms->store, row->id) < 0) {
		char id[21];

		log_kv(LOG_LEVEL_INFO, "mail_release_failed", "mail_id",
		       id_text(id, row->id), "hint", "the claim lapses", NULL);
	}
}

static void
deliver(struct mail_sender *ms, const struct store_mail_row *row)
{
	const struct cfg *cfg = ms->cfg;
	char err[ERROR_MAX];
	GString *msg = NULL;
	const char *why;
	int rc;

	rc = mail_message_format(
		cfg->mail_from, row->recipient, row->subject, row->body,
		time(NULL), cfg->mail_smtp ? MAIL_FORM_SMTP : MAIL_FORM_MBOX,
		&msg, &why);
	if (rc == IDP_ERR_INVALID) {
		/* Trying again cannot make the row valid: give up now. */
		(void)snprintf(err, sizeof(err), "cannot build the message: %s",
			       why);
		record_failure(ms, row, err, 1);
		return;
	}
	if (rc != 0) {
		(void)snprintf(err, sizeof(err), "cannot build the message: %s",
			       why);
		record_failure(ms, row, err, cfg->mail_max_attempts);
		return;
	}
	if (cfg->mail_smtp)
		rc = mail_smtp_send(ms->smtp, ms->from_addr, row->recipient,
				    msg->str, msg->len, err, sizeof(err));
	else
		rc = mail_file_append(cfg->mail_file, msg->str, msg->len, err,
				      sizeof(err));
	mail_message_free(msg);
	if (rc == 0)
		record_sent(ms, row);
	else if (rc == IDP_ERR_UNAVAILABLE)
		release(ms, row);
	else
		record_failure(ms, row, err, cfg->mail_max_attempts);
}

/*
 * Claim and deliver batches until no due mail is left. Returns 0 or a
 * STORE_* error.
 */
static int
work(struct mail_sender *ms)
{
	struct store_mail_row *rows;
	uint64_t claimed_at;
	size_t n, i;
	int rc;

	while (!atomic_load(&ms->stop)) {
		rc = store_mail_claim_update(ms->store, ms->p.claim_s,
					     ms->p.batch, &rows, &n);
		if (rc < 0)
			return rc;
		claimed_at = now_ms();
		for (i = 0; i < n; i++) {
			if (atomic_load(&ms->stop) ||
			    now_ms() - claimed_at + SEND_MAX_MS >
				    (uint64_t)ms->p.claim_s * 1000u)
				break;
			deliver(ms, &rows[i]);
		}
		for (; i < n; i++)
			release(ms, &rows[i]);
		store_mail_rows_free(rows, n);
		if (n < ms->p.batch)
			return 0;
	}
	return 0;
}

static void
purge(struct mail_sender *ms)
{
	uint64_t now = now_ms();
	char n[12];
	int rc;

	if (ms->last_purge_ms != 0 &&
	    now - ms->last_purge_ms < (uint64_t)ms->p.purge_interval_s * 1000u)
		return;
	ms->last_purge_ms = now;
	rc = store_mail_purge_delete(ms->store, MAIL_RETENTION_DAYS);
	if (rc > 0) {
		(void)snprintf(n, sizeof(n), "%d", rc);
		log_kv(LOG_LEVEL_INFO, "mail_purged", "mails", n, NULL);
	}
}

static void *
run(void *cls)
{
	struct mail_sender *ms = cls;
	int rc;

	while (!atomic_load(&ms->stop)) {
		/*
		 * LISTEN before looking for mails, on every round (it is
		 * idempotent, and a reconnect forgets it): a mail committed
		 * after the claim below wakes the wait at once.
		 */
		if (store_ensure(ms->store) != 0 ||
		    store_listen(ms->store, STORE_MAIL_CHANNEL) < 0) {
			sleep_wake(ms, ms->p.poll_ms < RECONNECT_MS
					       ? ms->p.poll_ms
					       : RECONNECT_MS);
			drain_wake(ms);
			continue;
		}
		if (ms->n_unmarked > 0)
			mark_unmarked(ms);
		purge(ms);
		/*
		 * A failed claim still waits below: on a lost connection
		 * the wait returns at once and the next round reconnects;
		 * a statement that fails on a live one is not retried in a
		 * tight loop.
		 */
		(void)work(ms);
		rc = store_notify_wait(ms->store, ms->wake[0],
				       (int)ms->p.poll_ms);
		drain_wake(ms);
		(void)rc; /* notified, timed out or lost: look again */
	}
	return NULL;
}

static void
sender_destroy(struct mail_sender *ms)
{
	mail_smtp_free(ms->smtp);
	store_free(ms->store);
	if (ms->wake[0] >= 0)
		(void)close(ms->wake[0]);
	if (ms->wake[1] >= 0)
		(void)close(ms->wake[1]);
	free(ms);
	curl_global_cleanup();
}

int
mail_sender_new(const struct cfg *cfg, const struct mail_sender_params *p,
		struct mail_sender **out)
{
	char err[256], name[MAIL_NAME_MAX + 1];
	struct mail_sender *ms;
	const char *why;
	int rc;

	*out = NULL;
	if (mail_cfg_check(cfg, err, sizeof(err)) != 0) {
		log_kv(LOG_LEVEL_ERROR, "mail_config_invalid", "error", err,
		       NULL);
		return IDP_ERR_INVALID;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return IDP_ERR_INTERNAL;
	ms = calloc(1, sizeof(*ms));
	if (ms == NULL) {
		curl_global_cleanup();
		return IDP_ERR_NOMEM;
	}
	ms->wake[0] = ms->wake[1] = -1;
	ms->cfg = cfg;
	if (p != NULL)
		ms->p = *p;
	else
		mail_sender_params_default(&ms->p);
	if (ms->p.batch == 0)
		ms->p.batch = 1;
	/*
	 * A claim shorter than two deliveries would let work() give every
	 * mail back untried.
	 */
	if ((uint64_t)ms->p.claim_s * 1000u < 2u * SEND_MAX_MS)
		ms->p.claim_s = 2u * SEND_MAX_MS / 1000u;
	/* Checked by mail_cfg_check() above. */
	if (mail_from_parse(cfg->mail_from, ms->from_addr, name, &why) != 0) {
		rc = IDP_ERR_INVALID;
		goto fail;
	}
	if (getrandom(&ms->rng, sizeof(ms->rng), 0) != (ssize_t)sizeof(ms->rng))
		ms->rng = now_ms() ^ (uint64_t)(uintptr_t)ms;
	ms->rng |= 1;
	rc = IDP_ERR_NOMEM;
	ms->store = store_new(cfg->db_conninfo, cfg->db_tx_retries,
			      cfg->db_statement_timeout_ms);
	if (ms->store == NULL)
		goto fail;
	if (cfg->mail_smtp) {
		ms->smtp = mail_smtp_new(cfg, &ms->stop);
		if (ms->smtp == NULL)
			goto fail;
	}
	rc = IDP_ERR_INTERNAL;
	if (pipe2(ms->wake, O_CLOEXEC | O_NONBLOCK) != 0)
		goto fail;
	if (pthread_create(&ms->thread, NULL, run, ms) != 0)
		goto fail;
	log_kv(LOG_LEVEL_INFO, "mail_sender_started", "mode", cfg->mail_mode,
	       "target", cfg->mail_smtp ? cfg->mail_smtp_url : cfg->mail_file,
	       NULL);
	*out = ms;
	return 0;
fail:
	sender_destroy(ms);
	return rc;
}

void
mail_sender_free(struct mail_sender *ms)
{
	ssize_t w;

	if (ms == NULL)
		return;
	atomic_store(&ms->stop, true);
	do
		w = write(ms->wake[1], "x", 1);
	while (w < 0 && errno == EINTR);
	(void)pthread_join(ms->thread, NULL);
	if (ms->n_unmarked > 0 && store_ensure(ms->store) == 0)
		mark_unmarked(ms);
	if (ms->n_unmarked > 0) {
		char n[24];

		(void)snprintf(n, sizeof(n), "%zu", ms->n_unmarked);
		log_kv(LOG_LEVEL_WARN, "mail_sent_unrecorded_at_stop", "mails",
		       n, "hint", "they will be sent again", NULL);
	}
	log_kv(LOG_LEVEL_INFO, "mail_sender_stopped", NULL);
	sender_destroy(ms);
}

int
mail_sender_start(const struct cfg *cfg)
{
	if (the_sender != NULL)
		return IDP_ERR_INTERNAL;
	return mail_sender_new(cfg, NULL, &the_sender);
}

void
mail_sender_stop(void)
{
	mail_sender_free(the_sender);
	the_sender = NULL;
}
