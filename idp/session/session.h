/*
 * Login sessions. The browser holds a 256-bit random value in the cookie
 * SESSION_COOKIE; the database holds only its hash. Any node can check a
 * session; the idle expiry slides with activity (written at most once per
 * SESSION_TOUCH_INTERVAL_S), the absolute expiry never moves.
 */
#ifndef IDP_SESSION_SESSION_H
#define IDP_SESSION_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "idp/common/err.h"
#include "idp/store/store_account.h"

#define SESSION_COOKIE "sk_session"
#define SESSION_TOUCH_INTERVAL_S 60

struct worker;

/* A live session and its account, as found for a request. */
struct session_info {
	bool valid;
	uint8_t hash[STORE_HASH_BYTES];
	struct store_session session;
	struct store_account account;
};

void session_info_clear(struct session_info *si);

/*
 * Find the live session for a cookie value (NULL or malformed: none).
 * Returns 0 with si->valid set accordingly, or IDP_ERR_UNAVAILABLE when
 * the database could not be asked.
 */
IDP_WUR int session_lookup(struct worker *w, const char *cookie,
			   struct session_info *si);

/*
 * Create a session inside a running transaction (store @s). Writes the
 * cookie value (43 characters + NUL) to @cookie. Returns a STORE_* value.
 */
IDP_WUR int session_create(struct store *s, unsigned idle_s,
			   unsigned absolute_s, int64_t account_id,
			   const char *method, const char *loa,
			   const char *client, const char *user_agent,
			   char cookie[44]);

/* End the session with this cookie value, if any. */
IDP_WUR int session_end(struct worker *w, const char *cookie);

/* List the live sessions of an account, newest first (see store). */
IDP_WUR int session_list(struct worker *w, int64_t account_id,
			 const uint8_t *current_hash, store_session_cb cb,
			 void *cls);

/*
 * End one session of the account by its public handle, or all but the
 * current one (@handle NULL). Audited. Returns 0, IDP_ERR_INVALID (no such
 * session of this account) or IDP_ERR_UNAVAILABLE.
 */
IDP_WUR int session_end_other(struct worker *w, const struct session_info *si,
			      const char *handle, const char *client);

/* Hash a cookie value; false when it is malformed. */
bool session_cookie_hash(const char *cookie, uint8_t hash[STORE_HASH_BYTES]);

#endif
