/*
 * Is the decoded document one AuthnRequest of the shape we expect?
 * libxml2 reads it without network, DTD or entities, and a walk over the
 * tree refuses everything that signature wrapping, comment tricks in
 * values and entity expansion need, before lasso parses it.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"

/* A string literal as libxml2 wants it, without casting const away. */
#define XS(s) ((const xmlChar *)(s))

struct walk {
	const char *root; /* the message's element name */
	int elements;
	int authn_requests; /* elements named like the root */
	int issuers;
	int signatures;
	xmlNode *signature;
	int error;
	const char *why;
	GHashTable *ids;
};

static bool
is_el(const xmlNode *n, const char *name, const char *ns)
{
	return n->type == XML_ELEMENT_NODE &&
	       xmlStrcmp(n->name, XS(name)) == 0 && n->ns != NULL &&
	       xmlStrcmp(n->ns->href, XS(ns)) == 0;
}

static void
fail(struct walk *wk, int error, const char *why)
{
	if (wk->error == 0) {
		wk->error = error;
		wk->why = why;
	}
}

/*
 * Every attribute that is an ID in SAML or XML-DSig (ID, Id, xml:id) must
 * be unique: an xmlsec reference to a duplicated ID could pick the
 * element the attacker placed.
 */
static void
ids_note(struct walk *wk, const xmlNode *n)
{
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
		if (xmlStrcmp(a->name, XS("ID")) != 0 &&
		    xmlStrcmp(a->name, XS("Id")) != 0 &&
		    xmlStrcmp(a->name, XS("id")) != 0)
			continue;
		xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
		if (v == NULL)
			continue;
		if (g_hash_table_contains(wk->ids, v))
			fail(wk, SAML_E_XML_STRUCTURE, "duplicate_id");
		else
			g_hash_table_add(wk->ids, g_strdup((char *)v));
		xmlFree(v);
	}
}

static void
walk(struct walk *wk, xmlNode *n, int depth)
{
	for (; n != NULL && wk->error == 0; n = n->next) {
		switch (n->type) {
		case XML_ELEMENT_NODE:
			if (++wk->elements > SAML_REQUEST_ELEMENTS_MAX ||
			    depth > SAML_REQUEST_DEPTH_MAX) {
				fail(wk, SAML_E_XML_STRUCTURE,
				     "too_many_elements");
				return;
			}
			if (xmlStrcmp(n->name, XS(wk->root)) == 0)
				wk->authn_requests++;
			if (xmlStrcmp(n->name, XS("Issuer")) == 0)
				wk->issuers++;
			if (is_el(n, "Signature", SSO_NS_DSIG)) {
				wk->signatures++;
				wk->signature = n;
			}
			ids_note(wk, n);
			walk(wk, n->children, depth + 1);
			break;
		case XML_TEXT_NODE:
			break;
		case XML_COMMENT_NODE:
		case XML_PI_NODE:
			/*
			 * Canonicalization drops comments, so a comment in
			 * a value ("https://a<!---->.evil") is invisible to
			 * the signature but not to every parser; SAML
			 * messages have no use for either.
			 */
			fail(wk, SAML_E_XML_COMMENT, "comment");
			return;
		case XML_CDATA_SECTION_NODE:
			fail(wk, SAML_E_XML_STRUCTURE, "cdata");
			return;
		case XML_ENTITY_REF_NODE:
		case XML_ENTITY_NODE:
		case XML_ENTITY_DECL:
		case XML_DTD_NODE:
		case XML_DOCUMENT_TYPE_NODE:
			fail(wk, SAML_E_XML_DOCTYPE, "entity");
			return;
		case XML_ATTRIBUTE_NODE:
		case XML_DOCUMENT_NODE:
		case XML_DOCUMENT_FRAG_NODE:
		case XML_NOTATION_NODE:
		case XML_HTML_DOCUMENT_NODE:
		case XML_ELEMENT_DECL:
		case XML_ATTRIBUTE_DECL:
		case XML_NAMESPACE_DECL:
		case XML_XINCLUDE_START:
		case XML_XINCLUDE_END:
		case XML_DOCB_DOCUMENT_NODE:
			fail(wk, SAML_E_XML_STRUCTURE, "node_type");
			return;
		}
	}
}

static char *
attr_dup(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, XS(name));
	char *out = v ? g_strdup((char *)v) : NULL;

	xmlFree(v);
	return out;
}

/* The one Reference of the signature must point at the root's ID. */
static bool
signature_refers_to_root(xmlNode *sig, const char *root_id)
{
	xmlNode *si = NULL, *ref = NULL;
	int n_ref = 0;

	for (xmlNode *c = sig->children; c != NULL; c = c->next)
		if (is_el(c, "SignedInfo", SSO_NS_DSIG))
			si = c;
	if (si == NULL)
		return false;
	for (xmlNode *c = si->children; c != NULL; c = c->next)
		if (is_el(c, "Reference", SSO_NS_DSIG)) {
			ref = c;
			n_ref++;
		}
	if (n_ref != 1)
		return false;
	char *uri = attr_dup(ref, "URI");
	bool ok = uri != NULL && uri[0] == '#' && strcmp(uri + 1, root_id) == 0;
	g_free(uri);
	return ok;
}

