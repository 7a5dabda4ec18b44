/*
 * The embedded page templates as idpd ships them: every page renders in
 * both languages with sample variables (hostile ones included) and passes
 * the accessibility and security rules we can check mechanically.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idp/page/page.h"
#include "idp/page/page_internal.h"

static const char *const langs[] = {"de", "en"};

/* Sample values: markup characters that must come out escaped. */
#define HOSTILE "Ann \"<x>\" & 'Co'"

static const char *const expected_pages[] = {
	"account",     "delete",	  "eid_account",   "eid_relay",
	"eid_step_up", "eid_unknown",	  "email_change",  "error",
	"forgot",      "forgot_done",	  "home",	   "login",
	"message",     "password_change", "privacy",	   "profile_edit",
	"register",    "register_done",	  "reset",	   "saml_post",
	"slo_post",    "slo_result",	  "verify_result",
};

/*
 * The SAML HTTP-POST form (saml_post) is the one page with a script (the
 * external /static/autosubmit.js; its reply's CSP allows script-src
 * 'self' and nothing inline) and with a POST form without our CSRF
 * token: it goes to the portal's ACS, which knows nothing of our token.
 */
#define SAML_POST_SCRIPT "<script src=\"/static/autosubmit.js\"></script>"

static bool
is_saml_post(const char *where)
{
	/* slo_post: the same form for single logout messages. */
	return g_str_has_prefix(where, "saml_post/") ||
	       g_str_has_prefix(where, "slo_post/");
}

/*
 * Pages that submit themselves with the script: the SAML POST forms and
 * eid_relay, which passes the eID service's response on to our own
 * /eid/acs/finish (with our CSRF token: it stays on our site).
 */
static bool
autosubmits(const char *where)
{
	return is_saml_post(where) || g_str_has_prefix(where, "eid_relay/");
}

static int
setup(void **state)
{
	(void)state;
	if (page_init() != 0)
		fail_msg("page_init: %s", page_init_error());
	return 0;
}

/* --- a small HTML reader, enough for our own well-formed output --- */

static const char *const void_tags[] = {
	"area",	 "base", "br",	 "col",	   "embed", "hr",  "img",
	"input", "link", "meta", "source", "track", "wbr",
};

static bool
is_void(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(void_tags); i++)
		if (strcmp(name, void_tags[i]) == 0)
			return true;
	return false;
}

/* The value of attribute @name in the tag text @tag, or NULL (g_free). */
static char *
attr(const char *tag, const char *name)
{
	char *needle = g_strdup_printf(" %s=\"", name);
	const char *p = strstr(tag, needle), *e;
	char *v = NULL;

	if (p != NULL) {
		p += strlen(needle);
		e = strchr(p, '"');
		if (e != NULL)
			v = g_strndup(p, (size_t)(e - p));
	}
	g_free(needle);
	return v;
}

static bool
has_attr(const char *tag, const char *name)
{
	char *n1 = g_strdup_printf(" %s ", name),
	     *n2 = g_strdup_printf(" %s>", name);
	char *n3 = g_strdup_printf(" %s=", name);
	bool r = strstr(tag, n1) || strstr(tag, n2) || strstr(tag, n3);

	g_free(n1);
	g_free(n2);
	g_free(n3);
	return r;
}

struct tag {
	char *name; /* lower case; "/p" for an end tag */
	char *text; /* "<p class=...>" */
	size_t at;  /* offset in the page */
};

static void
tag_free(gpointer p)
{
	struct tag *t = p;

	g_free(t->name);
	g_free(t->text);
	g_free(t);
}

