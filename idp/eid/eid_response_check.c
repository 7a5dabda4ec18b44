/*
 * The outer Response, before lasso: the bytes, the tree, and the rules
 * lasso does not check for an SP (DESIGN.md, "SAML"): Destination,
 * Issuer, status, exactly one encrypted assertion and no plain one, and
 * RSA-OAEP key transport.
 */
#include <string.h>

#include <libxml/parser.h>

#include "idp/crypto/crypt.h"
#include "idp/eid/eid_response_check.h"

#define XS(s) ((const xmlChar *)(s))

/* Elements of a response; a real one has about a hundred. */
#define ELEMENTS_MAX 2000
/* Longest ID / InResponseTo we accept (the replay cache holds 256). */
#define ID_MAX 256

/* Key transport we accept: RSA-OAEP (xmlenc and xmlenc 1.1). */
static const char *const oaep[] = {
	"http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
	"http://www.w3.org/2009/xmlenc11#rsa-oaep",
};

void
eid_outer_clear(struct eid_outer *o)
{
	g_free(o->response_id);
	g_free(o->in_response_to);
	memset(o, 0, sizeof(*o));
}

enum eid_error
eid_response_decode(const char *b64, size_t len, char **xml, size_t *xml_len)
{
	size_t n = 0;
	uint8_t *out;

	*xml = NULL;
	*xml_len = 0;
	if (b64 == NULL || len == 0)
		return EID_E_MISSING_RESPONSE;
	if (len > EID_RESPONSE_B64_MAX)
		return EID_E_TOO_LARGE;
	/* One byte more for the NUL. */
	out = g_malloc(CRYPT_BASE64_DECODED_MAX(len) + 1);
	if (crypt_base64_decode(b64, len, CRYPT_BASE64_SKIP_BLANKS, out, &n) !=
	    0) {
		g_free(out);
		return EID_E_BAD_BASE64;
	}
	if (n > EID_RESPONSE_XML_MAX) {
		g_free(out);
		return EID_E_TOO_LARGE;
	}
	out[n] = '\0';
	*xml = (char *)out;
	*xml_len = n;
	return EID_OK;
}

static void
xml_quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

enum eid_error
eid_response_parse(const char *xml, size_t len, xmlDoc **doc)
{
	xmlParserCtxt *ctxt;
	xmlDoc *d;

	*doc = NULL;
	if (memchr(xml, '\0', len) != NULL ||
	    !g_utf8_validate_len(xml, len, NULL))
		return EID_E_XML_MALFORMED;
	/*
	 * No markup declaration of any kind: a DOCTYPE brings entities
	 * (billion laughs, external fetches); a comment can cut a value
	 * in two for one reader and not for another. A response never
	 * needs either. CDATA is refused with them.
	 */
	for (const char *p = memchr(xml, '<', len); p != NULL;
	     p = memchr(p + 1, '<', len - (size_t)(p + 1 - xml))) {
		if ((size_t)(xml + len - p) < 2 || p[1] != '!')
			continue;
		if (g_ascii_strncasecmp(p, "<!DOCTYPE", 9) == 0 ||
		    g_ascii_strncasecmp(p, "<!ENTITY", 8) == 0)
			return EID_E_XML_DOCTYPE;
		return EID_E_XML_STRUCTURE;
	}
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return EID_E_INTERNAL;
	ctxt->sax->serror = xml_quiet;
	d = xmlCtxtReadMemory(ctxt, xml, (int)len, "response.xml", NULL,
			      XML_PARSE_NONET);
	if (d == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed) {
		xmlFreeDoc(d);
		xmlFreeParserCtxt(ctxt);
		return EID_E_XML_MALFORMED;
	}
	xmlFreeParserCtxt(ctxt);
	if (d->intSubset != NULL || d->extSubset != NULL) {
		xmlFreeDoc(d);
		return EID_E_XML_DOCTYPE;
	}
	*doc = d;
	return EID_OK;
}

static bool
is_el(const xmlNode *n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	       xmlStrcmp(n->ns->href, XS(ns)) == 0 &&
	       xmlStrcmp(n->name, XS(name)) == 0;
}

/* The first child element @ns:@name of @n, or NULL. */
static xmlNode *
child(const xmlNode *n, const char *ns, const char *name)
{
	for (xmlNode *c = n->children; c != NULL; c = c->next)
		if (is_el(c, ns, name))
			return c;
	return NULL;
}

/* Whether attribute @name of @n equals @want (absent: false). */
static bool
attr_is(const xmlNode *n, const char *name, const char *want)
{
	xmlChar *v = xmlGetNoNsProp(n, XS(name));
	bool eq = v != NULL && want != NULL && strcmp((char *)v, want) == 0;

	xmlFree(v);
	return eq;
}

/* The text of @n, trimmed, or NULL (g_free()). */
static char *
text(const xmlNode *n)
{
	xmlChar *v = n != NULL ? xmlNodeGetContent(n) : NULL;
	char *s;

	if (v == NULL)
		return NULL;
	s = g_strstrip(g_strdup((char *)v));
	xmlFree(v);
	return s;
}

struct walk {
	int elements;
	int assertions;
	int encrypted;
	int responses;
	bool dup_id;
	bool rsa15;
	GHashTable *ids;
};

