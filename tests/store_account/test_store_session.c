/*
 * Sessions against a real PostgreSQL: only live sessions of active,
 * verified accounts are found; touching never passes the absolute
 * expiry; ending one by handle only within its account; ending all but
 * the current; the list on the account page; purge; hostile values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "account_test.h"

static const char *db;

/* A session of @account with the given lifetimes; its handle in @handle. */
static int64_t
new_session(struct store *s, int64_t account, const uint8_t *hash,
	    int64_t idle_s, int64_t absolute_s, char handle[33])
{
	struct store_session ss;
	int64_t now;

	assert_int_equal(store_now(s, &now), STORE_ONE_ROW);
	memset(&ss, 0, sizeof(ss));
	at_hex32(handle);
	ss.handle = handle;
	ss.account_id = account;
	ss.auth_method = (char *)"password";
	ss.loa = (char *)"low";
	ss.idle_expires_at = now + idle_s;
	ss.absolute_expires_at = now + absolute_s;
	ss.client = (char *)"192.0.2.1";
	ss.user_agent = (char *)"Mozilla/5.0";
	assert_int_equal(store_session_insert(s, hash, &ss), STORE_ONE_ROW);
	return ss.id;
}

static void
test_insert_and_select(void **state)
{
	struct store *s = at_store(db);
	int64_t id = at_account(s, "session-select@example.org", true);
	uint8_t h[STORE_HASH_BYTES], other[STORE_HASH_BYTES];
	struct store_session ss, got;
	struct store_account a;
	char handle[33];
	int64_t now;

	(void)state;
	at_hash(h, 1);
	at_hash(other, 2);
	assert_int_equal(store_now(s, &now), STORE_ONE_ROW);
	memset(&ss, 0, sizeof(ss));
	at_hex32(handle);
	ss.id = 777;
	ss.handle = handle;
	ss.account_id = id;
	ss.auth_method = (char *)"eid";
	ss.loa = (char *)"high";
	ss.idle_expires_at = now + 900;
	ss.absolute_expires_at = now + 43200;
	ss.client = (char *)"2001:db8::1";
	ss.user_agent = (char *)"Browser/1.0 (X11)";
	assert_int_equal(store_session_insert(s, h, &ss), STORE_ONE_ROW);
	assert_true(ss.id > 0 && ss.id != 777);
	assert_in_range(ss.created_at, now, now + 5);
	assert_int_equal(ss.last_seen_at, ss.created_at);

	assert_int_equal(store_session_select(s, h, &got, &a), STORE_ONE_ROW);
	assert_int_equal(got.id, ss.id);
	assert_string_equal(got.handle, handle);
	assert_int_equal(got.account_id, id);
	assert_string_equal(got.auth_method, "eid");
	assert_string_equal(got.loa, "high");
	assert_int_equal(got.created_at, ss.created_at);
	assert_int_equal(got.last_seen_at, ss.created_at);
	assert_int_equal(got.idle_expires_at, now + 900);
	assert_int_equal(got.absolute_expires_at, now + 43200);
	assert_string_equal(got.client, "2001:db8::1");
	assert_string_equal(got.user_agent, "Browser/1.0 (X11)");
	assert_true(got.current);
	assert_int_equal(a.id, id);
	assert_string_equal(a.email, "session-select@example.org");
	assert_true(a.email_verified);
	assert_false(a.locked);
	store_session_clear(&got);
	store_account_clear(&a);
	store_session_clear(&got);

	assert_int_equal(store_session_select(s, other, &got, &a),
			 STORE_NO_ROW);
	assert_null(got.handle);
	assert_null(a.email);
	store_session_clear(&got);
	store_account_clear(&a);

	/* NULL client and user agent are allowed. */
	at_hash(other, 3);
	at_hex32(handle);
	ss.handle = handle;
	ss.client = NULL;
	ss.user_agent = NULL;
	assert_int_equal(store_session_insert(s, other, &ss), STORE_ONE_ROW);
	assert_int_equal(store_session_select(s, other, &got, &a),
			 STORE_ONE_ROW);
	assert_null(got.client);
	assert_null(got.user_agent);
	store_session_clear(&got);
	store_account_clear(&a);
	/* The same hash or handle twice is refused. */
	assert_int_equal(store_session_insert(s, other, &ss), STORE_HARD_ERROR);
	store_free(s);
}

