/*
 * The embedded mails, texts and stylesheet as idpd ships them: every mail
 * renders as plain text with its subject and support note; both
 * translation files, read from the source tree, have the same keys; every
 * key a template uses exists; the keys the handlers use are there; the
 * stylesheet is the file in static/ and small.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/page/page.h"
#include "idp/page/page_internal.h"

static const char *const langs[] = {"de", "en"};

static const char *const expected_mails[] = {
	"account_deleted",
	"eid_linked",
	"eid_unlinked",
	"email_change_verify",
	"email_changed_old",
	"exists",
	"login_failures",
	"password_changed",
	"password_reset_done",
	"reset",
	"verify",
};

/*
 * Keys the handlers and services fetch with page_text() (the contract
 * with idp/handlers and idp/account; docs/pages.md lists them).
 */
static const char *const handler_keys[] = {
	"err.required",
	"err.email_invalid",
	"err.email_same",
	"err.password_too_short",
	"err.password_too_long",
	"err.password_common",
	"err.password_personal",
	"err.password_mismatch",
	"err.password_wrong",
	"err.text_invalid",
	"err.date_invalid",
	"notice.profile_saved",
	"notice.password_changed",
	"notice.email_link_sent",
	"notice.session_ended",
	"notice.sessions_ended",
	"notice.resent",
	"nav.account",
	"nav.login",
	"email.changed_title",
	"email.changed_text",
	"email.link_invalid_title",
	"email.link_invalid_text",
	"delete.done_title",
	"delete.done_text",
	"reset.done_title",
	"reset.done_text",
	"logout.title",
	"logout.text",
	"logout.again",
};

static int
setup(void **state)
{
	(void)state;
	if (page_init() != 0)
		fail_msg("page_init: %s", page_init_error());
	return 0;
}

static void
test_mail_list(void **state)
{
	const char *const *names;
	size_t n;

	(void)state;
	names = page_set_mails(page_set_embedded(), &n);
	assert_int_equal(n, G_N_ELEMENTS(expected_mails));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(names[i], expected_mails[i]);
}

static void
test_mails(void **state)
{
	(void)state;
	for (size_t m = 0; m < G_N_ELEMENTS(expected_mails); m++) {
		for (size_t l = 0; l < G_N_ELEMENTS(langs); l++) {
			const char *name = expected_mails[m];
			struct page_vars *v = page_vars_new();
			char *subject = NULL, *body = NULL;

			page_vars_set(v, "given_name", "Erika <x>");
			page_vars_set(
				v, "link",
				"https://idp.example/verify?token=abc&x=1");
			page_vars_set(v, "link_login",
				      "https://idp.example/login?a=1&b=2");
			page_vars_set(v, "link_forgot",
				      "https://idp.example/password/forgot");
			page_vars_set(v, "new_email", "neu@example.de");
			page_vars_set(v, "count", "5");
			page_vars_set(v, "client", "192.0.2.1");
			/* Never templated: it must not appear. */
			page_vars_set(v, "password", "Geheim-Passwort-123");
			if (page_render_mail(name, langs[l], v, &subject,
					     &body) != 0)
				fail_msg("mail %s/%s does not render", name,
					 langs[l]);
			if (subject[0] == '\0' || strchr(subject, '\n') ||
			    strchr(subject, '\r'))
				fail_msg("mail %s/%s: bad subject", name,
					 langs[l]);
			if (g_regex_match_simple("<[a-zA-Z/!]", body, 0, 0) &&
			    strstr(body, "Erika <x>") == NULL)
				fail_msg("mail %s/%s: HTML in the body", name,
					 langs[l]);
			if (strstr(body, "&amp;") || strstr(body, "&lt;") ||
			    strstr(body, "{{") || strstr(body, "}}"))
				fail_msg("mail %s/%s: escaped or raw tags",
					 name, langs[l]);
			if (strstr(body, "Geheim-Passwort-123"))
				fail_msg("mail %s/%s: contains a password",
					 name, langs[l]);
			if (strstr(body, "[Support-Kontakt]") == NULL ||
			    !g_str_has_suffix(body, "\n"))
				fail_msg("mail %s/%s: no support note", name,
					 langs[l]);
			/* Greeting with the name, raw. */
			assert_non_null(strstr(body, "Erika <x>,"));
			/* Lines stay short enough for every mail reader. */
			char **lines = g_strsplit(body, "\n", -1);
			for (char **ln = lines; *ln != NULL; ln++)
				if (g_utf8_strlen(*ln, -1) > 78 &&
				    strstr(*ln, "https://") == NULL)
					fail_msg("mail %s/%s: line too long: "
						 "%s",
						 name, langs[l], *ln);
			g_strfreev(lines);
			g_free(subject);
			g_free(body);
			page_vars_free(v);
		}
	}
}

