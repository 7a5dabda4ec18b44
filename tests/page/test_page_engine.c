/*
 * The template engine on made-up files: escaping, sections, lists,
 * partials, limits, and every way a set of files can be refused, with the
 * file and line the message must name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/page/page_internal.h"

#define LAYOUT "templates/_layout.html"
#define DE     "i18n/de.txt"
#define EN     "i18n/en.txt"

struct tfile {
	const char *path;
	const char *text;
};

/* Defaults that every set needs; a file of the same path overrides. */
static const struct tfile defaults[] = {
	{DE, "# comment\n\ntitle.p = Seite\nhello = Hallo {{name}}!\n"
	     "dotted.key = Punkt\n"},
	{EN, "title.p = Page\nhello = Hello {{name}}!\n"
	     "dotted.key = Dot\n"},
	{LAYOUT, "<html lang=\"{{lang}}\"><title>{{>title}}</title>"
		 "{{>content}}</html>"},
};

/*
 * Build a set from @files plus the defaults not overridden. A text of
 * NULL removes a default. Returns page_set_new()'s result.
 */
static int
build(const struct tfile *files, size_t n, struct page_set **s, char *err,
      size_t errlen)
{
	struct page_file all[64];
	size_t k = 0;

	for (size_t d = 0; d < G_N_ELEMENTS(defaults); d++) {
		bool overridden = false;
		for (size_t i = 0; i < n; i++)
			if (strcmp(files[i].path, defaults[d].path) == 0)
				overridden = true;
		if (!overridden) {
			all[k].path = defaults[d].path;
			all[k].text = defaults[d].text;
			all[k].len = strlen(defaults[d].text);
			k++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (files[i].text == NULL)
			continue;
		all[k].path = files[i].path;
		all[k].text = files[i].text;
		all[k].len = strlen(files[i].text);
		k++;
	}
	err[0] = '\0';
	return page_set_new(all, k, s, err, errlen);
}

/* A set with the one page templates/p.html = @page. */
static struct page_set *
build_page(const char *page)
{
	struct tfile f[] = {{"templates/p.html", page}};
	struct page_set *s = NULL;
	char err[512];

	if (build(f, 1, &s, err, sizeof(err)) != 0)
		fail_msg("build: %s", err);
	return s;
}

/* Render templates/p.html = @page and return the part inside the layout. */
static char *
render_body(const char *page, const char *lang, const struct page_vars *v)
{
	struct page_set *s = build_page(page);
	GString *out = g_string_new(NULL);
	char *start, *body;

	assert_int_equal(page_set_render(s, "p", lang, v, out), 0);
	start = strstr(out->str, "</title>");
	assert_non_null(start);
	start += strlen("</title>");
	assert_true(g_str_has_suffix(out->str, "</html>"));
	body = g_strndup(start, strlen(start) - strlen("</html>"));
	g_string_free(out, TRUE);
	page_set_free(s);
	return body;
}

static void
expect_body(const char *page, const struct page_vars *v, const char *want)
{
	char *got = render_body(page, "de", v);

	assert_string_equal(got, want);
	g_free(got);
}

static void
test_escaping(void **state)
{
	struct page_vars *v = page_vars_new();
	char *got;

	(void)state;
	page_vars_set(v, "v", "<script>alert('x')</script>&\"");
	page_vars_set(v, "name", "<b>");
	expect_body("<p title=\"{{v}}\">{{v}}</p>", v,
		    "<p title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
		    "&amp;&quot;\">&lt;script&gt;alert(&#39;x&#39;)&lt;/"
		    "script&gt;&amp;&quot;</p>");
	/* Translations are text: escaped, and so are their variables. */
	expect_body("{{t:hello}}", v, "Hallo &lt;b&gt;!");
	got = render_body("{{t:hello}} {{t:dotted.key}}", "en", v);
	assert_string_equal(got, "Hello &lt;b&gt;! Dot");
	g_free(got);
	/* Template markup itself is written as it is. */
	expect_body("<em>&amp;</em>", v, "<em>&amp;</em>");
	page_vars_free(v);
}

static void
test_title(void **state)
{
	struct page_set *s = build_page("x");
	struct page_vars *v = page_vars_new();
	GString *out = g_string_new(NULL);

	(void)state;
	assert_int_equal(page_set_render(s, "p", "en", v, out), 0);
	assert_string_equal(out->str,
			    "<html lang=\"\"><title>Page</title>x</html>");
	g_string_truncate(out, 0);
	page_vars_set(v, "title", "A <title>");
	page_vars_set(v, "lang", "de");
	assert_int_equal(page_set_render(s, "p", "de", v, out), 0);
	assert_string_equal(out->str, "<html lang=\"de\"><title>A &lt;title"
				      "&gt;</title>x</html>");
	g_string_free(out, TRUE);
	page_vars_free(v);
	page_set_free(s);
}

static void
test_sections(void **state)
{
	struct page_vars *v = page_vars_new();

	(void)state;
	/* Unset, empty, false: the inverted block. */
	expect_body("{{#a}}yes{{/a}}{{^a}}no{{/a}}[{{a}}]", v, "no[]");
	page_vars_set(v, "a", "");
	expect_body("{{#a}}yes{{/a}}{{^a}}no{{/a}}", v, "no");
	page_vars_set_bool(v, "a", false);
	expect_body("{{#a}}yes{{/a}}{{^a}}no{{/a}}{{?a}}if{{/a}}", v, "no");
	/* Set: the block; a boolean has no text of its own. */
	page_vars_set_bool(v, "a", true);
	expect_body("{{#a}}yes{{/a}}{{^a}}no{{/a}}[{{a}}]", v, "yes[]");
	page_vars_set(v, "a", "x");
	expect_body("{{#a}}<{{a}}>{{/a}}", v, "<x>");
	/* NULL unsets. */
	page_vars_set(v, "a", NULL);
	expect_body("{{#a}}yes{{/a}}{{^a}}no{{/a}}", v, "no");
	/* Nested, with whitespace inside tags. */
	page_vars_set(v, "a", "1");
	page_vars_set(v, "b", "2");
	expect_body("{{# a }}{{#b}}{{ a }}{{b}}{{/b}}{{/ a }}", v, "12");
	/* Comments vanish. */
	expect_body("a{{! a comment with } and { }}b", v, "ab");
	page_vars_free(v);
}

static void
test_lists(void **state)
{
	struct page_vars *v = page_vars_new();
	struct page_vars *r;

	(void)state;
	page_vars_set(v, "csrf", "T");
	page_vars_set(v, "name", "outer");
	/* An empty list is false; iterate shows nothing. */
	expect_body("{{#rows}}x{{/rows}}{{^rows}}none{{/rows}}"
		    "{{?rows}}some{{/rows}}",
		    v, "none");
	r = page_vars_add_row(v, "rows");
	page_vars_set(r, "name", "a<");
	page_vars_set_bool(r, "cur", true);
	r = page_vars_add_row(v, "rows");
	page_vars_set(r, "name", "b");
	r = page_vars_add_row(v, "rows");
	/* Row lookups fall back to the page: csrf in every row, name from
	 * the page in the row that has none. */
	expect_body("{{#rows}}[{{name}}|{{csrf}}{{#cur}}*{{/cur}}]{{/rows}}", v,
		    "[a&lt;|T*][b|T][outer|T]");
	/* {{?list}} renders once. */
	expect_body("{{?rows}}<ul>{{#rows}}<li>{{name}}</li>{{/rows}}</ul>"
		    "{{/rows}}",
		    v, "<ul><li>a&lt;</li><li>b</li><li>outer</li></ul>");
	/* A list replaces a string of the same name and vice versa. */
	page_vars_set(v, "s", "str");
	r = page_vars_add_row(v, "s");
	page_vars_set(r, "x", "1");
	expect_body("{{#s}}({{x}}){{/s}}[{{s}}]", v, "(1)[]");
	page_vars_set(v, "s", "again");
	expect_body("{{#s}}({{x}}){{/s}}[{{s}}]", v, "()[again]");
	/* Lists in rows. */
	r = page_vars_add_row(v, "outer");
	page_vars_set(page_vars_add_row(r, "inner"), "x", "i1");
	page_vars_set(page_vars_add_row(r, "inner"), "x", "i2");
	expect_body("{{#outer}}{{#inner}}{{x}}{{csrf}},{{/inner}}{{/outer}}", v,
		    "i1T,i2T,");
	page_vars_free(v);
	page_vars_free(NULL);
}

static void
test_partials(void **state)
{
	struct tfile f[] = {
		{"templates/p.html", "<{{>part}}>"},
		{"templates/_part.html", "{{#x}}{{x}}{{/x}}{{>deeper}}"},
		{"templates/_deeper.html", "!{{t:hello}}"},
	};
	struct page_vars *v = page_vars_new();
	GString *out = g_string_new(NULL);
	struct page_set *s = NULL;
	char err[256];

	(void)state;
	assert_int_equal(build(f, G_N_ELEMENTS(f), &s, err, sizeof(err)), 0);
	page_vars_set(v, "x", "&");
	page_vars_set(v, "name", "N");
	assert_int_equal(page_set_render(s, "p", "de", v, out), 0);
	assert_non_null(strstr(out->str, "<&amp;!Hallo N!>"));
	/* Partials and the layout are not pages. */
	g_string_assign(out, "keep");
	assert_int_equal(page_set_render(s, "part", "de", v, out),
			 IDP_ERR_INVALID);
	assert_int_equal(page_set_render(s, "_part", "de", v, out),
			 IDP_ERR_INVALID);
	assert_int_equal(page_set_render(s, "layout", "de", v, out),
			 IDP_ERR_INVALID);
	assert_int_equal(page_set_render(s, "nope", "de", v, out),
			 IDP_ERR_INVALID);
	assert_int_equal(page_set_render(s, NULL, "de", v, out),
			 IDP_ERR_INVALID);
	assert_int_equal(page_set_render(NULL, "p", "de", v, out),
			 IDP_ERR_INVALID);
	assert_string_equal(out->str, "keep");
	/* NULL vars: an empty set. */
	assert_int_equal(page_set_render(s, "p", "de", NULL, out), 0);
	g_string_free(out, TRUE);
	page_vars_free(v);
	page_set_free(s);
}

/* Per-language files, and the language choice. */
static void
test_languages(void **state)
{
	struct tfile f[] = {
		{"templates/p.de.html", "deutsch {{t:hello}}"},
		{"templates/p.en.html", "english {{t:hello}}"},
	};
	GString *out = g_string_new(NULL);
	struct page_set *s = NULL;
	char err[256];

	(void)state;
	assert_int_equal(build(f, G_N_ELEMENTS(f), &s, err, sizeof(err)), 0);
	assert_int_equal(page_set_render(s, "p", "en", NULL, out), 0);
	assert_non_null(strstr(out->str, "english Hello !"));
	g_string_truncate(out, 0);
	assert_int_equal(page_set_render(s, "p", "de", NULL, out), 0);
	assert_non_null(strstr(out->str, "deutsch Hallo !"));
	/* Anything but "en" is German. */
	g_string_truncate(out, 0);
	assert_int_equal(page_set_render(s, "p", "fr", NULL, out), 0);
	assert_non_null(strstr(out->str, "deutsch"));
	g_string_truncate(out, 0);
	assert_int_equal(page_set_render(s, "p", NULL, NULL, out), 0);
	assert_non_null(strstr(out->str, "deutsch"));
	assert_string_equal(page_set_text(s, "en", "title.p"), "Page");
	assert_string_equal(page_set_text(s, "de", "title.p"), "Seite");
	assert_string_equal(page_set_text(s, "xx", "title.p"), "Seite");
	assert_string_equal(page_set_text(s, "de", "no.such.key"),
			    "no.such.key");
	/* Raw text: placeholders are not filled in by page_text(). */
	assert_string_equal(page_set_text(s, "de", "hello"), "Hallo {{name}}!");
	g_string_free(out, TRUE);
	page_set_free(s);
}

struct bad {
	struct tfile f[3];
	const char *want; /* substring of the error */
};

static const struct bad bad_sets[] = {
	{{{"templates/p.html", "a\n{{#x}}\nb"}},
	 "templates/p.html:2: section is not closed 'x'"},
	{{{"templates/p.html", "\n\n{{#x}}{{/y}}"}},
	 "templates/p.html:3: closes 'y' but 'x' (line 3) is open"},
	{{{"templates/p.html", "{{/x}}"}},
	 "templates/p.html:1: closes a section that is not open 'x'"},
	{{{"templates/p.html", "x\n{{>nope}}"}},
	 "templates/p.html:2: unknown partial 'nope' (no "
	 "templates/_nope.html)"},
	{{{"templates/p.html", "a\nb\n<p>{{t:nope}}</p>"}},
	 "templates/p.html:3: unknown translation key 'nope'"},
	{{{"templates/p.html", "{{ }}"}}, "templates/p.html:1: bad tag"},
	{{{"templates/p.html", "{{a b}}"}}, "bad tag"},
	{{{"templates/p.html", "{{A}}"}}, "bad tag"},
	{{{"templates/p.html", "{{a.b}}"}}, "bad tag"},
	{{{"templates/p.html", "{{t:.a}}"}}, "bad tag"},
	{{{"templates/p.html", "{{{raw}}}"}}, "bad tag"},
	{{{"templates/p.html", "{{&raw}}"}}, "bad tag"},
	{{{"templates/p.html", "ok\n{{x"}},
	 "templates/p.html:2: '{{' without '}}'"},
	{{{"templates/p.html",
	   "{{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	   "aaaaa}}"}},
	 "tag longer than PAGE_MAX_TAG"},
	{{{"templates/p.html", "{{>content}}"}},
	 "templates/p.html:1: '{{>content}}' belongs to the layout only"},
	{{{"templates/p.html", "{{>layout}}"}}, "belongs to the layout"},
	{{{"templates/p.html", "x"},
	  {EN, "title.p = P\nhello = H\ndotted.key = D\nextra = E\n"}},
	 "i18n/en.txt:4: key 'extra' is not in i18n/de.txt"},
	{{{"templates/p.html", "x"}, {EN, "title.p = P\nhello = H\n"}},
	 "i18n/en.txt: key 'dotted.key' is missing"},
	{{{"templates/p.html", "x"},
	  {DE, "title.p = S\nhello = H\ntitle.p = T\n"}},
	 "i18n/de.txt:3: key 'title.p' defined twice"},
	{{{"templates/p.html", "x"}, {DE, "title.p = S\njunk\n"}},
	 "i18n/de.txt:2: expected 'key = text'"},
	{{{"templates/p.html", "x"}, {DE, "title.p = S\nempty =  \n"}},
	 "i18n/de.txt:2: key 'empty' has no text"},
	{{{"templates/p.html", "x"}, {DE, "Title = S\n"}},
	 "i18n/de.txt:1: bad key"},
	{{{"templates/p.html", "x"}, {DE, "title.p = {{#x}}y{{/x}}\n"}},
	 "i18n/de.txt:1: only {{name}} tags are allowed here"},
	{{{"templates/p.html", "x"}, {DE, "title.p = {{t:hello}}\n"}},
	 "only {{name}} tags"},
	{{{"templates/p.html", "x"}, {DE, "title.p = {{>x}}\n"}},
	 "only {{name}} tags"},
	{{{"templates/q.html", "x"}},
	 "templates/q.html: translation key 'title.q' (the page's <title>) "
	 "is missing"},
	{{{"templates/p.html", "x"}, {LAYOUT, "no slot"}},
	 "templates/_layout.html: needs exactly one {{>content}}"},
	{{{"templates/p.html", "x"}, {LAYOUT, "{{#a}}{{>content}}{{/a}}"}},
	 "needs exactly one {{>content}}"},
	{{{"templates/p.html", "x"}, {LAYOUT, "{{>content}}{{>content}}"}},
	 "needs exactly one {{>content}}"},
	{{{"templates/p.html", "x"}, {LAYOUT, NULL}},
	 "templates/_layout.html is missing"},
	{{{"templates/p.de.html", "x"}},
	 "templates/p.de.html: no file in language 'en' beside it"},
	{{{"templates/p.html", "x"}, {"templates/p.en.html", "y"}},
	 "both a file for all languages and one per language"},
	{{{"templates/sub/p.html", "x"}},
	 "templates/sub/p.html: unexpected file name"},
	{{{"templates/P.html", "x"}}, "unexpected file name"},
	{{{"templates/p.htm", "x"}}, "unexpected file name"},
	{{{"templates/p.fr.html", "x"}}, "unexpected file name"},
	{{{"other/p.html", "x"}}, "unexpected file name"},
	{{{"i18n/fr.txt", "a = b\n"}},
	 "i18n/fr.txt: only de and en are supported"},
	{{{DE, NULL}}, "i18n/de.txt is missing"},
	{{{"templates/p.html", "caf\xc3"}}, "templates/p.html: not UTF-8"},
	{{{"templates/mail/m.txt", "Hello\n"}},
	 "templates/mail/m.txt:1: a mail starts with a 'Subject: ' line"},
	{{{"templates/mail/m.txt", "Subject: x {{#a}}\nbody{{/a}}\n"}},
	 "templates/mail/m.txt:1: section is not closed 'a'"},
	{{{"templates/mail/m.txt", "Subject: x\n\nb\n{{>nope}}\n"}},
	 "templates/mail/m.txt:4: unknown partial 'nope' (no "
	 "templates/mail/_nope.txt)"},
	{{{"templates/p.html", "{{>a}}"},
	  {"templates/_a.html", "{{>b}}"},
	  {"templates/_b.html", "{{#x}}{{>a}}{{/x}}"}},
	 "nested deeper than PAGE_MAX_DEPTH"},
};

static void
test_refused_sets(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(bad_sets); i++) {
		const struct bad *b = &bad_sets[i];
		size_t n = 0;
		struct page_set *s = NULL;
		char err[512];
		int rc;

		while (n < 3 && b->f[n].path != NULL)
			n++;
		rc = build(b->f, n, &s, err, sizeof(err));
		if (rc != IDP_ERR_INVALID || strstr(err, b->want) == NULL)
			fail_msg("case %zu: rc %d, error '%s', want '%s'", i,
				 rc, err, b->want);
		assert_null(s);
	}
}

