/*
 * How a list of files becomes a checked set of templates: classify each
 * file by its path, parse it, resolve partials and translation keys, and
 * refuse anything that could fail or surprise later at request time.
 *
 * Paths (relative to the source root):
 *   templates/NAME.html, templates/NAME.LANG.html    pages
 *   templates/_NAME.html, templates/_NAME.LANG.html  page partials;
 *                                                    _layout.html wraps
 *   templates/mail/NAME[.LANG].txt                   mails
 *   templates/mail/_NAME[.LANG].txt                  mail partials
 *   i18n/de.txt, i18n/en.txt                         translations
 *   static/style.css                                 the stylesheet
 */
#include <stdio.h>
#include <string.h>

#include "idp/page/page_internal.h"

enum file_kind {
	FILE_PAGE,
	FILE_PAGE_PART,
	FILE_MAIL,
	FILE_MAIL_PART,
};

static const char *const lang_names[PAGE_LANG_COUNT] = {"de", "en"};

enum page_lang
page_lang_parse(const char *lang)
{
	if (lang != NULL && strcmp(lang, "en") == 0)
		return PAGE_LANG_EN;
	return PAGE_LANG_DE;
}

const char *
page_lang_name(enum page_lang l)
{
	switch (l) {
	case PAGE_LANG_DE:
		return "de";
	case PAGE_LANG_EN:
		return "en";
	}
	return "de";
}

static void
tpl_free(gpointer p)
{
	struct page_tpl *t = p;

	if (t == NULL)
		return;
	for (int l = 0; l < PAGE_LANG_COUNT; l++) {
		if (l == 0 || t->per_lang) {
			page_node_free(t->root[l]);
			page_node_free(t->subject[l]);
		}
		g_free(t->file[l]);
	}
	g_free(t->name);
	g_free(t);
}

void
page_set_free(struct page_set *s)
{
	if (s == NULL)
		return;
	if (s->pages != NULL)
		g_hash_table_destroy(s->pages);
	if (s->page_parts != NULL)
		g_hash_table_destroy(s->page_parts);
	if (s->mails != NULL)
		g_hash_table_destroy(s->mails);
	if (s->mail_parts != NULL)
		g_hash_table_destroy(s->mail_parts);
	if (s->key_index != NULL)
		g_hash_table_destroy(s->key_index);
	for (int l = 0; l < PAGE_LANG_COUNT; l++) {
		if (s->texts[l] != NULL)
			g_ptr_array_free(s->texts[l], TRUE);
		if (s->trees[l] != NULL)
			g_ptr_array_free(s->trees[l], TRUE);
	}
	if (s->keys != NULL)
		g_ptr_array_free(s->keys, TRUE);
	if (s->page_names != NULL)
		g_ptr_array_free(s->page_names, TRUE);
	if (s->mail_names != NULL)
		g_ptr_array_free(s->mail_names, TRUE);
	g_free(s->css);
	g_free(s);
}

/* --- templates --- */

/*
 * Split "templates/mail/_x.de.txt" into kind, name and language (-1: one
 * file for both). False when the path fits no rule.
 */
static bool
classify(const char *path, enum file_kind *kind, char **name, int *lang)
{
	const char *base, *ext;
	bool mail;
	size_t blen;

	if (g_str_has_prefix(path, "templates/mail/")) {
		base = path + strlen("templates/mail/");
		ext = ".txt";
		mail = true;
	} else if (g_str_has_prefix(path, "templates/")) {
		base = path + strlen("templates/");
		ext = ".html";
		mail = false;
	} else {
		return false;
	}
	if (strchr(base, '/') != NULL || !g_str_has_suffix(base, ext))
		return false;
	blen = strlen(base) - strlen(ext);
	*lang = -1;
	for (int l = 0; l < PAGE_LANG_COUNT; l++) {
		if (blen > 3 && base[blen - 3] == '.' &&
		    strncmp(base + blen - 2, lang_names[l], 2) == 0) {
			*lang = l;
			blen -= 3;
		}
	}
	if (base[0] == '_') {
		*kind = mail ? FILE_MAIL_PART : FILE_PAGE_PART;
		base++;
		blen--;
	} else {
		*kind = mail ? FILE_MAIL : FILE_PAGE;
	}
	if (!page_name_valid(base, blen))
		return false;
	*name = g_strndup(base, blen);
	return true;
}