static char *
mail_body(const char *name, const char *lang, struct page_vars *v)
{
	char *subject = NULL, *body = NULL;

	assert_int_equal(page_render_mail(name, lang, v, &subject, &body), 0);
	g_free(subject);
	return body;
}

static void
test_mail_contents(void **state)
{
	struct page_vars *v = page_vars_new();
	char *b;

	(void)state;
	page_vars_set(v, "link", "https://idp.example/x?token=SECRETLINK&a=1");
	page_vars_set(v, "link_login", "https://idp.example/login");
	page_vars_set(v, "link_forgot", "https://idp.example/password/forgot");
	page_vars_set(v, "new_email", "neu@example.de");
	page_vars_set(v, "count", "5");
	page_vars_set(v, "client", "192.0.2.1");
	for (size_t l = 0; l < G_N_ELEMENTS(langs); l++) {
		static const char *const with_link[] = {
			"verify",
			"reset",
			"email_change_verify",
		};
		for (size_t i = 0; i < G_N_ELEMENTS(with_link); i++) {
			b = mail_body(with_link[i], langs[l], v);
			assert_non_null(strstr(
				b, "\nhttps://idp.example/x?token=SECRETLINK&"
				   "a=1\n"));
			g_free(b);
		}
		/* The old address never gets the link meant for the new. */
		b = mail_body("email_changed_old", langs[l], v);
		assert_null(strstr(b, "SECRETLINK"));
		assert_non_null(strstr(b, "neu@example.de"));
		g_free(b);
		b = mail_body("exists", langs[l], v);
		assert_non_null(strstr(b, "https://idp.example/login\n"));
		assert_non_null(
			strstr(b, "https://idp.example/password/forgot"));
		assert_null(strstr(b, "SECRETLINK"));
		g_free(b);
		b = mail_body("login_failures", langs[l], v);
		assert_non_null(strstr(b, "5"));
		assert_non_null(strstr(b, "192.0.2.1"));
		g_free(b);
	}
	/* Without a name the greeting still reads well. */
	b = mail_body("password_changed", "de", v);
	assert_true(g_str_has_prefix(b, "Guten Tag,\n\n"));
	g_free(b);
	b = mail_body("password_changed", "en", v);
	assert_true(g_str_has_prefix(b, "Hello,\n\n"));
	g_free(b);
	page_vars_free(v);
}

/* --- the source files, read independently of the engine --- */

static GHashTable *
read_keys(const char *lang)
{
	char *path = g_strdup_printf("%s/i18n/%s.txt", SOURCE_ROOT, lang);
	GHashTable *keys =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char *text = NULL, **lines;

	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		char *line = g_strstrip(*l), *eq;
		if (line[0] == '\0' || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		assert_non_null(eq);
		*eq = '\0';
		assert_true(g_hash_table_add(keys, g_strdup(g_strstrip(line))));
	}
	g_strfreev(lines);
	g_free(text);
	g_free(path);
	return keys;
}

static void
keys_in(GHashTable *a, GHashTable *b, const char *what)
{
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, a);
	while (g_hash_table_iter_next(&it, &k, NULL))
		if (!g_hash_table_contains(b, k))
			fail_msg("key '%s' %s", (char *)k, what);
}

