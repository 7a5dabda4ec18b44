/*
 * idp/log: JSON escaping of any byte string, level handling, and the lines
 * log_kv() and log_msg() write, read back from a redirected stderr and
 * parsed as JSON.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "idp/log/log.h"

/* ---- a small JSON reader, just enough for our lines ---- */

#define MAX_FIELDS 64

struct field {
	char *key;
	char *value; /* decoded; NULL for null */
	bool is_bool;
};

struct parsed {
	struct field f[MAX_FIELDS];
	size_t n;
};

static void
parsed_clear(struct parsed *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		g_free(p->f[i].key);
		g_free(p->f[i].value);
	}
	p->n = 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode the JSON string body at *@s up to its closing quote (or to the
 * end when @body_only) into a new string. Raw control bytes, bad escapes
 * and surrogate escapes (we never write them) fail.
 */
static char *
json_string(const char **s, bool body_only)
{
	GString *out = g_string_new(NULL);
	const char *p = *s;
	unsigned cp;
	int i, h;

	for (;;) {
		if (*p == '\0') {
			if (body_only)
				break;
			goto bad;
		}
		if (*p == '"') {
			if (body_only)
				goto bad;
			p++;
			break;
		}
		if ((unsigned char)*p < 0x20)
			goto bad;
		if (*p != '\\') {
			g_string_append_c(out, *p++);
			continue;
		}
		p++;
		switch (*p) {
		case '"':
		case '\\':
		case '/':
			g_string_append_c(out, *p);
			break;
		case 'n':
			g_string_append_c(out, '\n');
			break;
		case 'r':
			g_string_append_c(out, '\r');
			break;
		case 't':
			g_string_append_c(out, '\t');
			break;
		case 'b':
			g_string_append_c(out, '\b');
			break;
		case 'f':
			g_string_append_c(out, '\f');
			break;
		case 'u':
			cp = 0;
			for (i = 1; i <= 4; i++) {
				h = hexval(p[i]);
				if (h < 0)
					goto bad;
				cp = cp * 16 + (unsigned)h;
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				goto bad;
			g_string_append_unichar(out, cp);
			p += 4;
			break;
		default:
			goto bad;
		}
		p++;
	}
	*s = p;
	return g_string_free(out, FALSE);
bad:
	g_string_free(out, TRUE);
	return NULL;
}

/* Parse one line: {"k":"v"|null|true,...}\n and nothing else. */
static bool
json_line(const char *line, struct parsed *p)
{
	const char *s = line;
	struct field *f;

	p->n = 0;
	if (!g_utf8_validate(line, -1, NULL))
		return false;
	if (*s++ != '{')
		return false;
	while (*s != '}') {
		if (p->n > 0 && *s++ != ',')
			return false;
		if (*s++ != '"' || p->n == MAX_FIELDS)
			return false;
		f = &p->f[p->n];
		memset(f, 0, sizeof(*f));
		f->key = json_string(&s, false);
		if (f->key == NULL)
			return false;
		p->n++;
		if (*s++ != ':')
			return false;
		if (strncmp(s, "null", 4) == 0) {
			s += 4;
		} else if (strncmp(s, "true", 4) == 0) {
			f->is_bool = true;
			f->value = g_strdup("true");
			s += 4;
		} else if (*s == '"') {
			s++;
			f->value = json_string(&s, false);
			if (f->value == NULL)
				return false;
		} else {
			return false;
		}
	}
	return strcmp(s, "}\n") == 0;
}

static const struct field *
get(const struct parsed *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (strcmp(p->f[i].key, key) == 0)
			return &p->f[i];
	}
	return NULL;
}

/*
 * The string value of @key; "<missing>" or "<null>" otherwise, which no
 * test expects, so a comparison fails with a readable message.
 */
static const char *
val(const struct parsed *p, const char *key)
{
	const struct field *f = get(p, key);

	if (f == NULL)
		return "<missing>";
	return f->value != NULL ? f->value : "<null>";
}

/* Whether @key is present as true. */
static bool
flag(const struct parsed *p, const char *key)
{
	const struct field *f = get(p, key);

	return f != NULL && f->is_bool;
}

/* ---- capturing stderr ---- */

struct capture {
	int saved;
	FILE *tmp;
};

static void
capture_begin(struct capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->tmp), STDERR_FILENO) >= 0);
}

