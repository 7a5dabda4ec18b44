/*
 * Login throttling and the database clock against a real PostgreSQL:
 * delays grow 0, 0, ..., 1, 2, 4, ... up to the cap; a quiet window
 * starts the count over; failures on several nodes at once are all
 * counted; reset, purge, hostile keys; store_now().
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "account_test.h"

static const char *db;

/*
 * The delay the last failure of @key set, exactly: blocked_until and
 * last_failure_at come from the same now() of the same statement.
 */
static int64_t
stored_delay(PGconn *raw, const char *key)
{
	return at_sql_int(raw,
			  "SELECT extract(epoch FROM blocked_until -"
			  " last_failure_at)::bigint FROM login_throttle"
			  " WHERE key = '%s'",
			  key);
}

static void
test_delays_grow(void **state)
{
	/* free = 3, max = 8 s. */
	static const int64_t want[] = {0, 0, 1, 2, 4, 8, 8, 8};
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	const char *key = "email:0011223344556677";
	int64_t failures, until, now, f2, u2;

	(void)state;
	assert_int_equal(store_throttle_select(s, key, 3600, &failures, &until),
			 STORE_NO_ROW);
	assert_int_equal(failures, 0);
	assert_int_equal(until, 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(store_throttle_fail(s, key, 3600, 3, 8,
						     &failures, &until),
				 STORE_ONE_ROW);
		assert_int_equal(failures, (int64_t)i + 1);
		assert_int_equal(stored_delay(raw, key), want[i]);
		/* Rounded up: never earlier than the true time. */
		assert_int_equal(store_now(s, &now), STORE_ONE_ROW);
		assert_in_range(until, now + want[i], now + want[i] + 2);
		assert_int_equal(store_throttle_select(s, key, 3600, &f2, &u2),
				 STORE_ONE_ROW);
		assert_int_equal(f2, failures);
		assert_int_equal(u2, until);
	}

	/* No free failures: the first already waits 2^1 s. */
	assert_int_equal(store_throttle_fail(s, "ip:192.0.2.7", 3600, 0, 300,
					     &failures, &until),
			 STORE_ONE_ROW);
	assert_int_equal(failures, 1);
	assert_int_equal(stored_delay(raw, "ip:192.0.2.7"), 2);
	PQfinish(raw);
	store_free(s);
}

static void
test_window_starts_over(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	const char *key = "ip:2001:db8:1::/64";
	int64_t failures, until;

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(store_throttle_fail(s, key, 3600, 2, 60,
						     &failures, &until),
				 STORE_ONE_ROW);
	assert_int_equal(failures, 5);
	/* The last failure was more than an hour ago. */
	at_exec(raw,
		"UPDATE login_throttle SET last_failure_at = now() -"
		" interval '61 minutes', blocked_until = now() -"
		" interval '60 minutes' WHERE key = '%s'",
		key);
	assert_int_equal(store_throttle_select(s, key, 3600, &failures, &until),
			 STORE_ONE_ROW);
	assert_int_equal(failures, 0);
	assert_int_equal(until, 0);
	/* A longer window still sees it. */
	assert_int_equal(store_throttle_select(s, key, 7200, &failures, &until),
			 STORE_ONE_ROW);
	assert_int_equal(failures, 5);
	assert_int_equal(
		store_throttle_fail(s, key, 3600, 2, 60, &failures, &until),
		STORE_ONE_ROW);
	assert_int_equal(failures, 1);
	assert_int_equal(stored_delay(raw, key), 0);
	PQfinish(raw);
	store_free(s);
}

static void
test_reset(void **state)
{
	struct store *s = at_store(db);
	const char *key = "email:reset";
	int64_t failures, until;

	(void)state;
	assert_int_equal(store_throttle_reset(s, key), STORE_NO_ROW);
	for (int i = 0; i < 4; i++)
		assert_int_equal(store_throttle_fail(s, key, 3600, 1, 60,
						     &failures, &until),
				 STORE_ONE_ROW);
	assert_int_equal(store_throttle_reset(s, key), STORE_ONE_ROW);
	assert_int_equal(store_throttle_select(s, key, 3600, &failures, &until),
			 STORE_NO_ROW);
	assert_int_equal(
		store_throttle_fail(s, key, 3600, 1, 60, &failures, &until),
		STORE_ONE_ROW);
	assert_int_equal(failures, 1);
	store_free(s);
}

/* Failing logins on many nodes at once, one store each. */
#define NODES	       6
#define FAILS_PER_NODE 15

struct node {
	struct store *s;
	pthread_barrier_t *barrier;
	const char *key;
	int ok;
};

static void *
node_thread(void *arg)
{
	struct node *n = arg;
	int64_t failures, until;

	(void)pthread_barrier_wait(n->barrier);
	for (int i = 0; i < FAILS_PER_NODE; i++)
		if (store_throttle_fail(n->s, n->key, 3600, 3, 60, &failures,
					&until) == STORE_ONE_ROW)
			n->ok++;
	return NULL;
}

static void
test_concurrent_failures(void **state)
{
	struct store *s = at_store(db);
	struct node n[NODES];
	pthread_barrier_t barrier;
	pthread_t th[NODES];
	int64_t failures, until;

	(void)state;
	/* A new key: the first failures race to insert the row. */
	assert_int_equal(pthread_barrier_init(&barrier, NULL, NODES), 0);
	for (int i = 0; i < NODES; i++) {
		n[i] = (struct node){at_store(db), &barrier, "ip:198.51.100.9",
				     0};
		assert_int_equal(
			pthread_create(&th[i], NULL, node_thread, &n[i]), 0);
	}
	for (int i = 0; i < NODES; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&barrier);
	for (int i = 0; i < NODES; i++) {
		assert_int_equal(n[i].ok, FAILS_PER_NODE);
		store_free(n[i].s);
	}
	assert_int_equal(store_throttle_select(s, "ip:198.51.100.9", 3600,
					       &failures, &until),
			 STORE_ONE_ROW);
	assert_int_equal(failures, NODES * FAILS_PER_NODE);
	store_free(s);
}