static void
test_select_only_live(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	int64_t id = at_account(s, "session-live@example.org", true);
	uint8_t idle[STORE_HASH_BYTES], abs[STORE_HASH_BYTES];
	struct store_session got;
	struct store_account a;
	char handle[33];
	int64_t sid_idle, sid_abs;

	(void)state;
	at_hash(idle, 4);
	at_hash(abs, 5);
	sid_idle = new_session(s, id, idle, 600, 3600, handle);
	sid_abs = new_session(s, id, abs, 600, 3600, handle);
	/* Idle time passed, absolute not yet. */
	at_exec(raw,
		"UPDATE sessions SET idle_expires_at = now() - interval"
		" '1 second' WHERE id = %lld",
		(long long)sid_idle);
	/* Both passed (idle never after absolute). */
	at_exec(raw,
		"UPDATE sessions SET idle_expires_at = now() - interval"
		" '1 minute', absolute_expires_at = now() - interval"
		" '1 second' WHERE id = %lld",
		(long long)sid_abs);
	assert_int_equal(store_session_select(s, idle, &got, &a), STORE_NO_ROW);
	assert_int_equal(store_session_select(s, abs, &got, &a), STORE_NO_ROW);
	/* The database keeps the idle expiry within the absolute one. */
	assert_int_equal(at_sql_int(raw, "SELECT count(*) FROM sessions"
					 " WHERE idle_expires_at >"
					 " absolute_expires_at"),
			 0);
	PQfinish(raw);
	store_free(s);
}

static void
test_select_account_state(void **state)
{
	struct store *s = at_store(db);
	int64_t locked = at_account(s, "session-locked@example.org", true);
	int64_t unverified =
		at_account(s, "session-unverified@example.org", false);
	uint8_t hl[STORE_HASH_BYTES], hu[STORE_HASH_BYTES];
	struct store_session got;
	struct store_account a;
	char handle[33];

	(void)state;
	at_hash(hl, 6);
	at_hash(hu, 7);
	(void)new_session(s, locked, hl, 600, 3600, handle);
	(void)new_session(s, unverified, hu, 600, 3600, handle);
	assert_int_equal(store_account_update_status(s, locked, true),
			 STORE_ONE_ROW);
	assert_int_equal(store_session_select(s, hl, &got, &a), STORE_NO_ROW);
	assert_int_equal(store_session_select(s, hu, &got, &a), STORE_NO_ROW);
	/* Unlocked and verified, the same sessions work again. */
	assert_int_equal(store_account_update_status(s, locked, false),
			 STORE_ONE_ROW);
	assert_int_equal(store_session_select(s, hl, &got, &a), STORE_ONE_ROW);
	store_session_clear(&got);
	store_account_clear(&a);
	assert_int_equal(store_account_verify_email(s, unverified),
			 STORE_ONE_ROW);
	assert_int_equal(store_session_select(s, hu, &got, &a), STORE_ONE_ROW);
	store_session_clear(&got);
	store_account_clear(&a);
	store_free(s);
}

