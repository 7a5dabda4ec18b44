/*
 * The process-wide set of pages, built once from the embedded files by
 * page_init() before any thread serves a request, read-only afterwards.
 */
#include <stdio.h>

#include "idp/page/page_internal.h"

static struct page_set *embedded;
static char init_error[512];

int
page_init(void)
{
	if (embedded != NULL)
		return 0;
	return page_set_new(page_files, page_files_count, &embedded, init_error,
			    sizeof(init_error));
}

const char *
page_init_error(void)
{
	return init_error;
}

const struct page_set *
page_set_embedded(void)
{
	return embedded;
}

int
page_render(const char *name, const char *lang, const struct page_vars *v,
	    GString *out)
{
	return page_set_render(embedded, name, lang, v, out);
}

int
page_render_mail(const char *name, const char *lang, const struct page_vars *v,
		 char **subject, char **body)
{
	return page_set_render_mail(embedded, name, lang, v, subject, body);
}

const char *
page_text(const char *lang, const char *key)
{
	return page_set_text(embedded, lang, key);
}

const char *
page_stylesheet(size_t *len)
{
	if (embedded == NULL) {
		*len = 0;
		return "";
	}
	return page_set_stylesheet(embedded, len);
}
