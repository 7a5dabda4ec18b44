/*
 * `idpctl sp ...` as the operator runs it: the built idpctl (path in
 * $IDPCTL) in a child process against a real PostgreSQL, with real SP
 * metadata (pysaml2, generated at start; mod_auth_mellon's form in
 * tests/saml/data) and a small HTTP server on loopback for metadata
 * URLs. What it did is checked through a raw libpq connection: the
 * relying_parties row, the audit rows, and the notifications on
 * relying_parties_changed, which that connection LISTENs to.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "idp/store/store.h"
#include "saml_test.h"
#include "testdb.h"

#define PYSAML2_ID  "https://pysaml2.example.org/sp"
#define MELLON_ID   "https://portal.example.org/mellon/metadata"
#define SIGNONLY_ID "https://signonly.example.org/sp"
#define LOCAL_ID    "http://127.0.0.1/local-sp"
#define EXPIRING_ID "https://expiring.example.org/sp"

static const char *idpctl_path, *db, *gen, *data_dir;
static PGconn *conn;	    /* checks */
static PGconn *listen_conn; /* LISTEN relying_parties_changed */
static int trap_fd, trap_port;
static char mellon_path[512];

/* --- running idpctl --- */

struct run {
	int status; /* exit status, or -1 when killed by a signal */
	char *out;
	char *err;
};

static int
temp_fd(void)
{
	char path[] = "/tmp/idpctl-sp-test.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	(void)unlink(path);
	return fd;
}

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

