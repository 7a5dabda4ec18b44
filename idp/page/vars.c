/*
 * Template variables: a map from name to string, boolean or list of rows.
 * A row is itself a struct page_vars whose parent is the list's owner, so
 * that a lookup inside a row falls back to the page's variables (a
 * session row's form still finds {{csrf}}).
 */
#include <string.h>

#include "idp/page/page_internal.h"

struct page_vars {
	GHashTable *map; /* char * -> struct page_value *, both owned */
	const struct page_vars *parent;
};

static void
value_free(gpointer p)
{
	struct page_value *val = p;

	if (val == NULL)
		return;
	g_free(val->s);
	if (val->rows != NULL)
		g_ptr_array_free(val->rows, TRUE);
	g_free(val);
}

static void
row_free(gpointer p)
{
	page_vars_free(p);
}

struct page_vars *
page_vars_new(void)
{
	struct page_vars *v = g_new0(struct page_vars, 1);

	v->map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
				       value_free);
	return v;
}

void
page_vars_free(struct page_vars *v)
{
	if (v == NULL)
		return;
	g_hash_table_destroy(v->map);
	g_free(v);
}

static void
put(struct page_vars *v, const char *key, struct page_value *val)
{
	g_hash_table_replace(v->map, g_strdup(key), val);
}

void
page_vars_set(struct page_vars *v, const char *key, const char *value)
{
	struct page_value *val;

	if (value == NULL) {
		g_hash_table_remove(v->map, key);
		return;
	}
	val = g_new0(struct page_value, 1);
	val->type = PAGE_VALUE_STRING;
	val->s = g_strdup(value);
	put(v, key, val);
}

void
page_vars_set_bool(struct page_vars *v, const char *key, bool value)
{
	struct page_value *val = g_new0(struct page_value, 1);

	val->type = PAGE_VALUE_BOOL;
	val->b = value;
	put(v, key, val);
}

struct page_vars *
page_vars_add_row(struct page_vars *v, const char *list)
{
	struct page_value *val = g_hash_table_lookup(v->map, list);
	struct page_vars *row;

	if (val == NULL || val->type != PAGE_VALUE_LIST) {
		val = g_new0(struct page_value, 1);
		val->type = PAGE_VALUE_LIST;
		val->rows = g_ptr_array_new_with_free_func(row_free);
		put(v, list, val);
	}
	row = page_vars_new();
	row->parent = v;
	g_ptr_array_add(val->rows, row);
	return row;
}

const struct page_value *
page_vars_lookup(const struct page_vars *v, const char *name)
{
	for (; v != NULL; v = v->parent) {
		const struct page_value *val =
			g_hash_table_lookup(v->map, name);
		if (val != NULL)
			return val;
	}
	return NULL;
}

bool
page_value_truthy(const struct page_value *val)
{
	if (val == NULL)
		return false;
	switch (val->type) {
	case PAGE_VALUE_STRING:
		return val->s[0] != '\0';
	case PAGE_VALUE_BOOL:
		return val->b;
	case PAGE_VALUE_LIST:
		return val->rows->len > 0;
	}
	return false;
}
