/*
 * Hashes that are not about passwords or tokens: plain BLAKE2b-256, keyed
 * pseudonyms and SHA-256 for formats that fix it.
 */
#include <sodium.h>

#include "idp/crypto/crypt.h"

_Static_assert(CRYPT_KEYED_HASH_KEY_BYTES >= crypto_generichash_KEYBYTES_MIN &&
		       CRYPT_KEYED_HASH_KEY_BYTES <=
			       crypto_generichash_KEYBYTES_MAX,
	       "keyed hash key size");
_Static_assert(CRYPT_HASH_BYTES >= crypto_generichash_BYTES_MIN &&
		       CRYPT_HASH_BYTES <= crypto_generichash_BYTES_MAX,
	       "hash size");
_Static_assert(CRYPT_SHA256_BYTES == crypto_hash_sha256_BYTES,
	       "SHA-256 output size");

void
crypt_hash(const void *msg, size_t len, uint8_t out[CRYPT_HASH_BYTES])
{
	(void)crypto_generichash(out, CRYPT_HASH_BYTES, msg, len, NULL, 0);
}

void
crypt_keyed_hash(const uint8_t key[CRYPT_KEYED_HASH_KEY_BYTES], const void *msg,
		 size_t len, uint8_t out[CRYPT_KEYED_HASH_BYTES])
{
	/*
	 * Keyed BLAKE2b is a PRF and a MAC by design (no HMAC construction
	 * needed); it fails only for sizes out of range, which the
	 * assertions above exclude.
	 */
	(void)crypto_generichash(out, CRYPT_KEYED_HASH_BYTES, msg, len, key,
				 CRYPT_KEYED_HASH_KEY_BYTES);
}

void
crypt_sha256(const void *msg, size_t len, uint8_t out[CRYPT_SHA256_BYTES])
{
	(void)crypto_hash_sha256(out, msg, len);
}