/* Run idpctl with @args (NULL-terminated), stdin from /dev/null. */
static struct run
run(const char *const *args)
{
	const char *argv[32];
	struct run r = {0};
	int out = temp_fd(), err = temp_fd(), ws;
	size_t n = 0;
	pid_t pid;

	argv[n++] = idpctl_path;
	for (; *args != NULL && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void)setenv("IDP_DATABASE_CONNINFO", db, 1);
		int in = open("/dev/null", O_RDONLY);

		if (in >= 0)
			(void)dup2(in, 0);
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

/* Exit 0 expected; @want (may be NULL) in stdout. Returns stdout. */
static char *
expect_ok(const char *const *args, const char *want)
{
	struct run r = run(args);

	if (r.status != 0)
		fail_msg("sp %s: exit %d: %s", args[1], r.status, r.err);
	if (want != NULL && strstr(r.out, want) == NULL)
		fail_msg("sp %s: '%s' not in: %s", args[1], want, r.out);
	free(r.err);
	return r.out;
}

static void
expect_ok_free(const char *const *args, const char *want)
{
	free(expect_ok(args, want));
}

/*
 * Exit @status expected, with @want in the one error line (plus the
 * hint to --help for usage errors) and nothing on stdout.
 */
static void
expect_fail(int status, const char *const *args, const char *want)
{
	struct run r = run(args);

	if (r.status != status)
		fail_msg("sp %s: exit %d, want %d: %s", args[1], r.status,
			 status, r.err);
	assert_string_equal(r.out, "");
	if (strncmp(r.err, "idpctl: ", 8) != 0 || strstr(r.err, want) == NULL)
		fail_msg("want '%s', got: %s", want, r.err);
	assert_int_equal(count_lines(r.err), status == 2 ? 2 : 1);
	run_free(&r);
}

/* --- the database --- */

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

/* A column of the relying party @id, as text. */
static void
expect_col(const char *id, const char *expr, const char *want)
{
	char *v = q("SELECT %s FROM relying_parties WHERE entity_id = '%s'",
		    expr, id);

	if (strcmp(v, want) != 0)
		fail_msg("%s of %s: '%s', want '%s'", expr, id, v, want);
	free(v);
}

static long
count(const char *sql)
{
	char *v = testdb_query(conn, sql);
	long n = atol(v);

	free(v);
	return n;
}

static long
audit_rows(void)
{
	return count("SELECT count(*) FROM audit_log");
}

/* The last audit row: event, and a field of its details. */
static void
expect_audit(const char *event, const char *key, const char *value)
{
	char *v = q("SELECT event || '|' || actor || '|' ||"
		    " coalesce(subject, '-') || '|' ||"
		    " coalesce(details->>'%s', '<null>')"
		    " FROM audit_log ORDER BY seq DESC LIMIT 1",
		    key);
	char want[1024];

	(void)snprintf(want, sizeof(want), "%s|operator|-|%s", event, value);
	if (strcmp(v, want) != 0)
		fail_msg("last audit row '%s', want '%s'", v, want);
	free(v);
}

/*
 * The next notification on relying_parties_changed within @ms, its
 * payload as an owned string, or NULL.
 */
static char *
notify_next(int ms)
{
	PGnotify *n;
	char *payload = NULL;

	for (;;) {
		struct pollfd p = {.fd = PQsocket(listen_conn),
				   .events = POLLIN};

		assert_int_equal(PQconsumeInput(listen_conn), 1);
		n = PQnotifies(listen_conn);
		if (n != NULL)
			break;
		if (poll(&p, 1, ms) != 1)
			return NULL;
		ms = 0;
	}
	assert_string_equal(n->relname, "relying_parties_changed");
	payload = strdup(n->extra);
	PQfreemem(n);
	return payload;
}

static void
expect_notify(const char *entity_id)
{
	char *p = notify_next(5000);

	if (p == NULL)
		fail_msg("no notification for %s", entity_id);
	assert_string_equal(p, entity_id);
	free(p);
	p = notify_next(0);
	if (p != NULL)
		fail_msg("a second notification: %s", p);
}

static void
expect_no_notify(void)
{
	char *p = notify_next(200);

	if (p != NULL)
		fail_msg("unexpected notification: %s", p);
}

/* --- a metadata server on loopback --- */

struct srv {
	int fd;
	int port;
	pthread_t thread;
	pthread_mutex_t mu;
	char *body; /* owned */
	size_t len;
	int status;
	int hits;
	bool stop;
};

static struct srv srv;

static void *
srv_main(void *arg)
{
	struct srv *s = arg;

	for (;;) {
		char req[8192], head[128];
		size_t got = 0;
		int c = accept(s->fd, NULL, NULL), status;
		char *body;
		size_t len;

		if (c < 0)
			continue;
		pthread_mutex_lock(&s->mu);
		if (s->stop) {
			pthread_mutex_unlock(&s->mu);
			(void)close(c);
			break;
		}
		s->hits++;
		status = s->status;
		len = s->len;
		body = malloc(len + 1);
		if (body != NULL)
			memcpy(body, s->body, len);
		pthread_mutex_unlock(&s->mu);
		while (got < sizeof(req) - 1) {
			ssize_t n =
				recv(c, req + got, sizeof(req) - 1 - got, 0);

			if (n <= 0)
				break;
			got += (size_t)n;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL)
				break;
		}
		(void)snprintf(head, sizeof(head),
			       "HTTP/1.1 %d X\r\nContent-Type: "
			       "application/samlmetadata+xml\r\n"
			       "Content-Length: %zu\r\nConnection: close"
			       "\r\n\r\n",
			       status, len);
		(void)send(c, head, strlen(head), MSG_NOSIGNAL);
		for (size_t off = 0; body != NULL && off < len;) {
			ssize_t n =
				send(c, body + off, len - off, MSG_NOSIGNAL);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
		free(body);
		(void)close(c);
	}
	return NULL;
}

/* Serve @len bytes of @body with @status from now on. */
static void
serve(int status, const char *body, size_t len)
{
	pthread_mutex_lock(&srv.mu);
	free(srv.body);
	srv.body = malloc(len + 1);
	assert_non_null(srv.body);
	memcpy(srv.body, body, len);
	srv.len = len;
	srv.status = status;
	pthread_mutex_unlock(&srv.mu);
}

static void
serve_file(const char *path)
{
	size_t len;
	char *xml = file_read(path, &len);

	serve(200, xml, len);
	free(xml);
}

static char *
gen_path(const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", gen, name) > 0);
	return p;
}

static char *
srv_url(const char *path)
{
	char *u = NULL;

	assert_true(asprintf(&u, "http://127.0.0.1:%d%s", srv.port, path) > 0);
	return u;
}

/* --- tests --- */

static void
test_add_pysaml2(void **state)
{
	char *sp = gen_path("sp.xml"), *out, *xml;
	const char *add[] = {"sp", "add",	"--metadata",
			     sp,   "--release", "email,given_name",
			     NULL};
	const char *list[] = {"sp", "list", NULL};
	const char *list_json[] = {"sp", "list", "--json", NULL};
	const char *show[] = {"sp", "show", PYSAML2_ID, NULL};
	const char *show_json[] = {"sp", "show", PYSAML2_ID, "--json", NULL};
	long audits;

	(void)state;
	expect_ok_free(add, "added " PYSAML2_ID " (enabled; NameID "
			    "persistent; attributes given_name,email "
			    "(profile oid); signed requests required; "
			    "assertions encrypted)");
	expect_notify(PYSAML2_ID);
	expect_audit("sp_added", "entity_id", PYSAML2_ID);
	expect_audit("sp_added", "release_attributes", "given_name,email");
	expect_audit("sp_added", "metadata_source", "file");
	expect_col(PYSAML2_ID,
		   "enabled || ' ' || array_to_string(release_attributes, '+')"
		   " || ' ' || attribute_profile || ' ' || nameid_format"
		   " || ' ' || require_signed_requests || ' ' ||"
		   " encrypt_assertions || ' ' || revision || ' ' ||"
		   " (metadata_url IS NULL) || ' ' || (fetched_at IS NULL)",
		   "true given_name+email oid persistent true true 1 true "
		   "true");
	/* The document is stored as it was given, byte for byte. */
	xml = file_read(sp, NULL);
	{
		gchar *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
							   xml, -1);

		expect_col(PYSAML2_ID,
			   "encode(sha256(convert_to(metadata, 'UTF8')),"
			   " 'hex')",
			   sum);
		g_free(sum);
	}
	free(xml);
	{
		char *op = q("SELECT details->>'operator' FROM audit_log"
			     " ORDER BY seq DESC LIMIT 1");

		assert_true(strlen(op) > 0);
		free(op);
	}

	/* The same entity again: refused, nothing written. */
	audits = audit_rows();
	expect_fail(1, add, "registered already");
	assert_int_equal(audit_rows(), audits);
	expect_no_notify();

	out = expect_ok(list, "ENTITY ID");
	assert_non_null(strstr(out, "enabled"));
	assert_non_null(strstr(out, "given_name,email"));
	assert_non_null(strstr(out, PYSAML2_ID "\n"));
	free(out);
	out = expect_ok(list_json, "\"entity_id\":\"" PYSAML2_ID "\"");
	assert_non_null(strstr(out, "\"release_attributes\":[\"given_name\","
				    "\"email\"]"));
	assert_int_equal(out[0], '[');
	free(out);
	out = expect_ok(show, "entity ID:              " PYSAML2_ID "\n");
	assert_non_null(strstr(out, "metadata valid:         yes\n"));
	assert_non_null(strstr(out, "HTTP-POST https://pysaml2.example.org/"
				    "sp/acs/post"));
	assert_non_null(strstr(out, "SingleLogout:           HTTP-Redirect "
				    "https://pysaml2.example.org/sp/slo/"
				    "redirect\n"));
	assert_non_null(strstr(out, "subject:              "
				    "O=servicekonto tests,CN=sp\n"));
	assert_non_null(strstr(out, "use:                  encryption\n"));
	free(out);
	out = expect_ok(show_json, "\"want_assertions_signed\":true");
	assert_non_null(strstr(out, "\"metadata_error\":null"));
	assert_non_null(strstr(out, "\"certificates\":[{\"use\":\"signing\""));
	free(out);
	free(sp);
}

