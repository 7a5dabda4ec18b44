/*
 * Store statements of the relying-party registry (table relying_parties,
 * sql/006_relying_parties.sql). The policy -- what valid metadata is,
 * which attributes and NameID formats exist, when a change is allowed --
 * lives in idp/saml (saml_sp.h); these functions only move rows. Every
 * statement that changes what an IdP node serves also sends
 * NOTIFY STORE_SP_CHANNEL in the same statement, so that the notification
 * is delivered exactly when the caller's transaction commits.
 *
 * Strings returned in struct store_sp are owned by it and freed with
 * store_sp_clear(); a struct filled by a select is zeroed first (also on
 * STORE_NO_ROW or an error), so store_sp_clear() is always safe. Strings
 * passed in are borrowed for the call. Times are Unix seconds (UTC) on
 * the database's clock, rounded down; 0 means NULL. Return values as in
 * store.h; like every store function these run on the calling thread's
 * own struct store.
 */
#ifndef IDP_STORE_STORE_SP_H
#define IDP_STORE_STORE_SP_H

#include <stdbool.h>
#include <stdint.h>

#include "idp/store/store.h"

/*
 * The notification channel of registry changes; the payload is the
 * entity ID of the relying party that changed.
 */
#define STORE_SP_CHANNEL "relying_parties_changed"

/* One row of relying_parties. */
struct store_sp {
	int64_t id;
	char *entity_id;
	char *metadata;		   /* the XML document */
	char *metadata_url;	   /* NULL: imported from a file */
	int64_t fetched_at;	   /* 0: never fetched */
	int64_t refresh_failed_at; /* 0: the last refresh did not fail */
	char *refresh_error; /* NULL exactly when refresh_failed_at is 0 */
	bool enabled;
	/*
	 * Attribute names joined by ',' in the stored order ("" for none);
	 * the caller validates them, the table's CHECK refuses the rest.
	 */
	char *release_attributes;
	char *attribute_profile; /* "eidas" or "oid" */
	char *nameid_format;	 /* "persistent" or "transient" */
	bool require_signed_requests;
	bool encrypt_assertions;
	int64_t revision;
	int64_t created_at;
	int64_t updated_at;
};

/* Free the strings of @sp and zero it. NULL is fine. */
void store_sp_clear(struct store_sp *sp);

/*
 * Insert @sp (entity_id, metadata, metadata_url, enabled, the policy
 * columns; fetched_at is set to now when metadata_url is not NULL, the
 * rest take their defaults) and NOTIFY. On STORE_ONE_ROW @sp's id,
 * revision, fetched_at, created_at and updated_at are set. Returns
 * STORE_NO_ROW when the entity ID is registered already, also by a
 * concurrent insert (without an error: the caller's transaction goes on).
 */
IDP_WUR int store_sp_insert(struct store *s, struct store_sp *sp);

/*
 * Look up by entity ID (exact, byte for byte). On STORE_ONE_ROW @out is
 * filled; free it with store_sp_clear().
 */
IDP_WUR int store_sp_select(struct store *s, const char *entity_id,
			    struct store_sp *out);

/* Called once per row; @sp and its strings are borrowed for the call. */
typedef void (*store_sp_cb)(const struct store_sp *sp, void *cls);

/*
 * Call @cb for every relying party, ordered by entity ID. Returns the
 * number of rows (STORE_NO_ROW when none) or an error.
 */
IDP_WUR int store_sp_iterate(struct store *s, store_sp_cb cb, void *cls);

/* Where store_sp_update() takes the metadata from. */
enum store_sp_source {
	/* Metadata, its URL, fetched_at and the refresh error stay. */
	STORE_SP_SOURCE_KEEP,
	/*
	 * New metadata from a file: metadata_url, fetched_at and the
	 * refresh error become NULL.
	 */
	STORE_SP_SOURCE_FILE,
	/*
	 * New metadata fetched from @sp->metadata_url: fetched_at becomes
	 * now, the refresh error NULL.
	 */
	STORE_SP_SOURCE_FETCHED,
};

/*
 * Write @sp's enabled and policy columns and, as @source says, its
 * metadata, to the row with @sp->id if its revision is still
 * @sp->revision; then revision + 1, updated_at now, and NOTIFY. On
 * STORE_ONE_ROW @sp->revision and @sp->updated_at are the new values.
 * Returns STORE_NO_ROW when the row is gone or another change came
 * first (inside store_run_tx(), return STORE_SOFT_ERROR to read again).
 */
IDP_WUR int store_sp_update(struct store *s, struct store_sp *sp,
			    enum store_sp_source source);

/*
 * Record the outcome of a refresh that changed nothing the IdP serves,
 * without NOTIFY and without a new revision, on the row @id if its
 * metadata_url is still @url (the one fetched): with @error NULL, the
 * metadata there was valid and equal to the stored copy (fetched_at
 * becomes now, the refresh error NULL); otherwise the refresh failed and
 * the stored copy stays (refresh_failed_at now, refresh_error @error,
 * its first line cut to 512 bytes, bytes other than printable ASCII
 * replaced by '?'). Returns STORE_ONE_ROW, STORE_NO_ROW (no such row, or
 * its URL changed meanwhile) or an error.
 */
IDP_WUR int store_sp_fetch_update(struct store *s, int64_t id, const char *url,
				  const char *error);

/*
 * Claim the periodic refresh of one relying party that has a
 * metadata_url and was not claimed in the last @interval_s seconds
 * (database clock; never claimed ones and the oldest claims first): its
 * refresh_claimed_at becomes now, committed at once (call it outside a
 * transaction), so no other node claims it again within @interval_s.
 * Concurrent callers never get the same row. On STORE_ONE_ROW
 * *@entity_id is its entity ID (freed with free()); STORE_NO_ROW when
 * none is due; *@entity_id is NULL otherwise.
 */
IDP_WUR int store_sp_refresh_claim(struct store *s, unsigned interval_s,
				   char **entity_id);

/*
 * Delete the row with @id and NOTIFY. Returns STORE_ONE_ROW, STORE_NO_ROW
 * when it is gone already, or an error.
 */
IDP_WUR int store_sp_delete(struct store *s, int64_t id);

#endif
