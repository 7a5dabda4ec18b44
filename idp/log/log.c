/*
 * JSON log lines on stderr; see log.h for the format and its guarantees.
 */
#include "idp/log/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MARKER_LEN (sizeof(LOG_TRUNCATED_MARKER) - 1)

/*
 * Written in front of the closing brace when anything was cut. Room for it
 * and for "}\n" is kept free at the end of every line, so a cut line is
 * still one complete JSON object.
 */
static const char trunc_field[] = ",\"truncated\":true";
#define LINE_TAIL (sizeof(trunc_field) - 1 + 2)

static atomic_int min_level = LOG_LEVEL_INFO;

void
log_set_level(enum log_level level)
{
	atomic_store_explicit(&min_level, (int)level, memory_order_relaxed);
}

enum log_level
log_get_level(void)
{
	return (enum log_level)atomic_load_explicit(&min_level,
						    memory_order_relaxed);
}

bool
log_enabled(enum log_level level)
{
	return (int)level >=
	       atomic_load_explicit(&min_level, memory_order_relaxed);
}

bool
log_level_parse(const char *s, enum log_level *out)
{
	static const enum log_level all[] = {
		LOG_LEVEL_DEBUG,
		LOG_LEVEL_INFO,
		LOG_LEVEL_WARN,
		LOG_LEVEL_ERROR,
	};
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(s, log_level_name(all[i])) == 0) {
			*out = all[i];
			return true;
		}
	}
	return false;
}

const char *
log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_DEBUG:
		return "debug";
	case LOG_LEVEL_INFO:
		return "info";
	case LOG_LEVEL_WARN:
		return "warn";
	case LOG_LEVEL_ERROR:
		return "error";
	}
	return "unknown";
}

/*
 * Length of the valid UTF-8 sequence at @p, or 0 when it is invalid; then
 * *bad is the length of its maximal invalid subpart (at least 1), which
 * becomes one U+FFFD as Unicode recommends. The ranges of the second byte
 * exclude overlong forms (E0, F0), surrogates (ED) and code points above
 * U+10FFFF (F4). A NUL byte is never a continuation byte, so a sequence cut
 * off by the end of the string is invalid without reading past it.
 */
static size_t
utf8_len(const unsigned char *p, size_t *bad)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 1;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		need = 2;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		need = 3;
	else {
		*bad = 1;
		return 0;
	}
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i <= need; i++) {
		if (p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/*
 * Escape the character at *@p into @unit (at least 7 bytes), advance *@p
 * past it and return the length of the escaped form.
 */
static size_t
escape_one(const unsigned char **p, char *unit)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = *p;
	unsigned cp;
	size_t n, bad;

	if (s[0] < 0x80) {
		*p = s + 1;
		switch (s[0]) {
		case '"':
			memcpy(unit, "\\\"", 2);
			return 2;
		case '\\':
			memcpy(unit, "\\\\", 2);
			return 2;
		case '\n':
			memcpy(unit, "\\n", 2);
			return 2;
		case '\r':
			memcpy(unit, "\\r", 2);
			return 2;
		case '\t':
			memcpy(unit, "\\t", 2);
			return 2;
		case '\b':
			memcpy(unit, "\\b", 2);
			return 2;
		case '\f':
			memcpy(unit, "\\f", 2);
			return 2;
		default:
			break;
		}
		if (s[0] >= 0x20 && s[0] != 0x7f) {
			unit[0] = (char)s[0];
			return 1;
		}
		cp = s[0];
	} else {
		n = utf8_len(s, &bad);
		if (n == 0) {
			*p = s + bad;
			memcpy(unit, "\\ufffd", 6);
			return 6;
		}
		*p = s + n;
		/*
		 * C1 controls are valid JSON as they are, but some terminals
		 * act on them; someone will read these logs with less or tail.
		 */
		if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
			cp = s[1];
		} else {
			memcpy(unit, s, n);
			return n;
		}
	}
	memcpy(unit, "\\u00", 4);
	unit[4] = hex[cp >> 4];
	unit[5] = hex[cp & 0xf];
	return 6;
}

bool
log_json_escape(char *buf, size_t cap, size_t *len, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t pos = *len, safe = *len, n;
	/* Whether the marker (and the NUL) fit after the text kept so far. */
	bool marker_fits = *len + MARKER_LEN < cap;
	char unit[8];

	if (*len >= cap)
		return false;
	if (p == NULL) {
		buf[pos] = '\0';
		return true;
	}
	while (*p != '\0') {
		n = escape_one(&p, unit);
		if (pos + n >= cap) {
			if (marker_fits) {
				memcpy(buf + safe, LOG_TRUNCATED_MARKER,
				       MARKER_LEN);
				pos = safe + MARKER_LEN;
			}
			buf[pos] = '\0';
			*len = pos;
			return false;
		}
		memcpy(buf + pos, unit, n);
		pos += n;
		if (pos + MARKER_LEN < cap)
			safe = pos;
	}
	buf[pos] = '\0';
	*len = pos;
	return true;
}

