/*
 * Building the details object of an audit row from key/value pairs, with
 * the escaping and the bounds that make any value safe to pass.
 */
#include <stdarg.h>
#include <string.h>

#include <glib.h>

#include "idp/audit/audit.h"
#include "idp/log/log.h"

/* Pairs, quotes, colons and commas: the longest result still fits a row. */
_Static_assert(2 + AUDIT_DETAILS_PAIRS_MAX * (AUDIT_EVENT_MAX +
					      AUDIT_DETAILS_VALUE_MAX + 6) <=
		       AUDIT_DETAILS_MAX,
	       "audit_details() output must fit AUDIT_DETAILS_MAX");

static bool
key_ok(const char *k)
{
	size_t i;

	if (k[0] < 'a' || k[0] > 'z')
		return false;
	for (i = 0; k[i] != '\0'; i++)
		if (i >= AUDIT_EVENT_MAX ||
		    !((k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

char *
audit_details(const char *k1, ...)
{
	const char *keys[AUDIT_DETAILS_PAIRS_MAX];
	char value[AUDIT_DETAILS_VALUE_MAX + 1];
	const char *k, *v;
	size_t n = 0, len, i;
	GString *out;
	va_list ap;

	out = g_string_new("{");
	va_start(ap, k1);
	for (k = k1; k != NULL; k = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		if (n == AUDIT_DETAILS_PAIRS_MAX || !key_ok(k))
			goto bug;
		/* jsonb would keep only the last of two equal keys. */
		for (i = 0; i < n; i++)
			if (strcmp(keys[i], k) == 0)
				goto bug;
		keys[n++] = k;
		if (n > 1)
			g_string_append_c(out, ',');
		/* Keys are [a-z0-9_]: nothing to escape. */
		g_string_append_printf(out, "\"%s\":", k);
		if (v == NULL) {
			g_string_append(out, "null");
			continue;
		}
		/*
		 * log_json_escape() never splits a character or an escape and
		 * marks a cut value with "[...]".
		 */
		len = 0;
		value[0] = '\0';
		(void)log_json_escape(value, sizeof(value), &len, v);
		g_string_append_c(out, '"');
		g_string_append_len(out, value, (gssize)len);
		g_string_append_c(out, '"');
	}
	va_end(ap);
	g_string_append_c(out, '}');
	return g_string_free(out, FALSE);
bug:
	va_end(ap);
	log_kv(LOG_LEVEL_ERROR, "bug_audit_details", "reason",
	       n == AUDIT_DETAILS_PAIRS_MAX ? "too many pairs"
					    : "bad or repeated key",
	       NULL);
	g_string_free(out, TRUE);
	return NULL;
}
