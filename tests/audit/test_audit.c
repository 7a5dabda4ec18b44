/*
 * idp/audit against a real PostgreSQL: an append commits or rolls back
 * with its transaction, concurrent appends from several stores form one
 * intact chain, bad calls are refused, details are escaped and bounded,
 * and every kind of tampering (through a raw libpq connection, as a DBA
 * would) makes audit_verify() name the exact first broken row.
 */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "idp/audit/audit.h"
#include "idp/crypto/crypt.h"
#include "idp/store/store.h"
#include "testdb.h"

#define SUBJECT "0123456789abcdef0123456789abcdef"

/* ---- helpers ---- */

static const char *
migrated_db(void)
{
	const char *db = testdb_create();
	char err[256];
	int applied;

	if (store_migrate(db, NULL, NULL, &applied, err, sizeof(err)) != 0)
		fail_msg("migrate: %s", err);
	return db;
}

static struct store *
connected_store(const char *db)
{
	struct store *s = store_new(db, 10, 10000);

	assert_non_null(s);
	if (store_ensure(s) != 0)
		fail_msg("store: %s", store_error_peek(s));
	return s;
}

/* Run @sql on @db through a raw connection; the first value, owned. */
static char *
raw(const char *db, const char *sql)
{
	PGconn *c = testdb_connect(db);
	char *v = testdb_query(c, sql);

	PQfinish(c);
	return v;
}

/* Run @sql; it must fail. Returns the error message, owned. */
static char *
raw_fails(const char *db, const char *sql)
{
	PGconn *c = testdb_connect(db);
	PGresult *r = PQexec(c, sql);
	char *msg;

	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	msg = strdup(PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	return msg;
}

static long long
raw_int(const char *db, const char *sql)
{
	char *v = raw(db, sql);
	long long n = strtoll(v, NULL, 10);

	free(v);
	return n;
}

struct append_args {
	const char *event;
	const char *actor;
	const char *subject;
	const char *client;
	const char *details;
	int n;	   /* appends in the one transaction */
	bool fail; /* return STORE_HARD_ERROR after appending */
	int last_rc;
};

static int
append_cb(struct store *s, void *cls)
{
	struct append_args *a = cls;
	int rc = STORE_ONE_ROW;

	for (int i = 0; i < a->n && rc == STORE_ONE_ROW; i++)
		rc = audit_append(s, a->event, a->actor, a->subject, a->client,
				  a->details);
	a->last_rc = rc;
	if (rc < 0)
		return rc;
	return a->fail ? STORE_HARD_ERROR : rc;
}

/* Append one event in its own transaction; returns store_run_tx's rc. */
static int
append1(struct store *s, const char *event, const char *subject,
	const char *client, const char *details)
{
	struct append_args a = {event,	 "citizen", subject, client,
				details, 1,	    false,   0};

	return store_run_tx(s, "test_audit", false, append_cb, &a);
}

/* A migrated database with @n appended events of varied shape. */
static const char *
chain_db(int n)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db);
	char details[64];

	for (int i = 1; i <= n; i++) {
		(void)snprintf(details, sizeof(details),
			       "{\"n\": %d, \"reason\": \"r%d\"}", i, i);
		assert_int_equal(
			append1(s, i % 2 ? "login_failed" : "login_succeeded",
				i % 3 ? SUBJECT : NULL,
				i % 4 ? "192.0.2.1" : NULL, details),
			STORE_ONE_ROW);
	}
	store_free(s);
	return db;
}

/* Verify @db; assert the outcome. */
static void
expect_verify(const char *db, int64_t bad, int64_t checked,
	      enum audit_break why)
{
	struct store *s = connected_store(db);
	struct audit_verify_result r;
	int64_t b, c;
	int rc = audit_verify_chain(s, &r);

