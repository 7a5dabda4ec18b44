/*
 * The HTTP core in-process on a loopback port, driven by libcurl and raw
 * sockets: routing, limits, security headers, timeouts, client address,
 * drain on stop, form bodies, cookies, CSRF and redirects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/http/http.h"
#include "idp/metrics/metrics.h"
#include "idp/page/page.h"
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

/* A form page: the body is the CSRF token, the cookie comes with it. */
static void
h_form(struct http_request *req)
{
	const char *t = http_request_csrf(req);

	http_reply_data(req, 200, "text/plain", t, strlen(t));
}

/* How often the CSRF-protected handler ran: never on a rejected post. */
static atomic_int submit_runs;

static void
h_submit(struct http_request *req)
{
	const char *x = http_request_form(req, "x");

	atomic_fetch_add(&submit_runs, 1);
	x = x != NULL ? x : "-";
	http_reply_data(req, 200, "text/plain", x, strlen(x));
}

/* A form route without CSRF: shows what the handler sees. */
static void
h_formonly(struct http_request *req)
{
	const char *n = http_request_form(req, "name");
	const char *c = http_request_form(req, "csrf");
	char out[256];

	snprintf(out, sizeof(out), "%s|%s", n ? n : "(null)",
		 c ? c : "(null)");
	http_reply_data(req, 200, "text/plain", out, strlen(out));
}

static void
h_cookie(struct http_request *req)
{
	const char *sid = http_request_cookie(req, "sid");

	http_reply_cookie(req, "sid", "abc_DEF-123", 3600, 0);
	http_reply_cookie(req, "gone", NULL, 0, 0);
	http_reply_cookie(req, "cross", "v", 0, HTTP_COOKIE_SAMESITE_NONE);
	http_reply_cookie(req, "strict", "v", 0, HTTP_COOKIE_SAMESITE_STRICT);
	/* Our bugs: refused, never sent. */
	http_reply_cookie(req, "bad", "a;b", 0, 0);
	http_reply_cookie(req, "bad2", "a\r\nX-Evil: 1", 0, 0);
	http_reply_cookie(req, "bad name", "v", 0, 0);
	http_reply_cookie(req, "", "v", 0, 0);
	sid = sid != NULL ? sid : "-";
	http_reply_data(req, 200, "text/plain", sid, strlen(sid));
}

/* Token, then a new cookie: the reply has only the new one. */
static void
h_rotate(struct http_request *req)
{
	char before[HTTP_CSRF_TOKEN_LEN + 1];
	const char *t;

	snprintf(before, sizeof(before), "%s", http_request_csrf(req));
	http_csrf_rotate(req);
	t = http_request_csrf(req);
	if (strcmp(before, t) == 0)
		http_reply_data(req, 500, "text/plain", "same", 4);
	else
		http_reply_data(req, 200, "text/plain", t, strlen(t));
}

/* Redirects to ?to= — only to test the guard; real code never does. */
static void
h_redirect(struct http_request *req)
{
	http_reply_redirect(req, http_request_query(req, "to"));
}

/* A template page; ?login=1 shows the layout's logout form. */
static void
h_page(struct http_request *req)
{
	struct page_vars *v = page_vars_new();

	page_vars_set(v, "title", "T<x>");
	page_vars_set(v, "text", "Hallo \"Welt\"");
	if (http_request_query(req, "login") != NULL)
		page_vars_set_bool(v, "logged_in", true);
	http_reply_render(req, 200, "message", v);
	page_vars_free(v);
}

static void
h_page_null(struct http_request *req)
{
	http_reply_render(req, 202, "message", NULL);
}

static void
h_page_missing(struct http_request *req)
{
	http_reply_render(req, 200, "no_such_template", NULL);
}

