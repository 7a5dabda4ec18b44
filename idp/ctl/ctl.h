/*
 * idpctl, the operator's CLI: command groups ("db", later "keys", "sp",
 * "account", "audit"), one file per group (idp/ctl/ctl_<group>.c), each
 * exporting one struct ctl_group that idp/main/idpctl.c lists.
 *
 * A command prints its results on stdout and its failure as one line on
 * stderr (through ctl_fail() or ctl_usage()), and returns an exit status.
 * What the groups share beyond this file is in idp/ctl/ctl_util.h.
 */
#ifndef IDP_CTL_CTL_H
#define IDP_CTL_CTL_H

#include "idp/cfg/cfg.h"

/* Exit statuses of idpctl. */
#define CTL_EXIT_OK    0
#define CTL_EXIT_FAIL  1 /* the command failed (database down, ...) */
#define CTL_EXIT_USAGE 2 /* unknown command or bad arguments */

struct ctl_command {
	const char *name; /* "migrate" */
	const char *args; /* usage of its arguments; "" when none */
	const char *help; /* one line for --help */
	/*
	 * Run with @argc/@argv starting at the command name (argv[0] is
	 * "migrate"). @cfg is loaded and valid. Returns a CTL_EXIT_*.
	 */
	int (*run)(const struct cfg *cfg, int argc, char **argv);
};

struct ctl_group {
	const char *name;		    /* "db" */
	const char *help;		    /* one line for --help */
	const struct ctl_command *commands; /* ends with a NULL name */
};

extern const struct ctl_group ctl_group_db;
extern const struct ctl_group ctl_group_account;
extern const struct ctl_group ctl_group_audit;
extern const struct ctl_group ctl_group_keys;
extern const struct ctl_group ctl_group_sp;
extern const struct ctl_group ctl_group_eid;

/*
 * "idpctl: <message>" on stderr. Returns CTL_EXIT_FAIL, so that a command
 * can `return ctl_fail(...)`.
 */
int ctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "idpctl: <message>" and a hint to --help on stderr. Returns
 * CTL_EXIT_USAGE.
 */
int ctl_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Room for the operator's name, NUL included. */
#define CTL_OPERATOR_MAX 64

/*
 * The OS user running idpctl into @buf, for the audit details of an
 * operator's action: the user name, or "uid N" when it has none or a
 * longer one.
 */
void ctl_operator_name(char buf[CTL_OPERATOR_MAX]);

#endif