static void
test_file_limits(void **state)
{
	char *big = g_malloc(PAGE_MAX_FILE + 2);
	struct page_file files[3];
	struct page_set *s = NULL;
	char err[256];

	(void)state;
	memset(big, 'x', PAGE_MAX_FILE + 1);
	big[PAGE_MAX_FILE + 1] = '\0';
	files[0] = (struct page_file){DE, "a = b\n", 6};
	files[1] = (struct page_file){EN, "a = b\n", 6};
	files[2] =
		(struct page_file){"templates/_x.html", big, PAGE_MAX_FILE + 1};
	assert_int_equal(page_set_new(files, 3, &s, err, sizeof(err)),
			 IDP_ERR_TOO_LARGE);
	assert_non_null(strstr(err, "templates/_x.html: larger than"));
	/* A NUL inside the declared length. */
	files[2] = (struct page_file){"templates/_x.html", "a\0b", 3};
	assert_int_equal(page_set_new(files, 3, &s, err, sizeof(err)),
			 IDP_ERR_INVALID);
	assert_non_null(strstr(err, "NUL"));
	assert_null(s);
	g_free(big);
}

/* Build a page of @levels nested sections around "x". */
static char *
nested(unsigned levels)
{
	GString *t = g_string_new(NULL);

	for (unsigned i = 0; i < levels; i++)
		g_string_append_printf(t, "{{#s%u}}", i);
	g_string_append(t, "x");
	for (unsigned i = levels; i > 0; i--)
		g_string_append_printf(t, "{{/s%u}}", i - 1);
	return g_string_free(t, FALSE);
}