static void
test_add_mellon_options(void **state)
{
	const char *add[] = {"sp",
			     "add",
			     "--metadata",
			     mellon_path,
			     "--release",
			     "family_name, given_name",
			     "--attribute-profile",
			     "eidas",
			     "--nameid",
			     "transient",
			     "--no-encrypt-assertions",
			     "--disabled",
			     NULL};
	const char *show[] = {"sp", "show", MELLON_ID, NULL};
	char *out;

	(void)state;
	expect_ok_free(add, "added " MELLON_ID " (disabled; NameID transient; "
			    "attributes given_name,family_name (profile "
			    "eidas); signed requests required; assertions "
			    "not encrypted)");
	expect_notify(MELLON_ID);
	expect_audit("sp_added", "enabled", "false");
	expect_col(MELLON_ID,
		   "enabled || ' ' || array_to_string(release_attributes, '+')"
		   " || ' ' || attribute_profile || ' ' || nameid_format"
		   " || ' ' || encrypt_assertions",
		   "false given_name+family_name eidas transient false");
	out = expect_ok(show, "AssertionConsumer:      HTTP-POST https://"
			      "portal.example.org/mellon/postResponse index 0 "
			      "(default)\n");
	assert_non_null(strstr(out, "HTTP-Artifact https://portal.example.org"
				    "/mellon/artifactResponse index 1\n"));
	assert_non_null(strstr(out, "PAOS "));
	assert_non_null(strstr(out, "SingleLogout:           SOAP "));
	assert_non_null(strstr(out, "key:                  RSA 3072\n"));
	free(out);
}

