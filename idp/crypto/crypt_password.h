/*
 * Passwords: normalization, Argon2id hashing and verification, the dummy
 * verification that keeps login timing the same for unknown accounts, and
 * the password policy (NIST SP 800-63B: length and a list of common
 * passwords, no composition rules).
 *
 * The flow for a password from a form:
 *   1. bound the input: refuse more than CRYPT_PW_MAX_BYTES bytes;
 *   2. crypt_password_normalize() (NFC, valid UTF-8, no NUL);
 *   3. when setting it: crypt_password_check(); when logging in: skip;
 *   4. crypt_password_hash() / crypt_password_verify();
 *   5. crypt_password_free() the normalized copy.
 * Nothing truncates a password: every byte of the normalized text goes
 * into Argon2id.
 *
 * Thread-safety: everything is thread-safe, except that
 * crypt_password_dummy_init() must run before the threads that call
 * crypt_password_dummy_verify() start.
 */
#ifndef IDP_CRYPTO_CRYPT_PASSWORD_H
#define IDP_CRYPTO_CRYPT_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "idp/common/err.h"

/* Length bounds in characters (Unicode code points after NFC). */
#define CRYPT_PW_MIN_CHARS 8
#define CRYPT_PW_MAX_CHARS 1024

/*
 * Bytes of UTF-8 input accepted at most: every code point takes at most 4
 * bytes. The HTTP layer bounds the form field by this before parsing;
 * crypt_password_normalize() refuses anything longer.
 */
#define CRYPT_PW_MAX_BYTES (4 * CRYPT_PW_MAX_CHARS)

/*
 * Size of an encoded Argon2id hash string with its NUL: libsodium's
 * crypto_pwhash_STRBYTES (checked at compile time in crypt_password.c), so
 * that callers need not include sodium.h.
 */
#define CRYPT_PWHASH_STRBYTES 128

/*
 * Check @in (@in_len bytes, need not be NUL-terminated) and return its
 * Unicode NFC form in *@out, NUL-terminated, freed by the caller with
 * crypt_password_free(). NFC makes a password typed as "e" + combining
 * acute and one typed as the precomposed "é" the same password, whatever
 * keyboard or platform produced it.
 *
 * Returns 0; IDP_ERR_TOO_LARGE when @in_len > CRYPT_PW_MAX_BYTES (checked
 * before anything is read); IDP_ERR_INVALID for an embedded NUL or invalid
 * UTF-8 (overlong forms, surrogates, beyond U+10FFFF, cut-off sequences);
 * IDP_ERR_NOMEM. On failure *@out is NULL.
 */
IDP_WUR int crypt_password_normalize(const char *in, size_t in_len, char **out);

/* Zero @pw (up to its NUL) and free it. NULL is fine. */
void crypt_password_free(char *pw);

/*
 * Hash @pw_nfc (NUL-terminated, from crypt_password_normalize()) with
 * Argon2id v1.3, @opslimit passes over @memlimit bytes and a random salt,
 * into @out as the encoded string "$argon2id$v=19$m=...,t=...,p=1$...".
 *
 * Returns 0; IDP_ERR_INVALID when @opslimit or @memlimit are outside what
 * libsodium accepts for Argon2id (at least 1 pass and 8 KiB); IDP_ERR_NOMEM
 * when the memory cannot be had. On failure @out is an empty string.
 */
IDP_WUR int crypt_password_hash(const char *pw_nfc, unsigned opslimit,
				size_t memlimit,
				char out[CRYPT_PWHASH_STRBYTES]);

/*
 * Whether @pw_nfc matches @hash_str (as written by crypt_password_hash(),
 * read from the database; NUL-terminated). False also for a malformed
 * @hash_str. Costs what the parameters in @hash_str say.
 */
bool crypt_password_verify(const char *hash_str, const char *pw_nfc);

/*
 * Whether @hash_str should be replaced after a successful login: it is not
 * Argon2id, or it was made with other parameters than @opslimit and
 * @memlimit (the config changed), or it is malformed.
 */
bool crypt_password_needs_rehash(const char *hash_str, unsigned opslimit,
				 size_t memlimit);

/*
 * Prepare the dummy verification: hash a random password once with the
 * configured @opslimit and @memlimit. Call at startup, before worker
 * threads start; calling it again (config reload) is allowed only while no
 * thread uses crypt_password_dummy_verify(). Returns 0 or what
 * crypt_password_hash() returns.
 */
IDP_WUR int crypt_password_dummy_init(unsigned opslimit, size_t memlimit);

/*
 * Verify @pw_nfc against the dummy hash and ignore the result, so that a
 * login for an e-mail that has no account costs the same as one for an
 * account with a wrong password. Before crypt_password_dummy_init() it
 * logs a bug and hashes with libsodium's interactive parameters instead,
 * so that timing still does not collapse to zero.
 */
void crypt_password_dummy_verify(const char *pw_nfc);

/* What the policy finds wrong with a new password. */
enum crypt_pw_problem {
	CRYPT_PW_OK,
	CRYPT_PW_TOO_SHORT, /* fewer than CRYPT_PW_MIN_CHARS characters */
	CRYPT_PW_TOO_LONG,  /* more than CRYPT_PW_MAX_CHARS characters */
	CRYPT_PW_COMMON,    /* on the list of common passwords */
	CRYPT_PW_PERSONAL,  /* equals the e-mail address or the name */
};

/*
 * Check a new password @pw_nfc (from crypt_password_normalize()) against
 * the policy, in this order: length in characters, the embedded list of
 * common passwords (case-insensitively), then the account's personal data:
 * equal, case-insensitively, to @email, to its local part (before the last
 * '@'), to @given_name, to @family_name, or to given and family name
 * joined without or with one space. Each of @email, @given_name and
 * @family_name may be NULL or empty (skipped); invalid UTF-8 in them is
 * skipped too.
 *
 * @pw_nfc that is not valid UTF-8 breaks the contract: it is logged as a
 * bug and refused as CRYPT_PW_TOO_LONG rather than accepted.
 */
enum crypt_pw_problem crypt_password_check(const char *pw_nfc,
					   const char *email,
					   const char *given_name,
					   const char *family_name);

/* Stable lower_snake_case name of @p for logs and tests. */
const char *crypt_pw_problem_name(enum crypt_pw_problem p);

#endif
