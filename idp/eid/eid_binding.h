/*
 * The browser binding of an eID round trip (EID_BIND_COOKIE): a 256-bit
 * token in a cookie, stored as its hash with the request; the portal's
 * pending id is sealed under a key derived from it, so the database alone
 * does not give it away. Internal to idp/eid.
 */
#ifndef IDP_EID_EID_BINDING_H
#define IDP_EID_EID_BINDING_H

#include <stddef.h>
#include <stdint.h>

#include "idp/common/err.h"
#include "idp/crypto/crypt.h"
#include "idp/store/store_eid.h"

/* Parse the cookie value (NULL or malformed: IDP_ERR_INVALID). */
IDP_WUR int eid_binding_parse(const char *cookie,
			      uint8_t token[CRYPT_TOKEN_BYTES]);

/* The stored form: BLAKE2b-256 of the token. */
void eid_binding_hash(const uint8_t token[CRYPT_TOKEN_BYTES],
		      uint8_t hash[STORE_EID_HASH_BYTES]);

/*
 * Seal @pending (a pending id, CRYPT_TOKEN_TEXT_LEN characters) under the
 * key derived from @token into @out (STORE_EID_SEALED_MAX bytes), *@len.
 * Returns 0 or IDP_ERR_INTERNAL.
 */
IDP_WUR int eid_binding_seal(const uint8_t token[CRYPT_TOKEN_BYTES],
			     const char *pending,
			     uint8_t out[STORE_EID_SEALED_MAX], size_t *len);

/*
 * Open what eid_binding_seal() made into @pending (@max bytes with the
 * NUL). Returns 0 or IDP_ERR_INVALID (another browser's token, or
 * tampered bytes).
 */
IDP_WUR int eid_binding_open(const uint8_t token[CRYPT_TOKEN_BYTES],
			     const uint8_t *sealed, size_t len, char *pending,
			     size_t max);

#endif
