/*
 * `idpctl account ...`, run as the operator runs it: the built idpctl
 * (path in $IDPCTL) in a child process with the password on a pipe to its
 * stdin, its output and exit status checked, and what it did checked in
 * the database through a raw libpq connection: the account row, the
 * sessions and the audit rows.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "idp/crypto/crypt.h"
#include "idp/store/store.h"
#include "ctlrun.h"
#include "testdb.h"

static const char *idpctl_path;
static const char *db;
static PGconn *conn;

static struct ctl_run
run_in(const char *conninfo, const char *in, size_t in_len,
       const char *const *args)
{
	return ctl_run(idpctl_path, conninfo, NULL, in, in_len, args);
}

static struct ctl_run
run(const char *in, const char *const *args)
{
	return run_in(db, in, strlen(in), args);
}

/* Exit 0 expected; @want (may be NULL) in stdout. */
static void
expect_ok(const char *in, const char *const *args, const char *want)
{
	struct ctl_run r = run(in, args);

	if (r.status != 0)
		fail_msg("%s %s: exit %d: %s", args[0], args[1], r.status,
			 r.err);
	if (want != NULL && strstr(r.out, want) == NULL)
		fail_msg("%s %s: '%s' not in: %s", args[0], args[1], want,
			 r.out);
	ctl_run_free(&r);
}

/*
 * Exit @status expected with @want in the one error line (and the hint
 * to --help for usage errors), nothing on stdout.
 */
static void
expect_fail_in(const char *in, size_t in_len, int status,
	       const char *const *args, const char *want)
{
	struct ctl_run r = run_in(db, in, in_len, args);

	if (r.status != status)
		fail_msg("%s %s: exit %d, want %d: %s", args[0],
			 args[1] != NULL ? args[1] : "", r.status, status,
			 r.err);
	assert_string_equal(r.out, "");
	if (strncmp(r.err, "idpctl: ", 8) != 0 || strstr(r.err, want) == NULL)
		fail_msg("want '%s', got: %s", want, r.err);
	assert_int_equal(ctl_run_lines(r.err), status == 2 ? 2 : 1);
	if (status == 2)
		assert_non_null(strstr(r.err, "Try 'idpctl --help'."));
	ctl_run_free(&r);
}

static void
expect_fail(const char *in, int status, const char *const *args,
	    const char *want)
{
	expect_fail_in(in, strlen(in), status, args, want);
}

