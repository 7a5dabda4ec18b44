/*
 * How a template tree and a set of variables become a page or a mail.
 * Pure: reads the (immutable) set and the caller's variables, writes only
 * into the caller's buffer, so any number of threads render at once.
 *
 * In pages every variable and every translation passes through
 * html_escape_append(); only the template's own markup is written as it
 * is. Mails are plain text: nothing is escaped, but control characters in
 * variables become spaces.
 */
#include <string.h>

#include "idp/common/html.h"
#include "idp/page/page_internal.h"

struct render {
	const struct page_set *set;
	enum page_lang lang;
	bool html;
	GString *out;
	size_t base;		     /* out->len when rendering began */
	const struct page_tpl *page; /* the layout's content and title */
};

static int nodes(struct render *r, const struct page_node *n,
		 const struct page_vars *v, unsigned depth);

static int
bounded(const struct render *r)
{
	return r->out->len - r->base > PAGE_MAX_OUTPUT ? IDP_ERR_TOO_LARGE : 0;
}

static void
emit(struct render *r, const char *s, size_t len, bool escape)
{
	if (escape && r->html)
		html_escape_append(r->out, s);
	else
		g_string_append_len(r->out, s, (gssize)len);
}

/*
 * A variable's value. In a mail every value is one line of valid UTF-8:
 * a CR or LF (or any other control character, C1 included) from input
 * could otherwise start lines of its own in our mail, a fake link under
 * our name, or a header in the subject; they become spaces, and invalid
 * UTF-8 becomes U+FFFD, which the mail module would refuse otherwise.
 */
static void
emit_value(struct render *r, const char *s)
{
	char *valid;

	if (r->html) {
		html_escape_append(r->out, s);
		return;
	}
	valid = g_utf8_make_valid(s, -1);
	for (const char *p = valid; *p != '\0';) {
		gunichar c = g_utf8_get_char(p);
		unsigned n = g_utf8_skip[*(const guchar *)p];

		if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
			g_string_append_c(r->out, ' ');
		else
			g_string_append_len(r->out, p, n);
		p += n;
	}
	g_free(valid);
}

static int
translation(struct render *r, size_t key, const struct page_vars *v,
	    unsigned depth)
{
	return nodes(r, r->set->trees[r->lang]->pdata[key], v, depth + 1);
}

static int
section(struct render *r, const struct page_node *n, const struct page_vars *v,
	unsigned depth)
{
	const struct page_value *val = page_vars_lookup(v, n->name);
	int rc = 0;

	switch (n->kind) {
	case PAGE_NODE_SECTION:
		if (val != NULL && val->type == PAGE_VALUE_LIST) {
			for (guint i = 0; i < val->rows->len && rc == 0; i++)
				rc = nodes(r, n->child, val->rows->pdata[i],
					   depth + 1);
			return rc;
		}
		return page_value_truthy(val) ? nodes(r, n->child, v, depth + 1)
					      : 0;
	case PAGE_NODE_IF:
		return page_value_truthy(val) ? nodes(r, n->child, v, depth + 1)
					      : 0;
	case PAGE_NODE_INVERTED:
		return page_value_truthy(val)
			       ? 0
			       : nodes(r, n->child, v, depth + 1);
	case PAGE_NODE_MARKUP:
	case PAGE_NODE_PLAIN:
	case PAGE_NODE_VAR:
	case PAGE_NODE_TEXT:
	case PAGE_NODE_PARTIAL:
	case PAGE_NODE_CONTENT:
	case PAGE_NODE_TITLE:
		break;
	}
	return IDP_ERR_INTERNAL;
}

/* The page's title: the variable "title" if set, else title.<name>. */
static int
title(struct render *r, const struct page_vars *v, unsigned depth)
{
	const struct page_value *val = page_vars_lookup(v, "title");

	if (val != NULL && val->type == PAGE_VALUE_STRING &&
	    val->s[0] != '\0') {
		emit_value(r, val->s);
		return 0;
	}
	return translation(r, r->page->title_key, v, depth);
}

