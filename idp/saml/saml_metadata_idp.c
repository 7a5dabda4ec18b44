/*
 * Our own metadata: what relying parties import (signed with the active
 * key unless [saml] metadata_signed is off), and what each worker's lasso
 * server is built from (unsigned: lasso reads it from memory we made).
 */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/log/log.h"
#include "idp/saml/saml_internal.h"
#include "idp/saml/sso_internal.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END	  "-----END CERTIFICATE-----"

/* Room for "P" + days + "T" + hours, minutes, seconds of an unsigned. */
#define DURATION_MAX 48

#define BINDING_REDIRECT "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"

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

/* @s seconds as xs:duration, e.g. 3600 -> "PT1H", 90000 -> "P1DT1H". */
static const char *
duration_format(unsigned s, char buf[DURATION_MAX])
{
	unsigned d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;
	size_t n = 0;

	buf[n++] = 'P';
	if (d > 0)
		n += (size_t)snprintf(buf + n, DURATION_MAX - n, "%uD", d);
	if (s % 86400 != 0 || s == 0) {
		buf[n++] = 'T';
		if (h > 0)
			n += (size_t)snprintf(buf + n, DURATION_MAX - n, "%uH",
					      h);
		if (m > 0)
			n += (size_t)snprintf(buf + n, DURATION_MAX - n, "%uM",
					      m);
		if (s % 60 > 0 || s == 0)
			n += (size_t)snprintf(buf + n, DURATION_MAX - n, "%uS",
					      s % 60);
	}
	buf[n] = '\0';
	return buf;
}

GString *
saml_metadata_begin(const struct cfg *cfg, const char *entity_id,
		    int64_t valid_until)
{
	char *e_entity = g_markup_escape_text(entity_id, -1);
	char *until = saml_time_format(valid_until);
	char id[SAML_PENDING_ID_LEN + 1], dur[DURATION_MAX];
	GString *x = g_string_new(NULL);

	/*
	 * The ID is what a signature refers to (saml-metadata-2.0 2.3.2
	 * allows it on EntityDescriptor); a new random one per document, as
	 * for every other message we sign. The leading '_' keeps it an
	 * NCName whatever base64url character comes first.
	 */
	sso_random_id(id);
	g_string_append_printf(
		x,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<md:EntityDescriptor"
		" xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\""
		" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""
		" ID=\"_%s\" entityID=\"%s\" validUntil=\"%s\""
		" cacheDuration=\"%s\">\n",
		id, e_entity, until,
		duration_format(cfg->saml_metadata_cache_duration_s, dur));
	g_free(e_entity);
	g_free(until);
	return x;
}

bool
saml_metadata_keys(GString *x, const char *use, char *const *certs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *b64 = pem_body(certs[i]);

		if (b64 == NULL) {
			log_kv(LOG_LEVEL_ERROR, "bug_certificate_not_pem",
			       NULL);
			return false;
		}
		g_string_append_printf(
			x,
			"    <md:KeyDescriptor use=\"%s\"><ds:KeyInfo>"
			"<ds:X509Data><ds:X509Certificate>%s"
			"</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
			"</md:KeyDescriptor>\n",
			use, b64);
		g_free(b64);
	}
	return true;
}