	if (r.first_bad_seq != bad || r.why != why)
		fail_msg("verify: rc %d, first bad %" PRId64
			 " (%s), want %" PRId64 " (%s)",
			 rc, r.first_bad_seq, audit_break_text(r.why), bad,
			 audit_break_text(why));
	assert_int_equal(rc, bad == 0 ? 0 : IDP_ERR_INVALID);
	assert_int_equal(r.rows_checked, checked);
	/* The plain API says the same. */
	assert_int_equal(audit_verify(s, &b, &c), rc);
	assert_int_equal(b, bad);
	assert_int_equal(c, checked);
	store_free(s);
}

/* Let a raw connection change audit rows, as the table's owner can. */
static void
disable_guards(const char *db)
{
	free(raw(db, "ALTER TABLE audit_log DISABLE TRIGGER USER"));
	free(raw(db, "ALTER TABLE audit_head DISABLE TRIGGER USER"));
}

/* ---- appends ---- */

static void
test_append_committed(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db);
	char *v;

	(void)state;
	assert_int_equal(append1(s, "login_failed", SUBJECT, "2001:db8::1",
				 "{\"reason\": \"bad_password\"}"),
			 STORE_ONE_ROW);
	v = raw(db, "SELECT seq || ' ' || event || ' ' || actor || ' ' ||"
		    " subject || ' ' || client || ' ' || (details->>'reason')"
		    " || ' ' || encode(prev_hash, 'hex') FROM audit_log");
	assert_string_equal(v, "1 login_failed citizen " SUBJECT
			       " 2001:db8::1 bad_password "
			       "0000000000000000000000000000000000000000000000"
			       "000000000000000000");
	free(v);
	/* The head moved to the row, with the row's hash. */
	v = raw(db,
		"SELECT h.seq = 1 AND h.hash = l.hash AND"
		" h.prev_hash = l.prev_hash FROM audit_head h, audit_log l");
	assert_string_equal(v, "t");
	free(v);
	/* Empty subject and client are stored as NULL. */
	assert_int_equal(append1(s, "logout", "", "", "{}"), STORE_ONE_ROW);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit_log WHERE"
				     " seq = 2 AND subject IS NULL AND"
				     " client IS NULL"),
			 1);
	store_free(s);
	expect_verify(db, 0, 2, AUDIT_INTACT);
}

static void
test_append_rolled_back(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db);
	struct append_args a = {
		"password_changed", "citizen", SUBJECT, NULL, "{}", 3, true, 0};

	(void)state;
	assert_int_equal(store_run_tx(s, "t", false, append_cb, &a),
			 STORE_HARD_ERROR);
	assert_int_equal(a.last_rc, STORE_ONE_ROW);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit_log"), 0);
	assert_int_equal(raw_int(db, "SELECT seq FROM audit_head"), 0);
	/* The next committed append is row 1: no gap from the rollback. */
	assert_int_equal(append1(s, "logout", SUBJECT, NULL, "{}"),
			 STORE_ONE_ROW);
	assert_int_equal(raw_int(db, "SELECT min(seq) FROM audit_log"), 1);
	/* Several appends in one transaction chain in order. */
	a.fail = false;
	assert_int_equal(store_run_tx(s, "t", false, append_cb, &a),
			 STORE_ONE_ROW);
	assert_int_equal(raw_int(db, "SELECT max(seq) FROM audit_log"), 4);
	store_free(s);
	expect_verify(db, 0, 4, AUDIT_INTACT);
}