static void
note_ids(struct walk *wk, const xmlNode *n)
{
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
		xmlChar *v;

		if (xmlStrcmp(a->name, XS("ID")) != 0 &&
		    xmlStrcmp(a->name, XS("Id")) != 0 &&
		    xmlStrcmp(a->name, XS("id")) != 0)
			continue;
		v = xmlNodeListGetString(n->doc, a->children, 1);
		if (v == NULL)
			continue;
		if (g_hash_table_contains(wk->ids, v))
			wk->dup_id = true;
		else
			g_hash_table_add(wk->ids, g_strdup((char *)v));
		xmlFree(v);
	}
}

static void
walk(struct walk *wk, const xmlNode *n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (++wk->elements > ELEMENTS_MAX)
			return;
		note_ids(wk, n);
		if (is_el(n, EID_NS_ASSERTION, "Assertion"))
			wk->assertions++;
		else if (is_el(n, EID_NS_ASSERTION, "EncryptedAssertion"))
			wk->encrypted++;
		else if (is_el(n, EID_NS_PROTOCOL, "Response"))
			wk->responses++;
		else if (is_el(n, EID_NS_XENC, "EncryptedKey")) {
			const xmlNode *m =
				child(n, EID_NS_XENC, "EncryptionMethod");
			bool ok = false;

			for (size_t i = 0; m != NULL && i < G_N_ELEMENTS(oaep);
			     i++)
				ok = ok || attr_is(m, "Algorithm", oaep[i]);
			if (!ok)
				wk->rsa15 = true;
		}
		walk(wk, n->children);
	}
}

/* The status: Success, the citizen's cancel, or another failure. */
static enum eid_error
status_check(const xmlNode *root, const char **why)
{
	const xmlNode *st = child(root, EID_NS_PROTOCOL, "Status");
	const xmlNode *code =
		st ? child(st, EID_NS_PROTOCOL, "StatusCode") : NULL;
	const xmlNode *sub =
		code ? child(code, EID_NS_PROTOCOL, "StatusCode") : NULL;

	if (code != NULL && attr_is(code, "Value", EID_STATUS_SUCCESS))
		return EID_OK;
	if (sub != NULL && attr_is(sub, "Value", EID_STATUS_AUTHN_FAILED)) {
		*why = "AuthnFailed";
		return EID_E_CANCELLED;
	}
	*why = code == NULL ? "no StatusCode" : "not Success";
	return EID_E_STATUS;
}

/* A bounded attribute value as a new string, or NULL. */
static char *
bounded_attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, XS(name));
	char *s = NULL;

	if (v != NULL && xmlStrlen(v) > 0 && xmlStrlen(v) <= ID_MAX)
		s = g_strdup((char *)v);
	xmlFree(v);
	return s;
}

enum eid_error
eid_response_check(xmlDoc *doc, const char *acs_url, const char *issuer,
		   struct eid_outer *out, const char **why)
{
	const xmlNode *root = xmlDocGetRootElement(doc);
	struct walk wk = {0};
	char *iss = NULL, *instant = NULL;
	enum eid_error e = EID_E_XML_STRUCTURE;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (!is_el(root, EID_NS_PROTOCOL, "Response")) {
		*why = "root is not samlp:Response";
		return EID_E_XML_STRUCTURE;
	}
	wk.ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	walk(&wk, root);
	if (wk.elements > ELEMENTS_MAX || wk.responses != 1 || wk.dup_id) {
		*why = wk.dup_id ? "duplicate ID" : "too many elements";
		goto out;
	}
	if (!attr_is(root, "Destination", acs_url)) {
		e = EID_E_DESTINATION;
		goto out;
	}
	iss = text(child(root, EID_NS_ASSERTION, "Issuer"));
	if (iss == NULL || strcmp(iss, issuer) != 0) {
		e = EID_E_ISSUER;
		goto out;
	}
	e = status_check(root, why);
	if (e != EID_OK)
		goto out;
	if (wk.assertions > 0) {
		e = EID_E_NOT_ENCRYPTED;
		goto out;
	}
	if (wk.encrypted != 1 ||
	    child(root, EID_NS_ASSERTION, "EncryptedAssertion") == NULL) {
		e = EID_E_ASSERTION_COUNT;
		*why = wk.encrypted == 0 ? "none" : "more than one";
		goto out;
	}
	if (wk.rsa15) {
		e = EID_E_KEY_TRANSPORT;
		*why = "not RSA-OAEP";
		goto out;
	}
	out->response_id = bounded_attr(root, "ID");
	out->in_response_to = bounded_attr(root, "InResponseTo");
	instant = bounded_attr(root, "IssueInstant");
	e = EID_E_XML_STRUCTURE;
	if (out->response_id == NULL || !attr_is(root, "Version", "2.0") ||
	    !saml_time_parse(instant, &out->issue_instant)) {
		*why = "ID, Version or IssueInstant";
		goto out;
	}
	if (out->in_response_to == NULL) {
		e = EID_E_UNKNOWN_REQUEST;
		*why = "no InResponseTo";
		goto out;
	}
	out->signed_response = child(root, EID_NS_DSIG, "Signature") != NULL;
	e = EID_OK;
out:
	g_free(iss);
	g_free(instant);
	g_hash_table_destroy(wk.ids);
	if (e != EID_OK)
		eid_outer_clear(out);
	return e;
}
