/*
 * What idpctl prints: text that came from the database, from metadata or
 * from the environment, escaped so that it cannot drive the operator's
 * terminal, times in UTC, and "label   value" lines or one JSON object.
 */
#include <stdio.h>
#include <time.h>

#include "idp/ctl/ctl_util.h"

/* How escape() writes what it escapes. */
enum notation {
	NOTATION_TEXT, /* \uXXXX, \\; invalid bytes as \ufffd */
	NOTATION_JSON, /* the same inside a JSON string, \" too */
	NOTATION_HEX,  /* \xHH for controls and invalid bytes, else \u{XXXX} */
};

/*
 * What a terminal may act on or hide: C0 and C1 controls and DEL,
 * invisible format characters (bidirectional overrides, zero-width
 * spaces) and the line and paragraph separators.
 */
static bool
unsafe(gunichar c)
{
	return g_unichar_iscntrl(c) || g_unichar_type(c) == G_UNICODE_FORMAT ||
	       c == 0x2028 || c == 0x2029;
}

static void
escape_char(GString *o, gunichar c, enum notation how)
{
	switch (how) {
	case NOTATION_TEXT:
	case NOTATION_JSON:
		if (c > 0xffff) /* JSON wants a surrogate pair */
			g_string_append_printf(o, "\\u%04x\\u%04x",
					       0xd800 + ((c - 0x10000) >> 10),
					       0xdc00 +
						       ((c - 0x10000) & 0x3ff));
		else
			g_string_append_printf(o, "\\u%04x", c);
		return;
	case NOTATION_HEX:
		if (g_unichar_iscntrl(c))
			g_string_append_printf(o, "\\x%02x", (unsigned)c);
		else
			g_string_append_printf(o, "\\u{%04x}", (unsigned)c);
		return;
	}
}

static void
escape(GString *o, const char *s, enum notation how)
{
	while (*s != '\0') {
		gunichar c = g_utf8_get_char_validated(s, -1);
		const char *next;

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			if (how == NOTATION_HEX)
				g_string_append_printf(o, "\\x%02x",
						       (unsigned char)*s);
			else
				g_string_append(o, "\\ufffd");
			s++;
			continue;
		}
		next = s + g_unichar_to_utf8(c, NULL);
		if (unsafe(c)) {
			escape_char(o, c, how);
		} else if (how != NOTATION_HEX &&
			   (c == '\\' || (how == NOTATION_JSON && c == '"'))) {
			g_string_append_c(o, '\\');
			g_string_append_c(o, (char)c);
		} else {
			g_string_append_len(o, s, next - s);
		}
		s = next;
	}
}

void
ctl_put_text(GString *o, const char *s, bool json)
{
	if (s == NULL) {
		g_string_append(o, json ? "null" : "-");
		return;
	}
	if (json)
		g_string_append_c(o, '"');
	escape(o, s, json ? NOTATION_JSON : NOTATION_TEXT);
	if (json)
		g_string_append_c(o, '"');
}

void
ctl_put_text_hex(GString *o, const char *s)
{
	if (s == NULL)
		g_string_append_c(o, '-');
	else
		escape(o, s, NOTATION_HEX);
}

void
ctl_put_time(GString *o, int64_t t, bool json)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0) {
		g_string_append(o, json ? "null" : "-");
		return;
	}
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, sizeof(buf), "%lld", (long long)t);
	g_string_append_printf(o, json ? "\"%s\"" : "%s", buf);
}

void
ctl_emit(GString *o)
{
	fputs(o->str, stdout);
	g_string_free(o, TRUE);
}

void
ctl_out_key(struct ctl_out *o, const char *key, const char *label)
{
	if (o->json)
		g_string_append_printf(o->s, "%s\"%s\":", o->first ? "{" : ",",
				       key);
	else
		g_string_append_printf(o->s, "%-*s", o->width, label);
	o->first = false;
}

void
ctl_out_str(struct ctl_out *o, const char *key, const char *label,
	    const char *v)
{
	ctl_out_key(o, key, label);
	ctl_put_text(o->s, v, o->json);
	if (!o->json)
		g_string_append_c(o->s, '\n');
}

void
ctl_out_bool(struct ctl_out *o, const char *key, const char *label, bool v)
{
	ctl_out_key(o, key, label);
	g_string_append(o->s, o->json ? (v ? "true" : "false")
				      : (v ? "yes\n" : "no\n"));
}

void
ctl_out_int(struct ctl_out *o, const char *key, const char *label, int64_t v)
{
	ctl_out_key(o, key, label);
	g_string_append_printf(o->s, "%lld%s", (long long)v,
			       o->json ? "" : "\n");
}

void
ctl_out_time(struct ctl_out *o, const char *key, const char *label, int64_t t)
{
	ctl_out_key(o, key, label);
	ctl_put_time(o->s, t, o->json);
	if (!o->json)
		g_string_append_c(o->s, '\n');
}

void
ctl_out_end(struct ctl_out *o)
{
	if (o->json)
		g_string_append(o->s, o->first ? "{}" : "}");
}
