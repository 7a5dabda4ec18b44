/*
 * store_sp_refresh_claim() against a real PostgreSQL: only SPs with a
 * metadata URL, never-claimed and oldest claims first, nothing again
 * within the interval, and concurrent claimers (threads with stores of
 * their own, as idpd nodes would be) never get the same SP twice.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "idp/store/store.h"
#include "idp/store/store_sp.h"
#include "testdb.h"

#define THREADS 4
#define SPS	12

static struct store *
new_store(const char *db)
{
	struct store *s = store_new(db, 5, 10000);

	if (s == NULL || store_ensure(s) != 0) {
		fprintf(stderr, "store: %s\n",
			s != NULL ? store_error_peek(s) : "out of memory");
		exit(1);
	}
	return s;
}

static const char *
fresh_db(void)
{
	const char *db = testdb_create();
	int applied = 0;
	char err[256];

	if (store_migrate(db, NULL, NULL, &applied, err, sizeof(err)) != 0) {
		fprintf(stderr, "migrate: %s\n", err);
		exit(1);
	}
	return db;
}

static void
add_sp(struct store *s, const char *name, bool with_url)
{
	char entity[128], url[128];
	struct store_sp sp;

	memset(&sp, 0, sizeof(sp));
	(void)snprintf(entity, sizeof(entity), "https://%s.example.org/sp",
		       name);
	(void)snprintf(url, sizeof(url), "https://%s.example.org/md.xml", name);
	sp.entity_id = entity;
	sp.metadata = (char *)"<md:EntityDescriptor/>";
	sp.metadata_url = with_url ? url : NULL;
	sp.enabled = true;
	sp.release_attributes = (char *)"";
	sp.attribute_profile = (char *)"oid";
	sp.nameid_format = (char *)"persistent";
	assert_int_equal(store_sp_insert(s, &sp), STORE_ONE_ROW);
}

static char *
claim(struct store *s, unsigned interval_s, int want)
{
	char *e = (char *)"unset";

	assert_int_equal(store_sp_refresh_claim(s, interval_s, &e), want);
	if (want != STORE_ONE_ROW)
		assert_null(e);
	return e;
}

static void
expect_claim(struct store *s, unsigned interval_s, const char *entity)
{
	char *e = claim(s, interval_s, STORE_ONE_ROW);

	assert_string_equal(e, entity);
	free(e);
}

static void
test_claim_order_and_interval(void **state)
{
	const char *db = fresh_db();
	struct store *s = new_store(db);
	PGconn *c = testdb_connect(db);
	char *v;

	(void)state;
	claim(s, 3600, STORE_NO_ROW);
	add_sp(s, "file", false);
	claim(s, 3600, STORE_NO_ROW); /* no URL: never claimed */
	add_sp(s, "a", true);
	add_sp(s, "b", true);
	expect_claim(s, 3600, "https://a.example.org/sp");
	expect_claim(s, 3600, "https://b.example.org/sp");
	claim(s, 3600, STORE_NO_ROW);
	/* Claimed on the database clock. */
	v = testdb_query(c, "SELECT count(*) FROM relying_parties WHERE"
			    " refresh_claimed_at > now() - interval '1 min'");
	assert_string_equal(v, "2");
	free(v);
	/* b's claim made older than a's: b is due first. */
	free(testdb_query(c, "UPDATE relying_parties SET refresh_claimed_at"
			     " = now() - interval '2 hours'"
			     " WHERE entity_id LIKE '%//b.%'"));
	free(testdb_query(c, "UPDATE relying_parties SET refresh_claimed_at"
			     " = now() - interval '1 hour 30 min'"
			     " WHERE entity_id LIKE '%//a.%'"));
	expect_claim(s, 3600, "https://b.example.org/sp");
	expect_claim(s, 3600, "https://a.example.org/sp");
	claim(s, 3600, STORE_NO_ROW);
	/* The largest interval: no overflow, nothing due. */
	claim(s, UINT32_MAX, STORE_NO_ROW);
	/* Interval 0 (the caller never asks so, but the SQL holds). */
	expect_claim(s, 0, "https://b.example.org/sp");
	PQfinish(c);
	store_free(s);
}

struct racer {
	const char *db;
	pthread_barrier_t *go;
	char *got[SPS + 1];
	size_t n;
};

static void *
race(void *cls)
{
	struct racer *r = cls;
	struct store *s = new_store(r->db);
	char *e;
	int rc;

	pthread_barrier_wait(r->go);
	while ((rc = store_sp_refresh_claim(s, 3600, &e)) == STORE_ONE_ROW &&
	       r->n < SPS + 1)
		r->got[r->n++] = e;
	if (rc < 0)
		r->n = SPS + 100; /* reported by the main thread */
	store_free(s);
	return NULL;
}

static void
test_concurrent_claims_unique(void **state)
{
	const char *db = fresh_db();
	struct store *s = new_store(db);
	struct racer r[THREADS];
	pthread_t t[THREADS];
	pthread_barrier_t go;
	size_t total = 0;
	char name[16];

	(void)state;
	for (int i = 0; i < SPS; i++) {
		(void)snprintf(name, sizeof(name), "sp%02d", i);
		add_sp(s, name, true);
	}
	pthread_barrier_init(&go, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].db = db;
		r[i].go = &go;
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	/* Every SP claimed exactly once among all claimers. */
	for (int i = 0; i < THREADS; i++) {
		assert_true(r[i].n <= SPS);
		total += r[i].n;
		for (size_t j = 0; j < r[i].n; j++)
			for (int k = 0; k <= i; k++)
				for (size_t m = 0; m < (k == i ? j : r[k].n);
				     m++)
					assert_string_not_equal(r[i].got[j],
								r[k].got[m]);
	}
	assert_int_equal(total, SPS);
	for (int i = 0; i < THREADS; i++)
		for (size_t j = 0; j < r[i].n; j++)
			free(r[i].got[j]);
	claim(s, 3600, STORE_NO_ROW);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claim_order_and_interval),
		cmocka_unit_test(test_concurrent_claims_unique),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
