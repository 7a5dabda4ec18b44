/*
 * Inside idp/page: the parsed template tree, the set of templates and
 * translations built from a list of files, and the renderer. page.c keeps
 * one set built from the embedded files; tests build sets of their own
 * from made-up files to check the error paths.
 *
 * Thread-safety: a set is read-only once page_set_new() returned it, so
 * any number of threads may render from it at the same time.
 */
#ifndef IDP_PAGE_PAGE_INTERNAL_H
#define IDP_PAGE_PAGE_INTERNAL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "idp/common/err.h"
#include "idp/common/limits.h"
#include "idp/page/page.h"
#include "idp/page/page_files.h"

/*
 * The limits (PAGE_MAX_DEPTH, PAGE_MAX_OUTPUT, PAGE_MAX_FILE, PAGE_MAX_TAG)
 * are in idp/common/limits.h.
 *
 * Rendering nests the page inside the layout, each at most PAGE_MAX_DEPTH
 * deep (checked when the set is built); past this bound is our bug.
 */
#define PAGE_MAX_RENDER_DEPTH (2 * PAGE_MAX_DEPTH + 4)

enum page_lang {
	PAGE_LANG_DE,
	PAGE_LANG_EN,
};
#define PAGE_LANG_COUNT 2

/* "en" is English; anything else (NULL included) is German. */
enum page_lang page_lang_parse(const char *lang);
const char *page_lang_name(enum page_lang l);

enum page_node_kind {
	PAGE_NODE_MARKUP,   /* template text: written as it is */
	PAGE_NODE_PLAIN,    /* translation text: escaped in pages */
	PAGE_NODE_VAR,	    /* {{name}} */
	PAGE_NODE_TEXT,	    /* {{t:key}} */
	PAGE_NODE_SECTION,  /* {{#name}}: if, or once per row */
	PAGE_NODE_IF,	    /* {{?name}}: if, never iterates */
	PAGE_NODE_INVERTED, /* {{^name}}: unless */
	PAGE_NODE_PARTIAL,  /* {{>name}} */
	PAGE_NODE_CONTENT,  /* {{>content}} in the layout: the page */
	PAGE_NODE_TITLE,    /* {{>title}} in the layout: the page title */
};

struct page_tpl;

struct page_node {
	enum page_node_kind kind;
	unsigned line; /* in the source file, for errors */
	char *name;    /* var, section, partial or key name */
	char *text;    /* MARKUP and PLAIN: the text */
	size_t len;    /* its length */
	size_t key;    /* TEXT: index into the translation table */
	const struct page_tpl *partial; /* PARTIAL: resolved after parsing */
	struct page_node *child;	/* sections: first node of the block */
	struct page_node *next;
};

/* Which tags a source may contain. */
enum page_syntax {
	PAGE_SYNTAX_TEMPLATE, /* everything */
	PAGE_SYNTAX_TEXT,     /* translations: text and {{name}} only */
};

/*
 * Parse @len bytes of @text (from @file, first line @line) into a list of
 * nodes (*root, NULL for empty text; free with page_node_free()). Partials
 * and translation keys are left unresolved. On error returns
 * IDP_ERR_INVALID and writes "file:line: what" into @err.
 */
IDP_WUR int page_parse(const char *file, unsigned line, const char *text,
		       size_t len, enum page_syntax syntax,
		       struct page_node **root, char *err, size_t errlen);
void page_node_free(struct page_node *n);

/* Names: lower-case ASCII letters, digits and underscores. */
bool page_name_valid(const char *s, size_t len);
/* Translation keys: the same plus inner dots ("err.required"). */
bool page_key_valid(const char *s, size_t len);

/*
 * One template by name. Either one file serves both languages (then
 * root[] holds the same tree twice and per_lang is false), or each
 * language has its own file (NAME.de.html and NAME.en.html).
 */
struct page_tpl {
	char *name;
	bool per_lang;
	char *file[PAGE_LANG_COUNT];
	struct page_node *root[PAGE_LANG_COUNT];
	struct page_node *subject[PAGE_LANG_COUNT]; /* mails: Subject line */
	size_t title_key; /* pages: index of translation title.<name> */
};

/* A set of templates, translations and the stylesheet. */
struct page_set {
	GHashTable *pages;	       /* name -> struct page_tpl *, owned */
	GHashTable *page_parts;	       /* templates/_NAME.html */
	GHashTable *mails;	       /* templates/mail/NAME.txt */
	GHashTable *mail_parts;	       /* templates/mail/_NAME.txt */
	const struct page_tpl *layout; /* page_parts' "layout" */
	GPtrArray *keys;	       /* char *, order of i18n/de.txt */
	GHashTable *key_index;	       /* key -> GSIZE_TO_POINTER(index + 1) */
	GPtrArray *texts[PAGE_LANG_COUNT]; /* char *: raw translations */
	GPtrArray *trees[PAGE_LANG_COUNT]; /* struct page_node *: parsed */
	char *css;
	size_t css_len;
	GPtrArray *page_names; /* sorted, borrowed from the templates */
	GPtrArray *mail_names;
};

/*
 * Build a set from @files (borrowed only during the call): classify each
 * by its path, parse it, resolve partials and translation keys and check
 * the rules listed in docs/pages.md. On error returns IDP_ERR_INVALID (or
 * IDP_ERR_TOO_LARGE for an oversized file) with a message naming the file
 * and line in @err.
 */
IDP_WUR int page_set_new(const struct page_file *files, size_t n,
			 struct page_set **out, char *err, size_t errlen);
void page_set_free(struct page_set *s);

/*
 * Load the translation file @f for @l into @s (German first: it defines
 * the keys). For page_set_new() only. Errors name file and line in @err.
 */
IDP_WUR int page_texts_load(struct page_set *s, enum page_lang l,
			    const struct page_file *f, char *err,
			    size_t errlen);

/* As page_render() and friends in page.h, on the set @s. */
IDP_WUR int page_set_render(const struct page_set *s, const char *name,
			    const char *lang, const struct page_vars *v,
			    GString *out);
IDP_WUR int page_set_render_mail(const struct page_set *s, const char *name,
				 const char *lang, const struct page_vars *v,
				 char **subject, char **body);
const char *page_set_text(const struct page_set *s, const char *lang,
			  const char *key);
const char *page_set_stylesheet(const struct page_set *s, size_t *len);

/*
 * Names of the page templates (not partials, not the layout) and mail
 * templates in @s, sorted; for tests. The array is owned by @s.
 */
const char *const *page_set_pages(const struct page_set *s, size_t *n);
const char *const *page_set_mails(const struct page_set *s, size_t *n);
/* Translation keys in the order of i18n/de.txt; owned by @s. */
const char *const *page_set_keys(const struct page_set *s, size_t *n);

/* The set page_init() built from the embedded files, or NULL before. */
const struct page_set *page_set_embedded(void);

/* --- vars (vars.c) --- */

enum page_value_type {
	PAGE_VALUE_STRING,
	PAGE_VALUE_BOOL,
	PAGE_VALUE_LIST,
};

struct page_value {
	enum page_value_type type;
	char *s;	 /* STRING */
	bool b;		 /* BOOL */
	GPtrArray *rows; /* LIST: struct page_vars *, owned */
};

/* @name in @v, else in its parents (a row's list owner); NULL if unset. */
const struct page_value *page_vars_lookup(const struct page_vars *v,
					  const char *name);
/* Set, not empty, not false. */
bool page_value_truthy(const struct page_value *val);

#endif
