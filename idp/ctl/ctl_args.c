/*
 * The arguments of an idpctl command: options with and without values and
 * at most one positional argument, each bounded before it is parsed, and
 * every mistake a usage error (exit 2) that shows the argument safely.
 */
#include <string.h>

#include "idp/ctl/ctl.h"
#include "idp/ctl/ctl_util.h"

const char *
ctl_shown(const char *s, char buf[CTL_SHOWN_MAX + 4])
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < CTL_SHOWN_MAX; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	strcpy(buf + i, s[i] != '\0' ? "..." : "");
	return buf;
}

/* The option of @opts named by @a up to '=' or its end; NULL if none. */
static struct ctl_opt *
opt_find(const char *a, const char *eq, struct ctl_opt *opts, size_t n)
{
	size_t len = eq != NULL ? (size_t)(eq - a) : strlen(a);

	for (size_t k = 0; k < n; k++)
		if (strlen(opts[k].name) == len &&
		    strncmp(opts[k].name, a, len) == 0)
			return &opts[k];
	return NULL;
}

int
ctl_args_parse(const char *group, const char *cmd, int argc, char **argv,
	       struct ctl_opt *opts, size_t n, const char **pos)
{
	char b[CTL_SHOWN_MAX + 4];
	bool only_pos = false;

	*pos = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *v = NULL;
		struct ctl_opt *o;

		if (!only_pos && strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (*pos != NULL)
				return ctl_usage("'%s %s': unexpected "
						 "argument '%s'",
						 group, cmd, ctl_shown(a, b));
			*pos = a;
			continue;
		}
		eq = strchr(a, '=');
		o = opt_find(a, eq, opts, n);
		if (o == NULL)
			return ctl_usage("'%s %s': unknown option '%s'", group,
					 cmd, ctl_shown(a, b));
		if (o->value != NULL)
			return ctl_usage("'%s %s': %s given twice", group, cmd,
					 o->name);
		if (o->max == 0) {
			if (eq != NULL)
				return ctl_usage("'%s %s': %s takes no value",
						 group, cmd, o->name);
			o->value = "";
			continue;
		}
		if (eq != NULL)
			v = eq + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		if (v == NULL || v[0] == '\0')
			return ctl_usage("'%s %s': %s needs a value", group,
					 cmd, o->name);
		/* Bound every value before anything parses it. */
		if (strlen(v) > o->max)
			return ctl_usage("'%s %s': %s is longer than %zu bytes",
					 group, cmd, o->name, o->max);
		o->value = v;
	}
	return CTL_EXIT_OK;
}

int
ctl_args_exclude(const char *group, const char *cmd, const struct ctl_opt *a,
		 const struct ctl_opt *b)
{
	if (a->value != NULL && b->value != NULL)
		return ctl_usage("'%s %s': %s and %s exclude each other", group,
				 cmd, a->name, b->name);
	return CTL_EXIT_OK;
}
