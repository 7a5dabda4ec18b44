/*
 * Run one migration's SQL text. This is the one place where the store
 * sends SQL that is not a prepared statement: a migration is several
 * statements of DDL, which PREPARE cannot take, and it is our own schema
 * text, embedded at build time from sql/NNN_name.sql, never built from
 * input. PQexec runs the statements in the caller's open transaction.
 */
#include <stdio.h>

#include "idp/store/store_internal.h"

int
store_migration_apply(struct store *s, const struct store_migration *m)
{
	char prefix[96], what[80];
	PGresult *res;
	int rc = STORE_ONE_ROW;

	res = PQexec(s->conn, m->sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		/*
		 * The server's message is about our own schema text, not
		 * about anyone's data, so the operator gets it in full.
		 */
		(void)snprintf(what, sizeof(what), "migration %03d_%s",
			       m->number, m->name);
		(void)snprintf(prefix, sizeof(prefix), "%s: ", what);
		store_error_set(s, prefix,
				res != NULL ? PQresultErrorMessage(res)
					    : PQerrorMessage(s->conn));
		rc = store_fail(s, what, res);
	}
	PQclear(res);
	return rc;
}
