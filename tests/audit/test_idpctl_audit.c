/*
 * `idpctl audit verify` and `idpctl audit tail`, run as the operator runs
 * them: the built idpctl (path in argv[1]) in a child process, its output
 * and exit status checked, including hostile arguments and stored values
 * that try to reach the operator's terminal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "idp/audit/audit.h"
#include "idp/crypto/crypt.h"
#include "idp/store/store.h"
#include "ctlrun.h"
#include "testdb.h"

static const char *idpctl_path;

static struct ctl_run
run_idpctl(const char *conninfo, const char *const *args)
{
	return ctl_run(idpctl_path, conninfo, NULL, NULL, 0, args);
}

static const char *
migrated_db(void)
{
	const char *db = testdb_create();
	char err[256];
	int applied;

	if (store_migrate(db, NULL, NULL, &applied, err, sizeof(err)) != 0)
		fail_msg("migrate: %s", err);
	return db;
}

struct ev {
	const char *event, *actor, *subject, *client, *details;
};

static int
append_cb(struct store *s, void *cls)
{
	const struct ev *e = cls;

	return audit_append(s, e->event, e->actor, e->subject, e->client,
			    e->details);
}

static void
append(const char *db, const struct ev *e)
{
	struct store *s = store_new(db, 3, 10000);

	assert_non_null(s);
	assert_int_equal(store_ensure(s), 0);
	assert_int_equal(
		store_run_tx(s, "t", false, append_cb, (void *)(uintptr_t)e),
		STORE_ONE_ROW);
	store_free(s);
}

static void
raw(const char *db, const char *sql)
{
	PGconn *c = testdb_connect(db);

	free(testdb_query(c, sql));
	PQfinish(c);
}

static const struct ev ev1 = {"account_registered", "citizen",
			      "0123456789abcdef0123456789abcdef", "192.0.2.1",
			      "{}"};
static const struct ev ev2 = {"login_failed", "citizen",
			      "0123456789abcdef0123456789abcdef", "2001:db8::7",
			      "{\"reason\": \"bad_password\"}"};
static const struct ev ev3 = {"account_locked", "operator", NULL, NULL,
			      "{\"by\": \"idpctl\"}"};

static void
test_verify(void **state)
{
	const char *db = migrated_db();
	const char *verify[] = {"audit", "verify", NULL};
	struct ctl_run r;

	(void)state;
	r = run_idpctl(db, verify);
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_string_equal(r.out, "audit chain intact: 0 rows\n");
	ctl_run_free(&r);

	append(db, &ev1);
	append(db, &ev2);
	append(db, &ev3);
	r = run_idpctl(db, verify);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "audit chain intact: 3 rows\n");
	ctl_run_free(&r);

	raw(db, "ALTER TABLE audit_log DISABLE TRIGGER USER");
	raw(db, "UPDATE audit_log SET client = '203.0.113.5' WHERE seq = 2");
	r = run_idpctl(db, verify);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "audit chain broken at row 2: its hash does "
				   "not match its contents (changed)\n");
	ctl_run_free(&r);

	raw(db, "DELETE FROM audit_log WHERE seq = 1");
	r = run_idpctl(db, verify);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "audit chain broken at row 1: the row is "
				   "missing (deleted, or the chain was cut)\n");
	ctl_run_free(&r);
}

static void
test_tail(void **state)
{
	const char *db = migrated_db();
	const char *tail[] = {"audit", "tail", NULL};
	const char *tail2[] = {"audit", "tail", "-n", "2", NULL};
	const char *json[] = {"audit", "tail", "--json", "-n", "3", NULL};
	struct ctl_run r;
	char *line2, *line3;

	(void)state;
	r = run_idpctl(db, tail);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, ""); /* an empty log */
	ctl_run_free(&r);

	append(db, &ev1);
	append(db, &ev2);
	append(db, &ev3);
	r = run_idpctl(db, tail);
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_int_equal(ctl_run_lines(r.out), 3);
	/* Oldest first, every field, "-" for NULL. */
	assert_true(strncmp(r.out, "1 20", 4) == 0);
	line2 = strstr(r.out, "\n2 20");
	line3 = strstr(r.out, "\n3 20");
	assert_non_null(line2);
	assert_non_null(line3);
	assert_true(line2 < line3);
	assert_non_null(strstr(r.out, "Z account_registered actor=citizen "
				      "subject=0123456789abcdef0123456789abcdef"
				      " client=192.0.2.1 {}\n"));
	assert_non_null(strstr(line2, "Z login_failed actor=citizen subject="
				      "0123456789abcdef0123456789abcdef "
				      "client=2001:db8::7 "
				      "{\"reason\": \"bad_password\"}\n"));
	assert_non_null(strstr(line3, "Z account_locked actor=operator "
				      "subject=- client=- {\"by\": \"idpctl\"}"
				      "\n"));
	ctl_run_free(&r);

	r = run_idpctl(db, tail2);
	assert_int_equal(r.status, 0);
	assert_int_equal(ctl_run_lines(r.out), 2);
	assert_true(strncmp(r.out, "2 ", 2) == 0);
	assert_non_null(strstr(r.out, "\n3 "));
	ctl_run_free(&r);

	r = run_idpctl(db, json);
	assert_int_equal(r.status, 0);
	assert_int_equal(ctl_run_lines(r.out), 3);
	assert_true(strncmp(r.out, "{\"seq\":1,\"at\":\"20", 17) == 0);
	assert_non_null(strstr(r.out, "\"event\":\"login_failed\",\"actor\":"
				      "\"citizen\",\"subject\":\"0123456789abcd"
				      "ef0123456789abcdef\",\"client\":"
				      "\"2001:db8::7\",\"details\":{\"reason\":"
				      " \"bad_password\"},\"prev_hash\":\""));
	assert_non_null(strstr(r.out, "{\"seq\":3,"));
	assert_non_null(strstr(r.out, "\"subject\":null,\"client\":null,"
				      "\"details\":{\"by\": \"idpctl\"}"));
	ctl_run_free(&r);
}