static const struct http_route routes[] = {
	{ "hello", "/hello", HTTP_METHOD_GET, h_hello, 0, 0 },
	{ "echo", "/echo", HTTP_METHOD_POST, h_echo, 1024, HTTP_ROUTE_FORM },
	{ "client", "/client", HTTP_METHOD_GET, h_client, 0, 0 },
	{ "slow", "/slow", HTTP_METHOD_GET, h_slow, 0, 0 },
	{ "noreply", "/noreply", HTTP_METHOD_GET, h_noreply, 0, 0 },
	{ "form", "/form", HTTP_METHOD_GET, h_form, 0, 0 },
	{ "submit", "/submit", HTTP_METHOD_POST, h_submit, 4096,
	  HTTP_ROUTE_FORM | HTTP_ROUTE_CSRF },
	{ "formonly", "/formonly", HTTP_METHOD_POST, h_formonly, 4096,
	  HTTP_ROUTE_FORM },
	{ "cookie", "/cookie", HTTP_METHOD_GET, h_cookie, 0, 0 },
	{ "rotate", "/rotate", HTTP_METHOD_GET, h_rotate, 0, 0 },
	{ "redirect", "/redirect", HTTP_METHOD_GET, h_redirect, 0, 0 },
	{ "page", "/page", HTTP_METHOD_GET, h_page, 0, 0 },
	{ "page_null", "/page_null", HTTP_METHOD_GET, h_page_null, 0, 0 },
	{ "page_missing", "/page_missing", HTTP_METHOD_GET, h_page_missing, 0,
	  0 },
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

	/* A valid form body now that form routes parse theirs. */
	memset(body, 'a', sizeof(body));
	body[1] = '=';
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


/* --- forms, cookies, CSRF, redirects ---------------------------------- */

static const char *const form_ct =
	"Content-Type: application/x-www-form-urlencoded";

/* The number of Set-Cookie lines for cookie @name. */
static int
set_cookie_count(const struct tc_reply *r, const char *name)
{
	size_t nl = strlen(name);
	int n = 0;

	for (const char *l = strstr(r->headers, "\nSet-Cookie: "); l != NULL;
	     l = strstr(l + 1, "\nSet-Cookie: "))
		if (strncmp(l + 13, name, nl) == 0 && l[13 + nl] == '=')
			n++;
	return n;
}

/* The value of Set-Cookie @name into @out; false when there is none. */
static bool
set_cookie_value(const struct tc_reply *r, const char *name, char *out,
		 size_t len)
{
	size_t nl = strlen(name);

	for (const char *l = strstr(r->headers, "\nSet-Cookie: "); l != NULL;
	     l = strstr(l + 1, "\nSet-Cookie: ")) {
		if (strncmp(l + 13, name, nl) == 0 && l[13 + nl] == '=') {
			const char *v = l + 14 + nl;
			size_t vl = strcspn(v, ";\r\n");

			if (vl >= len)
				return false;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return true;
		}
	}
	return false;
}

/* GET /form: the CSRF cookie value and the token. */
static void
get_token(unsigned port, const char *cookie_name, char *cookie, char *token)
{
	struct tc_reply r;

	assert_true(tc_request(port, NULL, "/form", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, HTTP_CSRF_TOKEN_LEN);
	strcpy(token, r.body);
	assert_int_equal(set_cookie_count(&r, cookie_name), 1);
	assert_true(set_cookie_value(&r, cookie_name, cookie,
				     HTTP_CSRF_TOKEN_LEN + 1));
	assert_int_equal(strlen(cookie), HTTP_CSRF_TOKEN_LEN);
	tc_reply_free(&r);
}

/* POST @body to @path with Cookie header @cookie (NULL: none). */
static long
post(unsigned port, const char *path, const char *cookie, const char *body,
     struct tc_reply *r)
{
	char ch[512];
	const char *h[] = { form_ct, cookie ? ch : NULL, NULL };

	if (cookie != NULL)
		snprintf(ch, sizeof(ch), "Cookie: %s", cookie);
	assert_true(tc_request(port, "POST", path, h, body, strlen(body), r));
	return r->status;
}

static void
test_csrf_token_and_cookie(void **state)
{
	struct fixture *f = *state;
	char cookie[64], token[64], line[128], ch[128];
	struct tc_reply r;

	assert_true(tc_request(f->port, NULL, "/form", NULL, NULL, 0, &r));
	assert_true(set_cookie_value(&r, "sk_csrf", cookie, sizeof(cookie)));
	snprintf(line, sizeof(line),
		 "sk_csrf=%s; Path=/; HttpOnly; SameSite=Lax", cookie);
	assert_true(tc_has_header(&r, "Set-Cookie", line));
	tc_reply_free(&r);
	get_token(f->port, HTTP_CSRF_COOKIE, cookie, token);
	/* Two random 256-bit values as base64url; never the same. */
	assert_int_equal(strspn(cookie, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk"
					"lmnopqrstuvwxyz0123456789-_"),
			 HTTP_CSRF_TOKEN_LEN);
	assert_int_equal(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk"
				       "lmnopqrstuvwxyz0123456789-_"),
			 HTTP_CSRF_TOKEN_LEN);
	assert_string_not_equal(cookie, token);
	snprintf(line, sizeof(line), "sk_csrf=%s; Path=/; HttpOnly; "
		 "SameSite=Lax", cookie);
	assert_true(tc_request(f->port, NULL, "/form", NULL, NULL, 0, &r));
	assert_false(tc_has_header(&r, "Set-Cookie", line)); /* new one */
	tc_reply_free(&r);

	/* With the cookie: the same token again and no new cookie. */
	snprintf(ch, sizeof(ch), "Cookie: other=1; sk_csrf=%s", cookie);
	const char *h[] = { ch, NULL };
	assert_true(tc_request(f->port, NULL, "/form", h, NULL, 0, &r));
	assert_string_equal(r.body, token);
	assert_false(tc_has_header(&r, "Set-Cookie", NULL));
	tc_reply_free(&r);

	/* A broken cookie is replaced by a fresh one. */
	static const char *const broken[] = {
		"Cookie: sk_csrf=short",
		/* 43 characters, but not canonical base64url (last bits). */
		"Cookie: sk_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",
		"Cookie: sk_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",
		"Cookie: sk_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		const char *bh[] = { broken[i], NULL };

		assert_true(tc_request(f->port, NULL, "/form", bh, NULL, 0,
				       &r));
		assert_int_equal(r.status, 200);
		assert_int_equal(set_cookie_count(&r, "sk_csrf"), 1);
		tc_reply_free(&r);
	}
}

static void
test_csrf_post(void **state)
{
	struct fixture *f = *state;
	char c1[64], t1[64], c2[64], t2[64], ck[128], body[256];
	struct tc_reply r;
	int runs;

	get_token(f->port, HTTP_CSRF_COOKIE, c1, t1);
	get_token(f->port, HTTP_CSRF_COOKIE, c2, t2);
	assert_string_not_equal(t1, t2);

	/* The matching token: the handler runs and sees the fields. */
	snprintf(ck, sizeof(ck), "sk_csrf=%s", c1);
	snprintf(body, sizeof(body), "x=hello+there&csrf=%s", t1);
	runs = atomic_load(&submit_runs);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 200);
	assert_string_equal(r.body, "hello there");
	assert_false(tc_has_header(&r, "Set-Cookie", NULL));
	tc_reply_free(&r);
	assert_int_equal(atomic_load(&submit_runs), runs + 1);

	/* Every failure is 403 with the error page, handler not run. */
	char wrong[64];
	snprintf(wrong, sizeof(wrong), "%s", t1);
	wrong[5] = wrong[5] == 'A' ? 'B' : 'A';
	const struct {
		const char *cookie;
		const char *body;
	} bad[] = {
		{ NULL, body },		/* no cookie */
		{ "sk_csrf=", body },	/* empty cookie */
		{ "sk_csrf=junk", body }, /* malformed cookie */
		{ ck, "x=1" },		/* no field */
		{ ck, "x=1&csrf=" },	/* empty field */
		{ ck, "x=1&csrf=abc" }, /* short field */
		{ "__Host-sk_csrf=x", body }, /* prefix only under https */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (post(f->port, "/submit", bad[i].cookie, bad[i].body, &r) !=
		    403)
			fail_msg("case %zu: status %ld", i, r.status);
		assert_non_null(strstr(r.body, "Formular abgelaufen"));
		tc_reply_free(&r);
	}
	/* A wrong token, a token with more, a token of another cookie. */
	snprintf(body, sizeof(body), "x=1&csrf=%s", wrong);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 403);
	tc_reply_free(&r);
	snprintf(body, sizeof(body), "x=1&csrf=%sA", t1);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 403);
	tc_reply_free(&r);
	snprintf(body, sizeof(body), "x=1&csrf=%s", t2);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 403);
	tc_reply_free(&r);
	/* The cookie value itself is not the token. */
	snprintf(body, sizeof(body), "x=1&csrf=%s", c1);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 403);
	tc_reply_free(&r);
	/* Token in the query string instead of the body: not accepted. */
	char path[128];
	snprintf(path, sizeof(path), "/submit?csrf=%s", t1);
	assert_int_equal(post(f->port, path, ck, "x=1", &r), 403);
	tc_reply_free(&r);
	/* A planted second cookie after ours does not count (first wins). */
	char ck2[160];
	snprintf(ck2, sizeof(ck2), "sk_csrf=%s; sk_csrf=%s", c1, c2);
	snprintf(body, sizeof(body), "x=first&csrf=%s", t2);
	assert_int_equal(post(f->port, "/submit", ck2, body, &r), 403);
	tc_reply_free(&r);
	snprintf(body, sizeof(body), "x=first&csrf=%s", t1);
	assert_int_equal(post(f->port, "/submit", ck2, body, &r), 200);
	assert_string_equal(r.body, "first");
	tc_reply_free(&r);
	assert_int_equal(atomic_load(&submit_runs), runs + 2);

	/* German by default, English on request; the 403 names the page. */
	char ch[160];
	snprintf(ch, sizeof(ch), "Cookie: %s", ck);
	const char *en[] = { form_ct, ch, "Accept-Language: en", NULL };
	assert_true(tc_request(f->port, "POST", "/submit", en, "x=1", 3, &r));
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "Form expired"));
	tc_reply_free(&r);
}

