/*
 * Inside the store: the connection struct, the statement table and the
 * helpers that every idp/store/pg_*.c file uses. Nothing outside
 * idp/store/ includes this header (it is the only one that pulls in
 * libpq-fe.h).
 *
 * How a statement is added: write idp/store/pg_<what>.c with its SQL in a
 * `const struct store_stmt store_stmt_<what>` and its store_<what>()
 * function, add X(<what>) to STORE_STMT_LIST below, list the file in
 * idp/store/meson.build and declare the function in store.h (or below, when
 * only the store itself uses it).
 *
 * Domain statements (accounts, audit, mail, ...) live in a subfolder
 * idp/store/<domain>/ with their own stmts.h (a STORE_STMT_LIST_<DOMAIN>
 * macro), meson.build and public header idp/store/store_<domain>.h, so
 * that each domain grows without touching the others.
 */
#ifndef IDP_STORE_STORE_INTERNAL_H
#define IDP_STORE_STORE_INTERNAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/store/store.h"
#include "idp/store/store_migrations.h"
#include "idp/store/account/stmts.h"
#include "idp/store/audit/stmts.h"
#include "idp/store/mail/stmts.h"
#include "idp/store/keys/stmts.h"
#include "idp/store/sp/stmts.h"
#include "idp/store/saml/stmts.h"
#include "idp/store/slo/stmts.h"
#include "idp/store/eid/stmts.h"
#include "idp/store/eidlink/stmts.h"

/*
 * When a statement can be prepared. PostgreSQL checks every name in a
 * statement at PREPARE time, so a statement can only be prepared once the
 * tables it names exist.
 */
enum store_tier {
	/* Names only the system catalogs: prepared on every connection. */
	STORE_TIER_BOOT = 0,
	/* Names schema_migrations, which migration 001 creates. */
	STORE_TIER_VERSION = 1,
	/*
	 * Names the application schema: prepared when the schema is at
	 * least the version the code expects, so that a statement that does
	 * not fit the schema fails the connect instead of a request.
	 */
	STORE_TIER_APP = 2,
};
#define STORE_TIERS 3

/* One prepared statement; each pg_*.c file defines exactly one. */
struct store_stmt {
	const char *name; /* PostgreSQL statement name, also logged */
	const char *sql;  /* the only place this SQL appears */
	int nparams;	  /* how many $n the SQL takes */
	enum store_tier tier;
};

/*
 * Every statement, in the order they are prepared. X(what) stands for
 * store_stmt_<what> in idp/store/pg_<what>.c.
 */
#define STORE_STMT_LIST(X)                                                     \
	X(statement_timeout_update)                                            \
	X(ping)                                                                \
	X(migration_table_select)                                              \
	X(migration_lock)                                                      \
	X(migration_unlock)                                                    \
	X(schema_version_select)                                               \
	X(migration_insert)                                                    \
	X(migration_iterate)                                                   \
	X(setting_select)                                                      \
	X(setting_upsert)                                                      \
	X(setting_ensure)                                                      \
	STORE_STMT_LIST_ACCOUNT(X)                                             \
	STORE_STMT_LIST_AUDIT(X)                                               \
	STORE_STMT_LIST_MAIL(X)                                                \
	STORE_STMT_LIST_KEYS(X)                                                \
	STORE_STMT_LIST_SP(X)                                                  \
	STORE_STMT_LIST_SAML(X)                                                \
	STORE_STMT_LIST_SLO(X)                                                 \
	STORE_STMT_LIST_EID(X)                                                 \
	STORE_STMT_LIST_EIDLINK(X)

#define STORE_STMT_DECLARE(what)                                               \
	extern const struct store_stmt store_stmt_##what;
STORE_STMT_LIST(STORE_STMT_DECLARE)
#undef STORE_STMT_DECLARE

/* The table built from STORE_STMT_LIST (store_stmts.c). */
extern const struct store_stmt *const store_stmts[];
extern const size_t store_stmts_count;

/*
 * libpq's connect_timeout unless the conninfo sets one: a database that
 * does not answer fails a connect in bounded time, so a worker is not
 * stuck and the reconnect rate limit stays meaningful.
 */
#define STORE_CONNECT_TIMEOUT_S "5"

/*
 * Key of the session advisory lock held while migrations run: the bytes
 * of "servicek" read as a big-endian 64-bit number, so that it is unlikely
 * to collide with a lock another application on the same database takes.
 */
#define STORE_MIGRATION_LOCK_KEY "8315178139909317995"

/* Longest error line kept for store_error_peek(). */
#define STORE_ERROR_MAX 256

struct store {
	char *conninfo; /* owned; never logged, never in an error text */
	PGconn *conn;	/* NULL while disconnected */
	const char *application_name; /* static string */
	unsigned tx_retries;
	unsigned statement_timeout_ms;
	/*
	 * Connect failures are reported only through store_error_peek(),
	 * not logged: for idpctl, which prints its own single line.
	 */
	bool quiet;
	bool lost;  /* the last operation saw the connection fail */
	bool in_tx; /* inside store_run_tx() */
	enum store_tier max_tier; /* highest tier this store prepares */
	bool prepared[STORE_TIERS];
	bool tried;	      /* a connect was attempted ... */
	uint64_t last_try_ms; /* ... at this CLOCK_MONOTONIC time */
	int schema_version;   /* as read at connect; 0 when none */
	uint64_t rng;	      /* xorshift state for retry jitter; never 0 */
	char error[STORE_ERROR_MAX];
};

/*
 * Create a store for the migration runner: no statement timeout (a
 * migration or the wait for the migration lock may take long), only the
 * BOOT and VERSION statements (the application statements of this code
 * need not fit the schema that is there), connect failures reported only
 * through store_error_peek(), and @application_name (static string).
 */
