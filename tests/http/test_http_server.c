/*
 * The HTTP core in-process on a loopback port, driven by libcurl and raw
 * sockets: routing, limits, security headers, timeouts, client address,
 * drain on stop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/http/http.h"
#include "idp/metrics/metrics.h"
#include "client.h"
#include <curl/curl.h>
#include "idp/log/log.h"

static void
h_hello(struct http_request *req)
{
	http_reply_page(req, 200, "Hallo", "Welt <&>");
}

static void
h_echo(struct http_request *req)
{
	size_t len;
	char out[64];

	(void)http_request_body(req, &len);
	snprintf(out, sizeof(out), "%zu", len);
	http_reply_data(req, 200, "text/plain", out, strlen(out));
}

static void
h_client(struct http_request *req)
{
	const char *c = http_request_client(req);

	http_reply_data(req, 200, "text/plain", c, strlen(c));
}

static void
h_slow(struct http_request *req)
{
	usleep(1500 * 1000);
	http_reply_data(req, 200, "text/plain", "slow", 4);
}

static void
h_noreply(struct http_request *req)
{
	(void)req;
}

static const struct http_route routes[] = {
	{ "hello", "/hello", HTTP_METHOD_GET, h_hello, 0, 0 },
	{ "echo", "/echo", HTTP_METHOD_POST, h_echo, 1024, HTTP_ROUTE_FORM },
	{ "client", "/client", HTTP_METHOD_GET, h_client, 0, 0 },
	{ "slow", "/slow", HTTP_METHOD_GET, h_slow, 0, 0 },
	{ "noreply", "/noreply", HTTP_METHOD_GET, h_noreply, 0, 0 },
};

static struct worker *
w_new(void *cls)
{
	struct worker *w = calloc(1, sizeof(*w));

	w->cfg = cls;
	return w;
}

static void
w_free(struct worker *w, void *cls)
{
	(void)cls;
	free(w);
}

struct fixture {
	struct cfg *cfg;
	struct http_server *srv;
	unsigned port;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	assert_int_equal(cfg_load(NULL, &f->cfg, err, sizeof(err)), 0);
	f->cfg->port = 0; /* any free port */
	f->cfg->threads = 2;
	f->cfg->connection_timeout_s = 1;
	f->cfg->max_url = 2048;
	f->cfg->max_headers = 2048;
	f->cfg->max_connections_per_ip = 8;
	f->srv = http_server_start(f->cfg, routes,
				   sizeof(routes) / sizeof(routes[0]), w_new,
				   w_free, f->cfg);
	assert_non_null(f->srv);
	f->port = http_server_port(f->srv);
	assert_true(f->port > 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->srv != NULL)
		assert_int_equal(http_server_stop(f->srv, 5), 0);
	cfg_free(f->cfg);
	free(f);
	return 0;
}

