/*
 * Store statements of the mail outbox (table mail_outbox, sql/004_mail.sql)
 * and the LISTEN/NOTIFY plumbing the mail sender waits with.
 *
 * Policy (what is valid, when to retry, how long to back off) lives in
 * idp/mail; these functions only run the statements. Like every store
 * function they are not thread-safe: one struct store per thread. They
 * return STORE_* values (store.h) and log failures without parameters, so
 * neither addresses nor bodies reach the log from here.
 */
#ifndef IDP_STORE_STORE_MAIL_H
#define IDP_STORE_STORE_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/common/err.h"
#include "idp/store/store.h"

/* The notification channel a new mail is announced on. */
#define STORE_MAIL_CHANNEL "mail_outbox"

/* Longest last_error kept (the column's CHECK allows no more). */
#define STORE_MAIL_ERROR_MAX 512

/*
 * Insert one mail, due at once, and announce it with a notification on
 * STORE_MAIL_CHANNEL. Meant to run inside the caller's store_run_tx():
 * the row and the notification take effect on COMMIT and vanish on
 * ROLLBACK. The caller has validated the fields (mail_enqueue()); the
 * table's CHECK constraints refuse what slips through (STORE_HARD_ERROR).
 * @id (may be NULL) receives the new row's id.
 * Returns STORE_ONE_ROW or an error.
 */
IDP_WUR int store_mail_insert(struct store *s, const char *recipient,
			      const char *subject, const char *body,
			      int64_t *id);

/* One claimed mail. Strings are owned by the array (store_mail_rows_free). */
struct store_mail_row {
	int64_t id;
	int attempts; /* attempts made before this one */
	char *recipient;
	char *subject;
	char *body;
};

/*
 * Claim up to @limit due mails (pending, next_attempt_at reached, not
 * claimed or the claim expired) for @claim_s seconds, oldest due first,
 * skipping rows another sender has locked at this moment, so two senders
 * never claim the same mail while a claim holds. Runs as its own
 * statement (autocommit), not inside a transaction.
 *
 * On success *rows is an array of *n rows (NULL when none) freed with
 * store_mail_rows_free(). Returns the number of rows (STORE_NO_ROW when
 * none) or an error, with *rows NULL and *n 0.
 */
IDP_WUR int store_mail_claim_update(struct store *s, unsigned claim_s,
				    unsigned limit,
				    struct store_mail_row **rows, size_t *n);

/* Free @rows (@n of them), zeroing the bodies first. NULL is fine. */
void store_mail_rows_free(struct store_mail_row *rows, size_t n);

/*
 * Mark mail @id sent: sent_at now, one more attempt, claim and last
 * error cleared. Returns STORE_ONE_ROW, or STORE_NO_ROW when the row is
 * gone or was already sent or given up (another sender finished it after
 * our claim expired), or an error.
 */
IDP_WUR int store_mail_sent_update(struct store *s, int64_t id);

/*
 * Record a failed attempt at mail @id: one more attempt, @error (never a
 * secret; kept as its first line, cut to STORE_MAIL_ERROR_MAX bytes, bytes
 * other than printable ASCII replaced by '?') as last_error, the claim
 * released, due again in @delay_ms milliseconds; or, when the attempts reach
 * @max_attempts, given up (failed_at now). *@attempts receives the new
 * count and *@gave_up whether the mail was given up.
 * Returns STORE_ONE_ROW, STORE_NO_ROW (the row is gone, sent or given up
 * already) or an error.
 */
IDP_WUR int store_mail_attempt_update(struct store *s, int64_t id,
				      const char *error, unsigned delay_ms,
				      unsigned max_attempts, int *attempts,
				      bool *gave_up);

/*
 * Give up the claim on mail @id without counting an attempt (the sender
 * is stopping), so that another sender may take it at once.
 * Returns STORE_ONE_ROW, STORE_NO_ROW or an error.
 */
IDP_WUR int store_mail_release_update(struct store *s, int64_t id);

/*
 * Delete sent and given-up mails whose sent_at or failed_at is more than
 * @days days old. Returns the number deleted (STORE_NO_ROW when none) or
 * an error.
 */
IDP_WUR int store_mail_purge_delete(struct store *s, unsigned days);

/*
 * LISTEN on @channel (a fixed identifier chosen by the code, e.g.
 * STORE_MAIL_CHANNEL; never input) on @s's current connection. LISTEN
 * cannot be prepared and ends with the connection: call it again after
 * every store_ensure(), it is idempotent. Must not run inside a
 * transaction (the LISTEN would only start at its COMMIT).
 * Returns STORE_ONE_ROW or STORE_HARD_ERROR (also for a @channel that is
 * not a plain lower-case identifier).
 */
IDP_WUR int store_listen(struct store *s, const char *channel);

/*
 * Wait up to @timeout_ms (0: only look) for a notification on a channel
 * that @s listens on, or for @wake_fd (-1: none) to become readable (the
 * caller drains it). Notifications already received are consumed, all of
 * them: several become one wake-up.
 * Returns STORE_ONE_ROW when a notification arrived, STORE_NO_ROW on
 * timeout or when @wake_fd woke us, STORE_HARD_ERROR when the connection
 * is down or failed (store_connection_lost() is then true).
 */
IDP_WUR int store_notify_wait(struct store *s, int wake_fd, int timeout_ms);

#endif
