/*
 * Loading idpd.conf: defaults, then the key file, then IDP_* environment
 * overrides, then the checks that span keys. This file reads the file
 * (bounded, regular files only), scans its lines for what GLib would let
 * pass or report without a line number, applies it through GLib's key
 * file parser, and applies the environment; cfg.c knows the keys.
 */
#include "idp/cfg/cfg.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idp/cfg/cfg_internal.h"

/* The groups of the key table in cfg.c; a new group goes in both lists. */
static const char *const groups[] = {"server", "database", "log", "accounts",
				     "mail",   "keys",	   "saml"};

/* Environment variables with these prefixes must name a key. */
static const char *const env_prefixes[] = {
	"IDP_SERVER_",
	"IDP_DATABASE_",
	"IDP_LOG_",
	"IDP_ACCOUNTS_",
	"IDP_MAIL_",
	"IDP_KEYS_",
	"IDP_SAML_",
};

/*
 * Read @path whole, at most CFG_FILE_MAX bytes. Only a regular file: a
 * FIFO or device given by mistake must not block or stream forever.
 */
static int
read_file(struct cfg_load *ld, char **out, size_t *len)
{
	char *buf = NULL, eb[128];
	struct stat st;
	size_t total = 0;
	ssize_t r;
	int fd, rc = 0;

	fd = open(ld->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		cfg_fail_plain(ld, "%s: cannot open: %s", ld->path_shown,
			       strerror_r(errno, eb, sizeof(eb)));
		return IDP_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		cfg_fail_plain(ld, "%s: cannot stat: %s", ld->path_shown,
			       strerror_r(errno, eb, sizeof(eb)));
		rc = IDP_ERR_IO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_fail_plain(ld, "%s: not a regular file", ld->path_shown);
		rc = IDP_ERR_IO;
		goto out;
	}
	/* One byte more than allowed tells a file that grew meanwhile. */
	buf = g_malloc(CFG_FILE_MAX + 1);
	while (total <= CFG_FILE_MAX) {
		r = read(fd, buf + total, CFG_FILE_MAX + 1 - total);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cfg_fail_plain(ld, "%s: cannot read: %s",
				       ld->path_shown,
				       strerror_r(errno, eb, sizeof(eb)));
			rc = IDP_ERR_IO;
			goto out;
		}
		if (r == 0)
			break;
		total += (size_t)r;
	}
	if (total > CFG_FILE_MAX) {
		cfg_fail_plain(ld, "%s: larger than %d bytes", ld->path_shown,
			       CFG_FILE_MAX);
		rc = IDP_ERR_TOO_LARGE;
		goto out;
	}
	*out = buf;
	*len = total;
	buf = NULL;
out:
	if (buf != NULL) {
		explicit_bzero(buf, total);
		g_free(buf);
	}
	close(fd);
	return rc;
}

static bool
group_known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (strcmp(groups[i], name) == 0)
			return true;
	}
	return false;
}

/*
 * Check what GLib would accept silently or report without a line number:
 * NUL bytes (GLib cuts the value there), invalid UTF-8, malformed lines
 * (GLib echoes them, and a line may hold a password), keys set twice (GLib
 * keeps the last one, which hides a mistake), and unknown groups and keys,
 * so that a typo is reported with its line.
 */
