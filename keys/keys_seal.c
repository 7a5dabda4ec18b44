/*
 * Sealing private keys with the master key before they reach the
 * database, and opening them again.
 *
 * Format: nonce (24 bytes) || crypto_secretbox_easy() output (16-byte
 * Poly1305 tag, then the XSalsa20 ciphertext). The 192-bit nonce is drawn
 * at random for every seal, so that two seals under one master key never
 * share a nonce even across nodes and years (birthday bound 2^96).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys.h"

_Static_assert(KEYS_MASTER_KEY_BYTES == crypto_secretbox_KEYBYTES,
	       "master key size is the secretbox key size");
_Static_assert(KEYS_SEAL_NONCE_BYTES == crypto_secretbox_NONCEBYTES,
	       "nonce size");
_Static_assert(KEYS_SEAL_MAC_BYTES == crypto_secretbox_MACBYTES, "tag size");

int
keys_seal(const uint8_t mk[KEYS_MASTER_KEY_BYTES], const void *plain,
	  size_t len, uint8_t **sealed, size_t *sealed_len)
{
	uint8_t *out;

	*sealed = NULL;
	*sealed_len = 0;
	if (len == 0)
		return IDP_ERR_INVALID;
	if (len > KEYS_PEM_MAX)
		return IDP_ERR_TOO_LARGE;
	out = malloc(len + KEYS_SEAL_OVERHEAD);
	if (out == NULL)
		return IDP_ERR_NOMEM;
	randombytes_buf(out, KEYS_SEAL_NONCE_BYTES);
	if (crypto_secretbox_easy(out + KEYS_SEAL_NONCE_BYTES, plain, len, out,
				  mk) != 0) {
		free(out);
		return IDP_ERR_INTERNAL;
	}
	*sealed = out;
	*sealed_len = len + KEYS_SEAL_OVERHEAD;
	return 0;
}

int
keys_open(const uint8_t mk[KEYS_MASTER_KEY_BYTES], const uint8_t *sealed,
	  size_t sealed_len, char **plain, size_t *len)
{
	size_t n;
	char *out;

	*plain = NULL;
	*len = 0;
	/* Bounds first: nothing of an oversized blob is touched. */
	if (sealed == NULL || sealed_len <= KEYS_SEAL_OVERHEAD ||
	    sealed_len - KEYS_SEAL_OVERHEAD > KEYS_PEM_MAX)
		return IDP_ERR_INVALID;
	n = sealed_len - KEYS_SEAL_OVERHEAD;
	/* Guarded, locked, zeroed on free: the key stays out of swap. */
	out = sodium_malloc(n + 1);
	if (out == NULL)
		return IDP_ERR_NOMEM;
	/* Verifies the tag before it writes any plaintext. */
	if (crypto_secretbox_open_easy(
		    (unsigned char *)out, sealed + KEYS_SEAL_NONCE_BYTES,
		    sealed_len - KEYS_SEAL_NONCE_BYTES, sealed, mk) != 0) {
		sodium_free(out);
		return IDP_ERR_INVALID;
	}
	out[n] = '\0';
	*plain = out;
	*len = n;
	return 0;
}

void
keys_secret_free(char *p)
{
	/* sodium_free() zeroes the whole allocation before unmapping it. */
	sodium_free(p);
}
