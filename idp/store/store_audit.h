/*
 * Store statements of the audit log (sql/003_audit.sql). The policy --
 * which events exist, what a valid row is, how the chain is verified --
 * lives in idp/audit; these only move rows. Same return values and
 * thread-safety as idp/store/store.h: one struct store per thread.
 */
#ifndef IDP_STORE_STORE_AUDIT_H
#define IDP_STORE_STORE_AUDIT_H

#include <stdint.h>

#include "idp/store/store.h"

/* A chain hash as hex: SHA-256, 64 lower-case hex digits. */
#define STORE_AUDIT_HASH_HEX_LEN 64

/*
 * One row of audit_log as read back. Every string is borrowed from the
 * result and valid only during the callback that receives the row.
 */
struct store_audit_row {
	int64_t seq;
	const char *at; /* audit_time_text(): "YYYY-MM-DDTHH:MM:SS.ffffffZ" */
	const char *event;   /* lower_snake_case */
	const char *actor;   /* never NULL */
	const char *subject; /* NULL when none */
	const char *client;  /* NULL when none */
	const char *details; /* jsonb's text form of a JSON object */
	/*
	 * Lower-case hex as stored. Normally STORE_AUDIT_HASH_HEX_LEN digits;
	 * a tampered row may hold any length, which verification reports.
	 */
	const char *prev_hash;
	const char *hash;
};

/* Called once per row; @row and its strings are borrowed for the call. */
typedef void (*store_audit_row_cb)(const struct store_audit_row *row,
				   void *cls);

/*
 * Append one row, in one statement: advance audit_head (its row lock is
 * held until the caller's transaction ends), compute the row's hash with
 * audit_hash() from the head's hash, insert the row. Call inside
 * store_run_tx(), as the last statement of the transaction, since the
 * head lock serializes every append of the cluster until commit.
 *
 * @event, @actor, @details (JSON object text) are required; @subject and
 * @client may be NULL. The caller (idp/audit) checks them; PostgreSQL's
 * constraints refuse what slips through (STORE_HARD_ERROR). On
 * STORE_ONE_ROW *@seq is the new row's seq.
 *
 * Returns STORE_ONE_ROW, STORE_SOFT_ERROR (serialization failure under
 * SERIALIZABLE: retry) or STORE_HARD_ERROR (also when audit_head is
 * missing).
 */
IDP_WUR int store_audit_insert(struct store *s, const char *event,
			       const char *actor, const char *subject,
			       const char *client, const char *details,
			       int64_t *seq);

/*
 * Read the head of the chain: *@seq, the last appended seq (0 when the
 * log is empty), and @hash, its hash as hex (64 digits and a NUL; the
 * genesis value, 64 zeros, for an empty log). Returns STORE_ONE_ROW,
 * STORE_NO_ROW (audit_head has lost its row: tampering) or an error. A
 * hash of another length than 32 bytes (tampering) is returned as
 * STORE_ONE_ROW with @hash "".
 */
IDP_WUR int store_audit_head_select(struct store *s, int64_t *seq,
				    char hash[STORE_AUDIT_HASH_HEX_LEN + 1]);

/*
 * Call @cb for the rows with @after < seq <= @upto, in seq order, at most
 * @limit of them (1..STORE_AUDIT_BATCH_MAX; more is STORE_HARD_ERROR).
 * Returns the number of rows (STORE_NO_ROW when none) or an error.
 */
#define STORE_AUDIT_BATCH_MAX 10000
IDP_WUR int store_audit_iterate(struct store *s, int64_t after, int64_t upto,
				int limit, store_audit_row_cb cb, void *cls);

/*
 * Call @cb for the last @n rows (1..STORE_AUDIT_BATCH_MAX), oldest first.
 * Returns the number of rows (STORE_NO_ROW when none) or an error.
 */
IDP_WUR int store_audit_tail_iterate(struct store *s, int n,
				     store_audit_row_cb cb, void *cls);

#endif
