/*
 * idp/crypto: the one home of libsodium outside keys/ (besides the random
 * request ids of idp/http). Random tokens, their text form and their
 * hashes, constant-time comparison, keyed pseudonyms and SHA-256.
 * Passwords are declared in idp/crypto/crypt_password.h, which this header
 * includes, so that one include serves every caller.
 *
 * Nothing declared here hands out memory to free; every function is
 * thread-safe once crypt_init() has returned. Secrets are fixed-size arrays
 * with the size in the prototype; none of them is ever logged.
 */
#ifndef IDP_CRYPTO_CRYPT_H
#define IDP_CRYPTO_CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/common/err.h"
#include "idp/crypto/crypt_password.h"

/* Random tokens (session ids, e-mail tokens, CSRF tokens): 256 bits. */
#define CRYPT_TOKEN_BYTES 32

/*
 * Text form of a token: base64url (RFC 4648, section 5) without padding,
 * 43 characters for 32 bytes. Safe in URLs, cookies and form fields
 * without further escaping.
 */
#define CRYPT_TOKEN_TEXT_LEN 43

/* Hash of a token as stored in the database (BLAKE2b-256). */
#define CRYPT_TOKEN_HASH_BYTES 32

/* Output of crypt_hash(). */
#define CRYPT_HASH_BYTES 32

/* Key and output of crypt_keyed_hash(). */
#define CRYPT_KEYED_HASH_KEY_BYTES 32
#define CRYPT_KEYED_HASH_BYTES	   32

/* Output of crypt_sha256(). */
#define CRYPT_SHA256_BYTES 32

/*
 * Initialise libsodium (sodium_init()). Call once in main() before any
 * thread starts; calling it again is harmless. Returns 0 or
 * IDP_ERR_INTERNAL when libsodium cannot initialise (no usable random
 * source), in which case nothing here may be used.
 */
IDP_WUR int crypt_init(void);

/* Fill @token with CRYPT_TOKEN_BYTES bytes from the system CSPRNG. */
void crypt_token_new(uint8_t token[CRYPT_TOKEN_BYTES]);

/* Write the text form of @token and a NUL into @out. */
void crypt_token_format(const uint8_t token[CRYPT_TOKEN_BYTES],
			char out[CRYPT_TOKEN_TEXT_LEN + 1]);

/*
 * Parse the text form of a token. Strict: exactly CRYPT_TOKEN_TEXT_LEN
 * characters of the URL-safe alphabet (A-Z a-z 0-9 - _) followed by the
 * terminating NUL; no padding, no white space, and the last character must
 * be canonical (the two bits it carries beyond the 256 are zero), so every
 * token has exactly one text form. @text may be NULL or of any length: at
 * most CRYPT_TOKEN_TEXT_LEN + 1 bytes of it are read.
 *
 * Returns 0 and fills @token, or IDP_ERR_INVALID and zeroes @token.
 */
IDP_WUR int crypt_token_parse(const char *text,
			      uint8_t token[CRYPT_TOKEN_BYTES]);

/*
 * The hash under which a token is stored and looked up: BLAKE2b-256 of its
 * 32 bytes, unkeyed and unsalted (see crypt_token.c for why that is
 * enough). Deterministic, so the database can index it.
 */
void crypt_token_hash(const uint8_t token[CRYPT_TOKEN_BYTES],
		      uint8_t hash[CRYPT_TOKEN_HASH_BYTES]);

/* Fill @buf with @len bytes from the system CSPRNG. */
void crypt_random(void *buf, size_t len);

/*
 * Zero @len bytes at @p in a way the compiler cannot drop (a plain memset
 * before free() may be optimized away). For every secret on the stack or
 * heap once it is no longer needed.
 */
void crypt_wipe(void *p, size_t len);

/*
 * Write @bin (@bin_len bytes) as lower-case hex and a NUL into @out
 * (@out_len bytes), in constant time. @out_len must be at least
 * 2 * @bin_len + 1; when it is smaller (a bug) @out becomes "".
 */
