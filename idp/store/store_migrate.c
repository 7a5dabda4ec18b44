/*
 * The migration runner and the migration status, for `idpctl db migrate`
 * and `idpctl db status`. Both open a connection of their own (see
 * store_new_quiet()), since the schema they look at may not exist yet.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/store/store_internal.h"

/* Application name of the migration connection, seen in pg_stat_activity. */
#define MIGRATE_APPLICATION_NAME "idpctl"

static void err_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

struct apply_ctx {
	const struct store_migration *m;
};

/* One migration and its schema_migrations row, in one transaction. */
static int
apply_cb(struct store *s, void *cls)
{
	const struct apply_ctx *ctx = cls;
	int rc;

	rc = store_migration_apply(s, ctx->m);
	if (rc < 0)
		return rc;
	/*
	 * Migration 001 creates schema_migrations, so on a new database the
	 * statements naming it can be prepared only now. PREPARE is not
	 * transactional; should this transaction roll back, the run ends
	 * and the connection with it.
	 */
	if (!s->prepared[STORE_TIER_VERSION] &&
	    store_prepare_tier(s, STORE_TIER_VERSION) != 0)
		return STORE_HARD_ERROR;
	return store_migration_insert(s, ctx->m);
}

/* Apply the migrations after @version; the lock is held. */
static int
apply_all(struct store *s, int version, store_migration_cb cb, void *cls,
	  int *applied, char *err, size_t errlen)
{
	struct apply_ctx ctx;
	char name[80];
	int rc;

	for (size_t i = 0; i < store_migrations_count; i++) {
		ctx.m = &store_migrations[i];
		if (ctx.m->number <= version)
			continue;
		(void)snprintf(name, sizeof(name), "migration %03d_%s",
			       ctx.m->number, ctx.m->name);
		s->error[0] = '\0';
		rc = store_run_tx(s, name, false, apply_cb, &ctx);
		if (rc < 0) {
			if (s->error[0] != '\0')
				err_set(err, errlen, "%s", s->error);
			else if (s->lost)
				err_set(err, errlen,
					"%s failed: the connection to the "
					"database was lost",
					name);
			else
				err_set(err, errlen,
					"%s failed (the log says why)", name);
			return IDP_ERR_INTERNAL;
		}
		(*applied)++;
		if (cb != NULL)
			cb(ctx.m->number, ctx.m->name, true, NULL, cls);
	}
	return 0;
}

int
store_migrate(const char *conninfo, store_migration_cb cb, void *cls,
	      int *applied, char *err, size_t errlen)
{
	struct store *s;
	bool locked = false;
	int rc, version;

	*applied = 0;
	err_set(err, errlen, "%s", "");
	s = store_new_quiet(conninfo, MIGRATE_APPLICATION_NAME);
	if (s == NULL) {
		err_set(err, errlen, "out of memory");
		return IDP_ERR_NOMEM;
	}
	if (store_ensure(s) != 0) {
		err_set(err, errlen, "cannot connect to the database: %s",
			store_error_peek(s));
		rc = IDP_ERR_UNAVAILABLE;
		goto out;
	}
	if (store_migration_lock(s) != STORE_ONE_ROW) {
		err_set(err, errlen, "cannot take the migration lock");
		rc = IDP_ERR_UNAVAILABLE;
		goto out;
	}
	locked = true;
	/*
	 * Read the version only under the lock: a run that held it before
	 * us may just have applied what we would otherwise apply again.
	 */
	if (store_schema_version_select(s, &version) != STORE_ONE_ROW) {
		err_set(err, errlen, "cannot read the schema version%s%s",
			s->error[0] != '\0' ? ": " : "", s->error);
		rc = IDP_ERR_INTERNAL;
		goto out;
	}
	if (version > store_schema_expected()) {
		err_set(err, errlen,
			"the database schema is version %d, newer than this "
			"program knows (version %d): use a newer idpctl",
			version, store_schema_expected());
		rc = IDP_ERR_INVALID;
		goto out;
	}
	rc = apply_all(s, version, cb, cls, applied, err, errlen);
out:
	/*
	 * Closing the connection would release the lock as well; unlocking
	 * first is just tidier for a server that pools nothing.
	 */
	if (locked && !s->lost && store_migration_unlock(s) != STORE_ONE_ROW)
		log_kv(LOG_LEVEL_WARN, "store_migration_unlock_failed", NULL);
	store_free(s);
	return rc;
}

