/*
 * Helpers shared by the store tests.
 */
#ifndef IDP_TESTS_STORE_STORE_TEST_H
#define IDP_TESTS_STORE_STORE_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include "idp/store/store.h"
#include "testdb.h"

/* A fresh, migrated database; its conninfo (owned by testdb). */
static inline const char *
migrated_db(void)
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
connected_store(const char *db, unsigned retries, unsigned timeout_ms)
{
	struct store *s = store_new(db, retries, timeout_ms);

	if (s == NULL || store_ensure(s) != 0) {
		fprintf(stderr, "store: %s\n",
			s != NULL ? store_error_peek(s) : "out of memory");
		exit(1);
	}
	return s;
}

#endif