static void
test_depth(void **state)
{
	struct page_vars *v = page_vars_new();
	char *ok = nested(PAGE_MAX_DEPTH), *deep = nested(PAGE_MAX_DEPTH + 1);
	char *deeper = nested(1000);
	struct tfile f[] = {{"templates/p.html", deep}};
	struct page_set *s = NULL;
	char err[512], name[16];

	(void)state;
	for (unsigned i = 0; i < PAGE_MAX_DEPTH; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		page_vars_set_bool(v, name, true);
	}
	expect_body(ok, v, "x");
	assert_int_equal(build(f, 1, &s, err, sizeof(err)), IDP_ERR_INVALID);
	assert_non_null(strstr(err, "templates/p.html:1: sections nested "
				    "deeper than PAGE_MAX_DEPTH"));
	f[0].text = deeper;
	assert_int_equal(build(f, 1, &s, err, sizeof(err)), IDP_ERR_INVALID);
	/* A partial counts as one more level. */
	{
		struct tfile g[] = {{"templates/p.html", "{{>a}}"},
				    {"templates/_a.html", ok}};
		assert_int_equal(build(g, 2, &s, err, sizeof(err)),
				 IDP_ERR_INVALID);
		assert_non_null(strstr(err, "templates/_a.html:1: sections "
					    "and partials nested deeper"));
	}
	g_free(ok);
	g_free(deep);
	g_free(deeper);
	page_vars_free(v);
}