/* Stop capturing; returns what was written, freed with g_free(). */
static char *
capture_end(struct capture *c, size_t *len)
{
	GString *s = g_string_new(NULL);
	char buf[4096];
	size_t n;

	assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
	close(c->saved);
	rewind(c->tmp);
	while ((n = fread(buf, 1, sizeof(buf), c->tmp)) > 0)
		g_string_append_len(s, buf, (gssize)n);
	fclose(c->tmp);
	*len = s->len;
	return g_string_free(s, FALSE);
}

static unsigned
count_newlines(const char *s, size_t len)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

/* ---- escaping ---- */

static char *
esc(const char *s)
{
	char buf[1024];
	size_t len = 0;

	assert_true(log_json_escape(buf, sizeof(buf), &len, s));
	assert_int_equal(len, strlen(buf));
	return g_strdup(buf);
}

static void
expect_esc(const char *in, const char *want)
{
	char *got = esc(in);

	assert_string_equal(got, want);
	g_free(got);
}

static void
test_escape_specials(void **state)
{
	(void)state;
	expect_esc("", "");
	expect_esc("plain text 123", "plain text 123");
	expect_esc("a\"b", "a\\\"b");
	expect_esc("a\\b", "a\\\\b");
	expect_esc("line1\nline2\r\n", "line1\\nline2\\r\\n");
	expect_esc("\t\b\f", "\\t\\b\\f");
	expect_esc("\x01\x1f", "\\u0001\\u001f");
	expect_esc("del\x7f", "del\\u007f");
	expect_esc("/<>'", "/<>'");
	/* Valid UTF-8 passes, C1 controls (U+0085, U+009B) are escaped. */
	expect_esc("\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80",
		   "\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80");
	expect_esc("\xc2\x85\xc2\x9b\xc2\xa0", "\\u0085\\u009b\xc2\xa0");
	/* Highest code point, last before the surrogates. */
	expect_esc("\xf4\x8f\xbf\xbf\xed\x9f\xbf",
		   "\xf4\x8f\xbf\xbf\xed\x9f\xbf");
}

static void
test_escape_invalid_utf8(void **state)
{
	(void)state;
	/* Stray continuation and impossible bytes. */
	expect_esc("\x80", "\\ufffd");
	expect_esc("a\xbf" "b", "a\\ufffdb");
	expect_esc("\xfe\xff", "\\ufffd\\ufffd");
	/* Overlong forms: C0/C1 leads, E0 80.., F0 80... */
	expect_esc("\xc0\xaf", "\\ufffd\\ufffd");
	expect_esc("\xc1\xbf", "\\ufffd\\ufffd");
	expect_esc("\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd");
	expect_esc("\xf0\x80\x80\xaf", "\\ufffd\\ufffd\\ufffd\\ufffd");
	/* Surrogates U+D800, U+DFFF. */
	expect_esc("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd");
	expect_esc("\xed\xbf\xbf", "\\ufffd\\ufffd\\ufffd");
	/* Above U+10FFFF. */
	expect_esc("\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd");
	expect_esc("\xf5\x80\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd");
	/* Cut-off sequences: one U+FFFD per maximal subpart. */
	expect_esc("\xe2\x82", "\\ufffd");
	expect_esc("\xe2\x82" "A", "\\ufffdA");
	expect_esc("\xf0\x9f\x98" "x", "\\ufffdx");
	expect_esc("\xf0\x9f\x98\xe2\x82\xac", "\\ufffd\xe2\x82\xac");
	expect_esc("\xc3", "\\ufffd");
}

static void
test_escape_null_and_full(void **state)
{
	char buf[8] = "abc";
	size_t len = 3;

	(void)state;
	assert_true(log_json_escape(buf, sizeof(buf), &len, NULL));
	assert_int_equal(len, 3);
	assert_string_equal(buf, "abc");

	/* Nothing written when already at capacity. */
	len = sizeof(buf);
	assert_false(log_json_escape(buf, sizeof(buf), &len, "x"));
	assert_int_equal(len, sizeof(buf));
	len = 0;
	assert_false(log_json_escape(buf, 0, &len, "x"));
	assert_int_equal(len, 0);
}

/*
 * Every capacity from 1 up: the result stays in bounds, NUL-terminated,
 * never splits an escape or a character, and is a prefix of the whole
 * escape followed by the marker when there was room for it.
 */
