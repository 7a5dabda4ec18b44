/*
 * The browser binding: cookie token, its stored hash, and the pending id
 * sealed under a key only the browser's cookie gives.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/eid/eid_binding.h"
#include "keys/keys.h"

/* Domain separation of the derived sealing key. */
#define SEAL_CONTEXT "servicekonto eid pending v1"

int
eid_binding_parse(const char *cookie, uint8_t token[CRYPT_TOKEN_BYTES])
{
	if (cookie == NULL)
		return IDP_ERR_INVALID;
	return crypt_token_parse(cookie, token) == 0 ? 0 : IDP_ERR_INVALID;
}

void
eid_binding_hash(const uint8_t token[CRYPT_TOKEN_BYTES],
		 uint8_t hash[STORE_EID_HASH_BYTES])
{
	crypt_token_hash(token, hash);
}

int
eid_binding_seal(const uint8_t token[CRYPT_TOKEN_BYTES], const char *pending,
		 uint8_t out[STORE_EID_SEALED_MAX], size_t *len)
{
	uint8_t k[CRYPT_KEYED_HASH_BYTES];
	uint8_t *sealed = NULL;
	size_t n = 0;
	int rc;

	*len = 0;
	crypt_keyed_hash(token, SEAL_CONTEXT, strlen(SEAL_CONTEXT), k);
	rc = keys_seal(k, pending, strlen(pending), &sealed, &n);
	crypt_wipe(k, sizeof(k));
	if (rc != 0 || n > STORE_EID_SEALED_MAX) {
		free(sealed);
		return IDP_ERR_INTERNAL;
	}
	memcpy(out, sealed, n);
	*len = n;
	free(sealed);
	return 0;
}

int
eid_binding_open(const uint8_t token[CRYPT_TOKEN_BYTES], const uint8_t *sealed,
		 size_t len, char *pending, size_t max)
{
	uint8_t k[CRYPT_KEYED_HASH_BYTES];
	char *plain = NULL;
	size_t n = 0;
	int rc;

	pending[0] = '\0';
	crypt_keyed_hash(token, SEAL_CONTEXT, strlen(SEAL_CONTEXT), k);
	rc = keys_open(k, sealed, len, &plain, &n);
	crypt_wipe(k, sizeof(k));
	if (rc != 0)
		return IDP_ERR_INVALID;
	if (n + 1 > max || strlen(plain) != n) {
		keys_secret_free(plain);
		return IDP_ERR_INVALID;
	}
	memcpy(pending, plain, n + 1);
	keys_secret_free(plain);
	return 0;
}