static GHashTable *
table_of(struct page_set *s, enum file_kind kind)
{
	switch (kind) {
	case FILE_PAGE:
		return s->pages;
	case FILE_PAGE_PART:
		return s->page_parts;
	case FILE_MAIL:
		return s->mails;
	case FILE_MAIL_PART:
		return s->mail_parts;
	}
	return s->pages;
}

/* A mail starts with "Subject: ...", then (optionally) an empty line. */
static int
parse_mail(const struct page_file *f, struct page_node **subject,
	   struct page_node **body, char *err, size_t errlen)
{
	const char *nl = memchr(f->text, '\n', f->len);
	size_t slen, from;
	unsigned line = 2;

	if (!g_str_has_prefix(f->text, "Subject: ") || nl == NULL) {
		snprintf(err, errlen,
			 "%s:1: a mail starts with a 'Subject: ' line",
			 f->path);
		return IDP_ERR_INVALID;
	}
	slen = (size_t)(nl - f->text) - strlen("Subject: ");
	if (page_parse(f->path, 1, f->text + strlen("Subject: "), slen,
		       PAGE_SYNTAX_TEMPLATE, subject, err, errlen) != 0)
		return IDP_ERR_INVALID;
	from = (size_t)(nl - f->text) + 1;
	if (from < f->len && f->text[from] == '\n') {
		from++;
		line++;
	}
	return page_parse(f->path, line, f->text + from, f->len - from,
			  PAGE_SYNTAX_TEMPLATE, body, err, errlen);
}

static int
template_add(struct page_set *s, const struct page_file *f, char *err,
	     size_t errlen)
{
	enum file_kind kind;
	struct page_node *root = NULL, *subject = NULL;
	struct page_tpl *t;
	char *name = NULL;
	int lang, rc = 0;

	if (!classify(f->path, &kind, &name, &lang)) {
		snprintf(err, errlen,
			 "%s: unexpected file name (see docs/pages.md)",
			 f->path);
		return IDP_ERR_INVALID;
	}
	if (kind == FILE_MAIL)
		rc = parse_mail(f, &subject, &root, err, errlen);
	else
		rc = page_parse(f->path, 1, f->text, f->len,
				PAGE_SYNTAX_TEMPLATE, &root, err, errlen);
	if (rc != 0)
		goto out;
	t = g_hash_table_lookup(table_of(s, kind), name);
	if (t == NULL) {
		t = g_new0(struct page_tpl, 1);
		t->name = g_strdup(name);
		t->per_lang = lang >= 0;
		g_hash_table_insert(table_of(s, kind), t->name, t);
	} else if (!t->per_lang || lang < 0 || t->file[lang] != NULL) {
		snprintf(err, errlen,
			 "%s: '%s' has both a file for all languages and "
			 "one per language",
			 f->path, name);
		rc = IDP_ERR_INVALID;
		goto out;
	}
	for (int l = 0; l < PAGE_LANG_COUNT; l++) {
		if (lang >= 0 && l != lang)
			continue;
		t->file[l] = g_strdup(f->path);
		t->root[l] = root;
		t->subject[l] = subject;
	}
	root = subject = NULL;
out:
	page_node_free(root);
	page_node_free(subject);
	g_free(name);
	return rc;
}

/* --- checks across files --- */

struct resolve {
	const struct page_set *s;
	GHashTable *parts;    /* partials of the same kind */
	const char *part_dir; /* "templates/" */
	const char *part_ext; /* ".html" */
	bool is_layout;
	const char *file;
	char *err;
	size_t errlen;
};