static void
test_touch(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	int64_t id = at_account(s, "session-touch@example.org", true);
	uint8_t h[STORE_HASH_BYTES], h2[STORE_HASH_BYTES];
	struct store_session got;
	struct store_account a;
	char handle[33];
	int64_t sid, sid2, now;

	(void)state;
	at_hash(h, 8);
	at_hash(h2, 9);
	sid = new_session(s, id, h, 60, 3600, handle);
	at_exec(raw,
		"UPDATE sessions SET last_seen_at = now() - interval"
		" '5 minutes' WHERE id = %lld",
		(long long)sid);
	assert_int_equal(store_session_touch(s, sid, 600), STORE_ONE_ROW);
	assert_int_equal(store_now(s, &now), STORE_ONE_ROW);
	assert_int_equal(store_session_select(s, h, &got, &a), STORE_ONE_ROW);
	assert_in_range(got.idle_expires_at, now + 598, now + 600);
	assert_in_range(got.last_seen_at, now - 2, now);
	store_session_clear(&got);
	store_account_clear(&a);

	/* Touching never extends past the absolute expiry. */
	assert_int_equal(store_session_touch(s, sid, 86400), STORE_ONE_ROW);
	assert_int_equal(store_session_select(s, h, &got, &a), STORE_ONE_ROW);
	assert_int_equal(got.idle_expires_at, got.absolute_expires_at);
	store_session_clear(&got);
	store_account_clear(&a);
	assert_int_equal(store_session_touch(s, sid, INT32_MAX), STORE_ONE_ROW);
	assert_int_equal(at_sql_int(raw,
				    "SELECT count(*) FROM sessions"
				    " WHERE id = %lld AND"
				    " idle_expires_at ="
				    " absolute_expires_at",
				    (long long)sid),
			 1);

	/* Nor does inserting: an idle expiry past absolute is cut. */
	sid2 = new_session(s, id, h2, 7200, 3600, handle);
	assert_int_equal(store_session_select(s, h2, &got, &a), STORE_ONE_ROW);
	assert_int_equal(got.idle_expires_at, got.absolute_expires_at);
	store_session_clear(&got);
	store_account_clear(&a);

	/* An idle-expired session is not revived by a late touch. */
	at_exec(raw,
		"UPDATE sessions SET idle_expires_at = now() - interval"
		" '1 second' WHERE id = %lld",
		(long long)sid2);
	assert_int_equal(store_session_touch(s, sid2, 600), STORE_NO_ROW);
	assert_int_equal(store_session_select(s, h2, &got, &a), STORE_NO_ROW);
	assert_int_equal(store_session_touch(s, INT64_MAX, 600), STORE_NO_ROW);
	PQfinish(raw);
	store_free(s);
}

static void
test_delete(void **state)
{
	struct store *s = at_store(db);
	int64_t id = at_account(s, "session-delete@example.org", true);
	int64_t mallory = at_account(s, "session-mallory@example.org", true);
	uint8_t h[STORE_HASH_BYTES], hm[STORE_HASH_BYTES];
	struct store_session got;
	struct store_account a;
	char handle[33], mhandle[33];

	(void)state;
	at_hash(h, 10);
	at_hash(hm, 11);
	(void)new_session(s, id, h, 600, 3600, handle);
	(void)new_session(s, mallory, hm, 600, 3600, mhandle);

	/* Someone else's handle, from another account: not theirs to end. */
	assert_int_equal(store_session_delete_handle(s, mallory, handle),
			 STORE_NO_ROW);
	assert_int_equal(store_session_select(s, h, &got, &a), STORE_ONE_ROW);
	store_session_clear(&got);
	store_account_clear(&a);
	assert_int_equal(store_session_delete_handle(s, id, "nonsense"),
			 STORE_NO_ROW);
	assert_int_equal(store_session_delete_handle(s, id, handle),
			 STORE_ONE_ROW);
	assert_int_equal(store_session_select(s, h, &got, &a), STORE_NO_ROW);
	assert_int_equal(store_session_delete_handle(s, id, handle),
			 STORE_NO_ROW);

	/* Logout by cookie hash. */
	assert_int_equal(store_session_delete(s, hm), STORE_ONE_ROW);
	assert_int_equal(store_session_select(s, hm, &got, &a), STORE_NO_ROW);
	assert_int_equal(store_session_delete(s, hm), STORE_NO_ROW);
	store_free(s);
}

static void
test_delete_account(void **state)
{
	struct store *s = at_store(db);
	int64_t id = at_account(s, "session-others@example.org", true);
	int64_t other = at_account(s, "session-bystander@example.org", true);
	uint8_t h[4][STORE_HASH_BYTES], ho[STORE_HASH_BYTES];
	struct store_session got;
	struct store_account a;
	char handle[33];
	int64_t n = -1;

	(void)state;
	for (int i = 0; i < 4; i++) {
		at_hash(h[i], (uint8_t)(12 + i));
		(void)new_session(s, id, h[i], 600, 3600, handle);
	}
	at_hash(ho, 16);
	(void)new_session(s, other, ho, 600, 3600, handle);

	assert_int_equal(store_session_delete_account(s, id, h[2], &n),
			 STORE_ONE_ROW);
	assert_int_equal(n, 3);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(store_session_select(s, h[i], &got, &a),
				 i == 2 ? STORE_ONE_ROW : STORE_NO_ROW);
		store_session_clear(&got);
		store_account_clear(&a);
	}
	/* Keeping another account's session does not spare ours. */
	assert_int_equal(store_session_delete_account(s, id, ho, &n),
			 STORE_ONE_ROW);
	assert_int_equal(n, 1);
	assert_int_equal(store_session_delete_account(s, id, NULL, &n),
			 STORE_ONE_ROW);
	assert_int_equal(n, 0);
	assert_int_equal(store_session_select(s, ho, &got, &a), STORE_ONE_ROW);
	store_session_clear(&got);
	store_account_clear(&a);
	assert_int_equal(store_session_delete_account(s, other, NULL, &n),
			 STORE_ONE_ROW);
	assert_int_equal(n, 1);
	store_free(s);
}

