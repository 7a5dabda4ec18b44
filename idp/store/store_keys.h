/*
 * Store statements of the keys of every purpose (table signing_keys,
 * sql/005_keys.sql and sql/011_key_purpose.sql). Purposes are passed and
 * returned as the database spells them ("saml", "eid-signing",
 * "eid-encryption"; keys_purpose_name()). Policy -- which transitions are
 * allowed, the rollover window, sealing -- lives in keys/; these functions only
 * move rows, and never see a private key in clear (only the sealed bytes).
 *
 * Same return values and thread-safety as idp/store/store.h: one struct
 * store per thread. Failures are logged with the statement name, never
 * with parameters.
 */
#ifndef IDP_STORE_STORE_KEYS_H
#define IDP_STORE_STORE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "idp/common/err.h"
#include "idp/store/store.h"

/* The notification channel every key change is announced on. */
#define STORE_KEYS_CHANNEL "keys_changed"

/*
 * One row of signing_keys as read back. Strings and bytes are borrowed
 * from the result and valid only during the callback that receives the
 * row. Times are Unix seconds; 0 stands for SQL NULL.
 */
struct store_key {
	int64_t id;
	const char *purpose; /* "saml", "eid-signing" or "eid-encryption" */
	const char *state;   /* "next", "active", "previous" or "retired" */
	int bits;
	const char *fingerprint; /* "AB:CD:..." (sql/005_keys.sql) */
	/* PEM; NULL from store_keys_iterate(), which does not read it. */
	const char *certificate;
	/*
	 * The sealed private key (nonce and ciphertext); NULL (and 0) for a
	 * retired key and from store_keys_iterate().
	 */
	const uint8_t *sealed;
	size_t sealed_len;
	int64_t not_before;
	int64_t not_after;
	int64_t created_at;
	int64_t published_at;
	int64_t activated_at;	/* 0 until active */
	int64_t deactivated_at; /* 0 until previous */
	int64_t retired_at;	/* 0 until retired */
	/*
	 * Seconds since published_at by the database's clock (at the start
	 * of the transaction), so that every node measures the rollover
	 * window with the same clock.
	 */
	int64_t published_for;
};

/* Called once per row; @k is borrowed for the call. */
typedef void (*store_key_cb)(const struct store_key *k, void *cls);

/*
 * Insert a new key of @purpose in state next, published now, unless a
 * next key of @purpose exists. @fingerprint, @certificate (PEM) and @sealed
 * (@sealed_len bytes) are checked by the caller; the table's CHECKs refuse what
 * slips through (STORE_HARD_ERROR). @not_before and @not_after are Unix
 * seconds. *@id receives the new key's id, *@published_at the time it
 * was published (the transaction's start, Unix seconds).
 *
 * Returns STORE_ONE_ROW; STORE_NO_ROW when a next key of @purpose
 * exists; inside a transaction STORE_SOFT_ERROR when another transaction
 * inserted a next key of @purpose at the same moment (the runner
 * retries, and then sees it); or an error.
 */
IDP_WUR int store_keys_insert(struct store *s, const char *purpose, int bits,
			      const char *fingerprint, const char *certificate,
			      const uint8_t *sealed, size_t sealed_len,
			      int64_t not_before, int64_t not_after,
			      int64_t *id, int64_t *published_at);

/*
 * Call @cb with key @id, locked FOR UPDATE until the caller's
 * transaction ends (outside one the lock ends with the statement).
 * Returns STORE_ONE_ROW, STORE_NO_ROW or an error.
 */
IDP_WUR int store_keys_select(struct store *s, int64_t id, store_key_cb cb,
			      void *cls);

/*
 * Call @cb with the next key of @purpose, locked FOR UPDATE as above.
 * Returns STORE_ONE_ROW, STORE_NO_ROW (there is none) or an error.
 */
IDP_WUR int store_keys_next_select(struct store *s, const char *purpose,
				   store_key_cb cb, void *cls);

/*
 * Make the active key of @purpose previous (deactivated now); keys of
 * other purposes stay as they are. *@id receives its id, 0 when there
 * was none. Returns STORE_ONE_ROW, STORE_NO_ROW or an error.
 */
IDP_WUR int store_keys_update_previous(struct store *s, const char *purpose,
				       int64_t *id);

/*
 * Make key @id active (activated now) if it is a next key; call
 * store_keys_update_previous() with its purpose first, since only one
 * key per purpose may be active.
 * Returns STORE_ONE_ROW, STORE_NO_ROW (no such next key) or an error.
 */
IDP_WUR int store_keys_update_active(struct store *s, int64_t id);

/*
 * Retire key @id (retired now) unless it is retired already, and delete
 * its sealed private key; which states may be retired is the caller's
 * policy. Returns STORE_ONE_ROW, STORE_NO_ROW (no such key, or retired)
 * or an error.
 */
IDP_WUR int store_keys_update_retired(struct store *s, int64_t id);

/*
 * Call @cb for every key, retired ones too, by id, without certificate
 * and sealed key. Returns the number of rows (STORE_NO_ROW when none) or
 * an error (then @cb was not called).
 */
IDP_WUR int store_keys_iterate(struct store *s, store_key_cb cb, void *cls);

/*
 * Call @cb for every key that is next, active or previous, of every
 * purpose, by id, with certificate and sealed key: what a node loads
 * (it keeps the rows of the purpose it wants). Returns the number of
 * rows (STORE_NO_ROW when none) or an error (then @cb was not called).
 */
IDP_WUR int store_keys_live_iterate(struct store *s, store_key_cb cb,
				    void *cls);

/*
 * NOTIFY STORE_KEYS_CHANNEL. Inside the caller's transaction: delivered
 * at COMMIT, dropped on ROLLBACK. Returns STORE_ONE_ROW or an error.
 */
IDP_WUR int store_keys_notify(struct store *s);

#endif
