/*
 * HTML output. Every piece of text that reaches a page passes through
 * html_escape_append(); nothing else writes untrusted text into HTML.
 */
#ifndef IDP_COMMON_HTML_H
#define IDP_COMMON_HTML_H

#include <glib.h>

/* Append @s to @out with & < > " ' escaped; NULL appends nothing. */
void html_escape_append(GString *out, const char *s);

/*
 * A complete page in the common layout: @lang "de" or "en", @title and
 * @text plain text (escaped here), @request_id shown small for support
 * (NULL: omitted). Returns a new string freed with g_free().
 */
char *html_page_simple(const char *lang, const char *title, const char *text,
		       const char *request_id);

#endif
