/*
 * The real idpd binary against a real PostgreSQL: startup checks, the
 * operations endpoints, logging without secrets, SIGHUP and SIGTERM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "idp/store/store.h"
#include "proc.h"
#include "testdb.h"

static const char *migrated_db; /* shared by the tests that need a schema */

static void
migrate(const char *conninfo)
{
	char err[256];
	int applied = 0;

	if (store_migrate(conninfo, NULL, NULL, &applied, err, sizeof(err)) != 0)
		fail_msg("migrate: %s", err);
}

static void
test_refuses_unmigrated_database(void **state)
{
	struct proc p;

	(void)state;
	assert_true(proc_start(&p, testdb_create(), NULL, NULL, false));
	assert_int_equal(proc_wait(&p, 10000), 1);
	char *log = proc_log(&p);
	assert_non_null(strstr(log, "idpctl db migrate"));
	free(log);
	unlink(p.log);
}

static void
test_refuses_newer_schema(void **state)
{
	const char *db = testdb_create();
	struct proc p;

	(void)state;
	migrate(db);
	/* A migration from a newer idpd that this one does not know. */
	PGconn *c = testdb_connect(db);
	PQclear(PQexec(c, "INSERT INTO schema_migrations (version, name) "
			  "VALUES (999, 'from_the_future')"));
	PQfinish(c);
	assert_true(proc_start(&p, db, NULL, NULL, false));
	assert_int_equal(proc_wait(&p, 10000), 1);
	char *log = proc_log(&p);
	assert_non_null(strstr(log, "newer than this idpd knows"));
	free(log);
	unlink(p.log);
}

static void
test_refuses_unreachable_database(void **state)
{
	struct proc p;

	(void)state;
	assert_true(proc_start(&p,
			       "host=/nonexistent dbname=x password=SECRET42",
			       NULL, NULL, false));
	assert_int_equal(proc_wait(&p, 10000), 1);
	char *log = proc_log(&p);
	assert_non_null(strstr(log, "cannot connect to the database"));
	assert_null(strstr(log, "SECRET42"));
	free(log);
	unlink(p.log);
}

static void
test_command_line(void **state)
{
	const char *idpd = getenv("IDPD");
	char *out = NULL;

	(void)state;
	const char *check[] = { idpd, "--check-config", NULL };
	assert_int_equal(proc_run(check, NULL, &out), 0);
	assert_non_null(strstr(out, "valid"));
	free(out);

	const char *bad_env[] = { "IDP_SERVER_PORT=abc", NULL };
	assert_int_equal(proc_run(check, bad_env, &out), 1);
	assert_non_null(strstr(out, "IDP_SERVER_PORT"));
	/* One clear line. */
	assert_non_null(strchr(out, '\n'));
	assert_int_equal(strchr(out, '\n')[1], '\0');
	free(out);

	const char *missing[] = { idpd, "--config", "/nonexistent/idpd.conf",
				  "--check-config", NULL };
	assert_int_equal(proc_run(missing, NULL, &out), 1);
	assert_non_null(strstr(out, "/nonexistent/idpd.conf"));
	free(out);

	const char *unknown[] = { idpd, "--bogus", NULL };
	assert_int_equal(proc_run(unknown, NULL, &out), 2);
	assert_non_null(strstr(out, "usage"));
	free(out);

	const char *extra[] = { idpd, "extra", NULL };
	assert_int_equal(proc_run(extra, NULL, &out), 2);
	free(out);

	const char *help[] = { idpd, "--help", NULL };
	assert_int_equal(proc_run(help, NULL, &out), 0);
	assert_non_null(strstr(out, "--config"));
	free(out);
}

