/*
 * idpctl: the operator's CLI.
 *
 *   idpctl [--config FILE] [--help] GROUP COMMAND [ARGS]
 *
 * This file only parses options, finds the command in the table of
 * groups and loads the config; the commands live in idp/ctl/. Exit
 * statuses: 0 done, 1 failed, 2 unknown command or bad arguments.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/cfg/cfg.h"
#include "idp/ctl/ctl.h"
#include "idp/log/log.h"

/* Every command group; a new group is one line here. */
static const struct ctl_group *const groups[] = {
	&ctl_group_db,
	&ctl_group_account,
	&ctl_group_audit,
	&ctl_group_keys,
	&ctl_group_sp,
	&ctl_group_eid,
};

#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

static void
usage(FILE *f)
{
	fputs("usage: idpctl [--config FILE] [--help] GROUP COMMAND [ARGS]\n"
	      "  --config FILE  read settings from FILE (default: "
	      "$IDP_CONFIG, else built-in defaults)\n"
	      "Settings can be overridden with IDP_<GROUP>_<KEY> variables, "
	      "e.g. IDP_DATABASE_CONNINFO.\n"
	      "\ncommands:\n",
	      f);
	for (size_t i = 0; i < N_GROUPS; i++) {
		const struct ctl_command *c = groups[i]->commands;

		fprintf(f, "  %s: %s\n", groups[i]->name, groups[i]->help);
		for (; c->name != NULL; c++)
			fprintf(f, "    %s %s%s%s\n      %s\n", groups[i]->name,
				c->name, c->args[0] != '\0' ? " " : "", c->args,
				c->help);
	}
}

static const struct ctl_group *
group_find(const char *name)
{
	for (size_t i = 0; i < N_GROUPS; i++)
		if (strcmp(groups[i]->name, name) == 0)
			return groups[i];
	return NULL;
}

static const struct ctl_command *
command_find(const struct ctl_group *g, const char *name)
{
	for (const struct ctl_command *c = g->commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct ctl_command *cmd;
	const struct ctl_group *g;
	const char *path = NULL;
	struct cfg *cfg = NULL;
	char err[512];
	int c, rc;

	/*
	 * "+": options end at the group name, so that a command's own
	 * arguments may start with a dash. Our own messages, not getopt's.
	 */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage("unknown option or missing value: %s",
					 argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return ctl_usage("missing command group");
	g = group_find(argv[optind]);
	if (g == NULL)
		return ctl_usage("unknown command group '%s'", argv[optind]);
	if (optind + 1 >= argc)
		return ctl_usage("missing command after '%s'", g->name);
	cmd = command_find(g, argv[optind + 1]);
	if (cmd == NULL)
		return ctl_usage("unknown command '%s %s'", g->name,
				 argv[optind + 1]);

	if (path == NULL) {
		path = getenv("IDP_CONFIG");
		if (path != NULL && path[0] == '\0')
			path = NULL;
	}
	if (cfg_load(path, &cfg, err, sizeof(err)) != 0)
		return ctl_fail("%s", err);
	log_set_level(cfg->log_level);
	rc = cmd->run(cfg, argc - optind - 1, argv + optind + 1);
	cfg_free(cfg);
	if (fflush(stdout) != 0 && rc == CTL_EXIT_OK)
		rc = ctl_fail("cannot write the output");
	return rc;
}