static void
test_update_enable_disable_remove(void **state)
{
	char *other = gen_path("sp.xml");
	const char *upd[] = {"sp",   "update",	 MELLON_ID,    "--release",
			     "none", "--nameid", "persistent", NULL};
	const char *upd_other[] = {"sp",	 "update", MELLON_ID,
				   "--metadata", other,	   NULL};
	const char *upd_same[] = {"sp",		"update",    MELLON_ID,
				  "--metadata", mellon_path, "--nameid",
				  "persistent", NULL};
	const char *enable[] = {"sp", "enable", MELLON_ID, NULL};
	const char *disable[] = {"sp", "disable", MELLON_ID, NULL};
	const char *rm[] = {"sp", "remove", MELLON_ID, NULL};
	const char *rm_yes[] = {"sp", "remove", MELLON_ID, "--yes", NULL};
	const char *show[] = {"sp", "show", MELLON_ID, NULL};
	const char *enable_unknown[] = {"sp", "enable",
					"https://unknown.example.org/", NULL};
	long audits;

	(void)state;
	expect_ok_free(upd, "updated " MELLON_ID " (disabled; NameID "
			    "persistent; attributes none");
	expect_notify(MELLON_ID);
	expect_audit("sp_updated", "changed",
		     "release_attributes,nameid_format");
	expect_col(MELLON_ID,
		   "cardinality(release_attributes) || ' ' || nameid_format"
		   " || ' ' || revision || ' ' || (updated_at > created_at)",
		   "0 persistent 2 true");

	/* Nothing to change: no row, no audit, no notification. */
	audits = audit_rows();
	expect_ok_free(upd, "nothing to change for " MELLON_ID);
	expect_ok_free(upd_same, "nothing to change for " MELLON_ID);
	assert_int_equal(audit_rows(), audits);
	expect_no_notify();
	expect_col(MELLON_ID, "revision", "2");

	/* Metadata of another entity is refused. */
	expect_fail(1, upd_other,
		    "is for entity ID 'https://pysaml2."
		    "example.org/sp', not this one");
	assert_int_equal(audit_rows(), audits);

	expect_ok_free(enable, "enabled " MELLON_ID "\n");
	expect_notify(MELLON_ID);
	expect_audit("sp_enabled", "changed", "enabled");
	expect_ok_free(enable, MELLON_ID " is already enabled\n");
	expect_no_notify();
	expect_ok_free(disable, "disabled " MELLON_ID "\n");
	expect_notify(MELLON_ID);
	expect_audit("sp_disabled", "enabled", "false");
	expect_col(MELLON_ID, "enabled || ' ' || revision", "false 4");
	expect_fail(1, enable_unknown, "no relying party with this entity ID");

	expect_fail(2, rm, "refusing to remove without --yes");
	expect_col(MELLON_ID, "count(*)", "1");
	expect_ok_free(rm_yes, "removed " MELLON_ID "\n");
	expect_notify(MELLON_ID);
	expect_audit("sp_removed", "entity_id", MELLON_ID);
	assert_int_equal(count("SELECT count(*) FROM relying_parties WHERE"
			       " entity_id = '" MELLON_ID "'"),
			 0);
	expect_fail(1, rm_yes, "no relying party with this entity ID");
	expect_fail(1, show, "no relying party with this entity ID");
	free(other);
}

static void
test_settings_need_keys(void **state)
{
	char *signonly = gen_path("sp_signonly.xml");
	const char *add_enc[] = {
		"sp", "add", "--metadata", signonly, "--encrypt-assertions",
		NULL};
	const char *add[] = {"sp", "add", "--metadata", signonly, NULL};
	const char *upd_enc[] = {"sp", "update", SIGNONLY_ID,
				 "--encrypt-assertions", NULL};
	const char *upd_req[] = {"sp", "update", SIGNONLY_ID,
				 "--require-signed-requests", NULL};
	const char *rm[] = {"sp", "remove", SIGNONLY_ID, "--yes", NULL};
	long audits = audit_rows();

	(void)state;
	expect_fail(1, add_enc, "assertions cannot be encrypted");
	assert_int_equal(count("SELECT count(*) FROM relying_parties WHERE"
			       " entity_id = '" SIGNONLY_ID "'"),
			 0);
	assert_int_equal(audit_rows(), audits);
	expect_no_notify();
	/* The defaults follow the metadata: unsigned requests, no key. */
	expect_ok_free(add, "signed requests not required; assertions not "
			    "encrypted)");
	expect_notify(SIGNONLY_ID);
	expect_fail(1, upd_enc, "assertions cannot be encrypted");
	expect_ok_free(upd_req, "signed requests required");
	expect_notify(SIGNONLY_ID);
	expect_ok_free(rm, "removed");
	expect_notify(SIGNONLY_ID);
	free(signonly);
}