static void
test_output_bound(void **state)
{
	char *half = g_malloc(PAGE_MAX_OUTPUT / 2 + 2);
	struct page_set *s = build_page("{{v}}{{v}}");
	struct page_vars *v = page_vars_new();
	GString *out = g_string_new("prefix");
	char *subject = (char *)"x", *body = (char *)"x";

	(void)state;
	memset(half, 'a', PAGE_MAX_OUTPUT / 2 + 1);
	half[PAGE_MAX_OUTPUT / 2 + 1] = '\0';
	page_vars_set(v, "v", half);
	assert_int_equal(page_set_render(s, "p", "de", v, out),
			 IDP_ERR_TOO_LARGE);
	/* On error the buffer is as it was. */
	assert_string_equal(out->str, "prefix");
	page_set_free(s);

	/* The same through many list rows. */
	s = build_page("{{#rows}}{{v}}{{/rows}}");
	page_vars_set(v, "v", "0123456789abcdef0123456789abcdef");
	for (int i = 0; i < 40000; i++)
		(void)page_vars_add_row(v, "rows");
	assert_int_equal(page_set_render(s, "p", "de", v, out),
			 IDP_ERR_TOO_LARGE);
	assert_string_equal(out->str, "prefix");
	page_set_free(s);

	/* And for mails. */
	{
		struct tfile f[] = {
			{"templates/mail/m.txt", "Subject: s\n{{v}}{{v}}"}};
		char err[256];
		assert_int_equal(build(f, 1, &s, err, sizeof(err)), 0);
		page_vars_set(v, "v", half);
		assert_int_equal(
			page_set_render_mail(s, "m", "de", v, &subject, &body),
			IDP_ERR_TOO_LARGE);
		assert_null(subject);
		assert_null(body);
		page_set_free(s);
	}
	g_string_free(out, TRUE);
	page_vars_free(v);
	g_free(half);
}

