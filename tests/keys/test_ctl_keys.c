/*
 * `idpctl keys ...`, run as the operator runs it: the built idpctl (path
 * in $IDPCTL) in a child process, its output and exit status checked,
 * and what it did checked in the database through a raw libpq
 * connection: the key rows, the audit rows, the notifications; keys of
 * several purposes (--purpose) side by side. Each test has a database
 * and a master key file of its own.
 */
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "ctlrun.h"
#include "idp/crypto/crypt.h"
#include "idp/store/store.h"
#include "idp/store/store_keys.h"
#include "testdb.h"

static const char *idpctl_path;
static char *dir;
static unsigned n_dirs;

struct fx {
	const char *db;
	PGconn *raw;
	char *mk_path; /* the master key file of this test */
};

static int
setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);
	char err[256];
	int applied;

	f->db = testdb_create();
	if (store_migrate(f->db, NULL, NULL, &applied, err, sizeof(err)) != 0)
		fail_msg("migrate: %s", err);
	f->raw = testdb_connect(f->db);
	{
		char *sub = g_strdup_printf("%s/t%u", dir, n_dirs++);

		assert_int_equal(mkdir(sub, 0700), 0);
		f->mk_path = g_strdup_printf("%s/master.key", sub);
		g_free(sub);
	}
	(void)setenv("IDP_KEYS_MASTER_KEY_FILE", f->mk_path, 1);
	(void)unsetenv("IDP_KEYS_ROLLOVER_WINDOW");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	PQfinish(f->raw);
	g_free(f->mk_path);
	g_free(f);
	return 0;
}

static struct ctl_run
run(struct fx *f, const char *const *args)
{
	return ctl_run(idpctl_path, f->db, NULL, "", 0, args);
}

/* Exit 0 expected; @want (may be NULL) in stdout. Returns stdout. */
static char *
expect_ok(struct fx *f, const char *const *args, const char *want)
{
	struct ctl_run r = run(f, args);
	char *out;

	if (r.status != 0)
		fail_msg("%s %s: exit %d: %s", args[0], args[1], r.status,
			 r.err);
	if (want != NULL && strstr(r.out, want) == NULL)
		fail_msg("%s %s: '%s' not in: %s", args[0], args[1], want,
			 r.out);
	out = g_strdup(r.out);
	ctl_run_free(&r);
	return out;
}

/*
 * Exit @status expected with @want in the one error line (and the hint
 * to --help for usage errors), nothing on stdout.
 */