static void
test_url_and_refresh(void **state)
{
	char *local = gen_path("sp_local.xml"), *url = srv_url("/md");
	char *xml, *changed, *at, *mellon_url;
	const char *add[] = {"sp", "add", "--metadata", url, NULL};
	const char *refresh[] = {"sp", "refresh", LOCAL_ID, NULL};
	const char *refresh_all[] = {"sp", "refresh", "--all", NULL};
	const char *show[] = {"sp", "show", LOCAL_ID, NULL};
	const char *to_file[] = {"sp",	       "update", LOCAL_ID,
				 "--metadata", local,	 NULL};
	const char *to_url[] = {"sp",	      "update", LOCAL_ID,
				"--metadata", url,	NULL};
	const char *rm[] = {"sp", "remove", LOCAL_ID, "--yes", NULL};
	const char *add_mellon[] = {"sp", "add", "--metadata", mellon_path,
				    NULL};
	const char *refresh_mellon[] = {"sp", "refresh", MELLON_ID, NULL};
	const char *rm_mellon[] = {"sp", "remove", MELLON_ID, "--yes", NULL};
	size_t len;
	long audits;
	char *out;

	(void)state;
	serve_file(local);
	expect_ok_free(add, "added " LOCAL_ID " (enabled;");
	expect_notify(LOCAL_ID);
	expect_audit("sp_added", "metadata_source", url);
	expect_col(LOCAL_ID, "metadata_url", url);
	expect_col(LOCAL_ID, "fetched_at IS NOT NULL", "t");

	/* The same document: only fetched_at moves. */
	audits = audit_rows();
	at = q("SELECT fetched_at FROM relying_parties WHERE entity_id = "
	       "'" LOCAL_ID "'");
	usleep(20000);
	expect_ok_free(refresh, "unchanged " LOCAL_ID "\n");
	expect_no_notify();
	assert_int_equal(audit_rows(), audits);
	expect_col(LOCAL_ID, "revision", "1");
	out = q("SELECT fetched_at > '%s' FROM relying_parties WHERE"
		" entity_id = '" LOCAL_ID "'",
		at);
	assert_string_equal(out, "t");
	free(out);
	free(at);

	/* A changed document: stored, audited, announced. */
	xml = file_read(local, &len);
	changed = strdup(xml);
	assert_non_null(changed);
	memcpy(strstr(changed, "8087/acs"), "8088/acs", 8);
	serve(200, changed, strlen(changed));
	expect_ok_free(refresh, "refreshed " LOCAL_ID "\n");
	expect_notify(LOCAL_ID);
	expect_audit("sp_metadata_refreshed", "entity_id", LOCAL_ID);
	out = q("SELECT details->>'previous_metadata_sha256' <>"
		" details->>'metadata_sha256' FROM audit_log"
		" ORDER BY seq DESC LIMIT 1");
	assert_string_equal(out, "t");
	free(out);
	expect_col(LOCAL_ID, "revision || ' ' || (metadata LIKE '%8088%')",
		   "2 true");

	/* Invalid new copies: refused, the old one stays, failure kept. */
	audits = audit_rows();
	serve(200, "<md:EntityDescriptor", 20);
	expect_fail(1, refresh,
		    "new metadata refused: metadata is not "
		    "well-formed XML");
	expect_col(LOCAL_ID, "revision || ' ' || (metadata LIKE '%8088%')",
		   "2 true");
	expect_col(LOCAL_ID, "refresh_failed_at IS NOT NULL", "t");
	expect_col(LOCAL_ID, "refresh_error LIKE 'new metadata refused: %'",
		   "t");
	out = expect_ok(show, "refresh error:          new metadata refused");
	free(out);
	{
		char *other = gen_path("sp.xml");

		serve_file(other);
		expect_fail(1, refresh,
			    "it is for entity ID 'https://pysaml2.");
		free(other);
	}
	{
		char *dt = strstr(xml, "<ns0:EntityDescriptor");
		char *hostile;

		assert_non_null(dt);
		assert_true(asprintf(&hostile,
				     "<!DOCTYPE x [<!ENTITY e SYSTEM "
				     "\"http://127.0.0.1:%d/\">]>%s",
				     trap_port, dt) > 0);
		serve(200, hostile, strlen(hostile));
		expect_fail(1, refresh, "DOCTYPE");
		assert_false(listener_touched(trap_fd));
		free(hostile);
	}
	serve(404, "not here", 8);
	expect_fail(1, refresh,
		    "HTTP status 404; the stored metadata stays "
		    "in use");
	expect_col(LOCAL_ID,
		   "refresh_error LIKE 'cannot fetch %HTTP status 404'", "t");
	{
		/* More than 1 MiB over the wire: cut off at the limit. */
		size_t big = 2 * 1024 * 1024;
		char *huge = malloc(big);

		assert_non_null(huge);
		memset(huge, ' ', big);
		serve(200, huge, big);
		expect_fail(1, refresh, "larger than 1048576 bytes");
		free(huge);
	}
	assert_int_equal(audit_rows(), audits);
	expect_no_notify();
	expect_col(LOCAL_ID, "revision || ' ' || (metadata LIKE '%8088%')",
		   "2 true");

	/* Good again: unchanged, and the failure is cleared. */
	serve(200, changed, strlen(changed));
	expect_ok_free(refresh, "unchanged " LOCAL_ID);
	expect_col(LOCAL_ID,
		   "coalesce(refresh_error, '-') || ' ' ||"
		   " (refresh_failed_at IS NULL)",
		   "- true");

	/* --all takes only the SPs with a URL; a file's cannot refresh. */
	expect_ok_free(add_mellon, "added " MELLON_ID);
	expect_notify(MELLON_ID);
	expect_fail(1, refresh_mellon, "has no URL to refresh from");
	serve(200, xml, len);
	out = expect_ok(refresh_all, "refreshed " LOCAL_ID "\n");
	assert_null(strstr(out, MELLON_ID));
	free(out);
	expect_notify(LOCAL_ID);
	serve(500, "", 0);
	{
		struct run r = run(refresh_all);

		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, "HTTP status 500"));
		run_free(&r);
	}

	/* From URL to file and back. */
	expect_ok_free(to_file, "updated " LOCAL_ID);
	expect_notify(LOCAL_ID);
	expect_col(LOCAL_ID,
		   "(metadata_url IS NULL) || ' ' ||"
		   " (fetched_at IS NULL)",
		   "true true");
	serve(200, changed, strlen(changed));
	expect_ok_free(to_url, "updated " LOCAL_ID);
	expect_notify(LOCAL_ID);
	expect_audit("sp_updated", "changed", "metadata");
	expect_col(LOCAL_ID, "metadata_url", url);

	/* A metadata URL is held to the same rule as endpoints. */
	mellon_url = strdup("http://portal.example.org/md");
	{
		const char *add_pub[] = {"sp", "add", "--metadata", mellon_url,
					 NULL};

		expect_fail(1, add_pub, "is not https");
	}
	free(mellon_url);
	expect_ok_free(rm, "removed");
	expect_notify(LOCAL_ID);
	expect_ok_free(rm_mellon, "removed");
	expect_notify(MELLON_ID);
	free(changed);
	free(xml);
	free(url);
	free(local);
}