/* What iterate handed to its callback. */
struct seen {
	int n;
	int64_t ids[8];
	bool current[8];
	char handles[8][33];
};

static void
seen_cb(const struct store_session *ss, void *cls)
{
	struct seen *v = cls;

	assert_true(v->n < 8);
	v->ids[v->n] = ss->id;
	v->current[v->n] = ss->current;
	assert_non_null(ss->handle);
	(void)snprintf(v->handles[v->n], 33, "%s", ss->handle);
	v->n++;
}

static void
test_iterate(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	int64_t id = at_account(s, "session-list@example.org", true);
	int64_t other = at_account(s, "session-list2@example.org", true);
	uint8_t h[4][STORE_HASH_BYTES], ho[STORE_HASH_BYTES];
	uint8_t none[STORE_HASH_BYTES];
	int64_t sid[4];
	char handle[4][33], ohandle[33];
	struct seen v;

	(void)state;
	for (int i = 0; i < 4; i++) {
		at_hash(h[i], (uint8_t)(20 + i));
		sid[i] = new_session(s, id, h[i], 600, 3600, handle[i]);
	}
	at_hash(ho, 24);
	at_hash(none, 25);
	(void)new_session(s, other, ho, 600, 3600, ohandle);
	/* Login times: 1 oldest ... 0 newest; 3 has expired. */
	at_exec(raw,
		"UPDATE sessions SET created_at = now() - interval"
		" '1 minute' WHERE id = %lld",
		(long long)sid[0]);
	at_exec(raw,
		"UPDATE sessions SET created_at = now() - interval"
		" '3 minutes' WHERE id = %lld",
		(long long)sid[1]);
	at_exec(raw,
		"UPDATE sessions SET created_at = now() - interval"
		" '2 minutes' WHERE id = %lld",
		(long long)sid[2]);
	at_exec(raw,
		"UPDATE sessions SET idle_expires_at = now() - interval"
		" '1 second' WHERE id = %lld",
		(long long)sid[3]);

	memset(&v, 0, sizeof(v));
	assert_int_equal(store_session_iterate(s, id, h[2], seen_cb, &v), 3);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.ids[0], sid[0]);
	assert_int_equal(v.ids[1], sid[2]);
	assert_int_equal(v.ids[2], sid[1]);
	assert_false(v.current[0]);
	assert_true(v.current[1]);
	assert_false(v.current[2]);
	assert_string_equal(v.handles[1], handle[2]);

	/* No current session, or one that is not in the list. */
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_session_iterate(s, id, NULL, seen_cb, &v), 3);
	assert_false(v.current[0] || v.current[1] || v.current[2]);
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_session_iterate(s, id, ho, seen_cb, &v), 3);
	assert_false(v.current[0] || v.current[1] || v.current[2]);
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_session_iterate(s, id, h[3], seen_cb, &v), 3);
	assert_false(v.current[0] || v.current[1] || v.current[2]);

	memset(&v, 0, sizeof(v));
	assert_int_equal(store_session_iterate(s, INT64_MAX, none, seen_cb, &v),
			 0);
	assert_int_equal(v.n, 0);
	PQfinish(raw);
	store_free(s);
}