static int
scan_lines(struct cfg_load *ld, const char *data, size_t len)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
						 g_free, NULL);
	const char *p = data, *end = data + len, *nl, *s, *e, *eq, *k;
	char *group = NULL, *id = NULL, q[CFG_QUOTED_MAX];
	unsigned line = 0;
	void *first;
	int rc = IDP_ERR_INVALID;

	for (; p < end; p = nl != NULL ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		e = nl != NULL ? nl : end;
		line++;
		if (memchr(p, '\0', (size_t)(e - p)) != NULL) {
			cfg_fail_plain(ld, "%s: line %u: contains a NUL byte",
				       ld->path_shown, line);
			goto out;
		}
		if (!g_utf8_validate(p, e - p, NULL)) {
			cfg_fail_plain(ld, "%s: line %u: not valid UTF-8",
				       ld->path_shown, line);
			goto out;
		}
		/* GLib's rules: leading white space does not count. */
		for (s = p; s < e && g_ascii_isspace(*s); s++)
			;
		while (e > s && g_ascii_isspace(e[-1]))
			e--;
		if (s == e || *s == '#')
			continue;
		if (*s == '[') {
			if (e - s < 3 || e[-1] != ']' ||
			    memchr(s + 1, '[', (size_t)(e - s - 2)) != NULL ||
			    memchr(s + 1, ']', (size_t)(e - s - 2)) != NULL) {
				cfg_fail_plain(ld,
					       "%s: line %u: malformed group "
					       "header (expected [name])",
					       ld->path_shown, line);
				goto out;
			}
			g_free(group);
			group = g_strndup(s + 1, (size_t)(e - s - 2));
			if (!group_known(group)) {
				cfg_fail_plain(ld,
					       "%s: line %u: unknown group "
					       "[%s] (known: server, database, "
					       "log, accounts, mail, keys)",
					       ld->path_shown, line,
					       cfg_show(q, group));
				goto out;
			}
			continue;
		}
		eq = memchr(s, '=', (size_t)(e - s));
		if (eq == NULL) {
			cfg_fail_plain(ld,
				       "%s: line %u: neither key = value, "
				       "[group] nor # comment",
				       ld->path_shown, line);
			goto out;
		}
		for (k = eq; k > s && g_ascii_isspace(k[-1]); k--)
			;
		if (k == s) {
			cfg_fail_plain(ld, "%s: line %u: no key before '='",
				       ld->path_shown, line);
			goto out;
		}
		if (group == NULL) {
			cfg_fail_plain(ld, "%s: line %u: key before the first "
				       "[group]", ld->path_shown, line);
			goto out;
		}
		id = g_strndup(s, (size_t)(k - s));
		if (cfg_key_index(group, id) == cfg_n_keys) {
			cfg_fail_plain(ld, "%s: line %u: [%s] unknown key %s",
				       ld->path_shown, line, group,
				       cfg_quote(q, id));
			goto out;
		}
		g_free(id);
		id = g_strdup_printf("[%s] %.*s", group, (int)(k - s), s);
		first = g_hash_table_lookup(seen, id);
		if (first != NULL) {
			cfg_fail_plain(ld,
				       "%s: line %u: %s set again (first on "
				       "line %u)",
				       ld->path_shown, line, cfg_show(q, id),
				       GPOINTER_TO_UINT(first));
			goto out;
		}
		g_hash_table_insert(seen, id, GUINT_TO_POINTER(line));
		id = NULL;
	}
	rc = 0;
out:
	g_free(id);
	g_free(group);
	g_hash_table_destroy(seen);
	return rc;
}

/* Apply every key of @kf, refusing unknown groups and keys. */
static int
apply_file(struct cfg_load *ld, GKeyFile *kf)
{
	char **names = NULL, **gnames = NULL, *v, q[CFG_QUOTED_MAX];
	GError *gerr = NULL;
	gsize ng, nk, g, j;
	size_t i;
	int rc = 0;

	gnames = g_key_file_get_groups(kf, &ng);
	for (g = 0; g < ng && rc == 0; g++) {
		if (!group_known(gnames[g])) {
			cfg_fail_plain(ld,
				       "%s: unknown group [%s] (known: server, "
				       "database, log, accounts, mail, keys)",
				       ld->path_shown, cfg_show(q, gnames[g]));
			rc = IDP_ERR_INVALID;
			break;
		}
		g_strfreev(names);
		names = g_key_file_get_keys(kf, gnames[g], &nk, NULL);
		for (j = 0; names != NULL && j < nk; j++) {
			i = cfg_key_index(gnames[g], names[j]);
			if (i == cfg_n_keys) {
				cfg_fail_plain(ld, "%s: [%s] unknown key %s",
					       ld->path_shown, gnames[g],
					       cfg_quote(q, names[j]));
				rc = IDP_ERR_INVALID;
				break;
			}
			ld->origin[i] = CFG_ORIGIN_FILE;
			v = g_key_file_get_string(kf, gnames[g], names[j],
						  &gerr);
			/* GLib may return a value and an error both. */
			if (v == NULL || gerr != NULL) {
				/* GLib's message would echo the value. */
				cfg_fail(ld, i, "invalid: bad escape sequence "
					 "(write a backslash as \\\\)");
				rc = IDP_ERR_INVALID;
				if (v != NULL)
					explicit_bzero(v, strlen(v));
				g_free(v);
				g_clear_error(&gerr);
				break;
			}
			rc = cfg_set_value(ld, i, v);
			explicit_bzero(v, strlen(v));
			g_free(v);
			if (rc != 0)
				break;
		}
	}
	g_strfreev(names);
	g_strfreev(gnames);
	return rc;
}

