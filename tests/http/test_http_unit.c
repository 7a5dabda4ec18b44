/* Pure parts of the HTTP layer: routing, language, client address, HTML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