static void
test_append_refuses_bad_calls(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db);
	char *long_event = g_strnfill(AUDIT_EVENT_MAX + 1, 'a');
	char *long_actor = g_strnfill(AUDIT_ACTOR_MAX + 1, 'a');
	char *long_client = g_strnfill(AUDIT_CLIENT_MAX + 1, '1');
	char *long_details =
		g_strdup_printf("{\"x\": \"%0*d\"}", AUDIT_DETAILS_MAX, 0);
	char *ok_event = g_strnfill(AUDIT_EVENT_MAX, 'a');
	struct {
		const char *event, *actor, *subject, *client, *details;
	} bad[] = {
		{NULL, "citizen", NULL, NULL, "{}"},
		{"", "citizen", NULL, NULL, "{}"},
		{"Login_failed", "citizen", NULL, NULL, "{}"},
		{"login-failed", "citizen", NULL, NULL, "{}"},
		{"1login", "citizen", NULL, NULL, "{}"},
		{"login failed", "citizen", NULL, NULL, "{}"},
		{long_event, "citizen", NULL, NULL, "{}"},
		{"logout", NULL, NULL, NULL, "{}"},
		{"logout", "", NULL, NULL, "{}"},
		{"logout", long_actor, NULL, NULL, "{}"},
		{"logout", "citizen", "\xff\xfe", NULL, "{}"},
		{"logout", "citizen", NULL, long_client, "{}"},
		{"logout", "citizen", NULL, NULL, NULL},
		{"logout", "citizen", NULL, NULL, ""},
		{"logout", "citizen", NULL, NULL, "[]"},
		{"logout", "citizen", NULL, NULL, "null"},
		{"logout", "citizen", NULL, NULL, long_details},
		/* These pass our checks; PostgreSQL refuses them. */
		{"logout", "citizen", NULL, NULL, "{not json"},
		{"logout", "citizen", NULL, NULL, "{} []"},
		{"logout", "citizen", NULL, NULL, "{\"a\": \"\\u0000\"}"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct append_args a = {bad[i].event,	bad[i].actor,
					bad[i].subject, bad[i].client,
					bad[i].details, 1,
					false,		0};

		if (store_run_tx(s, "t", false, append_cb, &a) !=
		    STORE_HARD_ERROR)
			fail_msg("bad call %zu accepted", i);
	}
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit_log"), 0);
	/* The limits themselves are fine; the store still works. */
	assert_int_equal(append1(s, ok_event, SUBJECT, NULL, "  {}"),
			 STORE_ONE_ROW);
	store_free(s);
	expect_verify(db, 0, 1, AUDIT_INTACT);
	g_free(long_event);
	g_free(long_actor);
	g_free(long_client);
	g_free(long_details);
	g_free(ok_event);
}

static void
test_details(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db);
	char *d, *v, *big;

	(void)state;
	d = audit_details("reason", "bad \"pw\"\n\\", "attempts", "3", "gone",
			  NULL, NULL);
	assert_string_equal(d, "{\"reason\":\"bad \\\"pw\\\"\\n\\\\\","
			       "\"attempts\":\"3\",\"gone\":null}");
	assert_int_equal(append1(s, "login_failed", SUBJECT, NULL, d),
			 STORE_ONE_ROW);
	g_free(d);
	v = raw(db, "SELECT details->>'reason' FROM audit_log");
	assert_string_equal(v, "bad \"pw\"\n\\");
	free(v);

	/* Invalid UTF-8 and control characters still give valid JSON. */
	d = audit_details("ua", "\xff\x01\xc3\xa4", NULL);
	assert_string_equal(d, "{\"ua\":\"\\ufffd\\u0001\xc3\xa4\"}");
	assert_int_equal(append1(s, "login_failed", SUBJECT, NULL, d),
			 STORE_ONE_ROW);
	g_free(d);

	/* A huge value is cut, marked, and the row is still written. */
	big = g_strnfill(100000, 'x');
	d = audit_details("ua", big, NULL);
	assert_true(strlen(d) <= AUDIT_DETAILS_VALUE_MAX + 16);
	assert_non_null(strstr(d, "[...]\"}"));
	assert_int_equal(append1(s, "login_failed", SUBJECT, NULL, d),
			 STORE_ONE_ROW);
	g_free(d);
	g_free(big);

	/* Bad keys, repeated keys, too many pairs: NULL, and no row. */
	assert_null(audit_details("Reason", "x", NULL));
	assert_null(audit_details("re-ason", "x", NULL));
	assert_null(audit_details("", "x", NULL));
	assert_null(audit_details("a", "x", "a", "y", NULL));
	assert_null(audit_details("a", "1", "b", "2", "c", "3", "d", "4", "e",
				  "5", "f", "6", "g", "7", "h", "8", "i", "9",
				  "j", "10", "k", "11", "l", "12", "m", "13",
				  NULL));
	d = audit_details("a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f",
			  "6", "g", "7", "h", "8", "i", "9", "j", "10", "k",
			  "11", "l", "12", NULL);
	assert_non_null(d);
	g_free(d);
	assert_int_equal(append1(s, "login_failed", SUBJECT, NULL,
				 audit_details("Bad", "x", NULL)),
			 STORE_HARD_ERROR);
	store_free(s);
	expect_verify(db, 0, 3, AUDIT_INTACT);
}

