/*
 * How a template's text becomes a tree: tags between {{ and }}, the text
 * between them kept as it is. Errors name the file and the line; a
 * template that does not parse stops idpd at startup, never a request.
 *
 * Like mustache, a section, close, partial or comment tag that stands
 * alone on its line takes the whole line with it, so that mail templates
 * keep their line breaks where the author wrote them.
 */
#include <stdio.h>
#include <string.h>

#include "idp/page/page_internal.h"

struct frame {
	struct page_node *section; /* NULL at the top */
	struct page_node **tail;   /* where the next node goes */
};

struct parser {
	const char *file;
	const char *text;
	size_t len;
	enum page_syntax syntax;
	char *err;
	size_t errlen;
	struct frame stack[PAGE_MAX_DEPTH + 1];
	unsigned depth;
};

static int
fail(struct parser *p, unsigned line, const char *what, const char *name)
{
	snprintf(p->err, p->errlen, "%s:%u: %s%s%s%s", p->file, line, what,
		 name != NULL ? " '" : "", name != NULL ? name : "",
		 name != NULL ? "'" : "");
	return IDP_ERR_INVALID;
}

void
page_node_free(struct page_node *n)
{
	while (n != NULL) {
		struct page_node *next = n->next;

		page_node_free(n->child);
		g_free(n->name);
		g_free(n->text);
		g_free(n);
		n = next;
	}
}

static struct page_node *
append(struct parser *p, enum page_node_kind kind, unsigned line)
{
	struct page_node *n = g_new0(struct page_node, 1);
	struct frame *f = &p->stack[p->depth];

	n->kind = kind;
	n->line = line;
	*f->tail = n;
	f->tail = &n->next;
	return n;
}

static void
append_text(struct parser *p, size_t from, size_t to, unsigned line)
{
	struct page_node *n;

	if (to <= from)
		return;
	n = append(p,
		   p->syntax == PAGE_SYNTAX_TEXT ? PAGE_NODE_PLAIN
						 : PAGE_NODE_MARKUP,
		   line);
	n->text = g_strndup(p->text + from, to - from);
	n->len = to - from;
}

bool
page_key_valid(const char *s, size_t len)
{
	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.'))
			return false;
	}
	return true;
}