static void
expect_fail(struct fx *f, int status, const char *const *args, const char *want)
{
	struct ctl_run r = run(f, args);

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

static void q_equal(struct fx *f, const char *want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
q_equal(struct fx *f, const char *want, const char *fmt, ...)
{
	char sql[1024], *got;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	got = testdb_query(f->raw, sql);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", sql, got, want);
	free(got);
}

static void
init_ok(struct fx *f)
{
	const char *init[] = {"keys", "init", NULL};

	g_free(expect_ok(f, init, "created the master key file"));
}

/* `keys generate --bits 2048 --quiet`: the new key's id. */
static long
generate(struct fx *f)
{
	const char *gen[] = {"keys", "generate", "--bits",
			     "2048", "--quiet",	 NULL};
	char *out = expect_ok(f, gen, NULL);
	long id;

	assert_int_equal(ctl_run_lines(out), 1);
	id = strtol(out, NULL, 10);
	assert_true(id > 0);
	g_free(out);
	return id;
}

static void
publish_back(struct fx *f, long id, long seconds)
{
	char sql[256];

	(void)snprintf(sql, sizeof(sql),
		       "UPDATE signing_keys SET published_at = now()"
		       " - interval '%ld seconds' WHERE id = %ld",
		       seconds, id);
	free(testdb_query(f->raw, sql));
}

/* --- init --- */

static void
test_init(void **state)
{
	struct fx *f = *state;
	const char *init[] = {"keys", "init", NULL};
	const char *json[] = {"keys", "init", "--json", NULL};
	const char *extra[] = {"keys", "init", "/tmp/x", NULL};
	char *before, *after, *out, want[512];
	gsize n1, n2;
	struct stat st;

	out = expect_ok(f, init, NULL);
	(void)snprintf(want, sizeof(want),
		       "created the master key file %s (32 bytes, mode "
		       "0600)\n",
		       f->mk_path);
	assert_true(g_str_has_prefix(out, want));
	g_free(out);
	assert_int_equal(stat(f->mk_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 32);

	/* Never overwritten. */
	assert_true(g_file_get_contents(f->mk_path, &before, &n1, NULL));
	expect_fail(f, 1, init, "refusing to overwrite a master key");
	expect_fail(f, 1, json, "refusing to overwrite");
	assert_true(g_file_get_contents(f->mk_path, &after, &n2, NULL));
	assert_int_equal(n1, 32);
	assert_int_equal(n2, 32);
	assert_memory_equal(before, after, 32);
	g_free(before);
	g_free(after);

	expect_fail(f, 2, extra, "the path is [keys] master_key_file");

	/* --json on a fresh path. */
	assert_int_equal(unlink(f->mk_path), 0);
	out = expect_ok(f, json, NULL);
	(void)snprintf(want, sizeof(want), "{\"master_key_file\":\"%s\"}\n",
		       f->mk_path);
	assert_string_equal(out, want);
	g_free(out);
}

/* --- hostile master key files and arguments --- */

static void
write_master(struct fx *f, size_t len, mode_t mode)
{
	char buf[64];

	memset(buf, 'm', sizeof(buf));
	(void)unlink(f->mk_path);
	assert_true(g_file_set_contents(f->mk_path, buf, (gssize)len, NULL));
	assert_int_equal(chmod(f->mk_path, mode), 0);
}

static void
test_hostile_master_key(void **state)
{
	struct fx *f = *state;
	const char *gen[] = {"keys", "generate", NULL};
	const char *act[] = {"keys", "activate", "1", NULL};

	expect_fail(f, 1, gen, "create it with 'idpctl keys init'");
	write_master(f, 31, 0600);
	expect_fail(f, 1, gen, "holds 31 bytes; a master key is exactly 32");
	write_master(f, 33, 0600);
	expect_fail(f, 1, gen, "is larger than 32 bytes");
	write_master(f, 32, 0644);
	expect_fail(f, 1, gen, "has mode 0644: group or others may use it");
	expect_fail(f, 1, act, "has mode 0644");
	(void)unlink(f->mk_path);
	assert_int_equal(mkdir(f->mk_path, 0700), 0);
	expect_fail(f, 1, gen, "is not a regular file");
	assert_int_equal(rmdir(f->mk_path), 0);
	q_equal(f, "0", "SELECT count(*) FROM signing_keys");
	q_equal(f, "0", "SELECT count(*) FROM audit_log");
}

static void
test_bad_arguments(void **state)
{
	struct fx *f = *state;
	static const char *const ids[] = {
		"1; DROP TABLE signing_keys",
		"1' OR '1'='1",
		"0",
		"-1",
		"01",
		"1e3",
		" 1",
		"1 ",
		"0x10",
		"99999999999999999999",
		"abc",
		"１", /* a full-width digit */
	};
	const char *b1[] = {"keys", "generate", "--bits", "1024", NULL};
	const char *b2[] = {"keys", "generate", "--bits", "abc", NULL};
	const char *b3[] = {"keys", "generate", "--bits", NULL};
	const char *b4[] = {"keys", "rotate", "--bits=3072x", NULL};
	const char *b5[] = {"keys", "generate", "--json", "--quiet", NULL};
	const char *b6[] = {"keys", "generate", "--force", NULL};
	const char *b7[] = {"keys", "activate", NULL};
	const char *b8[] = {"keys", "activate", "1", "2", NULL};
	const char *b9[] = {"keys", "retire", "1", "--bits", "2048", NULL};
	const char *b10[] = {"keys", "frobnicate", NULL};
	const char *b11[] = {"keys", "list", "--json=yes", NULL};

	init_ok(f);
	expect_fail(f, 2, b1, "--bits must be 2048, 3072 or 4096");
	expect_fail(f, 2, b2, "--bits must be 2048, 3072 or 4096");
	expect_fail(f, 2, b3, "--bits needs a value");
	expect_fail(f, 2, b4, "--bits must be");
	expect_fail(f, 2, b5, "--json and --quiet exclude each other");
	expect_fail(f, 2, b6, "unknown option '--force'");
	expect_fail(f, 2, b7, "missing key id");
	expect_fail(f, 2, b8, "unexpected argument '2'");
	expect_fail(f, 2, b9, "unknown option '--bits'");
	expect_fail(f, 2, b10, "unknown command 'keys frobnicate'");
	expect_fail(f, 2, b11, "--json takes no value");
	for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
		const char *act[] = {"keys", "activate", ids[i], NULL};
		const char *ret[] = {"keys", "retire", ids[i], NULL};

		/* "-1" reads as an option. */
		expect_fail(f, 2, act,
			    ids[i][0] == '-' ? "unknown option"
					     : "is not a key id");
		expect_fail(f, 2, ret,
			    ids[i][0] == '-' ? "unknown option"
					     : "is not a key id");
	}
	q_equal(f, "0", "SELECT count(*) FROM signing_keys");
	q_equal(f, "0", "SELECT count(*) FROM audit_log");
}

/* --- the state machine, end to end --- */

static void
test_lifecycle(void **state)
{
	struct fx *f = *state;
	const char *gen3072[] = {"keys", "generate", NULL};
	const char *gen2048[] = {"keys", "generate", "--bits", "2048", NULL};
	const char *act1[] = {"keys", "activate", "1", NULL};
	const char *act1f[] = {"keys", "activate", "1", "--force", NULL};
	const char *act2[] = {"keys", "activate", "2", NULL};
	const char *act2j[] = {"keys", "activate", "--json", "2", NULL};
	const char *ret1[] = {"keys", "retire", "1", NULL};
	const char *ret1j[] = {"keys", "retire", "1", "--json", NULL};
	const char *ret2[] = {"keys", "retire", "2", NULL};
	const char *ret2f[] = {"keys", "retire", "--force", "2", NULL};
	const char *unknown[] = {"keys", "activate", "4242", NULL};
	const char *unknown_r[] = {"keys", "retire", "4242", NULL};
	struct ctl_run r;
	char *out, want[256], *fp, *user;

	init_ok(f);
	/* generate -> next; the default is RSA-3072, without a warning. */
	r = run(f, gen3072);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_true(g_str_has_prefix(r.out, "generated saml key 1 (RSA-3072) "
					    "as next\n  fingerprint:  "));
	assert_non_null(strstr(r.out, "('idpctl keys activate 1')\n"));
	ctl_run_free(&r);
	q_equal(f, "next 3072",
		"SELECT state || ' ' || bits FROM"
		" signing_keys WHERE id = 1");

	/* At most one next key. */
	expect_fail(f, 1, gen2048,
		    "there is a next saml key already: key 1; activate or "
		    "retire it first");

	/* Inside the rollover window: refused, unless forced. */
	expect_fail(f, 1, act1, "less than the rollover window of 172800 s");
	expect_fail(f, 1, act1, "or use --force");
	out = expect_ok(f, act1f,
			"activated saml key 1; no key was active (forced:");
	g_free(out);
	expect_fail(f, 1, act1, "saml key 1 is active, not next");

	/* 2048 bits work with the BSI warning on stderr. */
	r = run(f, gen2048);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err,
			    "idpctl: warning: RSA-2048 is below the 3000 bits "
			    "that BSI TR-02102-1 asks for; use it only for a "
			    "relying party that cannot handle more\n");
	assert_true(g_str_has_prefix(r.out, "generated saml key 2 (RSA-2048)"));
	ctl_run_free(&r);

	/* After the window: activated without --force; 1 is previous. */
	expect_fail(f, 1, act2, "has been published for");
	publish_back(f, 2, 172800);
	out = expect_ok(f, act2j, NULL);
	assert_string_equal(out, "{\"id\":2,\"state\":\"active\",\"purpose\":"
				 "\"saml\",\"previous\":1,\"forced\":false}\n");
	g_free(out);
	q_equal(f, "previous active",
		"SELECT string_agg(state, ' ' ORDER BY id) FROM signing_keys");

	/* Retire: not the active key; the previous one, once. */
	expect_fail(f, 1, ret2,
		    "key 2 is the active saml key; activate another "
		    "saml key first (--force retires it all the "
		    "same)");
	out = expect_ok(f, ret1j, NULL);
	assert_string_equal(out,
			    "{\"id\":1,\"state\":\"retired\","
			    "\"purpose\":\"saml\",\"was\":\"previous\"}\n");
	g_free(out);
	expect_fail(f, 1, ret1, "saml key 1 is already retired");
	expect_fail(f, 1, act1f, "saml key 1 is retired, not next");
	expect_fail(f, 1, unknown, "no key with id 4242");
	expect_fail(f, 1, unknown_r, "no key with id 4242");
	q_equal(f, "t",
		"SELECT sealed_key IS NULL FROM signing_keys"
		" WHERE id = 1");

	/* The audit trail: four changes, the OS user, the fingerprint. */
	q_equal(f,
		"signing_key_generated signing_key_activated "
		"signing_key_generated signing_key_activated "
		"signing_key_retired",
		"SELECT string_agg(event, ' ' ORDER BY seq) FROM audit_log");
	user = g_strdup(getpwuid(geteuid())->pw_name);
	(void)snprintf(want, sizeof(want), "operator %s signing_key:1 forced",
		       user);
	q_equal(f, want,
		"SELECT actor || ' ' || (details->>'operator') || ' ' ||"
		" subject || ' ' || (details->>'how') FROM audit_log"
		" WHERE seq = 2");
	fp = testdb_query(f->raw, "SELECT fingerprint FROM signing_keys"
				  " WHERE id = 1");
	(void)snprintf(want, sizeof(want), "%s", fp);
	q_equal(f, want,
		"SELECT details->>'fingerprint' FROM audit_log"
		" WHERE seq = 5");
	free(fp);
	g_free(user);

	/* A lost master key: --force retires the active key too. */
	out = expect_ok(f, ret2f, NULL);
	assert_string_equal(out, "retired saml key 2 (was active); it is no "
				 "longer published and its private key is "
				 "deleted; no saml key is in use until "
				 "another is activated\n");
	g_free(out);
	q_equal(f, "active true",
		"SELECT (details->>'was') || ' ' || (details->>'forced')"
		" FROM audit_log WHERE seq = 6");
	q_equal(f, "0",
		"SELECT count(*) FROM signing_keys"
		" WHERE state <> 'retired'");
}

/* --- list --- */

static void
test_list(void **state)
{
	struct fx *f = *state;
	const char *list[] = {"keys", "list", NULL};
	const char *json[] = {"keys", "list", "--json", NULL};
	const char *act[] = {"keys", "activate", "--force", "1", NULL};
	char *out, *fp1, *fp2, want[512];

	init_ok(f);
	out = expect_ok(f, list, NULL);
	assert_string_equal(out, "no signing keys; create one with 'idpctl "
				 "keys generate'\n");
	g_free(out);
	out = expect_ok(f, json, NULL);
	assert_string_equal(out, "[]\n");
	g_free(out);

	assert_int_equal(generate(f), 1);
	g_free(expect_ok(f, act, NULL));
	assert_int_equal(generate(f), 2);
	fp1 = testdb_query(f->raw, "SELECT fingerprint FROM signing_keys"
				   " WHERE id = 1");
	fp2 = testdb_query(f->raw, "SELECT fingerprint FROM signing_keys"
				   " WHERE id = 2");

	out = expect_ok(f, list, NULL);
	(void)snprintf(want, sizeof(want),
		       "key 1  active\n  purpose:      saml\n"
		       "  fingerprint:  %s\n"
		       "  bits:         2048\n  created:      ",
		       fp1);
	assert_true(g_str_has_prefix(out, want));
	(void)snprintf(want, sizeof(want),
		       "\nkey 2  next\n  purpose:      saml\n"
		       "  fingerprint:  %s\n",
		       fp2);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "  activatable:  "));
	assert_non_null(strstr(out, "  activated:    "));
	assert_non_null(strstr(out, "  valid until:  "));
	assert_null(strstr(out, "PRIVATE"));
	g_free(out);

	out = expect_ok(f, json, NULL);
	assert_int_equal(ctl_run_lines(out), 1);
	(void)snprintf(want, sizeof(want),
		       "[{\"id\":1,\"state\":\"active\",\"purpose\":"
		       "\"saml\",\"bits\":2048,"
		       "\"fingerprint\":\"%s\",\"not_before\":\"",
		       fp1);
	assert_true(g_str_has_prefix(out, want));
	(void)snprintf(want, sizeof(want),
		       "},{\"id\":2,\"state\":\"next\",\"purpose\":"
		       "\"saml\",\"bits\":2048,"
		       "\"fingerprint\":\"%s\",",
		       fp2);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "\"deactivated_at\":null,\"retired_at\""
				    ":null,\"activatable_at\":null}"));
	assert_true(g_str_has_suffix(out, "Z\"}]\n"));
	/* Every time in one form. */
	{
		GRegex *re =
			g_regex_new("\"[a-z_]+_a[t]\":(null|\"[0-9]{4}-[0-9]"
				    "{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]"
				    "{2}Z\")",
				    0, 0, NULL);
		GMatchInfo *mi;
		int n = 0;

		g_regex_match(re, out, 0, &mi);
		while (g_match_info_matches(mi)) {
			n++;
			g_match_info_next(mi, NULL);
		}
		g_match_info_free(mi);
		g_regex_unref(re);
		/* created, published, activated, deactivated, retired,
		 * activatable: 6 per key. */
		assert_int_equal(n, 12);
	}
	g_free(out);
	free(fp1);
	free(fp2);
}