/* Stored values cannot put escape sequences on the operator's terminal. */
static void
test_tail_escapes(void **state)
{
	const char *db = migrated_db();
	const char *tail[] = {"audit", "tail", NULL};
	const char *json[] = {"audit", "tail", "--json", NULL};
	const struct ev evil = {"login_failed", "op\x1b[31mred\x07",
				"a\xe2\x80\xae"
				"cba\r\n2 fake line",
				"192.0.2.1",
				"{\"ua\": \"\x7f\xc2\x9b"
				"evil\xe2\x80\x8b\"}"};
	struct ctl_run r;

	(void)state;
	append(db, &evil);
	r = run_idpctl(db, tail);
	assert_int_equal(r.status, 0);
	assert_int_equal(ctl_run_lines(r.out), 1);
	assert_null(strchr(r.out, '\x1b'));
	assert_null(strchr(r.out, '\x07'));
	assert_null(strchr(r.out, '\r'));
	assert_null(strchr(r.out, '\x7f'));
	assert_null(strstr(r.out, "\xe2\x80\xae")); /* RIGHT-TO-LEFT OVERRIDE */
	assert_null(strstr(r.out, "\xc2\x9b"));	    /* C1 CSI */
	assert_null(strstr(r.out, "\xe2\x80\x8b")); /* ZERO WIDTH SPACE */
	assert_non_null(strstr(r.out, "actor=op\\x1b[31mred\\x07 "));
	assert_non_null(strstr(r.out, "subject=a\\u{202e}cba\\x0d\\x0a2 fake "
				      "line "));
	assert_non_null(strstr(r.out, "\\x7f\\x9bevil\\u{200b}"));
	ctl_run_free(&r);

	r = run_idpctl(db, json);
	assert_int_equal(r.status, 0);
	assert_int_equal(ctl_run_lines(r.out), 1);
	assert_null(strchr(r.out, '\x1b'));
	assert_non_null(strstr(r.out, "\"actor\":\"op\\u001b[31mred\\u0007\""));
	assert_non_null(strstr(r.out, "cba\\r\\n2 fake line\""));
	ctl_run_free(&r);
}

