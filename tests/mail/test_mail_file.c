/*
 * File mode and the table's life cycle against a real PostgreSQL: the
 * mbox file is private (0600) and parses back, unwritable paths (a
 * directory, a full disk, a missing directory) mean retries and the mail
 * arrives once the path is fixed, the claim of a dead node expires and is
 * taken over, and finished mails are purged after the retention time.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "outbox_test.h"

static struct cfg *
file_cfg(const char *db, const char *path)
{
	char *file = g_strdup_printf("IDP_MAIL_FILE=%s", path);
	const char *env[] = {"IDP_MAIL_MODE=file", file, "IDP_MAIL_FROM=" FROM,
			     "IDP_MAIL_MAX_ATTEMPTS=100", NULL};
	struct cfg *cfg = mt_cfg(db, env);

	g_free(file);
	return cfg;
}

static void
test_file_mode(void **state)
{
	const char *db = migrated_db(), *dir = mt_dir("file");
	char *path = g_strdup_printf("%s/mail.log", dir), *out;
	struct cfg *cfg = file_cfg(db, path);
	struct store *s = connected_store(db);
	PGconn *c = testdb_connect(db);
	struct mail_sender_params p = fast();
	struct mail_sender *ms;
	struct stat st;

	(void)state;
	assert_int_equal(enqueue(s, "citizen@example.org", utf8_subject,
				 utf8_body, true),
			 STORE_ONE_ROW);
	assert_int_equal(enqueue(s, "other@example.org", "Zweite",
				 "From here on\nnothing\n", true),
			 STORE_ONE_ROW);
	ms = sender(cfg, &p);
	wait_for(c,
		 "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL",
		 "2", 10000);
	mail_sender_free(ms);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	out = mt_decode_mbox(path);
	assert_int_equal(occurrences(out, "=== message"), 2);
	assert_contains(out, "Subject: Bestätigen Sie Ihre E-Mail-Adresse – "
			     "Servicekonto\n");
	assert_contains(out, "To: citizen@example.org\n");
	assert_contains(out, "?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			     "AAA&lang=de\n.\nGrüße\n=== end\n");
	assert_contains(out, "\n\nFrom here on\nnothing\n=== end\n");
	g_free(out);
	g_free(path);
	PQfinish(c);
	store_free(s);
	cfg_free(cfg);
}

/* Run a file-mode sender on @path until the error matches @like. */
static void
file_fails(const char *db, PGconn *c, const char *path, const char *like)
{
	struct cfg *cfg = file_cfg(db, path);
	struct mail_sender_params p = fast();
	struct mail_sender *ms = sender(cfg, &p);
	char *sql = g_strdup_printf(
		"SELECT attempts >= 2 AND sent_at IS NULL AND failed_at IS "
		"NULL AND last_error LIKE '%s' FROM mail_outbox",
		like);

	wait_for(c, sql, "t", 10000);
	mail_sender_free(ms);
	g_free(sql);
	cfg_free(cfg);
}

static void
test_file_unwritable(void **state)
{
	const char *db = migrated_db(), *dir = mt_dir("unwritable");
	char *path = g_strdup_printf("%s/mail.log", dir), *out;
	struct store *s = connected_store(db);
	PGconn *c = testdb_connect(db);
	struct cfg *cfg;
	struct mail_sender *ms;
	struct mail_sender_params p = fast();

	(void)state;
	assert_int_equal(
		enqueue(s, "citizen@example.org", "Kept", "body", true),
		STORE_ONE_ROW);
	/* A directory, a full disk, a path that cannot exist: retries. */
	file_fails(db, c, dir, "%Is a directory%");
	file_fails(db, c, "/dev/full", "%No space left%");
	file_fails(db, c, "/proc/self/no/such/file", "%No such file%");
	/* Fixed: the same mail arrives, once. */
	cfg = file_cfg(db, path);
	ms = sender(cfg, &p);
	wait_for(c, "SELECT sent_at IS NOT NULL FROM mail_outbox", "t", 10000);
	mail_sender_free(ms);
	out = mt_decode_mbox(path);
	assert_int_equal(occurrences(out, "=== message"), 1);
	assert_contains(out, "Subject: Kept\n");
	g_free(out);
	g_free(path);
	cfg_free(cfg);
	PQfinish(c);
	store_free(s);
}

static void
test_dead_claim_expires(void **state)
{
	const char *db = migrated_db(), *dir = mt_dir("claim");
	char *path = g_strdup_printf("%s/mail.log", dir);
	struct cfg *cfg = file_cfg(db, path);
	struct store *s = connected_store(db);
	PGconn *c = testdb_connect(db);
	struct mail_sender_params p = fast();
	struct mail_sender *ms;

	(void)state;
	assert_int_equal(
		enqueue(s, "citizen@example.org", "Claimed", "body", true),
		STORE_ONE_ROW);
	/* Another node claimed it and died. */
	free(mt_query(c, "UPDATE mail_outbox SET claimed_until = now() + "
			 "interval '2 seconds' RETURNING id"));
	ms = sender(cfg, &p);
	mt_sleep(1000);
	assert_query(c, "SELECT sent_at IS NULL FROM mail_outbox", "t");
	wait_for(c, "SELECT sent_at IS NOT NULL FROM mail_outbox", "t", 5000);
	mail_sender_free(ms);
	g_free(path);
	cfg_free(cfg);
	PQfinish(c);
	store_free(s);
}

static void
test_purge(void **state)
{
	const char *db = migrated_db(), *dir = mt_dir("purge");
	char *path = g_strdup_printf("%s/mail.log", dir);
	struct cfg *cfg = file_cfg(db, path);
	PGconn *c = testdb_connect(db);
	struct mail_sender_params p = fast();
	struct mail_sender *ms;

	(void)state;
	free(mt_query(
		c,
		"INSERT INTO mail_outbox (recipient, subject, body, "
		"created_at, next_attempt_at, sent_at, failed_at) VALUES "
		"('a@b', 'sent long ago', 'x', now() - interval '9 days', "
		"now() - interval '9 days', now() - interval '8 days', "
		"NULL), "
		"('a@b', 'failed long ago', 'x', now() - interval '9 days', "
		"now() - interval '9 days', NULL, now() - interval "
		"'8 days'), "
		"('a@b', 'sent yesterday', 'x', now() - interval '2 days', "
		"now() - interval '2 days', now() - interval '1 day', NULL), "
		"('a@b', 'pending', 'x', now() - interval '30 days', "
		"now() + interval '1 day', NULL, NULL) RETURNING 1"));
	ms = sender(cfg, &p);
	wait_for(c, "SELECT count(*) FROM mail_outbox", "2", 5000);
	mail_sender_free(ms);
	assert_query(c,
		     "SELECT string_agg(subject, ',' ORDER BY subject) FROM "
		     "mail_outbox",
		     "pending,sent yesterday");
	g_free(path);
	cfg_free(cfg);
	PQfinish(c);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_mode),
		cmocka_unit_test(test_file_unwritable),
		cmocka_unit_test(test_dead_claim_expires),
		cmocka_unit_test(test_purge),
	};

	mt_init(argc, argv);
	if (getenv("IDP_TEST_CONNINFO") == NULL) {
		fprintf(stderr, "IDP_TEST_CONNINFO is not set (run make test)\n");
		return 1; /* a skipped store test would hide a failure */
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