static int
resolve(struct resolve *r, struct page_node *n)
{
	char path[128];
	int rc;

	for (; n != NULL; n = n->next) {
		switch (n->kind) {
		case PAGE_NODE_MARKUP:
		case PAGE_NODE_PLAIN:
		case PAGE_NODE_VAR:
		case PAGE_NODE_CONTENT:
		case PAGE_NODE_TITLE:
			break;
		case PAGE_NODE_TEXT: {
			gpointer idx =
				g_hash_table_lookup(r->s->key_index, n->name);
			if (idx == NULL) {
				snprintf(r->err, r->errlen,
					 "%s:%u: unknown translation key "
					 "'%s' (not in i18n/de.txt)",
					 r->file, n->line, n->name);
				return IDP_ERR_INVALID;
			}
			n->key = GPOINTER_TO_SIZE(idx) - 1;
			break;
		}
		case PAGE_NODE_SECTION:
		case PAGE_NODE_IF:
		case PAGE_NODE_INVERTED:
			rc = resolve(r, n->child);
			if (rc != 0)
				return rc;
			break;
		case PAGE_NODE_PARTIAL:
			if (r->is_layout && strcmp(n->name, "content") == 0) {
				n->kind = PAGE_NODE_CONTENT;
				break;
			}
			if (r->is_layout && strcmp(n->name, "title") == 0) {
				n->kind = PAGE_NODE_TITLE;
				break;
			}
			if (r->parts != r->s->mail_parts &&
			    (strcmp(n->name, "layout") == 0 ||
			     strcmp(n->name, "content") == 0 ||
			     strcmp(n->name, "title") == 0)) {
				snprintf(r->err, r->errlen,
					 "%s:%u: '{{>%s}}' belongs to the "
					 "layout only",
					 r->file, n->line, n->name);
				return IDP_ERR_INVALID;
			}
			n->partial = g_hash_table_lookup(r->parts, n->name);
			if (n->partial == NULL) {
				snprintf(path, sizeof(path), "%s_%s%s",
					 r->part_dir, n->name, r->part_ext);
				snprintf(r->err, r->errlen,
					 "%s:%u: unknown partial '%s' (no "
					 "%s)",
					 r->file, n->line, n->name, path);
				return IDP_ERR_INVALID;
			}
			break;
		}
	}
	return 0;
}

