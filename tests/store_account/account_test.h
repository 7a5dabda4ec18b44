/*
 * Helpers shared by the tests of the account-domain store statements:
 * a migrated database, connected stores, a side channel into the server
 * (raw libpq, for what the store API deliberately cannot do: backdating
 * rows, setting an eID source, holding a transaction open), accounts
 * with unique addresses, and waiting until a store call blocks on a lock.
 */
#ifndef IDP_TESTS_STORE_ACCOUNT_ACCOUNT_TEST_H
#define IDP_TESTS_STORE_ACCOUNT_ACCOUNT_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idp/store/store.h"
#include "idp/store/store_account.h"
#include "testdb.h"

/* A fresh, migrated database; its conninfo (owned by testdb). */
static inline const char *
at_migrated_db(void)
{
	const char *db = testdb_create();
	char err[256];
	int applied;

	if (store_migrate(db, NULL, NULL, &applied, err, sizeof(err)) != 0) {
		fprintf(stderr, "migrate: %s\n", err);
		exit(1);
	}
	return db;
}

/* A connected store on @db; exits on failure. */
static inline struct store *
at_store(const char *db)
{
	struct store *s = store_new(db, 5, 10000);

	if (s == NULL || store_ensure(s) != 0) {
		fprintf(stderr, "store: %s\n",
			s != NULL ? store_error_peek(s) : "out of memory");
		exit(1);
	}
	return s;
}

/* Run formatted SQL on @c (test side channel); the first value, owned. */
static inline char *at_sql(PGconn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline char *
at_sql(PGconn *c, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return testdb_query(c, sql);
}

/* at_sql() as an integer (0 for ""). */
static inline int64_t at_sql_int(PGconn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline int64_t
at_sql_int(PGconn *c, const char *fmt, ...)
{
	char sql[1024];
	char *v;
	int64_t n;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	v = testdb_query(c, sql);
	n = strtoll(v, NULL, 10);
	free(v);
	return n;
}

/* at_sql() for statements whose value does not matter. */
static inline void at_exec(PGconn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void
at_exec(PGconn *c, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	free(testdb_query(c, sql));
}

/* A distinct 32-hex-digit value (audit_ref, handle) per call. */
static inline void
at_hex32(char out[33])
{
	static unsigned counter;
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)snprintf(out, 33, "%08x%08x%08x%08x", ++counter,
		       (unsigned)ts.tv_nsec, (unsigned)ts.tv_sec,
		       (unsigned)rand());
}

/* A distinct hash per call, with @tag in its first byte. */
static inline void
at_hash(uint8_t h[STORE_HASH_BYTES], uint8_t tag)
{
	static unsigned counter;

	counter++;
	for (size_t i = 0; i < STORE_HASH_BYTES; i++)
		h[i] = (uint8_t)(i * 7u + counter * 13u + (unsigned)rand());
	h[0] = tag;
	memcpy(h + 1, &counter, sizeof(counter));
}

/* @h as hex, for decode('...', 'hex') in side-channel SQL. */
static inline const char *
at_hash_hex(const uint8_t h[STORE_HASH_BYTES], char out[65])
{
	for (size_t i = 0; i < STORE_HASH_BYTES; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", h[i]);
	return out;
}

/*
 * Insert an account with address @email and the given names (borrowed),
 * optionally verified. Returns its id; fails the test program otherwise.
 */
static inline int64_t
at_account(struct store *s, const char *email, bool verified)
{
	struct store_account a;
	char ref[33];

	memset(&a, 0, sizeof(a));
	at_hex32(ref);
	a.audit_ref = ref;
	a.email = (char *)(uintptr_t)email;
	a.password_hash =
		(char *)"$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
	a.given_name = (char *)"Erika";
	a.family_name = (char *)"Mustermann";
	if (store_account_insert(s, &a) != STORE_ONE_ROW) {
		fprintf(stderr, "cannot insert account %s\n", email);
		exit(1);
	}
	if (verified && store_account_verify_email(s, a.id) != STORE_ONE_ROW) {
		fprintf(stderr, "cannot verify account %s\n", email);
		exit(1);
	}
	return a.id;
}

/*
 * Wait until some backend of the current database waits for a lock
 * (another transaction's row or index entry): the sign that a store call
 * in another thread has reached the point a test wants it at. Exits
 * after 10 s.
 */
static inline void
at_wait_for_lock_waiter(PGconn *c)
{
	struct timespec ts = {0, 10 * 1000 * 1000};

	for (int i = 0; i < 1000; i++) {
		if (at_sql_int(c, "SELECT count(*) FROM pg_stat_activity"
				  " WHERE datname = current_database()"
				  " AND wait_event_type = 'Lock'") > 0)
			return;
		(void)nanosleep(&ts, NULL);
	}
	fprintf(stderr, "no backend started waiting for a lock\n");
	exit(1);
}

#endif