/* Unicode everywhere still hashes the same in SQL and in C. */
static void
test_unicode_fields(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db);
	struct append_args a = {
		"profile_changed",
		"operator:j\xc3\xbcrgen",
		"\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f",
		"::ffff:192.0.2.1",
		"{\"emoji\": \"\xf0\x9f\x98\x80\", \"e\": \"e\xcc\x81\","
		" \"n\": 1.50, \"t\": true, \"z\": null, \"o\": {\"b\": [1, "
		"2]}}",
		1,
		false,
		0};

	(void)state;
	assert_int_equal(store_run_tx(s, "t", false, append_cb, &a),
			 STORE_ONE_ROW);
	store_free(s);
	expect_verify(db, 0, 1, AUDIT_INTACT);
}

/* ---- concurrency ---- */

#define THREADS		   4
#define APPENDS_PER_THREAD 40

struct worker_arg {
	const char *db;
	int index;
	int failures;
};

static void *
worker(void *p)
{
	struct worker_arg *w = p;
	struct store *s = store_new(w->db, 20, 20000);
	char details[64];

	if (s == NULL || store_ensure(s) != 0) {
		w->failures = APPENDS_PER_THREAD;
		store_free(s);
		return NULL;
	}
	for (int i = 0; i < APPENDS_PER_THREAD; i++) {
		struct append_args a = {
			"login_succeeded", "citizen", SUBJECT, "198.51.100.7",
			details,	   1,	      false,   0};

		(void)snprintf(details, sizeof(details),
			       "{\"thread\": %d, \"i\": %d}", w->index, i);
		/* Half the threads run SERIALIZABLE: conflicts retry. */
		if (store_run_tx(s, "t", w->index % 2 == 1, append_cb, &a) !=
		    STORE_ONE_ROW)
			w->failures++;
	}
	store_free(s);
	return NULL;
}

static void
test_concurrent_appends(void **state)
{
	const char *db = migrated_db();
	struct worker_arg args[THREADS];
	pthread_t t[THREADS];

	(void)state;
	for (int i = 0; i < THREADS; i++) {
		args[i] = (struct worker_arg){db, i, 0};
		assert_int_equal(pthread_create(&t[i], NULL, worker, &args[i]),
				 0);
	}
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(args[i].failures, 0);
	}
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit_log"),
			 THREADS * APPENDS_PER_THREAD);
	assert_int_equal(raw_int(db, "SELECT max(seq) FROM audit_log"),
			 THREADS * APPENDS_PER_THREAD);
	/* Every thread's every event landed exactly once. */
	assert_int_equal(raw_int(db, "SELECT count(DISTINCT details::text)"
				     " FROM audit_log"),
			 THREADS * APPENDS_PER_THREAD);
	expect_verify(db, 0, THREADS * APPENDS_PER_THREAD, AUDIT_INTACT);
}

/* ---- tampering ---- */

