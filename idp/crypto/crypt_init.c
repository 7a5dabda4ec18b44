/*
 * Initialising libsodium once per process.
 */
#include <sodium.h>

#include "idp/crypto/crypt.h"

int
crypt_init(void)
{
	/* 0: done now, 1: already done; -1 only without a random source. */
	if (sodium_init() < 0)
		return IDP_ERR_INTERNAL;
	return 0;
}
