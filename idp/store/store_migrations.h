/*
 * The migrations embedded from sql/NNN_name.sql. The table is generated at
 * build time by sql/embed.py into migrations.c; this header is the
 * contract between that generated file and the store.
 */
#ifndef IDP_STORE_STORE_MIGRATIONS_H
#define IDP_STORE_STORE_MIGRATIONS_H

#include <stddef.h>

struct store_migration {
	int number;	  /* NNN: 1, 2, ... without gaps, ascending */
	const char *name; /* "name" of NNN_name.sql; shown as "%03d_%s" */
	const char *sql;  /* the file's text: schema only, no BEGIN/COMMIT */
};

/* Sorted by number; number i + 1 at index i. */
extern const struct store_migration store_migrations[];
extern const size_t store_migrations_count;

#endif
