/*
 * Random tokens: how they are made, written, read back and hashed for
 * storage.
 */
#include <string.h>

#include <sodium.h>

#include "idp/crypto/crypt.h"

#define TOKEN_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

_Static_assert(CRYPT_TOKEN_HASH_BYTES >= crypto_generichash_BYTES_MIN &&
		       CRYPT_TOKEN_HASH_BYTES <= crypto_generichash_BYTES_MAX,
	       "token hash size");
/* 32 bytes are 256 bits; 43 characters carry 258, the last one 2 spare. */
_Static_assert(CRYPT_TOKEN_TEXT_LEN == (CRYPT_TOKEN_BYTES * 8 + 5) / 6,
	       "token text length");

void
crypt_token_new(uint8_t token[CRYPT_TOKEN_BYTES])
{
	randombytes_buf(token, CRYPT_TOKEN_BYTES);
}

void
crypt_token_format(const uint8_t token[CRYPT_TOKEN_BYTES],
		   char out[CRYPT_TOKEN_TEXT_LEN + 1])
{
	/* sodium_base64_ENCODED_LEN(32, variant) is 44: 43 and the NUL. */
	(void)sodium_bin2base64(out, CRYPT_TOKEN_TEXT_LEN + 1, token,
				CRYPT_TOKEN_BYTES, TOKEN_VARIANT);
}

int
crypt_token_parse(const char *text, uint8_t token[CRYPT_TOKEN_BYTES])
{
	size_t bin_len = 0, i;
	const char *end = NULL;
	int v = 0;

	/*
	 * Checked here rather than left to libsodium, which accepts some of
	 * these (it stops at the first character outside the alphabet, and
	 * the caller would have to look at where). The checks branch on the
	 * token's characters; that tells an attacker nothing, since it is
	 * the attacker who sent them: what must not leak through timing is
	 * how close a guess is to a stored token, and that comparison is
	 * done on hashes with crypt_equal().
	 */
	if (text == NULL ||
	    strnlen(text, CRYPT_TOKEN_TEXT_LEN + 1) != CRYPT_TOKEN_TEXT_LEN)
		goto invalid;
	for (i = 0; i < CRYPT_TOKEN_TEXT_LEN; i++) {
		v = crypt_base64_value(text[i], true);
		if (v < 0)
			goto invalid;
	}
	/*
	 * The last character carries 4 bits of the token and 2 spare bits,
	 * which must be zero: otherwise four texts would name one token,
	 * and a token would not have one stable text form.
	 */
	if ((v & 3) != 0)
		goto invalid;
	if (sodium_base642bin(token, CRYPT_TOKEN_BYTES, text,
			      CRYPT_TOKEN_TEXT_LEN, NULL, &bin_len, &end,
			      TOKEN_VARIANT) != 0 ||
	    bin_len != CRYPT_TOKEN_BYTES || end != text + CRYPT_TOKEN_TEXT_LEN)
		goto invalid;
	return 0;
invalid:
	sodium_memzero(token, CRYPT_TOKEN_BYTES);
	return IDP_ERR_INVALID;
}

void
crypt_token_hash(const uint8_t token[CRYPT_TOKEN_BYTES],
		 uint8_t hash[CRYPT_TOKEN_HASH_BYTES])
{
	/*
	 * No salt and no slow hash, on purpose. Salts and slow hashes defend
	 * secrets that people choose: few enough candidates that an attacker
	 * with a stolen table can precompute or try them all. A token is 256
	 * bits from the CSPRNG, so there is nothing to precompute and no
	 * guess that beats 2^-256, salted or not. A plain hash keeps what
	 * matters: a database dump does not contain usable tokens (BLAKE2b
	 * is preimage resistant), and the hash is deterministic, so the
	 * token's row is found through a unique index on the hash instead of
	 * by scanning and comparing.
	 */
	(void)crypto_generichash(hash, CRYPT_TOKEN_HASH_BYTES, token,
				 CRYPT_TOKEN_BYTES, NULL, 0);
}