/*
 * A line being built. Strings go below @cap; LINE_TAIL bytes above it are
 * kept for the truncation field and the closing "}\n".
 */
struct line {
	char buf[LOG_LINE_MAX];
	size_t len;
	size_t cap;
	bool truncated; /* a value was cut or a field dropped */
	bool full;	/* no further field fits */
};

static bool
put_raw(struct line *l, const char *s)
{
	size_t n = strlen(s);

	if (l->len + n >= l->cap)
		return false;
	memcpy(l->buf + l->len, s, n + 1);
	l->len += n;
	return true;
}

/*
 * Append @sep"@key":"@value" (or null). The key is kept whole or the field
 * is dropped, since a cut key would be misread; the value may be cut.
 */
static void
put_field(struct line *l, const char *sep, const char *key, const char *value)
{
	/* After the key: '":"', the marker and the closing quote. */
	const size_t value_room = 3 + MARKER_LEN + 1;
	size_t mark = l->len;

	if (l->full)
		return;
	if (!put_raw(l, sep) || !put_raw(l, "\""))
		goto drop;
	if (!log_json_escape(l->buf, l->cap - value_room, &l->len, key))
		goto drop;
	if (value == NULL) {
		if (!put_raw(l, "\":null"))
			goto drop;
		return;
	}
	if (!put_raw(l, "\":\""))
		goto drop;
	/* Leaves room for the closing quote, checked by value_room above. */
	if (!log_json_escape(l->buf, l->cap - 1, &l->len, value))
		l->truncated = true;
	l->buf[l->len++] = '"';
	l->buf[l->len] = '\0';
	return;
drop:
	l->len = mark;
	l->buf[mark] = '\0';
	l->truncated = true;
	l->full = true;
}

static void
line_begin(struct line *l, enum log_level level, const char *event)
{
	struct timespec ts;
	struct tm tm;
	char stamp[64];
	size_t n = 0;

	l->len = 0;
	l->cap = sizeof(l->buf) - LINE_TAIL;
	l->truncated = false;
	l->full = false;
	l->buf[0] = '\0';

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL) {
		/* A valid timestamp that stands out rather than no field. */
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 70;
		tm.tm_mday = 1;
		ts.tv_nsec = 0;
	}
	n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%03ldZ",
		 (long)(ts.tv_nsec / 1000000));

	(void)put_raw(l, "{");
	put_field(l, "", "ts", stamp);
	put_field(l, ",", "level", log_level_name(level));
	put_field(l, ",", "event", event);
}

/* Close the line and write it with one write(2). */
static void
line_end(struct line *l)
{
	const char *p = l->buf;
	size_t n;
	ssize_t w;
	int saved_errno = errno;

	if (l->truncated) {
		memcpy(l->buf + l->len, trunc_field, sizeof(trunc_field) - 1);
		l->len += sizeof(trunc_field) - 1;
	}
	l->buf[l->len++] = '}';
	l->buf[l->len++] = '\n';

	/*
	 * A short write only happens on a full disk or an odd file type; then
	 * the rest follows, and the line may interleave with another one.
	 * Errors are dropped: there is nowhere left to report them.
	 */
	n = l->len;
	while (n > 0) {
		w = write(STDERR_FILENO, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	/* Logging between a failing call and its errno check is common. */
	errno = saved_errno;
}

void
log_kv(enum log_level level, const char *event, ...)
{
	struct line l;
	const char *key, *value;
	va_list ap;

	if (!log_enabled(level))
		return;
	line_begin(&l, level, event);
	va_start(ap, event);
	while ((key = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		put_field(&l, ",", key, value);
	}
	va_end(ap);
	line_end(&l);
}

void
log_msg(enum log_level level, const char *event, const char *fmt, ...)
{
	struct line l;
	char msg[LOG_LINE_MAX];
	va_list ap;
	int n;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		snprintf(msg, sizeof(msg), "(format error)");
	line_begin(&l, level, event);
	put_field(&l, ",", "msg", msg);
	/* A message longer than msg[] is also longer than the line. */
	if (n >= (int)sizeof(msg))
		l.truncated = true;
	line_end(&l);
}
