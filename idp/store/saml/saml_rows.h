/*
 * Inside the SAML domain of the store: helpers its statement files share.
 * Only the files in idp/store/saml/ include this header.
 */
#ifndef IDP_STORE_SAML_SAML_ROWS_H
#define IDP_STORE_SAML_SAML_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "idp/store/store_internal.h"
#include "idp/store/store_saml.h"

/* A hash as a hex text parameter, for decode($n, 'hex'): 64 digits + NUL. */
#define STORE_SAML_HASH_HEX_BYTES (2 * STORE_SAML_HASH_BYTES + 1)

/*
 * Hex-encode @hash into @hex without branches or table lookups on the
 * data. The caller zeroes @hex after the statement (explicit_bzero()):
 * it finds the pending request as well as the hash does. Returns @hex.
 */
const char *store_saml_hash_hex(const uint8_t hash[STORE_SAML_HASH_BYTES],
				char hex[STORE_SAML_HASH_HEX_BYTES]);

#endif
