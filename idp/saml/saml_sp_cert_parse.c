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

#include "idp/crypto/crypt.h"
#include "idp/saml/saml_internal.h"

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
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "an X509Certificate is longer than %d bytes",
			       SAML_SP_CERT_B64_MAX);
		goto out;
	}
	der = malloc(CRYPT_BASE64_DECODED_MAX(len));
	if (der == NULL)
		goto out;
	/*
	 * Strict: xmlsec's decoder, which lasso uses, is laxer; what we
	 * accept, it reads the same way.
	 */
	if (crypt_base64_decode(b64, len, CRYPT_BASE64_SKIP_BLANKS, der,
				&derlen) != 0) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "an X509Certificate is not valid base64");
		goto out;
	}
	p = der;
	x = d2i_X509(NULL, &p, (long)derlen);
	if (x == NULL || p != der + derlen) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
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
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "a certificate has a key that is neither RSA "
			       "nor EC");
		goto out;
	}
	if (out->key_type == NULL)
		goto out;
	out->key_bits = EVP_PKEY_get_bits(key);
	if ((out->rsa && out->key_bits < SAML_SP_RSA_BITS_MIN) ||
	    (!out->rsa && out->key_bits < 256)) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "a certificate's %s key has %d bits, fewer "
			       "than %d",
			       out->key_type, out->key_bits,
			       out->rsa ? SAML_SP_RSA_BITS_MIN : 256);
		goto out;
	}
	if (!asn1_time(X509_get0_notBefore(x), &out->not_before) ||
	    !asn1_time(X509_get0_notAfter(x), &out->not_after)) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
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
