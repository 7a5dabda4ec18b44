/*
 * Running the built idpctl from tests: arguments, a database, optional
 * config file and stdin data; stdout and stderr captured whole.
 */
#ifndef IDP_TESTS_SUPPORT_CTLRUN_H
#define IDP_TESTS_SUPPORT_CTLRUN_H

#include <stddef.h>

struct ctl_run {
	int status; /* exit status; -1 killed by a signal; -2 not run */
	char *out;  /* never NULL after ctl_run() */
	char *err;
};

/*
 * Run @prog with @args (NULL-terminated, without argv[0]).
 * IDP_DATABASE_CONNINFO is @conninfo (NULL: unset), IDP_CONFIG is @config
 * (NULL: unset); @in_len bytes of @in go to stdin, then EOF (the program
 * may stop reading early; that is not an error).
 */
struct ctl_run ctl_run(const char *prog, const char *conninfo,
		       const char *config, const char *in, size_t in_len,
		       const char *const *args);
void ctl_run_free(struct ctl_run *r);

/* Number of '\n' in @s. */
int ctl_run_lines(const char *s);

#endif