static int
resolve_table(const struct page_set *s, GHashTable *table, GHashTable *parts,
	      const char *part_dir, const char *part_ext, char *err,
	      size_t errlen)
{
	GHashTableIter it;
	gpointer k, val;
	int rc;

	g_hash_table_iter_init(&it, table);
	while (g_hash_table_iter_next(&it, &k, &val)) {
		struct page_tpl *t = val;
		struct resolve r = {
			.s = s,
			.parts = parts,
			.part_dir = part_dir,
			.part_ext = part_ext,
			.is_layout = t == s->layout,
			.err = err,
			.errlen = errlen,
		};

		for (int l = 0; l < PAGE_LANG_COUNT; l++) {
			if (t->file[l] == NULL) {
				snprintf(err, errlen,
					 "%s: no file in language '%s' "
					 "beside it",
					 t->file[1 - l], lang_names[l]);
				return IDP_ERR_INVALID;
			}
		}
		for (int l = 0; l < PAGE_LANG_COUNT; l++) {
			if (l > 0 && !t->per_lang)
				break;
			r.file = t->file[l];
			rc = resolve(&r, t->subject[l]);
			if (rc == 0)
				rc = resolve(&r, t->root[l]);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/*
 * Nesting across partials; a partial that includes itself, directly or
 * not, ends here too.
 */
static int
depth_check(const struct page_node *n, enum page_lang l, unsigned depth,
	    const char *file, char *err, size_t errlen)
{
	int rc;

	for (; n != NULL; n = n->next) {
		switch (n->kind) {
		case PAGE_NODE_MARKUP:
		case PAGE_NODE_PLAIN:
		case PAGE_NODE_VAR:
		case PAGE_NODE_TEXT:
		case PAGE_NODE_CONTENT:
		case PAGE_NODE_TITLE:
			break;
		case PAGE_NODE_SECTION:
		case PAGE_NODE_IF:
		case PAGE_NODE_INVERTED:
		case PAGE_NODE_PARTIAL:
			if (depth + 1 > PAGE_MAX_DEPTH) {
				snprintf(err, errlen,
					 "%s:%u: sections and partials nested "
					 "deeper than PAGE_MAX_DEPTH (%d); "
					 "does a partial include itself?",
					 file, n->line, PAGE_MAX_DEPTH);
				return IDP_ERR_INVALID;
			}
			if (n->kind == PAGE_NODE_PARTIAL)
				rc = depth_check(n->partial->root[l], l,
						 depth + 1, n->partial->file[l],
						 err, errlen);
			else
				rc = depth_check(n->child, l, depth + 1, file,
						 err, errlen);
			if (rc != 0)
				return rc;
			break;
		}
	}
	return 0;
}

static int
depth_table(GHashTable *table, char *err, size_t errlen)
{
	GHashTableIter it;
	gpointer k, val;
	int rc;

	g_hash_table_iter_init(&it, table);
	while (g_hash_table_iter_next(&it, &k, &val)) {
		const struct page_tpl *t = val;

		for (int l = 0; l < PAGE_LANG_COUNT; l++) {
			rc = depth_check(t->subject[l], (enum page_lang)l, 0,
					 t->file[l], err, errlen);
			if (rc == 0)
				rc = depth_check(t->root[l], (enum page_lang)l,
						 0, t->file[l], err, errlen);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* How many {{>content}} slots, and how many of them outside sections. */
static void
count_slots(const struct page_node *n, bool top, unsigned *all,
	    unsigned *at_top)
{
	for (; n != NULL; n = n->next) {
		if (n->kind == PAGE_NODE_CONTENT) {
			(*all)++;
			if (top)
				(*at_top)++;
		}
		count_slots(n->child, false, all, at_top);
	}
}

static int
check_layout(const struct page_set *s, char *err, size_t errlen)
{
	if (g_hash_table_size(s->pages) == 0)
		return 0;
	if (s->layout == NULL) {
		snprintf(err, errlen, "templates/_layout.html is missing");
		return IDP_ERR_INVALID;
	}
	for (int l = 0; l < PAGE_LANG_COUNT; l++) {
		unsigned all = 0, top = 0;

		count_slots(s->layout->root[l], true, &all, &top);
		if (all != 1 || top != 1) {
			snprintf(err, errlen,
				 "%s: needs exactly one {{>content}}, outside "
				 "any section",
				 s->layout->file[l]);
			return IDP_ERR_INVALID;
		}
	}
	return 0;
}

static int
strp_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every page has a translation title.<name> for its <title>. */
static int
check_titles(struct page_set *s, char *err, size_t errlen)
{
	GHashTableIter it;
	gpointer k, val;

	g_hash_table_iter_init(&it, s->pages);
	while (g_hash_table_iter_next(&it, &k, &val)) {
		struct page_tpl *t = val;
		char *key = g_strconcat("title.", t->name, NULL);
		gpointer idx = g_hash_table_lookup(s->key_index, key);

		if (idx == NULL) {
			snprintf(err, errlen,
				 "%s: translation key '%s' (the page's "
				 "<title>) is missing",
				 t->file[0], key);
			g_free(key);
			return IDP_ERR_INVALID;
		}
		t->title_key = GPOINTER_TO_SIZE(idx) - 1;
		g_free(key);
		g_ptr_array_add(s->page_names, t->name);
	}
	g_ptr_array_sort(s->page_names, strp_cmp);
	return 0;
}

static const struct page_file *
find_file(const struct page_file *files, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(files[i].path, path) == 0)
			return &files[i];
	return NULL;
}

int
page_set_new(const struct page_file *files, size_t n, struct page_set **out,
	     char *err, size_t errlen)
{
	struct page_set *s = g_new0(struct page_set, 1);
	const struct page_file *f;
	int rc = IDP_ERR_INVALID;

	*out = NULL;
	s->pages =
		g_hash_table_new_full(g_str_hash, g_str_equal, NULL, tpl_free);
	s->page_parts =
		g_hash_table_new_full(g_str_hash, g_str_equal, NULL, tpl_free);
	s->mails =
		g_hash_table_new_full(g_str_hash, g_str_equal, NULL, tpl_free);
	s->mail_parts =
		g_hash_table_new_full(g_str_hash, g_str_equal, NULL, tpl_free);
	s->keys = g_ptr_array_new_with_free_func(g_free);
	s->key_index = g_hash_table_new(g_str_hash, g_str_equal);
	s->page_names = g_ptr_array_new();
	s->mail_names = g_ptr_array_new();

	for (size_t i = 0; i < n; i++) {
		f = &files[i];
		if (f->len > PAGE_MAX_FILE) {
			snprintf(err, errlen, "%s: larger than %d bytes",
				 f->path, PAGE_MAX_FILE);
			rc = IDP_ERR_TOO_LARGE;
			goto out;
		}
		if (strlen(f->text) != f->len ||
		    !g_utf8_validate(f->text, (gssize)f->len, NULL)) {
			snprintf(err, errlen,
				 "%s: not UTF-8 text (or contains NUL)",
				 f->path);
			goto out;
		}
	}
	for (int l = 0; l < PAGE_LANG_COUNT; l++) {
		char path[32];

		snprintf(path, sizeof(path), "i18n/%s.txt", lang_names[l]);
		f = find_file(files, n, path);
		if (f == NULL) {
			snprintf(err, errlen, "%s is missing", path);
			goto out;
		}
		if (page_texts_load(s, (enum page_lang)l, f, err, errlen) != 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		f = &files[i];
		if (g_str_has_prefix(f->path, "i18n/")) {
			if (strcmp(f->path, "i18n/de.txt") != 0 &&
			    strcmp(f->path, "i18n/en.txt") != 0) {
				snprintf(err, errlen,
					 "%s: only de and en are supported",
					 f->path);
				goto out;
			}
		} else if (strcmp(f->path, "static/style.css") == 0) {
			s->css = g_strndup(f->text, f->len);
			s->css_len = f->len;
		} else if (template_add(s, f, err, errlen) != 0) {
			goto out;
		}
	}
	s->layout = g_hash_table_lookup(s->page_parts, "layout");
	if (resolve_table(s, s->pages, s->page_parts, "templates/", ".html",
			  err, errlen) != 0 ||
	    resolve_table(s, s->page_parts, s->page_parts, "templates/",
			  ".html", err, errlen) != 0 ||
	    resolve_table(s, s->mails, s->mail_parts, "templates/mail/", ".txt",
			  err, errlen) != 0 ||
	    resolve_table(s, s->mail_parts, s->mail_parts, "templates/mail/",
			  ".txt", err, errlen) != 0)
		goto out;
	if (depth_table(s->pages, err, errlen) != 0 ||
	    depth_table(s->page_parts, err, errlen) != 0 ||
	    depth_table(s->mails, err, errlen) != 0 ||
	    depth_table(s->mail_parts, err, errlen) != 0)
		goto out;
	if (check_layout(s, err, errlen) != 0 ||
	    check_titles(s, err, errlen) != 0)
		goto out;
	{
		GHashTableIter it;
		gpointer k, val;

		g_hash_table_iter_init(&it, s->mails);
		while (g_hash_table_iter_next(&it, &k, &val))
			g_ptr_array_add(s->mail_names,
					((struct page_tpl *)val)->name);
		g_ptr_array_sort(s->mail_names, strp_cmp);
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	page_set_free(s);
	return rc;
}

const char *const *
page_set_pages(const struct page_set *s, size_t *n)
{
	*n = s->page_names->len;
	return (const char *const *)s->page_names->pdata;
}

const char *const *
page_set_mails(const struct page_set *s, size_t *n)
{
	*n = s->mail_names->len;
	return (const char *const *)s->mail_names->pdata;
}

const char *const *
page_set_keys(const struct page_set *s, size_t *n)
{
	*n = s->keys->len;
	return (const char *const *)s->keys->pdata;
}

const char *
page_set_stylesheet(const struct page_set *s, size_t *len)
{
	*len = s->css_len;
	return s->css != NULL ? s->css : "";
}

const char *
page_set_text(const struct page_set *s, const char *lang, const char *key)
{
	gpointer idx;

	if (s == NULL || key == NULL)
		return key;
	idx = g_hash_table_lookup(s->key_index, key);
	if (idx == NULL)
		return key;
	return s->texts[page_lang_parse(lang)]
		->pdata[GPOINTER_TO_SIZE(idx) - 1];
}
