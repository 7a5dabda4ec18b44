/*
 * Fuzz target: the request parsers of idp/http that read what a browser
 * sends: http_form_parse() (application/x-www-form-urlencoded bodies)
 * and http_cookies_parse() (Cookie headers). The first byte picks the
 * parser (even: form, odd: cookie); the rest is the body or header, not
 * NUL-terminated, as the parsers take it.
 */
#include "fuzz/fuzz_common.h"
#include "idp/http/http.h"

static void
form(const char *s, size_t len)
{
	struct http_form f = {0};

	if (http_form_parse(s, len, &f) == 0) {
		(void)http_form_peek(&f, "SAMLRequest");
		(void)http_form_peek(&f, "csrf");
		for (size_t i = 0; i < f.n; i++)
			(void)http_form_peek(&f, f.fields[i].name);
	}
	http_form_free(&f);
}

static void
cookies(const char *s, size_t len)
{
	struct http_cookies c = {0};

	if (http_cookies_parse(s, len, &c) == 0) {
		(void)http_cookies_peek(&c, "__Host-session");
		for (size_t i = 0; i < c.n; i++)
			(void)http_cookies_peek(&c, c.items[i].name);
	}
	http_cookies_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;

	fuzz_setup();
	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0)
		form(s, size - 1);
	else
		cookies(s, size - 1);
	return 0;
}
