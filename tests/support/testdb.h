/*
 * Throwaway databases for tests that need PostgreSQL.
 *
 * The server comes from IDP_TEST_CONNINFO (a libpq conninfo of a role that
 * may create databases, e.g. "host=/tmp/pg dbname=postgres user=idp").
 * Without it the test fails: a store test that silently skips would let a
 * broken store pass CI.
 *
 * Each testdb_create() makes a new, uniquely named, empty database; all of
 * them are dropped when the test program exits (also after a failed
 * cmocka assertion, which returns through main). Tests in different
 * programs never share a database, so they may run in parallel.
 *
 * Only tests include this header; it is the one place outside idp/store/
 * that may include libpq-fe.h, for side channels into the server
 * (terminating a backend, checking the catalog).
 */
#ifndef IDP_TESTS_SUPPORT_TESTDB_H
#define IDP_TESTS_SUPPORT_TESTDB_H

#include <libpq-fe.h>

/*
 * Create a fresh empty database. Returns its conninfo (owned by testdb,
 * valid until exit). Exits the program with a message on any failure,
 * including an unset IDP_TEST_CONNINFO.
 */
const char *testdb_create(void);

/* A plain libpq connection to @conninfo; exits on failure. PQfinish it. */
PGconn *testdb_connect(const char *conninfo);

/*
 * Run @sql (no parameters; test code only) on @conn and return the first
 * column of the first row as an owned string ("" when there is none),
 * freed with free(). Exits on failure.
 */
char *testdb_query(PGconn *conn, const char *sql);

/*
 * @conninfo with @key set to @value (appended; later keys win in libpq).
 * Owned, freed with free().
 */
char *testdb_conninfo_with(const char *conninfo, const char *key,
			   const char *value);

#endif
