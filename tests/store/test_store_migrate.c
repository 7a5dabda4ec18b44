/*
 * Migrations against a real PostgreSQL: version 0 on an empty database,
 * migrate applies everything once, concurrent runs, a database newer than
 * the code, status, and the COMMENT ON rule for every table and column.
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
#include "testdb.h"

struct seen {
	int calls;
	int applied;
	int last_number;
	char names[8][64];
	char applied_at[8][32];
};

static void
record(int number, const char *name, bool applied, const char *applied_at,
       void *cls)
{
	struct seen *seen = cls;

	if (seen->calls < 8) {
		(void)snprintf(seen->names[seen->calls], 64, "%03d_%s", number,
			       name);
		(void)snprintf(seen->applied_at[seen->calls], 32, "%s",
			       applied_at != NULL ? applied_at : "");
	}
	seen->calls++;
	seen->applied += applied;
	seen->last_number = number;
}

static void
test_version_zero_on_empty_db(void **state)
{
	const char *db = testdb_create();
	struct store *s = store_new(db, 3, 5000);
	int version = -1;

	(void)state;
	assert_non_null(s);
	/* A database that was never migrated still gives a connection. */
	assert_int_equal(store_ensure(s), 0);
	assert_int_equal(store_ping(s), STORE_ONE_ROW);
	assert_int_equal(store_schema_version_select(s, &version),
			 STORE_ONE_ROW);
	assert_int_equal(version, 0);
	assert_true(store_schema_expected() >= 1);
	store_free(s);
}