static void
test_huge_counts(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	const char *key = "email:huge";
	int64_t failures, until;

	(void)state;
	assert_int_equal(
		store_throttle_fail(s, key, 3600, 3, 900, &failures, &until),
		STORE_ONE_ROW);
	/* Near the column's limit the count stays put, the delay capped. */
	at_exec(raw,
		"UPDATE login_throttle SET failures = 2147483647"
		" WHERE key = '%s'",
		key);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(store_throttle_fail(s, key, 3600, 3, 900,
						     &failures, &until),
				 STORE_ONE_ROW);
		assert_int_equal(failures, 2147483647);
		assert_int_equal(stored_delay(raw, key), 900);
	}
	/* 2^62 and beyond: the cap still applies, nothing overflows. */
	at_exec(raw,
		"UPDATE login_throttle SET failures = 100"
		" WHERE key = '%s'",
		key);
	assert_int_equal(store_throttle_fail(s, key, 3600, 3, INT64_MAX / 2,
					     &failures, &until),
			 STORE_HARD_ERROR); /* the timestamp is out of range */
	assert_int_equal(
		store_throttle_fail(s, key, 3600, 3, 86400, &failures, &until),
		STORE_ONE_ROW);
	assert_int_equal(failures, 101);
	assert_int_equal(stored_delay(raw, key), 86400);
	PQfinish(raw);
	store_free(s);
}

static void
test_purge(void **state)
{
	const char *own = at_migrated_db();
	struct store *s = at_store(own);
	PGconn *raw = testdb_connect(own);
	int64_t failures, until, n = -1;

	(void)state;
	assert_int_equal(
		store_throttle_fail(s, "k:old", 3600, 3, 60, &failures, &until),
		STORE_ONE_ROW);
	assert_int_equal(store_throttle_fail(s, "k:old-blocked", 3600, 3, 60,
					     &failures, &until),
			 STORE_ONE_ROW);
	assert_int_equal(
		store_throttle_fail(s, "k:new", 3600, 3, 60, &failures, &until),
		STORE_ONE_ROW);
	at_exec(raw, "UPDATE login_throttle SET last_failure_at = now() -"
		     " interval '2 hours', blocked_until = now() - interval"
		     " '2 hours' WHERE key = 'k:old'");
	/* Old, but its block still runs (a long configured maximum). */
	at_exec(raw, "UPDATE login_throttle SET last_failure_at = now() -"
		     " interval '2 hours', blocked_until = now() + interval"
		     " '1 hour' WHERE key = 'k:old-blocked'");
	assert_int_equal(store_throttle_purge(s, 3600, &n), STORE_ONE_ROW);
	assert_int_equal(n, 1);
	assert_int_equal(at_sql_int(raw, "SELECT count(*) FROM login_throttle"
					 " WHERE key = 'k:old'"),
			 0);
	assert_int_equal(at_sql_int(raw, "SELECT count(*) FROM"
					 " login_throttle"),
			 2);
	assert_int_equal(store_throttle_purge(s, 3600, &n), STORE_ONE_ROW);
	assert_int_equal(n, 0);
	PQfinish(raw);
	store_free(s);
}

static void
test_hostile_keys(void **state)
{
	struct store *s = at_store(db);
	const char *meta = "email:'); DELETE FROM login_throttle;--";
	int64_t failures, until;
	char *big = malloc(1024 * 1024 + 1);

	(void)state;
	assert_non_null(big);
	memset(big, 'k', 1024 * 1024);
	big[1024 * 1024] = '\0';
	assert_int_equal(
		store_throttle_fail(s, big, 3600, 3, 60, &failures, &until),
		STORE_HARD_ERROR);
	assert_int_equal(store_throttle_fail(s, "ip:\xc3\x28", 3600, 3, 60,
					     &failures, &until),
			 STORE_HARD_ERROR);
	assert_int_equal(store_throttle_select(s, big, 3600, &failures, &until),
			 STORE_NO_ROW);
	assert_int_equal(
		store_throttle_select(s, "\xff", 3600, &failures, &until),
		STORE_HARD_ERROR);
	assert_int_equal(
		store_throttle_fail(s, meta, 3600, 3, 60, &failures, &until),
		STORE_ONE_ROW);
	assert_int_equal(
		store_throttle_fail(s, meta, 3600, 3, 60, &failures, &until),
		STORE_ONE_ROW);
	assert_int_equal(failures, 2);
	assert_int_equal(
		store_throttle_select(s, meta, 3600, &failures, &until),
		STORE_ONE_ROW);
	assert_int_equal(failures, 2);
	free(big);
	store_free(s);
}

static void
test_now(void **state)
{
	struct store *s = at_store(db);
	int64_t now = 0;
	time_t mine = time(NULL);

	(void)state;
	assert_int_equal(store_now(s, &now), STORE_ONE_ROW);
	/* Server and test share a machine, so a clock. */
	assert_in_range(now, (int64_t)mine - 2, (int64_t)mine + 2);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delays_grow),
		cmocka_unit_test(test_window_starts_over),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_concurrent_failures),
		cmocka_unit_test(test_huge_counts),
		cmocka_unit_test(test_purge),
		cmocka_unit_test(test_hostile_keys),
		cmocka_unit_test(test_now),
	};

	db = at_migrated_db();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