static void
test_page_and_security_headers(void **state)
{
	struct fixture *f = *state;
	struct tc_reply r;

	assert_true(tc_request(f->port, NULL, "/hello", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Welt &lt;&amp;&gt;"));
	assert_non_null(strstr(r.body, "<html lang=\"de\">"));
	assert_true(tc_has_header(&r, "Content-Type",
				  "text/html; charset=utf-8"));
	assert_true(tc_has_header(&r, "X-Content-Type-Options", "nosniff"));
	assert_true(tc_has_header(&r, "Referrer-Policy", "no-referrer"));
	assert_true(tc_has_header(&r, "Cache-Control", "no-store"));
	assert_true(tc_has_header(&r, "Content-Security-Policy", NULL));
	assert_non_null(strstr(r.headers, "frame-ancestors 'none'"));
	assert_null(strstr(r.headers, "unsafe-inline"));
	assert_false(tc_has_header(&r, "Strict-Transport-Security", NULL));
	const char *id = strstr(r.headers, "X-Request-Id: ");
	assert_non_null(id);
	assert_int_equal(strspn(id + 14, "0123456789abcdef"), 32);
	tc_reply_free(&r);

	assert_true(tc_request(f->port, "HEAD", "/hello", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	tc_reply_free(&r);
}

static void
test_not_found_and_language(void **state)
{
	struct fixture *f = *state;
	struct tc_reply r;
	const char *en[] = { "Accept-Language: en-GB,en;q=0.9,de;q=0.5",
			     NULL };

	assert_true(tc_request(f->port, NULL, "/nope", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body, "Seite nicht gefunden"));
	assert_true(tc_has_header(&r, "X-Content-Type-Options", "nosniff"));
	tc_reply_free(&r);

	assert_true(tc_request(f->port, NULL, "/nope", en, NULL, 0, &r));
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body, "Page not found"));
	tc_reply_free(&r);

	assert_true(tc_request(f->port, NULL, "/nope?lang=en", NULL, NULL, 0,
			       &r));
	assert_non_null(strstr(r.body, "Page not found"));
	tc_reply_free(&r);
}

static void
test_method_not_allowed(void **state)
{
	struct fixture *f = *state;
	struct tc_reply r;

	assert_true(tc_request(f->port, "POST", "/hello", NULL, "a=b", 3, &r));
	assert_int_equal(r.status, 405);
	assert_true(tc_has_header(&r, "Allow", "GET, HEAD"));
	tc_reply_free(&r);

	assert_true(tc_request(f->port, "DELETE", "/echo", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 405);
	assert_true(tc_has_header(&r, "Allow", "POST"));
	tc_reply_free(&r);

	assert_true(tc_request(f->port, "BREW", "/nope", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 404);
	tc_reply_free(&r);
}

static void
test_uri_too_long(void **state)
{
	struct fixture *f = *state;
	struct tc_reply r;
	char path[4000];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_true(tc_request(f->port, NULL, path, NULL, NULL, 0, &r));
	assert_int_equal(r.status, 414);
	assert_non_null(strstr(r.body, "<h1>"));
	tc_reply_free(&r);

	/* The query string counts too (SAML Redirect binding lives there). */
	memcpy(path, "/hello?x=", 9);
	assert_true(tc_request(f->port, NULL, path, NULL, NULL, 0, &r));
	assert_int_equal(r.status, 414);
	tc_reply_free(&r);
}

static void
test_headers_too_large(void **state)
{
	struct fixture *f = *state;
	struct tc_reply r;
	static char big[3000];
	const char *h[] = { big, NULL };

	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "X-Big: ", 7);
	assert_true(tc_request(f->port, NULL, "/hello", h, NULL, 0, &r));
	assert_int_equal(r.status, 431);
	tc_reply_free(&r);
}

static void
test_body_limits(void **state)
{
	struct fixture *f = *state;
	struct tc_reply r;
	const char *form[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL
	};
	const char *json[] = { "Content-Type: application/json", NULL };
	char body[2000];

	memset(body, 'a', sizeof(body));
	assert_true(tc_request(f->port, "POST", "/echo", form, body, 1000,
			       &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "1000");
	tc_reply_free(&r);

	assert_true(tc_request(f->port, "POST", "/echo", form, body,
			       sizeof(body), &r));
	assert_int_equal(r.status, 413);
	tc_reply_free(&r);

	assert_true(tc_request(f->port, "POST", "/echo", json, "{}", 2, &r));
	assert_int_equal(r.status, 415);
	tc_reply_free(&r);

	/* A body on a route that takes none. */
	assert_true(tc_request(f->port, "GET", "/hello", NULL, "x=1", 3, &r));
	assert_int_equal(r.status, 413);
	tc_reply_free(&r);
}

static void
test_chunked_body_over_limit(void **state)
{
	struct fixture *f = *state;
	GString *req = g_string_new(
		"POST /echo HTTP/1.1\r\nHost: x\r\n"
		"Content-Type: application/x-www-form-urlencoded\r\n"
		"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");

	for (int i = 0; i < 3; i++) {
		g_string_append(req, "200\r\n");
		for (int j = 0; j < 0x200; j++)
			g_string_append_c(req, 'a');
		g_string_append(req, "\r\n");
	}
	g_string_append(req, "0\r\n\r\n");
	assert_int_equal(tc_raw(f->port, req->str, req->len, 5000), 413);

	/* Far past the limit the connection is cut. */
	g_string_assign(req,
			"POST /echo HTTP/1.1\r\nHost: x\r\n"
			"Content-Type: application/x-www-form-urlencoded\r\n"
			"Transfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 64; i++) {
		g_string_append(req, "400\r\n");
		for (int j = 0; j < 0x400; j++)
			g_string_append_c(req, 'a');
		g_string_append(req, "\r\n");
	}
	int st = tc_raw(f->port, req->str, req->len, 5000);
	assert_true(st == 0 || st == 413);
	g_string_free(req, TRUE);
}

static void
test_malformed_requests(void **state)
{
	struct fixture *f = *state;
	/* Expected: the status, or 0 when the server just closes. */
	static const struct {
		const char *req;
		int status;
	} bad[] = {
		{ "GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n"
		  "\r\n",
		  400 },
		{ "GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n"
		  "\r\n",
		  400 },
		{ "GARBAGE\r\n\r\n", 0 },
		{ "GET /hello HTTP/9.9\r\nHost: x\r\n\r\n", 505 },
		{ "GET /hello HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
		  400 },
		{ "\x01\x02\x03\xff\r\n\r\n", 0 },
	};
	struct tc_reply r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st = tc_raw(f->port, bad[i].req, strlen(bad[i].req), 3000);
		if (st != bad[i].status)
			fail_msg("case %zu: status %d, expected %d", i, st,
				 bad[i].status);
	}
	assert_true(tc_request(f->port, NULL, "/hello", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 200);
	tc_reply_free(&r);
}

static void
test_idle_and_slow_clients_cut_off(void **state)
{
	struct fixture *f = *state;

	/* Nothing at all: closed after the 1 s timeout. */
	assert_int_equal(tc_raw(f->port, "", 0, 4000), 0);
	/* Half a request line, then silence. */
	assert_int_equal(tc_raw(f->port, "GET /hel", 8, 4000), 0);
	/* Headers without their end. */
	const char *part = "GET /hello HTTP/1.1\r\nHost: x\r\n";
	assert_int_equal(tc_raw(f->port, part, strlen(part), 4000), 0);
}

static void
test_per_ip_limit(void **state)
{
	struct fixture *f = *state;
	int fds[8];
	struct tc_reply r;

	for (int i = 0; i < 8; i++) {
		fds[i] = tc_connect(f->port);
		assert_true(fds[i] >= 0);
	}
	usleep(100 * 1000);
	/* The ninth connection from this address is refused. */
	assert_false(tc_request(f->port, NULL, "/hello", NULL, NULL, 0, &r));
	tc_reply_free(&r);
	for (int i = 0; i < 8; i++)
		close(fds[i]);
	usleep(200 * 1000);
	assert_true(tc_request(f->port, NULL, "/hello", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 200);
	tc_reply_free(&r);
}

static void
test_client_address(void **state)
{
	struct fixture *f = *state;
	struct tc_reply r;
	struct cfg_net nets[CFG_MAX_TRUSTED_PROXIES];
	size_t n = 0;
	char err[128];
	const char *xff[] = { "X-Forwarded-For: 203.0.113.7", NULL };
	const char *chain[] = {
		"X-Forwarded-For: 198.51.100.1, 203.0.113.9, 127.0.0.1", NULL
	};
	const char *junk[] = { "X-Forwarded-For: <script>", NULL };

	/* Untrusted peer: the header is ignored. */
	assert_true(tc_request(f->port, NULL, "/client", xff, NULL, 0, &r));
	assert_string_equal(r.body, "127.0.0.1");
	tc_reply_free(&r);

	assert_int_equal(cfg_nets_parse("127.0.0.1", nets, &n, err,
					sizeof(err)),
			 0);
	http_server_set_trusted_proxies(f->srv, nets, n);
	assert_true(tc_request(f->port, NULL, "/client", xff, NULL, 0, &r));
	assert_string_equal(r.body, "203.0.113.7");
	tc_reply_free(&r);
	/* Right-most untrusted entry wins; the spoofed left one does not. */
	assert_true(tc_request(f->port, NULL, "/client", chain, NULL, 0, &r));
	assert_string_equal(r.body, "203.0.113.9");
	tc_reply_free(&r);
	assert_true(tc_request(f->port, NULL, "/client", junk, NULL, 0, &r));
	assert_string_equal(r.body, "127.0.0.1");
	tc_reply_free(&r);
	http_server_set_trusted_proxies(f->srv, nets, 0);
}

static void
test_handler_without_reply_is_500(void **state)
{
	struct fixture *f = *state;
	struct tc_reply r;

	assert_true(tc_request(f->port, NULL, "/noreply", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 500);
	tc_reply_free(&r);
}

static void
test_metrics_count_requests(void **state)
{
	struct fixture *f = *state;
	struct tc_reply r;
	GString *out = g_string_new(NULL);

	assert_true(tc_request(f->port, NULL, "/hello", NULL, NULL, 0, &r));
	tc_reply_free(&r);
	assert_true(tc_request(f->port, NULL, "/missing", NULL, NULL, 0, &r));
	tc_reply_free(&r);
	usleep(50 * 1000); /* completion runs after the reply is sent */
	metrics_render(out);
	assert_non_null(strstr(
		out->str,
		"idp_http_requests_total{route=\"hello\",status=\"200\"} 1\n"));
	assert_non_null(strstr(out->str, "idp_http_requests_total{route="
					 "\"unmatched\",status=\"404\"} 1\n"));
	assert_non_null(strstr(out->str, "idp_http_request_duration_seconds_"
					 "count{route=\"hello\"} 1\n"));
	g_string_free(out, TRUE);
}

struct slow_call {
	unsigned port;
	long status;
};

static void *
slow_thread(void *p)
{
	struct slow_call *c = p;
	struct tc_reply r;

	if (tc_request(c->port, NULL, "/slow", NULL, NULL, 0, &r))
		c->status = r.status;
	tc_reply_free(&r);
	return NULL;
}

static void
test_stop_drains_in_flight(void **state)
{
	struct fixture *f = *state;
	struct slow_call call = { f->port, 0 };
	struct tc_reply r;
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, slow_thread, &call), 0);
	usleep(300 * 1000);
	assert_int_equal(http_requests_in_flight(), 1);
	assert_int_equal(http_server_stop(f->srv, 5), 0);
	f->srv = NULL;
	pthread_join(t, NULL);
	assert_int_equal(call.status, 200);
	/* Stopped: nobody listens any more. */
	assert_false(tc_request(f->port, NULL, "/hello", NULL, NULL, 0, &r));
	tc_reply_free(&r);
}

static void
test_hsts_when_https(void **state)
{
	struct fixture *f = *state;
	struct tc_reply r;

	f->cfg->public_https = true;
	assert_true(tc_request(f->port, NULL, "/hello", NULL, NULL, 0, &r));
	assert_true(tc_has_header(&r, "Strict-Transport-Security",
				  "max-age=31536000; includeSubDomains"));
	tc_reply_free(&r);
	f->cfg->public_https = false;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_and_security_headers,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_found_and_language,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_method_not_allowed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uri_too_long, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_headers_too_large, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_body_limits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chunked_body_over_limit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_requests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_idle_and_slow_clients_cut_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_ip_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_address, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_handler_without_reply_is_500, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_count_requests,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_drains_in_flight,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_hsts_when_https, setup,
						teardown),
	};

	if (sodium_init() < 0)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* Keep the request log out of the test output. */
	log_set_level(LOG_LEVEL_ERROR);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	metrics_deinit();
	curl_global_cleanup();
	return rc;
}