static void
test_escape_truncation(void **state)
{
	static const char input[] =
		"ab\"c\\d\ne\x01\xc3\xa4\xf0\x9f\x98\x80\xff" "xyz";
	const size_t mlen = strlen(LOG_TRUNCATED_MARKER);
	char full[256], buf[256], *body;
	const char *p;
	size_t full_len = 0, len, cap, keep;
	bool ok;

	(void)state;
	assert_true(log_json_escape(full, sizeof(full), &full_len, input));
	for (cap = 1; cap <= full_len + 1; cap++) {
		memset(buf, 'Z', sizeof(buf));
		buf[0] = 'P';
		len = 1; /* after an existing byte, as in a line */
		ok = log_json_escape(buf, cap + 1, &len, input);
		assert_true(len < cap + 1);
		assert_int_equal(buf[len], '\0');
		assert_int_equal(buf[0], 'P');
		if (cap > full_len) {
			assert_true(ok);
			assert_string_equal(buf + 1, full);
			continue;
		}
		assert_false(ok);
		keep = len - 1;
		if (keep >= mlen &&
		    strcmp(buf + len - mlen, LOG_TRUNCATED_MARKER) == 0)
			keep -= mlen;
		else
			assert_true(cap - 1 < mlen); /* no room for marker */
		assert_memory_equal(buf + 1, full, keep);
		/* The kept part decodes on its own: no split escape. */
		buf[1 + keep] = '\0';
		p = buf + 1;
		body = json_string(&p, true);
		assert_non_null(body);
		assert_true(g_utf8_validate(body, -1, NULL));
		g_free(body);
	}
}

/*
 * Random byte strings: the output is always a valid JSON string body, and
 * valid UTF-8 input comes back unchanged after decoding.
 */
static void
test_escape_random(void **state)
{
	GRand *rnd = g_rand_new_with_seed(20261130);
	char in[64], out[64 * 6 + 1], *dec;
	const char *p;
	size_t len, n, i;
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		n = (size_t)g_rand_int_range(rnd, 0, 63);
		for (i = 0; i < n; i++) {
			/* Mostly high bytes, where UTF-8 goes wrong. */
			in[i] = (char)(g_rand_boolean(rnd) ?
					       g_rand_int_range(rnd, 0x80,
								0x100) :
					       g_rand_int_range(rnd, 1, 0x80));
		}
		in[n] = '\0';
		len = 0;
		assert_true(log_json_escape(out, sizeof(out), &len, in));
		assert_true(g_utf8_validate(out, (gssize)len, NULL));
		p = out;
		dec = json_string(&p, true);
		assert_non_null(dec);
		if (g_utf8_validate(in, -1, NULL))
			assert_string_equal(dec, in);
		g_free(dec);
	}
	g_rand_free(rnd);
}

/* ---- levels ---- */

static void
test_levels(void **state)
{
	static const enum log_level all[] = {
		LOG_LEVEL_DEBUG,
		LOG_LEVEL_INFO,
		LOG_LEVEL_WARN,
		LOG_LEVEL_ERROR,
	};
	enum log_level l = LOG_LEVEL_ERROR;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_true(log_level_parse(log_level_name(all[i]), &l));
		assert_int_equal(l, all[i]);
	}
	assert_string_equal(log_level_name(LOG_LEVEL_WARN), "warn");
	assert_string_equal(log_level_name((enum log_level)42), "unknown");
	l = LOG_LEVEL_DEBUG;
	assert_false(log_level_parse("INFO", &l));
	assert_false(log_level_parse("warning", &l));
	assert_false(log_level_parse("", &l));
	assert_false(log_level_parse("info ", &l));
	assert_false(log_level_parse(NULL, &l));
	assert_int_equal(l, LOG_LEVEL_DEBUG);

	log_set_level(LOG_LEVEL_WARN);
	assert_int_equal(log_get_level(), LOG_LEVEL_WARN);
	assert_false(log_enabled(LOG_LEVEL_DEBUG));
	assert_false(log_enabled(LOG_LEVEL_INFO));
	assert_true(log_enabled(LOG_LEVEL_WARN));
	assert_true(log_enabled(LOG_LEVEL_ERROR));
	log_set_level(LOG_LEVEL_INFO);
}