static void
test_guards_refuse_changes(void **state)
{
	const char *db = chain_db(3);
	char *msg;

	(void)state;
	msg = raw_fails(db, "UPDATE audit_log SET event = 'logout'"
			    " WHERE seq = 2");
	assert_non_null(strstr(msg, "append-only"));
	free(msg);
	msg = raw_fails(db, "DELETE FROM audit_log WHERE seq = 2");
	assert_non_null(strstr(msg, "append-only"));
	free(msg);
	msg = raw_fails(db, "TRUNCATE audit_log");
	assert_non_null(strstr(msg, "append-only"));
	free(msg);
	msg = raw_fails(db, "DELETE FROM audit_head");
	free(msg);
	msg = raw_fails(db, "UPDATE audit_head SET seq = 1");
	free(msg);
	expect_verify(db, 0, 3, AUDIT_INTACT);
}

static void
test_tamper_details(void **state)
{
	const char *db = chain_db(10);

	(void)state;
	expect_verify(db, 0, 10, AUDIT_INTACT);
	disable_guards(db);
	free(raw(db, "UPDATE audit_log SET details = '{\"n\": 5, \"reason\":"
		     " \"nothing to see\"}' WHERE seq = 5"));
	expect_verify(db, 5, 4, AUDIT_BREAK_HASH);
}

static void
test_tamper_event_actor_time(void **state)
{
	const char *db = chain_db(10);

	(void)state;
	disable_guards(db);
	free(raw(db, "UPDATE audit_log SET event = 'login_succeeded'"
		     " WHERE seq = 3"));
	expect_verify(db, 3, 2, AUDIT_BREAK_HASH);

	db = chain_db(10);
	disable_guards(db);
	/* One microsecond is enough. */
	free(raw(db, "UPDATE audit_log SET at = at + interval '1 microsecond'"
		     " WHERE seq = 7"));
	expect_verify(db, 7, 6, AUDIT_BREAK_HASH);

	db = chain_db(10);
	disable_guards(db);
	/* NULL and '' are different values. */
	free(raw(db, "UPDATE audit_log SET client = NULL WHERE seq = 1"));
	expect_verify(db, 1, 0, AUDIT_BREAK_HASH);

	db = chain_db(10);
	disable_guards(db);
	free(raw(db, "UPDATE audit_log SET subject = 'someone else'"
		     " WHERE seq = 10"));
	expect_verify(db, 10, 9, AUDIT_BREAK_HASH);
}

static void
test_tamper_delete(void **state)
{
	const char *db = chain_db(10);

	(void)state;
	disable_guards(db);
	free(raw(db, "DELETE FROM audit_log WHERE seq = 4"));
	expect_verify(db, 4, 3, AUDIT_BREAK_MISSING);

	/* The last row: the head still names it. */
	db = chain_db(10);
	disable_guards(db);
	free(raw(db, "DELETE FROM audit_log WHERE seq >= 9"));
	expect_verify(db, 9, 8, AUDIT_BREAK_MISSING);

	/* The first row. */
	db = chain_db(10);
	disable_guards(db);
	free(raw(db, "DELETE FROM audit_log WHERE seq = 1"));
	expect_verify(db, 1, 0, AUDIT_BREAK_MISSING);

	/* Everything: the head still remembers three rows. */
	db = chain_db(3);
	disable_guards(db);
	free(raw(db, "TRUNCATE audit_log"));
	expect_verify(db, 1, 0, AUDIT_BREAK_MISSING);
}

static void
test_tamper_swap_hash(void **state)
{
	const char *db = chain_db(10);

	(void)state;
	disable_guards(db);
	free(raw(db, "UPDATE audit_log a SET hash = b.hash FROM audit_log b"
		     " WHERE (a.seq, b.seq) IN ((6, 7), (7, 6))"));
	expect_verify(db, 6, 5, AUDIT_BREAK_HASH);

	/* A hash of the wrong length (the check dropped first). */
	db = chain_db(4);
	disable_guards(db);
	free(raw(db,
		 "ALTER TABLE audit_log DROP CONSTRAINT audit_log_hash_check"));
	free(raw(db, "UPDATE audit_log SET hash = '\\x00' WHERE seq = 2"));
	expect_verify(db, 2, 1, AUDIT_BREAK_HASH);
}