static void
test_form_bodies_on_the_wire(void **state)
{
	struct fixture *f = *state;
	char c[64], t[64], ck[128], body[256];
	struct tc_reply r;
	int runs;

	assert_int_equal(post(f->port, "/formonly", NULL,
			      "name=J%C3%BCrgen+M%C3%BCller", &r),
			 200);
	assert_string_equal(r.body, "J\xc3\xbcrgen M\xc3\xbcller|(null)");
	tc_reply_free(&r);
	assert_int_equal(post(f->port, "/formonly", NULL, "", &r), 200);
	assert_string_equal(r.body, "(null)|(null)");
	tc_reply_free(&r);

	static const char *const malformed[] = {
		"name=%zz", "name=%4", "name=%", "name=a%00b", "name=%C3%28",
		"name=%C0%AF", "name=1&name=2", "=x", "name=%1B",
	};
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]);
	     i++) {
		if (post(f->port, "/formonly", NULL, malformed[i], &r) != 400)
			fail_msg("\"%s\": status %ld", malformed[i], r.status);
		assert_non_null(strstr(r.body, "Ungültige Anfrage"));
		tc_reply_free(&r);
	}

	/* A malformed body fails as 400 before the CSRF check and the
	 * handler, even with a good token. */
	get_token(f->port, HTTP_CSRF_COOKIE, c, t);
	snprintf(ck, sizeof(ck), "sk_csrf=%s", c);
	runs = atomic_load(&submit_runs);
	snprintf(body, sizeof(body), "x=%%zz&csrf=%s", t);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 400);
	tc_reply_free(&r);
	snprintf(body, sizeof(body), "csrf=%s&csrf=%s", t, t);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 400);
	tc_reply_free(&r);
	assert_int_equal(atomic_load(&submit_runs), runs);

	/* Too many fields. */
	GString *many = g_string_new("a0=0");
	for (int i = 1; i <= HTTP_MAX_FIELDS; i++)
		g_string_append_printf(many, "&a%d=%d", i, i);
	assert_int_equal(post(f->port, "/formonly", NULL, many->str, &r), 400);
	tc_reply_free(&r);
	g_string_free(many, TRUE);

	/* The content type is still checked first. */
	const char *json[] = { "Content-Type: application/json", NULL };
	assert_true(tc_request(f->port, "POST", "/submit", json, "{}", 2, &r));
	assert_int_equal(r.status, 415);
	tc_reply_free(&r);
}