static void
test_filtering(void **state)
{
	struct capture c;
	struct parsed p;
	char *out;
	size_t len;

	(void)state;
	log_set_level(LOG_LEVEL_WARN);
	capture_begin(&c);
	log_kv(LOG_LEVEL_DEBUG, "dropped", "k", "v", NULL);
	log_kv(LOG_LEVEL_INFO, "dropped", "k", "v", NULL);
	log_msg(LOG_LEVEL_INFO, "dropped", "n=%d", 1);
	log_msg(LOG_LEVEL_ERROR, "kept", "n=%d", 2);
	out = capture_end(&c, &len);
	log_set_level(LOG_LEVEL_INFO);

	assert_int_equal(count_newlines(out, len), 1);
	assert_true(json_line(out, &p));
	assert_string_equal(val(&p, "event"), "kept");
	assert_string_equal(val(&p, "level"), "error");
	assert_string_equal(val(&p, "msg"), "n=2");
	parsed_clear(&p);
	g_free(out);
}

/* ---- lines ---- */

static void
test_kv_line(void **state)
{
	struct capture c;
	struct parsed p;
	const char *ts;
	char *out;
	size_t len;

	(void)state;
	capture_begin(&c);
	errno = EACCES;
	log_kv(LOG_LEVEL_INFO, "login.failed", "account", "a\"b\nc",
	       "reason", NULL, "bytes", "\xff\x01", NULL);
	/* A caller's errno survives logging. */
	assert_int_equal(errno, EACCES);
	out = capture_end(&c, &len);

	assert_int_equal(count_newlines(out, len), 1);
	assert_int_equal(strlen(out), len);
	assert_true(json_line(out, &p));
	assert_int_equal(p.n, 6);
	/* Fixed fields first, then the caller's in order. */
	assert_string_equal(p.f[0].key, "ts");
	assert_string_equal(p.f[1].key, "level");
	assert_string_equal(p.f[2].key, "event");
	assert_string_equal(p.f[3].key, "account");
	assert_string_equal(p.f[4].key, "reason");
	assert_string_equal(p.f[5].key, "bytes");
	assert_string_equal(p.f[1].value, "info");
	assert_string_equal(p.f[2].value, "login.failed");
	assert_string_equal(p.f[3].value, "a\"b\nc");
	assert_null(p.f[4].value);
	assert_string_equal(p.f[5].value, "\xef\xbf\xbd\x01");
	assert_null(get(&p, "truncated"));

	/* 2026-11-30T01:02:03.456Z */
	ts = p.f[0].value;
	assert_int_equal(strlen(ts), 24);
	assert_true(g_regex_match_simple(
		"^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:"
		"[0-6][0-9]\\.[0-9]{3}Z$",
		ts, 0, 0));
	parsed_clear(&p);
	g_free(out);
}

static void
test_msg_line(void **state)
{
	struct capture c;
	struct parsed p;
	char *out;
	size_t len;

	(void)state;
	capture_begin(&c);
	log_msg(LOG_LEVEL_WARN, "store.retry", "attempt %d of %s", 3,
		"tx\tname");
	out = capture_end(&c, &len);
	assert_int_equal(count_newlines(out, len), 1);
	assert_true(json_line(out, &p));
	assert_int_equal(p.n, 4);
	assert_string_equal(val(&p, "level"), "warn");
	assert_string_equal(val(&p, "event"), "store.retry");
	assert_string_equal(val(&p, "msg"), "attempt 3 of tx\tname");
	parsed_clear(&p);
	g_free(out);
}

/*
 * Split captured output into lines, each with its newline; the last
 * element is what followed the last newline (normally ""). Freed with
 * g_strfreev().
 */
static char **
lines_of(const char *out, size_t *n)
{
	char **v = g_strsplit(out, "\n", -1);
	char *t;
	size_t i;

	*n = g_strv_length(v) - 1;
	for (i = 0; i < *n; i++) {
		t = g_strconcat(v[i], "\n", NULL);
		g_free(v[i]);
		v[i] = t;
	}
	return v;
}

