/*
 * The files embedded at build time by templates/embed.py: page and mail
 * templates, translations and the stylesheet. This header is the contract
 * between that generated file (page_files.c) and idp/page.
 */
#ifndef IDP_PAGE_PAGE_FILES_H
#define IDP_PAGE_PAGE_FILES_H

#include <stddef.h>

struct page_file {
	const char *path; /* relative to the source root: "templates/x.html" */
	const char *text; /* the file's bytes, NUL-terminated, UTF-8 */
	size_t len;	  /* strlen(text) */
};

/* Sorted by path. */
extern const struct page_file page_files[];
extern const size_t page_files_count;

#endif