static void
test_csrf_https_host_prefix(void **state)
{
	struct fixture *f = *state;
	char c[64], t[64], ck[128], body[256], line[160];
	struct tc_reply r;

	f->cfg->public_https = true;
	assert_true(tc_request(f->port, NULL, "/form", NULL, NULL, 0, &r));
	assert_true(set_cookie_value(&r, "__Host-sk_csrf", c, sizeof(c)));
	snprintf(line, sizeof(line),
		 "__Host-sk_csrf=%s; Path=/; HttpOnly; Secure; SameSite=Lax",
		 c);
	assert_true(tc_has_header(&r, "Set-Cookie", line));
	assert_int_equal(set_cookie_count(&r, "sk_csrf"), 0);
	snprintf(t, sizeof(t), "%s", r.body);
	tc_reply_free(&r);

	snprintf(body, sizeof(body), "x=ok&csrf=%s", t);
	snprintf(ck, sizeof(ck), "__Host-sk_csrf=%s", c);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 200);
	assert_string_equal(r.body, "ok");
	tc_reply_free(&r);
	/* Without the prefix the cookie could come from a sibling host. */
	snprintf(ck, sizeof(ck), "sk_csrf=%s", c);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 403);
	tc_reply_free(&r);
	f->cfg->public_https = false;
	/* And a __Host- cookie means nothing over http. */
	snprintf(ck, sizeof(ck), "__Host-sk_csrf=%s", c);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 403);
	tc_reply_free(&r);
}