static void
test_operations_endpoints(void **state)
{
	struct proc p;
	struct tc_reply r;

	(void)state;
	assert_true(proc_start(&p, migrated_db, NULL, NULL, true));

	assert_true(tc_request(p.port, NULL, "/healthz", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok\n");
	assert_true(tc_has_header(&r, "Cache-Control", "no-store"));
	tc_reply_free(&r);

	assert_true(tc_request(p.port, NULL, "/readyz", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ready\n");
	tc_reply_free(&r);

	/* A secret in the query string never reaches the log. */
	assert_true(tc_request(p.port, NULL, "/nope?token=SECRET77", NULL,
			       NULL, 0, &r));
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body, "<!DOCTYPE html>"));
	tc_reply_free(&r);

	assert_true(tc_request(p.port, "POST", "/healthz", NULL, "x", 1, &r));
	assert_int_equal(r.status, 405);
	assert_true(tc_has_header(&r, "Allow", "GET, HEAD"));
	tc_reply_free(&r);

	/*
	 * A request is counted in its completion callback, which may run
	 * after its reply reached us: ask again for a moment until the
	 * counts are there.
	 */
	for (int i = 0;; i++) {
		assert_true(tc_request(p.port, NULL, "/metrics", NULL, NULL, 0,
				       &r));
		assert_int_equal(r.status, 200);
		if ((strstr(r.body, "idp_http_requests_total{route="
				    "\"readyz\",status=\"200\"} 1\n") != NULL &&
		     strstr(r.body, "idp_http_requests_total{route="
				    "\"unmatched\",status=\"404\"} 1\n") !=
			     NULL) ||
		    i == 100)
			break;
		tc_reply_free(&r);
		usleep(20 * 1000);
	}
	assert_non_null(strstr(r.body, "idp_http_requests_total{route="
					"\"readyz\",status=\"200\"} 1\n"));
	assert_non_null(strstr(r.body, "idp_http_requests_total{route="
					"\"unmatched\",status=\"404\"} 1\n"));
	assert_non_null(strstr(r.body, "# TYPE idp_http_request_duration_"
					"seconds histogram\n"));
	/*
	 * At least this request; the previous one may still be in its
	 * completion callback after its reply reached us.
	 */
	const char *inflight = strstr(r.body, "\nidp_http_requests_in_flight ");
	assert_non_null(inflight);
	assert_true(atoi(inflight + strlen("\nidp_http_requests_in_flight ")) >=
		    1);
	assert_non_null(strstr(r.body, "idp_db_errors_total 0\n"));
	tc_reply_free(&r);

	assert_int_equal(proc_stop(&p), 0);
	char *log = proc_log(&p);
	assert_null(strstr(log, "SECRET77"));
	assert_non_null(strstr(log, "\"event\":\"listening\""));
	assert_non_null(strstr(log, "\"event\":\"request\""));
	assert_non_null(strstr(log, "\"path\":\"/nope\""));
	assert_non_null(strstr(log, "\"status\":\"404\""));
	assert_non_null(strstr(log, "\"event\":\"stopped\""));
	/* Every line is one JSON object. */
	for (char *l = log; *l != '\0';) {
		char *nl = strchr(l, '\n');
		assert_non_null(nl);
		assert_int_equal(l[0], '{');
		assert_int_equal(nl[-1], '}');
		l = nl + 1;
	}
	free(log);
	unlink(p.log);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_sighup_reload(void **state)
{
	struct proc p;
	struct tc_reply r;
	char conf[64];
	const char *args[] = { "--config", conf, NULL };

	(void)state;
	snprintf(conf, sizeof(conf), "idpd-hup-%d.conf", (int)getpid());
	write_file(conf, "[log]\nlevel = info\n");
	assert_true(proc_start(&p, migrated_db, args, NULL, true));

	write_file(conf, "[server]\ntrusted_proxies = 127.0.0.1\n"
			 "max_body = 512K\n[log]\nlevel = warn\n");
	kill(p.pid, SIGHUP);
	usleep(500 * 1000);
	/* A broken file on reload: logged, the running config stays. */
	write_file(conf, "[server]\nport = nonsense\n");
	kill(p.pid, SIGHUP);
	usleep(500 * 1000);
	assert_true(tc_request(p.port, NULL, "/healthz", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 200);
	tc_reply_free(&r);
	assert_int_equal(proc_stop(&p), 0);

	char *log = proc_log(&p);
	assert_non_null(strstr(log, "\"key\":\"trusted_proxies\","
				    "\"result\":\"applied\""));
	assert_non_null(strstr(log, "\"key\":\"level\",\"result\":\"applied\""));
	assert_non_null(strstr(log, "\"key\":\"max_body\","
				    "\"result\":\"needs restart\""));
	assert_non_null(strstr(log, "config_reload_failed"));
	/* After the reload to level warn, requests are no longer logged. */
	const char *reloaded = strstr(log, "config_reloaded");
	assert_non_null(reloaded);
	assert_null(strstr(reloaded, "\"event\":\"request\""));
	free(log);
	unlink(p.log);
	unlink(conf);
}

static void
test_sigterm_drains(void **state)
{
	struct proc p;
	const char *env[] = { "IDP_SERVER_SHUTDOWN_GRACE=1", NULL };

	(void)state;
	/* Idle: exits at once and cuts nothing off. */
	assert_true(proc_start(&p, migrated_db, NULL, env, true));
	assert_int_equal(proc_stop(&p), 0);
	char *log = proc_log(&p);
	assert_non_null(strstr(log, "\"requests_cut_off\":\"0\""));
	free(log);
	unlink(p.log);

	/*
	 * A request that never finishes its headers is in flight: SIGTERM
	 * waits the grace period for it, then exits 0 all the same.
	 */
	assert_true(proc_start(&p, migrated_db, NULL, env, true));
	int fd = tc_connect(p.port);
	assert_true(fd >= 0);
	const char *part = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
	assert_int_equal(write(fd, part, strlen(part)), (ssize_t)strlen(part));
	usleep(200 * 1000);
	kill(p.pid, SIGTERM);
	usleep(200 * 1000);
	/* The listening socket is closed at once. */
	struct tc_reply r;
	assert_false(tc_request(p.port, NULL, "/healthz", NULL, NULL, 0, &r));
	tc_reply_free(&r);
	assert_int_equal(proc_wait(&p, 10000), 0);
	close(fd);
	log = proc_log(&p);
	assert_non_null(strstr(log, "\"requests_cut_off\":\"1\""));
	free(log);
	unlink(p.log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refuses_unmigrated_database),
		cmocka_unit_test(test_refuses_newer_schema),
		cmocka_unit_test(test_refuses_unreachable_database),
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_operations_endpoints),
		cmocka_unit_test(test_sighup_reload),
		cmocka_unit_test(test_sigterm_drains),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	migrated_db = testdb_create();
	migrate(migrated_db);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
