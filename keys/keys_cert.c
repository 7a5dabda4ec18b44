/*
 * Reading certificates and checking that a private key belongs to one:
 * for keys read back from the store, which are trusted only as far as
 * these checks go. Also the small helpers the other keys/ files share.
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keys/keys_internal.h"

#define PEM_CERT_HEADER "-----BEGIN CERTIFICATE-----"

void
keys_report(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
keys_report_ossl(char *err, size_t errlen, const char *what)
{
	char reason[256] = "unknown reason";
	unsigned long e = ERR_peek_last_error();

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	ERR_clear_error();
	keys_report(err, errlen, "%s: %s", what, reason);
}

int
keys_fingerprint(X509 *x, char out[KEYS_FINGERPRINT_LEN + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	out[0] = '\0';
	if (X509_digest(x, EVP_sha256(), md, &n) != 1 || n != 32) {
		ERR_clear_error();
		return IDP_ERR_INTERNAL;
	}
	for (unsigned i = 0; i < n; i++) {
		out[3 * i] = hex[md[i] >> 4];
		out[3 * i + 1] = hex[md[i] & 0xf];
		out[3 * i + 2] = ':';
	}
	out[KEYS_FINGERPRINT_LEN] = '\0';
	return 0;
}

bool
keys_asn1_time(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	time_t v;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		ERR_clear_error();
		return false;
	}
	v = timegm(&tm);
	if (v == (time_t)-1)
		return false;
	*out = (int64_t)v;
	return true;
}

X509 *
keys_cert_parse(const char *cert_pem)
{
	size_t len = strnlen(cert_pem, KEYS_PEM_MAX + 1);
	X509 *x;
	BIO *b;

	/*
	 * The PEM reader skips anything before a header; we accept only a
	 * certificate that starts the text, and nothing over the bound.
	 */
	if (len > KEYS_PEM_MAX ||
	    strncmp(cert_pem, PEM_CERT_HEADER, strlen(PEM_CERT_HEADER)) != 0)
		return NULL;
	b = BIO_new_mem_buf(cert_pem, (int)len);
	if (b == NULL)
		return NULL;
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	ERR_clear_error();
	return x;
}

int
keys_cert_inspect(const char *cert_pem, struct keys_material *out, char *err,
		  size_t errlen)
{
	X509 *x = keys_cert_parse(cert_pem);
	EVP_PKEY *pk;
	int rc = IDP_ERR_INVALID, bits;

	if (x == NULL) {
		keys_report(err, errlen, "not a PEM certificate");
		return IDP_ERR_INVALID;
	}
	pk = X509_get0_pubkey(x);
	if (pk == NULL || EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		keys_report(err, errlen, "the certificate's key is not RSA");
		goto out;
	}
	bits = EVP_PKEY_get_bits(pk);
	if (bits <= 0 ||
	    !keys_asn1_time(X509_get0_notBefore(x), &out->not_before) ||
	    !keys_asn1_time(X509_get0_notAfter(x), &out->not_after) ||
	    keys_fingerprint(x, out->fingerprint) != 0) {
		keys_report(err, errlen, "the certificate does not parse");
		goto out;
	}
	out->bits = (unsigned)bits;
	rc = 0;
out:
	X509_free(x);
	ERR_clear_error();
	return rc;
}

/* Our keys are never encrypted: refuse a password instead of asking. */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int
keys_pair_check(const char *key_pem, size_t len, const char *cert_pem,
		char *err, size_t errlen)
{
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	BIO *b = NULL;
	int rc = IDP_ERR_INVALID;

	if (len == 0 || len > KEYS_PEM_MAX) {
		keys_report(err, errlen, "the private key has no valid size");
		return IDP_ERR_INVALID;
	}
	x = keys_cert_parse(cert_pem);
	if (x == NULL) {
		keys_report(err, errlen, "not a PEM certificate");
		goto out;
	}
	/* A read-only view: no copy of the key is made here. */
	b = BIO_new_mem_buf(key_pem, (int)len);
	if (b == NULL) {
		rc = IDP_ERR_NOMEM;
		keys_report(err, errlen, "out of memory");
		goto out;
	}
	pkey = PEM_read_bio_PrivateKey(b, NULL, no_password, NULL);
	if (pkey == NULL) {
		keys_report(err, errlen, "the private key does not parse");
		goto out;
	}
	if (X509_check_private_key(x, pkey) != 1) {
		keys_report(err, errlen,
			    "the private key does not belong to the "
			    "certificate");
		goto out;
	}
	if (X509_verify(x, pkey) != 1) {
		keys_report(err, errlen,
			    "the certificate's self-signature does not "
			    "verify");
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_free(pkey); /* clears the key's numbers */
	BIO_free(b);
	X509_free(x);
	ERR_clear_error();
	return rc;
}