bool
page_name_valid(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

static unsigned
count_lines(const char *s, size_t from, size_t to)
{
	unsigned n = 0;

	for (size_t i = from; i < to; i++)
		if (s[i] == '\n')
			n++;
	return n;
}

/*
 * Whether the tag [open, close) stands alone on its line. If so, *ls is
 * where its line starts and *after is the start of the next line.
 */
static bool
standalone(const struct parser *p, size_t pos, size_t open, size_t close,
	   size_t *ls, size_t *after)
{
	size_t l = open, r = close;

	while (l > pos && (p->text[l - 1] == ' ' || p->text[l - 1] == '\t'))
		l--;
	if (l != 0 && p->text[l - 1] != '\n')
		return false;
	while (r < p->len &&
	       (p->text[r] == ' ' || p->text[r] == '\t' || p->text[r] == '\r'))
		r++;
	if (r < p->len && p->text[r] != '\n')
		return false;
	*ls = l;
	*after = r < p->len ? r + 1 : r;
	return true;
}

static int
open_section(struct parser *p, enum page_node_kind kind, const char *name,
	     size_t nlen, unsigned line)
{
	struct page_node *n;

	if (p->syntax == PAGE_SYNTAX_TEXT)
		return fail(p, line, "only {{name}} tags are allowed here",
			    NULL);
	if (p->depth == PAGE_MAX_DEPTH)
		return fail(p, line,
			    "sections nested deeper than PAGE_MAX_DEPTH", NULL);
	n = append(p, kind, line);
	n->name = g_strndup(name, nlen);
	p->depth++;
	p->stack[p->depth].section = n;
	p->stack[p->depth].tail = &n->child;
	return 0;
}

static int
close_section(struct parser *p, const char *name, size_t nlen, unsigned line)
{
	char *got = g_strndup(name, nlen);
	char want[128];
	int rc = 0;

	if (p->depth == 0) {
		rc = fail(p, line, "closes a section that is not open", got);
		goto out;
	}
	if (strcmp(p->stack[p->depth].section->name, got) != 0) {
		snprintf(want, sizeof(want),
			 "closes '%s' but '%s' (line %u) "
			 "is open",
			 got, p->stack[p->depth].section->name,
			 p->stack[p->depth].section->line);
		rc = fail(p, line, want, NULL);
		goto out;
	}
	p->depth--;
out:
	g_free(got);
	return rc;
}

/* One tag: the characters between {{ and }}, at @line. */
static int
tag(struct parser *p, const char *t, size_t tlen, unsigned line)
{
	char sigil = tlen > 0 ? t[0] : '\0';
	struct page_node *n;
	const char *name = t;
	size_t nlen = tlen;

	if (sigil == '!')
		return 0;
	if (tlen > PAGE_MAX_TAG)
		return fail(p, line, "tag longer than PAGE_MAX_TAG", NULL);
	if (sigil == '#' || sigil == '^' || sigil == '?' || sigil == '/' ||
	    sigil == '>') {
		name++;
		nlen--;
	} else if (tlen >= 2 && t[0] == 't' && t[1] == ':') {
		sigil = 't';
		name += 2;
		nlen -= 2;
	} else {
		sigil = '\0';
	}
	while (nlen > 0 && *name == ' ') {
		name++;
		nlen--;
	}
	while (nlen > 0 && name[nlen - 1] == ' ')
		nlen--;
	if (sigil == 't' ? !page_key_valid(name, nlen)
			 : !page_name_valid(name, nlen)) {
		char shown[PAGE_MAX_TAG + 1];
		snprintf(shown, sizeof(shown), "%.*s", (int)tlen, t);
		return fail(p, line,
			    "bad tag (names are [a-z0-9_]+, keys "
			    "[a-z0-9_.]+; there is no unescaped output)",
			    shown);
	}
	switch (sigil) {
	case '#':
		return open_section(p, PAGE_NODE_SECTION, name, nlen, line);
	case '?':
		return open_section(p, PAGE_NODE_IF, name, nlen, line);
	case '^':
		return open_section(p, PAGE_NODE_INVERTED, name, nlen, line);
	case '/':
		return close_section(p, name, nlen, line);
	case '>':
		if (p->syntax == PAGE_SYNTAX_TEXT)
			return fail(p, line,
				    "only {{name}} tags are allowed here",
				    NULL);
		n = append(p, PAGE_NODE_PARTIAL, line);
		break;
	case 't':
		if (p->syntax == PAGE_SYNTAX_TEXT)
			return fail(p, line,
				    "only {{name}} tags are allowed here",
				    NULL);
		n = append(p, PAGE_NODE_TEXT, line);
		break;
	default:
		n = append(p, PAGE_NODE_VAR, line);
		break;
	}
	n->name = g_strndup(name, nlen);
	return 0;
}

int
page_parse(const char *file, unsigned line, const char *text, size_t len,
	   enum page_syntax syntax, struct page_node **root, char *err,
	   size_t errlen)
{
	struct parser p = {
		.file = file,
		.text = text,
		.len = len,
		.syntax = syntax,
		.err = err,
		.errlen = errlen,
	};
	size_t pos = 0;
	int rc = 0;

	*root = NULL;
	p.stack[0].tail = root;
	if (memchr(text, '\0', len) != NULL) {
		rc = fail(&p, line, "contains a NUL byte", NULL);
		goto out;
	}
	while (pos < len) {
		const char *o =
			g_strstr_len(text + pos, (gssize)(len - pos), "{{");
		size_t open, close, ls, after;
		const char *c;
		unsigned tag_line;

		if (o == NULL) {
			append_text(&p, pos, len, line);
			break;
		}
		open = (size_t)(o - text);
		tag_line = line + count_lines(text, pos, open);
		c = g_strstr_len(text + open + 2, (gssize)(len - open - 2),
				 "}}");
		if (c == NULL) {
			rc = fail(&p, tag_line, "'{{' without '}}'", NULL);
			goto out;
		}
		close = (size_t)(c - text) + 2;
		if (strchr("#^?/>!", text[open + 2]) != NULL &&
		    standalone(&p, pos, open, close, &ls, &after)) {
			append_text(&p, pos, ls, line);
		} else {
			append_text(&p, pos, open, line);
			after = close;
		}
		rc = tag(&p, text + open + 2, close - open - 4, tag_line);
		if (rc != 0)
			goto out;
		line += count_lines(text, pos, after);
		pos = after;
	}
	if (p.depth > 0)
		rc = fail(&p, p.stack[p.depth].section->line,
			  "section is not closed",
			  p.stack[p.depth].section->name);
out:
	if (rc != 0) {
		page_node_free(*root);
		*root = NULL;
	}
	return rc;
}
