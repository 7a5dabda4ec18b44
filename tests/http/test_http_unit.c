/*
 * Pure parts of the HTTP layer: routing, language, client address, HTML,
 * form bodies and Cookie headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "idp/common/errors.h"
#include "idp/common/html.h"
#include "idp/http/http.h"

static void
h_dummy(struct http_request *req)
{
	(void)req;
}

static const struct http_route routes[] = {
	{ "a", "/a", HTTP_METHOD_GET, h_dummy, 0, 0 },
	{ "a_post", "/a", HTTP_METHOD_POST, h_dummy, 100, 0 },
	{ "b", "/b", HTTP_METHOD_POST, h_dummy, 100, 0 },
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static void
test_route_find(void **state)
{
	const struct http_route *r;
	unsigned allowed;

	(void)state;
	assert_int_equal(http_route_find(routes, N_ROUTES, "/a",
					 HTTP_METHOD_GET, &r, &allowed),
			 HTTP_ROUTE_FOUND);
	assert_string_equal(r->name, "a");
	/* GET routes answer HEAD. */
	assert_int_equal(http_route_find(routes, N_ROUTES, "/a",
					 HTTP_METHOD_HEAD, &r, &allowed),
			 HTTP_ROUTE_FOUND);
	assert_int_equal(http_route_find(routes, N_ROUTES, "/a",
					 HTTP_METHOD_POST, &r, &allowed),
			 HTTP_ROUTE_FOUND);
	assert_string_equal(r->name, "a_post");
	assert_int_equal(http_route_find(routes, N_ROUTES, "/b",
					 HTTP_METHOD_GET, &r, &allowed),
			 HTTP_ROUTE_BAD_METHOD);
	assert_null(r);
	assert_int_equal(allowed, HTTP_METHOD_POST);
	assert_int_equal(http_route_find(routes, N_ROUTES, "/a",
					 HTTP_METHOD_OTHER, &r, &allowed),
			 HTTP_ROUTE_BAD_METHOD);
	assert_int_equal(allowed,
			 HTTP_METHOD_GET | HTTP_METHOD_HEAD | HTTP_METHOD_POST);
	/* Exact match only: no prefix, no trailing slash, no case folding. */
	static const char *const miss[] = { "/", "/a/", "/A", "/ab", "",
					     "/a?x", "//a" };
	for (size_t i = 0; i < sizeof(miss) / sizeof(miss[0]); i++)
		assert_int_equal(http_route_find(routes, N_ROUTES, miss[i],
						 HTTP_METHOD_GET, &r,
						 &allowed),
				 HTTP_ROUTE_NOT_FOUND);
}

static void
test_methods(void **state)
{
	char buf[32];

	(void)state;
	http_methods_format(HTTP_METHOD_GET | HTTP_METHOD_HEAD, buf,
			    sizeof(buf));
	assert_string_equal(buf, "GET, HEAD");
	http_methods_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	http_methods_format(HTTP_METHOD_GET | HTTP_METHOD_POST, buf, 6);
	assert_string_equal(buf, "GET");
	assert_int_equal(http_method_parse("GET"), HTTP_METHOD_GET);
	assert_int_equal(http_method_parse("get"), HTTP_METHOD_OTHER);
	assert_int_equal(http_method_parse("PUT"), HTTP_METHOD_OTHER);
	assert_int_equal(http_method_parse(NULL), HTTP_METHOD_OTHER);
}

static void
test_lang(void **state)
{
	(void)state;
	assert_false(http_lang_prefers_en(NULL));
	assert_false(http_lang_prefers_en(""));
	assert_false(http_lang_prefers_en("de-DE,de;q=0.9,en;q=0.8"));
	assert_true(http_lang_prefers_en("en-US,en;q=0.9,de;q=0.8"));
	assert_true(http_lang_prefers_en("fr, en;q=0.5"));
	assert_false(http_lang_prefers_en("fr"));
	/* German wins ties; the pages are German first. */
	assert_false(http_lang_prefers_en("en, de"));
	assert_true(http_lang_prefers_en("de;q=0.1, en"));
	assert_false(http_lang_prefers_en("en;q=0"));
	assert_false(http_lang_prefers_en("*;q=0.9, en;q=0.5"));
	/* Malformed weights are ignored, never crash. */
	assert_false(http_lang_prefers_en("en;q=abc"));
	assert_false(http_lang_prefers_en("en;q=2"));
	assert_false(http_lang_prefers_en(";;;,,,;q="));
	assert_true(http_lang_prefers_en("  en  ;  q=1.000 "));
}

