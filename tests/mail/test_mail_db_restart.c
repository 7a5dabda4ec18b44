/*
 * The sender across a PostgreSQL restart: it reconnects by itself and
 * LISTENs again, so a mail committed after the restart is delivered at
 * once although the poll interval is far longer than the test. Stops and
 * starts the shared server (IDP_TEST_PG_CTL): not parallel with others.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "idp/mail/mail.h"
#include "idp/store/store.h"
#include "mail_test.h"
#include "testdb.h"

static void
pg_ctl(const char *action)
{
	const char *ctl = getenv("IDP_TEST_PG_CTL");
	char *cmd;

	if (ctl == NULL)
		fail_msg("IDP_TEST_PG_CTL is not set (run through make test)");
	cmd = g_strdup_printf("%s %s >/dev/null 2>&1", ctl, action);
	if (system(cmd) != 0)
		fail_msg("'%s' failed", cmd);
	g_free(cmd);
}

struct mail {
	const char *subject;
};

static int
enqueue_cb(struct store *s, void *cls)
{
	const struct mail *m = cls;

	return mail_enqueue(s, "citizen@example.org", m->subject, "body");
}

/* Enqueue on a new connection, retrying while the server comes up. */
static void
enqueue(const char *db, const char *subject)
{
	struct store *s = store_new(db, 3, 5000);
	struct mail m = {subject};
	int rc = STORE_HARD_ERROR;

	assert_non_null(s);
	for (int i = 0; i < 100 && rc != STORE_ONE_ROW; i++) {
		if (store_ensure(s) == 0)
			rc = store_run_tx(s, "test_mail", false, enqueue_cb,
					  &m);
		if (rc != STORE_ONE_ROW)
			mt_sleep(100);
	}
	assert_int_equal(rc, STORE_ONE_ROW);
	store_free(s);
}

static void
test_restart(void **state)
{
	const char *db = testdb_create(), *dir = mt_dir("restart");
	char *path = g_strdup_printf("%s/mail.log", dir);
	char *file = g_strdup_printf("IDP_MAIL_FILE=%s", path);
	const char *env[] = {"IDP_MAIL_MODE=file", file, NULL};
	struct cfg *cfg = mt_cfg(db, env);
	struct mail_sender_params p;
	struct mail_sender *ms = NULL;
	PGconn *c;
	char err[256];
	int applied;

	(void)state;
	if (store_migrate(db, NULL, NULL, &applied, err, sizeof(err)) != 0)
		fail_msg("migrate: %s", err);
	mail_sender_params_default(&p);
	p.poll_ms = 120000;
	assert_int_equal(mail_sender_new(cfg, &p, &ms), 0);
	enqueue(db, "before");
	c = testdb_connect(db);
	assert_true(mt_wait(c,
			    "SELECT count(*) FROM mail_outbox WHERE "
			    "sent_at IS NOT NULL",
			    "1", 5000));
	PQfinish(c);

	pg_ctl("restart");
	enqueue(db, "after");
	c = testdb_connect(db);
	if (!mt_wait(c,
		     "SELECT count(*) FROM mail_outbox WHERE "
		     "sent_at IS NOT NULL",
		     "2", 10000))
		fail_msg("the mail after the restart was not delivered");
	PQfinish(c);
	mail_sender_free(ms);
	g_free(file);
	g_free(path);
	cfg_free(cfg);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restart),
	};

	mt_init(argc, argv);
	if (getenv("IDP_TEST_CONNINFO") == NULL ||
	    getenv("IDP_TEST_PG_CTL") == NULL) {
		fprintf(stderr, "IDP_TEST_CONNINFO or IDP_TEST_PG_CTL unset (run make test)\n");
		return 1; /* a skipped test would hide a failure */
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