static int
nodes(struct render *r, const struct page_node *n, const struct page_vars *v,
      unsigned depth)
{
	const struct page_value *val;
	int rc = 0;

	/* The set's checks keep us far below this; reaching it is a bug. */
	if (depth > PAGE_MAX_RENDER_DEPTH)
		return IDP_ERR_INTERNAL;
	for (; n != NULL && rc == 0; n = n->next) {
		switch (n->kind) {
		case PAGE_NODE_MARKUP:
			emit(r, n->text, n->len, false);
			break;
		case PAGE_NODE_PLAIN:
			emit(r, n->text, n->len, true);
			break;
		case PAGE_NODE_VAR:
			/* Booleans and lists have no text; unset is empty. */
			val = page_vars_lookup(v, n->name);
			if (val != NULL && val->type == PAGE_VALUE_STRING)
				emit_value(r, val->s);
			break;
		case PAGE_NODE_TEXT:
			rc = translation(r, n->key, v, depth);
			break;
		case PAGE_NODE_SECTION:
		case PAGE_NODE_IF:
		case PAGE_NODE_INVERTED:
			rc = section(r, n, v, depth);
			break;
		case PAGE_NODE_PARTIAL:
			rc = nodes(r, n->partial->root[r->lang], v, depth + 1);
			break;
		case PAGE_NODE_CONTENT:
			rc = r->page != NULL ? nodes(r, r->page->root[r->lang],
						     v, depth + 1)
					     : IDP_ERR_INTERNAL;
			break;
		case PAGE_NODE_TITLE:
			rc = r->page != NULL ? title(r, v, depth)
					     : IDP_ERR_INTERNAL;
			break;
		}
		if (rc == 0)
			rc = bounded(r);
	}
	return rc;
}

int
page_set_render(const struct page_set *s, const char *name, const char *lang,
		const struct page_vars *v, GString *out)
{
	struct page_vars *empty = NULL;
	struct render r = {
		.set = s,
		.lang = page_lang_parse(lang),
		.html = true,
		.out = out,
		.base = out->len,
	};
	int rc;

	if (s == NULL || name == NULL || s->layout == NULL)
		return IDP_ERR_INVALID;
	r.page = g_hash_table_lookup(s->pages, name);
	if (r.page == NULL)
		return IDP_ERR_INVALID;
	if (v == NULL)
		v = empty = page_vars_new();
	rc = nodes(&r, s->layout->root[r.lang], v, 0);
	if (rc != 0)
		g_string_truncate(out, r.base);
	page_vars_free(empty);
	return rc;
}

/*
 * A subject is one header line. Variables are already on one line (see
 * emit_value()); the template's own text could still hold a tab.
 */
static void
subject_clean(GString *s)
{
	for (size_t i = 0; i < s->len; i++)
		if ((unsigned char)s->str[i] < 0x20 || s->str[i] == 0x7f)
			s->str[i] = ' ';
	while (s->len > 0 && s->str[s->len - 1] == ' ')
		g_string_truncate(s, s->len - 1);
}

int
page_set_render_mail(const struct page_set *s, const char *name,
		     const char *lang, const struct page_vars *v,
		     char **subject, char **body)
{
	struct page_vars *empty = NULL;
	GString *sub = g_string_sized_new(128);
	GString *text = g_string_sized_new(2048);
	const struct page_tpl *t;
	struct render r = {
		.set = s,
		.lang = page_lang_parse(lang),
		.html = false,
	};
	int rc = IDP_ERR_INVALID;

	*subject = NULL;
	*body = NULL;
	if (s == NULL || name == NULL)
		goto out;
	t = g_hash_table_lookup(s->mails, name);
	if (t == NULL)
		goto out;
	if (v == NULL)
		v = empty = page_vars_new();
	r.out = sub;
	rc = nodes(&r, t->subject[r.lang], v, 0);
	if (rc != 0)
		goto out;
	subject_clean(sub);
	r.out = text;
	rc = nodes(&r, t->root[r.lang], v, 0);
	if (rc != 0)
		goto out;
	*subject = g_string_free(sub, FALSE);
	*body = g_string_free(text, FALSE);
	sub = text = NULL;
out:
	if (sub != NULL)
		g_string_free(sub, TRUE);
	if (text != NULL)
		g_string_free(text, TRUE);
	page_vars_free(empty);
	return rc;
}
