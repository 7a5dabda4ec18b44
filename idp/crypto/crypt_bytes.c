/*
 * Raw secret bytes: making them, comparing them without a timing signal,
 * writing them as hex and wiping them.
 */
#include <sodium.h>
#include <string.h>

#include "idp/crypto/crypt.h"

void
crypt_random(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

bool
crypt_equal(const void *a, const void *b, size_t len)
{
	if (len == 0)
		return true;
	return sodium_memcmp(a, b, len) == 0;
}

void
crypt_wipe(void *p, size_t len)
{
	/* Unlike memset, never optimized away before free or return. */
	sodium_memzero(p, len);
}

void
crypt_hex(const void *bin, size_t bin_len, char *out, size_t out_len)
{
	if (out_len == 0)
		return;
	/*
	 * sodium_bin2hex() aborts the process when the output is too small;
	 * a short buffer is our bug, but an empty string is the better
	 * failure in a running server.
	 */
	if (bin_len > (out_len - 1) / 2) {
		out[0] = '\0';
		return;
	}
	/* Constant-time: hex of a secret must not leak it through timing. */
	(void)sodium_bin2hex(out, out_len, bin, bin_len);
}

bool
crypt_unhex(const char *hex, uint8_t *bin, size_t bin_len)
{
	size_t got = 0;
	const char *end = NULL;

	if (hex == NULL || strlen(hex) != 2 * bin_len ||
	    sodium_hex2bin(bin, bin_len, hex, 2 * bin_len, NULL, &got,
			   &end) != 0 ||
	    got != bin_len || *end != '\0') {
		sodium_memzero(bin, bin_len);
		return false;
	}
	return true;
}
