#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "idp/common/err.h"

const char *
idp_err_name(int err)
{
	switch ((enum idp_err)err) {
	case IDP_OK:
		return "ok";
	case IDP_ERR_NOMEM:
		return "out of memory";
	case IDP_ERR_INVALID:
		return "invalid input";
	case IDP_ERR_TOO_LARGE:
		return "input too large";
	case IDP_ERR_UNAVAILABLE:
		return "service unavailable";
	case IDP_ERR_INTERNAL:
		return "internal error";
	case IDP_ERR_IO:
		return "i/o error";
	}
	return "unknown error";
}

int
idp_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return rc;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
idp_shown(const char *s, size_t max, char *buf)
{
	size_t i;

	/*
	 * No control characters, no escape sequences, nothing that could
	 * reorder the line on the operator's terminal.
	 */
	for (i = 0; s[i] != '\0' && i < max; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	(void)strcpy(buf + i, s[i] != '\0' ? "..." : "");
	return buf;
}
