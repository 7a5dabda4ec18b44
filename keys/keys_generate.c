/*
 * A new signing key: RSA key pair and self-signed certificate, with
 * OpenSSL 3's EVP interfaces.
 */
#include <glib.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keys/keys_internal.h"

/* Bytes of the serial number: at most 20 (RFC 5280, 4.1.2.2). */
#define SERIAL_BYTES 20

bool
keys_bits_valid(unsigned bits)
{
	return bits == 2048 || bits == 3072 || bits == 4096;
}

void
keys_material_clear(struct keys_material *m)
{
	if (m == NULL)
		return;
	keys_secret_free(m->key_pem);
	free(m->cert_pem);
	memset(m, 0, sizeof(*m));
}

/* A CN we put into a certificate: UTF-8 text without control characters. */
static bool
cn_valid(const char *cn)
{
	size_t len = strlen(cn);

	if (len == 0 || len > CFG_CERT_SUBJECT_MAX ||
	    !g_utf8_validate(cn, (gssize)len, NULL))
		return false;
	for (const char *p = cn; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int
keys_subject_cn(const struct cfg *cfg, char cn[CFG_CERT_SUBJECT_MAX + 1],
		char *err, size_t errlen)
{
	const char *h = cfg->public_url, *end;
	size_t len;

	cn[0] = '\0';
	if (cfg->keys_certificate_subject[0] != '\0') {
		if (!cn_valid(cfg->keys_certificate_subject)) {
			keys_report(err, errlen,
				    "[keys] certificate_subject is not a "
				    "valid common name");
			return IDP_ERR_INVALID;
		}
		(void)g_strlcpy(cn, cfg->keys_certificate_subject,
				CFG_CERT_SUBJECT_MAX + 1);
		return 0;
	}
	/* cfg checked the URL: http(s)://host[:port] or [v6][:port]. */
	h += g_str_has_prefix(h, "https://") ? 8 : 7;
	if (*h == '[') {
		h++;
		end = strchr(h, ']');
	} else {
		end = strchr(h, ':');
	}
	len = end != NULL ? (size_t)(end - h) : strlen(h);
	if (len == 0 || len > CFG_CERT_SUBJECT_MAX) {
		keys_report(err, errlen,
			    "the host of [server] public_url is longer than "
			    "%d bytes, too long for a certificate's common "
			    "name: set [keys] certificate_subject",
			    CFG_CERT_SUBJECT_MAX);
		return IDP_ERR_INVALID;
	}
	memcpy(cn, h, len);
	cn[len] = '\0';
	return 0;
}

static EVP_PKEY *
rsa_new(unsigned bits)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pkey = NULL;

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) <= 0 ||
	    EVP_PKEY_generate(ctx, &pkey) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

static bool
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	bool ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return false;
	ok = X509_add_ext(x, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok;
}

/*
 * A random positive serial: RFC 5280 wants it unique per issuer, and
 * every key is its own issuer here, but browsers and SPs have been known
 * to trip over equal serials of equal subjects, so 159 random bits.
 */
static bool
set_serial(X509 *x)
{
	uint8_t raw[SERIAL_BYTES];
	BIGNUM *bn;
	bool ok;

	randombytes_buf(raw, sizeof(raw));
	raw[0] &= 0x7f;
	raw[0] |= 0x01; /* never zero */
	bn = BN_bin2bn(raw, sizeof(raw), NULL);
	ok = bn != NULL &&
	     BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok;
}

/*
 * keyUsage by purpose: signing keys sign, an eid-encryption key only
 * receives the symmetric keys of encrypted assertions (RSA-OAEP key
 * transport), so a relying service that checks the usage of our
 * certificates finds exactly what each key is for.
 */
static const char *
key_usage(enum keys_purpose purpose)
{
	switch (purpose) {
	case KEYS_PURPOSE_SAML:
	case KEYS_PURPOSE_EID_SIGNING:
		return "critical,digitalSignature";
	case KEYS_PURPOSE_EID_ENCRYPTION:
		return "critical,keyEncipherment";
	}
	return NULL;
}

static X509 *
cert_new(EVP_PKEY *pkey, enum keys_purpose purpose, unsigned days,
	 const char *cn)
{
	const char *usage = key_usage(purpose);
	X509 *x = X509_new();
	X509_NAME *name;
	time_t now = time(NULL);

	if (x == NULL || usage == NULL) {
		X509_free(x);
		return NULL;
	}
	name = X509_get_subject_name(x);
	/* One clock reading for both ends: exactly @days days apart. */
	if (X509_set_version(x, X509_VERSION_3) != 1 || !set_serial(x) ||
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &now) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, &now) ==
		    NULL ||
	    X509_set_pubkey(x, pkey) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
				       (const unsigned char *)cn, -1, -1,
				       0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    !add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(x, NID_key_usage, usage) ||
	    !add_ext(x, NID_subject_key_identifier, "hash") ||
	    X509_sign(x, pkey, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/*
 * The private key as unencrypted PKCS#8 PEM in sodium_malloc() memory.
 * The memory BIO is a "secure" one: OpenSSL clears its buffer when it
 * grows and when it is freed, so no copy of the key stays on the heap.
 */
static int
key_pem(EVP_PKEY *pkey, char **out, size_t *out_len)
{
	BIO *b = BIO_new(BIO_s_secmem());
	char *data = NULL, *copy;
	long n;
	int rc = IDP_ERR_INTERNAL;

	*out = NULL;
	*out_len = 0;
	if (b == NULL ||
	    PEM_write_bio_PrivateKey(b, pkey, NULL, NULL, 0, NULL, NULL) != 1)
		goto out;
	n = BIO_get_mem_data(b, &data);
	if (n <= 0 || (size_t)n > KEYS_PEM_MAX)
		goto out;
	copy = sodium_malloc((size_t)n + 1);
	if (copy == NULL) {
		rc = IDP_ERR_NOMEM;
		goto out;
	}
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	*out = copy;
	*out_len = (size_t)n;
	rc = 0;
out:
	BIO_free(b);
	return rc;
}

static char *
cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL, *copy = NULL;
	long n;

	if (b != NULL && PEM_write_bio_X509(b, x) == 1 &&
	    (n = BIO_get_mem_data(b, &data)) > 0 && (size_t)n <= KEYS_PEM_MAX &&
	    (copy = malloc((size_t)n + 1)) != NULL) {
		memcpy(copy, data, (size_t)n);
		copy[n] = '\0';
	}
	BIO_free(b);
	return copy;
}

int
keys_generate(enum keys_purpose purpose, unsigned bits, unsigned days,
	      const char *cn, struct keys_material *out, char *err,
	      size_t errlen)
{
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!keys_bits_valid(bits)) {
		keys_report(err, errlen,
			    "RSA key size %u: only 2048, 3072 "
			    "and 4096 bits are offered",
			    bits);
		return IDP_ERR_INVALID;
	}
	if (days < 1 || days > 3650) {
		keys_report(err, errlen,
			    "certificate validity %u days: "
			    "must be 1..3650",
			    days);
		return IDP_ERR_INVALID;
	}
	if (cn == NULL || !cn_valid(cn)) {
		keys_report(err, errlen,
			    "the certificate subject must be 1 "
			    "to %d bytes of text",
			    CFG_CERT_SUBJECT_MAX);
		return IDP_ERR_INVALID;
	}
	pkey = rsa_new(bits);
	if (pkey == NULL) {
		keys_report_ossl(err, errlen, "cannot generate the RSA key");
		rc = IDP_ERR_INTERNAL;
		goto out;
	}
	x = cert_new(pkey, purpose, days, cn);
	if (x == NULL) {
		keys_report_ossl(err, errlen, "cannot make the certificate");
		rc = IDP_ERR_INTERNAL;
		goto out;
	}
	rc = key_pem(pkey, &out->key_pem, &out->key_pem_len);
	if (rc != 0) {
		keys_report_ossl(err, errlen, "cannot encode the private key");
		goto out;
	}
	out->cert_pem = cert_pem(x);
	if (out->cert_pem == NULL) {
		keys_report_ossl(err, errlen, "cannot encode the certificate");
		rc = IDP_ERR_NOMEM;
		goto out;
	}
	rc = keys_cert_inspect(out->cert_pem, out, err, errlen);
out:
	if (rc != 0)
		keys_material_clear(out);
	EVP_PKEY_free(pkey);
	X509_free(x);
	ERR_clear_error();
	return rc;
}
