/*
 * The audit log: every security event as one row of a hash-chained,
 * append-only table (sql/003_audit.sql; format and event names in
 * docs/audit.md).
 *
 * An event is audited in the same transaction as the change it records:
 * call audit_append() inside the store_run_tx() callback that makes the
 * change, so that both commit or neither does. Then "every security event
 * is audited" holds even when a node dies half-way.
 *
 * Never put secrets (passwords, tokens, session ids, keys) or personal
 * data (e-mail addresses, names) into any field: the subject is a
 * pseudonym (accounts.audit_ref), details are short facts.
 *
 * Thread-safety: as the store; each thread uses its own struct store.
 */
#ifndef IDP_AUDIT_AUDIT_H
#define IDP_AUDIT_AUDIT_H

#include <stdint.h>

#include "idp/common/err.h"
#include "idp/store/store.h"
#include "idp/store/store_audit.h"

/*
 * Field limits, in bytes, checked before anything is sent. Event names
 * are lower_snake_case ([a-z][a-z0-9_]*); client is an IP address in text
 * form (IPv6 with a zone fits).
 */
#define AUDIT_EVENT_MAX	  64
#define AUDIT_ACTOR_MAX	  256
#define AUDIT_SUBJECT_MAX 256
#define AUDIT_CLIENT_MAX  64
#define AUDIT_DETAILS_MAX 8192

/*
 * audit_details(): at most this many pairs, keys like event names of at
 * most AUDIT_EVENT_MAX bytes, and each value cut to this many bytes of
 * JSON text (ending in "[...]" when cut, never inside a character), so
 * that no value chosen by a client can make an audit row too large to
 * write, which would roll back the event it records.
 */
#define AUDIT_DETAILS_PAIRS_MAX 12
#define AUDIT_DETAILS_VALUE_MAX 512

/*
 * Append one event to the chain, inside the caller's transaction
 * (store_run_tx() callback), preferably as its last statement: the append
 * holds the chain's head lock until commit, which queues every other
 * append in the cluster, and taking it last also means no row lock is
 * ever requested while holding it (no deadlocks through the head).
 *
 * @event: a name from docs/audit.md; @actor: who acted ("citizen",
 * "operator", "system", ...); @subject: pseudonymous reference or NULL;
 * @client: client IP address or NULL; @details_json: a JSON object's
 * text, "{}" when there is nothing to add (audit_details() builds one).
 * "" for @subject or @client means NULL.
 *
 * Returns STORE_ONE_ROW, STORE_SOFT_ERROR (serialization failure: let the
 * runner retry) or STORE_HARD_ERROR (database failure, or arguments that
 * break the contract above, which is our bug and logged as such), so
 * that a callback can `return audit_append(...)`.
 */
IDP_WUR int audit_append(struct store *s, const char *event, const char *actor,
			 const char *subject, const char *client,
			 const char *details_json);

/*
 * Build a details object from key/value pairs: audit_details("reason",
 * "bad_password", "attempts", "3", NULL) gives
 * {"reason":"bad_password","attempts":"3"}. The list is pairs followed by
 * one NULL in a key's place; a NULL value is written as null. Values are
 * escaped (any bytes give valid JSON; invalid UTF-8 becomes U+FFFD) and
 * cut at AUDIT_DETAILS_VALUE_MAX.
 *
 * Returns a string freed by the caller with g_free(), or NULL (logged as
 * a bug) for a key that is not lower_snake_case or repeats, or more than
 * AUDIT_DETAILS_PAIRS_MAX pairs. Pass a NULL result on as it is:
 * audit_append() refuses NULL details, so a bug rolls the transaction
 * back rather than writing an event without its facts.
 */
char *audit_details(const char *k1, ...) __attribute__((sentinel));

/* Where audit_verify() found the chain broken. */
enum audit_break {
	AUDIT_INTACT = 0,
	AUDIT_BREAK_MISSING, /* row first_bad_seq is missing (deleted) */
	AUDIT_BREAK_LINK,    /* its prev_hash is not the previous row's hash */
	AUDIT_BREAK_HASH,    /* its hash is not the hash of its contents */
	AUDIT_BREAK_HEAD,    /* audit_head does not match the last row */
};

struct audit_verify_result {
	int64_t rows_checked;  /* rows found intact before the break */
	int64_t first_bad_seq; /* 0 when intact */
	enum audit_break why;
};

/*
 * Walk the whole chain in seq order, in batches of bounded size (memory
 * does not grow with the log), outside any transaction: recompute every
 * row's hash in C from its columns (not with the SQL function that wrote
 * it), check that prev_hash links to the row before, that seq runs
 * 1, 2, 3, ... without gaps, and that the chain ends where audit_head
 * says. Rows appended after the walk began are not checked.
 *
 * Returns 0 when intact (*@first_bad_seq = 0); IDP_ERR_INVALID when broken,
 * with *@first_bad_seq the first row where the chain no longer holds;
 * IDP_ERR_UNAVAILABLE when the database fails (*@first_bad_seq = 0).
 * *@rows_checked counts the rows verified intact.
 */
IDP_WUR int audit_verify(struct store *s, int64_t *first_bad_seq,
			 int64_t *rows_checked);

/* audit_verify() with the kind of break too; same return values. */
IDP_WUR int audit_verify_chain(struct store *s, struct audit_verify_result *r);

/* One line for a person: "the row is missing", ... Never NULL. */
const char *audit_break_text(enum audit_break b);

/*
 * The hash of @row given the previous row's hash @prev_hash (the chain
 * format of docs/audit.md, same as audit_hash() in sql/003_audit.sql).
 * Exposed for verification and tests.
 */
void audit_row_hash(const struct store_audit_row *row,
		    const uint8_t prev_hash[32], uint8_t out[32]);

#endif
