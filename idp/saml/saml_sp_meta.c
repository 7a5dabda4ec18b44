/*
 * struct saml_sp_meta: freeing it and the questions asked of it.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "idp/saml/saml_internal.h"

const char *
saml_binding_name(enum saml_binding b)
{
	switch (b) {
	case SAML_BINDING_HTTP_POST:
		return "HTTP-POST";
	case SAML_BINDING_HTTP_REDIRECT:
		return "HTTP-Redirect";
	case SAML_BINDING_HTTP_ARTIFACT:
		return "HTTP-Artifact";
	case SAML_BINDING_SOAP:
		return "SOAP";
	case SAML_BINDING_PAOS:
		return "PAOS";
	case SAML_BINDING_OTHER:
		return "other";
	}
	return "other";
}

const char *
saml_key_use_name(enum saml_key_use u)
{
	switch (u) {
	case SAML_KEY_USE_ANY:
		return "signing and encryption";
	case SAML_KEY_USE_SIGNING:
		return "signing";
	case SAML_KEY_USE_ENCRYPTION:
		return "encryption";
	}
	return "signing and encryption";
}

static void
endpoints_free(struct saml_sp_endpoint *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].binding_uri);
		free(e[i].location);
		free(e[i].response_location);
	}
	free(e);
}

void
saml_sp_cert_clear(struct saml_sp_cert *c)
{
	free(c->pem);
	free(c->subject);
	free(c->key_type);
	memset(c, 0, sizeof(*c));
}

void
saml_sp_meta_clear(struct saml_sp_meta *m)
{
	if (m == NULL)
		return;
	free(m->entity_id);
	endpoints_free(m->acs, m->n_acs);
	endpoints_free(m->slo, m->n_slo);
	endpoints_free(m->sso, m->n_sso);
	for (size_t i = 0; i < m->n_certs; i++)
		saml_sp_cert_clear(&m->certs[i]);
	free(m->certs);
	memset(m, 0, sizeof(*m));
}

bool
saml_sp_meta_can_verify(const struct saml_sp_meta *m)
{
	for (size_t i = 0; i < m->n_certs; i++)
		if (m->certs[i].use != SAML_KEY_USE_ENCRYPTION)
			return true;
	return false;
}

bool
saml_sp_meta_can_encrypt(const struct saml_sp_meta *m)
{
	/*
	 * lasso encrypts the assertion's key with RSA-OAEP, so only an
	 * RSA certificate can receive it; an EC certificate may sign only.
	 */
	for (size_t i = 0; i < m->n_certs; i++)
		if (m->certs[i].use != SAML_KEY_USE_SIGNING && m->certs[i].rsa)
			return true;
	return false;
}

void
saml_sha256_hex(const void *data, size_t len, char hex[65])
{
	gchar *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);

	if (h == NULL || strlen(h) != 64) {
		/* Only when glib runs out of memory, which aborts first. */
		memset(hex, '0', 64);
	} else {
		memcpy(hex, h, 64);
	}
	hex[64] = '\0';
	g_free(h);
}
