/*
 * http_reply_redirect_external() in-process on a loopback port, driven by
 * libcurl: a 303 with the absolute URL as Location and every security
 * header, the cookies set before kept; and every target that is not an
 * absolute http(s) URL of printable ASCII (local paths, other schemes,
 * userinfo, backslash, CR/LF, control characters, non-ASCII, too long)
 * refused with the 500 page and no Location at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/http/http.h"
#include "idp/log/log.h"
#include "idp/metrics/metrics.h"
#include "idp/page/page.h"
#include "client.h"
#include <curl/curl.h>

/* Redirects to ?to= — only to test the guard; real code never does. */
static void
h_ext(struct http_request *req)
{
	http_reply_redirect_external(req, http_request_query(req, "to"));
}

/* A cookie first, as the SLO chain sets its own before the redirect. */
static void
h_ext_cookie(struct http_request *req)
{
	http_reply_cookie(req, "chain", "abc_DEF-123", 600, 0);
	http_reply_redirect_external(req, "https://sp.example/slo?x=1");
}

/* A second reply after the redirect is our bug: the first one wins. */
static void
h_ext_twice(struct http_request *req)
{
	http_reply_redirect_external(req, "https://sp.example/first");
	http_reply_redirect_external(req, "https://sp.example/second");
}

static const struct http_route routes[] = {
	{"ext", "/ext", HTTP_METHOD_GET, h_ext, 0, 0},
	{"ext_cookie", "/ext_cookie", HTTP_METHOD_GET, h_ext_cookie, 0, 0},
	{"ext_twice", "/ext_twice", HTTP_METHOD_GET, h_ext_twice, 0, 0},
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
	f->cfg->port = 0;
	f->cfg->threads = 2;
	f->cfg->connection_timeout_s = 2;
	/* Room for the longest target in a query, URL-encoded. */
	f->cfg->max_url = 3 * HTTP_MAX_REDIRECT_EXTERNAL + 64;
	f->cfg->max_headers = 4096;
	f->srv = http_server_start(f->cfg, routes,
				   sizeof(routes) / sizeof(routes[0]), w_new,
				   w_free, f->cfg);
	assert_non_null(f->srv);
	f->port = http_server_port(f->srv);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(http_server_stop(f->srv, 5), 0);
	cfg_free(f->cfg);
	free(f);
	return 0;
}

/* GET /ext?to=<@target URL-encoded>. */
static void
get_ext(struct fixture *f, const char *target, struct tc_reply *r)
{
	char *enc = g_uri_escape_string(target, NULL, FALSE);
	char *path = g_strconcat("/ext?to=", enc, NULL);

	assert_true(tc_request(f->port, NULL, path, NULL, NULL, 0, r));
	g_free(enc);
	g_free(path);
}

static void
assert_security_headers(const struct tc_reply *r)
{
	assert_true(tc_has_header(r, "X-Content-Type-Options", "nosniff"));
	assert_true(tc_has_header(r, "X-Frame-Options", "DENY"));
	assert_true(tc_has_header(r, "Referrer-Policy", "no-referrer"));
	assert_true(tc_has_header(r, "Cache-Control", "no-store"));
	assert_true(tc_has_header(r, "Content-Security-Policy", NULL));
	assert_non_null(strstr(r->headers, "frame-ancestors 'none'"));
	assert_true(tc_has_header(r, "X-Request-Id", NULL));
}

static void
test_external_redirect(void **state)
{
	struct fixture *f = *state;
	static const char *const good[] = {
		("https://sp.example/slo?SAMLRequest=fZBB%2Bw&RelayState=x"
		 "&SigAlg=http%3A%2F%2Fwww.w3.org&Signature=ab%2Bc%3D"),
		"http://127.0.0.1:8080/mellon/logout",
		"HTTPS://SP.Example/Logout",
		"https://[::1]:8443/slo",
		"https://sp.example",
		"https://sp.example?x=1",
		"https://sp.example#frag",
	};
	struct tc_reply r;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		get_ext(f, good[i], &r);
		if (r.status != 303 || !tc_has_header(&r, "Location", good[i]))
			fail_msg("case %zu: %ld %s", i, r.status, r.headers);
		assert_security_headers(&r);
		assert_true(tc_has_header(&r, "Content-Type",
					  "text/html; charset=utf-8"));
		tc_reply_free(&r);
	}
	/* The link for clients that do not follow: escaped. */
	get_ext(f, good[0], &r);
	assert_non_null(strstr(r.body, "<a href=\"https://sp.example/slo?"
				       "SAMLRequest=fZBB%2Bw&amp;RelayState="
				       "x&amp;SigAlg="));
	tc_reply_free(&r);
}