static void
test_mail(void **state)
{
	struct tfile f[] = {
		{"templates/mail/m.de.txt",
		 "Subject: Hallo {{name}} {{t:dotted.key}}\n"
		 "\n"
		 "{{>greet}}\n"
		 "Text {{name}} <b>&amp;\n"
		 "{{#x}}\n"
		 "  shown {{x}}\n"
		 "{{/x}}\n"
		 "  {{! standalone comment }}  \n"
		 "end\n"},
		{"templates/mail/m.en.txt", "Subject: Hello\nbody\n"},
		{"templates/mail/_greet.txt",
		 "Guten Tag{{#name}} {{name}}{{/name}},\n"},
	};
	struct page_vars *v = page_vars_new();
	struct page_set *s = NULL;
	char *subject, *body, err[256];
	size_t n;

	(void)state;
	assert_int_equal(build(f, G_N_ELEMENTS(f), &s, err, sizeof(err)), 0);
	page_vars_set(v, "name", "A\r\nBcc: evil@example.org\t<x>");
	assert_int_equal(page_set_render_mail(s, "m", "de", v, &subject, &body),
			 0);
	/* One header line: CR, LF and tabs from the variable are spaces. */
	assert_string_equal(subject,
			    "Hallo A  Bcc: evil@example.org <x> Punkt");
	/*
	 * Body: nothing escaped, standalone tag lines gone, and a value stays
	 * on its line (no lines of the sender's making in our mail).
	 */
	assert_string_equal(body, "Guten Tag A  Bcc: evil@example.org <x>,\n"
				  "Text A  Bcc: evil@example.org <x> "
				  "<b>&amp;\n"
				  "end\n");
	g_free(subject);
	g_free(body);
	/* C1 controls and invalid UTF-8 too. */
	page_vars_set(v, "name",
		      "a\xc2\x85"
		      "b\xff"
		      "c\x7f");
	assert_int_equal(page_set_render_mail(s, "m", "de", v, &subject, &body),
			 0);
	assert_string_equal(subject, "Hallo a b\xef\xbf\xbd"
				     "c  Punkt");
	assert_true(g_utf8_validate(body, -1, NULL));
	g_free(subject);
	g_free(body);
	page_vars_set(v, "x", "1");
	page_vars_set(v, "name", NULL);
	assert_int_equal(page_set_render_mail(s, "m", "de", v, &subject, &body),
			 0);
	assert_string_equal(body,
			    "Guten Tag,\nText  <b>&amp;\n  shown 1\nend\n");
	g_free(subject);
	g_free(body);
	assert_int_equal(
		page_set_render_mail(s, "m", "en", NULL, &subject, &body), 0);
	assert_string_equal(subject, "Hello");
	assert_string_equal(body, "body\n");
	g_free(subject);
	g_free(body);
	assert_int_equal(
		page_set_render_mail(s, "greet", "de", v, &subject, &body),
		IDP_ERR_INVALID);
	assert_int_equal(
		page_set_render_mail(s, "nope", "de", v, &subject, &body),
		IDP_ERR_INVALID);
	assert_null(subject);
	assert_null(body);
	assert_string_equal(page_set_mails(s, &n)[0], "m");
	assert_int_equal(n, 1);
	page_vars_free(v);
	page_set_free(s);
}