static bool
has_env_prefix(const char *var)
{
	size_t i;

	for (i = 0; i < sizeof(env_prefixes) / sizeof(env_prefixes[0]); i++) {
		if (strncmp(var, env_prefixes[i], strlen(env_prefixes[i])) ==
		    0)
			return true;
	}
	return false;
}

/* Apply IDP_<GROUP>_<KEY> variables, refusing ones that name no key. */
static int
apply_env(struct cfg_load *ld)
{
	char name[CFG_ENV_NAME_MAX], q[CFG_QUOTED_MAX], *var;
	const char *v;
	size_t i, len;
	char **e;
	int rc;

	for (e = environ; *e != NULL; e++) {
		if (!has_env_prefix(*e))
			continue;
		len = strcspn(*e, "=");
		for (i = 0; i < cfg_n_keys; i++) {
			cfg_env_name(i, name);
			if (strlen(name) == len && memcmp(name, *e, len) == 0)
				break;
		}
		if (i == cfg_n_keys) {
			var = g_strndup(*e, len);
			cfg_fail_plain(ld,
				       "environment %s: no such configuration "
				       "key (see docs/configuration.md)",
				       cfg_show(q, var));
			g_free(var);
			return IDP_ERR_INVALID;
		}
	}
	for (i = 0; i < cfg_n_keys; i++) {
		cfg_env_name(i, name);
		v = getenv(name);
		if (v == NULL)
			continue;
		ld->origin[i] = CFG_ORIGIN_ENV;
		if (!g_utf8_validate(v, -1, NULL)) {
			cfg_fail(ld, i, "invalid: not UTF-8");
			return IDP_ERR_INVALID;
		}
		rc = cfg_set_value(ld, i, v);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
cfg_load(const char *path, struct cfg **out, char *err, size_t errlen)
{
	struct cfg_load ld;
	GKeyFile *kf = NULL;
	GError *gerr = NULL;
	char *data = NULL, q[CFG_QUOTED_MAX];
	size_t len = 0;
	int rc;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.path = path;
	ld.err = err;
	ld.errlen = err != NULL ? errlen : 0;
	if (ld.errlen > 0)
		err[0] = '\0';
	cfg_show_n(ld.path_shown, path != NULL ? path : "", CFG_PATH_SHOW_MAX);
	ld.cfg = g_new0(struct cfg, 1);

	rc = cfg_set_defaults(&ld);
	if (rc != 0)
		goto out;
	if (path != NULL) {
		rc = read_file(&ld, &data, &len);
		if (rc != 0)
			goto out;
		rc = scan_lines(&ld, data, len);
		if (rc != 0)
			goto out;
		kf = g_key_file_new();
		if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE,
					       &gerr)) {
			cfg_fail_plain(&ld, "%s: %s", ld.path_shown,
				       cfg_show(q, gerr->message));
			rc = IDP_ERR_INVALID;
			goto out;
		}
		rc = apply_file(&ld, kf);
		if (rc != 0)
			goto out;
	}
	rc = apply_env(&ld);
	if (rc != 0)
		goto out;
	rc = cfg_check_all(&ld);
	if (rc != 0)
		goto out;
	*out = ld.cfg;
	ld.cfg = NULL;
out:
	if (gerr != NULL)
		g_error_free(gerr);
	if (kf != NULL)
		g_key_file_free(kf);
	if (data != NULL) {
		explicit_bzero(data, len);
		g_free(data);
	}
	cfg_free(ld.cfg);
	return rc;
}

