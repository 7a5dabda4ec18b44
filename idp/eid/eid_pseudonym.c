/*
 * The keyed hash of a card's pseudonym, the only form in which it is
 * stored or looked up.
 */
#include <pthread.h>
#include <string.h>

#include "idp/crypto/crypt.h"
#include "idp/eid/eid.h"

/* The settings row that holds the key, hex; made once per cluster. */
#define KEY_SETTING "eid_pseudonym_key"

/*
 * The key never changes once the cluster has one (changing it would
 * orphan every link), so one copy per process is enough: read on first
 * use, under a lock, then only read.
 */
static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t key[CRYPT_KEYED_HASH_KEY_BYTES];
static bool key_loaded;

int
eid_pseudonym_hash(struct store *s, const char *pseudonym, uint8_t out[32])
{
	int rc = 0;

	memset(out, 0, 32);
	(void)pthread_mutex_lock(&key_lock);
	if (!key_loaded) {
		rc = crypt_setting_key(s, KEY_SETTING, key);
		key_loaded = rc == 0;
	}
	(void)pthread_mutex_unlock(&key_lock);
	if (rc != 0)
		return rc;
	crypt_keyed_hash(key, pseudonym, strlen(pseudonym), out);
	return 0;
}