/* Mustache's standalone rule on pages too, and CRLF lines. */
static void
test_standalone(void **state)
{
	struct page_vars *v = page_vars_new();

	(void)state;
	page_vars_set_bool(v, "a", true);
	expect_body("1\n{{#a}}\n2\n{{/a}}\n3\n", v, "1\n2\n3\n");
	expect_body("1\r\n  {{#a}}  \r\n2\r\n{{/a}}\r\n3", v, "1\r\n2\r\n3");
	/* Not alone on the line: kept as written. */
	expect_body("x {{#a}}\ny{{/a}} z", v, "x \ny z");
	page_vars_free(v);
}

struct thread_arg {
	const struct page_set *s;
	const struct page_vars *v;
	const char *want;
	int failures;
};

static void *
render_many(void *p)
{
	struct thread_arg *a = p;
	GString *out = g_string_new(NULL);

	for (int i = 0; i < 300; i++) {
		g_string_truncate(out, 0);
		if (page_set_render(a->s, "p", i % 2 ? "en" : "de", a->v,
				    out) != 0 ||
		    (i % 2 == 0 && strcmp(out->str, a->want) != 0))
			a->failures++;
	}
	g_string_free(out, TRUE);
	return NULL;
}

/* One set, one vars, many threads: the render is pure. */
static void
test_threads(void **state)
{
	struct page_set *s =
		build_page("{{#rows}}<li>{{name}} {{t:hello}}</li>{{/rows}}");
	struct page_vars *v = page_vars_new();
	struct thread_arg args[4];
	pthread_t th[4];
	GString *want = g_string_new(NULL);

	(void)state;
	for (int i = 0; i < 50; i++) {
		char n[16];
		snprintf(n, sizeof(n), "r%d<", i);
		page_vars_set(page_vars_add_row(v, "rows"), "name", n);
	}
	assert_int_equal(page_set_render(s, "p", "de", v, want), 0);
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){s, v, want->str, 0};
		assert_int_equal(
			pthread_create(&th[i], NULL, render_many, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].failures, 0);
	}
	g_string_free(want, TRUE);
	page_vars_free(v);
	page_set_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_title),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_refused_sets),
		cmocka_unit_test(test_file_limits),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_output_bound),
		cmocka_unit_test(test_mail),
		cmocka_unit_test(test_standalone),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