/* All tags of @html; comments and the doctype are skipped. */
static GPtrArray *
tags_of(const char *html)
{
	GPtrArray *tags = g_ptr_array_new_with_free_func(tag_free);
	const char *p = html;

	while ((p = strchr(p, '<')) != NULL) {
		const char *e = strchr(p, '>'), *n = p + 1;
		struct tag *t;

		assert_non_null(e);
		if (p[1] == '!') {
			p = e + 1;
			continue;
		}
		if (*n == '/')
			n++;
		while (g_ascii_isalnum(*n))
			n++;
		t = g_new0(struct tag, 1);
		t->name = g_ascii_strdown(p + 1, n - p - 1);
		t->text = g_strndup(p, (size_t)(e - p + 1));
		t->at = (size_t)(p - html);
		g_ptr_array_add(tags, t);
		p = e + 1;
	}
	return tags;
}

/*
 * Every rule the page must keep; @where names the page in messages.
 */
static void
check_page(const char *html, const char *lang, const char *where)
{
	GPtrArray *tags = tags_of(html);
	GPtrArray *stack = g_ptr_array_new();
	GHashTable *ids =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *labels =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char *want_lang = g_strdup_printf("<html lang=\"%s\">", lang);
	unsigned h1 = 0;

	if (strstr(html, want_lang) == NULL)
		fail_msg("%s: no %s", where, want_lang);
	if (strstr(html, "{{") != NULL || strstr(html, "}}") != NULL)
		fail_msg("%s: template tag left in the output", where);
	if (g_strrstr(html, "<x>") != NULL)
		fail_msg("%s: a sample value came out unescaped", where);
	if (strstr(html, "style=") != NULL || strstr(html, "<style") != NULL)
		fail_msg("%s: inline style (CSP forbids it)", where);
	const char *script = strstr(html, "<script");
	if (script != NULL && autosubmits(where) &&
	    strncmp(script, SAML_POST_SCRIPT, strlen(SAML_POST_SCRIPT)) == 0)
		script = strstr(script + 1, "<script");
	if (script != NULL || g_regex_match_simple(" on[a-z]+=", html, 0, 0))
		fail_msg("%s: script or event handler", where);
	if (strstr(html, "href=\"#main\"") == NULL ||
	    strstr(html, "<main id=\"main\"") == NULL)
		fail_msg("%s: skip link or main landmark missing", where);
	if (strstr(html,
		   "<link rel=\"stylesheet\" href=\"/static/style.css\">") ==
	    NULL)
		fail_msg("%s: stylesheet link missing", where);

	for (guint i = 0; i < tags->len; i++) {
		const struct tag *t = tags->pdata[i];
		char *id = attr(t->text, "id"), *f = attr(t->text, "for");

		if (strcmp(t->name, "h1") == 0)
			h1++;
		if (id != NULL && !g_hash_table_add(ids, id))
			fail_msg("%s: id \"%s\" twice", where, id);
		if (f != NULL && strcmp(t->name, "label") == 0 &&
		    !g_hash_table_add(labels, f))
			fail_msg("%s: two labels for \"%s\"", where, f);
		else if (f != NULL && strcmp(t->name, "label") != 0)
			g_free(f);
		/* Tag balance. */
		if (t->name[0] == '/') {
			const char *open;
			if (stack->len == 0)
				fail_msg("%s: </%s> with nothing open", where,
					 t->name + 1);
			open = g_ptr_array_steal_index(stack, stack->len - 1);
			if (strcmp(open, t->name + 1) != 0)
				fail_msg("%s: <%s> closed by </%s> at %zu",
					 where, open, t->name + 1, t->at);
		} else if (!is_void(t->name)) {
			g_ptr_array_add(stack, t->name);
		}
	}
	if (stack->len != 0)
		fail_msg("%s: <%s> not closed", where,
			 (char *)stack->pdata[stack->len - 1]);
	if (h1 != 1)
		fail_msg("%s: %u h1 elements", where, h1);

	for (guint i = 0; i < tags->len; i++) {
		const struct tag *t = tags->pdata[i];
		char *type = attr(t->text, "type"), *id = attr(t->text, "id");
		char *name = attr(t->text, "name");
		char *db = attr(t->text, "aria-describedby");
		char *href = attr(t->text, "href");

		if (strcmp(t->name, "input") == 0 &&
		    g_strcmp0(type, "hidden") != 0) {
			if (id == NULL || name == NULL ||
			    !g_hash_table_contains(labels, id))
				fail_msg("%s: input %s without a label", where,
					 t->text);
			if (!has_attr(t->text, "autocomplete") &&
			    g_strcmp0(type, "date") != 0)
				fail_msg("%s: input %s without autocomplete",
					 where, t->text);
		}
		if (db != NULL) {
			char **tok = g_strsplit(db, " ", -1);
			for (char **k = tok; *k != NULL; k++)
				if (!g_hash_table_contains(ids, *k))
					fail_msg("%s: aria-describedby names "
						 "unknown id \"%s\"",
						 where, *k);
			g_strfreev(tok);
		}
		if (href != NULL && href[0] == '#' &&
		    !g_hash_table_contains(ids, href + 1))
			fail_msg("%s: link to unknown id %s", where, href);
		if (href != NULL &&
		    (g_str_has_prefix(href, "//") || strstr(href, ":") != NULL))
			fail_msg("%s: link off-site: %s", where, href);
		if (strcmp(t->name, "form") == 0) {
			const char *end = strstr(html + t->at, "</form>");
			char *body = g_strndup(html + t->at,
					       (size_t)(end - html - t->at));
			char *method = attr(t->text, "method");
			if (g_strcmp0(method, "post") == 0 &&
			    !is_saml_post(where) &&
			    strstr(body, "<input type=\"hidden\" name=\"csrf\" "
					 "value=\"") == NULL)
				fail_msg("%s: POST form without csrf: %s",
					 where, t->text);
			g_free(method);
			g_free(body);
		}
		g_free(type);
		g_free(id);
		g_free(name);
		g_free(db);
		g_free(href);
	}
	g_free(want_lang);
	g_hash_table_destroy(ids);
	g_hash_table_destroy(labels);
	g_ptr_array_free(stack, TRUE);
	g_ptr_array_free(tags, TRUE);
}

