/*
 * The outbox and the sender against a real PostgreSQL and a real SMTP
 * server (aiosmtpd) on loopback: a mail exists if and only if its
 * transaction commits, it is delivered with the right headers (decoded by
 * Python's email package) and woken by NOTIFY, a down server means
 * retries and then exactly one delivery, two senders never send one mail
 * twice, attempts end at max_attempts, STARTTLS is never skipped, SMTP
 * AUTH works and never leaks the password, and a stop aborts a hanging
 * transfer without losing its mail. File mode: test_mail_file.c.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <glib.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "outbox_test.h"

static void
test_enqueue_refuses(void **state)
{
	const char *db = migrated_db();
	struct store *s = connected_store(db);
	PGconn *c = testdb_connect(db);
	char long_to[301], long_subject[MAIL_SUBJECT_MAX + 2], *big_body;
	const char *bad_to[] = {
		"a@b\r\nBcc: x@y", "a b@c",	    "",
		"<a@b>",	   long_to,	    "a@b, c@d",
		"a@b\nBcc: x@y",   "\xc3\xa4@b.de",
	};

	(void)state;
	memset(long_to, 'a', 300);
	memcpy(long_to + 290, "@b.example", 11);
	for (size_t i = 0; i < sizeof(bad_to) / sizeof(bad_to[0]); i++)
		if (enqueue(s, bad_to[i], "s", "b", true) != STORE_HARD_ERROR)
			fail_msg("accepted recipient #%zu", i);
	assert_int_equal(enqueue(s, NULL, "s", "b", true), STORE_HARD_ERROR);
	assert_int_equal(enqueue(s, "a@b", "Hi\r\nBcc: x@y", "b", true),
			 STORE_HARD_ERROR);
	assert_int_equal(enqueue(s, "a@b", "Hi\nthere", "b", true),
			 STORE_HARD_ERROR);
	assert_int_equal(enqueue(s, "a@b", "Hi\rthere", "b", true),
			 STORE_HARD_ERROR);
	assert_int_equal(enqueue(s, "a@b", "\xc3(", "b", true),
			 STORE_HARD_ERROR);
	memset(long_subject, 's', MAIL_SUBJECT_MAX + 1);
	long_subject[MAIL_SUBJECT_MAX + 1] = '\0';
	assert_int_equal(enqueue(s, "a@b", long_subject, "b", true),
			 STORE_HARD_ERROR);
	big_body = g_malloc(MAIL_BODY_MAX + 2);
	memset(big_body, 'x', MAIL_BODY_MAX + 1);
	big_body[MAIL_BODY_MAX + 1] = '\0';
	assert_int_equal(enqueue(s, "a@b", "s", big_body, true),
			 STORE_HARD_ERROR);
	assert_int_equal(enqueue(s, "a@b", "s", "lone\rCR", true),
			 STORE_HARD_ERROR);
	assert_int_equal(enqueue(s, "a@b", "s", "bell\a", true),
			 STORE_HARD_ERROR);
	assert_int_equal(enqueue(s, "a@b", "s", NULL, true), STORE_HARD_ERROR);
	assert_query(c, "SELECT count(*) FROM mail_outbox", "0");

	/* The limits themselves pass. */
	long_subject[MAIL_SUBJECT_MAX] = '\0';
	big_body[MAIL_BODY_MAX] = '\0';
	assert_int_equal(enqueue(s, "a@b", long_subject, big_body, true),
			 STORE_ONE_ROW);
	assert_query(c, "SELECT count(*) FROM mail_outbox", "1");
	g_free(big_body);
	PQfinish(c);
	store_free(s);
}

