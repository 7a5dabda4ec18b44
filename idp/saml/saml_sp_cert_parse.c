/*
 * One X509Certificate of SP metadata: strict base64, one DER
 * certificate, a key we can use; with OpenSSL, which lasso's xmlsec
 * uses too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "idp/saml/saml_internal.h"

/* Value of a base64 digit, -1 for anything else. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode @len bytes of base64 into @out (room for 3 * @len / 4 bytes):
 * blanks and line breaks anywhere are skipped (metadata wraps the text),
 * anything else but the 64 digits and final padding is refused, and so
 * is a length that is not a multiple of four or padding with bits set.
 * xmlsec's decoder, which lasso uses, is laxer; the stricter check
 * here means that what we accept, it reads the same way.
 */
static bool
b64_decode(const char *in, size_t len, unsigned char *out, size_t *outlen)
{
	unsigned acc = 0;
	size_t n = 0, digits = 0, pad = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		int v;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = b64_value(c);
		if (v < 0 || pad > 0)
			return false;
		acc = (acc << 6) | (unsigned)v;
		digits++;
		if (digits % 4 == 0) {
			out[n++] = (unsigned char)(acc >> 16);
			out[n++] = (unsigned char)(acc >> 8);
			out[n++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (digits == 0 || pad > 2 || (digits + pad) % 4 != 0)
		return false;
	switch (digits % 4) {
	case 0:
		if (pad != 0)
			return false;
		break;
	case 2: /* one byte, 4 unused bits */
		if ((acc & 0xf) != 0)
			return false;
		out[n++] = (unsigned char)(acc >> 4);
		break;
	case 3: /* two bytes, 2 unused bits */
		if ((acc & 0x3) != 0)
			return false;
		out[n++] = (unsigned char)(acc >> 10);
		out[n++] = (unsigned char)(acc >> 2);
		break;
	default:
		return false;
	}
	*outlen = n;
	return true;
}

/* The text a memory BIO holds, as an owned string; NULL on failure. */
static char *
bio_text(BIO *b)
{
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	char *s;

	if (n < 0 || data == NULL)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

static bool
asn1_time(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

int
saml_sp_cert_parse(const char *b64, size_t len, enum saml_key_use use,
		   struct saml_sp_cert *out, char *err, size_t errlen)
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	const unsigned char *p;
	unsigned mdlen = 0;
	size_t derlen = 0;
	X509 *x = NULL;
	EVP_PKEY *key;
	BIO *b = NULL;
	int rc = IDP_ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	out->use = use;
	if (len > SAML_SP_CERT_B64_MAX) {
		rc = saml_errf(err, errlen, IDP_ERR_INVALID,
			       "an X509Certificate is longer than %d bytes",
			       SAML_SP_CERT_B64_MAX);
		goto out;
	}
	der = malloc(len / 4 * 3 + 3);
	if (der == NULL)
		goto out;
	if (!b64_decode(b64, len, der, &derlen)) {
		rc = saml_errf(err, errlen, IDP_ERR_INVALID,
			       "an X509Certificate is not valid base64");
		goto out;
	}
	p = der;
	x = d2i_X509(NULL, &p, (long)derlen);
	if (x == NULL || p != der + derlen) {
		rc = saml_errf(err, errlen, IDP_ERR_INVALID,
			       "an X509Certificate is not one DER-encoded "
			       "X.509 certificate");
		goto out;
	}
	key = X509_get0_pubkey(x);
	switch (key != NULL ? EVP_PKEY_get_base_id(key) : EVP_PKEY_NONE) {
	case EVP_PKEY_RSA:
		out->key_type = strdup("RSA");
		out->rsa = true;
		break;
	case EVP_PKEY_EC:
		out->key_type = strdup("EC");
		break;
	default:
		rc = saml_errf(err, errlen, IDP_ERR_INVALID,
			       "a certificate has a key that is neither RSA "
			       "nor EC");
		goto out;
	}
	if (out->key_type == NULL)
		goto out;
	out->key_bits = EVP_PKEY_get_bits(key);
	if ((out->rsa && out->key_bits < SAML_SP_RSA_BITS_MIN) ||
	    (!out->rsa && out->key_bits < 256)) {
		rc = saml_errf(err, errlen, IDP_ERR_INVALID,
			       "a certificate's %s key has %d bits, fewer "
			       "than %d",
			       out->key_type, out->key_bits,
			       out->rsa ? SAML_SP_RSA_BITS_MIN : 256);
		goto out;
	}
	if (!asn1_time(X509_get0_notBefore(x), &out->not_before) ||
	    !asn1_time(X509_get0_notAfter(x), &out->not_after)) {
		rc = saml_errf(err, errlen, IDP_ERR_INVALID,
			       "a certificate has an unreadable validity "
			       "period");
		goto out;
	}
	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		goto out;
	for (unsigned i = 0; i < mdlen; i++)
		(void)snprintf(out->sha256 + 2 * i, 3, "%02x", md[i]);

	/* RFC 2253 escapes control and non-ASCII bytes: one safe line. */
	b = BIO_new(BIO_s_mem());
	if (b == NULL ||
	    X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
			       XN_FLAG_RFC2253) < 0 ||
	    (out->subject = bio_text(b)) == NULL)
		goto out;
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	if (b == NULL || PEM_write_bio_X509(b, x) != 1 ||
	    (out->pem = bio_text(b)) == NULL)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		saml_sp_cert_clear(out);
	BIO_free(b);
	X509_free(x);
	free(der);
	return rc;
}