/*
 * A second opinion from libxml2's HTML parser when xmllint is installed
 * (Debian libxml2-utils): it knows HTML 4 only, so its complaints about
 * the HTML5 landmark elements are expected; anything else fails.
 */
static void
check_xmllint(const char *html, const char *where)
{
	char *path = NULL, *out = NULL, *err = NULL, **lines, **args;
	int fd, status;

	if (!g_file_test("/usr/bin/xmllint", G_FILE_TEST_IS_EXECUTABLE))
		return;
	fd = g_file_open_tmp("page-XXXXXX.html", &path, NULL);
	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, html, -1, NULL));
	args = g_new0(char *, 5);
	args[0] = g_strdup("xmllint");
	args[1] = g_strdup("--html");
	args[2] = g_strdup("--noout");
	args[3] = g_strdup(path);
	assert_true(g_spawn_sync(NULL, args, NULL, G_SPAWN_SEARCH_PATH, NULL,
				 NULL, &out, &err, &status, NULL));
	lines = g_strsplit(err, "\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		if (strstr(*l, "HTML parser error") == NULL)
			continue;
		if (g_regex_match_simple("Tag (header|nav|main|footer) invalid",
					 *l, 0, 0))
			continue;
		fail_msg("%s: xmllint: %s", where, *l);
	}
	g_strfreev(lines);
	g_strfreev(args);
	unlink(path);
	g_free(path);
	g_free(out);
	g_free(err);
}

/* Names of the visible inputs of @html (the fields that may have errors). */
static GPtrArray *
fields_of(const char *html)
{
	GPtrArray *tags = tags_of(html),
		  *fields = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < tags->len; i++) {
		const struct tag *t = tags->pdata[i];
		char *type = attr(t->text, "type");

		if (strcmp(t->name, "input") == 0 &&
		    g_strcmp0(type, "hidden") != 0)
			g_ptr_array_add(fields, attr(t->text, "name"));
		g_free(type);
	}
	g_ptr_array_free(tags, TRUE);
	return fields;
}

