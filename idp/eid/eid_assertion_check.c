/*
 * The decrypted assertion's structure, on the node lasso verified: what
 * signature wrapping needs (a second assertion, a signature that refers
 * elsewhere, a second SubjectConfirmation lasso would silently drop) is
 * refused here, so the element whose signature verified is the one every
 * validator reads.
 */
#include <string.h>

#include "idp/eid/eid_response_check.h"

#define XS(s) ((const xmlChar *)(s))

static bool
is_el(const xmlNode *n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	       xmlStrcmp(n->ns->href, XS(ns)) == 0 &&
	       xmlStrcmp(n->name, XS(name)) == 0;
}

struct counts {
	int assertions;
	int confirmations;
	int authn_statements;
	int signatures;
	int references;
	int comments;
	int elements;
};

static void
count(struct counts *c, const xmlNode *n)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_COMMENT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE ||
		    n->type == XML_ENTITY_REF_NODE)
			c->comments++;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		c->elements++;
		if (is_el(n, EID_NS_ASSERTION, "Assertion") ||
		    is_el(n, EID_NS_ASSERTION, "EncryptedAssertion"))
			c->assertions++;
		else if (is_el(n, EID_NS_ASSERTION, "SubjectConfirmation"))
			c->confirmations++;
		else if (is_el(n, EID_NS_ASSERTION, "AuthnStatement"))
			c->authn_statements++;
		else if (is_el(n, EID_NS_DSIG, "Signature"))
			c->signatures++;
		else if (is_el(n, EID_NS_DSIG, "Reference"))
			c->references++;
		count(c, n->children);
	}
}

/* The Reference URI of ds:Signature @sig is "#" + @id. */
static bool
reference_is(const xmlNode *sig, const char *id)
{
	for (const xmlNode *si = sig->children; si != NULL; si = si->next) {
		if (!is_el(si, EID_NS_DSIG, "SignedInfo"))
			continue;
		for (const xmlNode *r = si->children; r != NULL; r = r->next) {
			xmlChar *uri;
			bool ok;

			if (!is_el(r, EID_NS_DSIG, "Reference"))
				continue;
			uri = xmlGetNoNsProp(r, XS("URI"));
			ok = uri != NULL && uri[0] == '#' &&
			     strcmp((char *)uri + 1, id) == 0;
			xmlFree(uri);
			return ok;
		}
	}
	return false;
}

enum eid_error
eid_assertion_structure(const xmlNode *an, const char **why)
{
	struct counts c = {0};
	const xmlNode *sig = NULL;
	xmlChar *id;
	bool ok;

	*why = NULL;
	if (!is_el(an, EID_NS_ASSERTION, "Assertion")) {
		*why = "no decrypted assertion";
		return EID_E_XML_STRUCTURE;
	}
	count(&c, an->children);
	if (c.assertions != 0 || c.comments != 0) {
		*why = c.assertions != 0 ? "nested assertion"
					 : "comment or CDATA";
		return EID_E_XML_STRUCTURE;
	}
	for (const xmlNode *n = an->children; n != NULL; n = n->next)
		if (is_el(n, EID_NS_DSIG, "Signature"))
			sig = n;
	if (sig == NULL || c.signatures != 1 || c.references != 1) {
		*why = sig == NULL ? "unsigned" : "more than one signature";
		return EID_E_ASSERTION_SIGNATURE;
	}
	id = xmlGetNoNsProp(an, XS("ID"));
	ok = id != NULL && reference_is(sig, (const char *)id);
	xmlFree(id);
	if (!ok) {
		*why = "signature refers to another element";
		return EID_E_ASSERTION_SIGNATURE;
	}
	if (c.confirmations != 1) {
		*why = "not exactly one SubjectConfirmation";
		return EID_E_SUBJECT;
	}
	if (c.authn_statements != 1) {
		*why = c.authn_statements == 0 ? "none" : "more than one";
		return EID_E_AUTHN_STATEMENT;
	}
	return EID_OK;
}