/* --- rotate --- */

static void
test_rotate(void **state)
{
	struct fx *f = *state;
	const char *rot[] = {"keys", "rotate", "--bits", "2048", NULL};
	const char *rotj[] = {"keys", "rotate", "--bits",
			      "2048", "--json", NULL};
	const char *rotq[] = {"keys", "rotate",	 "--bits",
			      "2048", "--quiet", NULL};
	char *out;

	init_ok(f);
	/* The first rotate publishes a next key. */
	out = expect_ok(f, rotq, NULL);
	assert_string_equal(out, "1\n");
	g_free(out);
	/* Inside the window: nothing to do, exit 0, nothing generated. */
	out = expect_ok(f, rot,
			"nothing to do: next saml key 1 becomes "
			"activatable at ");
	g_free(out);
	out = expect_ok(f, rotq, NULL);
	assert_string_equal(out, "");
	g_free(out);
	out = expect_ok(f, rotj, NULL);
	assert_true(g_str_has_prefix(out, "{\"purpose\":\"saml\","
					  "\"activated\":null,\"previous\":"
					  "null,\"generated\":null,\"next\":"
					  "1,\"activatable_at\":\""));
	g_free(out);
	q_equal(f, "1", "SELECT count(*) FROM signing_keys");

	/* After the window: activate 1, publish 2. */
	publish_back(f, 1, 172800);
	out = expect_ok(f, rot,
			"activated saml key 1; no key was active\n"
			"generated saml key 2 (RSA-2048) as next\n");
	g_free(out);
	publish_back(f, 2, 200000);
	out = expect_ok(f, rotj, NULL);
	assert_true(g_str_has_prefix(out, "{\"purpose\":\"saml\","
					  "\"activated\":2,\"previous\":1,"
					  "\"generated\":{\"id\":3,\"state\":"
					  "\"next\",\"purpose\":\"saml\","
					  "\"bits\":2048,"));
	g_free(out);
	q_equal(f, "previous active next",
		"SELECT string_agg(state, ' ' ORDER BY id) FROM signing_keys");

	/* A window of 0: every rotate moves on at once. */
	(void)setenv("IDP_KEYS_ROLLOVER_WINDOW", "0", 1);
	out = expect_ok(f, rot,
			"activated saml key 3; key 2 is now previous\n");
	g_free(out);
	q_equal(f, "previous previous active next",
		"SELECT string_agg(state, ' ' ORDER BY id) FROM signing_keys");
	(void)unsetenv("IDP_KEYS_ROLLOVER_WINDOW");
}

