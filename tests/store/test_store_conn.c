/*
 * The store's connection against a real PostgreSQL: what a connect sets
 * up, statement timeout, reconnect after the backend is killed, bad
 * connection strings, hostile parameter values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "idp/common/limits.h"
#include "store_test.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The pid of the one backend that @application_name has on @admin's db. */
static char *
backend_pid(PGconn *admin, const char *application_name)
{
	char sql[256];

	(void)snprintf(sql, sizeof(sql),
		       "SELECT pid FROM pg_stat_activity"
		       " WHERE datname = current_database()"
		       " AND application_name = '%s'",
		       application_name);
	return testdb_query(admin, sql);
}

static void
kill_backend(PGconn *admin, const char *pid)
{
	char sql[128], *ok;

	/* With a timeout it returns once the backend is gone. */
	(void)snprintf(sql, sizeof(sql),
		       "SELECT pg_terminate_backend(%s, 10000)", pid);
	ok = testdb_query(admin, sql);
	assert_string_equal(ok, "t");
	free(ok);
}

static void
test_connect_sets_up_session(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db, 3, 5000);
	char *pid, *custom_db, *v;
	PGconn *admin;

	(void)state;
	assert_int_equal(store_ping(s), STORE_ONE_ROW);
	assert_false(store_connection_lost(s));
	assert_string_equal(store_error_peek(s), "");
	/* store_ensure() on a live connection is a no-op. */
	assert_int_equal(store_ensure(s), 0);

	admin = testdb_connect(db);
	pid = backend_pid(admin, "idpd");
	assert_true(pid[0] != '\0');
	free(pid);
	store_free(s);

	/*
	 * The conninfo may choose application_name but not
	 * client_encoding: "\xc3\xa4" must arrive as one character (a
	 * umlaut), not as two LATIN1 characters.
	 */
	custom_db = testdb_conninfo_with(db, "application_name", "custom");
	v = testdb_conninfo_with(custom_db, "client_encoding", "LATIN1");
	free(custom_db);
	s = connected_store(v, 3, 5000);
	free(v);
	pid = backend_pid(admin, "custom");
	assert_true(pid[0] != '\0');
	free(pid);
	assert_int_equal(store_setting_upsert(s, "umlaut", "\xc3\xa4"),
			 STORE_ONE_ROW);
	v = testdb_query(admin, "SELECT length(value) FROM settings"
				" WHERE key = 'umlaut'");
	assert_string_equal(v, "1");
	free(v);
	store_free(s);
	PQfinish(admin);
}

static void
test_statement_timeout(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db, 3, 200);
	char *ignored;
	PGconn *admin;

	(void)state;
	assert_int_equal(store_setting_upsert(s, "locked", "a"), STORE_ONE_ROW);
	/* Hold the row lock from another session. */
	admin = testdb_connect(db);
	ignored = testdb_query(admin, "BEGIN; UPDATE settings SET value = 'b'"
				      " WHERE key = 'locked'");
	free(ignored);
	assert_int_equal(store_setting_upsert(s, "locked", "c"),
			 STORE_HARD_ERROR);
	assert_false(store_connection_lost(s));
	ignored = testdb_query(admin, "ROLLBACK");
	free(ignored);
	assert_int_equal(store_setting_upsert(s, "locked", "d"), STORE_ONE_ROW);
	PQfinish(admin);
	store_free(s);
}

static int
kill_self_cb(struct store *s, void *cls)
{
	PGconn *admin = cls;
	char *pid;

	pid = backend_pid(admin, "idpd");
	kill_backend(admin, pid);
	free(pid);
	return store_setting_upsert(s, "never", "written");
}

static void
test_reconnect_after_backend_killed(void **state)
{
	const char *db = migrated_db();
	uint64_t t0 = now_ms();
	struct store *s = connected_store(db, 3, 5000);
	uint64_t errors;
	PGconn *admin;
	char *pid, *value = NULL;

	(void)state;
	admin = testdb_connect(db);
	pid = backend_pid(admin, "idpd");
	assert_true(pid[0] != '\0');
	errors = store_error_count();
	kill_backend(admin, pid);
	free(pid);

	/* The request in flight fails, and says why. */
	assert_int_equal(store_ping(s), STORE_HARD_ERROR);
	assert_true(store_connection_lost(s));
	assert_true(store_error_count() > errors);
	assert_int_equal(store_setting_upsert(s, "k", "v"), STORE_HARD_ERROR);

	/* One connect per interval: the first one was at t0. */
	if (now_ms() - t0 + 50 < STORE_RECONNECT_INTERVAL_MS)
		assert_int_equal(store_ensure(s), IDP_ERR_UNAVAILABLE);
	(void)usleep((STORE_RECONNECT_INTERVAL_MS + 50) * 1000);
	assert_int_equal(store_ensure(s), 0);
	assert_false(store_connection_lost(s));
	assert_int_equal(store_ping(s), STORE_ONE_ROW);
	/* The application statements were prepared again. */
	assert_int_equal(store_setting_upsert(s, "k", "v"), STORE_ONE_ROW);
	assert_int_equal(store_setting_select(s, "k", &value), STORE_ONE_ROW);
	assert_string_equal(value, "v");
	free(value);

	/* Killed inside a transaction: the runner reports a hard error. */
	assert_int_equal(store_run_tx(s, "killed", false, kill_self_cb, admin),
			 STORE_HARD_ERROR);
	assert_true(store_connection_lost(s));
	(void)usleep((STORE_RECONNECT_INTERVAL_MS + 50) * 1000);
	assert_int_equal(store_ensure(s), 0);
	assert_int_equal(store_setting_select(s, "never", &value),
			 STORE_NO_ROW);

	PQfinish(admin);
	store_free(s);
}

