/*
 * What every idpctl command shares: how it reports failure.
 */
#include <stdarg.h>
#include <stdio.h>

#include "idp/ctl/ctl.h"

static void
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