/* The one Issuer: a child of the root holding one text node. */
static char *
issuer_text(xmlNode *root)
{
	xmlNode *issuer = NULL;

	for (xmlNode *c = root->children; c != NULL; c = c->next)
		if (is_el(c, "Issuer", SSO_NS_ASSERTION))
			issuer = c;
	if (issuer == NULL || issuer->children == NULL ||
	    issuer->children->next != NULL ||
	    issuer->children->type != XML_TEXT_NODE ||
	    issuer->children->content == NULL ||
	    issuer->children->content[0] == '\0')
		return NULL;
	return g_strdup((const char *)issuer->children->content);
}

static bool
id_valid(const char *id)
{
	size_t len = id ? strlen(id) : 0;

	if (len == 0 || len > SAML_ID_MAX)
		return false;
	/* xs:ID is an NCName; we accept its ASCII subset. */
	if (!g_ascii_isalpha(id[0]) && id[0] != '_')
		return false;
	for (size_t i = 1; i < len; i++)
		if (!g_ascii_isalnum(id[i]) && id[i] != '_' && id[i] != '-' &&
		    id[i] != '.')
			return false;
	return true;
}

int
sso_xml_check(struct sso_parsed *p)
{
	return sso_xml_check_root(p, "AuthnRequest");
}

int
sso_xml_check_root(struct sso_parsed *p, const char *root_name)
{
	struct walk wk = {.root = root_name};
	xmlDoc *doc = NULL;
	xmlNode *root;
	char *index = NULL;
	int rc;

	/*
	 * Before any parser: a DOCTYPE is the door to DTDs and entities
	 * (billion laughs, external entities); SAML never needs one. A NUL
	 * byte would hide the rest from C string functions.
	 */
	if (memchr(p->xml, '\0', p->xml_len) != NULL) {
		rc = SAML_E_XML_MALFORMED;
		wk.why = "nul_byte";
		goto out;
	}
	if (strstr(p->xml, "<!DOCTYPE") != NULL ||
	    strstr(p->xml, "<!ENTITY") != NULL) {
		rc = SAML_E_XML_DOCTYPE;
		wk.why = "doctype";
		goto out;
	}
	/* No network, no DTD loading, no entity substitution. */
	doc = xmlReadMemory(p->xml, (int)p->xml_len, "request.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	rc = SAML_E_XML_MALFORMED;
	if (doc == NULL) {
		wk.why = "not_well_formed";
		goto out;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		rc = SAML_E_XML_DOCTYPE;
		wk.why = "dtd";
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	rc = SAML_E_XML_STRUCTURE;
	if (root == NULL || !is_el(root, root_name, SSO_NS_PROTOCOL)) {
		wk.why = "root_not_authn_request";
		goto out;
	}
	/* Anything outside the root element (comments, PIs) counts too. */
	wk.ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	walk(&wk, doc->children, 0);
	if (wk.error != 0) {
		rc = wk.error;
		goto out;
	}
	if (wk.authn_requests != 1) {
		wk.why = "authn_request_count";
		goto out;
	}
	if (wk.issuers != 1) {
		wk.why = "issuer_count";
		goto out;
	}
	p->id = attr_dup(root, "ID");
	if (!id_valid(p->id)) {
		wk.why = "id";
		goto out;
	}
	p->issuer = issuer_text(root);
	if (p->issuer == NULL || strlen(p->issuer) > SAML_SP_ENTITY_ID_MAX) {
		wk.why = "issuer";
		goto out;
	}
	if (wk.signatures > 1 ||
	    (wk.signatures == 1 &&
	     (wk.signature->parent != root ||
	      !signature_refers_to_root(wk.signature, p->id)))) {
		wk.why = "signature_placement";
		goto out;
	}
	/* Redirect: the Signature parameter counts, not an element. */
	if (p->binding == SAML_SSO_REDIRECT) {
		if (wk.signatures != 0) {
			wk.why = "signature_element_in_redirect";
			goto out;
		}
	} else {
		p->has_signature = wk.signatures == 1;
	}
	p->acs_url = attr_dup(root, "AssertionConsumerServiceURL");
	p->protocol_binding = attr_dup(root, "ProtocolBinding");
	p->destination = attr_dup(root, "Destination");
	index = attr_dup(root, "AssertionConsumerServiceIndex");
	if (index != NULL) {
		char *end = NULL;
		long v = strtol(index, &end, 10);
		if (end == index || *end != '\0' || v < 0 || v > 65535) {
			wk.why = "acs_index";
			goto out;
		}
		p->acs_index = (int)v;
	}
	rc = 0;
out:
	if (rc != 0)
		log_kv(LOG_LEVEL_INFO, "saml_request_refused", "reason",
		       saml_error_info((enum saml_error)rc)->name, "detail",
		       wk.why, NULL);
	g_free(index);
	if (wk.ids != NULL)
		g_hash_table_destroy(wk.ids);
	xmlFreeDoc(doc);
	return rc;
}