/*
 * Metadata that expires after it was imported: shown as invalid, and
 * the SP cannot be enabled again until new metadata comes; while it
 * stays disabled, its settings may still change.
 */
static void
test_expired_stored(void **state)
{
	char path[] = "/tmp/idpctl-sp-expiring.XXXXXX", until[64], attr[96];
	char *xml = file_read(mellon_path, NULL), *cert = cert_of(xml), *doc;
	const char *add[] = {"sp", "add", "--metadata", path, NULL};
	const char *disable[] = {"sp", "disable", EXPIRING_ID, NULL};
	const char *enable[] = {"sp", "enable", EXPIRING_ID, NULL};
	const char *show[] = {"sp", "show", EXPIRING_ID, NULL};
	const char *release[] = {"sp",	      "update", EXPIRING_ID,
				 "--release", "email",	NULL};
	const char *renew[] = {"sp", "update",	  EXPIRING_ID, "--metadata",
			       path, "--enabled", NULL};
	const char *rm[] = {"sp", "remove", EXPIRING_ID, "--yes", NULL};
	time_t t = time(NULL) + 3;
	struct tm tm;
	char *out;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	(void)close(fd);
	assert_non_null(gmtime_r(&t, &tm));
	assert_true(strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm) >
		    0);
	(void)snprintf(attr, sizeof(attr), " validUntil=\"%s\"", until);
	doc = meta_doc(EXPIRING_ID, attr, cert,
		       "<md:AssertionConsumerService Binding=\"urn:oasis:"
		       "names:tc:SAML:2.0:bindings:HTTP-POST\" Location="
		       "\"https://expiring.example.org/acs\" index=\"0\"/>");
	file_write(path, doc, strlen(doc));
	expect_ok_free(add, "added " EXPIRING_ID);
	expect_notify(EXPIRING_ID);
	expect_ok_free(disable, "disabled");
	expect_notify(EXPIRING_ID);
	sleep(4);
	out = expect_ok(show, "metadata valid:         no: metadata "
			      "expired: validUntil");
	free(out);
	expect_fail(1, enable,
		    "the stored metadata is no longer valid "
		    "(metadata expired");
	expect_col(EXPIRING_ID, "enabled", "f");
	expect_ok_free(release, "updated " EXPIRING_ID " (disabled;");
	expect_notify(EXPIRING_ID);
	/* New metadata (without validUntil) brings it back. */
	free(doc);
	doc = meta_doc(EXPIRING_ID, "", cert,
		       "<md:AssertionConsumerService Binding=\"urn:oasis:"
		       "names:tc:SAML:2.0:bindings:HTTP-POST\" Location="
		       "\"https://expiring.example.org/acs\" index=\"0\"/>");
	file_write(path, doc, strlen(doc));
	expect_ok_free(renew, "updated " EXPIRING_ID " (enabled;");
	expect_notify(EXPIRING_ID);
	expect_audit("sp_updated", "changed", "enabled,metadata");
	expect_ok_free(rm, "removed");
	expect_notify(EXPIRING_ID);
	(void)unlink(path);
	free(doc);
	free(cert);
	free(xml);
}

