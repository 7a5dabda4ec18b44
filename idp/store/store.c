/*
 * A store's life: create, connect (and reconnect), prepare, free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idp/common/limits.h"
#include "idp/log/log.h"
#include "idp/store/store_internal.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct store *
store_alloc(const char *conninfo, unsigned tx_retries,
	    unsigned statement_timeout_ms)
{
	struct store *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	/* NULL means libpq's defaults and PG* environment variables. */
	s->conninfo = strdup(conninfo != NULL ? conninfo : "");
	if (s->conninfo == NULL) {
		free(s);
		return NULL;
	}
	s->application_name = "idpd";
	s->tx_retries = tx_retries;
	s->statement_timeout_ms = statement_timeout_ms;
	s->max_tier = STORE_TIER_APP;
	/* Distinct per store and per run; | 1 keeps it from being 0. */
	s->rng = (now_ms() * 0x9e3779b97f4a7c15u) ^ (uint64_t)(uintptr_t)s;
	s->rng |= 1;
	return s;
}

struct store *
store_new(const char *conninfo, unsigned tx_retries,
	  unsigned statement_timeout_ms)
{
	return store_alloc(conninfo, tx_retries, statement_timeout_ms);
}

struct store *
store_new_quiet(const char *conninfo, const char *application_name)
{
	struct store *s;

	s = store_alloc(conninfo, STORE_TX_RETRIES_DEFAULT, 0);
	if (s == NULL)
		return NULL;
	s->application_name = application_name;
	s->quiet = true;
	s->max_tier = STORE_TIER_VERSION;
	return s;
}

static void
disconnect(struct store *s)
{
	PQfinish(s->conn); /* NULL is fine */
	s->conn = NULL;
	s->in_tx = false;
	for (size_t i = 0; i < STORE_TIERS; i++)
		s->prepared[i] = false;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	disconnect(s);
	/* The conninfo may hold a password. */
	explicit_bzero(s->conninfo, strlen(s->conninfo));
	free(s->conninfo);
	free(s);
}

bool
store_connection_lost(const struct store *s)
{
	return s->lost;
}

const char *
store_error_peek(const struct store *s)
{
	return s->error;
}

int
store_schema_expected(void)
{
	if (store_migrations_count == 0)
		return 0;
	return store_migrations[store_migrations_count - 1].number;
}

void
store_error_set(struct store *s, const char *prefix, const char *msg)
{
	size_t n;

	if (msg == NULL)
		msg = "unknown error";
	/*
	 * libpq's messages continue on further lines with hints and details
	 * ("Is the server running ...?"); the first line says what failed.
	 */
	n = strcspn(msg, "\r\n");
	while (n > 0 && (msg[n - 1] == ' ' || msg[n - 1] == '\t'))
		n--;
	(void)snprintf(s->error, sizeof(s->error), "%s%.*s",
		       prefix != NULL ? prefix : "", (int)n, msg);
}

/*
 * Whether libpq will read @conninfo as a connection string rather than as
 * a database name; the same test libpq applies with expand_dbname.
 */
static bool
is_conninfo_string(const char *conninfo)
{
	return strchr(conninfo, '=') != NULL ||
	       strncmp(conninfo, "postgresql://", 13) == 0 ||
	       strncmp(conninfo, "postgres://", 11) == 0;
}

/*
 * Check the connection string's syntax ourselves first: libpq's syntax
 * errors quote the text around the mistake, and in a string like
 * "password=two words" that text is the password.
 */
static bool
conninfo_parses(struct store *s)
{
	PQconninfoOption *opts;
	char *msg = NULL;

	if (!is_conninfo_string(s->conninfo))
		return true;
	opts = PQconninfoParse(s->conninfo, &msg);
	if (opts == NULL) {
		store_error_set(s, NULL,
				msg == NULL ? "out of memory"
					    : "invalid connection string (not "
					      "shown: it may hold a password)");
		PQfreemem(msg);
		return false;
	}
	PQconninfoFree(opts);
	return true;
}

