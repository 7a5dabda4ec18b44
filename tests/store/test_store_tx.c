/*
 * The transaction runner against a real PostgreSQL: commit, rollback, a
 * callback that ignores a failed statement, retry after a real
 * serialization failure, and the bound on retries.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_test.h"

struct kv {
	const char *key;
	const char *value;
	int ret; /* what the callback returns after writing */
	int runs;
};

static int
upsert_cb(struct store *s, void *cls)
{
	struct kv *kv = cls;
	int rc;

	kv->runs++;
	rc = store_setting_upsert(s, kv->key, kv->value);
	if (rc < 0)
		return rc;
	return kv->ret;
}

static void
assert_setting(struct store *s, const char *key, const char *want)
{
	char *value = NULL;
	int rc = store_setting_select(s, key, &value);

	if (want == NULL) {
		assert_int_equal(rc, STORE_NO_ROW);
		assert_null(value);
	} else {
		assert_int_equal(rc, STORE_ONE_ROW);
		assert_string_equal(value, want);
	}
	free(value);
}

static void
test_commit_and_rollback(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db, 3, 5000);
	struct store *other = connected_store(db, 3, 5000);
	struct kv commit = {"committed", "yes", STORE_ONE_ROW, 0};
	struct kv rollback = {"rolled_back", "no", STORE_HARD_ERROR, 0};

	(void)state;
	assert_int_equal(store_run_tx(s, "commit", false, upsert_cb, &commit),
			 STORE_ONE_ROW);
	assert_int_equal(commit.runs, 1);
	/* Visible to another connection: it was committed. */
	assert_setting(other, "committed", "yes");

	assert_int_equal(
		store_run_tx(s, "rollback", true, upsert_cb, &rollback),
		STORE_HARD_ERROR);
	assert_int_equal(rollback.runs, 1);
	assert_setting(other, "rolled_back", NULL);
	assert_setting(s, "rolled_back", NULL);

	/* The store works on after a rollback. */
	commit.value = "again";
	assert_int_equal(store_run_tx(s, "commit", true, upsert_cb, &commit),
			 STORE_ONE_ROW);
	assert_setting(other, "committed", "again");
	store_free(other);
	store_free(s);
}

/*
 * A callback that goes on after a failed statement must not be told that
 * its transaction committed: PostgreSQL answers such a COMMIT with
 * ROLLBACK.
 */
static int
ignore_failure_cb(struct store *s, void *cls)
{
	(void)cls;
	if (store_setting_upsert(s, "before", "x") != STORE_ONE_ROW)
		return STORE_HARD_ERROR;
	/* Invalid UTF-8: fails and aborts the transaction. */
	if (store_setting_upsert(s, "bad", "\xff\xfe") != STORE_HARD_ERROR)
		return STORE_HARD_ERROR;
	return STORE_ONE_ROW;
}

static void
test_commit_after_ignored_failure(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db, 3, 5000);

	(void)state;
	assert_int_equal(
		store_run_tx(s, "ignore", false, ignore_failure_cb, NULL),
		STORE_HARD_ERROR);
	assert_setting(s, "before", NULL);
	store_free(s);
}

static int
always_soft_cb(struct store *s, void *cls)
{
	int *runs = cls;

	(void)s;
	(*runs)++;
	return STORE_SOFT_ERROR;
}

static void
test_retries_are_bounded(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db, 3, 5000);
	struct store *none = connected_store(db, 0, 5000);
	int runs = 0;

	(void)state;
	assert_int_equal(store_run_tx(s, "soft", true, always_soft_cb, &runs),
			 STORE_SOFT_ERROR);
	assert_int_equal(runs, 3 + 1);

	runs = 0;
	assert_int_equal(
		store_run_tx(none, "soft", false, always_soft_cb, &runs),
		STORE_SOFT_ERROR);
	assert_int_equal(runs, 1);
	store_free(none);
	store_free(s);
}

/*
 * Write skew under SERIALIZABLE: each transaction reads both keys and
 * writes its own, and both read before either writes (a barrier on the
 * first run), so PostgreSQL must abort one with 40001. The runner retries
 * it, and then both are committed.
 */
struct skew {
	struct store *s;
	pthread_barrier_t *barrier;
	const char *mine;
	int runs;
	int rc;
};

static int
skew_cb(struct store *s, void *cls)
{
	struct skew *k = cls;
	char *a = NULL, *b = NULL;
	int rc;

	k->runs++;
	rc = store_setting_select(s, "a", &a);
	if (rc >= 0)
		rc = store_setting_select(s, "b", &b);
	free(a);
	free(b);
	if (rc < 0)
		return rc;
	if (k->runs == 1)
		(void)pthread_barrier_wait(k->barrier);
	rc = store_setting_upsert(s, k->mine, k->runs == 1 ? "first" : "retry");
	/*
	 * Let the other write before either commits. PostgreSQL may also
	 * report the conflict at this write; wait all the same, or the
	 * other thread would wait for us forever.
	 */
	if (k->runs == 1)
		(void)pthread_barrier_wait(k->barrier);
	return rc < 0 ? rc : STORE_ONE_ROW;
}

static void *
skew_thread(void *arg)
{
	struct skew *k = arg;

	k->rc = store_run_tx(k->s, "skew", true, skew_cb, k);
	return NULL;
}

static void
test_serialization_failure_is_retried(void **state)
{
	const char *db = migrated_db();
	struct store *setup = connected_store(db, 3, 5000);
	pthread_barrier_t barrier;
	struct skew k[2] = {
		{connected_store(db, 3, 5000), &barrier, "a", 0, 0},
		{connected_store(db, 3, 5000), &barrier, "b", 0, 0},
	};
	uint64_t errors_before = store_error_count();
	struct skew *won, *retried;
	pthread_t t[2];

	(void)state;
	assert_int_equal(store_setting_upsert(setup, "a", "0"), STORE_ONE_ROW);
	assert_int_equal(store_setting_upsert(setup, "b", "0"), STORE_ONE_ROW);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, 2), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(
			pthread_create(&t[i], NULL, skew_thread, &k[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&barrier);

	assert_int_equal(k[0].rc, STORE_ONE_ROW);
	assert_int_equal(k[1].rc, STORE_ONE_ROW);
	/*
	 * One committed at once, the other was retried: usually once, but
	 * a retry that starts while the winner's COMMIT is still in flight
	 * can meet the conflict again, within the bound.
	 */
	won = k[0].runs == 1 ? &k[0] : &k[1];
	retried = won == &k[0] ? &k[1] : &k[0];

	assert_int_equal(won->runs, 1);
	assert_in_range(retried->runs, 2, 3 + 1);
	assert_true(store_error_count() > errors_before);
	assert_setting(setup, won->mine, "first");
	assert_setting(setup, retried->mine, "retry");
	store_free(k[0].s);
	store_free(k[1].s);
	store_free(setup);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_and_rollback),
		cmocka_unit_test(test_commit_after_ignored_failure),
		cmocka_unit_test(test_retries_are_bounded),
		cmocka_unit_test(test_serialization_failure_is_retried),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
