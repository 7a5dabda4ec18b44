/*
 * JSON log lines on stderr, one object per line:
 *   {"ts":"2026-11-30T01:02:03.456Z","level":"info","event":"...",...}
 * ts is UTC with milliseconds; then level, event and the caller's fields in
 * the order given. Every string is escaped by log_json_escape(), so a line
 * is valid JSON whatever bytes a field holds.
 *
 * Thread-safe: each line is built on the stack and written with one
 * write(2) of at most LOG_LINE_MAX bytes, which is no more than PIPE_BUF, so
 * lines from different threads never interleave on a pipe. A line that would
 * be longer is cut: values end in LOG_TRUNCATED_MARKER, fields that do not
 * fit at all are dropped, and the line gets a "truncated":true field.
 *
 * Never pass secrets: passwords, tokens, session ids, keys, connection
 * strings.
 */
#ifndef IDP_LOG_LOG_H
#define IDP_LOG_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* Longest line written, newline included: PIPE_BUF on Linux. */
#define LOG_LINE_MAX 4096

/* Written where a string value was cut short. */
#define LOG_TRUNCATED_MARKER "[...]"

enum log_level {
	LOG_LEVEL_DEBUG = 0,
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_WARN = 2,
	LOG_LEVEL_ERROR = 3,
};

/*
 * Set the minimum level written; atomic, may be called any time from any
 * thread. The level is LOG_LEVEL_INFO until first set.
 */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);

/* Parse "debug|info|warn|error" (exact, lower case); false when unknown. */
bool log_level_parse(const char *s, enum log_level *out);

/* "debug", "info", "warn" or "error"; "unknown" for other values. */
const char *log_level_name(enum log_level level);

/*
 * One line with string fields: @... is a NULL-terminated list of key,
 * value pairs (both const char *; a NULL value is written as null).
 */
void log_kv(enum log_level level, const char *event, ...)
	__attribute__((sentinel));

/* One line with a "msg" field formatted printf-style. */
void log_msg(enum log_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Append @s to @buf (capacity @cap bytes, NUL included) at offset @*len as
 * the body of a JSON string (no quotes), and advance @*len; @buf stays
 * NUL-terminated. Quotes and backslashes are escaped, control characters
 * (C0, DEL and C1) become \n, \t, ... or \u00XX, and every invalid UTF-8
 * sequence (stray continuation bytes, overlong forms, surrogates, code
 * points above U+10FFFF, cut-off sequences) becomes \ufffd, one per
 * maximal invalid subpart. A NULL @s appends nothing.
 *
 * Never splits an escape or a character. Returns false when @s did not fit:
 * then as much as fits is kept, followed by LOG_TRUNCATED_MARKER when there
 * is room for it. Nothing is written when @*len >= @cap.
 */
bool log_json_escape(char *buf, size_t cap, size_t *len, const char *s);

#endif