int
store_prepare_tier(struct store *s, enum store_tier tier)
{
	char prefix[96];
	PGresult *res;

	for (size_t i = 0; i < store_stmts_count; i++) {
		const struct store_stmt *st = store_stmts[i];

		if (st->tier != tier)
			continue;
		res = PQprepare(s->conn, st->name, st->sql, st->nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			/*
			 * A prepare carries no parameters, so the server's
			 * message ("column ... does not exist") is safe to
			 * keep, and it is what shows the mismatch.
			 */
			(void)snprintf(prefix, sizeof(prefix),
				       "prepare %s: ", st->name);
			store_error_set(s, prefix,
					res != NULL ? PQresultErrorMessage(res)
						    : PQerrorMessage(s->conn));
			PQclear(res);
			return IDP_ERR_UNAVAILABLE;
		}
		PQclear(res);
	}
	s->prepared[tier] = true;
	return 0;
}

/*
 * Open the connection and prepare what the schema allows: see store.h for
 * why a schema that is behind still gives a connection.
 */
static int
connect_db(struct store *s)
{
	/*
	 * Keywords are applied in order and the conninfo is expanded in
	 * place of "dbname": what comes before it is a default the conninfo
	 * may override, what comes after is forced. The schema text and our
	 * comparisons assume UTF-8, so client_encoding is forced.
	 */
	const char *const keys[] = {"application_name", "connect_timeout",
				    "dbname", "client_encoding", NULL};
	const char *const values[] = {s->application_name,
				      STORE_CONNECT_TIMEOUT_S, s->conninfo,
				      "UTF8", NULL};
	char buf[64];
	int version;

	s->error[0] = '\0';
	s->lost = false;
	if (!conninfo_parses(s))
		goto fail;
	s->conn = PQconnectdbParams(keys, values, 1);
	if (s->conn == NULL) {
		store_error_set(s, NULL, "out of memory");
		goto fail;
	}
	if (PQstatus(s->conn) != CONNECTION_OK) {
		store_error_set(s, NULL, PQerrorMessage(s->conn));
		goto fail;
	}
	if (store_prepare_tier(s, STORE_TIER_BOOT) != 0)
		goto fail;
	if (store_statement_timeout_update(s, s->statement_timeout_ms) !=
	    STORE_ONE_ROW) {
		store_error_set(s, NULL, "cannot set statement_timeout");
		goto fail;
	}
	/* Prepares the VERSION statements when schema_migrations exists. */
	if (store_schema_version_select(s, &version) != STORE_ONE_ROW) {
		if (s->error[0] == '\0')
			store_error_set(s, NULL,
					"cannot read the schema version");
		goto fail;
	}
	s->schema_version = version;
	if (s->max_tier >= STORE_TIER_APP) {
		if (version >= store_schema_expected()) {
			if (store_prepare_tier(s, STORE_TIER_APP) != 0)
				goto fail;
		} else {
			(void)snprintf(buf, sizeof(buf), "%d", version);
			log_kv(LOG_LEVEL_WARN, "store_schema_behind",
			       "schema_version", buf, "hint",
			       "run idpctl db migrate", NULL);
		}
	}
	return 0;

fail:
	store_error_count_add();
	if (!s->quiet)
		log_kv(LOG_LEVEL_WARN, "store_connect_failed", "error",
		       s->error, NULL);
	disconnect(s);
	return IDP_ERR_UNAVAILABLE;
}

int
store_ensure(struct store *s)
{
	uint64_t now;

	if (s->conn != NULL && !s->lost && PQstatus(s->conn) == CONNECTION_OK)
		return 0;
	/*
	 * While the database is down every request lands here; one attempt
	 * per interval per worker keeps a restart from turning into a
	 * connect storm, and the requests in between fail fast.
	 */
	now = now_ms();
	if (s->tried && now - s->last_try_ms < STORE_RECONNECT_INTERVAL_MS)
		return IDP_ERR_UNAVAILABLE;
	s->tried = true;
	s->last_try_ms = now;
	disconnect(s);
	return connect_db(s);
}