struct store *store_new_quiet(const char *conninfo,
			      const char *application_name);

/*
 * Run prepared statement @st with @params (st->nparams text values, NULL
 * for SQL NULL; borrowed). On success returns 0 and *res is the result,
 * freed by the caller with PQclear(). On failure returns STORE_HARD_ERROR
 * or STORE_SOFT_ERROR, *res is NULL, and the failure was counted and
 * logged with the statement name and SQLSTATE (never the parameters).
 */
IDP_WUR int store_exec(struct store *s, const struct store_stmt *st,
		       const char *const *params, PGresult **res);

/*
 * Like store_exec(), for a statement whose unique violation (SQLSTATE
 * 23505) on @constraint (the name of a unique index or constraint) is an
 * expected outcome rather than a failure: two writers raced for one
 * value, and the statement's own check (NOT EXISTS) could not see the
 * other's uncommitted row. Such a violation is logged at info level and
 * not counted as a failure.
 *
 * Returns STORE_ONE_ROW with *res set (freed by the caller with
 * PQclear()) when the statement ran. On the expected violation *res is
 * NULL and it returns STORE_NO_ROW outside a transaction; inside one,
 * PostgreSQL has aborted the transaction, so it returns STORE_SOFT_ERROR:
 * the runner rolls back and runs the callback again, and then the
 * statement's own check sees the committed row. Any other failure is
 * handled and returned as by store_exec().
 */
IDP_WUR int store_exec_unique(struct store *s, const struct store_stmt *st,
			      const char *const *params, const char *constraint,
			      PGresult **res);

/*
 * Classify a failed result (PQclear stays with the caller), count and log
 * it under @what (a statement or step name). Sets s->lost when the
 * connection is gone. Returns STORE_SOFT_ERROR for SQLSTATE 40001 and
 * 40P01, else STORE_HARD_ERROR.
 */
int store_fail(struct store *s, const char *what, const PGresult *res);

/* Count one failure in the process-wide counter. */
void store_error_count_add(void);

/* Prepare every statement of @tier. Returns 0 or IDP_ERR_UNAVAILABLE. */
IDP_WUR int store_prepare_tier(struct store *s, enum store_tier tier);

/* Keep the first line of @msg (may be NULL) as the store's error line. */
void store_error_set(struct store *s, const char *prefix, const char *msg);

/*
 * Decode column @col of row @row as an int. Returns false when it is NULL
 * or not a number (a broken invariant: the SQL promises an int).
 */
IDP_WUR bool store_get_int(const PGresult *res, int row, int col, int *out);

/* Format @v for use as a text parameter; @buf needs 12 bytes. */
const char *store_int_param(char buf[12], int v);

/*
 * Statements that only the store itself uses (the migration runner and
 * the connect sequence), each in its own pg_*.c file.
 */

/* SET statement_timeout for this session. STORE_ONE_ROW or an error. */
IDP_WUR int store_statement_timeout_update(struct store *s, unsigned ms);

/* Whether schema_migrations exists. STORE_ONE_ROW or an error. */
IDP_WUR int store_migration_table_select(struct store *s, bool *exists);

/*
 * Take and release the session advisory lock that serializes migration
 * runs across processes. Both wait as long as it takes: the migration
 * connection has no statement timeout.
 */
IDP_WUR int store_migration_lock(struct store *s);
IDP_WUR int store_migration_unlock(struct store *s);

/* Record migration @m as applied (inside its transaction). */
IDP_WUR int store_migration_insert(struct store *s,
				   const struct store_migration *m);

/*
 * Run migration @m's SQL text (inside the caller's transaction). On
 * failure the server's message, naming the migration, is kept for
 * store_error_peek().
 */
IDP_WUR int store_migration_apply(struct store *s,
				  const struct store_migration *m);

/* One applied migration, as schema_migrations has it. */
typedef void (*store_migration_row_cb)(int version, const char *name,
				       const char *applied_at, void *cls);

/*
 * Call @cb for every row of schema_migrations in version order. Returns
 * the number of rows (STORE_NO_ROW when none) or an error.
 */
IDP_WUR int store_migration_iterate(struct store *s, store_migration_row_cb cb,
				    void *cls);

/* store_rows.c: shared decoding helpers. */
/* An int64 as text: sign, 19 digits, NUL. */
#define STORE_INT64_PARAM_BYTES 21

/*
 * Decode column @col of @row as a decimal int64, strictly: no NULL, no
 * blanks, no trailing characters, no overflow. False otherwise.
 */
IDP_WUR bool store_row_int64(const PGresult *res, int row, int col,
			     int64_t *out);

/*
 * The number of rows a DELETE or UPDATE touched (PQcmdTuples), strictly.
 * False when it is not a number.
 */
IDP_WUR bool store_row_count(PGresult *res, int64_t *n);

/* Format @v as a text parameter into @buf; returns @buf. */
const char *store_int64_param(char buf[STORE_INT64_PARAM_BYTES], int64_t v);

/* PostgreSQL's text boolean "t" or "f"; false for NULL or anything else. */
IDP_WUR bool store_row_bool(const PGresult *res, int row, int col,
			    bool *out);

/*
 * An owned copy (free()) of a text column; NULL stays NULL when @nullable
 * and is refused otherwise. False on a refused NULL or out of memory.
 */
IDP_WUR bool store_row_text(const PGresult *res, int row, int col,
			    bool nullable, char **out);

/*
 * @len bytes of @bin as lower-case hex into @hex (2 * @len + 1 bytes), in
 * constant time (hashes of secrets go through here). Returns @hex.
 */
const char *store_hex(const uint8_t *bin, size_t len, char *hex);

#endif
