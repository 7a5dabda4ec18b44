/*
 * How a translation file (i18n/de.txt, i18n/en.txt) becomes the text
 * table of a set: "key = text" lines, # comments, each text parsed as a
 * template that may hold {{name}} variables only. German defines the keys
 * and their order; English must have exactly the same keys.
 */
#include <stdio.h>
#include <string.h>

#include "idp/page/page_internal.h"

static void
tree_free(gpointer p)
{
	page_node_free(p);
}

/*
 * One line [@p, @e) of a translation file: 0 for a blank or comment
 * line, 1 with *key (g_free) and the text [*v, *ve), or an error.
 */
static int
split_line(const struct page_file *f, unsigned line, const char *p,
	   const char *e, char **key, const char **v, const char **ve,
	   char *err, size_t errlen)
{
	const char *eq, *ke;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (p == e || *p == '#')
		return 0;
	eq = memchr(p, '=', (size_t)(e - p));
	if (eq == NULL) {
		snprintf(err, errlen, "%s:%u: expected 'key = text'", f->path,
			 line);
		return IDP_ERR_INVALID;
	}
	for (ke = eq; ke > p && (ke[-1] == ' ' || ke[-1] == '\t'); ke--)
		;
	if (!page_key_valid(p, (size_t)(ke - p))) {
		snprintf(err, errlen, "%s:%u: bad key (keys are [a-z0-9_.]+)",
			 f->path, line);
		return IDP_ERR_INVALID;
	}
	for (eq++; eq < e && (*eq == ' ' || *eq == '\t'); eq++)
		;
	*key = g_strndup(p, (size_t)(ke - p));
	if (eq == e) {
		snprintf(err, errlen, "%s:%u: key '%s' has no text", f->path,
			 line, *key);
		g_free(*key);
		*key = NULL;
		return IDP_ERR_INVALID;
	}
	*v = eq;
	*ve = e;
	return 1;
}

/*
 * Store the text [@v, @ve) of @key for @l. German defines the keys and
 * their order; English must use the same keys. @seen holds the keys of
 * this file so far.
 */
static int
text_add(struct page_set *s, enum page_lang l, GHashTable *seen,
	 const struct page_file *f, unsigned line, const char *key,
	 const char *v, const char *ve, char *err, size_t errlen)
{
	struct page_node *tree = NULL;
	size_t idx;

	if (g_hash_table_contains(seen, key)) {
		snprintf(err, errlen, "%s:%u: key '%s' defined twice", f->path,
			 line, key);
		return IDP_ERR_INVALID;
	}
	if (l == PAGE_LANG_DE) {
		idx = s->keys->len + 1;
	} else {
		idx = GPOINTER_TO_SIZE(g_hash_table_lookup(s->key_index, key));
		if (idx == 0) {
			snprintf(err, errlen,
				 "%s:%u: key '%s' is not in i18n/de.txt "
				 "(both languages need the same keys)",
				 f->path, line, key);
			return IDP_ERR_INVALID;
		}
	}
	idx--;
	if (page_parse(f->path, line, v, (size_t)(ve - v), PAGE_SYNTAX_TEXT,
		       &tree, err, errlen) != 0)
		return IDP_ERR_INVALID;
	if (l == PAGE_LANG_DE) {
		g_ptr_array_add(s->keys, g_strdup(key));
		g_hash_table_insert(s->key_index, s->keys->pdata[idx],
				    GSIZE_TO_POINTER(idx + 1));
		g_ptr_array_add(s->texts[l], NULL);
		g_ptr_array_add(s->trees[l], NULL);
	}
	s->texts[l]->pdata[idx] = g_strndup(v, (size_t)(ve - v));
	s->trees[l]->pdata[idx] = tree;
	/* The key string lives in s->keys; seen only borrows it. */
	g_hash_table_add(seen, s->keys->pdata[idx]);
	return 0;
}

int
page_texts_load(struct page_set *s, enum page_lang l, const struct page_file *f,
		char *err, size_t errlen)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	const char *p = f->text, *end = f->text + f->len;
	unsigned line = 0;
	int rc = 0;

	s->texts[l] = g_ptr_array_new_with_free_func(g_free);
	s->trees[l] = g_ptr_array_new_with_free_func(tree_free);
	if (l != PAGE_LANG_DE) {
		g_ptr_array_set_size(s->texts[l], s->keys->len);
		g_ptr_array_set_size(s->trees[l], s->keys->len);
	}
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end, *v = NULL, *ve = NULL;
		char *key = NULL;

		line++;
		rc = split_line(f, line, p, e, &key, &v, &ve, err, errlen);
		if (rc == 1)
			rc = text_add(s, l, seen, f, line, key, v, ve, err,
				      errlen);
		g_free(key);
		p = nl != NULL ? nl + 1 : end;
	}
	for (guint i = 0; rc == 0 && l != PAGE_LANG_DE && i < s->keys->len;
	     i++) {
		if (s->texts[l]->pdata[i] == NULL) {
			snprintf(err, errlen,
				 "%s: key '%s' is missing (both languages "
				 "need the same keys)",
				 f->path, (char *)s->keys->pdata[i]);
			rc = IDP_ERR_INVALID;
		}
	}
	g_hash_table_destroy(seen);
	return rc;
}