/* --- purposes --- */

static void
test_bad_purpose(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {
		"SAML",	       "eid",	     "eid_signing", "saml ",
		" saml",       "saml,eid",   "encryption",  "eid-signing\n",
		"eid\x1b[31m", "'; DROP --", "ｓａｍｌ",
	};
	static const char *const cmds[] = {"generate", "rotate", "list"};
	char *longv = g_strnfill(300, 'a');
	const char *nov[] = {"keys", "generate", "--purpose", NULL};
	const char *empty[] = {"keys", "list", "--purpose=", NULL};
	const char *twice[] = {"keys",	    "generate",	   "--purpose", "saml",
			       "--purpose", "eid-signing", NULL};
	const char *act[] = {"keys",	  "activate", "1",
			     "--purpose", "saml",     NULL};
	const char *ret[] = {"keys", "retire", "--purpose=saml", "1", NULL};
	const char *lng[] = {"keys", "generate", "--purpose", longv, NULL};

	init_ok(f);
	for (size_t c = 0; c < G_N_ELEMENTS(cmds); c++) {
		for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
			const char *a[] = {"keys", cmds[c], "--purpose", bad[i],
					   NULL};

			expect_fail(f, 2, a, "--purpose '");
			expect_fail(f, 2, a,
				    "' is not a purpose; use saml, "
				    "eid-signing or eid-encryption");
		}
	}
	/* Shown, never echoed raw: no escape sequence reaches the tty. */
	{
		const char *a[] = {"keys", "list", "--purpose", "eid\x1b[31m",
				   NULL};
		struct ctl_run r = run(f, a);

		assert_int_equal(r.status, 2);
		assert_null(strchr(r.err, '\x1b'));
		ctl_run_free(&r);
	}
	expect_fail(f, 2, nov, "--purpose needs a value");
	expect_fail(f, 2, empty, "--purpose needs a value");
	expect_fail(f, 2, twice, "--purpose given twice");
	expect_fail(f, 2, act, "unknown option '--purpose'");
	expect_fail(f, 2, ret, "unknown option '--purpose=saml'");
	expect_fail(f, 2, lng, "--purpose is longer than");
	q_equal(f, "0", "SELECT count(*) FROM signing_keys");
	q_equal(f, "0", "SELECT count(*) FROM audit_log");
	g_free(longv);
}