static void
common_vars(struct page_vars *v, const char *lang)
{
	page_vars_set(v, "lang", lang);
	page_vars_set(v, "lang_other", strcmp(lang, "en") == 0 ? "de" : "en");
	page_vars_set(v, "csrf", "csrf-token");
	page_vars_set(v, "request_id", "0123456789abcdef0123456789abcdef");
	page_vars_set(v, "path", "/somewhere");
}

static const char *const value_vars[] = {
	"email",   "given_name", "family_name", "street",	"postal_code",
	"city",	   "new_email",	 "token",	"display_name", "notice",
	"title",   "text",	 "link_text",	"handle",	"client",
	"created", "last_seen",
};

static const char *const bool_vars[] = {
	"logged_in", "ok", "failed", "throttled", "invalid", "verified_by_eid",
};

/* Everything set, booleans to @b, errors for @fields. */
static void
full_vars(struct page_vars *v, const char *lang, bool b, GPtrArray *fields)
{
	common_vars(v, lang);
	for (size_t i = 0; i < G_N_ELEMENTS(value_vars); i++)
		page_vars_set(v, value_vars[i], HOSTILE);
	for (size_t i = 0; i < G_N_ELEMENTS(bool_vars); i++)
		page_vars_set_bool(v, bool_vars[i], b);
	page_vars_set(v, "birth_date", "1980-03-27");
	page_vars_set(v, "pending", "pending-0123");
	page_vars_set(v, "link_href", "/login");
	page_vars_set(v, "retry_minutes", "3");
	for (int i = 0; i < 2; i++) {
		struct page_vars *r = page_vars_add_row(v, "sessions");
		page_vars_set(r, "handle", i ? "h-other" : "h-current");
		page_vars_set(r, "created", "2026-01-02 03:04 UTC");
		page_vars_set(r, "last_seen", "2026-01-02 05:06 UTC");
		page_vars_set(r, "client", HOSTILE);
		page_vars_set_bool(r, "current", i == 0);
	}
	for (guint i = 0; fields != NULL && i < fields->len; i++) {
		const char *f = fields->pdata[i];
		char *name = g_strdup_printf("err_%s", f);
		struct page_vars *r = page_vars_add_row(v, "errors");

		page_vars_set(v, name, "Fehler <x> bei diesem Feld");
		page_vars_set(r, "field", f);
		page_vars_set(r, "message", "Fehler <x> bei diesem Feld");
		g_free(name);
	}
}

static char *
render(const char *page, const char *lang, const struct page_vars *v)
{
	GString *out = g_string_new(NULL);

	assert_int_equal(page_render(page, lang, v, out), 0);
	return g_string_free(out, FALSE);
}

static void
test_page_list(void **state)
{
	const struct page_set *s = page_set_embedded();
	const char *const *names;
	size_t n;

	(void)state;
	assert_non_null(s);
	assert_int_equal(page_init(), 0);
	assert_string_equal(page_init_error(), "");
	names = page_set_pages(s, &n);
	assert_int_equal(n, G_N_ELEMENTS(expected_pages));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(names[i], expected_pages[i]);
	/* Partials and the layout are not pages. */
	GString *out = g_string_new(NULL);
	assert_int_equal(page_render("layout", "de", NULL, out),
			 IDP_ERR_INVALID);
	assert_int_equal(page_render("hidden", "de", NULL, out),
			 IDP_ERR_INVALID);
	assert_int_equal(page_render("../home", "de", NULL, out),
			 IDP_ERR_INVALID);
	assert_int_equal(out->len, 0);
	g_string_free(out, TRUE);
}