/* The first column of the first row of @fmt, as an owned string. */
static char *q(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *
q(const char *fmt, ...)
{
	char sql[2048];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return testdb_query(conn, sql);
}

static void
q_equal(const char *want, const char *sql)
{
	char *got = q("%s", sql);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", sql, got, want);
	free(got);
}

static long
audit_count(void)
{
	char *v = q("SELECT count(*) FROM audit_log");
	long n = atol(v);

	free(v);
	return n;
}

/*
 * The newest audit row: "event actor subject client details->operator
 * details" for comparison, subject and client as "-" when NULL.
 */
static char *
audit_last(void)
{
	return q("SELECT event || ' ' || actor || ' ' ||"
		 " coalesce(subject, '-') || ' ' || coalesce(client, '-')"
		 " || ' ' || coalesce(details->>'operator', '-') || ' ' ||"
		 " (details - 'operator')::text"
		 " FROM audit_log ORDER BY seq DESC LIMIT 1");
}

static char *
audit_ref_of(const char *email)
{
	return q("SELECT audit_ref FROM accounts WHERE email = '%s'", email);
}

/* The OS user idpctl records as the operator. */
static const char *
me(void)
{
	const struct passwd *pw = getpwuid(geteuid());

	assert_non_null(pw);
	return pw->pw_name;
}

static void
expect_audit(const char *event, const char *email, const char *rest)
{
	char *ref = audit_ref_of(email), *got = audit_last(), want[512];

	(void)snprintf(want, sizeof(want), "%s operator %s - %s %s", event, ref,
		       me(), rest);
	assert_string_equal(got, want);
	free(ref);
	free(got);
}

/* One "label  value" line of the readable output, as idpctl pads it. */
static const char *
line(const char *label, const char *value)
{
	static char buf[512];

	(void)snprintf(buf, sizeof(buf), "%-20s%s\n", label, value);
	return buf;
}

static void
create(const char *email, bool verified)
{
	const char *args[] = {"account",
			      "create",
			      "--email",
			      email,
			      "--given-name",
			      "Erika",
			      "--family-name",
			      "Mustermann",
			      verified ? "--verified" : NULL,
			      NULL};

	expect_ok("correct horse battery\n", args, "created ");
}

/* A live session for @email by raw SQL; returns its handle (owned). */
static char *
session_add(const char *email, const char *client, const char *ua)
{
	return q("INSERT INTO sessions (token_hash, handle, account_id,"
		 " auth_method, loa, idle_expires_at, absolute_expires_at,"
		 " client, user_agent)"
		 " SELECT sha256(convert_to(random()::text, 'UTF8')),"
		 " md5(random()::text), id, 'password', 'low',"
		 " now() + interval '1 hour', now() + interval '8 hours',"
		 " '%s', '%s' FROM accounts WHERE email = '%s'"
		 " RETURNING handle",
		 client, ua, email);
}

static long
sessions_of(const char *email)
{
	char *v = q("SELECT count(*) FROM sessions s JOIN accounts a"
		    " ON a.id = s.account_id WHERE a.email = '%s'",
		    email);
	long n = atol(v);

	free(v);
	return n;
}

static void
test_create_and_show(void **state)
{
	const char *args[] = {"account",
			      "create",
			      "--email",
			      "Anna.Schmidt@example.org",
			      "--given-name",
			      "Anna",
			      "--family-name",
			      "Schmidt-Müller",
			      "--birth-date=1980-02-29",
			      NULL};
	const char *show[] = {"account", "show", "anna.schmidt@EXAMPLE.org",
			      NULL};
	const char *json[] = {"account", "show", "--json",
			      "anna.schmidt@example.org", NULL};
	char *ref, *hash, want[256];
	struct ctl_run r;

	(void)state;
	r = run("correct horse battery\n", args);
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	ref = audit_ref_of("Anna.Schmidt@example.org");
	assert_int_equal(strlen(ref), 32);
	(void)snprintf(want, sizeof(want),
		       "created Anna.Schmidt@example.org (audit reference %s,"
		       " e-mail not verified)\n",
		       ref);
	assert_string_equal(r.out, want);
	assert_string_equal(r.err, "");
	ctl_run_free(&r);
	expect_audit("account_created_by_operator", "Anna.Schmidt@example.org",
		     "{\"verified\": \"false\"}");

	/* The password is the first line, without its newline, hashed. */
	hash = q("SELECT password_hash FROM accounts WHERE audit_ref = '%s'",
		 ref);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_true(crypt_password_verify(hash, "correct horse battery"));
	assert_false(crypt_password_verify(hash, "correct horse battery\n"));
	free(hash);
	q_equal("active self false",
		"SELECT status || ' ' || name_source || ' ' ||"
		" (email_verified_at IS NOT NULL)"
		" FROM accounts"
		" WHERE email = 'Anna.Schmidt@example.org'");

	r = run("", show);
	assert_int_equal(r.status, 0);
	assert_non_null(
		strstr(r.out, line("e-mail:", "Anna.Schmidt@example.org")));
	assert_non_null(strstr(r.out, line("verified:", "no")));
	assert_non_null(strstr(r.out, line("status:", "active")));
	assert_non_null(strstr(r.out, line("family name:", "Schmidt-Müller")));
	assert_non_null(strstr(r.out, line("birth date:", "1980-02-29")));
	assert_non_null(strstr(r.out, line("street:", "-")));
	assert_non_null(strstr(r.out, line("live sessions:", "0")));
	assert_non_null(strstr(r.out, line("audit reference:", ref)));
	assert_null(strstr(r.out, "argon2"));
	ctl_run_free(&r);

	r = run("", json);
	assert_int_equal(r.status, 0);
	assert_int_equal(ctl_run_lines(r.out), 1);
	assert_non_null(strstr(r.out, "{\"email\":\"Anna.Schmidt@example.org\","
				      "\"email_verified\":false,"
				      "\"pending_email\":null,"
				      "\"status\":\"active\","
				      "\"password_set\":true,"
				      "\"given_name\":\"Anna\","
				      "\"family_name\":\"Schmidt-Müller\","
				      "\"birth_date\":\"1980-02-29\","));
	(void)snprintf(want, sizeof(want),
		       "\"audit_ref\":\"%s\",\"live_sessions\":0}\n", ref);
	assert_non_null(strstr(r.out, want));
	assert_null(strstr(r.out, "argon2"));
	ctl_run_free(&r);
	free(ref);
}

static void
test_create_verified_and_taken(void **state)
{
	const char *taken[] = {"account",
			       "create",
			       "--email",
			       "BERND@example.org",
			       "--given-name",
			       "B",
			       "--family-name",
			       "C",
			       NULL};
	const char *show[] = {"account", "show", "bernd@example.org", NULL};
	long n;

	(void)state;
	create("bernd@example.org", true);
	expect_audit("account_created_by_operator", "bernd@example.org",
		     "{\"verified\": \"true\"}");
	q_equal("t", "SELECT email_verified_at IS NOT NULL FROM accounts"
		     " WHERE email = 'bernd@example.org'");
	expect_ok("", show, line("verified:", "yes"));

	/* Taken, whatever the case: refused before the password is read. */
	n = audit_count();
	expect_fail("", 1, taken, "an account with this e-mail exists");
	assert_int_equal(audit_count(), n);
}

static void
test_password_input(void **state)
{
	static char big[1024 * 1024 + 1];
	char over[CRYPT_PW_MAX_BYTES + 3]; /* one byte over, LF, NUL */
	char chars1025[1025 * 2 + 2];
	const char *args[] = {"account",	"create",	"--email",
			      "pw@example.org", "--given-name", "Paula",
			      "--family-name",	"Wort",		NULL};
	long n = audit_count();
	char *hash;

	(void)state;
	expect_fail("", 2, args, "no password on stdin");
	expect_fail("\n", 2, args, "no password on stdin");
	expect_fail("\r\nsecond line is not the password\n", 2, args,
		    "no password on stdin");
	expect_fail("short\n", 1, args, "shorter than 8 characters");
	expect_fail("12345678\n", 1, args, "list of common passwords");
	expect_fail("PassWord1\n", 1, args, "list of common passwords");
	expect_fail("pw@example.org\n", 1, args,
		    "equals the e-mail address or the name");
	expect_fail("Paula Wort\n", 1, args,
		    "equals the e-mail address or the name");
	expect_fail("bad \xff\xfe utf-8 bytes\n", 2, args, "not valid UTF-8");
	expect_fail("overlong \xc0\xaf slash\n", 2, args, "not valid UTF-8");
	expect_fail_in("nul\0inside the password\n", 25, 2, args,
		       "not valid UTF-8");

	/* 1025 two-byte characters: within the byte bound, over 1024. */
	for (size_t i = 0; i < 1025; i++)
		memcpy(chars1025 + 2 * i, "\xc3\xa4", 2);
	strcpy(chars1025 + 2 * 1025, "\n");
	expect_fail(chars1025, 1, args, "longer than 1024 characters");

	/* One byte over the bound, and a mebibyte without a line end. */
	memset(over, 'x', sizeof(over) - 2);
	strcpy(over + sizeof(over) - 2, "\n");
	expect_fail(over, 2, args, "longer than 4096 bytes");
	memset(big, 'a', sizeof(big) - 1);
	expect_fail_in(big, sizeof(big) - 1, 2, args, "longer than 4096 bytes");
	assert_int_equal(audit_count(), n);
	q_equal("0", "SELECT count(*) FROM accounts"
		     " WHERE email = 'pw@example.org'");

	/*
	 * CRLF ends the line too; no line end at all is fine; a password
	 * typed with a combining accent is stored in NFC.
	 */
	expect_ok("Grüne Wiese am Fluss\r\nrest", args, "created ");
	hash = q("SELECT password_hash FROM accounts"
		 " WHERE email = 'pw@example.org'");
	assert_true(crypt_password_verify(hash, "Grüne Wiese am Fluss"));
	free(hash);
	args[3] = "pw2@example.org";
	expect_ok("Gru\xcc\x88ne Wiese am Fluss", args, "created ");
	hash = q("SELECT password_hash FROM accounts"
		 " WHERE email = 'pw2@example.org'");
	assert_true(crypt_password_verify(hash, "Gr\xc3\xbcne Wiese am Fluss"));
	free(hash);
}

static void
test_create_bad_arguments(void **state)
{
	char long_name[202], long_email[300], bytes[1000];
	const char *a[12];
	long n = audit_count();

	(void)state;
#define CREATE(...)                                                            \
	do {                                                                   \
		const char *v[] = {"account", "create", __VA_ARGS__, NULL};    \
		memcpy(a, v, sizeof(v));                                       \
	} while (0)
	CREATE("--given-name", "G", "--family-name", "F");
	expect_fail("correct horse battery\n", 2, a, "missing --email");
	CREATE("--email", "x@example.org", "--family-name", "F");
	expect_fail("correct horse battery\n", 2, a, "missing --given-name");
	CREATE("--email", "x@example.org", "--given-name", "G");
	expect_fail("correct horse battery\n", 2, a, "missing --family-name");
	CREATE("--email", "x@example.org", "--email", "y@example.org",
	       "--given-name", "G", "--family-name", "F");
	expect_fail("", 2, a, "--email given twice");
	CREATE("--email", "x@example.org", "--given-name", "G", "--family-name",
	       "F", "--verified", "--verified");
	expect_fail("", 2, a, "--verified given twice");
	CREATE("--email", "x@example.org", "--given-name", "G", "--family-name",
	       "F", "--verified=yes");
	expect_fail("", 2, a, "--verified takes no value");
	CREATE("--email", "x@example.org", "--given-name", "G",
	       "--family-name");
	expect_fail("", 2, a, "--family-name needs a value");
	CREATE("--email", "x@example.org", "--given-name=", "--family-name",
	       "F");
	expect_fail("", 2, a, "--given-name needs a value");
	CREATE("--email", "x@example.org", "--given-name", "G", "--family-name",
	       "F", "--password", "secret");
	expect_fail("", 2, a, "unknown option '--password'");
	CREATE("--email", "x@example.org", "--given-name", "G", "--family-name",
	       "F", "x@example.org");
	expect_fail("", 2, a, "unexpected argument");
	CREATE("--email", "not an address", "--given-name", "G",
	       "--family-name", "F");
	expect_fail("", 2, a, "--email is not a valid e-mail address");
	CREATE("--email", "a@b@example.org", "--given-name", "G",
	       "--family-name", "F");
	expect_fail("", 2, a, "--email is not a valid e-mail address");
	memset(long_email, 'a', sizeof(long_email));
	strcpy(long_email + sizeof(long_email) - 13, "@example.org");
	CREATE("--email", long_email, "--given-name", "G", "--family-name",
	       "F");
	expect_fail("", 2, a, "--email is longer than 254 bytes");

	CREATE("--email", "x@example.org", "--given-name", "  ",
	       "--family-name", "F");
	expect_fail("", 2, a, "--given-name must not be blank");
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CREATE("--email", "x@example.org", "--given-name", "G", "--family-name",
	       long_name);
	expect_fail("", 2, a, "--family-name must be UTF-8 text");
	memset(bytes, 'n', sizeof(bytes) - 1);
	bytes[sizeof(bytes) - 1] = '\0';
	CREATE("--email", "x@example.org", "--given-name", bytes,
	       "--family-name", "F");
	expect_fail("", 2, a, "--given-name is longer than 800 bytes");
	CREATE("--email", "x@example.org", "--given-name", "Bad\xff",
	       "--family-name", "F");
	expect_fail("", 2, a, "--given-name must be UTF-8 text");
	CREATE("--email", "x@example.org", "--given-name", "Esc\x1b[31m",
	       "--family-name", "F");
	expect_fail("", 2, a, "--given-name must be UTF-8 text");
	CREATE("--email", "x@example.org", "--given-name", "G", "--family-name",
	       "F", "--birth-date", "2023-02-29");
	expect_fail("", 2, a, "--birth-date must be a real date");
	CREATE("--email", "x@example.org", "--given-name", "G", "--family-name",
	       "F", "--birth-date", "1899-12-31");
	expect_fail("", 2, a, "--birth-date must be a real date");
	CREATE("--email", "x@example.org", "--given-name", "G", "--family-name",
	       "F", "--birth-date", "2999-01-01");
	expect_fail("", 2, a, "--birth-date must be a real date");
	CREATE("--email", "x@example.org", "--given-name", "G", "--family-name",
	       "F", "--birth-date", "1.2.1980");
	expect_fail("", 2, a, "--birth-date must be a real date");
#undef CREATE
	assert_int_equal(audit_count(), n);
	q_equal("0", "SELECT count(*) FROM accounts"
		     " WHERE email = 'x@example.org'");
}

static void
test_lock_unlock(void **state)
{
	const char *lock[] = {"account", "lock", "carla@example.org", NULL};
	const char *unlock[] = {"account", "unlock", "carla@example.org", NULL};
	const char *unknown[] = {"account", "lock", "nobody@example.org", NULL};
	char *h1, *h2;
	long n;

	(void)state;
	create("carla@example.org", true);
	h1 = session_add("carla@example.org", "192.0.2.1", "UA one");
	h2 = session_add("carla@example.org", "192.0.2.2", "UA two");
	assert_int_equal(sessions_of("carla@example.org"), 2);

	expect_ok("", lock, "locked carla@example.org (2 sessions ended)\n");
	expect_audit("account_locked", "carla@example.org",
		     "{\"sessions_ended\": \"2\"}");
	assert_int_equal(sessions_of("carla@example.org"), 0);
	q_equal("locked", "SELECT status FROM accounts"
			  " WHERE email = 'carla@example.org'");

	/* Nothing to change: said so, and not audited. */
	n = audit_count();
	expect_ok("", lock, "carla@example.org is already locked\n");
	assert_int_equal(audit_count(), n);

	expect_ok("", unlock, "unlocked carla@example.org\n");
	expect_audit("account_unlocked", "carla@example.org", "{}");
	q_equal("active", "SELECT status FROM accounts"
			  " WHERE email = 'carla@example.org'");
	n = audit_count();
	expect_ok("", unlock, "carla@example.org is not locked\n");
	assert_int_equal(audit_count(), n);

	expect_fail("", 1, unknown, "no account with this e-mail");
	assert_int_equal(audit_count(), n);
	free(h1);
	free(h2);
}

static void
test_delete(void **state)
{
	const char *no_yes[] = {"account", "delete", "dora@example.org", NULL};
	const char *yes[] = {"account", "delete", "--yes", "DORA@example.org",
			     NULL};
	const char *show[] = {"account", "show", "dora@example.org", NULL};
	char *ref, *h, *got, want[256];
	long n;

	(void)state;
	create("dora@example.org", true);
	h = session_add("dora@example.org", "192.0.2.3", "UA");
	n = audit_count();
	expect_fail("", 2, no_yes, "refusing to delete without --yes");
	assert_int_equal(audit_count(), n);
	assert_int_equal(sessions_of("dora@example.org"), 1);

	ref = audit_ref_of("dora@example.org");
	(void)snprintf(want, sizeof(want),
		       "deleted dora@example.org (audit reference %s)\n", ref);
	expect_ok("", yes, want);
	q_equal("0", "SELECT count(*) FROM accounts"
		     " WHERE email = 'dora@example.org'");
	got = q("SELECT count(*) FROM sessions WHERE handle = '%s'", h);
	assert_string_equal(got, "0");
	free(got);
	got = audit_last();
	(void)snprintf(want, sizeof(want),
		       "account_deleted operator %s - %s {}", ref, me());
	assert_string_equal(got, want);
	free(got);

	expect_fail("", 1, show, "no account with this e-mail");
	expect_fail("", 1, yes, "no account with this e-mail");
	assert_int_equal(audit_count(), n + 1);
	free(ref);
	free(h);
}

static void
test_sessions(void **state)
{
	const char *list[] = {"account", "sessions", "emil@example.org", NULL};
	const char *json[] = {"account", "sessions", "emil@example.org",
			      "--json", NULL};
	const char *end_all[] = {"account", "sessions", "emil@example.org",
				 "--end-all", NULL};
	const char *show[] = {"account", "show", "emil@example.org", NULL};
	const char *a[8] = {"account", "sessions", "emil@example.org", "--end"};
	char *h1, *h2, *expired, *other, *ignored, want[256];
	struct ctl_run r;
	long n;

	(void)state;
	create("emil@example.org", true);
	create("gustav@example.org", true);
	expect_ok("", list, "no live sessions\n");
	expect_ok("", json, "[]\n");

	h1 = session_add("emil@example.org", "192.0.2.10", "Firefox");
	/* A user agent that tries to drive the terminal, escaped. */
	h2 = session_add("emil@example.org", "2001:db8::1",
			 "Evil\x1b]0;pwned\x07\xe2\x80\xae");
	expired = session_add("emil@example.org", "192.0.2.11", "Old");
	ignored = q("UPDATE sessions SET idle_expires_at = now() - interval"
		    " '1 minute' WHERE handle = '%s' RETURNING handle",
		    expired);
	free(ignored);
	expect_ok("", show, line("live sessions:", "2"));

	r = run("", list);
	assert_int_equal(r.status, 0);
	(void)snprintf(want, sizeof(want), "session %s\n", h1);
	assert_non_null(strstr(r.out, want));
	(void)snprintf(want, sizeof(want), "session %s\n", h2);
	assert_non_null(strstr(r.out, want));
	assert_null(strstr(r.out, expired));
	assert_non_null(strstr(r.out, line("  client:", "192.0.2.10")));
	assert_non_null(strstr(r.out, line("  method:", "password")));
	assert_non_null(strstr(r.out, line("  level:", "low")));
	assert_non_null(strstr(r.out, line("  user agent:", "Firefox")));
	assert_non_null(
		strstr(r.out, line("  user agent:", "Evil\\u001b]0;pwned\\u0007"
						    "\\u202e")));
	assert_null(strchr(r.out, '\x1b'));
	assert_null(strchr(r.out, '\x07'));
	ctl_run_free(&r);

	r = run("", json);
	assert_int_equal(r.status, 0);
	assert_int_equal(ctl_run_lines(r.out), 1);
	assert_true(r.out[0] == '[');
	(void)snprintf(want, sizeof(want),
		       "{\"handle\":\"%s\",\"created_at\":", h1);
	assert_non_null(strstr(r.out, want));
	assert_non_null(strstr(r.out, "\"auth_method\":\"password\","
				      "\"loa\":\"low\","
				      "\"client\":\"2001:db8::1\","
				      "\"user_agent\":\"Evil\\u001b]0;pwned"
				      "\\u0007\\u202e\"}"));
	assert_null(strchr(r.out, '\x1b'));
	ctl_run_free(&r);

	/* End one by handle. */
	a[4] = h1;
	(void)snprintf(want, sizeof(want),
		       "ended session %s of emil@example.org\n", h1);
	expect_ok("", a, want);
	(void)snprintf(want, sizeof(want), "{\"handle\": \"%s\"}", h1);
	expect_audit("session_ended", "emil@example.org", want);
	assert_int_equal(sessions_of("emil@example.org"), 2);

	/* Gone now; another account's or a malformed handle. */
	n = audit_count();
	expect_fail("", 1, a, "no session with this handle for this account");
	other = session_add("gustav@example.org", "192.0.2.12", "Other");
	a[4] = other;
	expect_fail("", 1, a, "no session with this handle for this account");
	assert_int_equal(sessions_of("gustav@example.org"), 1);
	free(other);
	a[4] = "0123456789abcdef0123456789ABCDEF";
	expect_fail("", 2, a, "--end needs a session handle");
	a[4] = "0123456789abcdef";
	expect_fail("", 2, a, "--end needs a session handle");
	a[4] = "'; DROP TABLE sessions; --";
	expect_fail("", 2, a, "--end needs a session handle");
	a[4] = h2;
	a[5] = "--end-all";
	expect_fail("", 2, a, "exclude each other");
	a[5] = "--json";
	expect_fail("", 2, a, "exclude each other");
	a[5] = NULL;
	a[1] = "sessions";
	a[2] = "nobody@example.org";
	expect_fail("", 1, a, "no account with this e-mail");
	assert_int_equal(audit_count(), n);

	/* End all: the live one and the expired one. */
	expect_ok("", end_all, "ended 2 sessions of emil@example.org\n");
	expect_audit("session_ended", "emil@example.org", "{\"ended\": \"2\"}");
	assert_int_equal(sessions_of("emil@example.org"), 0);
	n = audit_count();
	expect_ok("", end_all, "emil@example.org has no sessions\n");
	assert_int_equal(audit_count(), n);
	free(h1);
	free(h2);
	free(expired);
}

/* Data that bypassed the forms (eID, old rows) is escaped on output. */
static void
test_show_escapes_stored_text(void **state)
{
	const char *show[] = {"account", "show", "fritz@example.org", NULL};
	const char *json[] = {"account", "show", "fritz@example.org", "--json",
			      NULL};
	char *ignored;
	struct ctl_run r;

	(void)state;
	create("fritz@example.org", false);
	ignored = q("UPDATE accounts SET given_name = E'F\\x1b[2J\\\\\"q',"
		    " city = 'Köln' WHERE email = 'fritz@example.org'"
		    " RETURNING id");
	free(ignored);
	r = run("", show);
	assert_int_equal(r.status, 0);
	assert_non_null(
		strstr(r.out, line("given name:", "F\\u001b[2J\\\\\"q")));
	assert_non_null(strstr(r.out, line("city:", "Köln")));
	assert_null(strchr(r.out, '\x1b'));
	ctl_run_free(&r);
	r = run("", json);
	assert_int_equal(r.status, 0);
	assert_non_null(
		strstr(r.out, "\"given_name\":\"F\\u001b[2J\\\\\\\"q\","));
	assert_non_null(strstr(r.out, "\"city\":\"Köln\","));
	ctl_run_free(&r);
}

static void
test_usage_errors(void **state)
{
	char huge[5000];
	const char *cases[][6] = {
		{"account", NULL},
		{"account", "frobnicate", NULL},
		{"account", "show", NULL},
		{"account", "show", "a@example.org", "b@example.org", NULL},
		{"account", "show", "not-an-address", NULL},
		{"account", "show", "a@example.org", "--json", "--json", NULL},
		{"account", "show", "a@example.org", "--yes", NULL},
		{"account", "lock", "a@example.org", "--json", NULL},
		{"account", "unlock", NULL},
		{"account", "delete", "--yes", NULL},
		{"account", "sessions", "--json", NULL},
		{"account", "show", "bad\xff@example.org", NULL},
		{"account", "show", "a\n@example.org", NULL},
		{"account", "show", huge, NULL},
	};
	const char *want[] = {
		"missing command after 'account'",
		"unknown command 'account frobnicate'",
		"'account show': missing e-mail address",
		"'account show': unexpected argument 'b@example.org'",
		"'account show': not a valid e-mail address",
		"'account show': --json given twice",
		"'account show': unknown option '--yes'",
		"'account lock': unknown option '--json'",
		"'account unlock': missing e-mail address",
		"'account delete': missing e-mail address",
		"'account sessions': missing e-mail address",
		"'account show': not a valid e-mail address",
		"'account show': not a valid e-mail address",
		"'account show': not a valid e-mail address",
	};
	const char *help[] = {"--help", NULL};
	const char *dash[] = {"account", "show", "--", "-x@example.org", NULL};
	struct ctl_run r;

	(void)state;
	memset(huge, 'a', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	memcpy(huge + 100, "@example.org", 12);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		expect_fail("", 2, cases[i], want[i]);

	/* After "--" an address may start with a dash. */
	expect_fail("", 1, dash, "no account with this e-mail");

	r = run("", help);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "account create --email E"));
	assert_non_null(strstr(r.out, "account sessions EMAIL"));
	ctl_run_free(&r);
}

