/*
 * Running one prepared statement, telling its failures apart, and the
 * small decoders the pg_*.c files share.
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/store/store_internal.h"

/* All stores of the process add here; read by /metrics. */
static atomic_uint_fast64_t error_count;

void
store_error_count_add(void)
{
	atomic_fetch_add_explicit(&error_count, 1, memory_order_relaxed);
}

uint64_t
store_error_count(void)
{
	return atomic_load_explicit(&error_count, memory_order_relaxed);
}

/*
 * SQLSTATEs after which this connection is of no further use even if
 * libpq has not noticed yet: class 08 (connection exception) and the
 * server shutting down or terminating our backend (57P01..57P03).
 */
static bool
sqlstate_means_lost(const char *state)
{
	if (state == NULL)
		return false;
	return strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	       strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

int
store_fail(struct store *s, const char *what, const PGresult *res)
{
	const char *state = NULL;

	if (res != NULL)
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	store_error_count_add();
	if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK ||
	    sqlstate_means_lost(state)) {
		s->lost = true;
		log_kv(LOG_LEVEL_WARN, "store_connection_lost", "statement",
		       what, "sqlstate", state, NULL);
		return STORE_HARD_ERROR;
	}
	if (state != NULL &&
	    (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)) {
		/* Expected under contention; the runner retries. */
		log_kv(LOG_LEVEL_INFO, "store_serialization_failure",
		       "statement", what, "sqlstate", state, NULL);
		return STORE_SOFT_ERROR;
	}
	/*
	 * The server's message is not logged: it may quote a parameter
	 * ("invalid input syntax for type integer: ..."), and parameters
	 * can be secrets or personal data. Names of schema objects are not.
	 */
	log_kv(LOG_LEVEL_ERROR, "store_statement_failed", "statement", what,
	       "sqlstate", state, "constraint",
	       res != NULL ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME)
			   : NULL,
	       NULL);
	return STORE_HARD_ERROR;
}

/* Whether @r failed with a unique violation on @constraint. */
static bool
is_unique_violation(const PGresult *r, const char *constraint)
{
	const char *state, *name;

	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	name = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
	return state != NULL && strcmp(state, "23505") == 0 && name != NULL &&
	       strcmp(name, constraint) == 0;
}

/* store_exec() and store_exec_unique(): @constraint may be NULL. */
static int
exec_prepared(struct store *s, const struct store_stmt *st,
	      const char *const *params, const char *constraint, PGresult **res)
{
	char have[12], want[12];
	PGresult *r;
	ExecStatusType status;
	int rc;

	*res = NULL;
	if (s->conn == NULL || s->lost) {
		/* store_ensure() failed or was skipped; it logged why. */
		store_error_count_add();
		return STORE_HARD_ERROR;
	}
	if (!s->prepared[st->tier]) {
		store_error_count_add();
		log_kv(LOG_LEVEL_ERROR, "store_statement_unprepared",
		       "statement", st->name, "schema_version",
		       store_int_param(have, s->schema_version),
		       "schema_expected",
		       store_int_param(want, store_schema_expected()), "hint",
		       "run idpctl db migrate, then restart", NULL);
		return STORE_HARD_ERROR;
	}
	r = PQexecPrepared(s->conn, st->name, st->nparams, params, NULL, NULL,
			   0);
	status = PQresultStatus(r); /* PGRES_FATAL_ERROR for NULL */
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
		*res = r;
		return 0;
	}
	if (constraint != NULL && r != NULL &&
	    is_unique_violation(r, constraint)) {
		PQclear(r);
		log_kv(LOG_LEVEL_INFO, "store_unique_conflict", "statement",
		       st->name, "constraint", constraint, NULL);
		return s->in_tx ? STORE_SOFT_ERROR : STORE_NO_ROW;
	}
	rc = store_fail(s, st->name, r);
	PQclear(r);
	return rc;
}

int
store_exec(struct store *s, const struct store_stmt *st,
	   const char *const *params, PGresult **res)
{
	return exec_prepared(s, st, params, NULL, res);
}

int
store_exec_unique(struct store *s, const struct store_stmt *st,
		  const char *const *params, const char *constraint,
		  PGresult **res)
{
	int rc = exec_prepared(s, st, params, constraint, res);

	/* Tell "ran" from the violation, which is STORE_NO_ROW (0) too. */
	return rc == 0 && *res != NULL ? STORE_ONE_ROW : rc;
}

bool
store_get_int(const PGresult *res, int row, int col, int *out)
{
	const char *v;
	char *end;
	long l;

	if (PQgetisnull(res, row, col))
		return false;
	v = PQgetvalue(res, row, col);
	errno = 0;
	l = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || l < INT_MIN ||
	    l > INT_MAX)
		return false;
	*out = (int)l;
	return true;
}

const char *
store_int_param(char buf[12], int v)
{
	(void)snprintf(buf, 12, "%d", v);
	return buf;
}
