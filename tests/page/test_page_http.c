/*
 * The public pages over HTTP, in-process with idpd's real route table:
 * /, /privacy and /static/style.css. The workers' database is unreachable
 * on purpose: these pages must work without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/handlers/handlers.h"
#include "idp/http/http.h"
#include "idp/page/page.h"

/* A conninfo that fails at once: a socket directory that is not there. */
#define NO_DB "host=/nonexistent/servicekonto-test dbname=none"

struct fixture {
	struct cfg *cfg;
	struct http_server *srv;
	unsigned port;
};

static struct worker *
w_new(void *cls)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->cfg = cls;
	w->store = store_new(NO_DB, 1, 0);
	return w;
}

static void
w_free(struct worker *w, void *cls)
{
	(void)cls;
	store_free(w->store);
	free(w);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const struct http_route *routes;
	char err[256];
	size_t n;

	if (page_init() != 0)
		fail_msg("page_init: %s", page_init_error());
	assert_int_equal(cfg_load(NULL, &f->cfg, err, sizeof(err)), 0);
	f->cfg->port = 0;
	f->cfg->threads = 2;
	routes = handlers_routes(&n);
	f->srv = http_server_start(f->cfg, routes, n, w_new, w_free, f->cfg);
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

static void
get(const struct fixture *f, const char *method, const char *path,
    const char *const *headers, struct tc_reply *r)
{
	if (!tc_request(f->port, method, path, headers, NULL, 0, r))
		fail_msg("no reply to %s", path);
}

static void
test_home(void **state)
{
	const struct fixture *f = *state;
	struct tc_reply r;

	get(f, NULL, "/", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(
		tc_has_header(&r, "Content-Type", "text/html; charset=utf-8"));
	assert_true(tc_has_header(&r, "Cache-Control", "no-store"));
	assert_non_null(strstr(r.headers, "Content-Security-Policy: "));
	assert_non_null(strstr(r.body, "<html lang=\"de\">"));
	assert_non_null(strstr(r.body, "<title>Startseite – Servicekonto"
				       "</title>"));
	assert_non_null(strstr(r.body, "href=\"/register\""));
	assert_non_null(strstr(r.body, "<a href=\"?lang=en\""));
	tc_reply_free(&r);

	/* ?lang=en and Accept-Language both give English. */
	get(f, NULL, "/?lang=en", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<html lang=\"en\">"));
	assert_non_null(strstr(r.body, "<a href=\"?lang=de\""));
	tc_reply_free(&r);
	const char *en[] = {"Accept-Language: en-GB,en;q=0.9", NULL};
	get(f, NULL, "/", en, &r);
	assert_non_null(strstr(r.body, "Your Servicekonto"));
	tc_reply_free(&r);

	/*
	 * A well-formed session cookie while the database is down: the page
	 * is shown as to a visitor, not as an error.
	 */
	const char *cookie[] = {
		"Cookie: "
		"sk_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		NULL,
	};
	get(f, NULL, "/", cookie, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "/logout"));
	assert_non_null(strstr(r.body, "href=\"/login\""));
	tc_reply_free(&r);

	/* Garbage in the cookie is no session either. */
	const char *junk[] = {"Cookie: sk_session=%00<script>", NULL};
	get(f, NULL, "/", junk, &r);
	assert_int_equal(r.status, 200);
	tc_reply_free(&r);

	get(f, "HEAD", "/", NULL, &r);
	assert_int_equal(r.status, 200);
	tc_reply_free(&r);
	get(f, "POST", "/", NULL, &r);
	assert_int_equal(r.status, 405);
	tc_reply_free(&r);
}

static void
test_privacy(void **state)
{
	const struct fixture *f = *state;
	struct tc_reply r;

	get(f, NULL, "/privacy", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<h1>Datenschutzhinweise zum "
				       "Servicekonto</h1>"));
	assert_non_null(strstr(r.body, "Art. 77 DSGVO"));
	tc_reply_free(&r);
	get(f, NULL, "/privacy?lang=en", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<h1>Servicekonto privacy notice</h1>"));
	tc_reply_free(&r);
}

static void
test_stylesheet(void **state)
{
	const struct fixture *f = *state;
	struct tc_reply r;
	size_t len;
	const char *css = page_stylesheet(&len);

	get(f, NULL, "/static/style.css", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(
		tc_has_header(&r, "Content-Type", "text/css; charset=utf-8"));
	assert_true(tc_has_header(&r, "Cache-Control", "public, max-age=3600"));
	assert_true(tc_has_header(&r, "X-Content-Type-Options", "nosniff"));
	assert_int_equal(r.len, len);
	assert_memory_equal(r.body, css, len);
	tc_reply_free(&r);
	/* The query string does not change what is served. */
	get(f, NULL, "/static/style.css?v=1", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, len);
	tc_reply_free(&r);
	get(f, NULL, "/static/other.css", NULL, &r);
	assert_int_equal(r.status, 404);
	tc_reply_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_home),
		cmocka_unit_test(test_privacy),
		cmocka_unit_test(test_stylesheet),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
