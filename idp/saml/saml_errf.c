/*
 * Error lines of idp/saml: formatting them and quoting metadata in them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "idp/saml/saml_internal.h"

int
saml_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
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
saml_shown(const char *s, char buf[SAML_SHOWN_MAX + 4])
{
	size_t i;

	/*
	 * What the metadata says goes to the operator's terminal and into
	 * the database's refresh_error: no control characters, no escape
	 * sequences, nothing that could reorder the line.
	 */
	for (i = 0; s[i] != '\0' && i < SAML_SHOWN_MAX; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	(void)strcpy(buf + i, s[i] != '\0' ? "..." : "");
	return buf;
}