static void
test_purposes(void **state)
{
	struct fx *f = *state;
	const char *gen_es[] = {"keys",	       "generate", "--purpose",
				"eid-signing", "--bits",   "2048",
				NULL};
	const char *gen_eej[] = {"keys",	   "generate", "--purpose",
				 "eid-encryption", "--bits",   "2048",
				 "--json",	   NULL};
	const char *act1f[] = {"keys", "activate", "--force", "1", NULL};
	const char *act2fj[] = {"keys",	  "activate", "--force",
				"--json", "2",	      NULL};
	const char *list[] = {"keys", "list", NULL};
	const char *list_es[] = {"keys", "list", "--purpose", "eid-signing",
				 NULL};
	const char *list_esj[] = {"keys", "list", "--purpose=eid-signing",
				  "--json", NULL};
	const char *list_ee[] = {"keys", "list", "--purpose", "eid-encryption",
				 NULL};
	const char *list_s[] = {"keys", "list", "--purpose", "saml", NULL};
	const char *rot_ee[] = {
		"keys",	  "rotate", "--purpose", "eid-encryption",
		"--bits", "2048",   NULL};
	const char *ret1fj[] = {"keys",	   "retire", "1",
				"--force", "--json", NULL};
	struct ctl_run r;
	char *out;

	init_ok(f);
	out = expect_ok(f, list_es, NULL);
	assert_string_equal(out, "no eid-signing keys; create one with "
				 "'idpctl keys generate --purpose "
				 "eid-signing'\n");
	g_free(out);

	/* An eid-signing key: named as such, the 2048 warning as ever. */
	r = run(f, gen_es);
	assert_int_equal(r.status, 0);
	assert_true(g_str_has_prefix(r.err, "idpctl: warning: RSA-2048 is "
					    "below the 3000 bits"));
	assert_true(g_str_has_prefix(r.out, "generated eid-signing key 1 "
					    "(RSA-2048) as next\n"));
	ctl_run_free(&r);
	expect_fail(f, 1, gen_es,
		    "there is a next eid-signing key already: key 1");
	/* A saml key beside it: the default purpose. */
	assert_int_equal(generate(f), 2);

	out = expect_ok(f, act1f,
			"activated eid-signing key 1; no key was "
			"active (forced:");
	g_free(out);
	out = expect_ok(f, act2fj, NULL);
	assert_string_equal(out, "{\"id\":2,\"state\":\"active\",\"purpose\":"
				 "\"saml\",\"previous\":null,\"forced\":true}"
				 "\n");
	g_free(out);
	q_equal(f, "1:eid-signing:active 2:saml:active",
		"SELECT string_agg(id || ':' || purpose || ':' || state, ' '"
		" ORDER BY id) FROM signing_keys");

	out = expect_ok(f, gen_eej, NULL);
	assert_true(g_str_has_prefix(out, "{\"id\":3,\"state\":\"next\","
					  "\"purpose\":\"eid-encryption\","
					  "\"bits\":2048,"));
	g_free(out);

	/* list: all, each with its purpose; or one purpose. */
	out = expect_ok(f, list, NULL);
	assert_true(g_str_has_prefix(out, "key 1  active\n  purpose:      "
					  "eid-signing\n"));
	assert_non_null(strstr(out, "\nkey 2  active\n  purpose:      saml\n"));
	assert_non_null(strstr(out, "\nkey 3  next\n  purpose:      "
				    "eid-encryption\n"));
	g_free(out);
	out = expect_ok(f, list_es, NULL);
	assert_true(g_str_has_prefix(out, "key 1  active\n  purpose:      "
					  "eid-signing\n"));
	assert_null(strstr(out, "key 2"));
	assert_null(strstr(out, "key 3"));
	g_free(out);
	out = expect_ok(f, list_esj, NULL);
	assert_int_equal(ctl_run_lines(out), 1);
	assert_true(g_str_has_prefix(out, "[{\"id\":1,\"state\":\"active\","
					  "\"purpose\":\"eid-signing\","));
	assert_null(strstr(out, "},{"));
	g_free(out);
	out = expect_ok(f, list_s, NULL);
	assert_true(g_str_has_prefix(out, "key 2  active\n  purpose:      "
					  "saml\n"));
	assert_null(strstr(out, "key 1"));
	g_free(out);

	/* rotate eid-encryption: its next key, nothing else. */
	(void)setenv("IDP_KEYS_ROLLOVER_WINDOW", "0", 1);
	out = expect_ok(f, rot_ee,
			"activated eid-encryption key 3; no key was active\n"
			"generated eid-encryption key 4 (RSA-2048) as next\n");
	g_free(out);
	(void)unsetenv("IDP_KEYS_ROLLOVER_WINDOW");
	out = expect_ok(f, list_ee, NULL);
	assert_true(g_str_has_prefix(out, "key 3  active\n"));
	assert_non_null(strstr(out, "\nkey 4  next\n"));
	g_free(out);
	q_equal(f, "1:active 2:active 3:active 4:next",
		"SELECT string_agg(id || ':' || state, ' ' ORDER BY id)"
		" FROM signing_keys");

	/* retire by id names the purpose. */
	out = expect_ok(f, ret1fj, NULL);
	assert_string_equal(out, "{\"id\":1,\"state\":\"retired\","
				 "\"purpose\":\"eid-signing\",\"was\":"
				 "\"active\"}\n");
	g_free(out);
	q_equal(f, "2:saml 3:eid-encryption",
		"SELECT string_agg(id || ':' || purpose, ' ' ORDER BY id)"
		" FROM signing_keys WHERE state = 'active'");
	/* The audit trail names the purpose of every change. */
	q_equal(f,
		"eid-signing saml eid-signing saml eid-encryption "
		"eid-encryption eid-encryption eid-signing",
		"SELECT string_agg(details->>'purpose', ' ' ORDER BY seq)"
		" FROM audit_log");
}

