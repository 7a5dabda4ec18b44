/*
 * Store statements of the eID service-provider side (sql/012_eid.sql):
 * the configured eID service, the AuthnRequests we sent it, the replay
 * cache of response and assertion IDs, and the generation value that
 * tells a worker its eID lasso server is out of date. The policy lives in
 * idp/eid; these functions only move rows.
 *
 * Strings returned in structs are owned by them and freed with the
 * matching _clear(); a struct filled by a select is zeroed first (also on
 * STORE_NO_ROW or an error), so _clear() is always safe. Strings passed
 * in are borrowed for the call. Hashes are 32-byte BLAKE2b-256 values.
 * Return values as in store.h; like every store function these run on
 * the calling thread's own struct store.
 */
#ifndef IDP_STORE_STORE_EID_H
#define IDP_STORE_STORE_EID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/store/store.h"

#define STORE_EID_HASH_BYTES 32

/* The channel idpctl eid configure/remove notifies. */
#define STORE_EID_CHANNEL "eid_changed"

/* The generation value: an md5 in hex. */
#define STORE_EID_GENERATION_LEN 32

/* Most bytes of a sealed pending id (nonce, secretbox, 64-byte id). */
#define STORE_EID_SEALED_MAX 128

/* The kinds of attribute names of the eID service row, in column order. */
enum store_eid_attr {
	STORE_EID_ATTR_PSEUDONYM,
	STORE_EID_ATTR_FAMILY_NAME,
	STORE_EID_ATTR_GIVEN_NAMES,
	STORE_EID_ATTR_BIRTH_DATE,
	STORE_EID_ATTR_PLACE_OF_BIRTH,
	STORE_EID_ATTR_ADDRESS,
	STORE_EID_ATTR_DOCUMENT_TYPE,
};
#define STORE_EID_ATTR_COUNT 7

/* The row of eid_service. */
struct store_eid_service {
	char *entity_id;
	char *metadata_xml;
	char *metadata_url; /* NULL: read from a file */
	/*
	 * Attribute names by enum store_eid_attr. On upsert a NULL name
	 * keeps the stored one (or the column default for a new row).
	 */
	char *attr[STORE_EID_ATTR_COUNT];
	int64_t updated_at; /* Unix seconds */
};

/* Free the strings of @svc and zero it. NULL is fine. */
void store_eid_service_clear(struct store_eid_service *svc);

/* The configured eID service into @out. STORE_ONE_ROW or STORE_NO_ROW. */
IDP_WUR int store_eid_service_select(struct store *s,
				     struct store_eid_service *out);

/*
 * Write @svc as the one eID service row (insert or replace), bump
 * updated_at and NOTIFY STORE_EID_CHANNEL in the same statement. On
 * STORE_ONE_ROW @svc->updated_at is the new value.
 */
IDP_WUR int store_eid_service_upsert(struct store *s,
				     struct store_eid_service *svc);

/*
 * Delete the eID service row and NOTIFY. STORE_ONE_ROW, or STORE_NO_ROW
 * when none was configured.
 */
IDP_WUR int store_eid_service_delete(struct store *s);

/* One row of eid_requests (without its id hash). */
struct store_eid_request {
	const char *purpose; /* "link", "login", "step_up" */
	int64_t session_id;  /* 0: none (login) */
	bool has_pending;
	uint8_t pending_sealed[STORE_EID_SEALED_MAX];
	size_t pending_sealed_len;
	uint8_t binding_hash[STORE_EID_HASH_BYTES];
};

/*
 * Insert @r under @id_hash, valid for @ttl_s seconds. STORE_ONE_ROW or
 * an error (also for an id hash that exists already).
 */
IDP_WUR int
store_eid_request_insert(struct store *s,
			 const uint8_t id_hash[STORE_EID_HASH_BYTES],
			 const struct store_eid_request *r, int64_t ttl_s);

/*
 * Use up the unexpired request with @id_hash: one DELETE ... RETURNING,
 * so of two responses answering it only one gets STORE_ONE_ROW (with
 * @out filled; its purpose points to a static string) and the other
 * STORE_NO_ROW.
 */
IDP_WUR int store_eid_request_take(struct store *s,
				   const uint8_t id_hash[STORE_EID_HASH_BYTES],
				   struct store_eid_request *out);

/*
 * Remember @id of @kind ("response" or "assertion") for @ttl_s seconds.
 * STORE_ONE_ROW when new (or its earlier entry had expired), STORE_NO_ROW
 * when known: a replay. One atomic statement.
 */
IDP_WUR int store_eid_replay_insert(struct store *s, const char *kind,
				    const char *id, int64_t ttl_s);

/*
 * Delete expired requests and replay entries; *@n rows went.
 * STORE_ONE_ROW (also for 0) or an error.
 */
IDP_WUR int store_eid_purge(struct store *s, int64_t *n);

/*
 * A value that changes whenever anything the eID lasso server is built
 * from changes: the eid_service row (its updated_at) or an eid-signing or
 * eid-encryption key (added or changing state). Written into @gen with
 * the database's clock in *@now (Unix seconds). STORE_ONE_ROW or an
 * error.
 */
IDP_WUR int store_eid_generation_select(struct store *s,
					char gen[STORE_EID_GENERATION_LEN + 1],
					int64_t *now);

#endif
