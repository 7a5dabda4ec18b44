/*
 * Strict base64: the one decoder of SAML and eID messages and of
 * certificates in metadata, and the digit values the token parser
 * shares.
 */
#include <string.h>

#include "idp/crypto/crypt.h"

int
crypt_base64_value(char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/* Whether @c is white space that @skip lets through. */
static bool
skipped(char c, enum crypt_base64_skip skip)
{
	switch (skip) {
	case CRYPT_BASE64_SKIP_BLANKS:
		if (c == ' ' || c == '\t')
			return true;
		return c == '\r' || c == '\n';
	case CRYPT_BASE64_SKIP_LINE_BREAKS:
		return c == '\r' || c == '\n';
	}
	return false;
}

int
crypt_base64_decode(const char *in, size_t len, enum crypt_base64_skip skip,
		    uint8_t *out, size_t *out_len)
{
	unsigned acc = 0, bits = 0;
	size_t n = 0, digits = 0, pad = 0;

	*out_len = 0;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		int v;

		if (skipped(c, skip))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = crypt_base64_value(c, false);
		/* A foreign byte, or data after padding. */
		if (v < 0 || pad > 0)
			goto bad;
		digits++;
		acc = ((acc << 6) | (unsigned)v) & 0xffffu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/*
	 * Canonical only: whole quads (the '=', none, one or two, complete
	 * the last one) and the bits beyond the last byte zero, so that one
	 * text means one byte string and no other reader (xmlsec's laxer
	 * decoder among them) can read it another way.
	 */
	if (digits == 0 || pad > 2 || (digits + pad) % 4 != 0 ||
	    (acc & ((1u << bits) - 1)) != 0)
		goto bad;
	*out_len = n;
	return 0;
bad:
	crypt_wipe(out, n);
	return IDP_ERR_INVALID;
}