/* A value longer than a line is cut with the marker, the line flagged. */
static void
test_long_value(void **state)
{
	struct capture c;
	struct parsed p;
	char *big, *out, **lines;
	const char *v;
	size_t len, n, i;

	(void)state;
	big = g_malloc(20001);
	memset(big, '"', 20000); /* each one escapes to two bytes */
	big[20000] = '\0';
	capture_begin(&c);
	log_kv(LOG_LEVEL_ERROR, "big", "before", "x", "value", big, "after",
	       "y", NULL);
	log_msg(LOG_LEVEL_ERROR, "bigmsg", "%s", big);
	out = capture_end(&c, &len);
	lines = lines_of(out, &n);
	assert_int_equal(n, 2);
	assert_string_equal(lines[2], "");
	for (i = 0; i < n; i++)
		assert_true(strlen(lines[i]) <= LOG_LINE_MAX);

	assert_true(json_line(lines[0], &p));
	assert_string_equal(val(&p, "before"), "x");
	v = val(&p, "value");
	assert_true(g_str_has_suffix(v, LOG_TRUNCATED_MARKER));
	assert_true(strlen(v) > 1000);
	assert_memory_equal(v, big, strlen(v) - strlen(LOG_TRUNCATED_MARKER));
	assert_null(get(&p, "after"));
	assert_true(flag(&p, "truncated"));
	parsed_clear(&p);

	assert_true(json_line(lines[1], &p));
	v = val(&p, "msg");
	assert_true(g_str_has_suffix(v, LOG_TRUNCATED_MARKER));
	assert_true(flag(&p, "truncated"));
	parsed_clear(&p);

	g_strfreev(lines);
	g_free(out);
	g_free(big);
}

/* Many small fields: the ones that do not fit are dropped whole. */
static void
test_many_fields(void **state)
{
	struct capture c;
	struct parsed p;
	char *out, **lines;
	char value[200];
	size_t len, n;

	(void)state;
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	capture_begin(&c);
#define V "k", value
	log_kv(LOG_LEVEL_INFO, "many", V, V, V, V, V, V, V, V, V, V, V, V, V,
	       V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, NULL);
#undef V
	log_msg(LOG_LEVEL_INFO, "next", "fine");
	out = capture_end(&c, &len);
	lines = lines_of(out, &n);
	assert_int_equal(n, 2);
	assert_true(strlen(lines[0]) <= LOG_LINE_MAX);

	assert_true(json_line(lines[0], &p));
	/* 30 fields of 206 bytes do not fit in 4 KiB; about 19 do. */
	assert_true(p.n > 3 + 10 && p.n < 3 + 30);
	assert_string_equal(p.f[p.n - 1].key, "truncated");
	/* The last field that fits in part is cut, not dropped. */
	assert_true(strcmp(p.f[p.n - 2].value, value) == 0 ||
		    g_str_has_suffix(p.f[p.n - 2].value, LOG_TRUNCATED_MARKER));
	assert_string_equal(p.f[p.n - 3].value, value);
	parsed_clear(&p);

	assert_true(json_line(lines[1], &p));
	assert_string_equal(val(&p, "msg"), "fine");
	assert_null(get(&p, "truncated"));
	parsed_clear(&p);
	g_strfreev(lines);
	g_free(out);
}

struct thread_arg {
	int id;
};

static void *
log_thread(void *cls)
{
	const struct thread_arg *a = cls;
	char id[16], pad[600];
	int i;

	snprintf(id, sizeof(id), "%d", a->id);
	memset(pad, 'a' + a->id, sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (i = 0; i < 300; i++)
		log_kv(LOG_LEVEL_INFO, "thread", "id", id, "pad", pad, NULL);
	return NULL;
}

/* Lines from several threads never mix: each is one write(2). */
static void
test_threads(void **state)
{
	struct thread_arg args[4];
	pthread_t t[4];
	struct capture c;
	struct parsed p;
	char *out, **lines;
	size_t len, n, i;

	(void)state;
	capture_begin(&c);
	for (i = 0; i < 4; i++) {
		args[i].id = (int)i;
		assert_int_equal(pthread_create(&t[i], NULL, log_thread,
						&args[i]),
				 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	out = capture_end(&c, &len);

	lines = lines_of(out, &n);
	assert_int_equal(n, 4 * 300);
	for (i = 0; i < n; i++) {
		assert_true(json_line(lines[i], &p));
		assert_int_equal(strlen(val(&p, "pad")), 599);
		assert_int_equal(val(&p, "pad")[0],
				 'a' + atoi(val(&p, "id")));
		parsed_clear(&p);
	}
	g_strfreev(lines);
	g_free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_specials),
		cmocka_unit_test(test_escape_invalid_utf8),
		cmocka_unit_test(test_escape_null_and_full),
		cmocka_unit_test(test_escape_truncation),
		cmocka_unit_test(test_escape_random),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_filtering),
		cmocka_unit_test(test_kv_line),
		cmocka_unit_test(test_msg_line),
		cmocka_unit_test(test_long_value),
		cmocka_unit_test(test_many_fields),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
