/*
 * Throwaway databases for tests: see testdb.h.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testdb.h"

/* Enough for any one test program; each database costs a few MB. */
#define TESTDB_MAX 64

static char *names[TESTDB_MAX];
static char *conninfos[TESTDB_MAX];
static size_t n_dbs;
static bool atexit_done;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)))
__attribute__((noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("testdb: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static const char *
base_conninfo(void)
{
	const char *c = getenv("IDP_TEST_CONNINFO");

	if (c == NULL || c[0] == '\0')
		die("IDP_TEST_CONNINFO is not set: store tests need a "
		    "PostgreSQL server. Run them through 'make test' "
		    "(scripts/test.sh), or start a server and set e.g. "
		    "IDP_TEST_CONNINFO='host=/tmp/pg dbname=postgres "
		    "user=idp'");
	return c;
}

static void
append_quoted(char **p, const char *key, const char *value)
{
	*p += sprintf(*p, "%s='", key);
	for (const char *v = value; *v != '\0'; v++) {
		if (*v == '\'' || *v == '\\')
			*(*p)++ = '\\';
		*(*p)++ = *v;
	}
	*(*p)++ = '\'';
	*(*p)++ = ' ';
	**p = '\0';
}

/*
 * Parse and rebuild rather than append, so that a URI ("postgresql://...")
 * in IDP_TEST_CONNINFO works as well as key=value pairs.
 */
char *
testdb_conninfo_with(const char *conninfo, const char *key, const char *value)
{
	PQconninfoOption *opts;
	char *msg = NULL, *out, *p;
	size_t len;

	opts = PQconninfoParse(conninfo, &msg);
	if (opts == NULL)
		die("cannot parse the conninfo: %s", msg != NULL ? msg : "?");
	len = 3 * strlen(key) + 2 * strlen(value) + 8;
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		if (o->val != NULL)
			len += strlen(o->keyword) + 2 * strlen(o->val) + 8;
	out = malloc(len);
	if (out == NULL)
		die("out of memory");
	p = out;
	*p = '\0';
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		if (o->val != NULL && strcmp(o->keyword, key) != 0)
			append_quoted(&p, o->keyword, o->val);
	append_quoted(&p, key, value);
	PQconninfoFree(opts);
	return out;
}

PGconn *
testdb_connect(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);

	if (c == NULL || PQstatus(c) != CONNECTION_OK)
		die("cannot connect: %s",
		    c != NULL ? PQerrorMessage(c) : "out of memory");
	return c;
}

char *
testdb_query(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	char *out;

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		die("%s: %s", sql, PQresultErrorMessage(res));
	out = strdup(PQntuples(res) > 0 && PQnfields(res) > 0
			     ? PQgetvalue(res, 0, 0)
			     : "");
	PQclear(res);
	if (out == NULL)
		die("out of memory");
	return out;
}

static void
drop_all(void)
{
	PGconn *c;
	char sql[256];

	if (n_dbs == 0)
		return;
	c = PQconnectdb(base_conninfo());
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "testdb: cannot drop test databases: %s",
			PQerrorMessage(c));
		PQfinish(c);
		return;
	}
	for (size_t i = 0; i < n_dbs; i++) {
		PGresult *res;

		/* FORCE: a store the test did not free still holds it. */
		(void)snprintf(sql, sizeof(sql),
			       "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)",
			       names[i]);
		res = PQexec(c, sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			fprintf(stderr, "testdb: %s: %s", sql,
				PQresultErrorMessage(res));
		PQclear(res);
		free(names[i]);
		free(conninfos[i]);
	}
	n_dbs = 0;
	PQfinish(c);
}

const char *
testdb_create(void)
{
	const char *base = base_conninfo();
	char name[64], sql[128];
	struct timespec ts;
	PGconn *c;
	char *ignored;

	if (n_dbs == TESTDB_MAX)
		die("more than %d databases in one test program", TESTDB_MAX);
	if (!atexit_done) {
		if (atexit(drop_all) != 0)
			die("atexit failed");
		atexit_done = true;
	}
	/*
	 * Unique across the programs that run at once (pid) and across
	 * reruns that reuse a pid (time); only [a-z0-9_], so no quoting
	 * question arises.
	 */
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)snprintf(name, sizeof(name), "idp_test_%ld_%ld%09ld_%zu",
		       (long)getpid(), (long)ts.tv_sec, ts.tv_nsec, n_dbs);
	c = testdb_connect(base);
	(void)snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
	ignored = testdb_query(c, sql);
	free(ignored);
	PQfinish(c);

	names[n_dbs] = strdup(name);
	conninfos[n_dbs] = testdb_conninfo_with(base, "dbname", name);
	if (names[n_dbs] == NULL)
		die("out of memory");
	return conninfos[n_dbs++];
}
