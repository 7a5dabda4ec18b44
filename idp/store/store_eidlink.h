/*
 * Store statements of the eID link domain (sql/013_eid_accounts.sql): the
 * card linked to an account (eid_links), the account fields an eID sets
 * (with their source), the short-lived hold of a verified identity that
 * waits for a login or a registration (eid_held_identities), and the
 * level of a session raised by an eID step-up. Each function is one
 * prepared statement in idp/store/eidlink/pg_<what>.c and returns a
 * STORE_* value (see store.h).
 *
 * Hashes are 32-byte values: the pseudonym hash is the keyed BLAKE2b of
 * the card's pseudonym (eid_pseudonym_hash()), the handle hash the
 * BLAKE2b of the 256-bit hold handle in the browser's cookie; neither the
 * pseudonym nor the handle reaches the store.
 *
 * Strings returned in structs are owned by the struct and freed with its
 * _clear() function; a struct filled by a select is zeroed first, so
 * _clear() is always safe. Strings passed in are borrowed for the call.
 * Like every store function, these run on the calling worker's own
 * struct store.
 */
#ifndef IDP_STORE_STORE_EIDLINK_H
#define IDP_STORE_STORE_EIDLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "idp/store/store.h"
#include "idp/store/store_account.h"

/*
 * What a card says about its holder, as the flows store it. Optional
 * strings are NULL (or "" on input) when the card does not give them;
 * birth_date is "YYYY-MM-DD".
 */
struct store_eid_person {
	char *family_name;
	char *given_names;
	char *birth_date;
	char *place_of_birth;
	char *street;
	char *postal_code;
	char *city;
	char *document_type;
};

void store_eid_person_clear(struct store_eid_person *p);

/* The eID state of one account. */
struct store_eidlink {
	bool linked;
	uint8_t pseudonym_hash[STORE_HASH_BYTES]; /* when linked */
	char *document_type;			  /* when linked, or NULL */
	int64_t linked_at;			  /* Unix seconds */
	int64_t replaced_at;			  /* 0: never */
	char *place_of_birth;			  /* accounts.place_of_birth */
	char *place_of_birth_source;		  /* "self" or "eid" */
};

void store_eidlink_clear(struct store_eidlink *l);

/*
 * The link (if any) and place of birth of account @account_id.
 * STORE_ONE_ROW with @out filled, STORE_NO_ROW when there is no such
 * account.
 */
IDP_WUR int store_eidlink_select(struct store *s, int64_t account_id,
				 struct store_eidlink *out);

/*
 * The account the card with @pseudonym_hash is linked to: STORE_ONE_ROW
 * with *account_id, or STORE_NO_ROW.
 */
IDP_WUR int store_eidlink_select_by_pseudonym(
	struct store *s, const uint8_t pseudonym_hash[STORE_HASH_BYTES],
	int64_t *account_id);

/*
 * Link the card to account @account_id, which has no card yet.
 * STORE_ONE_ROW, or STORE_NO_ROW when the account already has a card or
 * the card is linked to an account (also when a concurrent transaction
 * linked it: ON CONFLICT DO NOTHING, no error).
 */
IDP_WUR int store_eidlink_insert(struct store *s, int64_t account_id,
				 const uint8_t pseudonym_hash[STORE_HASH_BYTES],
				 const char *document_type);

/*
 * Replace the card of account @account_id by a new one (a renewed
 * identity card): new pseudonym hash and document type, linked_at and
 * replaced_at now, replacements + 1. STORE_ONE_ROW; STORE_NO_ROW when
 * the account has no card or the new card is linked elsewhere (inside a
 * transaction a concurrent link of the same card gives
 * STORE_SOFT_ERROR, and the retry STORE_NO_ROW).
 */
IDP_WUR int
store_eidlink_replace(struct store *s, int64_t account_id,
		      const uint8_t pseudonym_hash[STORE_HASH_BYTES],
		      const char *document_type);

/* Remove the card of the account. STORE_NO_ROW: it had none. */
IDP_WUR int store_eidlink_delete(struct store *s, int64_t account_id);

/*
 * Set the account's names, date of birth, place of birth and address
 * from the card, each group with source 'eid'. Names are always set; a
 * group the card does not give (birth date, place of birth, the address:
 * no city) keeps its value and its source. STORE_NO_ROW: no account.
 */
IDP_WUR int store_eidlink_account_update(struct store *s, int64_t account_id,
					 const struct store_eid_person *p);

/*
 * Every source of the account back to 'self' (the values stay), after
 * the card was unlinked. STORE_NO_ROW: no account.
 */
IDP_WUR int store_eidlink_account_unsource(struct store *s, int64_t account_id);

/* A held identity (eid_held_identities). */
struct store_eid_hold {
	uint8_t pseudonym_hash[STORE_HASH_BYTES];
	struct store_eid_person person;
	char *pending; /* a portal's pending id, or NULL */
};

void store_eid_hold_clear(struct store_eid_hold *h);

/*
 * Hold @h under @handle_hash for @ttl_s seconds. STORE_ONE_ROW or an
 * error (also for a handle hash that exists).
 */
IDP_WUR int
store_eidlink_hold_insert(struct store *s,
			  const uint8_t handle_hash[STORE_HASH_BYTES],
			  const struct store_eid_hold *h, int64_t ttl_s);

/*
 * The unexpired hold with @handle_hash: STORE_ONE_ROW with @out filled
 * (store_eid_hold_clear()), or STORE_NO_ROW.
 */
IDP_WUR int
store_eidlink_hold_select(struct store *s,
			  const uint8_t handle_hash[STORE_HASH_BYTES],
			  struct store_eid_hold *out);

/*
 * Use up the hold: delete it and return it if it had not expired, in one
 * statement, so two requests cannot both use it. STORE_ONE_ROW with @out
 * filled, or STORE_NO_ROW.
 */
IDP_WUR int store_eidlink_hold_take(struct store *s,
				    const uint8_t handle_hash[STORE_HASH_BYTES],
				    struct store_eid_hold *out);

/*
 * Delete expired holds; *n is how many. STORE_ONE_ROW (also for n = 0)
 * or an error.
 */
IDP_WUR int store_eidlink_hold_purge(struct store *s, int64_t *n);

/*
 * Raise session @session_id to @auth_method and @loa (an eID step-up or
 * a link that read the card). Only a live session is changed.
 * STORE_ONE_ROW, or STORE_NO_ROW when it is gone.
 */
IDP_WUR int store_eidlink_session_raise(struct store *s, int64_t session_id,
					const char *auth_method,
					const char *loa);

#endif