static void
test_csrf_rotate(void **state)
{
	struct fixture *f = *state;
	char c[64], t[64], nc[64], ck[128], ch[160], body[256];
	struct tc_reply r;

	get_token(f->port, HTTP_CSRF_COOKIE, c, t);
	snprintf(ch, sizeof(ch), "Cookie: sk_csrf=%s", c);
	const char *h[] = { ch, NULL };
	assert_true(tc_request(f->port, NULL, "/rotate", h, NULL, 0, &r));
	assert_int_equal(r.status, 200);
	/* One cookie line, the new one; the token is the new cookie's. */
	assert_int_equal(set_cookie_count(&r, "sk_csrf"), 1);
	assert_true(set_cookie_value(&r, "sk_csrf", nc, sizeof(nc)));
	assert_string_not_equal(nc, c);
	assert_string_not_equal(r.body, t);
	snprintf(body, sizeof(body), "x=new&csrf=%s", r.body);
	tc_reply_free(&r);
	snprintf(ck, sizeof(ck), "sk_csrf=%s", nc);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 200);
	tc_reply_free(&r);
	/* The old token does not work with the new cookie. */
	snprintf(body, sizeof(body), "x=old&csrf=%s", t);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 403);
	tc_reply_free(&r);
}

static void
test_cookie_attributes(void **state)
{
	struct fixture *f = *state;
	const char *h[] = { "Cookie: sid=zzz; sid=yyy", NULL };
	struct tc_reply r;

	assert_true(tc_request(f->port, NULL, "/cookie", h, NULL, 0, &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "zzz");
	assert_true(tc_has_header(&r, "Set-Cookie",
				  "sid=abc_DEF-123; Path=/; Max-Age=3600; "
				  "HttpOnly; SameSite=Lax"));
	assert_true(tc_has_header(&r, "Set-Cookie",
				  "gone=; Path=/; Max-Age=0; HttpOnly; "
				  "SameSite=Lax"));
	/* SameSite=None needs Secure: over http it is Lax. */
	assert_true(tc_has_header(&r, "Set-Cookie",
				  "cross=v; Path=/; HttpOnly; SameSite=Lax"));
	assert_true(tc_has_header(&r, "Set-Cookie",
				  "strict=v; Path=/; HttpOnly; "
				  "SameSite=Strict"));
	assert_int_equal(set_cookie_count(&r, "bad"), 0);
	assert_int_equal(set_cookie_count(&r, "bad2"), 0);
	assert_null(strstr(r.headers, "X-Evil"));
	assert_null(strstr(r.headers, "bad name"));
	assert_null(strstr(r.headers, "Set-Cookie: =v"));
	assert_null(strstr(r.headers, "Secure"));
	tc_reply_free(&r);

	f->cfg->public_https = true;
	const char *hs[] = { "Cookie: sid=plain; __Host-sid=hosted", NULL };
	assert_true(tc_request(f->port, NULL, "/cookie", hs, NULL, 0, &r));
	assert_string_equal(r.body, "hosted");
	assert_true(tc_has_header(&r, "Set-Cookie",
				  "__Host-sid=abc_DEF-123; Path=/; "
				  "Max-Age=3600; HttpOnly; Secure; "
				  "SameSite=Lax"));
	assert_true(tc_has_header(&r, "Set-Cookie",
				  "__Host-gone=; Path=/; Max-Age=0; HttpOnly; "
				  "Secure; SameSite=Lax"));
	assert_true(tc_has_header(&r, "Set-Cookie",
				  "__Host-cross=v; Path=/; HttpOnly; Secure; "
				  "SameSite=None"));
	assert_true(tc_has_header(&r, "Set-Cookie",
				  "__Host-strict=v; Path=/; HttpOnly; Secure; "
				  "SameSite=Strict"));
	assert_int_equal(set_cookie_count(&r, "sid"), 0);
	tc_reply_free(&r);
	f->cfg->public_https = false;
}

static void
test_redirect_stays_local(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *query;
		const char *location;
	} cases[] = {
		{ "/account", "/account" },
		{ "/account%3Fa%3D1%26b%3D2", "/account?a=1&b=2" },
		{ "/", "/" },
		{ "//evil.example", "/" },
		{ "//evil.example/account", "/" },
		{ "/%5Cevil.example", "/" },
		{ "/a%5Cb", "/" },
		{ "https://evil.example/", "/" },
		{ "evil.example", "/" },
		{ "javascript:alert(1)", "/" },
		{ "/a%0D%0ASet-Cookie:%20x=1", "/" },
		{ "/a%20b", "/" },
		{ "/%C3%A4", "/" },
		{ "/a%09b", "/" },
		{ "", "/" },
	};
	struct tc_reply r;
	char path[512], loc[300];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "/redirect?to=%s",
			 cases[i].query);
		assert_true(tc_request(f->port, NULL, path, NULL, NULL, 0,
				       &r));
		assert_int_equal(r.status, 303);
		if (!tc_has_header(&r, "Location", cases[i].location))
			fail_msg("case %zu: %s", i, r.headers);
		snprintf(loc, sizeof(loc), "<a href=\"%s\">",
			 strcmp(cases[i].location, "/account?a=1&b=2") == 0 ?
				 "/account?a=1&amp;b=2" :
				 cases[i].location);
		assert_non_null(strstr(r.body, loc));
		assert_null(strstr(r.headers, "Set-Cookie: x"));
		tc_reply_free(&r);
	}
	/* No query at all (NULL target) and an overlong one. */
	assert_true(tc_request(f->port, NULL, "/redirect", NULL, NULL, 0, &r));
	assert_true(tc_has_header(&r, "Location", "/"));
	tc_reply_free(&r);
	GString *p = g_string_new("/redirect?to=/");
	for (int i = 0; i < HTTP_MAX_REDIRECT; i++)
		g_string_append_c(p, 'a');
	f->cfg->max_url = 8192;
	assert_true(tc_request(f->port, NULL, p->str, NULL, NULL, 0, &r));
	assert_true(tc_has_header(&r, "Location", "/"));
	tc_reply_free(&r);
	g_string_truncate(p, p->len - 1);
	assert_true(tc_request(f->port, NULL, p->str, NULL, NULL, 0, &r));
	assert_true(tc_has_header(&r, "Location", p->str + 13));
	tc_reply_free(&r);
	g_string_free(p, TRUE);
}

