/*
 * The store: the only code that talks to PostgreSQL (the only place that
 * includes libpq-fe.h). One struct store per worker thread; it is not
 * thread-safe and never shared.
 *
 * Return values of store functions:
 *   STORE_HARD_ERROR  the statement failed (connection lost, constraint, bug)
 *   STORE_SOFT_ERROR  serialization failure or deadlock: retry the transaction
 *   STORE_NO_ROW      no row matched
 *   STORE_ONE_ROW     one row matched (or the statement succeeded)
 *   n > 1             rows visited by an iterator
 *
 * Every statement is prepared when the connection opens and again after a
 * reconnect; a statement that fails to prepare fails the connect, so a
 * mismatch between code and schema shows at startup.
 *
 * One exception keeps a store usable on a database that has not been
 * migrated yet (so that callers can read the schema version and tell the
 * operator what to do): when the schema is older than the code expects,
 * the connect succeeds with only the statements the old schema allows
 * (store_ping(), store_schema_version_select()); every other statement
 * then fails with STORE_HARD_ERROR and a log line naming both versions.
 * idpd compares store_schema_version_select() with store_schema_expected()
 * at startup and refuses to serve on a mismatch.
 *
 * Errors are logged with the statement name and SQLSTATE, never with
 * parameters or the connection string.
 */
#ifndef IDP_STORE_STORE_H
#define IDP_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/common/err.h"

#define STORE_HARD_ERROR (-2)
#define STORE_SOFT_ERROR (-1)
#define STORE_NO_ROW	 0
#define STORE_ONE_ROW	 1

struct store;

/*
 * Create a store for @conninfo (borrowed; copied, and zeroed on free): a
 * libpq key=value string, a postgresql:// URI or a bare database name;
 * NULL or "" means libpq's defaults and PG* variables. It may choose
 * application_name (default "idpd") and connect_timeout (default 5 s);
 * client_encoding is always UTF8. Does not connect: the first
 * store_ensure() does. @tx_retries bounds retries of a transaction on
 * serialization failure; @statement_timeout_ms (0: none) is set on every
 * connection. Returns NULL on allocation failure.
 */
struct store *store_new(const char *conninfo, unsigned tx_retries,
			unsigned statement_timeout_ms);

/* Close the connection and free. NULL is fine. */
void store_free(struct store *s);

/*
 * Make sure the connection is open and all statements are prepared (all
 * that the schema allows, see above). Call it at the start of every
 * request. Reconnects when the connection was lost, at most once per
 * STORE_RECONNECT_INTERVAL_MS (a down database costs each request one
 * cheap check, not a connect storm); the very first connect is not
 * delayed. Returns 0 or IDP_ERR_UNAVAILABLE, with the reason in
 * store_error_peek() and in the log.
 */
IDP_WUR int store_ensure(struct store *s);

/* Whether the last operation saw the connection fail. */
bool store_connection_lost(const struct store *s);

/*
 * The last connect failure as one line (libpq's first line, or ours),
 * never containing the connection string; "" when there was none.
 * Borrowed: valid until the next call on @s.
 */
const char *store_error_peek(const struct store *s);

/*
 * A round trip to the database (SELECT 1, prepared), for /readyz.
 * Returns STORE_ONE_ROW or STORE_HARD_ERROR.
 */
IDP_WUR int store_ping(struct store *s);

/*
 * Count of statement failures since start, over all stores in the process
 * (for /metrics).
 */
uint64_t store_error_count(void);

