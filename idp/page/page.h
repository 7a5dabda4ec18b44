/*
 * Server-rendered pages and mail texts from template files.
 *
 * Templates live in templates/ (HTML pages, *.html) and templates/mail/
 * (plain-text mails, *.txt), translations in i18n/de.txt and i18n/en.txt;
 * all are embedded into the binary at build time, so a node needs no data
 * files at run time. German is the default language; English is complete.
 * File names, the layout and the checks at startup: docs/pages.md.
 *
 * Template syntax (a small mustache subset, documented in docs/pages.md):
 *   {{name}}            the variable, HTML-escaped in pages; in mails not
 *                       escaped, control characters become spaces
 *   {{t:key}}           the translation of key in the page's language,
 *                       escaped like a variable; a translation may itself
 *                       contain {{name}} variables
 *   {{#name}}..{{/name}} the block if name is set, non-empty and not false;
 *                       for a list, once per row with the row's variables
 *   {{?name}}..{{/name}} the block once if name is set, non-empty and not
 *                       false (a list is not iterated)
 *   {{^name}}..{{/name}} the block if name is unset, empty or false
 *   {{>partial}}        templates/_partial.html (mails: mail/_partial.txt)
 *   {{! comment }}      nothing
 * Names are [a-z0-9_]+. There is no way to write unescaped HTML from a
 * variable or a translation.
 *
 * Thread-safety: the template and translation tables are read-only after
 * page_init(), which must run before any other thread renders; struct
 * page_vars belongs to one request (one thread at a time).
 */
#ifndef IDP_PAGE_PAGE_H
#define IDP_PAGE_PAGE_H

#include <glib.h>
#include <stdbool.h>

#include "idp/common/err.h"

struct page_vars;

/*
 * Parse and check every embedded template and translation once (unclosed
 * sections, unknown partials or translation keys, different key sets in
 * de and en, nesting past the limit ...). Returns 0 (also when called
 * again), or IDP_ERR_INVALID / IDP_ERR_TOO_LARGE; then page_init_error()
 * says what and where ("templates/login.html:12: ...").
 */
IDP_WUR int page_init(void);

/* Why page_init() failed; "" when it did not. Never NULL. */
const char *page_init_error(void);

/* Variables for one render. Allocation failure aborts (GLib). */
struct page_vars *page_vars_new(void);
/* Frees @v with its rows; NULL is fine. */
void page_vars_free(struct page_vars *v);

/* Set @key to a copy of @value; NULL unsets it. */
void page_vars_set(struct page_vars *v, const char *key, const char *value);
void page_vars_set_bool(struct page_vars *v, const char *key, bool value);
/*
 * Append a row to the list @list and return it (owned by @v; valid while
 * @v is). Inside the row, names the row does not set are looked up in @v.
 */
struct page_vars *page_vars_add_row(struct page_vars *v, const char *list);

/*
 * Render the page template @name (e.g. "login") in @lang ("en" is
 * English, anything else German) and append it to @out, wrapped in the
 * layout. @v may be NULL. The <title> is the variable "title" when set,
 * else the translation title.<name>. Returns 0; IDP_ERR_INVALID for an
 * unknown template (or before page_init()); IDP_ERR_TOO_LARGE when the
 * page would pass PAGE_MAX_OUTPUT (1 MiB). On error @out is unchanged.
 */
IDP_WUR int page_render(const char *name, const char *lang,
			const struct page_vars *v, GString *out);

/*
 * Render the mail template @name (templates/mail/<name>[.<lang>].txt) in
 * @lang: its first line "Subject: ..." becomes *subject, the rest *body
 * (both newly allocated, g_free(); NULL on error). Variables are not
 * HTML-escaped, but control characters in them (CR and LF above all)
 * become spaces, so a value can neither add a header to the subject nor
 * lines of its own to the body. Errors as page_render().
 */
IDP_WUR int page_render_mail(const char *name, const char *lang,
			     const struct page_vars *v, char **subject,
			     char **body);

/*
 * The translation of @key in @lang, or @key itself when there is no such
 * key (the texts are the same set in both languages). Borrowed, valid for
 * the life of the process. The raw text: placeholders like {{name}} are
 * not filled in, so keys meant for page_text() have none (the err_* keys).
 */
const char *page_text(const char *lang, const char *key);

/* The embedded stylesheet (for /static/style.css); "" before page_init(). */
const char *page_stylesheet(size_t *len);

#endif