/* Every page, both languages, three sets of variables. */
static void
test_every_page(void **state)
{
	(void)state;
	for (size_t p = 0; p < G_N_ELEMENTS(expected_pages); p++) {
		for (size_t l = 0; l < G_N_ELEMENTS(langs); l++) {
			const char *page = expected_pages[p];
			struct page_vars *v = page_vars_new();
			GPtrArray *fields;
			char where[64], *html;

			common_vars(v, langs[l]);
			html = render(page, langs[l], v);
			snprintf(where, sizeof(where), "%s/%s/minimal", page,
				 langs[l]);
			check_page(html, langs[l], where);
			g_free(html);
			page_vars_free(v);

			for (int b = 0; b < 2; b++) {
				/* Errors for the fields this variant shows. */
				v = page_vars_new();
				full_vars(v, langs[l], b, NULL);
				html = render(page, langs[l], v);
				fields = fields_of(html);
				g_free(html);
				page_vars_free(v);

				v = page_vars_new();
				full_vars(v, langs[l], b, fields);
				html = render(page, langs[l], v);
				snprintf(where, sizeof(where), "%s/%s/%s", page,
					 langs[l], b ? "true" : "false");
				check_page(html, langs[l], where);
				check_xmllint(html, where);
				/* With errors, the summary comes first. */
				if (fields->len > 0 &&
				    strstr(html,
					   "<main id=\"main\" class=\"wrap\">\n"
					   "<div class=\"error-summary\" "
					   "role=\"alert\"") == NULL)
					fail_msg("%s: error summary not first",
						 where);
				g_free(html);
				page_vars_free(v);
				g_ptr_array_free(fields, TRUE);
			}
		}
	}
}

/* Field errors: summary link, message, aria-invalid, aria-describedby. */
static void
test_field_errors(void **state)
{
	static const char *const forms[] = {
		"register", "profile_edit", "password_change", "email_change",
		"delete",   "forgot",	    "reset",
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
		struct page_vars *v = page_vars_new();
		GPtrArray *fields;
		char *html;

		common_vars(v, "de");
		html = render(forms[i], "de", v);
		fields = fields_of(html);
		assert_true(fields->len > 0);
		assert_null(strstr(html, "aria-invalid"));
		assert_null(strstr(html, "error-summary"));
		g_free(html);
		page_vars_free(v);

		v = page_vars_new();
		full_vars(v, "de", false, fields);
		html = render(forms[i], "de", v);
		assert_non_null(strstr(html, "<title>Fehler: "));
		for (guint f = 0; f < fields->len; f++) {
			const char *name = fields->pdata[f];
			char *link = g_strdup_printf("<a href=\"#%s\">Fehler "
						     "&lt;x&gt; bei diesem "
						     "Feld</a>",
						     name);
			char *msg = g_strdup_printf("id=\"%s-error\"", name);
			char *idattr = g_strdup_printf("id=\"%s\"", name);
			const char *in = strstr(html, idattr);

			if (strstr(html, link) == NULL ||
			    strstr(html, msg) == NULL)
				fail_msg("%s: no summary link or message for "
					 "%s",
					 forms[i], name);
			/* The input itself carries the error state. */
			assert_non_null(in);
			const char *end = strchr(in, '>');
			char *tag = g_strndup(in, (size_t)(end - in));
			char *want = g_strdup_printf("%s-error", name);
			if (strstr(tag, "aria-invalid=\"true\"") == NULL ||
			    strstr(tag, want) == NULL)
				fail_msg("%s: input %s lacks aria-invalid or "
					 "aria-describedby",
					 forms[i], name);
			g_free(want);
			g_free(tag);
			g_free(link);
			g_free(msg);
			g_free(idattr);
		}
		g_free(html);
		page_vars_free(v);
		g_ptr_array_free(fields, TRUE);
	}
}

/* An input by id: its tag text (g_free). */
static char *
input_tag(const char *html, const char *id)
{
	char *needle = g_strdup_printf("id=\"%s\"", id);
	const char *p = strstr(html, needle), *s, *e;

	g_free(needle);
	if (p == NULL)
		return NULL;
	for (s = p; s > html && *s != '<'; s--)
		;
	e = strchr(p, '>');
	return g_strndup(s, (size_t)(e - s + 1));
}