/*
 * Run @cb inside one transaction (@serializable selects SERIALIZABLE, else
 * READ COMMITTED). @name is logged on failure. @cb returns a STORE_* value:
 * STORE_NO_ROW or more commits, STORE_HARD_ERROR rolls back, and
 * STORE_SOFT_ERROR (a statement hit a serialization failure or deadlock)
 * rolls back and runs @cb again, up to the configured number of retries,
 * after a short randomized wait that grows with each retry (2 ms, 4 ms,
 * ... up to 100 ms) so that the retry does not meet the transaction it
 * lost to while that one is still committing.
 *
 * A serialization failure at COMMIT is retried like one inside @cb. So
 * @cb may run up to retries + 1 times: it must leave nothing outside the
 * database that a later run would repeat (reset its output in @cls at
 * the start of each run), and it must not call store_run_tx() itself.
 *
 * Returns what @cb returned last; STORE_HARD_ERROR when BEGIN or COMMIT
 * failed otherwise (connection lost; or @cb went on after a failed
 * statement, so PostgreSQL rolled the transaction back at COMMIT); or
 * STORE_SOFT_ERROR when the retries ran out.
 */
typedef int (*store_tx_cb)(struct store *s, void *cls);
IDP_WUR int store_run_tx(struct store *s, const char *name, bool serializable,
			 store_tx_cb cb, void *cls);

/* Schema version the code expects: the number of the newest migration. */
int store_schema_expected(void);

/*
 * Highest applied migration, 0 when the version table does not exist.
 * Returns STORE_ONE_ROW or STORE_HARD_ERROR.
 */
IDP_WUR int store_schema_version_select(struct store *s, int *version);

/*
 * Called once per migration: @number and @name (the parts of
 * sql/NNN_name.sql), whether it is applied and when (ISO 8601 UTC, or NULL
 * when pending or not known). Strings are borrowed for the call.
 */
typedef void (*store_migration_cb)(int number, const char *name, bool applied,
				   const char *applied_at, void *cls);

/*
 * Apply every migration newer than the current version, each in its own
 * transaction together with its schema_migrations row, under a session
 * advisory lock so that concurrent runs wait for each other (the second
 * finds nothing left to do). Refuses a database whose schema is newer
 * than the code. Opens its own connection from @conninfo, without a
 * statement timeout, since the schema may not exist yet.
 *
 * @cb (may be NULL) is called after each migration commits, with
 * applied_at NULL, so that a run that fails half-way has still said what
 * it did. @applied receives how many were applied. On failure writes one
 * line into @err (never the connection string). Returns 0,
 * IDP_ERR_UNAVAILABLE (database unreachable), IDP_ERR_INVALID (database
 * newer than the code) or IDP_ERR_INTERNAL (a migration failed).
 */
IDP_WUR int store_migrate(const char *conninfo, store_migration_cb cb,
			  void *cls, int *applied, char *err, size_t errlen);

/*
 * One call of @cb per migration for `idpctl db status`, in number order:
 * every migration the code knows, then any applied ones it does not know
 * (a database newer than the code). Read only. Returns 0 or
 * IDP_ERR_UNAVAILABLE, IDP_ERR_NOMEM, IDP_ERR_INTERNAL with one line in
 * @err.
 */
IDP_WUR int store_migration_status(const char *conninfo, store_migration_cb cb,
				   void *cls, char *err, size_t errlen);

/*
 * Cluster-wide settings (table settings). Keys and values are text chosen
 * by the caller; PostgreSQL rejects invalid UTF-8 (STORE_HARD_ERROR).
 */

/* Insert or replace @key. Returns STORE_ONE_ROW or an error. */
IDP_WUR int store_setting_upsert(struct store *s, const char *key,
				 const char *value);

/*
 * Look @key up. On STORE_ONE_ROW *value is an owned copy, freed by the
 * caller with free(); otherwise *value is NULL. Returns STORE_ONE_ROW,
 * STORE_NO_ROW or an error.
 */
IDP_WUR int store_setting_select(struct store *s, const char *key,
				 char **value);

/*
 * The value of setting @key, set to @proposed first if it had none (one
 * atomic statement: concurrent callers all get the winning value).
 * *value is malloc'ed. Returns STORE_ONE_ROW or an error.
 */
IDP_WUR int store_setting_ensure(struct store *s, const char *key,
				 const char *proposed, char **value);

#endif