/*
 * A row rewritten with a hash recomputed by the database's own function:
 * the row itself checks out, the link from the next row does not.
 */
static void
test_tamper_rehashed_row(void **state)
{
	const char *db = chain_db(10);

	(void)state;
	disable_guards(db);
	free(raw(db, "UPDATE audit_log SET details = '{\"forged\": true}',"
		     " hash = audit_hash(prev_hash, seq, at, event, actor,"
		     " subject, client, '{\"forged\": true}')"
		     " WHERE seq = 5"));
	expect_verify(db, 6, 5, AUDIT_BREAK_LINK);

	/* The last row rehashed: the head gives it away. */
	db = chain_db(10);
	disable_guards(db);
	free(raw(db, "UPDATE audit_log SET event = 'logout',"
		     " hash = audit_hash(prev_hash, seq, at, 'logout', actor,"
		     " subject, client, details) WHERE seq = 10"));
	expect_verify(db, 10, 10, AUDIT_BREAK_HEAD);

	/* A forged prev_hash alone. */
	db = chain_db(10);
	disable_guards(db);
	free(raw(db, "UPDATE audit_log SET prev_hash = hash WHERE seq = 8"));
	expect_verify(db, 8, 7, AUDIT_BREAK_LINK);
}

static void
test_tamper_head(void **state)
{
	const char *db = chain_db(5);

	(void)state;
	disable_guards(db);
	free(raw(db, "DELETE FROM audit_head"));
	expect_verify(db, 6, 5, AUDIT_BREAK_HEAD);

	/* An empty log whose head is gone. */
	db = migrated_db();
	disable_guards(db);
	free(raw(db, "DELETE FROM audit_head"));
	expect_verify(db, 1, 0, AUDIT_BREAK_HEAD);
	{
		/* Appends fail loudly rather than starting a new chain. */
		struct store *s = connected_store(db);

		assert_int_equal(append1(s, "logout", NULL, NULL, "{}"),
				 STORE_HARD_ERROR);
		store_free(s);
	}
}

/* Batches of 1000: breaks on and around the boundary are found. */
static void
test_long_chain(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db);
	struct append_args a = {"login_failed",
				"citizen",
				SUBJECT,
				"192.0.2.9",
				"{\"reason\": \"bad_password\"}",
				2501,
				false,
				0};

	(void)state;
	assert_int_equal(store_run_tx(s, "t", false, append_cb, &a),
			 STORE_ONE_ROW);
	store_free(s);
	expect_verify(db, 0, 2501, AUDIT_INTACT);
	disable_guards(db);
	free(raw(db, "UPDATE audit_log SET actor = 'system' WHERE seq = 2001"));
	expect_verify(db, 2001, 2000, AUDIT_BREAK_HASH);
	free(raw(db, "DELETE FROM audit_log WHERE seq = 1001"));
	expect_verify(db, 1001, 1000, AUDIT_BREAK_MISSING);
	free(raw(db, "DELETE FROM audit_log WHERE seq = 1000"));
	expect_verify(db, 1000, 999, AUDIT_BREAK_MISSING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_committed),
		cmocka_unit_test(test_append_rolled_back),
		cmocka_unit_test(test_append_refuses_bad_calls),
		cmocka_unit_test(test_details),
		cmocka_unit_test(test_unicode_fields),
		cmocka_unit_test(test_concurrent_appends),
		cmocka_unit_test(test_guards_refuse_changes),
		cmocka_unit_test(test_tamper_details),
		cmocka_unit_test(test_tamper_event_actor_time),
		cmocka_unit_test(test_tamper_delete),
		cmocka_unit_test(test_tamper_swap_hash),
		cmocka_unit_test(test_tamper_rehashed_row),
		cmocka_unit_test(test_tamper_head),
		cmocka_unit_test(test_long_chain),
	};

	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