/*
 * Every document of the hostile corpus, given as a file and (for the
 * DTD cases and the oversized one) served over HTTP: exit 1 with its own
 * one line, nothing stored or audited or announced, and nothing connects
 * to the port its external entities name.
 */
static void
test_hostile(void **state)
{
	char path[] = "/tmp/idpctl-sp-hostile.XXXXXX";
	char *xml = file_read(mellon_path, NULL), *cert = cert_of(xml);
	struct hostile *h;
	long rows = count("SELECT count(*) FROM relying_parties");
	long audits = audit_rows();
	char *url = srv_url("/hostile");
	size_t n;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	(void)close(fd);
	n = hostile_build(&h, cert, trap_port);
	for (size_t i = 0; i < n; i++) {
		const char *by_file[] = {"sp", "add", "--metadata", path, NULL};
		const char *by_url[] = {"sp", "add", "--metadata", url, NULL};
		struct run r;

		file_write(path, h[i].doc, h[i].len);
		r = run(by_file);
		if (r.status != 1 || r.out[0] != '\0' ||
		    count_lines(r.err) != 1 ||
		    strncmp(r.err, "idpctl: ", 8) != 0 ||
		    strstr(r.err, h[i].want) == NULL)
			fail_msg("%s: exit %d, stdout '%s', stderr '%s' "
				 "(want '%s')",
				 h[i].name, r.status, r.out, r.err, h[i].want);
		run_free(&r);
		if (strstr(h[i].name, "entit") != NULL ||
		    strcmp(h[i].name, "two_mib") == 0) {
			serve(200, h[i].doc, h[i].len);
			r = run(by_url);
			if (r.status != 1 || strstr(r.err, h[i].want) == NULL)
				fail_msg("%s by URL: exit %d: %s", h[i].name,
					 r.status, r.err);
			run_free(&r);
		}
		if (listener_touched(trap_fd))
			fail_msg("%s: something connected to the port of "
				 "its external entity",
				 h[i].name);
	}
	assert_int_equal(count("SELECT count(*) FROM relying_parties"), rows);
	assert_int_equal(audit_rows(), audits);
	expect_no_notify();
	hostile_free(h, n);
	(void)unlink(path);
	free(url);
	free(cert);
	free(xml);
}

