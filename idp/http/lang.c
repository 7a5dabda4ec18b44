#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "idp/http/http.h"

/*
 * Accept-Language (RFC 9110, 12.5.4): a list of language ranges with
 * optional weights. We only choose between German and English, so we find
 * the best weight given to each and compare; German wins ties, since the
 * pages are German first. The header is bounded by the header limit, and
 * we look at no more than this many entries.
 */
#define LANG_MAX_ENTRIES 32

/* Weight "q=0.8" as thousandths; -1 when malformed. */
static int
parse_q(const char *s, size_t len)
{
	int v = 0, digits = 0;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	if (len < 2 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=')
		return -1;
	s += 2;
	len -= 2;
	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	v = (s[0] - '0') * 1000;
	s++;
	len--;
	if (len > 0 && s[0] == '.') {
		s++;
		len--;
		int scale = 100;
		while (len > 0 && isdigit((unsigned char)s[0]) && digits < 3) {
			v += (s[0] - '0') * scale;
			scale /= 10;
			digits++;
			s++;
			len--;
		}
	}
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	if (len != 0 || v > 1000)
		return -1;
	return v;
}

bool
http_lang_prefers_en(const char *al)
{
	int best_de = -1, best_en = -1, best_any = -1;
	int entries = 0;

	if (al == NULL)
		return false;
	while (*al != '\0' && entries++ < LANG_MAX_ENTRIES) {
		const char *end = strchr(al, ',');
		size_t len = end ? (size_t)(end - al) : strlen(al);
		const char *semi = memchr(al, ';', len);
		size_t tag_len = semi ? (size_t)(semi - al) : len;
		const char *tag = al;
		int q = 1000;

		while (tag_len > 0 && (*tag == ' ' || *tag == '\t')) {
			tag++;
			tag_len--;
		}
		while (tag_len > 0 &&
		       (tag[tag_len - 1] == ' ' || tag[tag_len - 1] == '\t'))
			tag_len--;
		if (semi != NULL)
			q = parse_q(semi + 1, len - (size_t)(semi - al) - 1);
		if (q >= 0) {
			/* "de", "de-DE", "de-AT" ... all count as German. */
			size_t primary = strcspn(tag, "-,;");
			if (primary > tag_len)
				primary = tag_len;
			if (primary == 2 && strncasecmp(tag, "de", 2) == 0) {
				if (q > best_de)
					best_de = q;
			} else if (primary == 2 &&
				   strncasecmp(tag, "en", 2) == 0) {
				if (q > best_en)
					best_en = q;
			} else if (tag_len == 1 && tag[0] == '*') {
				best_any = q;
			}
		}
		if (end == NULL)
			break;
		al = end + 1;
	}
	if (best_de < 0)
		best_de = best_any;
	return best_en > 0 && best_en > best_de;
}