static void
test_smtp_delivery(void **state)
{
	const char *db = migrated_db(), *dir = mt_dir("smtp");
	unsigned port = mt_free_port();
	pid_t srv = mt_smtp_start(port, dir);
	struct cfg *cfg = smtp_cfg(db, port, NULL);
	struct store *s = connected_store(db);
	PGconn *c = testdb_connect(db);
	struct mail_sender_params p = fast();
	struct mail_sender *ms;
	char *out, *env, *raw;

	(void)state;
	assert_int_equal(enqueue(s, "citizen@example.org", utf8_subject,
				 utf8_body, true),
			 STORE_ONE_ROW);
	assert_int_equal(enqueue(s, "rolled.back@example.org", "never",
				 "never sent", false),
			 STORE_HARD_ERROR);
	/*
	 * A poll interval far beyond the test: the second mail below can
	 * only arrive in time through LISTEN/NOTIFY.
	 */
	p.poll_ms = 120000;
	ms = sender(cfg, &p);
	wait_for(c,
		 "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL",
		 "1", 10000);
	assert_int_equal(mt_count(dir), 1);

	env = mt_envelope(dir, 1);
	assert_string_equal(env, "noreply@example.de\ncitizen@example.org\n");
	g_free(env);
	raw = mt_raw(dir, 1);
	assert_null(strstr(raw, "rolled.back"));
	assert_contains(raw, "\r\nAuto-Submitted: auto-generated\r\n");
	/* CRLF only: every LF follows a CR. */
	for (const char *q = strchr(raw, '\n'); q != NULL;
	     q = strchr(q + 1, '\n'))
		assert_true(q > raw && q[-1] == '\r');
	g_free(raw);
	out = mt_decode_dir(dir);
	assert_contains(out, "From: Servicekonto Bürgerportal "
			     "<noreply@example.de>\n");
	assert_contains(out, "To: citizen@example.org\n");
	assert_contains(out, "Subject: Bestätigen Sie Ihre E-Mail-Adresse – "
			     "Servicekonto\n");
	assert_contains(out, "MIME-Version: 1.0\n");
	assert_contains(out, "Content-Type: text/plain; charset=\"UTF-8\"\n");
	assert_contains(out, "Content-Transfer-Encoding: quoted-printable\n");
	assert_contains(out, "Auto-Submitted: auto-generated\n");
	assert_contains(out, "@example.de>\n");
	assert_contains(out, "defects: 0\n");
	assert_contains(out, "\n\nGuten Tag,\n\nbitte bestätigen Sie Ihre "
			     "Adresse:\n");
	assert_contains(out, "?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			     "AAA&lang=de\n.\nGrüße\n=== end\n");
	g_free(out);
	assert_query(c,
		     "SELECT format('%s %s %s', attempts, claimed_until IS "
		     "NULL, last_error IS NULL) FROM mail_outbox",
		     "1 t t");

	/* Woken by NOTIFY at the commit, not by the poll. */
	mt_sleep(300);
	assert_int_equal(enqueue(s, "second@example.org", "Zweite", "2", true),
			 STORE_ONE_ROW);
	wait_for(c,
		 "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL",
		 "2", 5000);
	assert_int_equal(mt_count(dir), 2);
	mail_sender_free(ms);
	/* The rolled-back mail never existed. */
	assert_query(c, "SELECT count(*) FROM mail_outbox", "2");
	assert_int_equal(mt_count(dir), 2);

	mt_smtp_stop(srv);
	PQfinish(c);
	store_free(s);
	cfg_free(cfg);
}

static void
test_server_down_then_up(void **state)
{
	const char *db = migrated_db(), *dir = mt_dir("down");
	unsigned port = mt_free_port();
	struct cfg *cfg = smtp_cfg(db, port, "IDP_MAIL_MAX_ATTEMPTS=100");
	struct store *s = connected_store(db);
	PGconn *c = testdb_connect(db);
	struct mail_sender_params p = fast();
	struct mail_sender *ms;
	pid_t srv;

	(void)state;
	ms = sender(cfg, &p);
	assert_int_equal(
		enqueue(s, "citizen@example.org", "Retry", "body", true),
		STORE_ONE_ROW);
	/* Failed attempts, each with a retry scheduled in the future. */
	wait_for(c,
		 "SELECT attempts >= 2 AND sent_at IS NULL AND failed_at IS "
		 "NULL AND last_error IS NOT NULL FROM mail_outbox",
		 "t", 10000);
	assert_query(c, "SELECT last_error LIKE '%connect%' FROM mail_outbox",
		     "t");
	srv = mt_smtp_start(port, dir);
	wait_for(c,
		 "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL",
		 "1", 10000);
	/* Exactly once, also after a while. */
	mt_sleep(1000);
	assert_int_equal(mt_count(dir), 1);
	assert_query(c,
		     "SELECT attempts >= 3 AND last_error IS NULL FROM "
		     "mail_outbox",
		     "t");
	mail_sender_free(ms);
	mt_smtp_stop(srv);
	PQfinish(c);
	store_free(s);
	cfg_free(cfg);
}

static void
test_two_senders(void **state)
{
	const char *db = migrated_db(), *dir = mt_dir("two");
	unsigned port = mt_free_port();
	pid_t srv = mt_smtp_start(port, dir);
	struct cfg *cfg = smtp_cfg(db, port, NULL);
	struct store *s = connected_store(db);
	PGconn *c = testdb_connect(db);
	struct mail_sender_params p = fast();
	struct mail_sender *a, *b;
	struct mail m = {"citizen@example.org", "Mail", "body", STORE_ONE_ROW,
			 40};
	char *out;

	(void)state;
	p.batch = 2;
	a = sender(cfg, &p);
	b = sender(cfg, &p);
	mt_sleep(200);
	/* One transaction: one NOTIFY wakes both at the same moment. */
	assert_int_equal(store_run_tx(s, "test_mail", false, enqueue_cb, &m),
			 STORE_ONE_ROW);
	wait_for(c,
		 "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL",
		 "40", 30000);
	mt_sleep(500);
	mail_sender_free(a);
	mail_sender_free(b);
	assert_int_equal(mt_count(dir), 40);
	out = mt_decode_dir(dir);
	for (int i = 0; i < 40; i++) {
		char *subject = g_strdup_printf("Subject: Mail #%d\n", i);

		if (occurrences(out, subject) != 1)
			fail_msg("%s arrived %zu times", subject,
				 occurrences(out, subject));
		g_free(subject);
	}
	assert_query(c, "SELECT max(attempts) FROM mail_outbox", "1");
	g_free(out);
	mt_smtp_stop(srv);
	PQfinish(c);
	store_free(s);
	cfg_free(cfg);
}

static void
test_max_attempts(void **state)
{
	const char *db = migrated_db();
	unsigned port = mt_free_port();
	struct cfg *cfg = smtp_cfg(db, port, "IDP_MAIL_MAX_ATTEMPTS=3");
	struct store *s = connected_store(db);
	PGconn *c = testdb_connect(db);
	struct mail_sender_params p = fast();
	struct mail_sender *ms;

	(void)state;
	p.backoff_base_ms = 100;
	p.backoff_max_ms = 200;
	ms = sender(cfg, &p);
	assert_int_equal(
		enqueue(s, "citizen@example.org", "Doomed", "body", true),
		STORE_ONE_ROW);
	wait_for(c, "SELECT failed_at IS NOT NULL FROM mail_outbox", "t",
		 10000);
	assert_query(c,
		     "SELECT format('%s %s %s %s', attempts, sent_at IS NULL, "
		     "last_error IS NOT NULL, claimed_until IS NULL) FROM "
		     "mail_outbox",
		     "3 t t t");
	/* Given up means no further attempts. */
	mt_sleep(800);
	assert_query(c, "SELECT attempts FROM mail_outbox", "3");
	mail_sender_free(ms);
	PQfinish(c);
	store_free(s);
	cfg_free(cfg);
}

static void
test_starttls_required(void **state)
{
	const char *db = migrated_db(), *dir = mt_dir("tls");
	unsigned port = mt_free_port();
	pid_t srv = mt_smtp_start(port, dir);
	char *url = smtp_url(port);
	const char *env[] = {"IDP_MAIL_MODE=smtp", url,
			     "IDP_MAIL_SMTP_STARTTLS=true",
			     "IDP_MAIL_MAX_ATTEMPTS=100", NULL};
	struct cfg *cfg = mt_cfg(db, env);
	struct store *s = connected_store(db);
	PGconn *c = testdb_connect(db);
	struct mail_sender_params p = fast();
	struct mail_sender *ms;

	(void)state;
	ms = sender(cfg, &p);
	assert_int_equal(
		enqueue(s, "citizen@example.org", "Secret link", "body", true),
		STORE_ONE_ROW);
	/*
	 * The server offers no STARTTLS: every attempt fails and is
	 * retried, and not one byte of the mail goes out in clear text.
	 */
	wait_for(c,
		 "SELECT attempts >= 2 AND sent_at IS NULL AND last_error "
		 "LIKE '%STARTTLS%' FROM mail_outbox",
		 "t", 10000);
	mail_sender_free(ms);
	assert_int_equal(mt_count(dir), 0);
	mt_smtp_stop(srv);
	g_free(url);
	PQfinish(c);
	store_free(s);
	cfg_free(cfg);
}

/*
 * A server that demands AUTH: a wrong password fails every attempt and
 * neither the table nor the log (stderr, captured) holds it; the right
 * one delivers.
 */
static void
test_smtp_auth(void **state)
{
	const char *db = migrated_db(), *dir = mt_dir("auth");
	unsigned port = mt_free_port();
	pid_t srv = mt_smtp_start_auth(port, dir, "idp:right-Passw0rd");
	char *url = smtp_url(port);
	char *logpath = g_strdup_printf("%s/stderr.log", dir), *logtext;
	const char *env[] = {"IDP_MAIL_MODE=smtp",
			     url,
			     "IDP_MAIL_SMTP_STARTTLS=false",
			     "IDP_MAIL_SMTP_USER=idp",
			     "IDP_MAIL_SMTP_PASSWORD=s3cr3t-Wr0ng",
			     "IDP_MAIL_MAX_ATTEMPTS=2",
			     NULL};
	const char *env_ok[] = {"IDP_MAIL_MODE=smtp",
				url,
				"IDP_MAIL_SMTP_STARTTLS=false",
				"IDP_MAIL_SMTP_USER=idp",
				"IDP_MAIL_SMTP_PASSWORD=right-Passw0rd",
				NULL};
	struct cfg *cfg = mt_cfg(db, env), *cfg_ok = mt_cfg(db, env_ok);
	struct store *s = connected_store(db);
	PGconn *c = testdb_connect(db);
	struct mail_sender_params p = fast();
	struct mail_sender *ms;
	int saved, fd;
	bool done;

	(void)state;
	fflush(stderr);
	saved = dup(2);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	close(fd);
	ms = sender(cfg, &p);
	assert_int_equal(
		enqueue(s, "citizen@example.org", "Auth", "body", true),
		STORE_ONE_ROW);
	done = mt_wait(c, "SELECT failed_at IS NOT NULL FROM mail_outbox", "t",
		       10000);
	mail_sender_free(ms);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	assert_true(g_file_get_contents(logpath, &logtext, NULL, NULL));
	fputs(logtext, stderr);
	assert_true(done);
	assert_int_equal(mt_count(dir), 0);
	assert_null(strstr(logtext, "s3cr3t"));
	assert_contains(logtext, "\"event\":\"mail_failed\"");
	assert_contains(logtext, "535");
	assert_query(c,
		     "SELECT last_error LIKE '%535%' AND last_error NOT LIKE "
		     "'%s3cr3t%' FROM mail_outbox",
		     "t");

	/* The right password gets the mail through. */
	assert_int_equal(
		enqueue(s, "citizen@example.org", "Auth ok", "body", true),
		STORE_ONE_ROW);
	ms = sender(cfg_ok, &p);
	wait_for(c,
		 "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL",
		 "1", 10000);
	mail_sender_free(ms);
	assert_int_equal(mt_count(dir), 1);
	g_free(logtext);
	g_free(logpath);
	g_free(url);
	mt_smtp_stop(srv);
	cfg_free(cfg);
	cfg_free(cfg_ok);
	PQfinish(c);
	store_free(s);
}

/*
 * A server that accepts the connection and never says a word: the stop
 * must not wait for libcurl's 60 s timeout, and the mail must be given
 * back without an attempt counted.
 */
static void
test_stop_aborts_transfer(void **state)
{
	const char *db = migrated_db();
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct cfg *cfg;
	struct store *s = connected_store(db);
	PGconn *c = testdb_connect(db);
	struct mail_sender_params p = fast();
	struct mail_sender *ms;
	struct timespec t0, t1;
	double took;

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	cfg = smtp_cfg(db, ntohs(sa.sin_port), NULL);
	assert_int_equal(
		enqueue(s, "citizen@example.org", "Hanging", "body", true),
		STORE_ONE_ROW);
	ms = sender(cfg, &p);
	wait_for(c, "SELECT claimed_until IS NOT NULL FROM mail_outbox", "t",
		 5000);
	mt_sleep(500);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	mail_sender_free(ms);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (took > 5.0)
		fail_msg("stop took %.1f s", took);
	assert_query(c,
		     "SELECT format('%s %s %s', attempts, claimed_until IS "
		     "NULL, sent_at IS NULL) FROM mail_outbox",
		     "0 t t");
	close(fd);
	cfg_free(cfg);
	PQfinish(c);
	store_free(s);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enqueue_refuses),
		cmocka_unit_test(test_smtp_delivery),
		cmocka_unit_test(test_server_down_then_up),
		cmocka_unit_test(test_two_senders),
		cmocka_unit_test(test_max_attempts),
		cmocka_unit_test(test_starttls_required),
		cmocka_unit_test(test_smtp_auth),
		cmocka_unit_test(test_stop_aborts_transfer),
	};

	mt_init(argc, argv);
	if (getenv("IDP_TEST_CONNINFO") == NULL) {
		fprintf(stderr, "IDP_TEST_CONNINFO is not set (run make test)\n");
		return 1; /* a skipped store test would hide a failure */
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