static void
test_external_redirect_refused(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"",
		"/account",
		"//evil.example/",
		"evil.example",
		"javascript:alert(1)",
		"data:text/html,x",
		"ftp://sp.example/",
		"https:sp.example",
		"https:/sp.example",
		"https://",
		"https:///slo",
		"https://:443/slo",
		"https://user@sp.example/",
		"https://evil.example\\@sp.example/",
		"https://sp.example\\evil/",
		"https://sp.example/a\\b",
		"https://sp.example/a b",
		"https://sp.example/a\r\nSet-Cookie: x=1",
		"https://sp.example/a\nX: 1",
		"https://sp.example/a\tb",
		"https://sp.example/a\x7f",
		"https://sp.example/\xc3\xa4",
		"https://sp.ex ample/",
		"https://sp.example\r\n/",
	};
	struct tc_reply r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		get_ext(f, bad[i], &r);
		if (r.status != 500 || tc_has_header(&r, "Location", NULL))
			fail_msg("case %zu: %ld %s", i, r.status, r.headers);
		assert_security_headers(&r);
		assert_null(strstr(r.headers, "Set-Cookie: x"));
		assert_null(strstr(r.headers, "X: 1"));
		/* The target is not echoed into the error page. */
		if (bad[i][0] != '\0')
			assert_null(strstr(r.body, bad[i]));
		tc_reply_free(&r);
	}
	/* No target at all. */
	assert_true(tc_request(f->port, NULL, "/ext", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 500);
	assert_false(tc_has_header(&r, "Location", NULL));
	tc_reply_free(&r);
}

static void
test_external_redirect_length(void **state)
{
	struct fixture *f = *state;
	GString *u = g_string_new("https://sp.example/slo?SAMLRequest=");
	struct tc_reply r;

	while (u->len < HTTP_MAX_REDIRECT_EXTERNAL)
		g_string_append_c(u, 'a');
	get_ext(f, u->str, &r);
	assert_int_equal(r.status, 303);
	assert_true(tc_has_header(&r, "Location", u->str));
	tc_reply_free(&r);
	g_string_append_c(u, 'a');
	get_ext(f, u->str, &r);
	assert_int_equal(r.status, 500);
	assert_false(tc_has_header(&r, "Location", NULL));
	tc_reply_free(&r);
	g_string_free(u, TRUE);
}

static void
test_external_redirect_keeps_cookies(void **state)
{
	struct fixture *f = *state;
	struct tc_reply r;

	assert_true(
		tc_request(f->port, NULL, "/ext_cookie", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 303);
	assert_true(
		tc_has_header(&r, "Location", "https://sp.example/slo?x=1"));
	assert_non_null(strstr(r.headers, "Set-Cookie: chain=abc_DEF-123"));
	assert_non_null(strstr(r.headers, "HttpOnly"));
	tc_reply_free(&r);

	assert_true(tc_request(f->port, NULL, "/ext_twice", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 303);
	assert_true(tc_has_header(&r, "Location", "https://sp.example/first"));
	assert_null(strstr(r.headers, "second"));
	tc_reply_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_external_redirect, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_external_redirect_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_external_redirect_length,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_external_redirect_keeps_cookies, setup, teardown),
	};

	if (sodium_init() < 0 || page_init() != 0)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* Keep the request log out; the refusals log their bug lines. */
	log_set_level(LOG_LEVEL_ERROR);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	metrics_deinit();
	curl_global_cleanup();
	return rc;
}
