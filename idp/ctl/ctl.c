/*
 * What every idpctl command shares: how it reports failure, and who the
 * operator is.
 */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "idp/ctl/ctl.h"

__attribute__((format(printf, 1, 0))) static void
vreport(const char *fmt, va_list ap)
{
	/* stdout first, so that its lines come before the error. */
	(void)fflush(stdout);
	fputs("idpctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int
ctl_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return CTL_EXIT_FAIL;
}

int
ctl_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	fputs("Try 'idpctl --help'.\n", stderr);
	return CTL_EXIT_USAGE;
}

void
ctl_operator_name(char buf[CTL_OPERATOR_MAX])
{
	const struct passwd *pw = getpwuid(geteuid());

	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0' &&
	    strlen(pw->pw_name) < CTL_OPERATOR_MAX)
		(void)snprintf(buf, CTL_OPERATOR_MAX, "%s", pw->pw_name);
	else
		(void)snprintf(buf, CTL_OPERATOR_MAX, "uid %u",
			       (unsigned)geteuid());
}
