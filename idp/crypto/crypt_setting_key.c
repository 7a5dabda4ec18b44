/*
 * Cluster-wide random keys kept in the settings table: made by the first
 * node that needs one, read by every other.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/store/store.h"

int
crypt_setting_key(struct store *s, const char *name,
		  uint8_t key[CRYPT_KEYED_HASH_KEY_BYTES])
{
	uint8_t fresh[CRYPT_KEYED_HASH_KEY_BYTES];
	char hex[2 * sizeof(fresh) + 1];
	char *value = NULL;
	int rc = IDP_ERR_UNAVAILABLE;

	memset(key, 0, CRYPT_KEYED_HASH_KEY_BYTES);
	crypt_random(fresh, sizeof(fresh));
	crypt_hex(fresh, sizeof(fresh), hex, sizeof(hex));
	/* Concurrent first uses on two nodes all get the winning value. */
	if (store_setting_ensure(s, name, hex, &value) != STORE_ONE_ROW)
		goto out;
	if (strlen(value) != 2 * CRYPT_KEYED_HASH_KEY_BYTES ||
	    !crypt_unhex(value, key, CRYPT_KEYED_HASH_KEY_BYTES)) {
		log_kv(LOG_LEVEL_ERROR, "bug_setting_key_invalid", "setting",
		       name, NULL);
		rc = IDP_ERR_INVALID;
		goto out;
	}
	rc = 0;
out:
	crypt_wipe(fresh, sizeof(fresh));
	crypt_wipe(hex, sizeof(hex));
	if (value != NULL)
		crypt_wipe(value, strlen(value));
	free(value);
	return rc;
}
