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
#include "testdb.h"

static const char *idpctl_path;

struct run {
	int status; /* exit status, or -1 when killed by a signal */
	char *out;
	char *err;
};

static char *
slurp(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	assert_non_null(buf);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	buf[len] = '\0';
	return buf;
}

static int
temp_fd(void)
{
	char path[] = "/tmp/idpctl-test.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	(void)unlink(path);
	return fd;
}

/*
 * Run idpctl with @args (NULL-terminated) and the database from
 * @conninfo (NULL: leave IDP_DATABASE_CONNINFO unset), without a config
 * file unless @config names one.
 */
static struct run
run_idpctl(const char *conninfo, const char *config, const char *const *args)
{
	const char *argv[16];
	struct run r = {0};
	int out = temp_fd(), err = temp_fd(), ws;
	size_t n = 0;
	pid_t pid;

	argv[n++] = idpctl_path;
	for (; *args != NULL && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (conninfo != NULL)
			(void)setenv("IDP_DATABASE_CONNINFO", conninfo, 1);
		else
			(void)unsetenv("IDP_DATABASE_CONNINFO");
		if (config != NULL)
			(void)setenv("IDP_CONFIG", config, 1);
		else
			(void)unsetenv("IDP_CONFIG");
		(void)dup2(out, 1);
		(void)dup2(err, 2);
		execv(idpctl_path, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	r.out = slurp(out);
	r.err = slurp(err);
	(void)close(out);
	(void)close(err);
	return r;
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
test_migrate_then_current(void **state)
{
	const char *db = testdb_create();
	const char *migrate[] = {"db", "migrate", NULL};
	char want[64];
	struct run r;

	(void)state;
	r = run_idpctl(db, NULL, migrate);
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_non_null(strstr(r.out, "applied 001_base\n"));
	assert_int_equal(count_lines(r.out), store_schema_expected());
	run_free(&r);

	r = run_idpctl(db, NULL, migrate);
	assert_int_equal(r.status, 0);
	(void)snprintf(want, sizeof(want), "schema is current (version %d)\n",
		       store_schema_expected());
	assert_string_equal(r.out, want);
	run_free(&r);
}

static void
test_status(void **state)
{
	const char *db = testdb_create();
	const char *status[] = {"db", "status", NULL};
	const char *migrate[] = {"db", "migrate", NULL};
	char want[128], *ignored;
	struct run r;
	PGconn *c;

	(void)state;
	r = run_idpctl(db, NULL, status);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "001_base  pending\n"));
	(void)snprintf(want, sizeof(want),
		       "schema version 0, code expects %d: behind\n",
		       store_schema_expected());
	assert_non_null(strstr(r.out, want));
	run_free(&r);

	r = run_idpctl(db, NULL, migrate);
	assert_int_equal(r.status, 0);
	run_free(&r);

	r = run_idpctl(db, NULL, status);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "001_base  20"));
	assert_null(strstr(r.out, "pending"));
	(void)snprintf(want, sizeof(want),
		       "schema version %d, code expects %d: current\n",
		       store_schema_expected(), store_schema_expected());
	assert_non_null(strstr(r.out, want));
	assert_int_equal(count_lines(r.out), store_schema_expected() + 1);
	run_free(&r);

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
	run_free(&r);

	/* migrate refuses a newer database. */
	r = run_idpctl(db, NULL, migrate);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "newer than this program"));
	run_free(&r);
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
	struct run r;
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
	run_free(&r);

	r = run_idpctl(NULL, path, status);
	if (r.status != 0)
		fail_msg("IDP_CONFIG: exit %d: %s", r.status, r.err);
	assert_non_null(strstr(r.out, "001_base  pending\n"));
	run_free(&r);

	r = run_idpctl(NULL, NULL, missing);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "idpctl: "));
	run_free(&r);
	(void)unlink(path);
}

static void
expect_usage(const char *const *args, const char *want)
{
	struct run r = run_idpctl("dbname=unused", NULL, args);

	if (r.status != 2)
		fail_msg("%s: exit %d", args[0] != NULL ? args[0] : "-",
			 r.status);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, want));
	assert_non_null(strstr(r.err, "Try 'idpctl --help'."));
	run_free(&r);
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
	struct run r;

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
	run_free(&r);
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
		struct run r = run_idpctl(conninfo, NULL, cmds[i]);

		assert_int_equal(r.status, 1);
		assert_null(strstr(r.out, "SECRETVALUE"));
		assert_null(strstr(r.err, "SECRETVALUE"));
		assert_non_null(strstr(r.err, "idpctl: cannot connect to the "
					      "database: "));
		/* One line, libpq's first. */
		assert_int_equal(count_lines(r.err), 1);
		run_free(&r);
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
