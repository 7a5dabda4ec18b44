/*
 * E-mail link tokens against a real PostgreSQL: a link works once, only
 * for its purpose, only before it expires, and only once when many
 * requests use it at the same moment; invalidation, counting, purge.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "account_test.h"

static const char *db;

static void
test_consume_once(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	int64_t id = at_account(s, "token-once@example.org", false);
	uint8_t h[STORE_HASH_BYTES], unknown[STORE_HASH_BYTES];
	int64_t got_id = -1;
	char *email = NULL;

	(void)state;
	at_hash(h, 1);
	at_hash(unknown, 2);
	assert_int_equal(store_email_token_insert(s, h, id, STORE_TOKEN_VERIFY,
						  "token-once@example.org",
						  86400),
			 STORE_ONE_ROW);
	/* The expiry is ttl seconds after creation, on the server. */
	assert_int_equal(at_sql_int(raw,
				    "SELECT extract(epoch FROM"
				    " expires_at - created_at)::bigint"
				    " FROM email_tokens"
				    " WHERE account_id = %lld",
				    (long long)id),
			 86400);
	/* Only the hash is stored: the row holds exactly our 32 bytes. */
	assert_int_equal(at_sql_int(raw,
				    "SELECT length(token_hash)"
				    " FROM email_tokens"
				    " WHERE account_id = %lld",
				    (long long)id),
			 32);

	assert_int_equal(store_email_token_consume(s, unknown,
						   STORE_TOKEN_VERIFY, &got_id,
						   &email),
			 STORE_NO_ROW);
	assert_null(email);
	assert_int_equal(store_email_token_consume(s, h, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_ONE_ROW);
	assert_int_equal(got_id, id);
	assert_string_equal(email, "token-once@example.org");
	free(email);
	email = NULL;
	assert_int_equal(store_email_token_consume(s, h, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_NO_ROW);
	assert_null(email);
	assert_int_equal(got_id, 0);
	/* A hash can be inserted only once. */
	assert_int_equal(store_email_token_insert(s, h, id, STORE_TOKEN_VERIFY,
						  "token-once@example.org", 60),
			 STORE_HARD_ERROR);
	PQfinish(raw);
	store_free(s);
}

static void
test_consume_wrong_purpose(void **state)
{
	struct store *s = at_store(db);
	int64_t id = at_account(s, "token-purpose@example.org", true);
	uint8_t h[STORE_HASH_BYTES];
	int64_t got_id;
	char *email = NULL;

	(void)state;
	at_hash(h, 3);
	assert_int_equal(store_email_token_insert(s, h, id, STORE_TOKEN_RESET,
						  "token-purpose@example.org",
						  3600),
			 STORE_ONE_ROW);
	assert_int_equal(store_email_token_consume(s, h, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_NO_ROW);
	assert_int_equal(store_email_token_consume(s, h,
						   STORE_TOKEN_EMAIL_CHANGE,
						   &got_id, &email),
			 STORE_NO_ROW);
	/* The failed attempts did not use it up. */
	assert_int_equal(store_email_token_consume(s, h, STORE_TOKEN_RESET,
						   &got_id, &email),
			 STORE_ONE_ROW);
	assert_int_equal(got_id, id);
	free(email);
	/* An out-of-range purpose is refused, not sent. */
	assert_int_equal(store_email_token_consume(s, h,
						   (enum store_token_purpose)77,
						   &got_id, &email),
			 STORE_HARD_ERROR);
	assert_int_equal(store_email_token_insert(
				 s, h, id, (enum store_token_purpose) - 1,
				 "x@example.org", 60),
			 STORE_HARD_ERROR);
	store_free(s);
}

static void
test_consume_expired(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	int64_t id = at_account(s, "token-expired@example.org", false);
	uint8_t h[STORE_HASH_BYTES], h2[STORE_HASH_BYTES];
	int64_t got_id;
	char *email = NULL;

	(void)state;
	at_hash(h, 4);
	at_hash(h2, 5);
	/* A real 1 s lifetime, waited out. */
	assert_int_equal(store_email_token_insert(s, h, id, STORE_TOKEN_VERIFY,
						  "token-expired@example.org",
						  1),
			 STORE_ONE_ROW);
	(void)sleep(2);
	assert_int_equal(store_email_token_consume(s, h, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_NO_ROW);
	assert_null(email);
	/* And one expired by moving the clock of its row. */
	assert_int_equal(store_email_token_insert(s, h2, id, STORE_TOKEN_VERIFY,
						  "token-expired@example.org",
						  3600),
			 STORE_ONE_ROW);
	at_exec(raw,
		"UPDATE email_tokens SET expires_at = now()"
		" - interval '1 second' WHERE account_id = %lld",
		(long long)id);
	assert_int_equal(store_email_token_consume(s, h2, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_NO_ROW);
	/* A zero lifetime is expired at once. */
	at_hash(h2, 6);
	assert_int_equal(store_email_token_insert(s, h2, id, STORE_TOKEN_VERIFY,
						  "token-expired@example.org",
						  0),
			 STORE_ONE_ROW);
	assert_int_equal(store_email_token_consume(s, h2, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_NO_ROW);
	PQfinish(raw);
	store_free(s);
}

/* Many requests with the same link at once, each on its own store. */
#define RACERS 8

struct racer {
	struct store *s;
	pthread_barrier_t *barrier;
	const uint8_t *hash;
	int64_t id;
	char *email;
	int rc;
};

static void *
racer_thread(void *arg)
{
	struct racer *r = arg;

	(void)pthread_barrier_wait(r->barrier);
	r->rc = store_email_token_consume(r->s, r->hash, STORE_TOKEN_RESET,
					  &r->id, &r->email);
	return NULL;
}

static void
test_consume_concurrent(void **state)
{
	struct store *setup = at_store(db);
	int64_t id = at_account(setup, "token-race@example.org", true);
	struct racer r[RACERS];
	pthread_barrier_t barrier;
	pthread_t th[RACERS];
	uint8_t h[STORE_HASH_BYTES];

	(void)state;
	for (int i = 0; i < RACERS; i++)
		r[i].s = at_store(db);
	/* Several rounds: one round could pass by luck of scheduling. */
	for (int round = 0; round < 10; round++) {
		int won = 0;

		at_hash(h, 7);
		assert_int_equal(store_email_token_insert(
					 setup, h, id, STORE_TOKEN_RESET,
					 "token-race@example.org", 3600),
				 STORE_ONE_ROW);
		assert_int_equal(pthread_barrier_init(&barrier, NULL, RACERS),
				 0);
		for (int i = 0; i < RACERS; i++) {
			r[i].barrier = &barrier;
			r[i].hash = h;
			r[i].email = NULL;
			r[i].rc = 99;
			assert_int_equal(pthread_create(&th[i], NULL,
							racer_thread, &r[i]),
					 0);
		}
		for (int i = 0; i < RACERS; i++)
			assert_int_equal(pthread_join(th[i], NULL), 0);
		pthread_barrier_destroy(&barrier);
		for (int i = 0; i < RACERS; i++) {
			if (r[i].rc == STORE_ONE_ROW) {
				won++;
				assert_int_equal(r[i].id, id);
				assert_string_equal(r[i].email,
						    "token-race@example.org");
			} else {
				assert_int_equal(r[i].rc, STORE_NO_ROW);
				assert_null(r[i].email);
			}
			free(r[i].email);
		}
		assert_int_equal(won, 1);
	}
	for (int i = 0; i < RACERS; i++)
		store_free(r[i].s);
	store_free(setup);
}

static void
test_delete_and_count(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	int64_t id = at_account(s, "token-count@example.org", true);
	int64_t other = at_account(s, "token-count2@example.org", true);
	uint8_t v1[STORE_HASH_BYTES], v2[STORE_HASH_BYTES];
	uint8_t r1[STORE_HASH_BYTES], o1[STORE_HASH_BYTES];
	int64_t count = -1, newest = -1, now, got_id;
	char *email = NULL, hex[65];

	(void)state;
	at_hash(v1, 8);
	at_hash(v2, 9);
	at_hash(r1, 10);
	at_hash(o1, 11);
	assert_int_equal(store_email_token_count(s, id, STORE_TOKEN_VERIFY,
						 3600, &count, &newest),
			 STORE_ONE_ROW);
	assert_int_equal(count, 0);
	assert_int_equal(newest, 0);
	assert_int_equal(store_email_token_delete(s, id, STORE_TOKEN_VERIFY),
			 STORE_NO_ROW);

	assert_int_equal(store_email_token_insert(s, v1, id, STORE_TOKEN_VERIFY,
						  "token-count@example.org",
						  3600),
			 STORE_ONE_ROW);
	assert_int_equal(store_email_token_insert(s, v2, id, STORE_TOKEN_VERIFY,
						  "token-count@example.org",
						  3600),
			 STORE_ONE_ROW);
	assert_int_equal(store_email_token_insert(s, r1, id, STORE_TOKEN_RESET,
						  "token-count@example.org",
						  3600),
			 STORE_ONE_ROW);
	assert_int_equal(
		store_email_token_insert(s, o1, other, STORE_TOKEN_VERIFY,
					 "token-count2@example.org", 3600),
		STORE_ONE_ROW);
	/* One made two hours ago falls out of a one-hour window. */
	at_exec(raw,
		"UPDATE email_tokens SET created_at = now() - interval"
		" '2 hours' WHERE token_hash = decode('%s', 'hex')",
		at_hash_hex(v1, hex));
	assert_int_equal(store_now(s, &now), STORE_ONE_ROW);
	assert_int_equal(store_email_token_count(s, id, STORE_TOKEN_VERIFY,
						 3600, &count, &newest),
			 STORE_ONE_ROW);
	assert_int_equal(count, 1);
	assert_in_range(newest, now - 5, now);
	assert_int_equal(store_email_token_count(s, id, STORE_TOKEN_VERIFY,
						 3 * 3600, &count, &newest),
			 STORE_ONE_ROW);
	assert_int_equal(count, 2);

	/* Invalidate the verify links: the reset link and others stay. */
	assert_int_equal(store_email_token_delete(s, id, STORE_TOKEN_VERIFY),
			 STORE_ONE_ROW);
	assert_int_equal(store_email_token_consume(s, v1, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_NO_ROW);
	assert_int_equal(store_email_token_consume(s, v2, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_NO_ROW);
	assert_int_equal(store_email_token_consume(s, o1, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_ONE_ROW);
	free(email);
	email = NULL;
	/* Invalidated links still count: resending is limited by mails. */
	assert_int_equal(store_email_token_count(s, id, STORE_TOKEN_VERIFY,
						 3 * 3600, &count, &newest),
			 STORE_ONE_ROW);
	assert_int_equal(count, 2);
	assert_int_equal(store_email_token_delete(s, id, STORE_TOKEN_VERIFY),
			 STORE_NO_ROW);
	assert_int_equal(store_email_token_consume(s, r1, STORE_TOKEN_RESET,
						   &got_id, &email),
			 STORE_ONE_ROW);
	free(email);
	/* Used ones are counted too. */
	assert_int_equal(store_email_token_count(s, id, STORE_TOKEN_RESET, 3600,
						 &count, &newest),
			 STORE_ONE_ROW);
	assert_int_equal(count, 1);
	PQfinish(raw);
	store_free(s);
}

static void
test_purge(void **state)
{
	const char *own = at_migrated_db();
	struct store *s = at_store(own);
	PGconn *raw = testdb_connect(own);
	int64_t id = at_account(s, "token-purge@example.org", false);
	uint8_t h[3][STORE_HASH_BYTES];
	int64_t n = -1;
	char hex[65];

	(void)state;
	for (int i = 0; i < 3; i++) {
		at_hash(h[i], (uint8_t)(20 + i));
		assert_int_equal(store_email_token_insert(
					 s, h[i], id, STORE_TOKEN_VERIFY,
					 "token-purge@example.org", 3600),
				 STORE_ONE_ROW);
	}
	/* One expired long ago, one recently, one live. */
	at_exec(raw,
		"UPDATE email_tokens SET expires_at = now() - interval"
		" '2 days' WHERE token_hash = decode('%s', 'hex')",
		at_hash_hex(h[0], hex));
	at_exec(raw,
		"UPDATE email_tokens SET expires_at = now() - interval"
		" '1 hour' WHERE token_hash = decode('%s', 'hex')",
		at_hash_hex(h[1], hex));
	assert_int_equal(store_email_token_purge(s, 86400, &n), STORE_ONE_ROW);
	assert_int_equal(n, 1);
	assert_int_equal(at_sql_int(raw, "SELECT count(*) FROM email_tokens"),
			 2);
	assert_int_equal(store_email_token_purge(s, 0, &n), STORE_ONE_ROW);
	assert_int_equal(n, 1);
	assert_int_equal(store_email_token_purge(s, 0, &n), STORE_ONE_ROW);
	assert_int_equal(n, 0);
	PQfinish(raw);
	store_free(s);
}

static void
test_hostile(void **state)
{
	struct store *s = at_store(db);
	int64_t id = at_account(s, "token-hostile@example.org", false);
	uint8_t h[STORE_HASH_BYTES];
	int64_t got_id;
	char *email = NULL;
	const char *meta = "a'b\\\"c;--$1@example.org";

	(void)state;
	at_hash(h, 30);
	assert_int_equal(store_email_token_insert(s, h, id, STORE_TOKEN_VERIFY,
						  "bad\xff@example.org", 60),
			 STORE_HARD_ERROR);
	assert_int_equal(store_email_token_insert(s, h, INT64_MAX,
						  STORE_TOKEN_VERIFY,
						  "x@example.org", 60),
			 STORE_HARD_ERROR);
	/* A ttl so large that the expiry is out of range. */
	assert_int_equal(store_email_token_insert(s, h, id, STORE_TOKEN_VERIFY,
						  "x@example.org", INT64_MAX),
			 STORE_HARD_ERROR);
	assert_int_equal(store_email_token_insert(s, h, id, STORE_TOKEN_VERIFY,
						  meta, 60),
			 STORE_ONE_ROW);
	assert_int_equal(store_email_token_consume(s, h, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_ONE_ROW);
	assert_string_equal(email, meta);
	free(email);
	/* All-zero and all-0xff hashes are just hashes. */
	memset(h, 0, sizeof(h));
	assert_int_equal(store_email_token_consume(s, h, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_NO_ROW);
	memset(h, 0xff, sizeof(h));
	assert_int_equal(store_email_token_insert(s, h, id, STORE_TOKEN_VERIFY,
						  "ff@example.org", 60),
			 STORE_ONE_ROW);
	assert_int_equal(store_email_token_consume(s, h, STORE_TOKEN_VERIFY,
						   &got_id, &email),
			 STORE_ONE_ROW);
	free(email);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_consume_once),
		cmocka_unit_test(test_consume_wrong_purpose),
		cmocka_unit_test(test_consume_expired),
		cmocka_unit_test(test_consume_concurrent),
		cmocka_unit_test(test_delete_and_count),
		cmocka_unit_test(test_purge),
		cmocka_unit_test(test_hostile),
	};

	db = at_migrated_db();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