/* --- a different master key --- */

static void
test_wrong_master_key(void **state)
{
	struct fx *f = *state;
	const char *act[] = {"keys", "activate", "--force", "1", NULL};
	const char *rot[] = {"keys", "rotate", "--bits", "2048", NULL};
	const char *gen[] = {"keys", "generate", "--bits", "2048", NULL};

	init_ok(f);
	assert_int_equal(generate(f), 1);
	/* The master key is replaced by another one. */
	assert_int_equal(unlink(f->mk_path), 0);
	init_ok(f);
	expect_fail(f, 1, act, "key 1 does not open with this master key");
	expect_fail(f, 1, act, "(wrong master key file?)");
	/* Refused before a key is generated: no warning for 2048. */
	(void)setenv("IDP_KEYS_ROLLOVER_WINDOW", "0", 1);
	expect_fail(f, 1, rot, "key 1 does not open with this master key");
	(void)unsetenv("IDP_KEYS_ROLLOVER_WINDOW");
	expect_fail(f, 1, gen, "key 1 does not open with this master key");
	q_equal(f, "1 next",
		"SELECT count(*) || ' ' || min(state)"
		" FROM signing_keys");
	q_equal(f, "1", "SELECT count(*) FROM audit_log");
}

/* --- NOTIFY --- */

