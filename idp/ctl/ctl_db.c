/*
 * idpctl db: the database schema.
 *
 *   idpctl db migrate   apply pending migrations, saying which
 *   idpctl db status    list migrations and compare versions
 *
 * Both go through the store (store_migrate(), store_migration_status());
 * what they print on failure never includes the connection string.
 */
#include <stdio.h>

#include "idp/ctl/ctl.h"
#include "idp/store/store.h"

/* Room for a failure line from the store. */
#define DB_ERR_MAX 512

static void
print_applied(int number, const char *name, bool applied,
	      const char *applied_at, void *cls)
{
	(void)applied;
	(void)applied_at;
	(void)cls;
	printf("applied %03d_%s\n", number, name);
	/* A run that fails later has still said what it did. */
	(void)fflush(stdout);
}

static int
db_migrate(const struct cfg *cfg, int argc, char **argv)
{
	char err[DB_ERR_MAX];
	int applied;

	(void)argv;
	if (argc != 1)
		return ctl_usage("'db migrate' takes no arguments");
	if (store_migrate(cfg->db_conninfo, print_applied, NULL, &applied, err,
			  sizeof(err)) != 0)
		return ctl_fail("%s", err);
	if (applied == 0)
		printf("schema is current (version %d)\n",
		       store_schema_expected());
	return CTL_EXIT_OK;
}

struct status_ctx {
	int version; /* highest applied */
};

static void
print_status(int number, const char *name, bool applied, const char *applied_at,
	     void *cls)
{
	struct status_ctx *ctx = cls;

	if (applied && number > ctx->version)
		ctx->version = number;
	printf("%03d_%s  %s\n", number, name,
	       !applied		    ? "pending"
	       : applied_at != NULL ? applied_at
				    : "applied");
}

static int
db_status(const struct cfg *cfg, int argc, char **argv)
{
	struct status_ctx ctx = {0};
	char err[DB_ERR_MAX];
	int expected = store_schema_expected();

	(void)argv;
	if (argc != 1)
		return ctl_usage("'db status' takes no arguments");
	if (store_migration_status(cfg->db_conninfo, print_status, &ctx, err,
				   sizeof(err)) != 0)
		return ctl_fail("%s", err);
	/* AHEAD in capitals: the one state where this program is too old. */
	printf("schema version %d, code expects %d: %s\n", ctx.version,
	       expected,
	       ctx.version == expected	? "current"
	       : ctx.version < expected ? "behind"
					: "AHEAD");
	return CTL_EXIT_OK;
}

static const struct ctl_command db_commands[] = {
	{"migrate", "", "apply pending schema migrations", db_migrate},
	{"status", "", "list migrations and compare schema versions",
	 db_status},
	{NULL, NULL, NULL, NULL},
};

const struct ctl_group ctl_group_db = {
	.name = "db",
	.help = "database schema",
	.commands = db_commands,
};