char *
saml_metadata_idp_format(const struct cfg *cfg, char *const *certs, size_t n,
			 int64_t valid_until)
{
	char *entity = saml_idp_entity_id(cfg), *sso = saml_idp_sso_url(cfg);
	char *slo = g_strconcat(cfg->public_url, "/saml/slo", NULL);
	char *e_sso = g_markup_escape_text(sso, -1);
	char *e_slo = g_markup_escape_text(slo, -1);
	GString *x = saml_metadata_begin(cfg, entity, valid_until);
	bool ok;

	g_string_append(x, "  <md:IDPSSODescriptor WantAuthnRequestsSigned="
			   "\"false\" protocolSupportEnumeration="
			   "\"urn:oasis:names:tc:SAML:2.0:protocol\">\n");
	/*
	 * Every live key is published: the active one that signs, the next
	 * one so that relying parties know it before it signs, and the
	 * previous one so that what it signed just before a rollover still
	 * verifies.
	 */
	ok = saml_metadata_keys(x, "signing", certs, n);
	/*
	 * The schema's order within IDPSSODescriptor: KeyDescriptor,
	 * SingleLogoutService, NameIDFormat, SingleSignOnService.
	 */
	g_string_append_printf(
		x,
		"    <md:SingleLogoutService Binding=\"" BINDING_REDIRECT
		"\" Location=\"%s\"/>\n"
		"    <md:SingleLogoutService Binding=\"" SSO_BINDING_POST
		"\" Location=\"%s\"/>\n"
		"    <md:NameIDFormat>" SSO_NAMEID_PERSISTENT
		"</md:NameIDFormat>\n"
		"    <md:NameIDFormat>" SSO_NAMEID_TRANSIENT
		"</md:NameIDFormat>\n"
		"    <md:SingleSignOnService Binding=\"" BINDING_REDIRECT
		"\" Location=\"%s\"/>\n"
		"    <md:SingleSignOnService Binding=\"" SSO_BINDING_POST
		"\" Location=\"%s\"/>\n"
		"  </md:IDPSSODescriptor>\n"
		"</md:EntityDescriptor>\n",
		e_slo, e_slo, e_sso, e_sso);
	g_free(entity);
	g_free(sso);
	g_free(slo);
	g_free(e_sso);
	g_free(e_slo);
	if (!ok) {
		g_string_free(x, TRUE);
		return NULL;
	}
	return g_string_free(x, FALSE);
}

/*
 * @xml (our own unsigned document) with an enveloped signature over its
 * EntityDescriptor by @key (RSA-SHA256, exclusive c14n, the certificate
 * in KeyInfo). lasso appends the Signature; the schema wants it as the
 * first child, and the enveloped transform leaves the Signature out of
 * the digest wherever it is, so moving it keeps the signature valid.
 * A new string (g_free()), or NULL (logged).
 */
static char *
metadata_sign(LassoKey *key, const char *xml)
{
	xmlDoc *doc = NULL;
	xmlNode *root;
	xmlChar *id = NULL, *buf = NULL;
	char *out = NULL;
	int len = 0;

	/*
	 * No dictionary: lasso's signing swaps strings of the nodes it
	 * touches and frees them with free(), which a dictionary-owned
	 * string must never see.
	 */
	doc = xmlReadMemory(xml, (int)strlen(xml), "metadata.xml", "UTF-8",
			    XML_PARSE_NONET | XML_PARSE_NODICT |
				    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	if (root != NULL)
		id = xmlGetProp(root, BAD_CAST "ID");
	if (id == NULL) {
		log_kv(LOG_LEVEL_ERROR, "bug_saml_metadata_unparsable", NULL);
		goto out;
	}
	if (!saml_xml_sign(key, root, (const char *)id, SAML_SIG_FIRST))
		goto out;
	xmlDocDumpMemoryEnc(doc, &buf, &len, "UTF-8");
	if (buf != NULL && len > 0)
		out = g_strndup((const char *)buf, (gsize)len);
	else
		log_kv(LOG_LEVEL_ERROR, "bug_saml_metadata_dump", NULL);
out:
	if (buf != NULL)
		xmlFree(buf);
	if (id != NULL)
		xmlFree(id);
	if (doc != NULL)
		xmlFreeDoc(doc);
	return out;
}

int
saml_metadata(struct worker *w, char **xml)
{
	struct saml_worker *sw;
	int64_t now = 0;
	char *plain;
	int rc;

	*xml = NULL;
	rc = saml_worker_ensure(w, &sw);
	if (rc != 0)
		return rc;
	if (sw->server == NULL || sw->key == NULL || sw->n_certs == 0)
		return SAML_E_NO_SIGNING_KEY;
	if (store_now(w->store, &now) != STORE_ONE_ROW)
		return SAML_E_UNAVAILABLE;
	plain = saml_metadata_idp_format(
		w->cfg, sw->certs, sw->n_certs,
		now + w->cfg->saml_metadata_validity_s);
	if (plain == NULL)
		return SAML_E_INTERNAL;
	*xml = saml_metadata_publish(w->cfg, sw->key, plain);
	return *xml != NULL ? 0 : SAML_E_INTERNAL;
}

char *
saml_metadata_publish(const struct cfg *cfg, LassoKey *key, char *plain)
{
	char *out;

	if (!cfg->saml_metadata_signed)
		return plain;
	/*
	 * Signed on every request: one RSA signature, about as costly as
	 * the one on every assertion, and the document always carries the
	 * current validUntil and keys.
	 */
	out = metadata_sign(key, plain);
	g_free(plain);
	return out;
}
