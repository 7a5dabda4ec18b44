/*
 * application/x-www-form-urlencoded bodies (the WHATWG URL standard's
 * "urlencoded parser"), made strict where browsers never send what a
 * lenient parser would accept: bad percent escapes, invalid UTF-8, control
 * characters and repeated names are errors, not guesses.
 */
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "idp/http/http.h"

static int
hex_value(char c)
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
 * Decode @len bytes at @s into @out ("+" is space, %XX a byte) and
 * NUL-terminate it; @out has room for @len + 1 bytes, as decoding never
 * grows. Returns the decoded length, or -1 for a bad escape.
 */
static long
decode(const char *s, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			int hi, lo;

			if (len - i < 3)
				return -1;
			hi = hex_value(s[i + 1]);
			lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return (long)o;
}

/*
 * Whether @len bytes at @s are well-formed UTF-8 (Unicode table 3-7: no
 * overlong forms, no surrogates, nothing above U+10FFFF) without NUL, other
 * C0 controls or DEL. TAB, LF and CR stay allowed: a multi-line text field
 * sends CR LF. Which fields may hold them is for the handler to say.
 */
static bool
text_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		unsigned lo = 0x80, hi = 0xbf;
		size_t n;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
			    c == 0x7f)
				return false;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c == 0xe0) {
			n = 2;
			lo = 0xa0;
		} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) {
			n = 2;
		} else if (c == 0xed) {
			n = 2;
			hi = 0x9f;
		} else if (c == 0xf0) {
			n = 3;
			lo = 0x90;
		} else if (c >= 0xf1 && c <= 0xf3) {
			n = 3;
		} else if (c == 0xf4) {
			n = 3;
			hi = 0x8f;
		} else {
			return false;
		}
		if (len - i - 1 < n || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return false;
		i += n + 1;
	}
	return true;
}

/* Decode and check one part (name or value) into @out. */
static int
part_decode(const char *s, size_t len, char *out, size_t *out_len)
{
	long n = decode(s, len, out);

	if (n < 0 || !text_valid((const unsigned char *)out, (size_t)n))
		return IDP_ERR_INVALID;
	*out_len = (size_t)n;
	return 0;
}

int
http_form_parse(const char *body, size_t len, struct http_form *out)
{
	const char *p = body, *end = body + len;
	char *w;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return 0;
	/*
	 * Decoding never grows, and "=" pays for the name's NUL, so a field
	 * needs at most its encoded length plus one byte (the value's NUL,
	 * or both NULs of a field without "="): len plus one per field.
	 */
	out->buf = malloc(len + HTTP_MAX_FIELDS + 1);
	if (out->buf == NULL)
		return IDP_ERR_NOMEM;
	out->buf_size = len + HTTP_MAX_FIELDS + 1;
	w = out->buf;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *fend = amp != NULL ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(fend - p));
		const char *nend = eq != NULL ? eq : fend;
		struct http_form_field *f;
		size_t nlen, vlen;

		if (fend == p) { /* empty field, as in "a=1&&b=2" */
			p = fend + 1;
			continue;
		}
		if (out->n == HTTP_MAX_FIELDS) {
			rc = IDP_ERR_TOO_LARGE;
			goto out;
		}
		/* Bound the work before decoding: escapes only shrink. */
		if (nend - p > 3 * HTTP_MAX_FIELD_NAME) {
			rc = IDP_ERR_TOO_LARGE;
			goto out;
		}
		f = &out->fields[out->n];
		if ((rc = part_decode(p, (size_t)(nend - p), w, &nlen)) != 0)
			goto out;
		if (nlen == 0) {
			rc = IDP_ERR_INVALID;
			goto out;
		}
		if (nlen > HTTP_MAX_FIELD_NAME) {
			rc = IDP_ERR_TOO_LARGE;
			goto out;
		}
		f->name = w;
		w += nlen + 1;
		if (eq != NULL) {
			rc = part_decode(eq + 1, (size_t)(fend - eq - 1), w,
					 &vlen);
			if (rc != 0)
				goto out;
		} else {
			*w = '\0';
			vlen = 0;
		}
		f->value = w;
		w += vlen + 1;
		/*
		 * Names hold no NUL (text_valid), so strcmp compares all of
		 * them. A repeated name is refused: the first and the last
		 * value are both plausible readings, and a check on one with
		 * a use of the other is how parameter pollution works.
		 */
		for (size_t i = 0; i < out->n; i++) {
			if (strcmp(out->fields[i].name, f->name) == 0) {
				rc = IDP_ERR_INVALID;
				goto out;
			}
		}
		out->n++;
		p = amp != NULL ? amp + 1 : end;
	}
out:
	if (rc != 0)
		http_form_free(out);
	return rc;
}

void
http_form_free(struct http_form *f)
{
	if (f->buf != NULL)
		sodium_memzero(f->buf, f->buf_size);
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

const char *
http_form_peek(const struct http_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	return NULL;
}