static void
expect_input(const char *html, const char *id, const char *type,
	     const char *autocomplete)
{
	char *t = input_tag(html, id);
	char *ty, *ac;

	if (t == NULL)
		fail_msg("no input %s", id);
	ty = attr(t, "type");
	ac = attr(t, "autocomplete");
	assert_string_equal(ty, type);
	if (autocomplete != NULL)
		assert_string_equal(ac, autocomplete);
	g_free(ty);
	g_free(ac);
	g_free(t);
}

static void
test_register_and_login(void **state)
{
	struct page_vars *v = page_vars_new();
	char *html;

	(void)state;
	full_vars(v, "de", false, NULL);
	html = render("register", "de", v);
	assert_non_null(strstr(html, "action=\"/register\""));
	expect_input(html, "email", "email", "email");
	expect_input(html, "password", "password", "new-password");
	expect_input(html, "password2", "password", "new-password");
	expect_input(html, "given_name", "text", "given-name");
	expect_input(html, "family_name", "text", "family-name");
	expect_input(html, "birth_date", "date", "bday");
	expect_input(html, "street", "text", "street-address");
	expect_input(html, "postal_code", "text", "postal-code");
	expect_input(html, "city", "text", "address-level2");
	/* Values pre-filled and escaped; passwords never. */
	assert_non_null(strstr(html, "value=\"Ann &quot;&lt;x&gt;&quot; "
				     "&amp; &#39;Co&#39;\""));
	assert_non_null(strstr(html, "value=\"1980-03-27\""));
	assert_non_null(strstr(html, "<fieldset"));
	assert_non_null(strstr(html, "<a href=\"/privacy\">"));
	assert_non_null(strstr(html, "<input type=\"hidden\" name=\"pending\" "
				     "value=\"pending-0123\">"));
	g_free(html);

	html = render("login", "de", v);
	expect_input(html, "email", "email", "username");
	expect_input(html, "password", "password", "current-password");
	assert_non_null(strstr(html, "href=\"/password/forgot?pending="
				     "pending-0123\""));
	assert_non_null(
		strstr(html, "href=\"/register?pending=pending-0123\""));
	assert_non_null(
		strstr(html, "name=\"pending\" value=\"pending-0123\""));
	assert_null(strstr(html, "error-summary"));
	g_free(html);

	/* A failed login: one generic message, linked to the e-mail field. */
	page_vars_set_bool(v, "failed", true);
	html = render("login", "de", v);
	assert_non_null(strstr(html, "<a href=\"#email\">E-Mail-Adresse oder "
				     "Passwort falsch, oder das Konto ist "
				     "noch nicht bestätigt.</a>"));
	assert_non_null(strstr(html, "<title>Fehler: "));
	g_free(html);
	page_vars_set_bool(v, "failed", false);
	page_vars_set_bool(v, "throttled", true);
	html = render("login", "en", v);
	assert_non_null(strstr(html, "Please try again in 3 min."));
	g_free(html);
	/* Without pending, no pending anywhere. */
	page_vars_set(v, "pending", NULL);
	html = render("login", "de", v);
	assert_null(strstr(html, "pending"));
	g_free(html);
	page_vars_free(v);
}

