/*
 * PostgreSQL restarted under load: idpd answers 503 while the database is
 * down, keeps serving /healthz, never crashes, and recovers by itself
 * within seconds once the database is back, without a restart.
 *
 * Stops the shared test server, so it must not run in parallel with other
 * tests (is_parallel: false in meson.build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "idp/store/store.h"
#include "proc.h"
#include "testdb.h"

#define LOAD_THREADS 4

struct load {
	unsigned port;
	atomic_bool stop;
	atomic_uint ok, unavailable, other, failed;
};

static void *
load_thread(void *p)
{
	struct load *l = p;

	while (!atomic_load(&l->stop)) {
		struct tc_reply r;
		if (!tc_request(l->port, NULL, "/readyz", NULL, NULL, 0, &r))
			atomic_fetch_add(&l->failed, 1);
		else if (r.status == 200)
			atomic_fetch_add(&l->ok, 1);
		else if (r.status == 503)
			atomic_fetch_add(&l->unavailable, 1);
		else
			atomic_fetch_add(&l->other, 1);
		tc_reply_free(&r);
	}
	return NULL;
}

static void
pg_ctl(const char *action)
{
	const char *ctl = getenv("IDP_TEST_PG_CTL");
	char cmd[1024];

	if (ctl == NULL)
		fail_msg("IDP_TEST_PG_CTL is not set (run through make test)");
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", ctl, action);
	if (system(cmd) != 0)
		fail_msg("'%s' failed", cmd);
}

static long
status_of(unsigned port, const char *path)
{
	struct tc_reply r;
	long st = tc_request(port, NULL, path, NULL, NULL, 0, &r) ? r.status :
								    0;
	tc_reply_free(&r);
	return st;
}

static void
test_database_restart_under_load(void **state)
{
	struct proc p;
	struct load l = { 0 };
	pthread_t t[LOAD_THREADS];
	char err[256];
	int applied;
	const char *db = testdb_create();

	(void)state;
	assert_int_equal(store_migrate(db, NULL, NULL, &applied, err, sizeof(err)), 0);
	assert_true(proc_start(&p, db, NULL, NULL, true));
	l.port = p.port;
	for (int i = 0; i < LOAD_THREADS; i++)
		assert_int_equal(
			pthread_create(&t[i], NULL, load_thread, &l), 0);
	usleep(500 * 1000);
	unsigned ok_before = atomic_load(&l.ok);

	pg_ctl("stop");
	usleep(1500 * 1000);
	/* Down: not ready, but alive. */
	assert_int_equal(status_of(p.port, "/readyz"), 503);
	assert_int_equal(status_of(p.port, "/healthz"), 200);
	unsigned unavailable = atomic_load(&l.unavailable);
	pg_ctl("start");

	/* Back: every worker reconnects by itself within seconds. */
	int ready_streak = 0;
	for (int i = 0; i < 200 && ready_streak < 20; i++) {
		ready_streak = status_of(p.port, "/readyz") == 200 ?
				       ready_streak + 1 :
				       0;
		usleep(50 * 1000);
	}
	atomic_store(&l.stop, true);
	for (int i = 0; i < LOAD_THREADS; i++)
		pthread_join(t[i], NULL);

	print_message("load: %u ok, %u unavailable, %u other, %u failed\n",
		      atomic_load(&l.ok), atomic_load(&l.unavailable),
		      atomic_load(&l.other), atomic_load(&l.failed));
	assert_true(ok_before > 0);
	assert_true(unavailable > 0);
	assert_int_equal(ready_streak, 20);
	assert_int_equal(atomic_load(&l.other), 0);
	assert_int_equal(atomic_load(&l.failed), 0);

	struct tc_reply r;
	assert_true(tc_request(p.port, NULL, "/metrics", NULL, NULL, 0, &r));
	assert_null(strstr(r.body, "idp_db_errors_total 0\n"));
	tc_reply_free(&r);

	/* Still the same process: it never restarted or crashed. */
	assert_int_equal(kill(p.pid, 0), 0);
	assert_int_equal(proc_stop(&p), 0);
	unlink(p.log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_database_restart_under_load),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
