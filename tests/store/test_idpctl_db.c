/*
 * `idpctl db migrate` and `idpctl db status`, run as the operator runs
 * them: the built idpctl (path in argv[1]) in a child process, its output
 * and exit status checked.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "idp/store/store.h"
#include "ctlrun.h"
#include "testdb.h"

static const char *idpctl_path;

static struct ctl_run
run_idpctl(const char *conninfo, const char *config, const char *const *args)
{
	return ctl_run(idpctl_path, conninfo, config, NULL, 0, args);
}

static void
test_migrate_then_current(void **state)
{
	const char *db = testdb_create();
	const char *migrate[] = {"db", "migrate", NULL};
	char want[64];
	struct ctl_run r;

	(void)state;
	r = run_idpctl(db, NULL, migrate);
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_non_null(strstr(r.out, "applied 001_base\n"));
	assert_int_equal(ctl_run_lines(r.out), store_schema_expected());
	ctl_run_free(&r);

	r = run_idpctl(db, NULL, migrate);
	assert_int_equal(r.status, 0);
	(void)snprintf(want, sizeof(want), "schema is current (version %d)\n",
		       store_schema_expected());
	assert_string_equal(r.out, want);
	ctl_run_free(&r);
}

static void
test_status(void **state)
{
	const char *db = testdb_create();
	const char *status[] = {"db", "status", NULL};
	const char *migrate[] = {"db", "migrate", NULL};
	char want[128], *ignored;
	struct ctl_run r;
	PGconn *c;

	(void)state;
	r = run_idpctl(db, NULL, status);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "001_base  pending\n"));
	(void)snprintf(want, sizeof(want),
		       "schema version 0, code expects %d: behind\n",
		       store_schema_expected());
	assert_non_null(strstr(r.out, want));
	ctl_run_free(&r);

	r = run_idpctl(db, NULL, migrate);
	assert_int_equal(r.status, 0);
	ctl_run_free(&r);

	r = run_idpctl(db, NULL, status);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "001_base  20"));
	/* "  pending" is a state; 009_saml_pending_binding is a name. */
	assert_null(strstr(r.out, "  pending\n"));
	(void)snprintf(want, sizeof(want),
		       "schema version %d, code expects %d: current\n",
		       store_schema_expected(), store_schema_expected());
	assert_non_null(strstr(r.out, want));
	assert_int_equal(ctl_run_lines(r.out), store_schema_expected() + 1);
	ctl_run_free(&r);

	c = testdb_connect(db);
	(void)snprintf(want, sizeof(want),
		       "INSERT INTO schema_migrations (version, name)"
		       " VALUES (%d, 'future')",
		       store_schema_expected() + 1);
	ignored = testdb_query(c, want);
	free(ignored);
	PQfinish(c);
	r = run_idpctl(db, NULL, status);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "_future  20"));
	assert_non_null(strstr(r.out, ": AHEAD\n"));
	ctl_run_free(&r);

	/* migrate refuses a newer database. */
	r = run_idpctl(db, NULL, migrate);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "newer than this program"));
	ctl_run_free(&r);
}

static void
test_config_file(void **state)
{
	const char *db = testdb_create();
	const char *status[] = {"db", "status", NULL};
	char path[] = "/tmp/idpctl-test-conf.XXXXXX";
	const char *with_opt[] = {"--config", path, "db", "status", NULL};
	const char *missing[] = {"--config", "/nonexistent/idpd.conf", "db",
				 "status", NULL};
	struct ctl_run r;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "[database]\nconninfo=%s\n", db);
	assert_int_equal(fclose(f), 0);

	r = run_idpctl(NULL, NULL, with_opt);
	if (r.status != 0)
		fail_msg("--config: exit %d: %s", r.status, r.err);
	assert_non_null(strstr(r.out, "001_base  pending\n"));
	ctl_run_free(&r);

	r = run_idpctl(NULL, path, status);
	if (r.status != 0)
		fail_msg("IDP_CONFIG: exit %d: %s", r.status, r.err);
	assert_non_null(strstr(r.out, "001_base  pending\n"));
	ctl_run_free(&r);

	r = run_idpctl(NULL, NULL, missing);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "idpctl: "));
	ctl_run_free(&r);
	(void)unlink(path);
}

static void
expect_usage(const char *const *args, const char *want)
{
	struct ctl_run r = run_idpctl("dbname=unused", NULL, args);

	if (r.status != 2)
		fail_msg("%s: exit %d", args[0] != NULL ? args[0] : "-",
			 r.status);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, want));
	assert_non_null(strstr(r.err, "Try 'idpctl --help'."));
	ctl_run_free(&r);
}

static void
test_usage_errors(void **state)
{
	const char *none[] = {NULL};
	const char *group_only[] = {"db", NULL};
	const char *bad_cmd[] = {"db", "frobnicate", NULL};
	const char *bad_group[] = {"nosuch", "thing", NULL};
	const char *extra[] = {"db", "migrate", "now", NULL};
	const char *bad_opt[] = {"--bogus", "db", "status", NULL};
	const char *help[] = {"--help", NULL};
	struct ctl_run r;

	(void)state;
	expect_usage(none, "missing command group");
	expect_usage(group_only, "missing command after 'db'");
	expect_usage(bad_cmd, "unknown command 'db frobnicate'");
	expect_usage(bad_group, "unknown command group 'nosuch'");
	expect_usage(extra, "takes no arguments");
	expect_usage(bad_opt, "--bogus");

	r = run_idpctl(NULL, NULL, help);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "db migrate"));
	assert_non_null(strstr(r.out, "db status"));
	ctl_run_free(&r);
}

static void
test_unreachable_database(void **state)
{
	const char *cmds[2][3] = {{"db", "migrate", NULL},
				  {"db", "status", NULL}};
	const char *conninfo =
		"host=/nonexistent/idp-test dbname=idp "
		"user=idp password=SECRETVALUE connect_timeout=2";

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct ctl_run r = run_idpctl(conninfo, NULL, cmds[i]);

		assert_int_equal(r.status, 1);
		assert_null(strstr(r.out, "SECRETVALUE"));
		assert_null(strstr(r.err, "SECRETVALUE"));
		assert_non_null(strstr(r.err, "idpctl: cannot connect to the "
					      "database: "));
		/* One line, libpq's first. */
		assert_int_equal(ctl_run_lines(r.err), 1);
		ctl_run_free(&r);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_then_current),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_unreachable_database),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-IDPCTL\n", argv[0]);
		return 1;
	}
	idpctl_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