static void
expect_unavailable(const char *conninfo, const char *secret)
{
	struct store *s = store_new(conninfo, 3, 5000);

	assert_non_null(s);
	assert_int_equal(store_ensure(s), IDP_ERR_UNAVAILABLE);
	assert_true(store_error_peek(s)[0] != '\0');
	assert_null(strchr(store_error_peek(s), '\n'));
	if (secret != NULL)
		assert_null(strstr(store_error_peek(s), secret));
	/* Statements on a store that is not connected fail cleanly. */
	assert_int_equal(store_ping(s), STORE_HARD_ERROR);
	/* The retry is rate-limited, and fails the same way after. */
	assert_int_equal(store_ensure(s), IDP_ERR_UNAVAILABLE);
	store_free(s);
}

static void
test_bad_conninfo(void **state)
{
	(void)state;
	expect_unavailable("host=/nonexistent/idp-test dbname=x "
			   "password=SECRETVALUE connect_timeout=2",
			   "SECRETVALUE");
	/* libpq would quote "words" in its syntax error. */
	expect_unavailable("host=/nonexistent/idp-test password=two words",
			   "words");
	expect_unavailable("postgresql://idp:SECRETVALUE@/x"
			   "?host=/nonexistent/idp-test",
			   "SECRETVALUE");
	expect_unavailable("nosuchoption=1", NULL);
}

/* Printable but incompressible, so TOAST cannot shrink it into an index. */
static char *
random_text(size_t n)
{
	uint64_t x = 88172645463325252u;
	char *out = malloc(n + 1);

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		out[i] = (char)('!' + (int)(x % 94));
	}
	out[n] = '\0';
	return out;
}

static void
test_hostile_values(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db, 3, 5000);
	const char *injection = "'; DROP TABLE settings; --\\\"";
	char *value = NULL, *big, *huge_key;

	(void)state;
	/* Invalid UTF-8 is refused by the server, cleanly. */
	assert_int_equal(store_setting_upsert(s, "k", "\xff\xfe\xfd"),
			 STORE_HARD_ERROR);
	assert_int_equal(store_setting_upsert(s, "\xc3\x28", "v"),
			 STORE_HARD_ERROR);
	assert_int_equal(store_setting_select(s, "\xe2\x82", &value),
			 STORE_HARD_ERROR);
	assert_null(value);
	assert_false(store_connection_lost(s));
	assert_int_equal(store_ping(s), STORE_ONE_ROW);

	/* Parameters are data, never SQL. */
	assert_int_equal(store_setting_upsert(s, injection, injection),
			 STORE_ONE_ROW);
	assert_int_equal(store_setting_select(s, injection, &value),
			 STORE_ONE_ROW);
	assert_string_equal(value, injection);
	free(value);

	/* A long value round-trips. */
	big = random_text(1024 * 1024);
	assert_int_equal(store_setting_upsert(s, "big", big), STORE_ONE_ROW);
	assert_int_equal(store_setting_select(s, "big", &value), STORE_ONE_ROW);
	assert_string_equal(value, big);
	free(value);
	free(big);

	/* A key too long for the primary key's index: a clean failure. */
	huge_key = random_text(64 * 1024);
	assert_int_equal(store_setting_upsert(s, huge_key, "v"),
			 STORE_HARD_ERROR);
	assert_false(store_connection_lost(s));
	assert_int_equal(store_setting_select(s, huge_key, &value),
			 STORE_NO_ROW);
	free(huge_key);
	assert_int_equal(store_ping(s), STORE_ONE_ROW);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_sets_up_session),
		cmocka_unit_test(test_statement_timeout),
		cmocka_unit_test(test_reconnect_after_backend_killed),
		cmocka_unit_test(test_bad_conninfo),
		cmocka_unit_test(test_hostile_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
