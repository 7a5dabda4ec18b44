/*
 * Passwords: normal form, Argon2id hash, verification and the question
 * whether a stored hash is due for an upgrade.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>
#include <sodium.h>

#include "idp/crypto/crypt_password.h"

_Static_assert(CRYPT_PWHASH_STRBYTES == crypto_pwhash_STRBYTES,
	       "CRYPT_PWHASH_STRBYTES must match libsodium");
_Static_assert(CRYPT_PWHASH_STRBYTES == crypto_pwhash_argon2id_STRBYTES,
	       "CRYPT_PWHASH_STRBYTES must match Argon2id");

int
crypt_password_normalize(const char *in, size_t in_len, char **out)
{
	char *nfc;

	*out = NULL;
	/*
	 * The bound comes first: normalization and validation cost time and
	 * memory in proportion to the input.
	 */
	if (in_len > CRYPT_PW_MAX_BYTES)
		return IDP_ERR_TOO_LARGE;
	if (in_len == 0)
		in = "";
	else if (in == NULL)
		return IDP_ERR_INVALID;
	/*
	 * A NUL would end the password early for every function that takes
	 * a C string, so that "secret\0anything" logged in as "secret".
	 * g_utf8_validate_len() refuses NUL bytes too; the explicit check
	 * says so where it matters.
	 */
	if (memchr(in, '\0', in_len) != NULL)
		return IDP_ERR_INVALID;
	if (!g_utf8_validate_len(in, in_len, NULL))
		return IDP_ERR_INVALID;
	/*
	 * NFC, not NFKC: compatibility folding would make "ﬁ" and "fi" (or
	 * full-width and ASCII digits) one password, which shrinks the space
	 * without helping anyone type it. GLib's temporary buffers are not
	 * wiped; that is the price of not writing our own normalizer, and
	 * they live only in this process's heap.
	 */
	nfc = g_utf8_normalize(in, (gssize)in_len, G_NORMALIZE_NFC);
	if (nfc == NULL)
		return IDP_ERR_INVALID;
	*out = nfc;
	return 0;
}

void
crypt_password_free(char *pw)
{
	if (pw == NULL)
		return;
	sodium_memzero(pw, strlen(pw));
	g_free(pw);
}

int
crypt_password_hash(const char *pw_nfc, unsigned opslimit, size_t memlimit,
		    char out[CRYPT_PWHASH_STRBYTES])
{
	out[0] = '\0';
	if (opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
	    memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN)
		return IDP_ERR_INVALID;
	/* The whole password: libsodium takes its length, never cuts it. */
	errno = 0;
	if (crypto_pwhash_str_alg(out, pw_nfc, strlen(pw_nfc), opslimit,
				  memlimit,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		out[0] = '\0';
		/* EINVAL: a limit above libsodium's maximum. */
		return errno == EINVAL ? IDP_ERR_INVALID : IDP_ERR_NOMEM;
	}
	return 0;
}

bool
crypt_password_verify(const char *hash_str, const char *pw_nfc)
{
	/*
	 * libsodium may read up to CRYPT_PWHASH_STRBYTES bytes of the hash;
	 * one from the database is a C string of any length, so it must end
	 * within that many bytes.
	 */
	if (hash_str == NULL || pw_nfc == NULL ||
	    strnlen(hash_str, CRYPT_PWHASH_STRBYTES) >= CRYPT_PWHASH_STRBYTES)
		return false;
	/* libsodium compares the derived key in constant time. */
	return crypto_pwhash_str_verify(hash_str, pw_nfc, strlen(pw_nfc)) == 0;
}

bool
crypt_password_needs_rehash(const char *hash_str, unsigned opslimit,
			    size_t memlimit)
{
	if (hash_str == NULL ||
	    strnlen(hash_str, CRYPT_PWHASH_STRBYTES) >= CRYPT_PWHASH_STRBYTES)
		return true;
	/*
	 * The Argon2id variant answers -1 for any other algorithm (Argon2i
	 * hashes from an older build), which is a reason to rehash, as is 1
	 * (other parameters).
	 */
	return crypto_pwhash_argon2id_str_needs_rehash(hash_str, opslimit,
						       memlimit) != 0;
}