static int
notified(PGconn *raw, int ms)
{
	int n = 0, fd = PQsocket(raw);
	PGnotify *nt;
	fd_set rd;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	(void)select(fd + 1, &rd, NULL, NULL, &tv);
	assert_int_equal(PQconsumeInput(raw), 1);
	while ((nt = PQnotifies(raw)) != NULL) {
		if (strcmp(nt->relname, STORE_KEYS_CHANNEL) == 0)
			n++;
		PQfreemem(nt);
	}
	return n;
}

static void
test_notify(void **state)
{
	struct fx *f = *state;
	const char *act[] = {"keys", "activate", "1", NULL};
	const char *actf[] = {"keys", "activate", "1", "--force", NULL};
	const char *ret[] = {"keys", "retire", "1", NULL};
	const char *list[] = {"keys", "list", NULL};

	init_ok(f);
	free(testdb_query(f->raw, "LISTEN " STORE_KEYS_CHANNEL));
	(void)generate(f);
	/* idpctl has exited: the commit is done and the message is here. */
	assert_int_equal(notified(f->raw, 2000), 1);
	expect_fail(f, 1, act, "rollover window");
	g_free(expect_ok(f, list, NULL));
	assert_int_equal(notified(f->raw, 300), 0);
	g_free(expect_ok(f, actf, NULL));
	assert_int_equal(notified(f->raw, 2000), 1);
	expect_fail(f, 1, ret, "is the active saml key");
	assert_int_equal(notified(f->raw, 300), 0);
}

