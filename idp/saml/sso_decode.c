/*
 * How an AuthnRequest is decoded: the Redirect binding's query string,
 * base64 and raw deflate, each with its limit checked before the step
 * that could exceed it.
 */
#include <string.h>
#include <zlib.h>

#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"

void
sso_parsed_clear(struct sso_parsed *p)
{
	if (p->xml != NULL)
		crypt_wipe(p->xml, p->xml_len);
	g_free(p->xml);
	g_free(p->issuer);
	g_free(p->id);
	g_free(p->acs_url);
	g_free(p->protocol_binding);
	g_free(p->destination);
	g_free(p->relay_state);
	g_free(p->lasso_msg);
	memset(p, 0, sizeof(*p));
	p->acs_index = -1;
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

char *
sso_unescape(const char *s, size_t len)
{
	char *out = g_malloc(len + 1);
	size_t j = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			out[j++] = s[i];
			continue;
		}
		int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
		int lo = i + 2 < len ? hexval(s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			g_free(out);
			return NULL;
		}
		out[j++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[j] = '\0';
	return out;
}

/*
 * The four parameters of the Redirect binding, each at most once: with
 * two SAMLRequest parameters our checks and lasso could read different
 * messages. Other parameters (lang) are ignored.
 */
static int
query_split(const char *query, const char *message, char **request,
	    char **relay_state, bool *has_signature)
{
	const char *const names[] = {message, "RelayState", "SigAlg",
				     "Signature"};
	unsigned seen[4] = {0, 0, 0, 0};
	const char *p = query;

	*request = NULL;
	*relay_state = NULL;
	*has_signature = false;
	while (*p != '\0') {
		size_t len = strcspn(p, "&");
		size_t nlen = strcspn(p, "=&");

		for (size_t k = 0; k < 4; k++) {
			if (nlen != strlen(names[k]) ||
			    memcmp(p, names[k], nlen) != 0)
				continue;
			if (++seen[k] > 1) {
				log_kv(LOG_LEVEL_INFO, "saml_request_refused",
				       "reason", "parameter_repeated",
				       "parameter", names[k], NULL);
				return SAML_E_XML_STRUCTURE;
			}
			if (nlen >= len)
				break; /* no "=": an empty value */
			const char *v = p + nlen + 1;
			size_t vlen = len - nlen - 1;
			if (k == 0 && vlen > 3 * SAML_REQUEST_B64_MAX)
				return SAML_E_REQUEST_TOO_LARGE;
			if (k == 1 && vlen > 3 * SAML_RELAY_STATE_MAX)
				return SAML_E_RELAY_STATE_TOO_LONG;
			char *val = sso_unescape(v, vlen);
			if (val == NULL)
				return SAML_E_BAD_BASE64;
			if (k == 0)
				*request = val;
			else if (k == 1)
				*relay_state = val;
			else
				g_free(val);
		}
		p += len;
		if (*p == '&')
			p++;
	}
	*has_signature = seen[3] > 0;
	return 0;
}

/*
 * Strict base64 (crypt_base64_decode()): anything outside the alphabet
 * is an error, not skipped (as GLib's decoder would), except line
 * breaks, since some SPs wrap the POST field.
 */
static int
base64_decode(const char *b64, uint8_t **out, size_t *out_len)
{
	size_t len = strlen(b64);
	uint8_t *buf;

	*out = NULL;
	*out_len = 0;
	if (len == 0)
		return SAML_E_MISSING_REQUEST;
	if (len > SAML_REQUEST_B64_MAX)
		return SAML_E_REQUEST_TOO_LARGE;
	buf = g_malloc(CRYPT_BASE64_DECODED_MAX(len));
	if (crypt_base64_decode(b64, len, CRYPT_BASE64_SKIP_LINE_BREAKS, buf,
				out_len) != 0) {
		g_free(buf);
		return SAML_E_BAD_BASE64;
	}
	*out = buf;
	return 0;
}

/*
 * Raw deflate (RFC 1951), as the Redirect binding sends it, into at most
 * SAML_REQUEST_XML_MAX bytes: the output buffer is the limit, so a
 * deflate bomb stops there instead of filling memory.
 */
static int
inflate_bounded(const uint8_t *in, size_t in_len, char **out, size_t *out_len)
{
	z_stream zs;
	char *buf = g_malloc(SAML_REQUEST_XML_MAX + 1);
	int zrc;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
		g_free(buf);
		return SAML_E_INTERNAL;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)in_len;
	zs.next_out = (Bytef *)buf;
	/* One byte more than allowed: filling it means "too large". */
	zs.avail_out = SAML_REQUEST_XML_MAX + 1;
	zrc = inflate(&zs, Z_FINISH);
	*out_len = zs.total_out;
	inflateEnd(&zs);
	if (*out_len > SAML_REQUEST_XML_MAX) {
		g_free(buf);
		return SAML_E_INFLATED_TOO_LARGE;
	}
	if (zrc != Z_STREAM_END || zs.avail_in != 0) {
		g_free(buf);
		return SAML_E_BAD_DEFLATE;
	}
	buf[*out_len] = '\0';
	*out = buf;
	return 0;
}

int
sso_decode(const struct saml_sso_input *in, struct sso_parsed *p)
{
	return sso_decode_message(in, false, p);
}

int
sso_decode_message(const struct saml_sso_input *in, bool response,
		   struct sso_parsed *p)
{
	char *request = NULL;
	uint8_t *bin = NULL;
	size_t bin_len = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	p->acs_index = -1;
	p->binding = in->binding;
	switch (in->binding) {
	case SAML_SSO_REDIRECT:
		if (in->raw_query == NULL)
			return SAML_E_MISSING_REQUEST;
		rc = query_split(in->raw_query,
				 response ? "SAMLResponse" : "SAMLRequest",
				 &request, &p->relay_state, &p->has_signature);
		if (rc != 0)
			goto out;
		/* Verified by us (sso_query_signature.c), not by lasso. */
		p->lasso_msg = sso_query_unsigned(in->raw_query);
		break;
	case SAML_SSO_POST:
		if (in->saml_request != NULL)
			request = g_strdup(in->saml_request);
		if (in->relay_state != NULL)
			p->relay_state = g_strdup(in->relay_state);
		break;
	}
	rc = SAML_E_MISSING_REQUEST;
	if (request == NULL)
		goto out;
	rc = SAML_E_RELAY_STATE_TOO_LONG;
	if (p->relay_state != NULL &&
	    strlen(p->relay_state) > SAML_RELAY_STATE_MAX)
		goto out;
	rc = base64_decode(request, &bin, &bin_len);
	if (rc != 0)
		goto out;
	switch (in->binding) {
	case SAML_SSO_REDIRECT:
		rc = inflate_bounded(bin, bin_len, &p->xml, &p->xml_len);
		break;
	case SAML_SSO_POST:
		rc = SAML_E_INFLATED_TOO_LARGE;
		if (bin_len > SAML_REQUEST_XML_MAX)
			break;
		p->xml = g_malloc(bin_len + 1);
		memcpy(p->xml, bin, bin_len);
		p->xml[bin_len] = '\0';
		p->xml_len = bin_len;
		p->lasso_msg = g_strdup(request);
		rc = 0;
		break;
	}
out:
	g_free(request);
	g_free(bin);
	if (rc != 0) {
		log_kv(LOG_LEVEL_INFO, "saml_request_refused", "reason",
		       saml_error_info((enum saml_error)rc)->name, NULL);
		sso_parsed_clear(p);
	}
	return rc;
}