static void
scan_keys(const char *dir, GHashTable *keys, unsigned *uses)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	GRegex *re = g_regex_new("\\{\\{t:([a-z0-9_.]+)\\}\\}", 0, 0, NULL);
	const char *base;

	assert_non_null(d);
	while ((base = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, base, NULL), *text = NULL;
		GMatchInfo *mi;

		if (!g_str_has_suffix(base, ".html") &&
		    !g_str_has_suffix(base, ".txt")) {
			g_free(path);
			continue;
		}
		assert_true(g_file_get_contents(path, &text, NULL, NULL));
		g_regex_match(re, text, 0, &mi);
		while (g_match_info_matches(mi)) {
			char *k = g_match_info_fetch(mi, 1);
			if (!g_hash_table_contains(keys, k))
				fail_msg("%s uses unknown key '%s'", path, k);
			(*uses)++;
			g_free(k);
			g_match_info_next(mi, NULL);
		}
		g_match_info_free(mi);
		g_free(text);
		g_free(path);
	}
	g_regex_unref(re);
	g_dir_close(d);
}

static void
test_i18n_sources(void **state)
{
	GHashTable *de = read_keys("de"), *en = read_keys("en");
	unsigned uses = 0;

	(void)state;
	keys_in(de, en, "is in i18n/de.txt but not in i18n/en.txt");
	keys_in(en, de, "is in i18n/en.txt but not in i18n/de.txt");
	scan_keys(SOURCE_ROOT "/templates", de, &uses);
	scan_keys(SOURCE_ROOT "/templates/mail", de, &uses);
	assert_true(uses > 100);
	/* The embedded set has exactly these keys. */
	size_t n;
	const char *const *keys = page_set_keys(page_set_embedded(), &n);
	assert_int_equal(n, g_hash_table_size(de));
	for (size_t i = 0; i < n; i++)
		assert_true(g_hash_table_contains(de, keys[i]));
	/* Keys the handlers use, with texts without placeholders. */
	for (size_t i = 0; i < G_N_ELEMENTS(handler_keys); i++) {
		for (size_t l = 0; l < G_N_ELEMENTS(langs); l++) {
			const char *t = page_text(langs[l], handler_keys[i]);
			if (strcmp(t, handler_keys[i]) == 0 ||
			    strstr(t, "{{") != NULL)
				fail_msg("%s: no plain text for '%s'", langs[l],
					 handler_keys[i]);
		}
	}
	/* The English texts are English: spot checks. */
	assert_string_equal(page_text("en", "nav.lang_switch"), "Deutsch");
	assert_string_equal(page_text("de", "nav.lang_switch"), "English");
	assert_string_equal(page_text(NULL, "site.name"), "Servicekonto");
	g_hash_table_destroy(de);
	g_hash_table_destroy(en);
}

static void
test_stylesheet(void **state)
{
	size_t len;
	const char *css = page_stylesheet(&len);
	char *src = NULL;
	gsize srclen;

	(void)state;
	assert_true(g_file_get_contents(SOURCE_ROOT "/static/style.css", &src,
					&srclen, NULL));
	assert_int_equal(len, srclen);
	assert_memory_equal(css, src, len);
	assert_true(len < 10 * 1024);
	/* One small file, nothing loaded from elsewhere. */
	assert_null(strstr(css, "@import"));
	assert_null(strstr(css, "url("));
	/* Focus stays visible: no rule removes the outline without a
	 * replacement. */
	assert_null(strstr(css, "outline: none"));
	assert_null(strstr(css, "outline: 0"));
	assert_non_null(strstr(css, ":focus-visible"));
	g_free(src);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mail_list),
		cmocka_unit_test(test_mails),
		cmocka_unit_test(test_mail_contents),
		cmocka_unit_test(test_i18n_sources),
		cmocka_unit_test(test_stylesheet),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