/* --- the certificate, read by the openssl command line --- */

static void
test_certificate_openssl(void **state)
{
	struct fx *f = *state;
	const char *gen[] = {"keys", "generate", "--json", NULL};
	char *cert, *path, *out = NULL, *errs = NULL, *json, *fp, want[256];
	const char *argv[] = {"openssl", "x509",	 "-noout",
			      "-text",	 "-fingerprint", "-sha256",
			      "-in",	 NULL,		 NULL};
	int status;

	init_ok(f);
	(void)setenv("IDP_SERVER_PUBLIC_URL", "https://idp.example.org", 1);
	(void)setenv("IDP_KEYS_CERTIFICATE_VALIDITY", "365", 1);
	json = expect_ok(f, gen, NULL);
	(void)unsetenv("IDP_SERVER_PUBLIC_URL");
	(void)unsetenv("IDP_KEYS_CERTIFICATE_VALIDITY");
	cert = testdb_query(
		f->raw, "SELECT certificate FROM signing_keys WHERE id = 1");
	fp = testdb_query(f->raw,
			  "SELECT fingerprint FROM signing_keys WHERE id = 1");
	(void)snprintf(want, sizeof(want), "\"fingerprint\":\"%s\"", fp);
	assert_non_null(strstr(json, want));
	q_equal(f, "365",
		"SELECT extract(day FROM not_after - not_before)"
		" FROM signing_keys");

	path = g_strdup_printf("%s/cert.pem", dir);
	assert_true(g_file_set_contents(path, cert, -1, NULL));
	argv[7] = path;
	assert_true(g_spawn_sync(NULL, (char **)(uintptr_t)argv, NULL,
				 G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &errs,
				 &status, NULL));
	assert_true(g_spawn_check_wait_status(status, NULL));
	assert_non_null(strstr(out, "Public-Key: (3072 bit)"));
	assert_non_null(strstr(out, "sha256WithRSAEncryption"));
	assert_non_null(strstr(out, "Subject: CN = idp.example.org"));
	assert_non_null(strstr(out, "Issuer: CN = idp.example.org"));
	(void)snprintf(want, sizeof(want), "sha256 Fingerprint=%s\n", fp);
	assert_non_null(strstr(out, want));
	(void)unlink(path);
	g_free(path);
	g_free(out);
	g_free(errs);
	g_free(json);
	free(cert);
	free(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_master_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_master_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_purpose, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_purposes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_certificate_openssl, setup,
						teardown),
	};
	char **env;
	int rc;

	idpctl_path = getenv("IDPCTL");
	if (idpctl_path == NULL || idpctl_path[0] == '\0') {
		fprintf(stderr, "IDPCTL must name the idpctl binary\n");
		return 1;
	}
	(void)signal(SIGPIPE, SIG_IGN);
	/* Only the variables this test sets reach idpctl. */
	env = g_listenv();
	for (char **v = env; *v != NULL; v++)
		if (g_str_has_prefix(*v, "IDP_") &&
		    strcmp(*v, "IDP_TEST_CONNINFO") != 0)
			(void)unsetenv(*v);
	g_strfreev(env);
	if (crypt_init() != 0)
		return 1;
	dir = g_dir_make_tmp("test_ctl_keys_XXXXXX", NULL);
	if (dir == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char *cmd = g_strdup_printf("rm -rf '%s'", dir);

		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
		g_free(cmd);
	}
	g_free(dir);
	return rc;
}
