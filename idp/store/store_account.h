/*
 * Store statements of the account domain: accounts, e-mail tokens,
 * sessions, login throttling (sql/002_accounts.sql). Each function is one
 * prepared statement in idp/store/account/pg_<what>.c and returns a STORE_*
 * value (see store.h). Hashes are 32-byte BLAKE2b-256 values; the raw
 * tokens never reach the store.
 *
 * Strings returned in structs are owned by the struct and freed with the
 * matching _clear() function; a struct filled by a select is zeroed first
 * (also when the answer is STORE_NO_ROW or an error), so calling _clear()
 * on it is always safe. Strings passed in are borrowed for the call.
 * Time values are Unix seconds (UTC) on the database's clock, rounded
 * down, except blocked_until, which is rounded up.
 *
 * Functions that change one row by key return STORE_ONE_ROW, or
 * STORE_NO_ROW when no row matched. A value the schema refuses (a CHECK
 * such as a name over 200 characters, invalid UTF-8, an unknown account
 * id) is STORE_HARD_ERROR, logged without the value. Like every store
 * function, these run on the calling worker's own struct store.
 */
#ifndef IDP_STORE_STORE_ACCOUNT_H
#define IDP_STORE_STORE_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "idp/store/store.h"

#define STORE_HASH_BYTES 32

/*
 * An account row. Optional strings are NULL when not set. audit_ref is
 * chosen by the caller at insert (16 random bytes as lower-case hex).
 */
struct store_account {
	int64_t id;
	char *audit_ref;	/* 32 hex */
	char *email;
	bool email_verified;
	char *pending_email;
	char *password_hash;	/* NULL: no password */
	char *given_name;
	char *family_name;
	char *birth_date;	/* "YYYY-MM-DD" or NULL */
	char *street;
	char *postal_code;
	char *city;
	char *name_source;	/* "self" or "eid" */
	char *birth_date_source;
	char *address_source;
	bool locked;		/* status = 'locked' */
	int64_t created_at;
};

void store_account_clear(struct store_account *a);

/*
 * Insert a new, unverified account. @a's id and created_at are ignored
 * and set on success; email_verified is ignored (the account starts
 * unverified); NULL sources mean "self"; @a->locked chooses the status;
 * optional fields may be NULL or "" for "not given". Returns STORE_ONE_ROW, STORE_NO_ROW when the e-mail
 * (case-insensitively) is taken, also by a concurrent insert (without an
 * error: the caller's transaction goes on), or an error.
 */
IDP_WUR int store_account_insert(struct store *s, struct store_account *a);

/*
 * Look up by e-mail (case-insensitive). On STORE_ONE_ROW @out is filled;
 * free it with store_account_clear().
 */
IDP_WUR int store_account_select_by_email(struct store *s, const char *email,
					  struct store_account *out);

/* Look up by id; as store_account_select_by_email(). */
IDP_WUR int store_account_select_by_id(struct store *s, int64_t id,
				       struct store_account *out);

/*
 * Mark the e-mail verified (idempotent: STORE_ONE_ROW also when it was;
 * the first verification time is kept). STORE_NO_ROW: no such account.
 */
IDP_WUR int store_account_verify_email(struct store *s, int64_t id);

/*
 * Update the self-declared profile of account @a->id: given_name,
 * family_name, birth_date, street, postal_code, city (NULL or "" clears an
 * optional field; the other fields of @a are not used). Fields whose
 * source is "eid" are left unchanged by the SQL itself: the names when
 * name_source is "eid", birth_date when birth_date_source is, the three
 * address fields when address_source is. STORE_NO_ROW: no such account.
 */
IDP_WUR int store_account_update_profile(struct store *s,
					 const struct store_account *a);

/* Set the password hash (NULL: no password). */
IDP_WUR int store_account_update_password(struct store *s, int64_t id,
					  const char *password_hash);

/* Set pending_email (NULL clears it). */
IDP_WUR int store_account_update_pending_email(struct store *s, int64_t id,
					       const char *pending_email);