void crypt_hex(const void *bin, size_t bin_len, char *out, size_t out_len);

/*
 * Decode exactly 2 * @bin_len hex digits of @hex into @bin, in constant
 * time. False (and @bin zeroed) for any other length or a non-hex digit.
 */
bool crypt_unhex(const char *hex, uint8_t *bin, size_t bin_len);

/*
 * Whether @a and @b (each @len bytes) are equal, in time that depends only
 * on @len (sodium_memcmp). @len 0 is true. Use it for every comparison of
 * secrets or of hashes of secrets.
 */
bool crypt_equal(const void *a, const void *b, size_t len);

/*
 * BLAKE2b-256 of @msg (@len bytes), unkeyed: a fingerprint of data that is
 * not guessable (for guessable data such as e-mail addresses, whose hash a
 * dictionary reverses, use crypt_keyed_hash()).
 */
void crypt_hash(const void *msg, size_t len, uint8_t out[CRYPT_HASH_BYTES]);

/*
 * Keyed pseudonym: BLAKE2b-256 of @msg (@len bytes) under @key. A PRF: it
 * reveals nothing about @msg to whoever lacks @key, and equal messages give
 * equal pseudonyms under one key (audit subjects, eID pseudonyms).
 */
void crypt_keyed_hash(const uint8_t key[CRYPT_KEYED_HASH_KEY_BYTES],
		      const void *msg, size_t len,
		      uint8_t out[CRYPT_KEYED_HASH_BYTES]);

/*
 * The cluster-wide key of a keyed hash, kept in the settings table as hex
 * under @name: made at random by the first caller on any node
 * (store_setting_ensure(), so concurrent first uses all get the winning
 * value) and read back by every other. The key never changes once made:
 * callers keep one copy per process. Returns 0 (@key set), or
 * IDP_ERR_UNAVAILABLE (database) or IDP_ERR_INVALID (the stored value
 * is not CRYPT_KEYED_HASH_KEY_BYTES of hex, logged) with @key zeroed.
 * Thread-safe (uses only @s, which belongs to the caller's thread).
 */
struct store;
IDP_WUR int crypt_setting_key(struct store *s, const char *name,
			      uint8_t key[CRYPT_KEYED_HASH_KEY_BYTES]);

/*
 * SHA-256 of @msg (@len bytes). For formats that fix SHA-256 (the audit
 * chain, which PostgreSQL's sha256() must be able to reproduce), not for
 * secrets.
 */
void crypt_sha256(const void *msg, size_t len, uint8_t out[CRYPT_SHA256_BYTES]);

/* What crypt_base64_decode() lets through between the digits. */
enum crypt_base64_skip {
	CRYPT_BASE64_SKIP_LINE_BREAKS, /* CR and LF: a wrapped form field */
	CRYPT_BASE64_SKIP_BLANKS,      /* also space and tab: XML text */
};

/* Room crypt_base64_decode() needs for @len characters of input. */
#define CRYPT_BASE64_DECODED_MAX(len) ((len) / 4 * 3 + 3)

/*
 * The value of base64 digit @c (RFC 4648: the standard alphabet, or with
 * @url the URL-safe one of section 5), or -1 for any other character.
 */
int crypt_base64_value(char c, bool url);

/*
 * Strict base64 (RFC 4648, standard alphabet, padding required) of @len
 * bytes at @in into @out, which has room for
 * CRYPT_BASE64_DECODED_MAX(@len) bytes; *@out_len gets the length. Only
 * the white space @skip names may stand between the digits; anything
 * else outside the alphabet, data after padding, an incomplete last
 * quad, bits set beyond the last byte, or no digit at all is refused:
 * every accepted text has one reading (GLib's and xmlsec's decoders skip
 * or guess instead). The caller bounds @len before. Returns 0 or
 * IDP_ERR_INVALID (@out then holds nothing of the input). Does not
 * allocate; thread-safe.
 */
IDP_WUR int crypt_base64_decode(const char *in, size_t len,
				enum crypt_base64_skip skip, uint8_t *out,
				size_t *out_len);

#endif
