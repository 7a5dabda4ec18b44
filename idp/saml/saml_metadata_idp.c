/*
 * Our own metadata: what relying parties import, and what each worker's
 * lasso server is built from.
 */
#include <string.h>

#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END	  "-----END CERTIFICATE-----"

char *
saml_idp_entity_id(const struct cfg *cfg)
{
	return g_strconcat(cfg->public_url, "/saml/metadata", NULL);
}

char *
saml_idp_sso_url(const struct cfg *cfg)
{
	return g_strconcat(cfg->public_url, "/saml/sso", NULL);
}

/* The base64 body of a PEM certificate, without line breaks. */
static char *
pem_body(const char *pem)
{
	const char *b = strstr(pem, PEM_BEGIN), *e;
	GString *out;

	if (b == NULL)
		return NULL;
	b += strlen(PEM_BEGIN);
	e = strstr(b, PEM_END);
	if (e == NULL)
		return NULL;
	out = g_string_sized_new((size_t)(e - b));
	for (const char *p = b; p < e; p++) {
		if (g_ascii_isalnum(*p) || *p == '+' || *p == '/' || *p == '=')
			g_string_append_c(out, *p);
		else if (*p != '\r' && *p != '\n')
			return g_string_free(out, TRUE), NULL;
	}
	return g_string_free(out, FALSE);
}

char *
saml_metadata_idp_format(const struct cfg *cfg, char *const *certs, size_t n,
			 int64_t valid_until)
{
	char *entity = saml_idp_entity_id(cfg), *sso = saml_idp_sso_url(cfg);
	char *e_entity = g_markup_escape_text(entity, -1);
	char *e_sso = g_markup_escape_text(sso, -1);
	char *until = sso_time_format(valid_until);
	GString *x = g_string_new(NULL);
	bool ok = true;

	g_string_append_printf(
		x,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<md:EntityDescriptor"
		" xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\""
		" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""
		" entityID=\"%s\" validUntil=\"%s\" cacheDuration=\"%s\">\n"
		"  <md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\""
		" protocolSupportEnumeration="
		"\"urn:oasis:names:tc:SAML:2.0:protocol\">\n",
		e_entity, until, SAML_METADATA_CACHE_DURATION);
	/*
	 * Every live key is published: the active one that signs, the next
	 * one so that relying parties know it before it signs, and the
	 * previous one so that what it signed just before a rollover still
	 * verifies.
	 */
	for (size_t i = 0; i < n && ok; i++) {
		char *b64 = pem_body(certs[i]);
		if (b64 == NULL) {
			ok = false;
			break;
		}
		g_string_append_printf(
			x,
			"    <md:KeyDescriptor use=\"signing\"><ds:KeyInfo>"
			"<ds:X509Data><ds:X509Certificate>%s"
			"</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
			"</md:KeyDescriptor>\n",
			b64);
		g_free(b64);
	}
	g_string_append_printf(
		x,
		"    <md:NameIDFormat>" SSO_NAMEID_PERSISTENT
		"</md:NameIDFormat>\n"
		"    <md:NameIDFormat>" SSO_NAMEID_TRANSIENT
		"</md:NameIDFormat>\n"
		"    <md:SingleSignOnService Binding="
		"\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\""
		" Location=\"%s\"/>\n"
		"    <md:SingleSignOnService Binding=\"" SSO_BINDING_POST
		"\" Location=\"%s\"/>\n"
		"  </md:IDPSSODescriptor>\n"
		"</md:EntityDescriptor>\n",
		e_sso, e_sso);
	g_free(entity);
	g_free(sso);
	g_free(e_entity);
	g_free(e_sso);
	g_free(until);
	if (!ok) {
		log_kv(LOG_LEVEL_ERROR, "bug_certificate_not_pem", NULL);
		g_string_free(x, TRUE);
		return NULL;
	}
	return g_string_free(x, FALSE);
}

int
saml_metadata(struct worker *w, char **xml)
{
	struct saml_worker *sw;
	int64_t now = 0;
	int rc;

	*xml = NULL;
	rc = saml_worker_ensure(w, &sw);
	if (rc != 0)
		return rc;
	if (sw->server == NULL || sw->n_certs == 0)
		return SAML_E_NO_SIGNING_KEY;
	if (store_now(w->store, &now) != STORE_ONE_ROW)
		return SAML_E_UNAVAILABLE;
	*xml = saml_metadata_idp_format(w->cfg, sw->certs, sw->n_certs,
					now + SAML_METADATA_VALID_S);
	return *xml != NULL ? 0 : SAML_E_INTERNAL;
}