static void
test_usage(void **state)
{
	const char *no_md[] = {"sp", "add", NULL};
	const char *unknown[] = {"sp", "add",	  "--metadata",
				 "x",  "--bogus", NULL};
	const char *both[] = {"sp",
			      "add",
			      "--metadata",
			      "x",
			      "--encrypt-assertions",
			      "--no-encrypt-assertions",
			      NULL};
	const char *release[] = {"sp", "add",	    "--metadata",
				 "x",  "--release", "email,password",
				 NULL};
	const char *nameid[] = {"sp",	    "add",   "--metadata", "x",
				"--nameid", "email", NULL};
	const char *profile[] = {
		"sp",	"add", "--metadata", "x", "--attribute-profile",
		"saml", NULL};
	const char *refresh[] = {"sp", "refresh", NULL};
	const char *refresh_both[] = {"sp", "refresh", PYSAML2_ID, "--all",
				      NULL};
	const char *ctrl[] = {"sp", "show", "https://x.example/\x1b[2J", NULL};
	const char *no_id[] = {"sp", "enable", NULL};
	const char *missing[] = {"sp", "add", "--metadata",
				 "/nonexistent/sp.xml", NULL};

	(void)state;
	expect_fail(2, no_md, "missing --metadata FILE|URL");
	expect_fail(2, unknown, "unknown option '--bogus'");
	expect_fail(2, both, "exclude each other");
	expect_fail(2, release, "unknown attribute 'password'");
	expect_fail(2, nameid, "--nameid must be persistent or transient");
	expect_fail(2, profile, "--attribute-profile must be eidas or oid");
	expect_fail(2, refresh, "give an entity ID or --all");
	expect_fail(2, refresh_both, "give an entity ID or --all");
	expect_fail(2, ctrl, "blank, control or non-ASCII");
	expect_fail(2, no_id, "missing entity ID");
	expect_fail(1, missing, "cannot open the metadata file");
}

/* --- setup --- */

static int
setup(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	char err[512];
	int applied = 0;
	PGresult *res;

	(void)state;
	idpctl_path = getenv("IDPCTL");
	data_dir = getenv("SAML_TEST_DATA");
	if (idpctl_path == NULL || data_dir == NULL)
		fail_msg("IDPCTL and SAML_TEST_DATA must be set (meson test "
			 "does)");
	(void)snprintf(mellon_path, sizeof(mellon_path), "%s/mellon_sp.xml",
		       data_dir);
	gen = pysaml2_generate();
	db = testdb_create();
	if (store_migrate(db, NULL, NULL, &applied, err, sizeof(err)) != 0)
		fail_msg("migrate: %s", err);
	conn = testdb_connect(db);
	listen_conn = testdb_connect(db);
	res = PQexec(listen_conn, "LISTEN relying_parties_changed");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	trap_fd = listener_open(&trap_port);

	srv.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(srv.fd >= 0);
	assert_int_equal(bind(srv.fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(srv.fd, 16), 0);
	assert_int_equal(getsockname(srv.fd, (struct sockaddr *)&a, &alen), 0);
	srv.port = ntohs(a.sin_port);
	pthread_mutex_init(&srv.mu, NULL);
	serve(404, "", 0);
	assert_int_equal(pthread_create(&srv.thread, NULL, srv_main, &srv), 0);
	return 0;
}

static int
teardown(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int c;

	(void)state;
	pthread_mutex_lock(&srv.mu);
	srv.stop = true;
	pthread_mutex_unlock(&srv.mu);
	/* Wake the accept() with one last connection. */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)srv.port);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c >= 0) {
		(void)connect(c, (struct sockaddr *)&a, sizeof(a));
		(void)close(c);
	}
	(void)pthread_join(srv.thread, NULL);
	(void)close(srv.fd);
	free(srv.body);
	(void)close(trap_fd);
	PQfinish(listen_conn);
	PQfinish(conn);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_add_pysaml2),
		cmocka_unit_test(test_add_mellon_options),
		cmocka_unit_test(test_update_enable_disable_remove),
		cmocka_unit_test(test_settings_need_keys),
		cmocka_unit_test(test_url_and_refresh),
		cmocka_unit_test(test_expired_stored),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