static void
test_purge(void **state)
{
	const char *own = at_migrated_db();
	struct store *s = at_store(own);
	PGconn *raw = testdb_connect(own);
	int64_t id = at_account(s, "session-purge@example.org", true);
	uint8_t h[3][STORE_HASH_BYTES];
	int64_t sid[3], n = -1;
	char handle[33];

	(void)state;
	for (int i = 0; i < 3; i++) {
		at_hash(h[i], (uint8_t)(30 + i));
		sid[i] = new_session(s, id, h[i], 600, 3600, handle);
	}
	at_exec(raw,
		"UPDATE sessions SET idle_expires_at = now() - interval"
		" '1 second' WHERE id = %lld",
		(long long)sid[0]);
	at_exec(raw,
		"UPDATE sessions SET idle_expires_at = now() - interval"
		" '1 hour', absolute_expires_at = now() - interval"
		" '1 second' WHERE id = %lld",
		(long long)sid[1]);
	assert_int_equal(store_session_purge(s, &n), STORE_ONE_ROW);
	assert_int_equal(n, 2);
	assert_int_equal(at_sql_int(raw, "SELECT count(*) FROM sessions"), 1);
	assert_int_equal(at_sql_int(raw, "SELECT id FROM sessions"), sid[2]);
	assert_int_equal(store_session_purge(s, &n), STORE_ONE_ROW);
	assert_int_equal(n, 0);
	PQfinish(raw);
	store_free(s);
}

static void
test_hostile(void **state)
{
	struct store *s = at_store(db);
	int64_t id = at_account(s, "session-hostile@example.org", true);
	uint8_t h[STORE_HASH_BYTES];
	struct store_session ss, got;
	struct store_account a;
	char handle[33], *big;
	const char *meta = "Mozilla'); DELETE FROM sessions;-- \\ $1 %s";
	int64_t now;

	(void)state;
	big = malloc(1024 * 1024 + 1);
	assert_non_null(big);
	memset(big, 'x', 1024 * 1024);
	big[1024 * 1024] = '\0';
	assert_int_equal(store_now(s, &now), STORE_ONE_ROW);
	at_hash(h, 40);
	memset(&ss, 0, sizeof(ss));
	at_hex32(handle);
	ss.handle = handle;
	ss.account_id = id;
	ss.auth_method = (char *)"password";
	ss.loa = (char *)"low";
	ss.idle_expires_at = now + 600;
	ss.absolute_expires_at = now + 3600;

	ss.user_agent = big;
	assert_int_equal(store_session_insert(s, h, &ss), STORE_HARD_ERROR);
	ss.user_agent = (char *)"bad \xed\xa0\x80 surrogate";
	assert_int_equal(store_session_insert(s, h, &ss), STORE_HARD_ERROR);
	ss.user_agent = NULL;
	ss.client = big;
	assert_int_equal(store_session_insert(s, h, &ss), STORE_HARD_ERROR);
	ss.client = NULL;
	ss.handle = (char *)"../../etc/passwd";
	assert_int_equal(store_session_insert(s, h, &ss), STORE_HARD_ERROR);
	ss.handle = handle;
	ss.auth_method = (char *)"magic";
	assert_int_equal(store_session_insert(s, h, &ss), STORE_HARD_ERROR);
	ss.auth_method = (char *)"password";
	ss.loa = (char *)"ultra";
	assert_int_equal(store_session_insert(s, h, &ss), STORE_HARD_ERROR);
	ss.loa = (char *)"low";
	ss.account_id = INT64_MAX;
	assert_int_equal(store_session_insert(s, h, &ss), STORE_HARD_ERROR);
	ss.account_id = id;
	/* Times out of PostgreSQL's range. */
	ss.absolute_expires_at = INT64_MAX;
	assert_int_equal(store_session_insert(s, h, &ss), STORE_HARD_ERROR);
	ss.absolute_expires_at = now + 3600;
	assert_int_equal(store_session_delete_handle(s, id, big), STORE_NO_ROW);
	assert_int_equal(store_session_delete_handle(s, id, "\xff"),
			 STORE_HARD_ERROR);

	ss.user_agent = (char *)(uintptr_t)meta;
	assert_int_equal(store_session_insert(s, h, &ss), STORE_ONE_ROW);
	assert_int_equal(store_session_select(s, h, &got, &a), STORE_ONE_ROW);
	assert_string_equal(got.user_agent, meta);
	store_session_clear(&got);
	store_account_clear(&a);
	assert_int_equal(store_session_delete_handle(s, id, "' OR '1'='1"),
			 STORE_NO_ROW);
	assert_int_equal(store_session_select(s, h, &got, &a), STORE_ONE_ROW);
	store_session_clear(&got);
	store_account_clear(&a);
	free(big);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_and_select),
		cmocka_unit_test(test_select_only_live),
		cmocka_unit_test(test_select_account_state),
		cmocka_unit_test(test_touch),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_delete_account),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_purge),
		cmocka_unit_test(test_hostile),
	};

	db = at_migrated_db();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
