/*
 * The dummy verification: a login for an e-mail address without an account
 * does the same Argon2id work as one with a wrong password, so that the
 * time a login takes does not tell whether an address is registered.
 */
#include <stdatomic.h>
#include <string.h>

#include <sodium.h>

#include "idp/crypto/crypt.h"
#include "idp/crypto/crypt_password.h"
#include "idp/log/log.h"

/*
 * Written by crypt_password_dummy_init() before the workers start (see
 * the header); read-only afterwards. The flag is atomic so that a
 * verification racing a (forbidden) re-initialization reads either the
 * old or no state rather than tearing silently.
 */
static char dummy_hash[CRYPT_PWHASH_STRBYTES];
static atomic_bool dummy_ready;

int
crypt_password_dummy_init(unsigned opslimit, size_t memlimit)
{
	uint8_t raw[CRYPT_TOKEN_BYTES];
	char pw[CRYPT_TOKEN_TEXT_LEN + 1];
	char hash[CRYPT_PWHASH_STRBYTES];
	int rc;

	/*
	 * A random password nobody knows, so that the dummy hash never
	 * verifies; the result is ignored anyway, but a known password would
	 * make the dummy an account anyone could "log in" to, should a
	 * caller ever use the result by mistake.
	 */
	crypt_token_new(raw);
	crypt_token_format(raw, pw);
	rc = crypt_password_hash(pw, opslimit, memlimit, hash);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(pw, sizeof(pw));
	if (rc != 0)
		return rc;
	atomic_store(&dummy_ready, false);
	memcpy(dummy_hash, hash, sizeof(dummy_hash));
	atomic_store(&dummy_ready, true);
	return 0;
}

void
crypt_password_dummy_verify(const char *pw_nfc)
{
	char hash[CRYPT_PWHASH_STRBYTES];

	if (!atomic_load(&dummy_ready)) {
		log_kv(LOG_LEVEL_ERROR, "bug_dummy_verify_uninitialized", NULL);
		/* Still spend time, rather than answer at once. */
		if (crypt_password_hash(pw_nfc != NULL ? pw_nfc : "",
					crypto_pwhash_OPSLIMIT_INTERACTIVE,
					crypto_pwhash_MEMLIMIT_INTERACTIVE,
					hash) == 0)
			sodium_memzero(hash, sizeof(hash));
		return;
	}
	(void)crypt_password_verify(dummy_hash, pw_nfc != NULL ? pw_nfc : "");
}