/*
 * Make pending_email the e-mail if it still equals @email (the address
 * the link went to; compared exactly) and clear pending_email.
 * STORE_NO_ROW when it does not, or when the address has been taken by
 * another account meanwhile (unique violation is reported as
 * STORE_NO_ROW, not an error). Inside store_run_tx(), when the other
 * account took it in a transaction that committed only while this
 * statement waited, PostgreSQL has aborted the transaction: then the
 * answer is STORE_SOFT_ERROR, the runner runs the callback again, and the
 * retry gets STORE_NO_ROW.
 */
IDP_WUR int store_account_update_email(struct store *s, int64_t id,
				       const char *email);

/* Set status 'locked' (@locked) or 'active'. */
IDP_WUR int store_account_update_status(struct store *s, int64_t id,
					bool locked);

/* Delete the account and, by cascade, its tokens and sessions. */
IDP_WUR int store_account_delete(struct store *s, int64_t id);

/*
 * Delete unverified accounts created more than @max_age_s ago; *n is how
 * many. Returns STORE_ONE_ROW (also for n = 0) or an error.
 */
IDP_WUR int store_account_purge_unverified(struct store *s, int64_t max_age_s,
					   int64_t *n);

/* --- e-mail tokens --- */

enum store_token_purpose {
	STORE_TOKEN_VERIFY,
	STORE_TOKEN_RESET,
	STORE_TOKEN_EMAIL_CHANGE,
};

/*
 * Store a token hash for @account_id, sent to @email, valid for @ttl_s
 * seconds from now. STORE_ONE_ROW, or STORE_HARD_ERROR (also for a hash
 * that exists already or an unknown account).
 */
IDP_WUR int store_email_token_insert(struct store *s,
				     const uint8_t hash[STORE_HASH_BYTES],
				     int64_t account_id,
				     enum store_token_purpose purpose,
				     const char *email, int64_t ttl_s);

/*
 * Use a token: marks it used if it exists with this purpose, is unused and
 * unexpired, and returns its account and e-mail. STORE_NO_ROW otherwise
 * (the caller cannot and need not tell which). *email is malloc'ed.
 */
IDP_WUR int store_email_token_consume(struct store *s,
				      const uint8_t hash[STORE_HASH_BYTES],
				      enum store_token_purpose purpose,
				      int64_t *account_id, char **email);

/*
 * Invalidate every unused token of @purpose for an account. The rows are
 * expired rather than deleted, so that store_email_token_count() still
 * counts them. STORE_ONE_ROW, or STORE_NO_ROW when there was none.
 */
IDP_WUR int store_email_token_delete(struct store *s, int64_t account_id,
				     enum store_token_purpose purpose);

/*
 * How many tokens of @purpose were made for the account in the last
 * @window_s seconds (used and invalidated ones included), and the Unix
 * time of the newest (0 when none). STORE_ONE_ROW or an error.
 */
IDP_WUR int store_email_token_count(struct store *s, int64_t account_id,
				    enum store_token_purpose purpose,
				    int64_t window_s, int64_t *count,
				    int64_t *newest);

/*
 * Delete tokens that expired more than @max_age_s ago (used and
 * invalidated ones too: they hold an e-mail address); *n is how many.
 * Keep @max_age_s at least as long as the windows given to
 * store_email_token_count(). STORE_ONE_ROW (also for n = 0) or an error.
 */
IDP_WUR int store_email_token_purge(struct store *s, int64_t max_age_s,
				    int64_t *n);

/* --- sessions --- */

struct store_session {
	int64_t id;
	char *handle;		/* 32 hex, public */
	int64_t account_id;
	char *auth_method;	/* "password" or "eid" */
	char *loa;		/* "low", "substantial", "high" */
	int64_t created_at;
	int64_t last_seen_at;
	int64_t idle_expires_at;
	int64_t absolute_expires_at;
	char *client;
	char *user_agent;
	bool current;		/* iterate: the row has the caller's hash */
};

void store_session_clear(struct store_session *ss);

/*
 * Insert. The caller sets handle (16 random bytes as lower-case hex),
 * account_id, auth_method, loa, both expiries (Unix seconds), client and
 * user_agent (may be NULL; at most 64 and 256 characters, valid UTF-8);
 * an idle expiry past the absolute one is cut to it. On success @ss->id,
 * created_at, last_seen_at and idle_expires_at are set. STORE_ONE_ROW or
 * an error (also for a hash or handle that exists already).
 */
