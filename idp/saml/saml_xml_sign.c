/*
 * Enveloped XML signatures with the worker's preloaded key, placed where
 * the schemas want them. lasso signs with the key it was given (no PEM
 * parsing per signature) but appends the Signature as the last child;
 * SAML protocol messages and assertions want it right after the Issuer,
 * metadata as the first child. Moving it keeps the signature valid: the
 * enveloped-signature transform leaves the Signature element out of the
 * digest wherever it is, and SignedInfo is signed on its own.
 */
#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"

/* The first element child of @parent named @name in @ns, or NULL. */
static xmlNode *
child(xmlNode *parent, const char *name, const char *ns)
{
	for (xmlNode *c = parent->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    xmlStrEqual(c->name, (const xmlChar *)name) &&
		    xmlStrEqual(c->ns->href, (const xmlChar *)ns))
			return c;
	return NULL;
}

bool
saml_xml_sign(LassoKey *key, xmlNode *root, const char *id,
	      enum saml_sig_place where)
{
	xmlNode *sig, *issuer;

	/* The element has no Signature yet: the one found is lasso's. */
	if (lasso_key_saml2_xml_sign(key, id, root) == NULL ||
	    (sig = child(root, "Signature", SSO_NS_DSIG)) == NULL) {
		log_kv(LOG_LEVEL_ERROR, "lasso_failed", "step",
		       "key_saml2_xml_sign", "element", (const char *)root->name,
		       NULL);
		return false;
	}
	switch (where) {
	case SAML_SIG_AFTER_ISSUER:
		issuer = child(root, "Issuer", SSO_NS_ASSERTION);
		if (issuer == NULL)
			break;
		if (issuer->next != sig) {
			xmlUnlinkNode(sig);
			xmlAddNextSibling(issuer, sig);
		}
		return true;
	case SAML_SIG_FIRST:
		if (root->children != sig) {
			xmlUnlinkNode(sig);
			xmlAddPrevSibling(root->children, sig);
		}
		return true;
	}
	log_kv(LOG_LEVEL_ERROR, "bug_saml_signature_place", "element",
	       (const char *)root->name, NULL);
	return false;
}
