/*
 * Which addresses we send to: plain ASCII addr-specs, nothing that could
 * be read as a second address, a header or an SMTP command.
 */
#include <string.h>

#include "idp/mail/mail.h"

/* Longest domain label (RFC 1035). */
#define LABEL_MAX 63

/* RFC 5322 atext: the characters of an unquoted local part besides dots. */
static bool
is_atext(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool
is_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* A dot-atom: atext runs separated by single dots. */
static bool
local_valid(const char *s, size_t n)
{
	if (n == 0 || n > MAIL_LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!is_atext(s[i])) {
			return false;
		}
	}
	return true;
}

/*
 * Host name labels. Address literals ([192.0.2.1]) are refused: nobody
 * registers with one, and they bypass the MX lookup that relays do.
 */
static bool
domain_valid(const char *s, size_t n)
{
	size_t start = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i <= n; i++) {
		size_t len;

		if (i < n && s[i] != '.') {
			if (!is_ldh(s[i]))
				return false;
			continue;
		}
		len = i - start;
		if (len == 0 || len > LABEL_MAX || s[start] == '-' ||
		    s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

bool
mail_address_valid(const char *addr)
{
	const char *at;
	size_t n;

	if (addr == NULL)
		return false;
	/* The bound first, so that a huge input costs nothing more. */
	n = strnlen(addr, MAIL_ADDRESS_MAX + 1);
	if (n > MAIL_ADDRESS_MAX)
		return false;
	at = memchr(addr, '@', n);
	if (at == NULL)
		return false;
	/* A second @ is not atext and fails in domain_valid(). */
	return local_valid(addr, (size_t)(at - addr)) &&
	       domain_valid(at + 1, n - (size_t)(at - addr) - 1);
}