static void
test_csrf_route_needs_form(void **state)
{
	struct fixture *f = *state;
	static const struct http_route bad[] = {
		{ "x", "/x", HTTP_METHOD_POST, h_submit, 100,
		  HTTP_ROUTE_CSRF },
	};

	assert_null(http_server_start(f->cfg, bad, 1, w_new, w_free, f->cfg));
}


static void
test_render_page(void **state)
{
	struct fixture *f = *state;
	char c[64], ck[128], body[256], needle[128];
	struct tc_reply r;

	assert_true(tc_request(f->port, NULL, "/page", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 200);
	assert_true(tc_has_header(&r, "Content-Type",
				  "text/html; charset=utf-8"));
	assert_non_null(strstr(r.body, "<html lang=\"de\">"));
	assert_non_null(strstr(r.body, "T&lt;x&gt;"));
	assert_null(strstr(r.body, "T<x>"));
	assert_non_null(strstr(r.body, "Hallo &quot;Welt&quot;"));
	assert_non_null(strstr(r.body, "?lang=en"));
	/* Every rendered page may hold a form: the CSRF cookie is set. */
	assert_int_equal(set_cookie_count(&r, "sk_csrf"), 1);
	assert_null(strstr(r.body, "name=\"csrf\"")); /* not logged in */
	tc_reply_free(&r);

	const char *en[] = { "Accept-Language: en", NULL };
	assert_true(tc_request(f->port, NULL, "/page", en, NULL, 0, &r));
	assert_non_null(strstr(r.body, "<html lang=\"en\">"));
	assert_non_null(strstr(r.body, "?lang=de"));
	tc_reply_free(&r);

	/* The layout's logout form carries the token of the cookie. */
	assert_true(tc_request(f->port, NULL, "/page?login=1", NULL, NULL, 0,
			       &r));
	assert_int_equal(r.status, 200);
	assert_true(set_cookie_value(&r, "sk_csrf", c, sizeof(c)));
	const char *tok = strstr(r.body, "name=\"csrf\" value=\"");
	assert_non_null(tok);
	tok += strlen("name=\"csrf\" value=\"");
	assert_int_equal(strcspn(tok, "\""), HTTP_CSRF_TOKEN_LEN);
	snprintf(body, sizeof(body), "x=rendered&csrf=%.*s",
		 HTTP_CSRF_TOKEN_LEN, tok);
	tc_reply_free(&r);
	snprintf(ck, sizeof(ck), "sk_csrf=%s", c);
	assert_int_equal(post(f->port, "/submit", ck, body, &r), 200);
	assert_string_equal(r.body, "rendered");
	tc_reply_free(&r);

	/* No vars of the handler's own, and its status. */
	assert_true(tc_request(f->port, NULL, "/page_null", NULL, NULL, 0,
			       &r));
	assert_int_equal(r.status, 202);
	assert_non_null(strstr(r.body, "<html lang=\"de\">"));
	tc_reply_free(&r);

	/* A template that does not exist is our bug: the 500 page. */
	assert_true(tc_request(f->port, NULL, "/page_missing", NULL, NULL, 0,
			       &r));
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(r.body, "Interner Fehler"));
	tc_reply_free(&r);

	/* Error pages come from the error template, with the request id,
	 * and change no cookie. */
	assert_true(tc_request(f->port, NULL, "/nope", NULL, NULL, 0, &r));
	assert_int_equal(r.status, 404);
	const char *id = strstr(r.headers, "X-Request-Id: ");
	assert_non_null(id);
	snprintf(needle, sizeof(needle), "<code>%.32s</code>", id + 14);
	assert_non_null(strstr(r.body, needle));
	assert_non_null(strstr(r.body, "Seite nicht gefunden"));
	assert_non_null(strstr(r.body, "/static/style.css"));
	assert_false(tc_has_header(&r, "Set-Cookie", NULL));
	tc_reply_free(&r);
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
		cmocka_unit_test_setup_teardown(test_csrf_token_and_cookie,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_csrf_post, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_form_bodies_on_the_wire,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_csrf_https_host_prefix,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_csrf_rotate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cookie_attributes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_redirect_stays_local,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_csrf_route_needs_form,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_page, setup,
						teardown),
	};

	if (sodium_init() < 0 || page_init() != 0)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* Keep the request log out of the test output. */
	log_set_level(LOG_LEVEL_ERROR);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	metrics_deinit();
	curl_global_cleanup();
	return rc;
}
