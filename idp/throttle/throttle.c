#include <arpa/inet.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/common/limits.h"
#include "idp/crypto/crypt.h"
#include "idp/store/store.h"
#include "idp/store/store_account.h"
#include "idp/throttle/throttle.h"

/* Read-only after throttle_init(), which runs before the workers start. */
static uint8_t email_key[CRYPT_KEYED_HASH_KEY_BYTES];

int
throttle_init(struct store *s)
{
	return crypt_setting_key(s, "throttle_email_key", email_key);
}

void
throttle_keys_make(const char *email, const char *client,
		   struct throttle_keys *k)
{
	uint8_t h[32];
	char hex[65];
	struct in6_addr a6;
	char *lower = g_utf8_strdown(email ? email : "", -1);

	crypt_keyed_hash(email_key, lower, strlen(lower), h);
	crypt_hex(h, sizeof(h), hex, sizeof(hex));
	snprintf(k->email, sizeof(k->email), "email:%s", hex);
	g_free(lower);

	/*
	 * One IPv6 client usually has a whole /64: counting single addresses
	 * would let it rotate through them.
	 */
	if (client != NULL && inet_pton(AF_INET6, client, &a6) == 1) {
		char buf[INET6_ADDRSTRLEN];
		memset(a6.s6_addr + 8, 0, 8);
		inet_ntop(AF_INET6, &a6, buf, sizeof(buf));
		snprintf(k->ip, sizeof(k->ip), "ip:%s/64", buf);
	} else {
		snprintf(k->ip, sizeof(k->ip), "ip:%s",
			 client ? client : "unknown");
	}
}

int
throttle_wait(struct store *s, const struct throttle_keys *k, int64_t *wait_s)
{
	const char *keys[2] = { k->email, k->ip };
	const int64_t free_failures[2] = { THROTTLE_EMAIL_FREE,
					   THROTTLE_IP_FREE };
	int64_t now, failures, until, wait = 0;
	int rc;

	*wait_s = 0;
	rc = store_now(s, &now);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < 2; i++) {
		rc = store_throttle_select(s, keys[i], THROTTLE_RESET_S,
					   &failures, &until);
		if (rc < 0)
			return rc;
		/* Below the allowance no delay applies, whatever the clock. */
		if (rc == STORE_ONE_ROW && failures >= free_failures[i] &&
		    until - now > wait)
			wait = until - now;
	}
	*wait_s = wait;
	return STORE_ONE_ROW;
}

int
throttle_fail(struct store *s, const struct throttle_keys *k,
	      int64_t *email_failures)
{
	int64_t failures, until;
	int rc;

	rc = store_throttle_fail(s, k->email, THROTTLE_RESET_S,
				 THROTTLE_EMAIL_FREE, THROTTLE_MAX_DELAY_S,
				 email_failures, &until);
	if (rc < 0)
		return rc;
	return store_throttle_fail(s, k->ip, THROTTLE_RESET_S,
				   THROTTLE_IP_FREE, THROTTLE_MAX_DELAY_S,
				   &failures, &until);
}

int
throttle_notice(struct store *s, const char *email, bool *send)
{
	struct throttle_keys k;
	char key[sizeof(k.email) + 1];
	int64_t count, until;
	int rc;

	/* The e-mail key's hash under a prefix of its own: its own counter. */
	throttle_keys_make(email, NULL, &k);
	snprintf(key, sizeof(key), "notice:%.64s", k.email + strlen("email:"));
	rc = store_throttle_fail(s, key, THROTTLE_RESET_S, INT32_MAX, 0, &count,
				 &until);
	*send = rc >= 0 && count <= THROTTLE_EXISTS_NOTICES;
	return rc;
}

int
throttle_success(struct store *s, const struct throttle_keys *k)
{
	return store_throttle_reset(s, k->email);
}