static void
test_database_problems(void **state)
{
	const char *show[] = {"account", "show", "a@example.org", NULL};
	const char *unmigrated = testdb_create();
	const char *down = "host=/nonexistent/idp-test dbname=idp user=idp "
			   "password=SECRETVALUE connect_timeout=2";
	struct ctl_run r;

	(void)state;
	r = run_in(down, "", 0, show);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_null(strstr(r.err, "SECRETVALUE"));
	/* After the store's JSON log line, our one line. */
	assert_non_null(strstr(r.err, "\nidpctl: cannot connect to the "
				      "database: "));
	ctl_run_free(&r);

	r = run_in(unmigrated, "", 0, show);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "run 'idpctl db migrate'"));
	ctl_run_free(&r);
}

static int
setup(void **state)
{
	char err[256];
	int applied;

	(void)state;
	db = testdb_create();
	if (store_migrate(db, NULL, NULL, &applied, err, sizeof(err)) != 0) {
		fprintf(stderr, "migrate: %s\n", err);
		return -1;
	}
	conn = testdb_connect(db);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_show),
		cmocka_unit_test(test_create_verified_and_taken),
		cmocka_unit_test(test_password_input),
		cmocka_unit_test(test_create_bad_arguments),
		cmocka_unit_test(test_lock_unlock),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_show_escapes_stored_text),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_database_problems),
	};

	idpctl_path = getenv("IDPCTL");
	if (idpctl_path == NULL || idpctl_path[0] == '\0') {
		fprintf(stderr, "IDPCTL must name the idpctl binary\n");
		return 1;
	}
	/* A child that stops reading its stdin must not kill us. */
	(void)signal(SIGPIPE, SIG_IGN);
	(void)unsetenv("IDP_CONFIG");
	/* Small Argon2id parameters: the policy is tested, not the cost. */
	(void)setenv("IDP_ACCOUNTS_PASSWORD_MEMLIMIT", "1M", 1);
	(void)setenv("IDP_ACCOUNTS_PASSWORD_OPSLIMIT", "1", 1);
	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