static void
expect_usage(const char *db, const char *const *args, const char *want)
{
	struct ctl_run r = run_idpctl(db, args);

	if (r.status != 2)
		fail_msg("%s %s: exit %d", args[1],
			 args[2] != NULL ? args[2] : "", r.status);
	assert_string_equal(r.out, "");
	if (strstr(r.err, want) == NULL)
		fail_msg("stderr '%s' lacks '%s'", r.err, want);
	/* One clear line and the hint. */
	assert_int_equal(ctl_run_lines(r.err), 2);
	ctl_run_free(&r);
}

static void
test_hostile_args(void **state)
{
	const char *db = migrated_db();
	const char *n_abc[] = {"audit", "tail", "-n", "abc", NULL};
	const char *n_0[] = {"audit", "tail", "-n", "0", NULL};
	const char *n_huge[] = {"audit", "tail", "-n", "999999999999", NULL};
	const char *n_over[] = {"audit", "tail", "-n", "10001", NULL};
	const char *n_neg[] = {"audit", "tail", "-n", "-5", NULL};
	const char *n_plus[] = {"audit", "tail", "-n", "+5", NULL};
	const char *n_space[] = {"audit", "tail", "-n", " 5", NULL};
	const char *n_trail[] = {"audit", "tail", "-n", "5x", NULL};
	const char *n_empty[] = {"audit", "tail", "-n", "", NULL};
	const char *n_ovf[] = {"audit", "tail", "-n",
			       "99999999999999999999999999", NULL};
	const char *n_missing[] = {"audit", "tail", "-n", NULL};
	const char *unknown[] = {"audit", "tail", "--lines", NULL};
	const char *verify_arg[] = {"audit", "verify", "now", NULL};
	const char *no_cmd[] = {"audit", NULL};
	const char *bad_cmd[] = {"audit", "rewrite", NULL};
	const char *n_max[] = {"audit", "tail", "-n", "10000", NULL};
	struct ctl_run r;

	(void)state;
	expect_usage(db, n_abc, "number of rows from 1 to 10000, not 'abc'");
	expect_usage(db, n_0, "not '0'");
	expect_usage(db, n_huge, "not '999999999999'");
	expect_usage(db, n_over, "not '10001'");
	expect_usage(db, n_neg, "not '-5'");
	expect_usage(db, n_plus, "not '+5'");
	expect_usage(db, n_space, "not ' 5'");
	expect_usage(db, n_trail, "not '5x'");
	expect_usage(db, n_empty, "not ''");
	expect_usage(db, n_ovf, "number of rows from 1 to 10000");
	expect_usage(db, n_missing, "'audit tail -n' needs a number of rows");
	expect_usage(db, unknown, "unknown argument '--lines'");
	expect_usage(db, verify_arg, "'audit verify' takes no arguments");
	expect_usage(db, no_cmd, "missing command after 'audit'");
	expect_usage(db, bad_cmd, "unknown command 'audit rewrite'");

	r = run_idpctl(db, n_max);
	assert_int_equal(r.status, 0);
	ctl_run_free(&r);
}

static void
test_database_problems(void **state)
{
	const char *fresh = testdb_create();
	const char *verify[] = {"audit", "verify", NULL};
	const char *tail[] = {"audit", "tail", NULL};
	struct ctl_run r;
	char *gone;

	(void)state;
	/* Not migrated: one line saying what to do. */
	r = run_idpctl(fresh, verify);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "run 'idpctl db migrate'"));
	ctl_run_free(&r);

	/* Unreachable: exit 1, the conninfo not echoed. */
	gone = testdb_conninfo_with(fresh, "dbname", "no_such_db_sekrit");
	r = run_idpctl(gone, tail);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "cannot reach the database"));
	assert_null(strstr(r.err, "host="));
	ctl_run_free(&r);
	free(gone);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_tail),
		cmocka_unit_test(test_tail_escapes),
		cmocka_unit_test(test_hostile_args),
		cmocka_unit_test(test_database_problems),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH_TO_IDPCTL\n", argv[0]);
		return 2;
	}
	idpctl_path = argv[1];
	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
