/*
 * Store statements of SAML Web SSO (sql/007_saml.sql): pending
 * AuthnRequests, the replay cache of request IDs, persistent pairwise
 * NameIDs, session participants, and the generation value that tells a
 * worker its lasso server is out of date. The policy -- what a valid
 * request is, when a pseudonym may be made -- lives in idp/saml; these
 * functions only move rows.
 *
 * Strings returned in structs are owned by them and freed with the
 * matching _clear(); a struct filled by a select is zeroed first (also on
 * STORE_NO_ROW or an error), so _clear() is always safe. Strings passed
 * in are borrowed for the call. Hashes are 32-byte BLAKE2b-256 values;
 * the pending ids themselves never reach the store. Return values as in
 * store.h; like every store function these run on the calling thread's
 * own struct store.
 */
#ifndef IDP_STORE_STORE_SAML_H
#define IDP_STORE_STORE_SAML_H

#include <stdbool.h>
#include <stdint.h>

#include "idp/store/store.h"

#define STORE_SAML_HASH_BYTES 32

/* A persistent or transient NameID, or a SessionIndex without its "_". */
#define STORE_SAML_NAMEID_LEN 43

/* The generation value: an md5 in hex. */
#define STORE_SAML_GENERATION_LEN 32

/* One row of saml_pending_requests (without the hash). */
struct store_saml_pending {
	char *sp_entity_id;
	char *request_id; /* NULL: IdP-initiated, unsolicited */
	char *acs_url;
	char *relay_state; /* NULL when none */
	bool force_authn;
	bool is_passive;
	char *nameid_format; /* "persistent" or "transient" */
	bool allow_create;
	char *authn_comparison; /* "none", "exact", "minimum", ... */
	char *authn_class_refs; /* one per line; "" when none */
	int64_t created_at;	/* Unix seconds */
	int64_t expires_at;
	/*
	 * The hash of the browser-binding secret (sql/009): insert writes
	 * it when @has_binding, else NULL; select sets @has_binding when the
	 * row has one. Compare it only with crypt_equal().
	 */
	bool has_binding;
	uint8_t binding_hash[STORE_SAML_HASH_BYTES];
};

/* Free the strings of @p and zero it. NULL is fine. */
void store_saml_pending_clear(struct store_saml_pending *p);

/*
 * Insert @p under @hash, valid for @ttl_s seconds from now (created_at
 * and expires_at of @p are ignored). STORE_ONE_ROW or an error (also
 * for a hash that exists already).
 */
IDP_WUR int store_saml_pending_insert(struct store *s,
				      const uint8_t hash[STORE_SAML_HASH_BYTES],
				      const struct store_saml_pending *p,
				      int64_t ttl_s);

/*
 * Look up the unexpired pending request with @hash without using it up.
 * On STORE_ONE_ROW @out is filled (store_saml_pending_clear()).
 */
IDP_WUR int store_saml_pending_select(struct store *s,
				      const uint8_t hash[STORE_SAML_HASH_BYTES],
				      struct store_saml_pending *out);

/*
 * Use up the unexpired pending request with @hash: one DELETE, so of two
 * requests with the same id only one gets STORE_ONE_ROW; the other gets
 * STORE_NO_ROW.
 */
IDP_WUR int
store_saml_pending_delete(struct store *s,
			  const uint8_t hash[STORE_SAML_HASH_BYTES]);

/*
 * Remember request @request_id of @issuer for @ttl_s seconds. Returns
 * STORE_ONE_ROW when it was new (or its earlier entry had expired), and
 * STORE_NO_ROW when it is known: a replay. One statement, so of two
 * concurrent requests with one ID exactly one is new.
 */
IDP_WUR int store_saml_replay_insert(struct store *s, const char *issuer,
				     const char *request_id, int64_t ttl_s);

/*
 * Delete expired pending requests and replay cache entries; *n is how
 * many rows went. STORE_ONE_ROW (also for 0) or an error.
 */
IDP_WUR int store_saml_purge(struct store *s, int64_t *n);

/*
 * The persistent NameID of @account_id at @sp_entity_id into @nameid
 * (STORE_SAML_NAMEID_LEN characters and a NUL). STORE_ONE_ROW or
 * STORE_NO_ROW (@nameid "").
 */
IDP_WUR int store_saml_pairwise_select(struct store *s, int64_t account_id,
				       const char *sp_entity_id,
				       char nameid[STORE_SAML_NAMEID_LEN + 1]);

/*
 * Record @nameid as the persistent NameID of @account_id at
 * @sp_entity_id unless the account has one there already. STORE_ONE_ROW
 * when inserted; STORE_NO_ROW when one existed, also one inserted by a
 * concurrent transaction that committed meanwhile (select it then).
 */
IDP_WUR int store_saml_pairwise_insert(struct store *s, int64_t account_id,
				       const char *sp_entity_id,
				       const char *nameid);

/*
 * Call @cb for each persistent NameID of @account_id (the portal, the
 * NameID, when it was made), oldest first. Returns the row count or an
 * error.
 */
typedef void (*store_saml_pairwise_cb)(const char *sp_entity_id,
				       const char *nameid, int64_t created_at,
				       void *cls);
IDP_WUR int store_saml_pairwise_iterate(struct store *s, int64_t account_id,
					store_saml_pairwise_cb cb, void *cls);

/* One assertion issued, for single logout. */
struct store_saml_participant {
	int64_t session_id;
	const char *sp_entity_id;
	const char *nameid;
	const char *nameid_format; /* "persistent" or "transient" */
	const char *session_index; /* "_" + 43 base64url characters */
};

/* Record @p. STORE_ONE_ROW or an error (also for an unknown session). */
IDP_WUR int
store_saml_participant_insert(struct store *s,
			      const struct store_saml_participant *p);

/*
 * A value that changes whenever anything a node's lasso server is built
 * from changes: a relying party added, removed, changed, enabled or
 * disabled, or a signing key added or changing state. Cheap (both tables
 * are small). Written into @gen (STORE_SAML_GENERATION_LEN hex digits and
 * a NUL), with the database's clock in *@now (Unix seconds), so that one
 * round trip serves both. STORE_ONE_ROW or an error.
 */
IDP_WUR int store_saml_generation_select(
	struct store *s, char gen[STORE_SAML_GENERATION_LEN + 1], int64_t *now);

#endif