static void
test_behind_schema_refuses_app_statements(void **state)
{
	const char *db = testdb_create();
	struct store *s = store_new(db, 3, 5000);
	char untouched[] = "untouched";
	char *value = untouched;
	int version = -1, applied = 0;
	char err[256];

	(void)state;
	assert_int_equal(store_ensure(s), 0);
	/* Not prepared: a clean hard error, not a crash or a bad prepare. */
	assert_int_equal(store_setting_select(s, "k", &value),
			 STORE_HARD_ERROR);
	assert_null(value);
	assert_false(store_connection_lost(s));

	/* Migrating meanwhile: the version is read anew, not cached. */
	assert_int_equal(
		store_migrate(db, NULL, NULL, &applied, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version_select(s, &version),
			 STORE_ONE_ROW);
	assert_int_equal(version, store_schema_expected());
	store_free(s);
}

static void
test_migrate_applies_all_then_nothing(void **state)
{
	const char *db = testdb_create();
	struct seen seen = {0};
	struct store *s;
	char err[256];
	int applied = -1, version = -1;

	(void)state;
	assert_int_equal(
		store_migrate(db, record, &seen, &applied, err, sizeof(err)),
		0);
	assert_int_equal(applied, store_schema_expected());
	assert_int_equal(seen.calls, store_schema_expected());
	assert_string_equal(seen.names[0], "001_base");

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(
		store_migrate(db, record, &seen, &applied, err, sizeof(err)),
		0);
	assert_int_equal(applied, 0);
	assert_int_equal(seen.calls, 0);

	s = store_new(db, 3, 5000);
	assert_int_equal(store_ensure(s), 0);
	assert_int_equal(store_schema_version_select(s, &version),
			 STORE_ONE_ROW);
	assert_int_equal(version, store_schema_expected());
	store_free(s);
}

/* DESIGN.md: COMMENT ON for every table and column. */
static void
test_every_table_and_column_commented(void **state)
{
	const char *db = testdb_create();
	char err[256], *missing;
	int applied;
	PGconn *c;

	(void)state;
	assert_int_equal(
		store_migrate(db, NULL, NULL, &applied, err, sizeof(err)), 0);
	c = testdb_connect(db);
	missing = testdb_query(
		c,
		"SELECT coalesce(string_agg(what, ', '), '') FROM ("
		" SELECT c.relname AS what FROM pg_class c"
		"  JOIN pg_namespace n ON n.oid = c.relnamespace"
		"  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v')"
		"  AND obj_description(c.oid, 'pg_class') IS NULL"
		" UNION ALL"
		" SELECT c.relname || '.' || a.attname FROM pg_class c"
		"  JOIN pg_namespace n ON n.oid = c.relnamespace"
		"  JOIN pg_attribute a ON a.attrelid = c.oid"
		"  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v')"
		"  AND a.attnum > 0 AND NOT a.attisdropped"
		"  AND col_description(c.oid, a.attnum) IS NULL) m");
	if (missing[0] != '\0')
		fail_msg("without COMMENT ON: %s", missing);
	free(missing);
	PQfinish(c);
}

struct concurrent {
	const char *db;
	pthread_barrier_t *barrier;
	int rc;
	int applied;
	char err[256];
};

static void *
migrate_thread(void *arg)
{
	struct concurrent *c = arg;

	(void)pthread_barrier_wait(c->barrier);
	c->rc = store_migrate(c->db, NULL, NULL, &c->applied, c->err,
			      sizeof(c->err));
	return NULL;
}

static void
test_migrate_concurrent(void **state)
{
	const char *db = testdb_create();
	struct concurrent runs[2];
	pthread_barrier_t barrier;
	pthread_t t[2];
	char *rows, *distinct;
	PGconn *c;

	(void)state;
	assert_int_equal(pthread_barrier_init(&barrier, NULL, 2), 0);
	for (int i = 0; i < 2; i++) {
		memset(&runs[i], 0, sizeof(runs[i]));
		runs[i].db = db;
		runs[i].barrier = &barrier;
		assert_int_equal(
			pthread_create(&t[i], NULL, migrate_thread, &runs[i]),
			0);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&barrier);

	for (int i = 0; i < 2; i++)
		if (runs[i].rc != 0)
			fail_msg("run %d: %s", i, runs[i].err);
	/* One run did all the work, the other found nothing to do. */
	assert_int_equal(runs[0].applied + runs[1].applied,
			 store_schema_expected());
	assert_true(runs[0].applied == 0 || runs[1].applied == 0);

	c = testdb_connect(db);
	rows = testdb_query(c, "SELECT count(*) FROM schema_migrations");
	distinct = testdb_query(
		c, "SELECT count(DISTINCT version) FROM schema_migrations");
	assert_int_equal(atoi(rows), store_schema_expected());
	assert_int_equal(atoi(distinct), store_schema_expected());
	free(rows);
	free(distinct);
	PQfinish(c);
}

static void
test_database_newer_than_code(void **state)
{
	const char *db = testdb_create();
	struct seen seen = {0};
	char err[256], sql[128], want[64], *ignored;
	int applied, newer = store_schema_expected() + 1;
	PGconn *c;

	(void)state;
	assert_int_equal(
		store_migrate(db, NULL, NULL, &applied, err, sizeof(err)), 0);
	c = testdb_connect(db);
	(void)snprintf(sql, sizeof(sql),
		       "INSERT INTO schema_migrations (version, name)"
		       " VALUES (%d, 'from_the_future')",
		       newer);
	ignored = testdb_query(c, sql);
	free(ignored);
	PQfinish(c);

	assert_int_equal(
		store_migrate(db, NULL, NULL, &applied, err, sizeof(err)),
		IDP_ERR_INVALID);
	assert_int_equal(applied, 0);
	/* The message names both versions. */
	(void)snprintf(want, sizeof(want), "version %d", newer);
	assert_non_null(strstr(err, want));
	(void)snprintf(want, sizeof(want), "(version %d)",
		       store_schema_expected());
	assert_non_null(strstr(err, want));

	/* Status shows the unknown migration after the known ones. */
	assert_int_equal(
		store_migration_status(db, record, &seen, err, sizeof(err)), 0);
	assert_int_equal(seen.calls, newer);
	assert_int_equal(seen.applied, newer);
	assert_int_equal(seen.last_number, newer);
}

/*
 * A migration that fails leaves nothing behind: neither part of its
 * schema nor its schema_migrations row.
 */
static void
test_failed_migration_rolls_back(void **state)
{
	const char *db = testdb_create();
	struct seen seen = {0};
	char err[256], *exists;
	int applied = -1;
	PGconn *c;

	(void)state;
	/* 001 creates settings; a table of that name makes it fail. */
	c = testdb_connect(db);
	free(testdb_query(c, "CREATE TABLE settings (x int)"));
	assert_int_equal(
		store_migrate(db, record, &seen, &applied, err, sizeof(err)),
		IDP_ERR_INTERNAL);
	assert_int_equal(applied, 0);
	assert_int_equal(seen.calls, 0);
	assert_non_null(strstr(err, "001_base"));
	assert_non_null(strstr(err, "already exists"));
	exists = testdb_query(
		c, "SELECT to_regclass('schema_migrations') IS NOT NULL");
	assert_string_equal(exists, "f");
	free(exists);

	/* Once the obstacle is gone, the same run succeeds. */
	free(testdb_query(c, "DROP TABLE settings"));
	assert_int_equal(
		store_migrate(db, NULL, NULL, &applied, err, sizeof(err)), 0);
	assert_int_equal(applied, store_schema_expected());
	PQfinish(c);
}

static void
test_status(void **state)
{
	const char *db = testdb_create();
	struct seen seen = {0};
	char err[256];
	int applied;

	(void)state;
	/* Empty database: everything pending, nothing created. */
	assert_int_equal(
		store_migration_status(db, record, &seen, err, sizeof(err)), 0);
	assert_int_equal(seen.calls, store_schema_expected());
	assert_int_equal(seen.applied, 0);
	assert_string_equal(seen.names[0], "001_base");
	assert_string_equal(seen.applied_at[0], "");

	assert_int_equal(
		store_migrate(db, NULL, NULL, &applied, err, sizeof(err)), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(
		store_migration_status(db, record, &seen, err, sizeof(err)), 0);
	assert_int_equal(seen.applied, store_schema_expected());
	/* ISO 8601 UTC: 2026-11-30T01:02:03Z */
	assert_int_equal(strlen(seen.applied_at[0]), 20);
	assert_int_equal(seen.applied_at[0][10], 'T');
	assert_int_equal(seen.applied_at[0][19], 'Z');
}

static void
test_migrate_unreachable(void **state)
{
	char err[256];
	int applied = -1;

	(void)state;
	assert_int_equal(store_migrate("host=/nonexistent/idp-test "
				       "password=SECRETVALUE connect_timeout=2",
				       NULL, NULL, &applied, err, sizeof(err)),
			 IDP_ERR_UNAVAILABLE);
	assert_int_equal(applied, 0);
	assert_non_null(strstr(err, "cannot connect to the database: "));
	assert_null(strstr(err, "SECRETVALUE"));
	assert_int_equal(store_migration_status("host=/nonexistent/idp-test "
						"password=SECRETVALUE",
						record, NULL, err, sizeof(err)),
			 IDP_ERR_UNAVAILABLE);
	assert_null(strstr(err, "SECRETVALUE"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_zero_on_empty_db),
		cmocka_unit_test(test_behind_schema_refuses_app_statements),
		cmocka_unit_test(test_migrate_applies_all_then_nothing),
		cmocka_unit_test(test_every_table_and_column_commented),
		cmocka_unit_test(test_migrate_concurrent),
		cmocka_unit_test(test_database_newer_than_code),
		cmocka_unit_test(test_failed_migration_rolls_back),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_migrate_unreachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