static void
test_account_page(void **state)
{
	struct page_vars *v = page_vars_new();
	struct page_vars *r;
	char *html;

	(void)state;
	common_vars(v, "de");
	page_vars_set_bool(v, "logged_in", true);
	page_vars_set(v, "display_name", "Erika");
	page_vars_set(v, "given_name", "Erika");
	page_vars_set(v, "family_name", "Mustermann");
	page_vars_set(v, "email", "erika@example.de");
	r = page_vars_add_row(v, "sessions");
	page_vars_set(r, "handle", "cur-handle");
	page_vars_set(r, "client", "192.0.2.1");
	page_vars_set_bool(r, "current", true);
	r = page_vars_add_row(v, "sessions");
	page_vars_set(r, "handle", "other-handle");
	page_vars_set(r, "client", "198.51.100.7");
	page_vars_set(r, "created", "2026-01-02 03:04 UTC");
	html = render("account", "de", v);
	check_page(html, "de", "account/sample");
	/* Empty profile fields say so. */
	assert_non_null(strstr(html, "<dd><span class=\"muted\">nicht "
				     "angegeben</span></dd>"));
	assert_non_null(strstr(html, "<dd>Mustermann</dd>"));
	/* Only the other session has an end button. */
	assert_null(strstr(html, "value=\"cur-handle\""));
	assert_non_null(strstr(html, "action=\"/account/sessions/end\">"
				     "<input type=\"hidden\" name=\"csrf\" "
				     "value=\"csrf-token\">\n"
				     "<input type=\"hidden\" name=\"session\" "
				     "value=\"other-handle\">"));
	assert_non_null(
		strstr(html, "action=\"/account/sessions/end-others\""));
	assert_non_null(strstr(html, "<strong class=\"tag\">Diese Sitzung"));
	static const char *const links[] = {
		"/account/profile", "/account/password", "/account/email",
		"/account/delete",  "/account/export",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(links); i++) {
		char *a = g_strdup_printf("href=\"%s\"", links[i]);
		assert_non_null(strstr(html, a));
		g_free(a);
	}
	/* The header: account link and a logout form with the token. */
	assert_non_null(strstr(html, "<a href=\"/account\">Erika</a>"));
	assert_non_null(strstr(html, "<form class=\"inline-form\" "
				     "method=\"post\" action=\"/logout\">"
				     "<input type=\"hidden\" name=\"csrf\" "
				     "value=\"csrf-token\">"));
	g_free(html);
	page_vars_free(v);
}

static void
test_flow_pages(void **state)
{
	struct page_vars *v = page_vars_new();
	char *html;

	(void)state;
	common_vars(v, "de");
	page_vars_set(v, "email", "a&b@example.de");
	html = render("register_done", "de", v);
	assert_non_null(strstr(html, "Wir haben einen Link an a&amp;b@"
				     "example.de gesendet."));
	assert_non_null(strstr(html, "24 Stunden"));
	assert_non_null(strstr(html, "action=\"/verify/resend\""));
	assert_non_null(strstr(html, "<input type=\"hidden\" name=\"email\" "
				     "value=\"a&amp;b@example.de\">"));
	g_free(html);

	page_vars_set_bool(v, "ok", true);
	html = render("verify_result", "de", v);
	assert_non_null(strstr(html, "href=\"/login\""));
	assert_null(strstr(html, "/verify/resend"));
	g_free(html);
	page_vars_set_bool(v, "ok", false);
	html = render("verify_result", "en", v);
	assert_non_null(strstr(html, "Link invalid or expired"));
	assert_non_null(strstr(html, "action=\"/verify/resend\""));
	g_free(html);

	page_vars_set(v, "token", "tok-123");
	html = render("reset", "de", v);
	assert_non_null(strstr(html, "name=\"token\" value=\"tok-123\""));
	assert_non_null(strstr(html, "autocomplete=\"new-password\""));
	g_free(html);
	page_vars_set_bool(v, "invalid", true);
	html = render("reset", "de", v);
	assert_null(strstr(html, "<form class=\"form\""));
	assert_non_null(strstr(html, "href=\"/password/forgot\""));
	g_free(html);

	/* forgot_done says the same whatever the address. */
	html = render("forgot_done", "de", v);
	assert_null(strstr(html, "a&amp;b@"));
	g_free(html);

	page_vars_set(v, "title", "Titel");
	page_vars_set(v, "text", "Text <b>");
	page_vars_set(v, "link_href", "/login");
	page_vars_set(v, "link_text", "Weiter zur Anmeldung");
	html = render("message", "de", v);
	assert_non_null(strstr(html, "<h1>Titel</h1>"));
	assert_non_null(strstr(html, "<title>Titel – Servicekonto</title>"));
	assert_non_null(strstr(html, "Text &lt;b&gt;"));
	assert_non_null(strstr(html, "<a href=\"/login\">Weiter zur "
				     "Anmeldung</a>"));
	g_free(html);
	html = render("error", "de", v);
	assert_non_null(strstr(html, "0123456789abcdef0123456789abcdef"));
	assert_non_null(strstr(html, "<h1>Titel</h1>"));
	g_free(html);

	/* Delete: a clear warning, a password, a danger button. */
	html = render("delete", "de", v);
	assert_non_null(strstr(html, "nicht rückgängig"));
	assert_non_null(strstr(html, "button-danger"));
	expect_input(html, "password", "password", "current-password");
	g_free(html);

	html = render("email_change", "en", v);
	assert_non_null(strstr(html, "Your e-mail address is a&amp;b@"
				     "example.de."));
	expect_input(html, "new_email", "email", "email");
	expect_input(html, "current_password", "password", "current-password");
	g_free(html);
	page_vars_free(v);
}

