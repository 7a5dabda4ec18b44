/*
 * Is the HTTP-Redirect binding's signature valid? saml-bindings-2.0
 * section 3.4.4.1: the signature covers the octets
 * "SAMLRequest=v[&RelayState=v]&SigAlg=v" with each value exactly as it
 * was URL-encoded in the query received, so it is checked over the raw
 * query, never over decoded and re-encoded values.
 *
 * Checked here with OpenSSL and the SP's metadata keys, preloaded when
 * the worker's cache is built, rather than by lasso: lasso 2.8.1 loses a
 * few hundred bytes of memory with every query signature it verifies,
 * which a long-running idpd cannot afford. lasso then gets the query
 * without SigAlg and Signature (idp/saml/sso_receive.c).
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"

/* The algorithms we accept: RSA with SHA-2 (no SHA-1). */
static const EVP_MD *
sigalg_md(const char *uri)
{
	if (strcmp(uri, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256") ==
	    0)
		return EVP_sha256();
	if (strcmp(uri, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384") ==
	    0)
		return EVP_sha384();
	if (strcmp(uri, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512") ==
	    0)
		return EVP_sha512();
	return NULL;
}

/* The raw "name=value" part of @query for @name, or NULL. */
static bool
part(const char *query, const char *name, const char **at, size_t *len)
{
	size_t n = strlen(name);

	for (const char *p = query; *p != '\0';) {
		size_t l = strcspn(p, "&");
		if (l > n && memcmp(p, name, n) == 0 && p[n] == '=') {
			*at = p;
			*len = l;
			return true;
		}
		p += l;
		if (*p == '&')
			p++;
	}
	return false;
}

void
sso_sp_keys_free(struct saml_sp_entry *e)
{
	for (size_t i = 0; i < e->n_keys; i++)
		EVP_PKEY_free(e->keys[i]);
	g_free(e->keys);
	e->keys = NULL;
	e->n_keys = 0;
}

void
sso_sp_keys_load(struct saml_sp_entry *e)
{
	e->keys = g_new0(EVP_PKEY *, e->meta.n_certs + 1);
	for (size_t i = 0; i < e->meta.n_certs; i++) {
		const struct saml_sp_cert *c = &e->meta.certs[i];
		BIO *bio;
		X509 *x;

		if (c->use == SAML_KEY_USE_ENCRYPTION || c->pem == NULL)
			continue;
		bio = BIO_new_mem_buf(c->pem, -1);
		x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		if (x != NULL) {
			EVP_PKEY *k = X509_get_pubkey(x);
			if (k != NULL && EVP_PKEY_base_id(k) == EVP_PKEY_RSA)
				e->keys[e->n_keys++] = k;
			else
				EVP_PKEY_free(k);
		}
		X509_free(x);
		BIO_free(bio);
	}
}

int
sso_query_signature_verify(const struct saml_sp_entry *sp, const char *query,
			   const char **why)
{
	const char *req, *relay = NULL, *alg, *sig;
	size_t req_len, relay_len = 0, alg_len, sig_len;
	char *alg_uri = NULL, *sig_b64 = NULL;
	guchar *sig_bin = NULL;
	gsize sig_bin_len = 0;
	GString *signed_octets = NULL;
	const EVP_MD *md;
	int rc = SAML_E_SIGNATURE_INVALID;

	*why = "malformed";
	/*
	 * A request or (single logout) a response; never both, or the
	 * caller's reading and the signed octets could differ.
	 */
	if (part(query, "SAMLRequest", &req, &req_len) ==
	    part(query, "SAMLResponse", &req, &req_len))
		goto out;
	if (!part(query, "SigAlg", &alg, &alg_len) ||
	    !part(query, "Signature", &sig, &sig_len))
		goto out;
	(void)part(query, "RelayState", &relay, &relay_len);
	alg_uri = sso_unescape(alg + 7, alg_len - 7);
	sig_b64 = sso_unescape(sig + 10, sig_len - 10);
	if (alg_uri == NULL || sig_b64 == NULL)
		goto out;
	md = sigalg_md(alg_uri);
	if (md == NULL) {
		*why = "algorithm not accepted";
		goto out;
	}
	/* Strict base64: GLib's decoder would skip foreign bytes. */
	for (const char *p = sig_b64; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/' && *p != '=')
			goto out;
	if (strlen(sig_b64) % 4 != 0 || strlen(sig_b64) > 2048)
		goto out;
	sig_bin = g_base64_decode(sig_b64, &sig_bin_len);
	if (sig_bin_len == 0)
		goto out;
	signed_octets = g_string_new_len(req, (gssize)req_len);
	if (relay != NULL) {
		g_string_append_c(signed_octets, '&');
		g_string_append_len(signed_octets, relay, (gssize)relay_len);
	}
	g_string_append_c(signed_octets, '&');
	g_string_append_len(signed_octets, alg, (gssize)alg_len);
	*why = sp->n_keys == 0 ? "no signing key in the metadata"
			       : "does not verify";
	for (size_t i = 0; i < sp->n_keys && rc != 0; i++) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		if (ctx != NULL &&
		    EVP_DigestVerifyInit(ctx, NULL, md, NULL, sp->keys[i]) ==
			    1 &&
		    EVP_DigestVerify(ctx, sig_bin, sig_bin_len,
				     (const unsigned char *)signed_octets->str,
				     signed_octets->len) == 1)
			rc = 0;
		EVP_MD_CTX_free(ctx);
	}
out:
	if (signed_octets != NULL)
		g_string_free(signed_octets, TRUE);
	g_free(alg_uri);
	g_free(sig_b64);
	g_free(sig_bin);
	return rc;
}

char *
sso_query_unsigned(const char *query)
{
	GString *out = g_string_new(NULL);

	/* Only what lasso needs to read the request; nothing to verify. */
	for (const char *p = query; *p != '\0';) {
		size_t l = strcspn(p, "&");
		if ((l > 12 && memcmp(p, "SAMLRequest=", 12) == 0) ||
		    (l > 11 && memcmp(p, "RelayState=", 11) == 0)) {
			if (out->len > 0)
				g_string_append_c(out, '&');
			g_string_append_len(out, p, (gssize)l);
		}
		p += l;
		if (*p == '&')
			p++;
	}
	return g_string_free(out, FALSE);
}
