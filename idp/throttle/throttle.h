/*
 * Login throttling with counters in PostgreSQL, so that it holds across
 * nodes. Two counters per attempt: the e-mail address typed (a keyed hash,
 * so the table holds no address and a list of addresses cannot be matched
 * against it; also for addresses without an account, so throttling
 * reveals nothing) and the
 * client address (IPv6 by /64). Delays grow with failures and are capped
 * (see idp/common/limits.h), so nobody can lock a citizen out for long.
 */
#ifndef IDP_THROTTLE_THROTTLE_H
#define IDP_THROTTLE_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#include "idp/common/err.h"

struct store;

struct throttle_keys {
	char email[80]; /* "email:" + 64 hex */
	char ip[64];	/* "ip:" + address or /64 prefix */
};

/*
 * Load the cluster-wide key for hashing e-mail addresses into counter
 * names (created on first use, shared by all nodes through the settings
 * table, crypt_setting_key()). Call once at startup before any request.
 * Returns 0, IDP_ERR_UNAVAILABLE or IDP_ERR_INVALID (a broken setting).
 */
IDP_WUR int throttle_init(struct store *s);

void throttle_keys_make(const char *email, const char *client,
			struct throttle_keys *k);

/*
 * Seconds until an attempt with these keys may be checked (0: now).
 * Returns a STORE_* value (< 0 on error).
 */
IDP_WUR int throttle_wait(struct store *s, const struct throttle_keys *k,
			  int64_t *wait_s);

/*
 * Count a failure on both keys; *email_failures is the new count of the
 * e-mail key. Returns a STORE_* value.
 */
IDP_WUR int throttle_fail(struct store *s, const struct throttle_keys *k,
			  int64_t *email_failures);

/*
 * Count a notice mail to @email (one that anybody can cause, like "someone
 * tried to register with your address") and say whether to send it: at
 * most THROTTLE_EXISTS_NOTICES until THROTTLE_RESET_S pass without one
 * (idp/common/limits.h). Returns a STORE_* value; *@send is false on
 * errors.
 */
IDP_WUR int throttle_notice(struct store *s, const char *email, bool *send);

/* A success forgets the e-mail counter (not the address counter). */
IDP_WUR int throttle_success(struct store *s, const struct throttle_keys *k);

#endif