static void
test_home_and_privacy(void **state)
{
	struct page_vars *v = page_vars_new();
	char *html;

	(void)state;
	common_vars(v, "de");
	html = render("home", "de", v);
	assert_non_null(strstr(html, "href=\"/login\""));
	assert_non_null(strstr(html, "href=\"/register\""));
	assert_null(strstr(html, "/logout"));
	/* The language switch keeps the path (relative reference). */
	assert_non_null(strstr(html, "<a href=\"?lang=en\" hreflang=\"en\" "
				     "lang=\"en\">English</a>"));
	g_free(html);
	page_vars_set_bool(v, "logged_in", true);
	html = render("home", "de", v);
	assert_non_null(strstr(html, "<a class=\"button\" href=\"/account\">"));
	assert_null(strstr(html, "href=\"/register\""));
	assert_non_null(strstr(html, "action=\"/logout\""));
	g_free(html);

	static const char *const de_musts[] = {
		"Datenschutzhinweise",
		"[Betreiber]",
		"Art. 6 Abs. 1 Buchstabe e",
		"Buchstabe c",
		"Art. 15",
		"Art. 16",
		"Art. 17",
		"Art. 18",
		"Art. 20",
		"Art. 21",
		"Art. 77",
		"24 Stunden",
		"JSON",
		"Sicherheitsprotokoll",
		"Aufsichtsbehörde",
		"Meine Daten "
		"herunterladen",
		"Konto löschen",
		"Einwilligung",
	};
	static const char *const en_musts[] = {
		"Privacy notice",
		"[Betreiber]",
		"Article 6(1)(e) and (c)",
		"Article 15",
		"Article 16",
		"Article 17",
		"Article 18",
		"Article 20",
		"Article 21",
		"Article 77",
		"24 hours",
		"JSON",
		"Security log",
		"supervisory authority",
		"Download my data",
		"Delete account",
		"consent",
	};
	html = render("privacy", "de", v);
	for (size_t i = 0; i < G_N_ELEMENTS(de_musts); i++)
		if (strstr(html, de_musts[i]) == NULL)
			fail_msg("privacy/de lacks \"%s\"", de_musts[i]);
	/* The labels it cites are the ones on the account page. */
	assert_non_null(strstr(html, page_text("de", "account.export_link")));
	assert_non_null(strstr(html, page_text("de", "account.delete_link")));
	g_free(html);
	html = render("privacy", "en", v);
	for (size_t i = 0; i < G_N_ELEMENTS(en_musts); i++)
		if (strstr(html, en_musts[i]) == NULL)
			fail_msg("privacy/en lacks \"%s\"", en_musts[i]);
	assert_non_null(strstr(html, page_text("en", "account.export_link")));
	g_free(html);
	page_vars_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_list),
		cmocka_unit_test(test_every_page),
		cmocka_unit_test(test_field_errors),
		cmocka_unit_test(test_register_and_login),
		cmocka_unit_test(test_account_page),
		cmocka_unit_test(test_flow_pages),
		cmocka_unit_test(test_home_and_privacy),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