static struct sockaddr_in
v4(const char *s)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, &sa.sin_addr), 1);
	return sa;
}

static void
test_client_addr(void **state)
{
	struct cfg_net nets[CFG_MAX_TRUSTED_PROXIES];
	size_t n = 0;
	char err[128], out[INET6_ADDRSTRLEN];
	struct sockaddr_in proxy = v4("10.0.0.5");
	struct sockaddr_in other = v4("192.0.2.1");

	(void)state;
	assert_int_equal(cfg_nets_parse("10.0.0.0/8, ::1", nets, &n, err,
					sizeof(err)),
			 0);
	const struct sockaddr *p = (const struct sockaddr *)&proxy;
	const struct sockaddr *o = (const struct sockaddr *)&other;

	http_client_addr(o, "203.0.113.1", nets, n, out, sizeof(out));
	assert_string_equal(out, "192.0.2.1");
	http_client_addr(p, NULL, nets, n, out, sizeof(out));
	assert_string_equal(out, "10.0.0.5");
	http_client_addr(p, "203.0.113.1", nets, n, out, sizeof(out));
	assert_string_equal(out, "203.0.113.1");
	http_client_addr(p, "1.1.1.1, 203.0.113.1, 10.1.2.3", nets, n, out,
			 sizeof(out));
	assert_string_equal(out, "203.0.113.1");
	http_client_addr(p, "2001:db8::1", nets, n, out, sizeof(out));
	assert_string_equal(out, "2001:db8::1");
	/* Garbage stops the walk at the last good address. */
	http_client_addr(p, "203.0.113.1, bogus", nets, n, out, sizeof(out));
	assert_string_equal(out, "10.0.0.5");
	http_client_addr(p, "", nets, n, out, sizeof(out));
	assert_string_equal(out, "10.0.0.5");
	http_client_addr(p, ",,,", nets, n, out, sizeof(out));
	assert_string_equal(out, "10.0.0.5");
	/* All entries trusted: the left-most one is the best we know. */
	http_client_addr(p, "10.9.9.9, 10.8.8.8", nets, n, out, sizeof(out));
	assert_string_equal(out, "10.9.9.9");
	char longv[300];
	memset(longv, '1', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	http_client_addr(p, longv, nets, n, out, sizeof(out));
	assert_string_equal(out, "10.0.0.5");
	http_client_addr(NULL, "1.2.3.4", nets, n, out, sizeof(out));
	assert_string_equal(out, "unknown");
}

static void
test_html_escape(void **state)
{
	GString *s = g_string_new(NULL);

	(void)state;
	html_escape_append(s, "<script>alert('x')&\"</script>");
	assert_string_equal(s->str, "&lt;script&gt;alert(&#39;x&#39;)&amp;"
				    "&quot;&lt;/script&gt;");
	html_escape_append(s, NULL);
	g_string_free(s, TRUE);

	char *page = html_page_simple("en", "T<", "x\"y", "abc");
	assert_non_null(strstr(page, "<html lang=\"en\">"));
	assert_non_null(strstr(page, "<h1>T&lt;</h1>"));
	assert_non_null(strstr(page, "x&quot;y"));
	assert_non_null(strstr(page, "Request ID: abc"));
	assert_null(strstr(page, "<script"));
	g_free(page);
	page = html_page_simple("xx", "t", "u", NULL);
	assert_non_null(strstr(page, "<html lang=\"de\">"));
	assert_null(strstr(page, "Anfrage-ID"));
	g_free(page);
}

static void
test_error_table_complete(void **state)
{
	(void)state;
	for (int e = 0; e < IDP_E_COUNT; e++) {
		const struct idp_error_info *i = idp_error_info(e);
		assert_non_null(i->name);
		assert_true(i->status >= 400 && i->status < 600);
		assert_true(strlen(i->title_de) > 0);
		assert_true(strlen(i->text_de) > 0);
		assert_true(strlen(i->title_en) > 0);
		assert_true(strlen(i->text_en) > 0);
		for (int f = 0; f < e; f++)
			assert_string_not_equal(i->name,
						idp_error_info(f)->name);
	}
	assert_int_equal(idp_error_info(IDP_E_URI_TOO_LONG)->status, 414);
	assert_int_equal(idp_error_info(IDP_E_HEADERS_TOO_LARGE)->status, 431);
}


/* Parse a NUL-terminated body; the form is freed by the caller. */
static int
form(const char *body, struct http_form *f)
{
	return http_form_parse(body, strlen(body), f);
}

static void
test_form_valid(void **state)
{
	struct http_form f;

	(void)state;
	assert_int_equal(form("", &f), 0);
	assert_int_equal(f.n, 0);
	assert_null(http_form_peek(&f, "a"));
	http_form_free(&f);

	assert_int_equal(form("a=1&b=two", &f), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(http_form_peek(&f, "a"), "1");
	assert_string_equal(http_form_peek(&f, "b"), "two");
	assert_null(http_form_peek(&f, "c"));
	assert_null(http_form_peek(&f, "A"));
	http_form_free(&f);

	/* "+" is a space, %XX a byte in either case, "%2B" a plus. */
	assert_int_equal(form("q=hello+world%21%2b%2B%3d&n=J%C3%bCrgen", &f),
			 0);
	assert_string_equal(http_form_peek(&f, "q"), "hello world!++=");
	assert_string_equal(http_form_peek(&f, "n"), "J\xc3\xbcrgen");
	http_form_free(&f);

	/* No "=": the value is empty; the value runs to the next "&". */
	assert_int_equal(form("a&b=&c=x=y", &f), 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(http_form_peek(&f, "a"), "");
	assert_string_equal(http_form_peek(&f, "b"), "");
	assert_string_equal(http_form_peek(&f, "c"), "x=y");
	http_form_free(&f);

	/* Empty fields are skipped, as browsers never send them. */
	assert_int_equal(form("&a=1&&b=2&", &f), 0);
	assert_int_equal(f.n, 2);
	http_form_free(&f);
	assert_int_equal(form("&&&", &f), 0);
	assert_int_equal(f.n, 0);
	http_form_free(&f);

	/* TAB, CR, LF pass (text areas); UTF-8 up to four bytes, raw too. */
	assert_int_equal(form("t=a%09b%0D%0Ac&e=%F0%9F%98%80&r=\xc3\xa4", &f),
			 0);
	assert_string_equal(http_form_peek(&f, "t"), "a\tb\r\nc");
	assert_string_equal(http_form_peek(&f, "e"), "\xf0\x9f\x98\x80");
	assert_string_equal(http_form_peek(&f, "r"), "\xc3\xa4");
	http_form_free(&f);

	/* The length counts, not a NUL. */
	assert_int_equal(http_form_parse("a=1&b=2", 3, &f), 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(http_form_peek(&f, "a"), "1");
	http_form_free(&f);

	/* Free is safe twice and on a zeroed form. */
	http_form_free(&f);
	memset(&f, 0, sizeof(f));
	http_form_free(&f);
}

static void
test_form_malformed(void **state)
{
	static const char *const bad[] = {
		/* Percent escapes: incomplete, not hex, in name or value. */
		"%", "a=%", "a=%4", "a=%zz", "a=%4g", "a=%g4", "%zz=1", "a=1%",
		"a=%%41",
		/* NUL, other C0 controls and DEL, escaped. */
		"a=%00", "%00=1", "a=x%00y", "a=%01", "a=%1B", "a=%7F",
		"a=%1f",
		/* Invalid UTF-8: bad continuation, overlong, surrogate, above
		 * U+10FFFF, cut off, stray continuation, 0xFE/0xFF. */
		"a=%C3%28", "a=%C0%AF", "a=%C1%BF", "a=%E0%80%AF",
		"a=%F0%80%80%AF", "a=%ED%A0%80", "a=%F4%90%80%80",
		"a=%E2%82", "a=%80", "a=%FE", "a=%FF", "%C3=1",
		/* Empty name. */
		"=x", "=", "a=1&=2",
		/* A name twice, however it is spelt. */
		"a=1&a=2", "a=1&a", "a=1&%61=2", "csrf=x&b=1&csrf=x",
	};
	struct http_form f;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = form(bad[i], &f);

		if (rc != IDP_ERR_INVALID)
			fail_msg("\"%s\": %d, expected IDP_ERR_INVALID", bad[i],
				 rc);
		assert_int_equal(f.n, 0);
		assert_null(f.buf);
	}
	/* Raw control bytes and NUL count as much as escaped ones. */
	assert_int_equal(http_form_parse("a=x\0y", 5, &f), IDP_ERR_INVALID);
	assert_int_equal(form("a=x\x01y", &f), IDP_ERR_INVALID);
	assert_int_equal(form("a=\xc3\x28", &f), IDP_ERR_INVALID);
	http_form_free(&f);
}

static void
test_form_limits(void **state)
{
	GString *b = g_string_new(NULL);
	struct http_form f;
	char name[HTTP_MAX_FIELD_NAME + 2];

	(void)state;
	for (int i = 0; i < HTTP_MAX_FIELDS; i++)
		g_string_append_printf(b, "%sf%d=%d", i ? "&" : "", i, i);
	assert_int_equal(form(b->str, &f), 0);
	assert_int_equal(f.n, HTTP_MAX_FIELDS);
	assert_string_equal(http_form_peek(&f, "f63"), "63");
	http_form_free(&f);
	g_string_append(b, "&f64=64");
	assert_int_equal(form(b->str, &f), IDP_ERR_TOO_LARGE);
	assert_null(f.buf);
	/* Empty fields do not count toward the limit. */
	g_string_truncate(b, b->len - 7);
	g_string_append(b, "&&&&");
	assert_int_equal(form(b->str, &f), 0);
	http_form_free(&f);

	memset(name, 'n', sizeof(name));
	name[HTTP_MAX_FIELD_NAME] = '\0';
	g_string_printf(b, "%s=1", name);
	assert_int_equal(form(b->str, &f), 0);
	assert_string_equal(http_form_peek(&f, name), "1");
	http_form_free(&f);
	name[HTTP_MAX_FIELD_NAME] = 'n';
	name[HTTP_MAX_FIELD_NAME + 1] = '\0';
	g_string_printf(b, "%s=1", name);
	assert_int_equal(form(b->str, &f), IDP_ERR_TOO_LARGE);
	g_string_printf(b, "%s", name);
	assert_int_equal(form(b->str, &f), IDP_ERR_TOO_LARGE);
	/* The decoded length counts: 64 escaped bytes are a good name. */
	g_string_truncate(b, 0);
	for (int i = 0; i < HTTP_MAX_FIELD_NAME; i++)
		g_string_append(b, "%41");
	g_string_append(b, "=v");
	assert_int_equal(form(b->str, &f), 0);
	assert_int_equal(f.n, 1);
	http_form_free(&f);
	/* A huge name is refused before it is decoded. */
	g_string_truncate(b, 0);
	for (int i = 0; i < 100000; i++)
		g_string_append_c(b, 'x');
	assert_int_equal(form(b->str, &f), IDP_ERR_TOO_LARGE);
	/* Values are bounded by the body only. */
	g_string_prepend(b, "v=");
	assert_int_equal(form(b->str, &f), 0);
	assert_int_equal(strlen(http_form_peek(&f, "v")), 100000);
	http_form_free(&f);
	g_string_free(b, TRUE);
}

static int
cookies(const char *h, struct http_cookies *c)
{
	return http_cookies_parse(h, strlen(h), c);
}

static void
test_cookies_parse(void **state)
{
	struct http_cookies c;

	(void)state;
	assert_int_equal(cookies("", &c), 0);
	assert_int_equal(c.n, 0);
	assert_null(http_cookies_peek(&c, "a"));
	http_cookies_free(&c);

	assert_int_equal(cookies("a=1; b=two; __Host-sk_csrf=Zm9v-_", &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(http_cookies_peek(&c, "a"), "1");
	assert_string_equal(http_cookies_peek(&c, "b"), "two");
	assert_string_equal(http_cookies_peek(&c, "__Host-sk_csrf"),
			    "Zm9v-_");
	/* Exact names: no prefix magic and no case folding here. */
	assert_null(http_cookies_peek(&c, "sk_csrf"));
	assert_null(http_cookies_peek(&c, "A"));
	http_cookies_free(&c);

	/* Quotes are dropped; white space around names and values too. */
	assert_int_equal(cookies("q=\"xyz\";e=\"\";  s = 1 ;\tt=2\t", &c), 0);
	assert_string_equal(http_cookies_peek(&c, "q"), "xyz");
	assert_string_equal(http_cookies_peek(&c, "e"), "");
	assert_string_equal(http_cookies_peek(&c, "s"), "1");
	assert_string_equal(http_cookies_peek(&c, "t"), "2");
	http_cookies_free(&c);

	/* Empty values are values; empty pairs and pairs without "=" are
	 * skipped without losing the others. */
	assert_int_equal(cookies("a=b;;c=d; ;junk;e=;", &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(http_cookies_peek(&c, "a"), "b");
	assert_string_equal(http_cookies_peek(&c, "c"), "d");
	assert_string_equal(http_cookies_peek(&c, "e"), "");
	assert_null(http_cookies_peek(&c, "junk"));
	http_cookies_free(&c);

	/* The first of two cookies with one name wins. */
	assert_int_equal(cookies("a=1; a=2; b=x; a=3", &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(http_cookies_peek(&c, "a"), "1");
	http_cookies_free(&c);
}

static void
test_cookies_malformed(void **state)
{
	struct http_cookies c;

	(void)state;
	/* Each bad pair is skipped; "ok" survives around them. */
	static const char *const bad[] = {
		"=1",	  "a b=1",   "a,b=1",	"a\"=1",  "a(=1",
		"\xc3\xa4=1", "a=x y", "a=x,y",	"a=x\\y", "a=\"x",
		"a=x\"",  "a=\"x\"y", "a=\"\"\"", "a=\xc3\xa4", "a=\x01",
		"a=x\x7f", "novalue",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char h[128];

		snprintf(h, sizeof(h), "ok=1; %s; ok2=2", bad[i]);
		assert_int_equal(cookies(h, &c), 0);
		if (c.n != 2)
			fail_msg("\"%s\": %zu cookies, expected 2", bad[i],
				 c.n);
		assert_string_equal(http_cookies_peek(&c, "ok"), "1");
		assert_string_equal(http_cookies_peek(&c, "ok2"), "2");
		http_cookies_free(&c);
	}
	/* A NUL inside ends nothing: the length counts. */
	assert_int_equal(http_cookies_parse("a=1\0; b=2", 9, &c), 0);
	assert_null(http_cookies_peek(&c, "a"));
	assert_string_equal(http_cookies_peek(&c, "b"), "2");
	http_cookies_free(&c);
	http_cookies_free(&c);
}

static void
test_cookies_limit(void **state)
{
	GString *h = g_string_new(NULL);
	struct http_cookies c;

	(void)state;
	for (int i = 0; i <= HTTP_MAX_COOKIES; i++)
		g_string_append_printf(h, "%sc%d=%d", i ? "; " : "", i, i);
	assert_int_equal(cookies(h->str, &c), 0);
	assert_int_equal(c.n, HTTP_MAX_COOKIES);
	assert_string_equal(http_cookies_peek(&c, "c0"), "0");
	assert_string_equal(http_cookies_peek(&c, "c63"), "63");
	assert_null(http_cookies_peek(&c, "c64"));
	http_cookies_free(&c);
	/* Skipped pairs and duplicates do not use up the limit. */
	g_string_prepend(h, "junk; c0=dup; ; =x; ");
	assert_int_equal(cookies(h->str, &c), 0);
	assert_int_equal(c.n, HTTP_MAX_COOKIES);
	assert_string_equal(http_cookies_peek(&c, "c0"), "dup");
	assert_string_equal(http_cookies_peek(&c, "c63"), "63");
	http_cookies_free(&c);
	g_string_free(h, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_find),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_lang),
		cmocka_unit_test(test_client_addr),
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_error_table_complete),
		cmocka_unit_test(test_form_valid),
		cmocka_unit_test(test_form_malformed),
		cmocka_unit_test(test_form_limits),
		cmocka_unit_test(test_cookies_parse),
		cmocka_unit_test(test_cookies_malformed),
		cmocka_unit_test(test_cookies_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