IDP_WUR int store_session_insert(struct store *s,
				 const uint8_t hash[STORE_HASH_BYTES],
				 struct store_session *ss);

/*
 * Find the live session (both expiries in the future, account active and
 * verified) with this cookie hash, and its account. On STORE_ONE_ROW both
 * are filled (@ss->current is true); free them with store_session_clear()
 * and store_account_clear(). STORE_NO_ROW otherwise.
 */
IDP_WUR int store_session_select(struct store *s,
				 const uint8_t hash[STORE_HASH_BYTES],
				 struct store_session *ss,
				 struct store_account *a);

/*
 * Record activity: last_seen_at = now, idle_expires_at = now + @idle_s
 * (never past absolute_expires_at). Only a live session is touched: one
 * whose idle expiry has passed is not revived (STORE_NO_ROW).
 */
IDP_WUR int store_session_touch(struct store *s, int64_t session_id,
				int64_t idle_s);

/* End one session by cookie hash (logout). STORE_NO_ROW: none. */
IDP_WUR int store_session_delete(struct store *s,
				 const uint8_t hash[STORE_HASH_BYTES]);

/*
 * End one session of an account by its public handle. STORE_NO_ROW when
 * the account has no session with this handle (another account's
 * handle included).
 */
IDP_WUR int store_session_delete_handle(struct store *s, int64_t account_id,
					const char *handle);

/*
 * End every session of the account except the one with @keep_hash (NULL:
 * all). *n is how many ended. STORE_ONE_ROW (also for n = 0) or an error.
 */
IDP_WUR int store_session_delete_account(struct store *s, int64_t account_id,
					 const uint8_t *keep_hash, int64_t *n);

/*
 * Delete sessions past either expiry; *n is how many. STORE_ONE_ROW
 * (also for n = 0) or an error.
 */
IDP_WUR int store_session_purge(struct store *s, int64_t *n);

/*
 * Call @cb for each live session of the account, newest first; @current
 * marks the one with @current_hash (may be NULL). The struct passed to
 * @cb is borrowed for the call. Returns the row count (>= 0) or an error;
 * after an error @cb may have seen some of the rows.
 */
typedef void (*store_session_cb)(const struct store_session *ss, void *cls);
IDP_WUR int store_session_iterate(struct store *s, int64_t account_id,
				  const uint8_t *current_hash,
				  store_session_cb cb, void *cls);

/* --- login throttling --- */

/*
 * State of one throttle key ("email:<hex>" or "ip:<addr>", at most 128
 * characters). Counters whose last failure is older than @reset_after_s
 * are reported as zero (failures and blocked_until both 0).
 * STORE_NO_ROW when the key has no counter (both 0 as well).
 */
IDP_WUR int store_throttle_select(struct store *s, const char *key,
				  int64_t reset_after_s, int64_t *failures,
				  int64_t *blocked_until);

/*
 * Count one failure for @key (starting over when the last one is older
 * than @reset_after_s) and set blocked_until = now + delay, where delay is
 * computed in SQL as: 0 while failures < @free_failures, else
 * min(2^(failures - @free_failures), @max_delay_s) seconds. Returns the
 * new failure count and blocked_until. One statement: failures counted
 * at the same moment on several nodes are all counted. STORE_ONE_ROW or
 * an error.
 */
IDP_WUR int store_throttle_fail(struct store *s, const char *key,
				int64_t reset_after_s, int64_t free_failures,
				int64_t max_delay_s, int64_t *failures,
				int64_t *blocked_until);

/*
 * Forget the counter of @key (after a successful login). STORE_NO_ROW
 * when there was none.
 */
IDP_WUR int store_throttle_reset(struct store *s, const char *key);

/*
 * Delete counters whose last failure is older than @max_age_s and whose
 * block has ended (a running block is never lifted); *n is how many.
 * STORE_ONE_ROW (also for n = 0) or an error.
 */
IDP_WUR int store_throttle_purge(struct store *s, int64_t max_age_s,
				 int64_t *n);

/*
 * The database's clock, Unix seconds (one clock for all nodes). Inside a
 * transaction: the time the transaction started. STORE_ONE_ROW or an
 * error.
 */
IDP_WUR int store_now(struct store *s, int64_t *now);

#endif
