#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/audit/audit.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/session/session.h"

void
session_info_clear(struct session_info *si)
{
	store_session_clear(&si->session);
	store_account_clear(&si->account);
	crypt_wipe(si->hash, sizeof(si->hash));
	si->valid = false;
}

bool
session_cookie_hash(const char *cookie, uint8_t hash[STORE_HASH_BYTES])
{
	uint8_t token[CRYPT_TOKEN_BYTES];

	if (cookie == NULL || crypt_token_parse(cookie, token) != 0)
		return false;
	crypt_token_hash(token, hash);
	crypt_wipe(token, sizeof(token));
	return true;
}

int
session_lookup(struct worker *w, const char *cookie, struct session_info *si)
{
	int64_t now = 0;
	int rc;

	memset(si, 0, sizeof(*si));
	/*
	 * A malformed or unknown cookie is simply no session. It is never
	 * adopted: sessions are only ever created by session_create() with a
	 * fresh random value, which defeats session fixation.
	 */
	if (!session_cookie_hash(cookie, si->hash))
		return 0;
	rc = store_session_select(w->store, si->hash, &si->session,
				  &si->account);
	if (rc == STORE_NO_ROW)
		return 0;
	if (rc < 0)
		return IDP_ERR_UNAVAILABLE;
	si->valid = true;
	if (store_now(w->store, &now) == STORE_ONE_ROW &&
	    now - si->session.last_seen_at >= SESSION_TOUCH_INTERVAL_S) {
		/* Losing a touch only shortens the idle window: not fatal. */
		if (store_session_touch(w->store, si->session.id,
					w->cfg->session_idle_s) < 0)
			log_kv(LOG_LEVEL_WARN, "session_touch_failed", NULL);
	}
	return 0;
}

int
session_create(struct store *s, unsigned idle_s, unsigned absolute_s,
	       int64_t account_id, const char *method, const char *loa,
	       const char *client, const char *user_agent, char cookie[44])
{
	uint8_t token[CRYPT_TOKEN_BYTES], hash[STORE_HASH_BYTES];
	uint8_t handle_raw[16];
	char handle[33], ua[257];
	struct store_session ss;
	int64_t now;
	int rc;

	/* Expiries on the database's clock: one clock for all nodes. */
	rc = store_now(s, &now);
	if (rc < 0)
		return rc;
	crypt_token_new(token);
	crypt_token_format(token, cookie);
	crypt_token_hash(token, hash);
	crypt_wipe(token, sizeof(token));
	crypt_random(handle_raw, sizeof(handle_raw));
	crypt_hex(handle_raw, sizeof(handle_raw), handle, sizeof(handle));
	/* The browser string is shown to the citizen; keep it bounded. */
	snprintf(ua, sizeof(ua), "%s", user_agent ? user_agent : "");
	if (!g_utf8_validate(ua, -1, NULL))
		ua[0] = '\0';

	memset(&ss, 0, sizeof(ss));
	ss.handle = handle;
	ss.account_id = account_id;
	ss.auth_method = (char *)(uintptr_t)method;
	ss.loa = (char *)(uintptr_t)loa;
	ss.idle_expires_at = now + idle_s;
	ss.absolute_expires_at = now + absolute_s;
	ss.client = (char *)(uintptr_t)client;
	ss.user_agent = ua;
	rc = store_session_insert(s, hash, &ss);
	crypt_wipe(hash, sizeof(hash));
	return rc;
}

int
session_end(struct worker *w, const char *cookie)
{
	uint8_t hash[STORE_HASH_BYTES];
	int rc;

	if (!session_cookie_hash(cookie, hash))
		return 0;
	rc = store_session_delete(w->store, hash);
	return rc < 0 ? IDP_ERR_UNAVAILABLE : 0;
}

int
session_list(struct worker *w, int64_t account_id, const uint8_t *current_hash,
	     store_session_cb cb, void *cls)
{
	int rc = store_session_iterate(w->store, account_id, current_hash, cb,
				       cls);

	return rc < 0 ? IDP_ERR_UNAVAILABLE : 0;
}

struct end_tx {
	const struct session_info *si;
	const char *handle;
	const char *client;
	bool found;
};

static int
end_cb(struct store *s, void *cls)
{
	struct end_tx *t = cls;
	int64_t n = 0;
	int rc;

	if (t->handle != NULL) {
		rc = store_session_delete_handle(s, t->si->account.id,
						 t->handle);
		n = rc == STORE_ONE_ROW;
	} else {
		rc = store_session_delete_account(s, t->si->account.id,
						  t->si->hash, &n);
	}
	if (rc < 0)
		return rc;
	t->found = t->handle == NULL || n > 0;
	if (!t->found)
		return STORE_NO_ROW;
	char count[24];
	snprintf(count, sizeof(count), "%lld", (long long)n);
	char *details = audit_details("ended", count, NULL);
	rc = audit_append(s, "session_ended", "citizen",
			  t->si->account.audit_ref, t->client, details);
	g_free(details);
	return rc;
}

int
session_end_other(struct worker *w, const struct session_info *si,
		  const char *handle, const char *client)
{
	struct end_tx t = { si, handle, client, false };
	int rc;

	/* The current session is ended by logout, not from this list. */
	if (handle != NULL && strcmp(handle, si->session.handle) == 0)
		return IDP_ERR_INVALID;
	rc = store_run_tx(w->store, "session_end", false, end_cb, &t);
	if (rc < 0)
		return IDP_ERR_UNAVAILABLE;
	return t.found ? 0 : IDP_ERR_INVALID;
}