/* The rows of schema_migrations, copied out of the result. */
struct status_row {
	int version;
	char *name;
	char *applied_at;
};

struct status_rows {
	struct status_row *v;
	size_t n, cap;
	bool nomem;
};

static void
collect_row(int version, const char *name, const char *applied_at, void *cls)
{
	struct status_rows *rows = cls;
	struct status_row *row;

	if (rows->nomem)
		return;
	if (rows->n == rows->cap) {
		size_t cap = rows->cap == 0 ? 16 : rows->cap * 2;
		struct status_row *v = reallocarray(rows->v, cap, sizeof(*v));

		if (v == NULL) {
			rows->nomem = true;
			return;
		}
		rows->v = v;
		rows->cap = cap;
	}
	row = &rows->v[rows->n];
	row->version = version;
	row->name = strdup(name);
	row->applied_at = strdup(applied_at);
	rows->n++;
	if (row->name == NULL || row->applied_at == NULL)
		rows->nomem = true;
}

static void
rows_free(struct status_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		free(rows->v[i].name);
		free(rows->v[i].applied_at);
	}
	free(rows->v);
}

/*
 * Merge what the code knows with what the database has, in number order.
 * A migration the code knows is shown with the code's name.
 */
static void
report(const struct status_rows *rows, store_migration_cb cb, void *cls)
{
	size_t j = 0;

	for (size_t i = 0; i < store_migrations_count; i++) {
		const struct store_migration *m = &store_migrations[i];

		for (; j < rows->n && rows->v[j].version < m->number; j++)
			cb(rows->v[j].version, rows->v[j].name, true,
			   rows->v[j].applied_at, cls);
		if (j < rows->n && rows->v[j].version == m->number) {
			cb(m->number, m->name, true, rows->v[j].applied_at,
			   cls);
			j++;
		} else {
			cb(m->number, m->name, false, NULL, cls);
		}
	}
	for (; j < rows->n; j++)
		cb(rows->v[j].version, rows->v[j].name, true,
		   rows->v[j].applied_at, cls);
}

int
store_migration_status(const char *conninfo, store_migration_cb cb, void *cls,
		       char *err, size_t errlen)
{
	struct status_rows rows = {0};
	struct store *s;
	int rc, version;

	err_set(err, errlen, "%s", "");
	s = store_new_quiet(conninfo, MIGRATE_APPLICATION_NAME);
	if (s == NULL) {
		err_set(err, errlen, "out of memory");
		return IDP_ERR_NOMEM;
	}
	if (store_ensure(s) != 0) {
		err_set(err, errlen, "cannot connect to the database: %s",
			store_error_peek(s));
		rc = IDP_ERR_UNAVAILABLE;
		goto out;
	}
	/* Also prepares the statements naming schema_migrations. */
	if (store_schema_version_select(s, &version) != STORE_ONE_ROW) {
		err_set(err, errlen, "cannot read the schema version%s%s",
			s->error[0] != '\0' ? ": " : "", s->error);
		rc = IDP_ERR_INTERNAL;
		goto out;
	}
	if (s->prepared[STORE_TIER_VERSION] &&
	    store_migration_iterate(s, collect_row, &rows) < 0) {
		err_set(err, errlen, "cannot read schema_migrations");
		rc = IDP_ERR_INTERNAL;
		goto out;
	}
	if (rows.nomem) {
		err_set(err, errlen, "out of memory");
		rc = IDP_ERR_NOMEM;
		goto out;
	}
	report(&rows, cb, cls);
	rc = 0;
out:
	rows_free(&rows);
	store_free(s);
	return rc;
}
